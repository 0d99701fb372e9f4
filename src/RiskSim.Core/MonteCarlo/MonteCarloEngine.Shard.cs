using System.Diagnostics;
using System.Runtime.Intrinsics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>The shards of a merged run and what they cost, as their partial results recorded it.</summary>
/// <param name="Shards">Shard count.</param>
/// <param name="MaxWallSeconds">Longest wall time of a shard (the run's wall time when all shards ran at once).</param>
/// <param name="TotalWallSeconds">Sum of the shards' wall times.</param>
/// <param name="TotalCpuSeconds">Sum of the shard processes' CPU times (runtime start and JIT included).</param>
/// <param name="Hosts">The distinct hosts the shards ran on.</param>
public sealed record ShardingInfo(int Shards, double MaxWallSeconds, double TotalWallSeconds, double TotalCpuSeconds, System.Collections.Immutable.ImmutableArray<string> Hosts);

/// <summary>Who writes a partial result, for its header.</summary>
/// <param name="RiskSimVersion">The writing RiskSim's version (a merge refuses partials of another version).</param>
/// <param name="ConfigFile">The config file as given (shown in the merged reports).</param>
/// <param name="Origin">Where the shard index came from (e.g. "slurm array job 812, task 3").</param>
public sealed record ShardWriter(string RiskSimVersion, string ConfigFile, string Origin = "");

/// <summary>
/// Sharded runs: <see cref="RunShard"/> simulates the blocks of one shard and writes a partial result;
/// <see cref="MergeShards"/> turns the partial results of all shards into the statistics of the whole run, bit for bit
/// those of <see cref="Run"/> with the same spec, seed and trials.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>Shard i of N takes the contiguous blocks [⌊i·B/N⌋, ⌊(i + 1)·B/N⌋) of the run's B blocks (<see cref="ShardSet.Blocks"/>).
/// A block is sampled from its own streams and its moments are summed on their own, so a shard's blocks are those of a
/// single process.</item>
/// <item>Runs a single process keeps in memory (at most <see cref="RunOptions.DefaultOnePassAbove"/> trials): each shard
/// writes every trial's KPIs of its blocks (64 bytes a trial), and the merge computes the statistics from all of them as
/// <see cref="Run"/> does.</item>
/// <item>Larger runs: every shard simulates the one-pass pilot itself (the first 262,144 trials: deterministic, so the
/// windows are the same in every shard) and counts its blocks as a one-pass worker does: histogram, counts, extremes,
/// moment sums per block, the exact sum beyond the shortfall window and the values inside the windows. The merge adds the
/// histograms, adds the moment sums in block order, selects the wanted ranks among the window values of all shards, and
/// finishes the shortfall's exact sum. Should a wanted rank fall outside the windows, the merge simulates every block
/// again (the one-pass path's second pass), so the result stays exact. Runs above 200 M trials, which a single process
/// takes in two passes, take one pass here too: the statistics are the same bits.</item>
/// </list>
/// </remarks>
public static partial class MonteCarloEngine
{
    /// <summary>Whether the shards of a run take the one-pass mode (else every trial's KPIs are written).</summary>
    public static bool ShardsTakeOnePass(RunOptions options) => options.Trials > Math.Max(options.OnePassAbove, KeptTrials);

    /// <summary>
    /// Simulates the blocks of shard <paramref name="shard"/> of <paramref name="shards"/> and writes its partial result to
    /// <paramref name="destination"/> (<see cref="ShardFormat"/>). Cancellation throws <see cref="OperationCanceledException"/>
    /// before anything is written. Returns the header written.
    /// </summary>
    public static ShardHeader RunShard(SimulationSpec spec, RunOptions options, int shard, int shards, ShardWriter writer, Stream destination, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Trials, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Trials, RunOptions.MaxTrials);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Threads, 1);
        if (options.KeepAllTrials || options.TwoPass)
        {
            throw new ArgumentException("a shard neither keeps every trial nor takes two passes", nameof(options));
        }

        var clock = Stopwatch.StartNew();
        using var run = new RunSetup(spec, options);
        var (first, end) = ShardSet.Blocks(shard, shards, run.Blocks);
        bool onePass = ShardsTakeOnePass(options);
        var header = new ShardHeader
        {
            RiskSimVersion = writer.RiskSimVersion,
            Name = spec.Name,
            ConfigFile = writer.ConfigFile,
            ConfigSha256 = spec.ConfigHash,
            CanonicalConfig = spec.CanonicalJson,
            Irr = spec.Simulation.Irr,
            Seed = options.Seed,
            Trials = options.Trials,
            Sampling = options.Sampling == SamplingMethod.MonteCarlo ? "mc" : "lhs",
            Shard = shard,
            Shards = shards,
            FirstBlock = first,
            EndBlock = end,
            Mode = onePass ? ShardHeader.OnePassMode : ShardHeader.InMemoryMode,
            KpiColumns = run.Columns,
            Numerics = ShardHeader.CurrentNumerics,
            OnePassAbove = options.OnePassAbove,
            WindowSigmas = options.WindowSigmas,
            Origin = writer.Origin,
            Host = Environment.MachineName,
            Threads = options.Threads,
        };

        return onePass
            ? RunShardOnePass(spec, options, run, header, destination, clock, progress, cancellation)
            : RunShardInMemory(options, run, header, destination, clock, progress, cancellation);
    }

    private static ShardHeader Finished(ShardHeader header, Stopwatch clock, TimeSpan simulation)
    {
        using var process = Process.GetCurrentProcess();
        return header with
        {
            Created = DateTimeOffset.UtcNow,
            WallSeconds = clock.Elapsed.TotalSeconds,
            CpuSeconds = process.TotalProcessorTime.TotalSeconds,
            SimulationSeconds = simulation.TotalSeconds,
        };
    }

    private static void RequireDone(bool[] done, long first, long end, CancellationToken cancellation)
    {
        cancellation.ThrowIfCancellationRequested();
        for (long blk = first; blk < end; blk++)
        {
            if (!done[blk])
            {
                throw new InvalidOperationException($"block {blk} was not simulated");
            }
        }
    }

    private static ShardHeader RunShardInMemory(RunOptions options, RunSetup run, ShardHeader header, Stream destination, Stopwatch clock, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        const int b = BlockSampler.BlockSize;
        long first = header.FirstBlock, end = header.EndBlock;
        int n = checked((int)header.ShardTrials);
        var kpis = new double[run.Columns][];
        for (int k = 0; k < kpis.Length; k++)
        {
            kpis[k] = GC.AllocateUninitializedArray<double>(n);
        }

        var done = new bool[run.Blocks];
        var sw = Stopwatch.StartNew();
        Pipeline(first, end, options.Threads, () => run.NewBuffers(withKpis: false), (buffers, blk) =>
        {
            int length = run.BlockLength(blk);
            run.Simulate(buffers, blk, length, kpis, checked((int)((blk - first) * b)));
            return length;
        }, done, 0, n, progress, sw, cancellation);
        RequireDone(done, first, end, cancellation);
        var finished = Finished(header, clock, sw.Elapsed);
        ShardFormat.Write(destination, finished, w =>
        {
            w.Write(0);
            w.Write(kpis.Length);
            foreach (var column in kpis)
            {
                ShardFormat.WriteDoubles(w, column);
            }
        });
        return finished;
    }

    private static ShardHeader RunShardOnePass(SimulationSpec spec, RunOptions options, RunSetup run, ShardHeader header, Stream destination, Stopwatch clock, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        const int b = BlockSampler.BlockSize;
        long first = header.FirstBlock, end = header.EndBlock;
        long shardTrials = header.ShardTrials;
        int cols = run.Columns;
        var sw = Stopwatch.StartNew();

        // Every shard simulates the pilot itself: the same windows everywhere, planned before any block is counted.
        var pilot = SimulatePilot(spec, run, options);
        var (setup, windows) = (pilot.Setup, pilot.Windows);
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = options.Threads };
        TailCollector[] NewCollectors(long share) => [.. windows.Select((x, k) => x.NewCollector((int)Math.Min(int.MaxValue / 2, (long)(x.Coverage * share * 1.25) + 1024), setup.Buckets[k], run.Scratch))];
        var sums = new double[cols][];
        var squares = new double[cols][];
        for (int k = 0; k < cols; k++)
        {
            sums[k] = new double[run.Blocks];
            squares[k] = new double[run.Blocks];
        }

        // The shard's blocks among the pilot's are counted from the pilot's columns, the rest by the pipeline.
        var done = new bool[run.Blocks];
        long pilotEnd = Math.Min(end, pilot.Blocks);
        long pilotCounted = Math.Max(0, pilotEnd - first);
        var pilotWorker = new Pass1Worker(null, setup, NewCollectors(pilotCounted * b));
        Parallel.For(0, cols, parallel, k =>
        {
            for (long blk = first; blk < pilotEnd; blk++)
            {
                pilotWorker.Accumulate(k, blk, pilot.Block(k, (int)blk), setup, sums, squares);
            }

            pilot.Rest[k] = [];
        });
        for (long blk = first; blk < pilotEnd; blk++)
        {
            done[blk] = true;
        }

        int threads = options.Threads;
        var workers = Pipeline(Math.Max(first, pilot.Blocks), end, threads, () => new Pass1Worker(run.NewBuffers(), setup, NewCollectors(shardTrials / threads)), (w, blk) =>
        {
            var buffers = w.Buffers!;
            int n = run.BlockLength(blk);
            run.Simulate(buffers, blk, n, buffers.Kpis, 0);
            for (int k = 0; k < cols; k++)
            {
                w.Accumulate(k, blk, buffers.Kpis[k].AsSpan(0, n), setup, sums, squares);
            }

            return n;
        }, done, pilotCounted * b, shardTrials, progress, sw, cancellation);
        RequireDone(done, first, end, cancellation);
        var simulation = sw.Elapsed;
        var all = workers.Prepend(pilotWorker).ToArray();

        var parts = new ShardKpiPart[cols];
        for (int k = 0; k < cols; k++)
        {
            var histogram = new KeyHistogram(setup.Buckets[k]);
            long count = 0, negative = 0;
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            var within = new long[setup.Thresholds[k].Length];
            var beyond = new ExactSum();
            long candidates = 0;
            foreach (var w in all)
            {
                histogram.Add(w.Histograms[k]);
                count += w.Count[k];
                negative += w.Negative[k];
                min = Math.Min(min, w.Min[k]);
                max = Math.Max(max, w.Max[k]);
                for (int t = 0; t < within.Length; t++)
                {
                    within[t] += w.Within[k][t];
                }

                beyond.Add(w.Collectors![k].Beyond);
                candidates += w.Collectors[k].Candidates.Length;
            }

            var buckets = setup.Buckets[k];
            parts[k] = new ShardKpiPart
            {
                Center = setup.Centers[k],
                BucketsLow = buckets.Low,
                BucketsHigh = buckets.High,
                BucketsCount = buckets.Count,
                Windows = [.. windows[k].BucketRanges],
                EsIndex = windows[k].EsIndex,
                Count = count,
                Negative = negative,
                Min = min,
                Max = max,
                Within = within,
                Histogram = histogram.Counts.ToArray(),
                Sums = sums[k].AsSpan((int)first, (int)(end - first)).ToArray(),
                Squares = squares[k].AsSpan((int)first, (int)(end - first)).ToArray(),
                Beyond = beyond,
                Candidates = candidates,
            };
        }

        var finished = Finished(header, clock, simulation);
        ShardFormat.Write(destination, finished, w =>
        {
            w.Write(1);
            w.Write(cols);
            foreach (var part in parts)
            {
                part.WriteTo(w);
            }

            // Shard 0 carries the kept trials (charts, global sensitivity); the merge rebuilds the KPIs' setup from its first block.
            bool keep = header.Shard == 0;
            w.Write(keep ? KeptTrials : 0);
            if (keep)
            {
                foreach (var column in pilot.Kept)
                {
                    ShardFormat.WriteDoubles(w, column);
                }
            }

            for (int k = 0; k < cols; k++)
            {
                foreach (var worker in all)
                {
                    ShardFormat.WriteDoubles(w, worker.Collectors![k].Candidates);
                }
            }
        });
        return finished;
    }

    /// <summary>
    /// The statistics of a sharded run from the partial results of all its shards (validated by
    /// <see cref="ShardSet.Validate"/>, in shard order), bit for bit those of <see cref="Run"/> with the same spec and options.
    /// </summary>
    /// <remarks>
    /// Throws <see cref="ShardException"/> when the partials disagree on what every shard computes alike (the pilot's setup
    /// and windows) or their contents do not add up.
    /// </remarks>
    public static SimulationResult MergeShards(IReadOnlyList<ShardPartial> parts, SimulationSpec spec, RunOptions options, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        ArgumentOutOfRangeException.ThrowIfZero(parts.Count);
        var h0 = parts[0].Header;
        if (h0.Shard != 0 || parts.Select((p, i) => p.Header.Shard != i).Any(x => x))
        {
            throw new ArgumentException("partials must be validated and in shard order", nameof(parts));
        }

        var simulation = TimeSpan.FromSeconds(parts.Sum(p => p.Header.SimulationSeconds));
        var sharding = new ShardingInfo(parts.Count, parts.Max(p => p.Header.WallSeconds), parts.Sum(p => p.Header.WallSeconds), parts.Sum(p => p.Header.CpuSeconds), [.. parts.Select(p => p.Header.Host).Distinct()]);
        var sw = Stopwatch.StartNew();
        var sampler = new BlockSampler(spec, options.Seed, options.Sampling);
        int cols = spec.Simulation.KpiColumns;
        long trials = options.Trials;
        if (h0.Mode == ShardHeader.InMemoryMode)
        {
            var kpis = new double[cols][];
            for (int k = 0; k < cols; k++)
            {
                kpis[k] = GC.AllocateUninitializedArray<double>(checked((int)trials));
            }

            var jobs = parts.SelectMany(p => Enumerable.Range(0, cols).Select(k => (Part: p, K: k))).ToArray();
            Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, j =>
            {
                long start = j.Part.Header.FirstBlock * BlockSampler.BlockSize;
                j.Part.ReadValues(j.K, kpis[j.K].AsSpan((int)start, (int)j.Part.Header.ShardTrials));
            });
            var stats = Aggregate(spec, kpis, trials, options.Threads);
            return new SimulationResult(spec, options, trials, false, kpis, stats, simulation, sw.Elapsed, sampler) { Sharding = sharding };
        }

        return MergeOnePass(parts, spec, options, sampler, simulation, sharding, sw, progress, cancellation);
    }

    private static SimulationResult MergeOnePass(IReadOnlyList<ShardPartial> parts, SimulationSpec spec, RunOptions options, BlockSampler sampler, TimeSpan simulation, ShardingInfo sharding, Stopwatch sw, IProgress<RunProgress>? progress, CancellationToken cancellation)
    {
        const int b = BlockSampler.BlockSize;
        int cols = spec.Simulation.KpiColumns;
        long trials = options.Trials;
        long blocks = ShardSet.BlocksOf(trials);
        var kept = parts[0].Kept;
        if (kept.Length != cols)
        {
            throw new ShardException($"{parts[0].Source}: shard 0 holds no kept trials");
        }

        // What every shard fixed from the pilot: the merge rebuilds it from shard 0's first block and checks each shard's.
        var setup = new KpiSetup(spec, trials, k => kept[k].AsSpan(0, b));
        var reference = parts[0].Kpis;
        foreach (var p in parts)
        {
            if (p.Kpis.Length != cols)
            {
                throw new ShardException($"{p.Source}: {p.Kpis.Length} KPI columns, the run has {cols}");
            }

            for (int k = 0; k < cols; k++)
            {
                var x = p.Kpis[k];
                var buckets = setup.Buckets[k];
                bool same = Bits(x.Center) == Bits(setup.Centers[k]) && Bits(x.BucketsLow) == Bits(buckets.Low) && Bits(x.BucketsHigh) == Bits(buckets.High)
                    && x.BucketsCount == buckets.Count && x.EsIndex == reference[k].EsIndex && x.Windows.AsSpan().SequenceEqual(reference[k].Windows)
                    && x.Within.Length == setup.Thresholds[k].Length;
                if (!same)
                {
                    throw new ShardException($"{p.Source}: shard {p.Header.Shard}'s pilot set up {TrialKpis.All[k].Key} differently from shard 0's (its shift, histogram buckets or windows differ): not shards of the same run and build");
                }

                // A shard's window values are exactly the values its histogram counted in the windows' buckets.
                long inside = 0;
                foreach (var (lo, hi) in x.Windows)
                {
                    for (int bk = lo; bk <= hi; bk++)
                    {
                        inside += x.Histogram[bk];
                    }
                }

                if (inside != x.Candidates)
                {
                    throw new ShardException($"{p.Source}: {x.Candidates} window values of {TrialKpis.All[k].Key}, but its histogram counts {inside} in the windows");
                }
            }
        }

        // Counts, extremes and histograms add up; the moment sums are added in block order, as a single process adds them.
        var histograms = new KeyHistogram[cols];
        var passes = new KpiStatistics.Pass[cols];
        var plans = new KpiStatistics.RankPlan[cols];
        for (int k = 0; k < cols; k++)
        {
            var histogram = new KeyHistogram(setup.Buckets[k]);
            var raw = histogram.RawCounts;
            long count = 0, negative = 0;
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            var within = new long[setup.Thresholds[k].Length];
            double total = 0, totalSq = 0;
            foreach (var p in parts)
            {
                var x = p.Kpis[k];
                for (int bk = 0; bk < x.Histogram.Length; bk++)
                {
                    raw[bk] += x.Histogram[bk];
                }

                count += x.Count;
                negative += x.Negative;
                min = Math.Min(min, x.Min);
                max = Math.Max(max, x.Max);
                for (int t = 0; t < within.Length; t++)
                {
                    within[t] += x.Within[t];
                }

                for (int i = 0; i < x.Sums.Length; i++) // the shards' blocks are contiguous and in order: block order overall
                {
                    total += x.Sums[i];
                    totalSq += x.Squares[i];
                }
            }

            histograms[k] = histogram;
            passes[k] = new KpiStatistics.Pass(count, setup.Centers[k], total, totalSq, min, max, negative, within);
            plans[k] = KpiStatistics.RankPlan.For(TrialKpis.All[k], trials, count);
        }

        var selected = new (double[] Selected, double? Es)?[cols];
        Parallel.For(0, cols, new ParallelOptions { MaxDegreeOfParallelism = options.Threads }, k =>
            selected[k] = SelectMerged(parts, k, setup.Buckets[k], histograms[k], passes[k], plans[k]));

        string method = "exact, one pass";
        (double[] Selected, double? Es)[] final;
        if (selected.Any(s => s is null))
        {
            // A wanted rank fell outside the pilot's windows: simulate every block again and collect its bucket exactly.
            method = "exact, one pass + second pass";
            using var run = new RunSetup(spec, options);
            var tracker = new ProgressTracker(progress, trials, sw);
            final = SecondPass(run, AllBlocks(blocks), histograms, plans, options.Threads, tracker, cancellation);
            tracker.Finish();
        }
        else
        {
            final = [.. selected.Select(s => s!.Value)];
        }

        var stats = new KpiStatistics[cols];
        for (int k = 0; k < cols; k++)
        {
            stats[k] = KpiStatistics.Build(TrialKpis.All[k], trials, passes[k], plans[k], final[k].Selected, final[k].Es, setup.WithinMonths[k], NullReason(spec, k));
        }

        return new SimulationResult(spec, options, trials, false, kept, [.. stats], simulation, sw.Elapsed, sampler, KeptTrials, method) { Sharding = sharding };
    }

    private static long Bits(double x) => BitConverter.DoubleToInt64Bits(x);

    /// <summary>
    /// The wanted ranks of KPI <paramref name="k"/> and its shortfall from the shards' window values (streamed from their
    /// files), or null when a wanted rank or the shortfall threshold lies outside the windows.
    /// </summary>
    /// <remarks>
    /// Every value of a bucket inside a window is among the window values of exactly one shard, so the wanted buckets'
    /// values, collected whole from
    /// them, hold each wanted rank at a known place, as in the single process's selection among its workers' candidates.
    /// The wanted buckets can hold many values (a KPI whose values crowd a few of the 4,096 buckets: 75 M of the gross
    /// margin's in a 1,000,000,000-trial run), so they are counted first in a finer histogram of their own (2¹⁴ buckets
    /// over their exact value range) and only the fine buckets of the wanted ranks are collected: three reads of the
    /// window values (count, collect, shortfall), memory a few megabytes.
    /// </remarks>
    private static (double[] Selected, double? Es)? SelectMerged(IReadOnlyList<ShardPartial> parts, int k, KeyBuckets buckets, KeyHistogram histogram, KpiStatistics.Pass pass, KpiStatistics.RankPlan plan)
    {
        var windows = parts[0].Kpis[k].Windows;
        int esIndex = parts[0].Kpis[k].EsIndex;
        var wantedBuckets = new int[plan.Wanted.Length];
        for (int i = 0; i < wantedBuckets.Length; i++)
        {
            int bucket = wantedBuckets[i] = BucketOfRank(histogram, plan.Wanted[i]);
            if (!windows.Any(w => w.Lo <= bucket && bucket <= w.Hi))
            {
                return null;
            }
        }

        var buffer = new double[1 << 16];
        var selected = new double[plan.Wanted.Length];
        if (selected.Length > 0)
        {
            var counts = histogram.Counts;
            var cumulative = new long[counts.Length + 1];
            for (int b = 0; b < counts.Length; b++)
            {
                cumulative[b + 1] = cumulative[b] + counts[b];
            }

            // Groups of wanted buckets with no value between them, each a closed value interval (within the data's extremes).
            var groups = new List<(int First, int Last)>();
            foreach (int b in wantedBuckets.Distinct().Order())
            {
                if (groups.Count > 0 && cumulative[b] == cumulative[groups[^1].Last + 1])
                {
                    groups[^1] = (groups[^1].First, b);
                }
                else
                {
                    groups.Add((b, b));
                }
            }

            int g = groups.Count;
            var lo = new double[g];
            var hi = new double[g];
            var fine = new KeyHistogram[g];
            for (int j = 0; j < g; j++)
            {
                var (low, high) = buckets.ValueRange(groups[j].First, groups[j].Last);
                lo[j] = Math.Max(low, pass.Min);
                hi[j] = Math.Min(high, pass.Max);
                fine[j] = new KeyHistogram(KeyBuckets.ForRange(lo[j], hi[j], KeyBuckets.DefaultCount));
            }

            var split = new double[g][];
            for (int j = 0; j < g; j++)
            {
                split[j] = new double[buffer.Length];
            }

            var filled = new int[g];
            void ForEachGroup(Action<int, ReadOnlySpan<double>> take)
            {
                foreach (var p in parts)
                {
                    p.ForEachCandidateChunk(k, buffer, chunk =>
                    {
                        Split(chunk, lo, hi, split, filled);
                        for (int j = 0; j < g; j++)
                        {
                            take(j, split[j].AsSpan(0, filled[j]));
                        }
                    });
                }
            }

            // Read 1: the fine counts; they must add up to the merged histogram's counts of the groups' buckets.
            ForEachGroup((j, values) => fine[j].Add(values));
            var selections = new RankSelection[g];
            var groupOfRank = new int[selected.Length];
            for (int j = 0; j < g; j++)
            {
                long expected = cumulative[groups[j].Last + 1] - cumulative[groups[j].First];
                if (fine[j].Total != expected)
                {
                    throw new ShardException($"the shards' window values of {TrialKpis.All[k].Key} do not add up to their histograms ({fine[j].Total} values in buckets {groups[j].First} … {groups[j].Last}, {expected} counted)");
                }

                var local = new List<long>();
                for (int i = 0; i < selected.Length; i++)
                {
                    if (groups[j].First <= wantedBuckets[i] && wantedBuckets[i] <= groups[j].Last)
                    {
                        groupOfRank[i] = j;
                        local.Add(plan.Wanted[i] - cumulative[groups[j].First]);
                    }
                }

                selections[j] = new RankSelection(fine[j], [.. local]);
            }

            // Read 2: the values of the fine buckets that hold the wanted ranks, then each rank exactly.
            ForEachGroup((j, values) => selections[j].Collect(values));
            var next = new int[g];
            var resolved = new double[g][];
            for (int j = 0; j < g; j++)
            {
                try
                {
                    resolved[j] = selections[j].Resolve();
                }
                catch (InvalidOperationException ex)
                {
                    throw new ShardException($"the shards' window values of {TrialKpis.All[k].Key} changed while they were read ({ex.Message})", ex);
                }
            }

            for (int i = 0; i < selected.Length; i++)
            {
                selected[i] = resolved[groupOfRank[i]][next[groupOfRank[i]]++];
            }
        }

        double? es = null;
        if (plan.EsRank is { } esRank)
        {
            double t = plan.ValueAt(selected, esRank);
            if (esIndex < 0)
            {
                return null;
            }

            var (low, high) = buckets.ValueRange(windows[esIndex].Lo, windows[esIndex].Hi);
            if (t < low || t > high)
            {
                return null;
            }

            // Read 3: Σ beyond t = Σ beyond the window's worse edge (exact, per shard) + the window values between that edge and t.
            var sum = new ExactSum();
            bool below = plan.HigherBetter;
            foreach (var p in parts)
            {
                sum.Add(p.Kpis[k].Beyond);
                p.ForEachCandidateChunk(k, buffer, chunk =>
                {
                    foreach (double v in chunk)
                    {
                        if (below ? v >= low && v < t : v > t && v <= high)
                        {
                            sum.Add(v);
                        }
                    }
                });
            }

            es = KpiStatistics.ExpectedShortfall(plan, t, sum.Value, sum.Count);
        }

        return (selected, es);
    }

    /// <summary>Copies the values of <paramref name="values"/> inside each closed interval [lo[j], hi[j]] to split[j], in order; filled[j] = how many.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Split(ReadOnlySpan<double> values, double[] lo, double[] hi, double[][] split, int[] filled)
    {
        for (int j = 0; j < lo.Length; j++)
        {
            double a = lo[j], b = hi[j];
            var dst = split[j];
            int n = 0, i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                var va = Vector256.Create(a);
                var vb = Vector256.Create(b);
                ref double v0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
                for (; i + 4 <= values.Length; i += 4)
                {
                    var v = Vector256.LoadUnsafe(ref v0, (nuint)i);
                    uint mask = (Vector256.GreaterThanOrEqual(v, va) & Vector256.LessThanOrEqual(v, vb)).ExtractMostSignificantBits();
                    while (mask != 0)
                    {
                        dst[n++] = values[i + System.Numerics.BitOperations.TrailingZeroCount(mask)];
                        mask &= mask - 1;
                    }
                }
            }

            for (; i < values.Length; i++)
            {
                double v = values[i];
                if (v >= a && v <= b)
                {
                    dst[n++] = v;
                }
            }

            filled[j] = n;
        }
    }
}
