using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit.Abstractions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Cli.Tests;

/// <summary>The built CLI as separate processes, and the single-process runs the sharded ones are compared with (run once).</summary>
public sealed class ShardedRunFixture : IDisposable
{
    private readonly ConcurrentDictionary<long, Lazy<string>> _single = new();

    public string Root { get; } = Directory.CreateTempSubdirectory("risksim-shard-processes-").FullName;

    public const string Name = "gb200-nvl72-deepseek-r1";

    /// <summary>The dotnet host running the tests (the SDK sets DOTNET_HOST_PATH), else the one on the PATH.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : "dotnet";

    /// <summary>The CLI built beside the tests (the test project references it).</summary>
    public static string CliDll => Path.Combine(AppContext.BaseDirectory, "risksim.dll");

    public void Dispose() => Directory.Delete(Root, recursive: true);

    /// <summary>Starts a process with its output captured.</summary>
    public static Process Start(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        return Process.Start(psi) ?? throw new InvalidOperationException($"{file} did not start");
    }

    /// <summary>Runs a process to its end (at most <paramref name="minutes"/>): exit code, standard output, standard error.</summary>
    public static (int Code, string Out, string Err) Exec(string file, IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, int minutes = 10)
    {
        using var p = Start(file, args, env);
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(minutes)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish in {minutes} minutes");
        }

        return (p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Runs the CLI (<c>dotnet risksim.dll ARGS</c>).</summary>
    public static (int Code, string Out, string Err) Cli(params string[] args) => Exec(Dotnet, [CliDll, .. args]);

    /// <summary>The result folder of the flagship run in one process with <paramref name="trials"/> trials (run once).</summary>
    public string OneProcess(long trials) => _single.GetOrAdd(trials, t => new Lazy<string>(() =>
    {
        string root = Path.Combine(Root, $"single-{t}");
        var (code, _, err) = Cli("run", RepoPaths.Flagship, "--trials", t.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", root, "--quiet");
        Assert.True(code == 0, err);
        return Path.Combine(root, Name);
    })).Value;

    /// <summary>
    /// Asserts that a merged result folder holds what the single-process one holds: the same files, the same
    /// percentiles.csv, tornado.csv and sensitivity.csv bytes, the same summary.json apart from what describes the
    /// processes (timings, threads, machine, the sharding object), the same report.md apart from its timing and machine
    /// rows. The charts are checked by name only: ScottPlot's images are not byte-stable even between two runs in one
    /// process (SVG clip ids from a process-wide counter; text measured on threads that render at once), so their data is
    /// compared in process instead (ShardCommandTests).
    /// </summary>
    public static void AssertSameResult(string expected, string actual, int shards)
    {
        static string[] Files(string dir) => [.. Directory.GetFiles(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
        Assert.Equal(Files(expected), Files(actual));
        foreach (string f in new[] { "percentiles.csv", "tornado.csv", "sensitivity.csv" })
        {
            Assert.True(File.ReadAllBytes(Path.Combine(expected, f)).AsSpan().SequenceEqual(File.ReadAllBytes(Path.Combine(actual, f))), $"{f} differs");
        }

        string summary = File.ReadAllText(Path.Combine(actual, "summary.json"));
        Assert.Equal(ShardCommandTests.Normalized(File.ReadAllText(Path.Combine(expected, "summary.json"))), ShardCommandTests.Normalized(summary));
        Assert.Contains($"\"shards\": {shards},", summary, StringComparison.Ordinal);

        static string[] Report(string dir) => [.. File.ReadAllLines(Path.Combine(dir, "report.md")).Where(l => !(l.StartsWith("| elapsed |", StringComparison.Ordinal) || l.StartsWith("| timings |", StringComparison.Ordinal) || l.StartsWith("| threads |", StringComparison.Ordinal) || l.StartsWith("| machine |", StringComparison.Ordinal) || l.StartsWith("| vector width |", StringComparison.Ordinal)))];
        Assert.Equal(Report(expected), Report(actual));
    }
}

/// <summary>
/// Sharded runs as separate processes of the built CLI, merged by another, against the same run in one process: at a
/// size a process keeps in memory and at a one-pass size; then the same on a real one-node Slurm cluster (a job array of
/// four tasks), skipped with the reason when Slurm cannot start here; and a shard killed or stopped while it runs.
/// </summary>
public sealed class ShardProcessTests(ShardedRunFixture fixture, ITestOutputHelper log) : IClassFixture<ShardedRunFixture>
{
    private const long OnePassTrials = 5_000_000; // above the in-memory limit of 4,194,304: the one-pass path

    [Theory]
    [InlineData(100_000, 3)]
    [InlineData(OnePassTrials, 4)]
    public void Shards_run_as_separate_processes_merge_to_the_single_process_result(long trials, int shards)
    {
        string single = fixture.OneProcess(trials);
        string root = Path.Combine(fixture.Root, $"processes-{trials}");
        string n = trials.ToString(System.Globalization.CultureInfo.InvariantCulture);
        Parallel.For(0, shards, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i => // two at a time on two cores
        {
            var (code, stdout, err) = ShardedRunFixture.Cli("run", RepoPaths.Flagship, "--trials", n, "--shard", $"{i}/{shards}", "--out", root, "--quiet", "--threads", "1");
            Assert.True(code == 0, err);
            Assert.Contains($"shard {i} of {shards}", stdout, StringComparison.Ordinal);
        });
        string parts = Path.Combine(root, ShardedRunFixture.Name + "-shards");
        var files = Directory.GetFiles(parts, "*.rspart");
        Assert.Equal(shards, files.Length);
        Assert.Empty(Directory.GetFiles(parts, ".*")); // no temporary file left

        // The README's sizes: 64 bytes a trial (8 KPIs) in memory; about 3 bytes a trial above it for the flagship (beside
        // the 4 MB of kept trials in shard 0: the pilot's windows hold 4–5 % of each KPI's values), plus a header of a few kilobytes.
        long bytes = files.Sum(f => new FileInfo(f).Length);
        if (trials <= RunOptions.DefaultOnePassAbove)
        {
            Assert.InRange(bytes - (64 * trials), 0, 16_384 * shards);
        }
        else
        {
            Assert.InRange((bytes - (64.0 * MonteCarloEngine.KeptTrials)) / trials, 2.5, 3.5);
        }

        var merge = ShardedRunFixture.Cli("merge", parts, "--out", Path.Combine(root, "merged"), "--quiet");
        Assert.True(merge.Code == 0, merge.Err);
        log.WriteLine(merge.Out);
        Assert.Contains(trials > RunOptions.DefaultOnePassAbove ? "(exact, one pass)" : "(exact, in memory)", merge.Out, StringComparison.Ordinal);
        ShardedRunFixture.AssertSameResult(single, Path.Combine(root, "merged", ShardedRunFixture.Name), shards);
    }

    [SkippableFact]
    [Trait("Category", "Slurm")]
    public void A_slurm_job_array_of_four_shards_merges_to_the_single_process_result()
    {
        string state = Path.Combine(fixture.Root, "slurm");
        string scripts = Path.Combine(RepoPaths.Root, "tests", "slurm");
        var start = ShardedRunFixture.Exec("bash", [Path.Combine(scripts, "start-slurm.sh"), state], minutes: 2);
        log.WriteLine(start.Out + start.Err);
        try
        {
            string why = start.Out.Trim().Split('\n').LastOrDefault() ?? "";
            Skip.If(start.Code != 0, $"Slurm could not start on this machine, so the job-array part is skipped (the sharded processes are tested without it): {why}");

            string root = Path.Combine(fixture.Root, "slurm-run");
            string n = OnePassTrials.ToString(System.Globalization.CultureInfo.InvariantCulture);

            // The README's sbatch script, as it stands, on a 1-based array (shard = SLURM_ARRAY_TASK_ID − SLURM_ARRAY_TASK_MIN),
            // one CPU a task; then the README's merge job, after the array (afterok), waited for.
            string job = Path.Combine(state, "risksim-shards.sbatch");
            File.WriteAllText(job, ReadmeSbatchScript());
            var env = new Dictionary<string, string>
            {
                ["SLURM_CONF"] = Path.Combine(state, "slurm.conf"),
                ["RISKSIM"] = $"{ShardedRunFixture.Dotnet} {ShardedRunFixture.CliDll}",
                ["CONFIG"] = RepoPaths.Flagship,
                ["OUT"] = root,
                ["TRIALS"] = n,
            };
            var array = ShardedRunFixture.Exec("sbatch", ["--parsable", "--array=1-4", "--cpus-per-task=1", $"--output={state}/task-%a.log", job], env, minutes: 1);
            Assert.True(array.Code == 0, $"sbatch exit {array.Code}: {array.Out}{array.Err}");
            string jobId = array.Out.Trim().Split(';')[0];
            string parts = Path.Combine(root, ShardedRunFixture.Name + "-shards");
            var merge = ShardedRunFixture.Exec("sbatch", ["--wait", $"--dependency=afterok:{jobId}", "--kill-on-invalid-dep=yes", $"--output={state}/merge.log",
                "--wrap", $"{ShardedRunFixture.Dotnet} {ShardedRunFixture.CliDll} merge {parts} --out {root}"], env, minutes: 15);
            var logs = Directory.GetFiles(state, "*.log").Where(f => Path.GetFileName(f).StartsWith("task-", StringComparison.Ordinal) || Path.GetFileName(f) == "merge.log")
                .Order(StringComparer.Ordinal).Select(f => $"--- {Path.GetFileName(f)}\n{File.ReadAllText(f)}").ToList();
            log.WriteLine(string.Join('\n', logs));
            Assert.True(merge.Code == 0, $"merge job: sbatch exit {merge.Code}: {merge.Out}{merge.Err}\n{string.Join('\n', logs)}");
            for (int task = 1; task <= 4; task++)
            {
                Assert.Contains($"shard {task - 1} of 4", File.ReadAllText(Path.Combine(state, $"task-{task}.log")), StringComparison.Ordinal);
            }

            var files = Directory.GetFiles(parts, "*.rspart").Order(StringComparer.Ordinal).ToList();
            Assert.Equal(4, files.Count);
            foreach (string f in files)
            {
                var header = ShardPartial.Read(f, () => File.OpenRead(f), verify: false).Header;
                Assert.StartsWith($"slurm array job {jobId}, task ", header.Origin, StringComparison.Ordinal);
            }

            Assert.Contains("merged 4 shards", File.ReadAllText(Path.Combine(state, "merge.log")), StringComparison.Ordinal);
            ShardedRunFixture.AssertSameResult(fixture.OneProcess(OnePassTrials), Path.Combine(root, ShardedRunFixture.Name), 4);
        }
        finally
        {
            var stop = ShardedRunFixture.Exec("bash", [Path.Combine(scripts, "stop-slurm.sh"), state], minutes: 1);
            log.WriteLine(stop.Out + stop.Err);
        }
    }

    /// <summary>The sbatch script between the README's sbatch-example markers.</summary>
    private static string ReadmeSbatchScript()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int start = readme.IndexOf("<!-- sbatch-example:start -->", StringComparison.Ordinal);
        int end = readme.IndexOf("<!-- sbatch-example:end -->", StringComparison.Ordinal);
        Assert.True(start >= 0 && end > start, "README.md has no sbatch example between its markers");
        string block = readme[start..end];
        int open = block.IndexOf("```sh\n", StringComparison.Ordinal) + "```sh\n".Length;
        int close = block.LastIndexOf("```", StringComparison.Ordinal);
        return block[open..close];
    }

    [Fact]
    public void A_shard_killed_while_it_runs_leaves_no_partial_result_and_one_stopped_by_sigterm_leaves_nothing()
    {
        string root = Path.Combine(fixture.Root, "killed");
        string dir = Path.Combine(root, ShardedRunFixture.Name + "-shards");
        string[] args = [ShardedRunFixture.CliDll, "run", RepoPaths.Flagship, "--trials", "200000000", "--shard", "0/2", "--out", root, "--quiet", "--threads", "1"];
        string[] Temporary() => Directory.Exists(dir) ? Directory.GetFiles(dir, ".*.tmp-*") : [];

        // Waits until the shard has opened its temporary file (it then runs for many seconds: 100 M trials on one thread).
        void WaitForTemporary(Process p, int count)
        {
            var clock = Stopwatch.StartNew();
            while (Temporary().Length < count)
            {
                if (p.HasExited)
                {
                    Assert.Fail($"the shard exited ({p.ExitCode}) before it was stopped: {p.StandardError.ReadToEnd()}");
                }

                Assert.True(clock.Elapsed < TimeSpan.FromMinutes(2), "the shard did not start writing within 2 minutes");
                Thread.Sleep(50);
            }
        }

        // SIGKILL: the process cannot clean up, and what it leaves is a hidden temporary file, never a *.rspart.
        using (var killed = ShardedRunFixture.Start(ShardedRunFixture.Dotnet, args))
        {
            WaitForTemporary(killed, 1);
            killed.Kill();
            killed.WaitForExit();
        }

        Assert.Empty(Directory.GetFiles(dir, "*.rspart"));
        Assert.Single(Temporary());
        var merge = ShardedRunFixture.Cli("merge", dir);
        Assert.Equal(2, merge.Code);
        Assert.Contains("no finished partial results (*.rspart) in this folder", merge.Err, StringComparison.Ordinal);
        Assert.Contains(".tmp-", merge.Err, StringComparison.Ordinal);

        // SIGTERM (scancel, a Job deleted): the shard stops, deletes its temporary file and exits 130.
        using var stopped = ShardedRunFixture.Start(ShardedRunFixture.Dotnet, args);
        WaitForTemporary(stopped, 2);
        var term = ShardedRunFixture.Exec("kill", ["-TERM", stopped.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        Assert.True(term.Code == 0, term.Err);
        Assert.True(stopped.WaitForExit(TimeSpan.FromMinutes(2)), "the shard did not stop within 2 minutes of SIGTERM");
        Assert.Equal(ExitCodes.Cancelled, stopped.ExitCode);
        Assert.Contains("shard 0 of 2 wrote no partial result", stopped.StandardError.ReadToEnd(), StringComparison.Ordinal);
        Assert.Single(Temporary()); // only the killed one's
        Assert.Empty(Directory.GetFiles(dir, "*.rspart"));
    }
}
