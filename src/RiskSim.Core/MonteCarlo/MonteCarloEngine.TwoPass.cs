using System.Collections.Immutable;
using System.Diagnostics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>
/// The two-pass path: exact statistics without keeping the KPIs of every trial.
/// </summary>
/// <remarks>
/// Blocks are reproducible (block b is sampled and evaluated identically on any thread), so each block is
/// simulated twice. Pass 1 counts each KPI in a <see cref="KeyHistogram"/> (buckets fixed by block 0,
/// counts per worker, merged at the end) and keeps each block's moment sums by block index; pass 2
/// collects the values in the buckets of the wanted ranks (<see cref="RankSelection"/>) and, for the
/// expected shortfall, the exact sum of the values beyond the threshold's bucket and that bucket's values
/// (<see cref="TailCollector"/>). The moment sums are added in block order exactly as
/// <see cref="KpiStatistics.Compute"/> adds them over its 16,384-value blocks and the shortfall's sum is
/// exact, so the statistics are bit-identical to the in-memory ones for any thread count. Memory: the block buffers, the histograms, two doubles per block and KPI, and the
/// first <see cref="KeptTrials"/> trials' KPIs.
/// </remarks>
public static partial class MonteCarloEngine
{
    /// <summary>Trials whose per-trial KPIs a two-pass run keeps (the first four blocks: what global sensitivity uses).</summary>
    public const int KeptTrials = 4 * BlockSampler.BlockSize;

    private static SimulationResult RunTwoPass(SimulationSpec spec, RunOptions options, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        using var run = new RunSetup(spec, options);
        long trials = options.Trials;
        const int b = BlockSampler.BlockSize;
        long blocks = run.Blocks;
        int cols = run.Columns;
        var sw = Stopwatch.StartNew();
        int BlockLength(long blk) => run.BlockLength(blk);
        BlockBuffers NewBuffers() => run.NewBuffers();
        void Simulate(BlockBuffers w, long blk, int n) => run.Simulate(w, blk, n, w.Kpis, 0);

        // Pilot: block 0 fixes each KPI's shift (as Compute: the mean of block 0) and histogram buckets.
        var pilot = NewBuffers();
        int n0 = BlockLength(0);
        Simulate(pilot, 0, n0);
        var setup = new KpiSetup(spec, trials, k => pilot.Kpis[k].AsSpan(0, n0));

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

        var firstPass = ForBlocks(options.Threads, AllBlocks(blocks), () => new Pass1Worker(NewBuffers(), setup), (w, blk) =>
        {
            int n = BlockLength(blk);
            Simulate(w.Buffers!, blk, n);
            for (int k = 0; k < cols; k++)
            {
                var block = w.Buffers!.Kpis[k].AsSpan(0, n);
                w.Accumulate(k, blk, block, setup, sums, squares);
                long start = blk * b;
                if (start < keep)
                {
                    block[..(int)Math.Min(n, keep - start)].CopyTo(kept[k].AsSpan((int)start));
                }
            }

            tracker.Add(n);
        }, cancellation);

        var (histograms, passes) = Merge(setup, firstPass, sums, squares, AllBlocks(blocks));
        var plans = new KpiStatistics.RankPlan[cols];
        for (int k = 0; k < cols; k++)
        {
            plans[k] = KpiStatistics.RankPlan.For(TrialKpis.All[k], trials, passes[k].Count);
        }

        // Pass 2: the same blocks again, collecting the candidates for the ranks and the shortfall sums.
        var selected = SecondPass(run, AllBlocks(blocks), histograms, plans, options.Threads, tracker, cancellation);
        tracker.Finish();
        var simTime = sw.Elapsed;
        var stats = new KpiStatistics[cols];
        for (int k = 0; k < cols; k++)
        {
            stats[k] = KpiStatistics.Build(TrialKpis.All[k], trials, passes[k], plans[k], selected[k].Selected, selected[k].Es, setup.WithinMonths[k], NullReason(spec, k));
        }

        return new SimulationResult(spec, options, trials, false, kept, [.. stats], simTime, sw.Elapsed - simTime, run.Sampler, keep, "exact, two passes");
    }

    /// <summary>Every block index 0 … blocks − 1.</summary>
    private static long[] AllBlocks(long blocks)
    {
        var all = new long[blocks];
        for (long i = 0; i < blocks; i++)
        {
            all[i] = i;
        }

        return all;
    }

    /// <summary>
    /// Merges the workers' histograms, counts and extremes per KPI, and adds the per-block moment sums of the
    /// given blocks in increasing block order (as <see cref="KpiStatistics.Moments"/> adds its blocks).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static (KeyHistogram[] Histograms, KpiStatistics.Pass[] Passes) Merge(KpiSetup setup, IReadOnlyList<Pass1Worker> workers, double[][] sums, double[][] squares, long[] blocks)
    {
        int cols = setup.Buckets.Length;
        var histograms = new KeyHistogram[cols];
        var passes = new KpiStatistics.Pass[cols];
        for (int k = 0; k < cols; k++)
        {
            var histogram = new KeyHistogram(setup.Buckets[k]);
            long count = 0, negative = 0;
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            var withinCounts = new long[setup.Thresholds[k].Length];
            foreach (var w in workers)
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
            foreach (long blk in blocks.Order())
            {
                total += sums[k][blk];
                totalSq += squares[k][blk];
            }

            histograms[k] = histogram;
            passes[k] = new KpiStatistics.Pass(count, setup.Centers[k], total, totalSq, min, max, negative, withinCounts);
        }

        return (histograms, passes);
    }

    /// <summary>
    /// Simulates the given blocks again and selects each KPI's planned ranks exactly from the complete
    /// histograms; the expected shortfall sums the values beyond the threshold's bucket exactly on the fly and
    /// keeps the bucket's own values (<see cref="TailCollector"/>).
    /// </summary>
    private static (double[] Selected, double? Es)[] SecondPass(RunSetup run, long[] blocks, KeyHistogram[] histograms, KpiStatistics.RankPlan[] plans, int threads, ProgressTracker tracker, CancellationToken cancellation)
    {
        int cols = plans.Length;
        var selections = new RankSelection[cols];
        var esRanges = new (double Low, double High)?[cols];
        for (int k = 0; k < cols; k++)
        {
            selections[k] = new RankSelection(histograms[k], plans[k].Wanted);
            if (plans[k].EsRank is { } esRank)
            {
                int bucket = BucketOfRank(histograms[k], esRank);
                esRanges[k] = histograms[k].Buckets.ValueRange(bucket, bucket);
            }
        }

        var workers = ForBlocks(threads, blocks, () =>
        {
            var collectors = new TailCollector?[cols];
            for (int k = 0; k < cols; k++)
            {
                if (esRanges[k] is { } r)
                {
                    collectors[k] = new TailCollector([r], plans[k].HigherBetter ? r.Low : r.High, plans[k].HigherBetter, 64);
                }
            }

            return (Buffers: run.NewBuffers(), Collectors: collectors);
        }, (w, blk) =>
        {
            int n = run.BlockLength(blk);
            run.Simulate(w.Buffers, blk, n, w.Buffers.Kpis, 0);
            for (int k = 0; k < cols; k++)
            {
                var block = w.Buffers.Kpis[k].AsSpan(0, n);
                lock (selections[k])
                {
                    selections[k].Collect(block); // any order: the selection is exact by key
                }

                w.Collectors[k]?.Collect(block);
            }

            tracker.Add(n);
        }, cancellation);

        var result = new (double[] Selected, double? Es)[cols];
        for (int k = 0; k < cols; k++)
        {
            var selected = selections[k].Resolve();
            double? es = null;
            if (plans[k].EsRank is { } esRank && esRanges[k] is { } r)
            {
                es = TailCollector.Shortfall(plans[k], plans[k].ValueAt(selected, esRank), workers.Select(w => w.Collectors[k]!), r.Low, r.High);
            }

            result[k] = (selected, es);
        }

        return result;
    }

    /// <summary>The bucket holding the value of a rank (0-based among the counted values).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>Runs <paramref name="body"/> for every block index of <paramref name="blocks"/> on <paramref name="threads"/> workers (taken in list order); returns each worker's state.</summary>
    private static T[] ForBlocks<T>(int threads, long[] blocks, Func<T> init, Action<T, long> body, CancellationToken cancellation)
    {
        long next = -1;
        var workers = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            var state = init();
            long j;
            while (!cancellation.IsCancellationRequested && (j = Interlocked.Increment(ref next)) < blocks.Length)
            {
                body(state, blocks[j]);
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
        public BlockBuffers(BlockSampler sampler, int[] uncertainParams, int cols, ScratchArena arena)
        {
            Workspace = sampler.CreateWorkspace(arena);
            // Uninitialized, as the workspace: every lane is written before it is read (the sampler writes a block's n
            // values and the tail is padded for the kernel's last vector), so zeroing megabytes a run would be wasted.
            Sampled = [.. sampler.Inputs.Select(_ => arena.Rent<double>(BlockSampler.BlockSize))];
            Columns = new double[]?[ParamCount.Value];
            for (int j = 0; j < uncertainParams.Length; j++)
            {
                Columns[uncertainParams[j]] = Sampled[j];
            }

            Kpis = new double[cols][];
            for (int k = 0; k < cols; k++)
            {
                Kpis[k] = arena.Rent<double>(BlockSampler.BlockSize); // the kernel writes a block's n values before they are counted
            }
        }

        public SamplerWorkspace Workspace { get; }
        public double[][] Sampled { get; }
        public double[]?[] Columns { get; }
        public double[][] Kpis { get; }
    }

    /// <summary>
    /// A pass-1 worker: buffers, histograms and the order-free parts of the moments per KPI, and (one-pass runs)
    /// a <see cref="TailCollector"/> per KPI.
    /// </summary>
    private sealed class Pass1Worker
    {
        public Pass1Worker(BlockBuffers? buffers, KpiSetup setup, TailCollector[]? collectors = null)
        {
            Buffers = buffers;
            Histograms = [.. setup.Buckets.Select(x => new KeyHistogram(x))];
            int cols = setup.Buckets.Length;
            Count = new long[cols];
            Negative = new long[cols];
            Min = [.. setup.Buckets.Select(_ => double.PositiveInfinity)];
            Max = [.. setup.Buckets.Select(_ => double.NegativeInfinity)];
            Within = [.. setup.Thresholds.Select(t => new long[t.Length])];
            Collectors = collectors;
        }

        /// <summary>The worker's block buffers (null for a worker that only counts blocks simulated elsewhere).</summary>
        public BlockBuffers? Buffers { get; }

        public KeyHistogram[] Histograms { get; }
        public long[] Count { get; }
        public long[] Negative { get; }
        public double[] Min { get; }
        public double[] Max { get; }
        public long[][] Within { get; }
        public TailCollector[]? Collectors { get; }

        /// <summary>Counts one block of KPI <paramref name="k"/>: moments (its sums stored by block index), histogram and, if any, the tail collector.</summary>
        public void Accumulate(int k, long blk, ReadOnlySpan<double> block, KpiSetup setup, double[][] sums, double[][] squares)
        {
            // With a collector, the moments and the histogram are counted in the collector's loop (one pass over the block for all).
            var p = Collectors is { } collectors
                ? collectors[k].CollectCounted(block, Histograms[k], setup.Centers[k], setup.Thresholds[k])
                : KpiStatistics.Moments(block, setup.Centers[k], setup.Thresholds[k], Histograms[k]);
            sums[k][blk] = p.Sum;
            squares[k][blk] = p.SumSquares;
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

    /// <summary>The pieces of a run shared by its paths: model, kernel, sampler, fixed inputs, block geometry.</summary>
    private sealed class RunSetup : IDisposable
    {
        public RunSetup(SimulationSpec spec, RunOptions options)
        {
            Spec = spec;
            Kernel = new SimdKernel(new ModelContext(spec));
            Sampler = new BlockSampler(spec, options.Seed, options.Sampling);
            Trials = options.Trials;
            Blocks = (Trials + BlockSampler.BlockSize - 1) / BlockSampler.BlockSize;
            Columns = spec.Simulation.KpiColumns;
            Constants = spec.BaseValues();
            UncertainParams = [.. Sampler.Inputs.Select(i => (int)i.Param)];

            // Quantile tables of all inputs, built on all cores before the clock starts.
            Parallel.ForEach(Sampler.Inputs, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, i => i.Distribution.Prepare());
        }

        public SimulationSpec Spec { get; }
        public SimdKernel Kernel { get; }
        public BlockSampler Sampler { get; }
        public long Trials { get; }
        public long Blocks { get; }
        public int Columns { get; }
        public double[] Constants { get; }
        public int[] UncertainParams { get; }

        /// <summary>The run's scratch arrays, back to the process's pool when the run is disposed.</summary>
        public ScratchArena Scratch { get; } = new();

        public void Dispose() => Scratch.Dispose();

        public int BlockLength(long blk) => (int)Math.Min(BlockSampler.BlockSize, Trials - (blk * BlockSampler.BlockSize));

        /// <summary>A worker's buffers with block-sized KPI columns (<paramref name="withKpis"/>) or none (the kernel writes elsewhere).</summary>
        public BlockBuffers NewBuffers(bool withKpis = true) => new(Sampler, UncertainParams, withKpis ? Columns : 0, Scratch);

        /// <summary>Samples and evaluates block <paramref name="blk"/> (n trials) into <paramref name="kpis"/> from <paramref name="offset"/>.</summary>
        public void Simulate(BlockBuffers w, long blk, int n, double[][] kpis, int offset)
        {
            Sampler.Sample(blk, n, w.Workspace, w.Sampled);
            PadTail(w.Sampled, n);
            Kernel.Evaluate(n, w.Columns, Constants, kpis, offset);
        }
    }

    /// <summary>What every streaming path fixes from block 0: each KPI's shift for the moments and its histogram buckets (as <see cref="KpiStatistics.Compute"/>).</summary>
    private sealed class KpiSetup
    {
        public KpiSetup(SimulationSpec spec, long trials, Func<int, ReadOnlySpan<double>> firstBlock)
        {
            int cols = spec.Simulation.KpiColumns;
            WithinMonths = new IReadOnlyList<int>[cols];
            Thresholds = new double[cols][];
            Centers = new double[cols];
            Buckets = new KeyBuckets[cols];
            for (int k = 0; k < cols; k++)
            {
                WithinMonths[k] = k is TrialKpis.Payback or TrialKpis.DiscountedPayback ? spec.Simulation.PaybackWithinMonths : [];
                Thresholds[k] = [.. WithinMonths[k].Select(m => (double)m)];
                var first = firstBlock(k);
                Centers[k] = KpiStatistics.Shift(first);
                Buckets[k] = KeyBuckets.FromSampleCentral(first, CentralTail, Math.Min(KeyBuckets.CountFor(trials), StreamingBuckets));
            }
        }

        /// <summary>
        /// Histogram buckets per KPI on the streaming paths: each worker counts all KPIs of a block in turn, so their
        /// histograms (8 bytes a bucket) should share the L2 cache; the buckets only steer the speed, never the result.
        /// </summary>
        private const int StreamingBuckets = 4096;

        /// <summary>
        /// The streaming histograms resolve block 0's values from its 1st to its 99th percentile (the values beyond share the
        /// outer buckets): every wanted rank lies between the 5th and the 95th percentile, and the buckets were spread
        /// over the extremes before (a flagship NPV from −$2.6 M to $62 M: 56 buckets a binade, windows a few buckets wide
        /// held 4–15 % of each KPI's values).
        /// </summary>
        private const double CentralTail = 0.01;

        public IReadOnlyList<int>[] WithinMonths { get; }
        public double[][] Thresholds { get; }
        public double[] Centers { get; }
        public KeyBuckets[] Buckets { get; }
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
