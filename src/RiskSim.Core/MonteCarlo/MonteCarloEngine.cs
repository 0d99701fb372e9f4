using System.Collections.Immutable;
using System.Diagnostics;
using System.Threading.Channels;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>Options of one Monte Carlo run.</summary>
/// <param name="Trials">Number of trials (≥ 1).</param>
/// <param name="Seed">Master seed.</param>
/// <param name="Sampling">Plain MC or Latin hypercube.</param>
/// <param name="Threads">Worker threads (≥ 1); results do not depend on it.</param>
public sealed record RunOptions(long Trials, ulong Seed, SamplingMethod Sampling, int Threads)
{
    /// <summary>Largest trial count kept in memory for exact percentiles (8 KPIs × 8 bytes per trial).</summary>
    public const long MaxInMemoryTrials = 200_000_000;

    /// <summary>Largest trial count of any run (the config schema's bound): above <see cref="MaxInMemoryTrials"/> runs take two passes.</summary>
    public const long MaxTrials = 2_000_000_000;

    /// <summary>
    /// Exact statistics by two passes over reproducible blocks (memory flat in the trials; only the first
    /// <see cref="MonteCarloEngine.KeptTrials"/> trials' KPIs are kept) even at or below <see cref="MaxInMemoryTrials"/>.
    /// Runs above it always take two passes.
    /// </summary>
    public bool TwoPass { get; init; }

    /// <summary>Whether this run takes the two-pass path.</summary>
    public bool UsesTwoPass => TwoPass || Trials > MaxInMemoryTrials;

    /// <summary>
    /// Keep every trial's KPIs in memory (8 bytes per KPI and trial), as <c>--keep-trials</c> and comparisons of
    /// several configs need.
    /// </summary>
    /// <remarks>
    /// Otherwise a run of more than <see cref="OnePassAbove"/> trials takes the one-pass path: statistics gathered
    /// block by block while each block is in cache, only the first <see cref="MonteCarloEngine.KeptTrials"/> trials'
    /// KPIs kept, memory nearly flat. Both give the same statistics.
    /// </remarks>
    public bool KeepAllTrials { get; init; }

    /// <summary>
    /// Default trial count above which a run takes the one-pass path (2²² trials: 256 MB of KPIs in memory). Below
    /// it, keeping every trial measured faster (the one-pass pilot and final selection cost tens of milliseconds
    /// that a short run does not amortize) and the memory is small.
    /// </summary>
    public const long DefaultOnePassAbove = 1L << 22;

    /// <summary>
    /// Trial count above which a run takes the one-pass path (default <see cref="DefaultOnePassAbove"/>; tests lower it to
    /// take that path with few trials; a run of at most <see cref="MonteCarloEngine.KeptTrials"/> trials keeps them all).
    /// </summary>
    public long OnePassAbove { get; init; } = DefaultOnePassAbove;

    /// <summary>Half-width of the one-pass path's prediction windows in pilot standard errors (tests lower it to force the second pass).</summary>
    internal double WindowSigmas { get; init; } = 7;

    /// <summary>Whether this run takes the one-pass path (see <see cref="KeepAllTrials"/>).</summary>
    public bool UsesOnePass => !UsesTwoPass && !KeepAllTrials && Trials > Math.Max(OnePassAbove, MonteCarloEngine.KeptTrials);
}

/// <summary>Progress of a run: trials finished so far.</summary>
public readonly record struct RunProgress(long Done, long Total, TimeSpan Elapsed)
{
    /// <summary>Trials per second so far.</summary>
    public double TrialsPerSecond => Elapsed.TotalSeconds > 0 ? Done / Elapsed.TotalSeconds : 0;

    /// <summary>Estimated time left, or null before the first trials.</summary>
    public TimeSpan? Eta => TrialsPerSecond > 0 ? TimeSpan.FromSeconds((Total - Done) / TrialsPerSecond) : null;
}

/// <summary>Result of a Monte Carlo run: per-trial KPIs (column per KPI) and their statistics.</summary>
public sealed class SimulationResult
{
    internal SimulationResult(SimulationSpec spec, RunOptions options, long trials, bool partial, double[][] kpis, ImmutableArray<KpiStatistics> stats, TimeSpan simulation, TimeSpan aggregation, BlockSampler sampler, long keptTrials = -1, string method = "exact, in memory")
    {
        PercentileMethod = method;
        KeptTrials = keptTrials < 0 ? trials : keptTrials;
        Spec = spec;
        Options = options;
        Trials = trials;
        Partial = partial;
        Kpis = kpis;
        Statistics = stats;
        SimulationTime = simulation;
        AggregationTime = aggregation;
        RepairDistance = sampler.RepairDistance;
        InducedCorrelation = sampler.TargetCorrelation;
        CorrelatedNames = sampler.CorrelatedNames;
    }

    /// <summary>The spec that ran.</summary>
    public SimulationSpec Spec { get; }
    /// <summary>The options it ran with.</summary>
    public RunOptions Options { get; }

    /// <summary>Trials completed (less than requested only when <see cref="Partial"/>).</summary>
    public long Trials { get; }

    /// <summary>True when the run was cancelled: statistics cover the first <see cref="Trials"/> trials only.</summary>
    public bool Partial { get; }

    /// <summary>
    /// Trials whose KPIs are in <see cref="Kpis"/>: all <see cref="Trials"/> in memory, the first
    /// <see cref="MonteCarloEngine.KeptTrials"/> (at most) of a one-pass or two-pass run.
    /// </summary>
    public long KeptTrials { get; }

    /// <summary>True when the statistics came from two passes and <see cref="Kpis"/> holds only the first <see cref="KeptTrials"/> trials.</summary>
    public bool TwoPass => Options.UsesTwoPass;

    /// <summary>
    /// How the percentiles were found, as stated in summary.json: "exact, in memory" (every trial kept),
    /// "exact, one pass" (candidates gathered in windows a pilot predicted), "exact, one pass + second pass"
    /// (a window missed, so the blocks were simulated again), or "exact, two passes".
    /// </summary>
    public string PercentileMethod { get; }

    /// <summary>Per-trial KPIs: Kpis[k][i] for KPI column k (<see cref="TrialKpis"/>) and trial i &lt; <see cref="KeptTrials"/>; NaN = does not exist.</summary>
    public double[][] Kpis { get; }

    /// <summary>Statistics of every KPI column, in <see cref="TrialKpis"/> order.</summary>
    public ImmutableArray<KpiStatistics> Statistics { get; }
    /// <summary>Time spent sampling and simulating.</summary>
    public TimeSpan SimulationTime { get; }
    /// <summary>Time spent on the statistics.</summary>
    public TimeSpan AggregationTime { get; }

    /// <summary>Frobenius distance moved by the nearest-PSD repair of the correlation matrix, or null.</summary>
    public double? RepairDistance { get; }

    /// <summary>The rank correlation matrix induced among <see cref="CorrelatedNames"/> (after any repair), or null.</summary>
    public double[,]? InducedCorrelation { get; }
    /// <summary>Config paths of the correlated inputs, in matrix order.</summary>
    public IReadOnlyList<string> CorrelatedNames { get; }

    /// <summary>
    /// One-pass runs: per KPI, the share of the trials inside the pilot's windows and the share whose values were kept to
    /// the end (the windows narrow as the run goes); null on the other paths.
    /// </summary>
    internal (double Pilot, double Final)[]? WindowShares { get; init; }

    /// <summary>Statistics of one KPI by key.</summary>
    public KpiStatistics this[string key] => Statistics.First(s => s.Kpi.Key == key);

    /// <summary>For a merged sharded run: its shards and what they cost (null for a run in one process).</summary>
    public ShardingInfo? Sharding { get; init; }

    /// <summary>A summary metric "kpi.stat" (as used by gates and summary.json).</summary>
    public double? Metric(string metric)
    {
        int dot = metric.IndexOf('.', StringComparison.Ordinal);
        return this[metric[..dot]].Get(metric[(dot + 1)..]);
    }
}

/// <summary>
/// The Monte Carlo pipeline over System.Threading.Channels: a producer writes block indices into a bounded channel;
/// workers on all cores take a block, sample it (<see cref="BlockSampler"/>) and simulate it (<see cref="SimdKernel"/>)
/// into the block's slice of the KPI columns, then post the finished block to a bounded aggregation channel that tracks
/// progress.
/// </summary>
/// <remarks>
/// Statistics are computed from the columns in fixed block order, so results are bit-identical for any thread count.
/// </remarks>
public static partial class MonteCarloEngine
{
    /// <summary>
    /// Lets go of the scratch arrays that runs keep for the next run in this process (their block buffers, workspaces
    /// and candidate lists, up to 256 MB): call it when no run follows soon, so that the garbage collector can reuse
    /// that memory (the CLI does, before it writes its reports). Runs after it allocate afresh.
    /// </summary>
    public static void ReleaseScratch() => ScratchArena.Clear();

    /// <summary>
    /// Starts building the quantile tables of the specs' inputs (<see cref="Distributions.Distribution.Prepare"/>) on
    /// one thread-pool thread and returns at once.
    /// </summary>
    /// <remarks>
    /// A caller that will run these specs soon (the CLI, right after loading its configs) lets the tables, a few
    /// hundred milliseconds of CPU for a dozen PERT inputs, overlap its own start-up (config checks, the JIT), which
    /// runs on one core; a run waits for a table still being built and builds those not started (the same tables either
    /// way: nothing in a result changes).
    /// </remarks>
    public static void PrepareInBackground(IEnumerable<SimulationSpec> specs)
    {
        var distributions = specs.SelectMany(s => s.UncertainInputs).Select(i => i.Distribution).ToList();
        _ = Task.Run(() =>
        {
            foreach (var d in distributions)
            {
                d.Prepare();
            }
        });
    }

    /// <summary>
    /// Runs the simulation. Cancellation stops after the blocks in flight; the result is then partial. Throws
    /// <see cref="OperationCanceledException"/> when cancelled before any trial finished (and always for a two-pass run).
    /// </summary>
    public static SimulationResult Run(SimulationSpec spec, RunOptions options, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Trials, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Trials, RunOptions.MaxTrials);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);
        if (options.UsesTwoPass)
        {
            return RunTwoPass(spec, options, progress, cancellation);
        }

        if (options.UsesOnePass)
        {
            return RunOnePass(spec, options, progress, cancellation);
        }

        using var run = new RunSetup(spec, options); // builds the quantile tables on all cores before the clock starts
        long trials = options.Trials;
        const int b = BlockSampler.BlockSize;
        long blocks = run.Blocks;
        var kpis = new double[run.Columns][];
        for (int k = 0; k < kpis.Length; k++)
        {
            kpis[k] = GC.AllocateUninitializedArray<double>(checked((int)trials));
        }

        var done = new bool[blocks];
        var sw = Stopwatch.StartNew();

        Pipeline(0, blocks, options.Threads, () => run.NewBuffers(withKpis: false), (buffers, blk) => // KPIs go straight into the run's columns
        {
            int n = run.BlockLength(blk);
            run.Simulate(buffers, blk, n, kpis, checked((int)(blk * b)));
            return n;
        }, done, 0, trials, progress, sw, cancellation);
        var simTime = sw.Elapsed;

        // A cancelled run keeps the longest prefix of finished blocks: a deterministic partial result.
        long prefixBlocks = 0;
        while (prefixBlocks < blocks && done[prefixBlocks])
        {
            prefixBlocks++;
        }

        long kept = Math.Min(trials, prefixBlocks * b);
        if (kept == 0)
        {
            // Cancelled before the first block finished: there is no statistic of zero trials to report.
            throw new OperationCanceledException("cancelled before any trial finished", cancellation);
        }

        bool partial = kept < trials;
        var stats = Aggregate(spec, kpis, kept, options.Threads);
        return new SimulationResult(spec, options, kept, partial, kpis, stats, simTime, sw.Elapsed - simTime, run.Sampler);
    }

    /// <summary>
    /// The System.Threading.Channels pipeline of a run: block indices <paramref name="first"/> … <paramref name="blocks"/> − 1
    /// go through a bounded channel; one long-running worker per thread takes blocks and runs <paramref name="body"/> on
    /// its own state (which returns the block's trial count); finished blocks go through a second bounded channel to a
    /// single reader that marks them in <paramref name="done"/> and reports progress at most every 250 ms. Cancellation
    /// stops the feeding of indices and lets the workers drain without work, so every block marked done was processed
    /// whole. Returns the workers' states.
    /// </summary>
    /// <remarks>
    /// No thread is woken per block. The index channel feeds itself: it starts full, and each worker that takes an index
    /// writes the next one (there is room: it has just taken one), where a producer task blocked on a full channel was
    /// resumed through the thread pool for every block (a bounded channel resumes blocked writers asynchronously). The
    /// reader of finished blocks runs its continuations on the writing worker's thread (synchronous continuations: it
    /// does a few additions). The thread pool's workers, woken twice per block, spun before they slept again: 0.3 s of
    /// CPU beside a 2.2 s one-thread run of 10 M trials, and 3 % of the wall clock on two cores.
    /// </remarks>
    internal static T[] Pipeline<T>(long first, long blocks, int threads, Func<T> init, Func<T, long, int> body, bool[] done, long completedBefore, long total, IProgress<RunProgress>? progress, Stopwatch sw, CancellationToken cancellation)
    {
        int capacity = threads * 2;
        var work = Channel.CreateBounded<long>(new BoundedChannelOptions(capacity) { AllowSynchronousContinuations = true });
        var finished = Channel.CreateBounded<(long Block, int Count)>(new BoundedChannelOptions(threads * 4) { SingleReader = true, AllowSynchronousContinuations = true });
        long next = first; // the next index to write
        long written = 0;
        long toWrite = blocks - first;

        // Writes the next index if there is one (every call has a free slot to write it into), and completes the channel
        // after the last one, or at once when cancelled (a write that loses that race was not needed).
        void Feed()
        {
            if (cancellation.IsCancellationRequested)
            {
                work.Writer.TryComplete();
                return;
            }

            long blk = Interlocked.Increment(ref next) - 1;
            if (blk >= blocks)
            {
                return;
            }

            if (!work.Writer.TryWrite(blk))
            {
                // Only a cancellation completes the channel early; anything else would lose a block.
                if (!cancellation.IsCancellationRequested)
                {
                    throw new InvalidOperationException($"block {blk} found no room in the work channel");
                }

                return;
            }

            if (Interlocked.Increment(ref written) == toWrite)
            {
                work.Writer.TryComplete();
            }
        }

        if (toWrite <= 0)
        {
            work.Writer.TryComplete();
        }

        for (int k = 0; k < capacity; k++)
        {
            Feed();
        }

        var workers = Enumerable.Range(0, threads).Select(_ => Task.Factory.StartNew(() =>
        {
            var state = init();
            var reader = work.Reader;
            while (reader.WaitToReadAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult())
            {
                while (reader.TryRead(out long blk))
                {
                    Feed();
                    if (cancellation.IsCancellationRequested)
                    {
                        continue; // drain without work
                    }

                    int n = body(state, blk);
                    finished.Writer.WriteAsync((blk, n), CancellationToken.None).AsTask().GetAwaiter().GetResult();
                }
            }

            return state;
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default)).ToArray();

        var aggregator = Task.Run(async () =>
        {
            long completed = completedBefore;
            var lastReport = TimeSpan.Zero;
            await foreach (var (blk, n) in finished.Reader.ReadAllAsync(CancellationToken.None).ConfigureAwait(false))
            {
                done[blk] = true;
                completed += n;
                if (progress is not null && (sw.Elapsed - lastReport).TotalMilliseconds >= 250)
                {
                    lastReport = sw.Elapsed;
                    progress.Report(new RunProgress(completed, total, sw.Elapsed));
                }
            }

            progress?.Report(new RunProgress(completed, total, sw.Elapsed));
        }, CancellationToken.None);

        Task.WaitAll(workers, CancellationToken.None);
        finished.Writer.Complete();
        aggregator.GetAwaiter().GetResult();
        return [.. workers.Select(t => t.Result)];
    }

    /// <summary>Statistics of every KPI column over the first <paramref name="trials"/> trials (KPIs in parallel).</summary>
    public static ImmutableArray<KpiStatistics> Aggregate(SimulationSpec spec, double[][] kpis, long trials, int threads)
    {
        var within = spec.Simulation.PaybackWithinMonths;
        var result = new KpiStatistics[kpis.Length];
        Parallel.For(0, kpis.Length, new ParallelOptions { MaxDegreeOfParallelism = threads }, k =>
        {
            var kpi = TrialKpis.All[k];
            bool payback = k is TrialKpis.Payback or TrialKpis.DiscountedPayback;
            result[k] = KpiStatistics.Compute(kpi, kpis[k].AsSpan(0, (int)trials), payback ? within : [], NullReason(spec, k));
        });
        return [.. result];
    }

    /// <summary>Why a KPI can be null in this spec.</summary>
    public static string NullReason(SimulationSpec spec, int kpi) => kpi switch
    {
        TrialKpis.Payback or TrialKpis.DiscountedPayback => spec.CostMode == CostMode.Rate ? "no up-front capex to pay back (cost mode \"rate\")" : $"not within the {spec.HorizonMonths}-month horizon",
        TrialKpis.NetRoi or TrialKpis.RevenueMultiple => spec.CostMode == CostMode.Rate ? "no up-front capex (cost mode \"rate\")" : "capex under 1 USD: no investment to measure against",
        TrialKpis.LevelizedCost => "no tokens sold (under one output token in present value)",
        TrialKpis.EnergyCostPerRevenueDollar => spec.HasPower ? "no revenue (under 1 USD over the horizon)" : "no power figure in the config",
        TrialKpis.Irr => spec.CostMode == CostMode.Rate ? "no up-front capex (cost mode \"rate\")" : "no sign change in the cash flows, or no root between −99.99 % and +100,000 % a month",
        _ => "no revenue (under 1 USD over the horizon)",
    };

    private static void PadTail(double[][] sampled, int n)
    {
        int w = SimdKernel.Width;
        int padded = (n + w - 1) / w * w;
        if (padded == n || n == 0)
        {
            return;
        }

        foreach (var col in sampled)
        {
            col.AsSpan(n, padded - n).Fill(col[n - 1]);
        }
    }
}
