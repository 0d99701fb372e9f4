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

/// <summary>The shard index of this process and where it came from.</summary>
/// <param name="Index">0-based shard index.</param>
/// <param name="Count">Number of shards.</param>
/// <param name="Origin">How it was found, for the partial result's header ("explicit", "slurm array job 812, task 3" …).</param>
internal readonly record struct ShardSelection(int Index, int Count, string Origin);

public static partial class Cli
{
    /// <summary>The options of <c>risksim run</c> that a sharded run reads.</summary>
    internal sealed record RunArguments(
        Argument<string[]> Configs,
        Option<long?> Trials,
        Option<ulong?> Seed,
        Option<string?> Sampling,
        Option<int?> Threads,
        Option<string> Out,
        Option<string?> Keep,
        Option<double?> UntilStable,
        Option<bool> Quiet,
        Option<bool> Irr,
        Option<bool> TwoPass,
        Option<string[]> Set);

    private const string ShardForms = "I/N with whole numbers 0 ≤ I < N (e.g. 3/16: the fourth of 16 shards), slurm (a job array's task), kubernetes/N (an Indexed Job's completion index; N = completions), auto or auto/N (whichever of the two is set)";

    /// <summary>The <c>--shard</c> option of <c>risksim run</c>.</summary>
    internal static Option<string?> ShardOption() => new("--shard")
    {
        Description = "Run only shard I of N (0-based) and write a partial result to OUT/<name>-shards/; 'risksim merge' makes the whole run of them, bit-identical to one process. " +
            "I/N, or from the scheduler: slurm (SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN of SLURM_ARRAY_TASK_COUNT), kubernetes/N (JOB_COMPLETION_INDEX of N), auto, auto/N.",
    };

    /// <summary>
    /// The shard selected by <c>--shard</c>: explicit "I/N", or from a scheduler's environment (<paramref name="env"/>):
    /// a Slurm job array (its task id less the array's first id, of the task count; the array must be contiguous) or a
    /// Kubernetes Indexed Job (the completion index, of the N given). Throws <see cref="UsageException"/> for anything else.
    /// </summary>
    internal static ShardSelection ParseShard(string text, Func<string, string?> env)
    {
        string t = text.Trim();
        string lower = t.ToLowerInvariant();
        if (lower == "slurm")
        {
            return FromSlurm(t, env, null);
        }

        int slash = t.IndexOf('/', StringComparison.Ordinal);
        string head = slash < 0 ? lower : lower[..slash];
        string? tail = slash < 0 ? null : t[(slash + 1)..];
        if (head is "kubernetes" or "k8s" or "auto")
        {
            int? count = tail is null ? null : Count(tail);
            if (head == "auto")
            {
                if (env("SLURM_ARRAY_TASK_ID") is not null)
                {
                    return FromSlurm(t, env, count);
                }

                if (env("JOB_COMPLETION_INDEX") is null)
                {
                    throw new UsageException($"--shard {t}: no scheduler's shard index is set (SLURM_ARRAY_TASK_ID of a Slurm job array, JOB_COMPLETION_INDEX of a Kubernetes Indexed Job); give the shard as I/N");
                }
            }

            if (count is not { } n)
            {
                throw new UsageException($"--shard {t}: a Kubernetes Indexed Job does not tell its completion count: give it as {head}/N, N = the Job's completions (e.g. --shard {head}/16)");
            }

            string index = env("JOB_COMPLETION_INDEX") ?? throw new UsageException($"--shard {t}: JOB_COMPLETION_INDEX is not set: run it in a Kubernetes Job with completionMode: Indexed");
            int i = Index(index, $"JOB_COMPLETION_INDEX {index}");
            return Checked(t, i, n, $"kubernetes indexed job, completion index {i}");
        }

        if (slash < 0 || !IsWhole(t[..slash]) || !IsWhole(tail!))
        {
            throw new UsageException($"--shard {t}: expected {ShardForms}");
        }

        return Checked(t, Index(t[..slash], "shard index"), Count(tail!), "explicit");

        int Count(string s) => IsWhole(s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int n)
            ? n
            : throw new UsageException($"--shard {t}: the shard count N must be a whole number from 1 to {ShardSet.MaxShards:N0} (got \"{s}\"); expected {ShardForms}");

        int Index(string s, string what) => IsWhole(s) && int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out int i)
            ? i
            : throw new UsageException($"--shard {t}: {what} must be a whole number ≥ 0 (got \"{s}\")");
    }

    private static bool IsWhole(string s) => s.Length > 0 && s.All(char.IsAsciiDigit);

    private static ShardSelection Checked(string text, int index, int count, string origin)
    {
        if (count < 1 || count > ShardSet.MaxShards)
        {
            throw new UsageException($"--shard {text}: the shard count must be from 1 to {ShardSet.MaxShards:N0} (got {count})");
        }

        if (index >= count)
        {
            throw new UsageException($"--shard {text}: shard index {index} is out of range for {count} shard{(count == 1 ? "" : "s")}: indices run from 0 to {count - 1}");
        }

        return new ShardSelection(index, count, origin);
    }

    private static ShardSelection FromSlurm(string text, Func<string, string?> env, int? count)
    {
        string id = env("SLURM_ARRAY_TASK_ID") ?? throw new UsageException($"--shard {text}: SLURM_ARRAY_TASK_ID is not set: run it as a task of a Slurm job array (sbatch --array=0-15 …)");
        long Var(string name, string? fallback = null)
        {
            string? v = env(name) ?? fallback;
            return v is not null && IsWhole(v) && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out long x)
                ? x
                : throw new UsageException($"--shard {text}: {name} is {(v is null ? "not set" : $"\"{v}\"")}: expected a whole number in a Slurm job array");
        }

        long task = Var("SLURM_ARRAY_TASK_ID");
        long min = Var("SLURM_ARRAY_TASK_MIN");
        long max = Var("SLURM_ARRAY_TASK_MAX");
        long tasks = Var("SLURM_ARRAY_TASK_COUNT");
        long step = Var("SLURM_ARRAY_TASK_STEP", "1");
        if (step != 1 || max - min + 1 != tasks)
        {
            throw new UsageException($"--shard {text}: the job array's task ids are not contiguous (SLURM_ARRAY_TASK_MIN {min}, MAX {max}, COUNT {tasks}, STEP {step}): use --array=0-{tasks - 1} (or give the shard as I/N)");
        }

        if (count is { } n && n != tasks)
        {
            throw new UsageException($"--shard {text}: the job array has {tasks} tasks (SLURM_ARRAY_TASK_COUNT), not {n}");
        }

        string job = env("SLURM_ARRAY_JOB_ID") ?? "?";
        return Checked(text, checked((int)(task - min)), checked((int)tasks), $"slurm array job {job}, task {id}");
    }

    /// <summary>The file name of shard <paramref name="index"/> of <paramref name="count"/>'s partial result.</summary>
    internal static string ShardFileName(int index, int count)
    {
        int digits = Math.Max(4, count.ToString(CultureInfo.InvariantCulture).Length);
        string f = "D" + digits.ToString(CultureInfo.InvariantCulture);
        return $"shard-{index.ToString(f, CultureInfo.InvariantCulture)}-of-{count.ToString(f, CultureInfo.InvariantCulture)}{PartialExtension}";
    }

    /// <summary>Extension of partial-result files.</summary>
    internal const string PartialExtension = ".rspart";

    /// <summary>
    /// <c>risksim run CONFIG --shard …</c>: simulates one shard's blocks and writes its partial result atomically (a hidden
    /// temporary file in the same folder, flushed to disk, then renamed), so a killed shard leaves no <c>*.rspart</c> file.
    /// </summary>
    private static int RunShardCommand(ParseResult r, string shardText, RunArguments a, TextWriter output, TextWriter errors)
    {
        var files = r.GetValue(a.Configs)!;
        if (files.Length != 1)
        {
            throw new UsageException($"--shard runs one config at a time (got {files.Length}): submit one sharded job per config");
        }

        if (r.GetValue(a.Keep) is { } keep)
        {
            throw new UsageException($"--keep-trials {keep} is not available with --shard: each shard holds only its own trials");
        }

        if (r.GetValue(a.UntilStable) is not null)
        {
            throw new UsageException("--until-stable is not available with --shard: every shard must know the trial count before it starts; give --trials");
        }

        if (r.GetValue(a.TwoPass))
        {
            throw new UsageException("--two-pass is not available with --shard: shards take one pass, and the merge is exact without a second (it simulates again only if a window misses)");
        }

        var selection = ParseShard(shardText, Environment.GetEnvironmentVariable);
        string file = files[0];
        var spec = LoadSpec(file, r.GetValue(a.Set) ?? []);
        if (r.GetValue(a.Irr))
        {
            spec = spec with { Simulation = spec.Simulation with { Irr = true } };
        }

        int threads = r.GetValue(a.Threads) ?? Environment.ProcessorCount;
        if (threads < 1 || threads > 1024)
        {
            throw new UsageException($"--threads must be between 1 and 1024 (got {threads})");
        }

        long trials = r.GetValue(a.Trials) ?? spec.Simulation.Trials;
        if (trials < 1 || trials > RunOptions.MaxTrials)
        {
            throw new UsageException($"--trials must be from 1 to {RunOptions.MaxTrials:N0} (got {trials:N0})");
        }

        long blocks = ShardSet.BlocksOf(trials);
        if (selection.Count > blocks)
        {
            throw new UsageException($"--shard {shardText}: {trials:N0} trials are {blocks:N0} block{(blocks == 1 ? "" : "s")} of {SimulationSettings.BlockSize:N0}, and a shard takes whole blocks: use at most {blocks:N0} shard{(blocks == 1 ? "" : "s")}, or more trials");
        }

        var options = new RunOptions(trials, r.GetValue(a.Seed) ?? spec.Simulation.Seed, r.GetValue(a.Sampling) switch
        {
            "mc" => SamplingMethod.MonteCarlo,
            "lhs" => SamplingMethod.LatinHypercube,
            _ => spec.Simulation.Sampling,
        }, threads);

        string dir = Path.Combine(r.GetValue(a.Out)!, SafeName(spec.Name) + "-shards");
        Directory.CreateDirectory(dir);
        string name = ShardFileName(selection.Index, selection.Count);
        string final = Path.Combine(dir, name);
        string tmp = Path.Combine(dir, $".{name}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        bool showProgress = !r.GetValue(a.Quiet) && !Console.IsErrorRedirected && Environment.GetEnvironmentVariable("CI") is null;
        string label = $"{ConsoleText.OneLine(spec.Name)} [shard {selection.Index}/{selection.Count}]";
        IProgress<RunProgress>? progress = showProgress ? new SyncProgress(p =>
            errors.Write($"\r{label}: {p.Done:N0}/{p.Total:N0} trials, {p.TrialsPerSecond / 1e6:0.0} M trials/s   ")) : null;

        // Ctrl-C and SIGTERM (scancel, a Job's deletion) stop the shard after its blocks in flight; it leaves no partial file.
        using var signals = new RunSignals();
        var sw = Stopwatch.StartNew();
        ShardHeader header;
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                header = MonteCarloEngine.RunShard(spec, options, selection.Index, selection.Count, new ShardWriter(Provenance.Version, file, selection.Origin), stream, progress, signals.SimulationToken);
                stream.Flush(flushToDisk: true);
            }

            File.Move(tmp, final, overwrite: true);
        }
        catch (OperationCanceledException) when (signals.SimulationToken.IsCancellationRequested)
        {
            TryDelete(tmp);
            if (showProgress)
            {
                errors.WriteLine();
            }

            errors.WriteLine($"cancelled: shard {selection.Index} of {selection.Count} wrote no partial result");
            return ExitCodes.Cancelled;
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }

        if (showProgress)
        {
            errors.WriteLine();
        }

        long bytes = new FileInfo(final).Length;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{ConsoleText.OneLine(spec.Name)}: shard {selection.Index} of {selection.Count} ({header.ShardTrials:N0} of {trials:N0} trials, blocks {header.FirstBlock:N0} … {header.EndBlock - 1:N0}, {(header.Mode == ShardHeader.OnePassMode ? "one pass" : "every trial's KPIs")}) in {sw.Elapsed.TotalSeconds:0.00} s, seed {options.Seed}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  partial result: {ConsoleText.OneLine(final)} ({bytes / 1e6:0.0} MB). When every shard has finished: risksim merge {ConsoleText.OneLine(dir)}"));
        return ExitCodes.Ok;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
