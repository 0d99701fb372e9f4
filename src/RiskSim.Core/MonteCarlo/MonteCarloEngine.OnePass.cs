using System.Diagnostics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>
/// The one-pass path, the default for runs of more than <see cref="KeptTrials"/> trials: exact statistics
/// with memory flat in the trials and every block counted while it is still in cache.
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>A pilot simulates the first <see cref="PilotTrials"/> trials (of which the first <see cref="KeptTrials"/> are
/// kept for charts and sensitivity). From their order statistics it predicts, per KPI, closed value windows where each wanted rank
/// will fall: every reported percentile level p ± (<see cref="RunOptions.WindowSigmas"/>·√(p(1 − p)/m) + 16/m) of the
/// m pilot trials (the pilot's sampling error, many times over), and the shortfall threshold likewise;
/// windows are widened to whole histogram buckets and merged.</item>
/// <item>Workers (System.Threading.Channels: block indices → workers → a finished-block stage that tracks
/// progress) simulate each block into their own buffers and count it: moments by block index and
/// histogram as in the two-pass path, the values inside the windows, and the exact sum of the values beyond
/// the shortfall window's worse edge (<see cref="TailCollector"/>).</item>
/// <item>From the complete histogram, each wanted rank's bucket is known. If every one lies inside a window,
/// the candidates hold all the values of those buckets and the selection is exact; if any does not
/// (the pilot was off by more than the margin: not expected to happen in practice, and tested by forcing
/// it), the blocks are simulated a second time as in the two-pass path.</item>
/// </list>
/// The statistics equal the in-memory and two-pass ones bit for bit, for any thread count.
/// </remarks>
public static partial class MonteCarloEngine
{
    /// <summary>
    /// Trials the one-pass pilot plans its windows from (whole blocks, fewer when the run has fewer): 262,144, four times
    /// the kept trials, halves the windows' width against a pilot of the kept trials alone, so about half as many values
    /// are kept (memory, and the pages the system must clear for them) and selected at the end.
    /// </summary>
    internal const int PilotTrials = 16 * BlockSampler.BlockSize;

    private static SimulationResult RunOnePass(SimulationSpec spec, RunOptions options, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        using var run = new RunSetup(spec, options);
        long trials = options.Trials;
        const int b = BlockSampler.BlockSize;
        long blocks = run.Blocks;
        int cols = run.Columns;
        var sw = Stopwatch.StartNew();
        var pilot = SimulatePilot(spec, run, options);
        int pilotBlocks = pilot.Blocks;
        var (kept, rest, setup, windows) = (pilot.Kept, pilot.Rest, pilot.Setup, pilot.Windows);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };

        int workerCount = options.Threads;
        TailCollector[] NewCollectors(long share) => [.. windows.Select((x, k) => x.NewCollector((int)Math.Min(int.MaxValue / 2, (long)(x.Coverage * share * 1.25) + 1024), setup.Buckets[k], run.Scratch))];
        var sums = new double[cols][];
        var squares = new double[cols][];
        for (int k = 0; k < cols; k++)
        {
            sums[k] = new double[blocks];
            squares[k] = new double[blocks];
        }

        var done = new bool[blocks];
        var pilotWorker = new Pass1Worker(null, setup, NewCollectors(pilotBlocks * b)); // counts the pilot's columns: no buffers of its own
        Parallel.For(0, cols, parallel, k => // a KPI's counts are its own: KPIs in parallel, blocks in order
        {
            for (int blk = 0; blk < pilotBlocks; blk++)
            {
                pilotWorker.Accumulate(k, blk, pilot.Block(k, blk), setup, sums, squares);
            }

            rest[k] = []; // counted: only the kept trials stay
        });
        done.AsSpan(0, pilotBlocks).Fill(true);

        // The pipeline over the remaining blocks; each worker counts its blocks in its own state, and the windows narrow
        // as the blocks come in (the buffers start at what the first narrowing needs and grow when a run needs more).
        var narrowing = new WindowNarrowing(setup, windows, pilotWorker, pilotBlocks, blocks, workerCount, options.WindowSigmas);
        var workers = Pipeline(pilotBlocks, blocks, workerCount, () => new NarrowingWorker(new Pass1Worker(run.NewBuffers(), setup, NewCollectors(Math.Min(trials, 4L * PilotTrials) / workerCount))), (w, blk) =>
        {
            narrowing.Before(w, blk);
            var buffers = w.Inner.Buffers!;
            int n = run.BlockLength(blk);
            run.Simulate(buffers, blk, n, buffers.Kpis, 0);
            for (int k = 0; k < cols; k++)
            {
                w.Inner.Accumulate(k, blk, buffers.Kpis[k].AsSpan(0, n), setup, sums, squares);
            }

            w.Trials += n;
            return n;
        }, done, (long)pilotBlocks * b, trials, progress, sw, cancellation);
        var simTime = sw.Elapsed;

        // A cancelled run counts the blocks that finished (each was counted whole); the result is then partial.
        long[] doneBlocks = [.. Enumerable.Range(0, (int)blocks).Where(i => done[i]).Select(i => (long)i)];
        long counted = doneBlocks.Sum(blk => (long)run.BlockLength(blk));
        var pilotShares = windows.Select(x => x.Coverage).ToArray();
        windows = narrowing.Finish(workers, complete: doneBlocks.Length == blocks).Windows;
        var all = workers.Select(w => w.Inner).Prepend(pilotWorker).ToArray();
        var keptShares = Enumerable.Range(0, cols).Select(k => (pilotShares[k], all.Sum(w => (long)w.Collectors![k].Candidates.Length) / (double)counted)).ToArray();
        var (histograms, passes) = Merge(setup, all, sums, squares, doneBlocks);
        var plans = new KpiStatistics.RankPlan[cols];
        var selected = new (double[] Selected, double? Es)[cols];
        var hit = new bool[cols];
        Parallel.For(0, cols, parallel, k => // each KPI's selection is its own
        {
            plans[k] = KpiStatistics.RankPlan.For(TrialKpis.All[k], counted, passes[k].Count);
            var result = windows[k].Select(histograms[k], plans[k], [.. all.Select(w => w.Collectors![k])]);
            hit[k] = result is not null;
            selected[k] = result ?? default;
        });
        bool missed = hit.Contains(false);

        string method = "exact, one pass";
        if (missed)
        {
            // A wanted rank fell outside the predicted windows: count the finished blocks again (exact, as two passes).
            method = "exact, one pass + second pass";
            var tracker = new ProgressTracker(progress, counted, sw);
            selected = SecondPass(run, doneBlocks, histograms, plans, options.Threads, tracker, CancellationToken.None);
            tracker.Finish();
        }

        var stats = new KpiStatistics[cols];
        for (int k = 0; k < cols; k++)
        {
            stats[k] = KpiStatistics.Build(TrialKpis.All[k], counted, passes[k], plans[k], selected[k].Selected, selected[k].Es, setup.WithinMonths[k], NullReason(spec, k));
        }

        return new SimulationResult(spec, options, counted, counted < trials, kept, [.. stats], simTime, sw.Elapsed - simTime, run.Sampler, KeptTrials, method) { WindowShares = keptShares };
    }

    /// <summary>
    /// Simulates the one-pass pilot (the first whole blocks, up to <see cref="PilotTrials"/> trials; the first
    /// <see cref="KeptTrials"/> go into the run's kept columns) and plans each KPI's windows from it. Deterministic:
    /// every process that runs it for the same spec, seed and trials gets the same windows (sharded runs rely on it).
    /// </summary>
    private static Pilot SimulatePilot(SimulationSpec spec, RunSetup run, RunOptions options)
    {
        const int b = BlockSampler.BlockSize;
        long trials = options.Trials;
        int pilotBlocks = (int)Math.Clamp(trials / b, KeptTrials / b, PilotTrials / b); // whole blocks (run.Trials > KeptTrials)
        int cols = run.Columns;

        // Pilot: whole blocks. The first KeptTrials go straight into the run's kept columns, the rest into columns of their own.
        const int keptBlocks = KeptTrials / b;
        var kept = new double[cols][];
        var rest = new double[cols][];
        for (int k = 0; k < cols; k++)
        {
            kept[k] = GC.AllocateUninitializedArray<double>(KeptTrials); // whole blocks, every one simulated below
            rest[k] = run.Scratch.Rent<double>((pilotBlocks - keptBlocks) * b);
        }

        Parallel.For(0, pilotBlocks, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, () => run.NewBuffers(withKpis: false), (blk, _, w) =>
        {
            run.Simulate(w, blk, b, blk < keptBlocks ? kept : rest, (blk < keptBlocks ? blk : blk - keptBlocks) * b);
            return w;
        }, _ => { });

        var setup = new KpiSetup(spec, trials, k => kept[k].AsSpan(0, b));
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };
        var windows = new PilotWindows[cols];
        Parallel.For(0, cols, parallel, k => windows[k] = PilotWindows.Plan(TrialKpis.All[k], kept[k], rest[k], setup.Buckets[k], options.WindowSigmas));
        return new Pilot(pilotBlocks, kept, rest, setup, windows);
    }

    /// <summary>The pilot of a one-pass run: its blocks' KPIs (the kept trials, then the rest), the KPIs' setup and windows.</summary>
    private sealed class Pilot(int blocks, double[][] kept, double[][] rest, KpiSetup setup, PilotWindows[] windows)
    {
        public int Blocks { get; } = blocks;
        public double[][] Kept { get; } = kept;
        public double[][] Rest { get; } = rest;
        public KpiSetup Setup { get; } = setup;
        public PilotWindows[] Windows { get; } = windows;

        /// <summary>Pilot block <paramref name="blk"/> of KPI <paramref name="k"/> (empty once the rest has been let go).</summary>
        public ReadOnlySpan<double> Block(int k, int blk)
        {
            const int b = BlockSampler.BlockSize;
            const int keptBlocks = KeptTrials / b;
            return blk < keptBlocks ? Kept[k].AsSpan(blk * b, b) : Rest[k].AsSpan((blk - keptBlocks) * b, b);
        }
    }

    /// <summary>
    /// The value windows a pilot predicts for one KPI's wanted ranks (merged, bucket-aligned, increasing) and the
    /// window that holds the expected-shortfall threshold, whose worse edge is the collectors' cut.
    /// </summary>
    private sealed class PilotWindows
    {
        private readonly List<(double Low, double High)> _ranges;
        private readonly List<(int Lo, int Hi)> _buckets; // the same windows as bucket ranges
        private readonly int _es; // index into _ranges, or −1
        private readonly bool _higherBetter;

        private PilotWindows(List<(double Low, double High)> ranges, List<(int Lo, int Hi)> buckets, int es, bool higherBetter, double coverage)
        {
            _ranges = ranges;
            _buckets = buckets;
            _es = es;
            _higherBetter = higherBetter;
            Coverage = coverage;
        }

        /// <summary>Share of the pilot's trials inside the windows (sizes the candidate buffers).</summary>
        public double Coverage { get; }

        /// <summary>The windows as bucket ranges (merged, increasing): what a shard's partial result records of them.</summary>
        public IReadOnlyList<(int Lo, int Hi)> BucketRanges => _buckets;

        /// <summary>Index in <see cref="BucketRanges"/> of the window that holds the shortfall threshold, or −1.</summary>
        public int EsIndex => _es;

        /// <summary>The windows from one KPI's pilot values, given as the kept trials' column and the rest of the pilot (no copy).</summary>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public static PilotWindows Plan(TrialKpi kpi, ReadOnlySpan<double> first, ReadOnlySpan<double> rest, KeyBuckets buckets, double sigmas)
        {
            int m = first.Length + rest.Length;
            var histogram = new KeyHistogram(buckets);
            histogram.Add(first);
            histogram.Add(rest);
            int f = (int)histogram.Total;
            bool higherBetter = kpi.Better == Better.Higher;

            var (requests, esRequest) = Requests(m, f, higherBetter, sigmas);

            // The values at those ranks, exactly, by the histogram and one collecting pass (no sort of the pilot).
            long[] wanted = [.. requests.Append(esRequest ?? (-1, -1)).SelectMany(r => new[] { r.Lo, r.Hi }).Where(r => r >= 0 && r < f).Distinct()];
            var values = new Dictionary<long, double>();
            if (wanted.Length > 0)
            {
                var selection = new RankSelection(histogram, wanted);
                selection.Collect(first);
                selection.Collect(rest);
                var found = selection.Resolve();
                for (int j = 0; j < wanted.Length; j++)
                {
                    values[wanted[j]] = found[j];
                }
            }

            var (merged, es) = Windows(requests, esRequest, r => buckets.Of(values[r]), buckets.Count);
            int esIndex = es is { } x ? merged.FindIndex(w => w.Lo <= x.Lo && x.Hi <= w.Hi) : -1;
            return new PilotWindows(merged.Select(w => buckets.ValueRange(w.Lo, w.Hi)).ToList(), merged, esIndex, higherBetter, CoverageOf(merged, histogram.Counts, m));
        }

        /// <summary>
        /// The rank requests of the windows: each spans the values between probability levels p ± δ of an order of
        /// `count` items, δ = sigmas·√(p(1 − p)/count) + 16/count: all m trials with the nulls at the worst end (the
        /// percentiles), or the f finite values (the shortfall threshold: the 10 % point from the worse end).
        /// </summary>
        /// <remarks>
        /// Its two ranks, as the finite rank each stands for (−1 beyond the data or among the nulls, where the side
        /// reaches the outermost
        /// bucket; long.MinValue / long.MaxValue beyond the data).
        /// </remarks>
        private static (List<(long Lo, long Hi)> Requests, (long Lo, long Hi)? Es) Requests(long m, long f, bool higherBetter, double sigmas)
        {
            long nulls = m - f;
            (long Lo, long Hi)? Request(double p, long count, bool full)
            {
                if (count == 0)
                {
                    return null;
                }

                double d = (sigmas * Math.Sqrt(p * (1 - p) / count)) + (16.0 / count);
                long rlo = (long)Math.Floor((p - d) * count);
                long rhi = (long)Math.Ceiling((p + d) * count);
                long Finite(long r)
                {
                    long fr = full && higherBetter ? r - nulls : r; // nulls first (worst) when higher is better
                    return r < 0 || r >= count || fr < 0 || fr >= f ? -1 : fr;
                }

                bool outLo = rlo < 0, outHi = rhi >= count; // beyond the data: ±∞, not a null
                return (outLo ? long.MinValue : Finite(rlo), outHi ? long.MaxValue : Finite(rhi));
            }

            var requests = new List<(long Lo, long Hi)>();
            foreach (double p in KpiStatistics.Levels)
            {
                if (Request(p, m, full: true) is { } r)
                {
                    requests.Add(r);
                }
            }

            return (requests, Request(higherBetter ? 0.1 : 0.9, f, full: false));
        }

        /// <summary>
        /// The requests as bucket ranges (a finite rank's bucket by <paramref name="bucketOf"/>), sorted and merged where
        /// they touch, and the shortfall request's own range (null without one). A request whose both sides lie among the
        /// nulls has no window (its percentile is null: checked after the run).
        /// </summary>
        private static (List<(int Lo, int Hi)> Merged, (int Lo, int Hi)? Es) Windows(List<(long Lo, long Hi)> requests, (long Lo, long Hi)? esRequest, Func<long, int> bucketOf, int count)
        {
            (int Lo, int Hi)? Window((long Lo, long Hi) r)
            {
                if (r.Lo == -1 && r.Hi == -1)
                {
                    return null;
                }

                int bl = r.Lo < 0 ? 0 : bucketOf(r.Lo);
                int bh = r.Hi < 0 || r.Hi == long.MaxValue ? count - 1 : bucketOf(r.Hi);
                return (bl, bh);
            }

            var windows = new List<(int Lo, int Hi)>();
            foreach (var r in requests)
            {
                if (Window(r) is { } w)
                {
                    windows.Add(w);
                }
            }

            var es = esRequest is { } er ? Window(er) : null;
            if (es is { } e)
            {
                windows.Add(e);
            }

            windows.Sort();
            var merged = new List<(int Lo, int Hi)>();
            foreach (var w in windows)
            {
                if (merged.Count > 0 && w.Lo <= merged[^1].Hi + 1)
                {
                    merged[^1] = (merged[^1].Lo, Math.Max(merged[^1].Hi, w.Hi));
                }
                else
                {
                    merged.Add(w);
                }
            }

            return (merged, es);
        }

        /// <summary>Share of m trials inside the windows: the windows are whole buckets, so their finite values are their buckets' counts.</summary>
        private static double CoverageOf(List<(int Lo, int Hi)> merged, ReadOnlySpan<long> counts, long m)
        {
            long inside = 0;
            foreach (var (lo, hi) in merged)
            {
                for (int b = lo; b <= hi; b++)
                {
                    inside += counts[b];
                }
            }

            return m == 0 ? 0 : (double)inside / m;
        }

        /// <summary>
        /// Narrower windows for the same wanted ranks, from the histogram of the first <paramref name="m"/> trials (the same
        /// margin of <paramref name="sigmas"/> sampling errors, now of m trials: the windows shrink as 1/√m), each inside
        /// these windows, the shortfall's inside this shortfall window; or these windows when that does not hold (the
        /// values outside them are gone) or nothing narrows.
        /// </summary>
        /// <remarks>
        /// Only the counts are needed: a rank's bucket is where the cumulative count passes it.
        /// </remarks>
        public PilotWindows Narrow(ReadOnlySpan<long> counts, long m, KeyBuckets buckets, double sigmas)
        {
            var cumulative = new long[counts.Length + 1];
            for (int b = 0; b < counts.Length; b++)
            {
                cumulative[b + 1] = cumulative[b] + counts[b];
            }

            long f = cumulative[^1];
            int top = counts.Length - 1;
            int BucketOf(long rank)
            {
                // The first bucket b with cumulative[b + 1] > rank (0 ≤ rank < f).
                int lo = 0, hi = top;
                while (lo < hi)
                {
                    int mid = (lo + hi) >>> 1;
                    if (cumulative[mid + 1] > rank)
                    {
                        hi = mid;
                    }
                    else
                    {
                        lo = mid + 1;
                    }
                }

                return lo;
            }

            var (requests, esRequest) = Requests(m, f, _higherBetter, sigmas);
            var (merged, es) = Windows(requests, esRequest, BucketOf, buckets.Count);
            bool Inside((int Lo, int Hi) w, (int Lo, int Hi) outer) => outer.Lo <= w.Lo && w.Hi <= outer.Hi;
            if (merged.Any(w => !_buckets.Any(old => Inside(w, old)))
                || (es is null) != (_es < 0)
                || (es is { } e && !Inside(e, _buckets[_es]))
                || merged.SequenceEqual(_buckets))
            {
                return this;
            }

            int esIndex = es is { } x ? merged.FindIndex(w => Inside(x, w)) : -1;
            return new PilotWindows(merged.Select(w => buckets.ValueRange(w.Lo, w.Hi)).ToList(), merged, esIndex, _higherBetter, CoverageOf(merged, counts, m));
        }

        /// <summary>The value intervals of the windows and the cut of the collectors (see <see cref="NewCollector"/>).</summary>
        public (IReadOnlyList<(double Low, double High)> Intervals, double Cut) Bounds =>
            (_ranges, _es < 0 ? double.NaN : _higherBetter ? _ranges[_es].Low : _ranges[_es].High);

        /// <summary>A worker's collector: candidates in the windows, exact sum beyond the shortfall window's worse edge.</summary>
        public TailCollector NewCollector(int capacity, KeyBuckets buckets, ScratchArena arena)
        {
            return new TailCollector(_ranges, Bounds.Cut, _higherBetter, capacity, buckets, arena); // a NaN cut: nothing is beyond
        }

        /// <summary>
        /// The planned ranks and the shortfall from the collectors, or null when a wanted bucket or the threshold lies
        /// outside the windows.
        /// </summary>
        /// <remarks>
        /// The candidates are every value of the windows' buckets, so a wanted rank r, in window j,
        /// is rank r − (values below window j) + (values in windows 0 … j − 1) among them: one exact selection over
        /// the candidates, counted in a histogram of their own (finer than the run's), gives all ranks at once.
        /// </remarks>
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
        public (double[] Selected, double? Es)? Select(KeyHistogram histogram, KpiStatistics.RankPlan plan, TailCollector[] collectors)
        {
            var counts = histogram.Counts;
            var cumulative = new long[counts.Length + 1];
            for (int b = 0; b < counts.Length; b++)
            {
                cumulative[b + 1] = cumulative[b] + counts[b];
            }

            var offset = new long[_buckets.Count]; // rank among the candidates = rank − offset of its window
            long before = 0;
            for (int j = 0; j < _buckets.Count; j++)
            {
                offset[j] = cumulative[_buckets[j].Lo] - before;
                before += cumulative[_buckets[j].Hi + 1] - cumulative[_buckets[j].Lo];
            }

            var local = new long[plan.Wanted.Length];
            for (int i = 0; i < local.Length; i++)
            {
                long r = plan.Wanted[i];
                int bucket = BucketOfRank(histogram, r);
                int j = _buckets.FindIndex(w => w.Lo <= bucket && bucket <= w.Hi);
                if (j < 0)
                {
                    return null;
                }

                local[i] = r - offset[j];
            }

            // The candidates stay in the collectors' buffers (no copy): a histogram over all of them, then one collecting pass.
            long filled = collectors.Sum(c => (long)c.Candidates.Length);
            if (filled != before)
            {
                throw new InvalidOperationException($"{filled} candidates collected, {before} counted in the windows");
            }

            double[] selected = [];
            if (local.Length > 0)
            {
                var largest = collectors.MaxBy(c => c.Candidates.Length)!;
                var fine = new KeyHistogram(KeyBuckets.FromSample(largest.Candidates, KeyBuckets.CountFor(before)));
                foreach (var c in collectors)
                {
                    fine.Add(c.Candidates);
                }

                var selection = new RankSelection(fine, local);
                foreach (var c in collectors)
                {
                    selection.Collect(c.Candidates);
                }

                selected = selection.Resolve();
            }

            double? es = null;
            if (plan.EsRank is { } esRank)
            {
                double t = plan.ValueAt(selected, esRank);
                if (_es < 0 || t < _ranges[_es].Low || t > _ranges[_es].High)
                {
                    return null;
                }

                es = TailCollector.Shortfall(plan, t, collectors, _ranges[_es].Low, _ranges[_es].High);
            }

            return (selected, es);
        }
    }
}
