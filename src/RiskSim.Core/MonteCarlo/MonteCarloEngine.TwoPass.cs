using System.Collections.Immutable;
using System.Diagnostics;
using RiskSim.Core.Engine;
using RiskSim.Core.Model;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>
/// The two-pass path: exact statistics without keeping the KPIs of every trial. Blocks are
/// reproducible (block b is sampled and evaluated identically on any thread), so each block is
/// simulated twice. Pass 1 counts each KPI in a <see cref="KeyHistogram"/> (buckets fixed by block 0,
/// counts per worker, merged at the end) and keeps each block's moment sums by block index; pass 2
/// collects the values in the buckets of the wanted ranks (<see cref="RankSelection"/>) and, per block,
/// the sums beyond every possible expected-shortfall threshold in that threshold's bucket. The moment
/// and shortfall sums are added in block order exactly as <see cref="KpiStatistics.Compute"/> adds them
/// over its 16,384-value blocks, so the statistics are bit-identical to the in-memory ones for any
/// thread count. Memory: the block buffers, the histograms, two doubles per block and KPI, and the
/// first <see cref="KeptTrials"/> trials' KPIs.
/// </summary>
public static partial class MonteCarloEngine
{
    /// <summary>Trials whose per-trial KPIs a two-pass run keeps (the first four blocks: what global sensitivity uses).</summary>
    public const int KeptTrials = 4 * BlockSampler.BlockSize;

    private static SimulationResult RunTwoPass(SimulationSpec spec, RunOptions options, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        var ctx = new ModelContext(spec);
        var kernel = new SimdKernel(ctx);
        var sampler = new BlockSampler(spec, options.Seed, options.Sampling);
        long trials = options.Trials;
        const int b = BlockSampler.BlockSize;
        long blocks = (trials + b - 1) / b;
        int cols = spec.Simulation.KpiColumns;
        Parallel.ForEach(sampler.Inputs, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, i => i.Distribution.Prepare());
        var constants = spec.BaseValues();
        var uncertainParams = sampler.Inputs.Select(i => (int)i.Param).ToArray();
        var sw = Stopwatch.StartNew();

        int BlockLength(long blk) => (int)Math.Min(b, trials - (blk * b));

        BlockBuffers NewBuffers() => new(sampler, uncertainParams, cols);

        void Simulate(BlockBuffers w, long blk, int n)
        {
            sampler.Sample(blk, n, w.Workspace, w.Sampled);
            PadTail(w.Sampled, n);
            kernel.Evaluate(n, w.Columns, constants, w.Kpis, 0);
        }

        // Pilot: block 0 fixes each KPI's shift (as Compute: the mean of block 0) and histogram buckets.
        var pilot = NewBuffers();
        int n0 = BlockLength(0);
        Simulate(pilot, 0, n0);
        var within = spec.Simulation.PaybackWithinMonths;
        var withinMonths = new IReadOnlyList<int>[cols];
        var thresholds = new double[cols][];
        var centers = new double[cols];
        var buckets = new KeyBuckets[cols];
        for (int k = 0; k < cols; k++)
        {
            withinMonths[k] = k is TrialKpis.Payback or TrialKpis.DiscountedPayback ? within : [];
            thresholds[k] = [.. withinMonths[k].Select(m => (double)m)];
            var first = pilot.Kpis[k].AsSpan(0, n0);
            centers[k] = KpiStatistics.Shift(first);
            buckets[k] = KeyBuckets.FromSample(first, KeyBuckets.CountFor(trials));
        }

        long keep = Math.Min(trials, KeptTrials);
        var kept = new double[cols][];
        for (int k = 0; k < cols; k++)
        {
            kept[k] = new double[keep];
        }

        var tracker = new ProgressTracker(progress, 2 * trials, sw);

        // Pass 1: moments (sums by block index), counts, extremes and histograms per worker.
        var sums = new double[cols][];
        var squares = new double[cols][];
        for (int k = 0; k < cols; k++)
        {
            sums[k] = new double[blocks];
            squares[k] = new double[blocks];
        }

        var firstPass = ForBlocks(options.Threads, blocks, () => new Pass1Worker(NewBuffers(), buckets, thresholds), (w, blk) =>
        {
            int n = BlockLength(blk);
            Simulate(w.Buffers, blk, n);
            for (int k = 0; k < cols; k++)
            {
                var block = w.Buffers.Kpis[k].AsSpan(0, n);
                var p = KpiStatistics.Moments(block, centers[k], thresholds[k], w.Histograms[k]);
                sums[k][blk] = p.Sum;
                squares[k][blk] = p.SumSquares;
                w.Add(k, p);
                long start = blk * b;
                if (start < keep)
                {
                    block[..(int)Math.Min(n, keep - start)].CopyTo(kept[k].AsSpan((int)start));
                }
            }

            tracker.Add(n);
        }, cancellation);

        var passes = new KpiStatistics.Pass[cols];
        var plans = new KpiStatistics.RankPlan[cols];
        var selections = new RankSelection[cols];
        var esRanges = new (double Low, double High)?[cols];
        for (int k = 0; k < cols; k++)
        {
            var histogram = new KeyHistogram(buckets[k]);
            long count = 0, negative = 0;
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            var withinCounts = new long[thresholds[k].Length];
            foreach (var w in firstPass)
            {
                histogram.Add(w.Histograms[k]);
                count += w.Count[k];
                negative += w.Negative[k];
                min = Math.Min(min, w.Min[k]); // IEEE min/max: −0 below +0, as Compute's sign fix
                max = Math.Max(max, w.Max[k]);
                for (int t = 0; t < withinCounts.Length; t++)
                {
                    withinCounts[t] += w.Within[k][t];
                }
            }

            double total = 0, totalSq = 0;
            for (long blk = 0; blk < blocks; blk++)
            {
                total += sums[k][blk];
                totalSq += squares[k][blk];
            }

            passes[k] = new KpiStatistics.Pass(count, centers[k], total, totalSq, min, max, negative, withinCounts);
            plans[k] = KpiStatistics.RankPlan.For(TrialKpis.All[k], trials, count);
            selections[k] = new RankSelection(histogram, plans[k].Wanted);
            if (plans[k].EsRank is { } esRank)
            {
                int bucket = BucketOfRank(histogram, esRank);
                esRanges[k] = buckets[k].ValueRange(bucket, bucket);
            }
        }

        // Pass 2: the same blocks again; candidates for the ranks, and shortfall sums per block.
        var shortfall = new ShortfallPart[cols][];
        for (int k = 0; k < cols; k++)
        {
            shortfall[k] = esRanges[k] is null ? [] : new ShortfallPart[blocks];
        }

        ForBlocks(options.Threads, blocks, NewBuffers, (w, blk) =>
        {
            int n = BlockLength(blk);
            Simulate(w, blk, n);
            for (int k = 0; k < cols; k++)
            {
                var block = w.Kpis[k].AsSpan(0, n);
                lock (selections[k])
                {
                    selections[k].Collect(block); // any order: the selection is exact by key
                }

                if (esRanges[k] is { } range)
                {
                    shortfall[k][blk] = ShortfallPart.Of(block, range.Low, range.High, plans[k].HigherBetter);
                }
            }

            tracker.Add(n);
        }, cancellation);

        tracker.Finish();
        var simTime = sw.Elapsed;
        var stats = new KpiStatistics[cols];
        for (int k = 0; k < cols; k++)
        {
            var plan = plans[k];
            var selected = selections[k].Resolve();
            double? es = null;
            if (plan.EsRank is { } esRank)
            {
                double threshold = plan.ValueAt(selected, esRank);
                double esSum = 0;
                long below = 0;
                for (long blk = 0; blk < blocks; blk++)
                {
                    var (s, c) = shortfall[k][blk].Beyond(threshold);
                    esSum += s;
                    below += c;
                }

                es = KpiStatistics.ExpectedShortfall(plan, threshold, esSum, below);
            }

            stats[k] = KpiStatistics.Build(TrialKpis.All[k], trials, passes[k], plan, selected, es, withinMonths[k], NullReason(spec, k));
        }

        return new SimulationResult(spec, options, trials, false, kept, [.. stats], simTime, sw.Elapsed - simTime, sampler, keep);
    }

    /// <summary>The bucket holding the value of a rank (0-based among the counted values).</summary>
    private static int BucketOfRank(KeyHistogram histogram, long rank)
    {
        var counts = histogram.Counts;
        long below = 0;
        for (int bucket = 0; bucket < counts.Length; bucket++)
        {
            below += counts[bucket];
            if (below > rank)
            {
                return bucket;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(rank));
    }

    /// <summary>Runs <paramref name="body"/> for every block index on <paramref name="threads"/> workers (blocks taken in increasing order); returns each worker's state.</summary>
    private static T[] ForBlocks<T>(int threads, long blocks, Func<T> init, Action<T, long> body, CancellationToken cancellation)
    {
        long next = -1;
        var workers = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            var state = init();
            long blk;
            while (!cancellation.IsCancellationRequested && (blk = Interlocked.Increment(ref next)) < blocks)
            {
                body(state, blk);
            }

            return state;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();
        Task.WaitAll(workers, CancellationToken.None);
        cancellation.ThrowIfCancellationRequested();
        return [.. workers.Select(t => t.Result)];
    }

    /// <summary>One worker's scratch for a block: sampler workspace, sampled inputs wired to the kernel's parameter columns, and <c>cols</c> block-sized KPI columns (none when the kernel writes into the run's columns).</summary>
    private sealed class BlockBuffers
    {
        public BlockBuffers(BlockSampler sampler, int[] uncertainParams, int cols)
        {
            Workspace = sampler.CreateWorkspace();
            Sampled = [.. sampler.Inputs.Select(_ => new double[BlockSampler.BlockSize])];
            Columns = new double[]?[ParamCount.Value];
            for (int j = 0; j < uncertainParams.Length; j++)
            {
                Columns[uncertainParams[j]] = Sampled[j];
            }

            Kpis = new double[cols][];
            for (int k = 0; k < cols; k++)
            {
                Kpis[k] = new double[BlockSampler.BlockSize];
            }
        }

        public SamplerWorkspace Workspace { get; }
        public double[][] Sampled { get; }
        public double[]?[] Columns { get; }
        public double[][] Kpis { get; }
    }

    /// <summary>A pass-1 worker: buffers, histograms and the order-free parts of the moments per KPI.</summary>
    private sealed class Pass1Worker
    {
        public Pass1Worker(BlockBuffers buffers, KeyBuckets[] buckets, double[][] thresholds)
        {
            Buffers = buffers;
            Histograms = [.. buckets.Select(x => new KeyHistogram(x))];
            Count = new long[buckets.Length];
            Negative = new long[buckets.Length];
            Min = [.. buckets.Select(_ => double.PositiveInfinity)];
            Max = [.. buckets.Select(_ => double.NegativeInfinity)];
            Within = [.. thresholds.Select(t => new long[t.Length])];
        }

        public BlockBuffers Buffers { get; }
        public KeyHistogram[] Histograms { get; }
        public long[] Count { get; }
        public long[] Negative { get; }
        public double[] Min { get; }
        public double[] Max { get; }
        public long[][] Within { get; }

        public void Add(int k, KpiStatistics.Pass p)
        {
            Count[k] += p.Count;
            Negative[k] += p.Negative;
            Min[k] = Math.Min(Min[k], p.Min);
            Max[k] = Math.Max(Max[k], p.Max);
            for (int t = 0; t < p.Within.Length; t++)
            {
                Within[k][t] += p.Within[t];
            }
        }
    }

    /// <summary>
    /// One block's expected-shortfall sums for every threshold in a bucket's value range [low, high]:
    /// <see cref="KpiStatistics.SumBeyond"/> changes only at the block's distinct values u₁ &lt; … &lt; uₘ
    /// inside the range, so m + 1 sums (each exactly as the in-memory pass sums that block) cover them all.
    /// </summary>
    private readonly struct ShortfallPart
    {
        private readonly double[] _inside; // distinct values of the block in [low, high], ascending
        private readonly double[] _sums;
        private readonly long[] _counts;
        private readonly bool _below;

        private ShortfallPart(double[] inside, double[] sums, long[] counts, bool below)
        {
            _inside = inside;
            _sums = sums;
            _counts = counts;
            _below = below;
        }

        public static ShortfallPart Of(ReadOnlySpan<double> block, double low, double high, bool below)
        {
            var inside = new List<double>();
            foreach (double v in block)
            {
                if (v >= low && v <= high)
                {
                    inside.Add(v);
                }
            }

            inside.Sort();
            var distinct = new List<double>(inside.Count);
            foreach (double v in inside)
            {
                if (distinct.Count == 0 || distinct[^1] != v) // −0 == +0: SumBeyond compares values
                {
                    distinct.Add(v);
                }
            }

            // Representatives: below (v < t): u₁ … uₘ, high; above (v > t): low, u₁ … uₘ.
            var reps = below ? [.. distinct, high] : (double[])[low, .. distinct];
            var sums = new double[reps.Length];
            var counts = new long[reps.Length];
            for (int j = 0; j < reps.Length; j++)
            {
                (sums[j], counts[j]) = KpiStatistics.SumBeyond(block, reps[j], below);
            }

            return new ShortfallPart([.. distinct], sums, counts, below);
        }

        /// <summary>The block's (Σ, count) beyond a threshold in [low, high].</summary>
        public (double Sum, long Count) Beyond(double threshold)
        {
            int j = 0;
            while (j < _inside.Length && (_below ? _inside[j] < threshold : _inside[j] <= threshold))
            {
                j++;
            }

            return (_sums[j], _counts[j]);
        }
    }

    /// <summary>Progress over both passes, reported at most every 250 ms from whichever worker finishes a block.</summary>
    private sealed class ProgressTracker(IProgress<RunProgress>? progress, long total, Stopwatch clock)
    {
        private long _done;
        private long _lastReportTicks;

        public void Add(int n)
        {
            long done = Interlocked.Add(ref _done, n);
            if (progress is null)
            {
                return;
            }

            long now = clock.Elapsed.Ticks;
            long last = Interlocked.Read(ref _lastReportTicks);
            if (now - last >= TimeSpan.TicksPerMillisecond * 250 && Interlocked.CompareExchange(ref _lastReportTicks, now, last) == last)
            {
                progress.Report(new RunProgress(done, total, clock.Elapsed));
            }
        }

        public void Finish() => progress?.Report(new RunProgress(Interlocked.Read(ref _done), total, clock.Elapsed));
    }
}
