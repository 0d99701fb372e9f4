using System.CommandLine;
using System.Diagnostics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;

namespace RiskSim.Cli;

public static partial class Cli
{
    private static Command RunCommand(TextWriter output, TextWriter errors, IChartRenderer? charts)
    {
        var configs = new Argument<string[]>("configs") { Description = "One or more config files. Several configs share common random numbers (same seed, same input names → same draws).", Arity = ArgumentArity.OneOrMore };
        var trials = new Option<long?>("--trials") { Description = "Number of trials (default: the config's simulation.trials)." };
        var seed = new Option<ulong?>("--seed") { Description = "Master seed (default: the config's simulation.seed)." };
        var sampling = new Option<string?>("--sampling") { Description = "mc or lhs (default: the config's simulation.sampling)." };
        sampling.AcceptOnlyFromAmong("mc", "lhs");
        var threads = new Option<int?>("--threads") { Description = "Worker threads (default: all cores). Results are bit-identical for any value." };
        var outDir = new Option<string>("--out") { Description = "Results folder; each config writes OUT/<config name>/.", DefaultValueFactory = _ => "results" };
        var keep = new Option<string?>("--keep-trials") { Description = "Also write per-trial KPIs: csv (trials.csv) or bin (trials.f64, float64 little-endian, 8 columns), or parquet (trials.parquet: trial, block, every sampled input and KPI by name; written in row groups, any trial count)." };
        keep.AcceptOnlyFromAmong("csv", "bin", "parquet");
        var export = ExportOption();
        var untilStable = new Option<double?>("--until-stable") { Description = "Keep doubling trials until the 95 % intervals of P10/P50/P90 of NPV are narrower than this fraction of (P90 − P10), e.g. 0.01." };
        var maxTrials = new Option<long>("--max-trials") { Description = "Upper bound for --until-stable.", DefaultValueFactory = _ => 100_000_000 };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display." };
        var twoPass = new Option<bool>("--two-pass") { Description = $"Exact percentiles by simulating every block twice (memory flat, twice the simulation time; automatic above {RunOptions.MaxInMemoryTrials:N0} trials). Without it, runs above {RunOptions.DefaultOnePassAbove:N0} trials take one pass with exact percentiles (under a byte per trial kept: the windows narrow as the run goes), smaller ones keep every trial. Not with --keep-trials or several configs." };
        var irr = new Option<bool>("--irr") { Description = "Also compute each trial's IRR (irr_annual); same as simulation.irr = true." };
        var set = SetOption();
        var shard = ShardOption();
        var report = ReportOption();
        var cmd = new Command("run", "Monte Carlo run: P10/P50/P90 and more of NPV, ROI, payback … into OUT/<name>/summary.json and percentiles.csv. Exit 3 when a risk gate fails.")
        {
            configs, trials, seed, sampling, threads, outDir, keep, export, untilStable, maxTrials, quiet, irr, twoPass, set, shard, report,
        };
        cmd.SetAction(r =>
        {
            if (r.GetValue(shard) is { } shardText)
            {
                if (r.GetValue(export) is { Length: > 0 })
                {
                    throw new UsageException("--export is not available with --shard: a shard writes only its partial result, and 'risksim merge' writes no exports yet");
                }

                return RunShardCommand(r, shardText, new RunArguments(configs, trials, seed, sampling, threads, outDir, keep, untilStable, quiet, irr, twoPass, set), output, errors);
            }

            var files = r.GetValue(configs)!;
            var overrides = r.GetValue(set) ?? [];
            bool withIrr = r.GetValue(irr);
            var specs = files.Select(f => (File: f, Spec: LoadSpec(f, overrides))).Select(x => withIrr ? x with { Spec = x.Spec with { Simulation = x.Spec.Simulation with { Irr = true } } } : x).ToList();
            MonteCarloEngine.PrepareInBackground(specs.Select(x => x.Spec)); // the quantile tables on the idle core while this one starts up
            int threadCount = r.GetValue(threads) ?? Environment.ProcessorCount;
            if (threadCount < 1 || threadCount > 1024)
            {
                throw new UsageException($"--threads must be between 1 and 1024 (got {threadCount})");
            }

            double? target = r.GetValue(untilStable);
            long max = r.GetValue(maxTrials);
            if (target is { } tg && !(tg > 0 && tg < 1))
            {
                throw new UsageException($"--until-stable must be a fraction in (0, 1), e.g. 0.01 (got {tg})");
            }

            if (max < 1 || max > RunOptions.MaxInMemoryTrials)
            {
                throw new UsageException($"--max-trials must be between 1 and {RunOptions.MaxInMemoryTrials:N0} (got {max:N0})");
            }

            var exports = Exports(r.GetValue(export), r.GetValue(keep));
            bool keepInMemory = r.GetValue(keep) is "csv" or "bin"; // parquet replays the blocks instead
            bool showProgress = !r.GetValue(quiet) && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;

            // Every option of every config is checked before anything is simulated or written.
            var plans = new List<(string File, SimulationSpec Spec, RunOptions Options)>();
            foreach (var (file, spec) in specs)
            {
                long n = r.GetValue(trials) ?? spec.Simulation.Trials;
                if (n < 1)
                {
                    throw new UsageException($"--trials must be at least 1 (got {n})");
                }

                if (n > RunOptions.MaxTrials)
                {
                    throw new UsageException($"--trials must be at most {RunOptions.MaxTrials:N0} (got {n:N0}). Use fewer trials, or --until-stable to stop when the percentiles are precise enough.");
                }

                bool twoPasses = r.GetValue(twoPass) || n > RunOptions.MaxInMemoryTrials;
                if (twoPasses && keepInMemory && r.GetValue(keep) is { } k)
                {
                    throw new UsageException($"--keep-trials {k} needs every trial's KPIs in memory; a two-pass run ({(n > RunOptions.MaxInMemoryTrials ? $"--trials above {RunOptions.MaxInMemoryTrials:N0}" : "--two-pass")}) keeps only the first {MonteCarloEngine.KeptTrials:N0}. Drop --keep-trials or use at most {RunOptions.MaxInMemoryTrials:N0} trials without --two-pass.");
                }

                if (twoPasses && specs.Count > 1)
                {
                    throw new UsageException($"comparing several configs needs every trial's KPIs in memory; a two-pass run ({(n > RunOptions.MaxInMemoryTrials ? $"--trials above {RunOptions.MaxInMemoryTrials:N0}" : "--two-pass")}) keeps only the first {MonteCarloEngine.KeptTrials:N0}. Run the configs one at a time, or use at most {RunOptions.MaxInMemoryTrials:N0} trials without --two-pass.");
                }

                plans.Add((file, spec, new RunOptions(n, r.GetValue(seed) ?? spec.Simulation.Seed, r.GetValue(sampling) switch
                {
                    "mc" => SamplingMethod.MonteCarlo,
                    "lhs" => SamplingMethod.LatinHypercube,
                    _ => spec.Simulation.Sampling,
                }, threadCount)
                {
                    TwoPass = twoPasses,
                    KeepAllTrials = keepInMemory || specs.Count > 1, // per-trial output and comparisons need every trial
                    OnePassAbove = TestHooks.OnePassAbove(),
                }));
            }

            // The output location is created, cleaned of what dead runs left and probed before the simulation: an
            // unwritable --out is bad input found up front, not an I/O error after minutes of simulating.
            ResultStore store;
            try
            {
                store = ResultStore.Open(r.GetValue(outDir)!, errors.WriteLine);
            }
            catch (ResultLocationException ex)
            {
                throw new UsageException($"--out {ex.Message}", ex);
            }

            using var signals = new RunSignals();
            int exit = ExitCodes.Ok;
            var written = new List<(SimulationResult Result, string Folder)>();
            var claimed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var (file, spec, options) in plans)
            {
                if (options.TwoPass)
                {
                    output.WriteLine(options.Trials > RunOptions.MaxInMemoryTrials
                        ? $"{options.Trials:N0} trials exceed the {RunOptions.MaxInMemoryTrials:N0} kept in memory: exact percentiles by two passes (each block simulated twice, memory flat; per-trial KPIs kept for the first {MonteCarloEngine.KeptTrials:N0} trials only)."
                        : $"--two-pass: exact percentiles by two passes (each block simulated twice, memory flat; per-trial KPIs kept for the first {MonteCarloEngine.KeptTrials:N0} trials only).");
                }

                int code;
                SimulationResult result;
                string folder;
                try
                {
                    (code, result, folder) = RunOne(file, spec, options, target, max, store, claimed, r.GetValue(keep), exports, showProgress, output, errors, signals, charts, level: ParseReportLevel(r.GetValue(report)));
                }
                catch (OperationCanceledException) when (signals.SimulationToken.IsCancellationRequested)
                {
                    errors.WriteLine();
                    errors.WriteLine(options.UsesTwoPass
                        ? $"cancelled: a two-pass run keeps no partial result; nothing written for {spec.Name}"
                        : $"cancelled before the first block of {SimulationSettings.BlockSize:N0} trials finished: no partial result; nothing written for {spec.Name}");
                    return ExitCodes.Cancelled;
                }
                catch (WriteCancelledException)
                {
                    errors.WriteLine($"cancelled while writing the results of {spec.Name}: nothing written for it (an earlier result in {store.Shown} is kept)");
                    return ExitCodes.Cancelled;
                }

                exit = Math.Max(exit, code);
                if (code == ExitCodes.Cancelled)
                {
                    return ExitCodes.Cancelled;
                }

                written.Add((result, folder));
                if (signals.SimulationToken.IsCancellationRequested)
                {
                    // The signal came after this config's simulation had finished: its result is complete; stop here.
                    errors.WriteLine($"cancelled: stopped after {spec.Name} (its result is complete)");
                    return ExitCodes.Cancelled;
                }
            }

            try
            {
                WriteComparisons(written, store, claimed, ParseReportLevel(r.GetValue(report)), charts, output, errors, signals);
            }
            catch (WriteCancelledException)
            {
                errors.WriteLine("cancelled while writing the comparisons: the configs' results are complete; the comparisons were not written");
                return ExitCodes.Cancelled;
            }

            return exit;
        });
        return cmd;
    }

    private static void WriteComparisons(List<(SimulationResult Result, string Folder)> written, ResultStore store, ISet<string> claimed, ReportLevel level, IChartRenderer? charts, TextWriter output, TextWriter errors, RunSignals signals)
    {
        if (written.Count < 2)
        {
            return;
        }

        var results = written.Select(w => w.Result).ToList();
        var baseline = results[0];
        var comparisons = new List<Comparison>();
        foreach (var challenger in results.Skip(1))
        {
            if (challenger.Trials != baseline.Trials || challenger.Options.Seed != baseline.Options.Seed || challenger.Options.Sampling != baseline.Options.Sampling)
            {
                output.WriteLine($"comparison {challenger.Spec.Name} vs {baseline.Spec.Name} skipped: runs differ in trials, seed or sampling (use --trials and --seed to align them)");
                continue;
            }

            var c = Comparison.Compute(baseline, challenger);
            string final = WriteResult(store, SafeName($"compare-{challenger.Spec.Name}-vs-{baseline.Spec.Name}"), ResultIdentity.Comparison(challenger.Spec.Name, baseline.Spec.Name), claimed, errors, signals,
                $"the comparison of {challenger.Spec.Name} with {baseline.Spec.Name}",
                (tmp, _) => File.WriteAllText(Path.Combine(tmp, "comparison.json"), RunExport.ComparisonJson(c)));
            comparisons.Add(c);
            var npv = c.Statistics[0];
            output.WriteLine($"{challenger.Spec.Name} − {baseline.Spec.Name}: NPV difference P10 {Fmt.Human(npv[0.1].Value, "USD")}, P50 {Fmt.Human(npv[0.5].Value, "USD")}, P90 {Fmt.Human(npv[0.9].Value, "USD")}; P(challenger has higher NPV) = {c.ProbChallengerBetter["npv_usd"]:P1}; common random numbers on {c.SharedInputs.Length} shared inputs. Results: {final}");
        }

        // One side-by-side report of every config, with overlaid S-curves (none with --report none; no charts with summary).
        if (level == ReportLevel.None)
        {
            return;
        }

        var comparable = written.Where(w => w.Result.Trials == baseline.Trials && w.Result.Options.Seed == baseline.Options.Seed && w.Result.Options.Sampling == baseline.Options.Sampling).ToList();
        string side = WriteResult(store, "comparison", ResultIdentity.SideBySide, claimed, errors, signals, "the side-by-side report", (tmp, ct) =>
        {
            var runs = comparable.Select(w => w.Result).ToList();
            var images = new List<string>();
            if (charts is not null && level == ReportLevel.Full)
            {
                foreach (int k in new[] { TrialKpis.Npv, TrialKpis.NetRoi })
                {
                    if (ComparisonReport.SCurves(runs, k) is { } curves)
                    {
                        foreach (var image in RunReports.Checked(charts.RenderSCurves(curves)))
                        {
                            File.WriteAllBytes(Path.Combine(tmp, image.FileName), image.Bytes);
                            images.Add(image.FileName);
                        }
                    }

                    ct.ThrowIfCancellationRequested();
                }
            }

            var gates = runs.Select(r => Gates.Evaluate(r)).ToList();
            File.WriteAllText(Path.Combine(tmp, "report.md"), ComparisonReport.Markdown(runs, gates, comparisons, images!));
            File.WriteAllText(Path.Combine(tmp, ResultIdentity.SideBySideIndex), RunExport.SideBySideIndex(comparable.Select(w => (w.Result.Spec.Name, Path.GetFileName(w.Folder))).ToList()));
        });
        output.WriteLine($"side-by-side report of {comparable.Count} configs with overlaid S-curves: {side}");
    }

    /// <summary>
    /// Writes one result folder through the store: <paramref name="write"/> fills the temporary folder, which then
    /// moves into place. A signal while writing abandons it (<see cref="WriteCancelledException"/>); an I/O failure
    /// abandons it and becomes a <see cref="ResultWriteException"/> (exit 4).
    /// </summary>
    private static string WriteResult(ResultStore store, string name, ResultIdentity identity, ISet<string> claimed, TextWriter errors, RunSignals signals, string what, Action<string, CancellationToken> write)
    {
        var ct = signals.WritingToken;
        try
        {
            using var pending = store.Begin(name);
            write(pending.Path, ct);
            ct.ThrowIfCancellationRequested();
            var (folder, note) = store.Commit(pending, identity, claimed);
            if (note is not null)
            {
                errors.WriteLine($"note: {note}");
            }

            return folder;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw new WriteCancelledException();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new ResultWriteException($"could not write {what} to {store.Shown}: {ex.Message}. Nothing half-written was left; an earlier result of the same name there is kept.", ex);
        }
    }

    private static (int Code, SimulationResult Result, string Folder) RunOne(string file, SimulationSpec spec, RunOptions options, double? target, long maxTrials, ResultStore store, ISet<string> claimed, string? keep, RunExports exports, bool showProgress, TextWriter output, TextWriter errors, RunSignals signals, IChartRenderer? charts, Func<IProgress<RunProgress>?, SimulationResult>? compute = null, ReportLevel level = ReportLevel.Full)
    {
        var sw = Stopwatch.StartNew();
        var ct = signals.SimulationToken;
        IProgress<RunProgress>? progress = showProgress ? new SyncProgress(p =>
        {
            errors.Write('\r'); // the one raw control character: the progress line returns to its start
            errors.Write($"{ConsoleText.OneLine(spec.Name)}: {p.Done:N0}/{p.Total:N0} trials, {p.TrialsPerSecond / 1e6:0.0} M trials/s, ETA {(p.Eta is { } e ? e.TotalSeconds.ToString("0.0", Fmt.Inv) + " s" : "?")}   ");
        }) : null;

        progress = TestHooks.MarkFirstBlock(progress);
        SimulationResult result = compute?.Invoke(progress) ?? MonteCarloEngine.Run(spec, options, progress, ct); // compute: a merge of shards
        while (target is { } tg && !result.Partial)
        {
            double width = StabilityWidth(result);
            if (width <= tg)
            {
                break;
            }

            // CI width shrinks like 1/√n: estimate the trials needed and refuse an impossible target up front.
            double needed = result.Trials * Math.Pow(width / tg, 2);
            if (needed > maxTrials)
            {
                throw new UsageException($"--until-stable {tg}: after {result.Trials:N0} trials the widest P10/P50/P90 interval of NPV is {width:P2} of (P90 − P10); reaching {tg:P2} needs about {needed:N0} trials, more than --max-trials {maxTrials:N0}. Relax the target or raise --max-trials.");
            }

            long next = Math.Min(maxTrials, Math.Max(result.Trials * 2, (long)Math.Ceiling(needed * 1.1)));
            result = MonteCarloEngine.Run(spec, options with { Trials = next }, progress, ct);
        }

        // From here on a signal stops the writing instead (see RunSignals).
        signals.InWriting = true;

        // The reports and charts, not another run, come next: the run's scratch arrays go back to the garbage collector,
        // and one collection now lets the reports reuse their memory (without it, peak RSS of a 10 M run rose by ~90 MB).
        // Aggressive: the collector also gives the freed memory back to the system, so the reports do not add to the
        // run's peak (a 100 M run: 593 MB peak before, the simulation's 504 MB after).
        MonteCarloEngine.ReleaseScratch();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);

        if (showProgress)
        {
            errors.WriteLine();
        }

        var gates = Gates.Evaluate(result);
        TimeSpan wholeRun = default;
        string final = WriteResult(store, SafeName(spec.Name), ResultIdentity.Run(spec.Name, file), claimed, errors, signals, $"the results of {spec.Name}", (tmp, wct) =>
        {
            File.WriteAllText(Path.Combine(tmp, "summary.json"), RunExport.SummaryJson(result, file, gates, sw.Elapsed));
            File.WriteAllText(Path.Combine(tmp, "percentiles.csv"), RunExport.PercentilesCsv(result));
            TestHooks.PauseWrite(tmp, errors, wct);
            wct.ThrowIfCancellationRequested();
            if (keep == "csv")
            {
                using var w = new StreamWriter(Path.Combine(tmp, "trials.csv"));
                RunExport.TrialsCsv(result, w);
            }
            else if (keep == "bin")
            {
                using var s = File.Create(Path.Combine(tmp, "trials.f64"));
                RunExport.TrialsBinary(result, s);
            }
            else if (keep == "parquet")
            {
                WriteTrialsParquet(tmp, result, errors, wct);
            }

            wct.ThrowIfCancellationRequested();
            RunReports.Write(tmp, result, gates, file, new RunReportOptions(level, charts, exports.Xlsx ? WorkbookName(spec.Name) : null) { Lap = Timing.Lap() }, wct);

            // Written again last, so its whole_run_s (the console's "whole run") includes the reports and charts.
            wholeRun = sw.Elapsed;
            File.WriteAllText(Path.Combine(tmp, "summary.json"), RunExport.SummaryJson(result, file, gates, wholeRun));
        });
        signals.InWriting = false;

        output.Write(RunConsole.Summary(result, gates, final, wholeRun));
        if (result.Partial)
        {
            errors.WriteLine($"cancelled: PARTIAL result of {result.Trials:N0} of {options.Trials:N0} trials written to {final} (marked \"partial\": true)");
            return (ExitCodes.Cancelled, result, final);
        }

        return (gates.All(g => g.Passed) ? ExitCodes.Ok : ExitCodes.GateFailed, result, final);
    }

    /// <summary>Widest 95 % interval of NPV's P10/P50/P90 as a fraction of (P90 − P10).</summary>
    internal static double StabilityWidth(SimulationResult r)
    {
        var s = r["npv_usd"];
        double spread = (s[0.9].Value ?? 0) - (s[0.1].Value ?? 0);
        if (spread <= 0)
        {
            return 0;
        }

        return new[] { 0.1, 0.5, 0.9 }.Max(p => ((s[p].CiHigh ?? 0) - (s[p].CiLow ?? 0)) / spread);
    }

    internal static string SafeName(string name)
    {
        var chars = name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-').ToArray();
        string s = new string(chars).Trim('.', '-');
        return s.Length == 0 ? "unnamed" : s;
    }

    private sealed class SyncProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
