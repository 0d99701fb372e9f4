using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
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
    /// <summary>
    /// <c>risksim merge PATH…</c>: reads the partial results of every shard of a run (folders are searched for
    /// <c>*.rspart</c>), checks that they make one whole run, and writes the run's result folder as <c>risksim run</c>
    /// does: statistics, summary.json, percentiles.csv, reports and charts, bit-identical to a run in one process.
    /// </summary>
    private static Command MergeCommand(TextWriter output, TextWriter errors, IChartRenderer? charts)
    {
        var paths = new Argument<string[]>("partials") { Description = $"Folders holding the shards' partial results (*{PartialExtension}, e.g. results/<name>-shards), or the files themselves.", Arity = ArgumentArity.OneOrMore };
        var outDir = new Option<string>("--out") { Description = "Results folder; the run is written to OUT/<config name>/.", DefaultValueFactory = _ => "results" };
        var threads = new Option<int?>("--threads") { Description = "Worker threads (default: all cores). Results are bit-identical for any value." };
        var quiet = new Option<bool>("--quiet") { Description = "No progress display." };
        var report = ReportOption();
        var cmd = new Command("merge", "Merge the partial results of a sharded run ('risksim run CONFIG --shard I/N') into its result folder, bit-identical to the run in one process. Exit 2 when a shard is missing, duplicated, unfinished or of another run; exit 3 when a risk gate fails.")
        {
            paths, outDir, threads, quiet, report,
        };
        cmd.SetAction(r =>
        {
            var sw = Stopwatch.StartNew();
            int threadCount = r.GetValue(threads) ?? Environment.ProcessorCount;
            if (threadCount < 1 || threadCount > 1024)
            {
                throw new UsageException($"--threads must be between 1 and 1024 (got {threadCount})");
            }

            var (files, leftovers) = FindPartials(r.GetValue(paths)!);
            IReadOnlyList<ShardPartial> parts;
            try
            {
                parts = ReadPartials(files, threadCount, leftovers);
            }
            catch (ShardException ex)
            {
                throw new UsageException(ex.Message, ex);
            }

            var h0 = parts[0].Header;
            var spec = ShardSet.SpecOf(parts[0]);
            var options = ShardSet.OptionsOf(h0, threadCount);
            bool showProgress = !r.GetValue(quiet) && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;
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
            var claimed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            try
            {
                var (code, result, _) = RunOne(h0.ConfigFile, spec, options, null, 0, store, claimed, null, new RunExports(false, false), showProgress, output, errors, signals, charts, progress =>
                {
                    try
                    {
                        return MonteCarloEngine.MergeShards(parts, spec, options, progress, signals.SimulationToken);
                    }
                    catch (ShardException ex)
                    {
                        throw new UsageException(ex.Message, ex);
                    }
                }, ParseReportLevel(r.GetValue(report)));
                if (result.Sharding is { } s)
                {
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  merged {s.Shards} shard{(s.Shards == 1 ? "" : "s")} from {s.Hosts.Length} host{(s.Hosts.Length == 1 ? "" : "s")}: longest shard {s.MaxWallSeconds:0.00} s, all shards {s.TotalWallSeconds:0.00} s wall and {s.TotalCpuSeconds:0.00} s CPU; merge {sw.Elapsed.TotalSeconds:0.00} s ({result.PercentileMethod})"));
                }

                return code;
            }
            catch (OperationCanceledException) when (signals.SimulationToken.IsCancellationRequested)
            {
                errors.WriteLine();
                errors.WriteLine($"cancelled: nothing written for {ConsoleText.OneLine(spec.Name)}");
                return ExitCodes.Cancelled;
            }
            catch (WriteCancelledException)
            {
                errors.WriteLine($"cancelled while writing the results of {ConsoleText.OneLine(spec.Name)}: nothing written for it (an earlier result in {store.Shown} is kept)");
                return ExitCodes.Cancelled;
            }
        });
        return cmd;
    }

    /// <summary>The partial-result files of the given folders and files, and the unfinished writes found beside them.</summary>
    private static (List<string> Files, List<string> Leftovers) FindPartials(IEnumerable<string> paths)
    {
        var files = new List<string>();
        var leftovers = new List<string>();
        foreach (string p in paths)
        {
            if (Directory.Exists(p))
            {
                var found = Directory.GetFiles(p, "*" + PartialExtension).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToList();
                var unfinished = Directory.GetFiles(p, $".*{PartialExtension}.tmp-*").Order(StringComparer.Ordinal).ToList();
                leftovers.AddRange(unfinished);
                if (found.Count == 0)
                {
                    throw new UsageException(unfinished.Count == 0
                        ? $"{p}: no partial results (*{PartialExtension}) in this folder"
                        : $"{p}: no finished partial results (*{PartialExtension}) in this folder, only unfinished writes (a shard still running, or killed before it finished): {string.Join(", ", unfinished.Select(Path.GetFileName))}");
                }

                files.AddRange(found);
            }
            else if (File.Exists(p))
            {
                files.Add(p);
            }
            else
            {
                throw new UsageException($"{p}: no such file or folder");
            }
        }

        // The same file named twice (a folder and its file) is read once; two files with the same shard are an error.
        return ([.. files.DistinctBy(Path.GetFullPath)], leftovers);
    }

    /// <summary>Reads and checks every partial result (checksums on all cores), then checks they make one whole run.</summary>
    private static IReadOnlyList<ShardPartial> ReadPartials(List<string> files, int threads, List<string> leftovers)
    {
        var parts = new ShardPartial?[files.Count];
        var problems = new string?[files.Count];
        Parallel.For(0, files.Count, new ParallelOptions { MaxDegreeOfParallelism = threads }, i =>
        {
            try
            {
                string f = files[i];
                parts[i] = ShardPartial.Read(f, () => new FileStream(f, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16));
            }
            catch (ShardException ex)
            {
                problems[i] = ex.Message;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                problems[i] = $"{files[i]}: {ex.Message}";
            }
        });
        if (problems.Any(p => p is not null))
        {
            throw new ShardException(string.Join(Environment.NewLine, problems.Where(p => p is not null)));
        }

        try
        {
            return ShardSet.Validate([.. parts.Select(p => p!)], Provenance.Version);
        }
        catch (ShardException ex) when (leftovers.Count > 0)
        {
            string list = string.Join(", ", leftovers.Take(5)) + (leftovers.Count > 5 ? $" and {leftovers.Count - 5} more" : "");
            throw new ShardException($"{ex.Message}{Environment.NewLine}unfinished writes beside them (a shard still running, or killed before it finished): {list}", ex);
        }
    }
}
