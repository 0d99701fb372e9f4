using System.Diagnostics;
using System.Text.Json;

namespace RiskSim.Cli.Tests;

/// <summary>
/// Faults while results are written, on the built CLI in a child process: kill -9, SIGTERM (while writing and while
/// simulating), two runs into one folder at once, an unwritable output folder, an I/O failure mid-write. The child
/// is stopped at a known point by the test-only hooks RISKSIM_TEST_PAUSE_WRITE (the writer waits, its temporary
/// folder half written, until the test deletes a file) and RISKSIM_TEST_MARK_SIMULATING (a file appears once the
/// first blocks are simulated), so nothing depends on timing on a loaded machine.
/// </summary>
public sealed class FaultTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);
    private static readonly string Config = Path.Combine(RepoPaths.Configs, "h100-owned-llama8b.json");
    private const string Folder = "h100-owned-llama8b";
    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-fault-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private string Out => Path.Combine(_tmp, "out");

    private sealed class Child : IDisposable
    {
        private readonly Task<string> _out;
        private readonly Task<string> _err;

        public Child(IEnumerable<string> args, IDictionary<string, string> env)
        {
            var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
            {
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
            };
            psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "risksim.dll"));
            foreach (var a in args)
            {
                psi.ArgumentList.Add(a);
            }

            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }

            Process = Process.Start(psi)!;
            _out = Process.StandardOutput.ReadToEndAsync();
            _err = Process.StandardError.ReadToEndAsync();
        }

        public Process Process { get; }

        public (int Code, string Out, string Err) Wait()
        {
            Assert.True(Process.WaitForExit(Patience), "the child did not exit");
            return (Process.ExitCode, _out.Result, _err.Result);
        }

        /// <summary>Waits until <paramref name="file"/> exists (the child reached the hook); fails if the child exits first.</summary>
        public string WaitFor(string file)
        {
            var sw = Stopwatch.StartNew();
            while (!File.Exists(file))
            {
                if (Process.HasExited)
                {
                    Assert.Fail($"the child exited ({Process.ExitCode}) before {file}: {_err.Result}");
                }

                Assert.True(sw.Elapsed < Patience, $"no {file} after {Patience}");
                Thread.Sleep(20);
            }

            return File.ReadAllText(file);
        }

        public void Signal(string signal)
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-" + signal, Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]) { UseShellExecute = false })!;
            kill.WaitForExit();
            Assert.Equal(0, kill.ExitCode);
        }

        public void Dispose()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
            }

            Process.Dispose();
        }
    }

    private Child Start(string? pause = null, string? mark = null, long trials = 2000, string? config = null)
    {
        var env = new Dictionary<string, string>();
        if (pause is not null)
        {
            env["RISKSIM_TEST_PAUSE_WRITE"] = pause;
        }

        if (mark is not null)
        {
            env["RISKSIM_TEST_MARK_SIMULATING"] = mark;
        }

        return new Child(["run", config ?? Config, "--trials", trials.ToString(System.Globalization.CultureInfo.InvariantCulture), "--threads", "2", "--out", Out, "--quiet"], env);
    }

    private string[] Hidden() => [.. Directory.EnumerateFileSystemEntries(Out, ".*").Select(Path.GetFileName).Where(n => n != ".risksim.lock")!];

    /// <summary>An earlier result, written in process (no charts): the faults must leave it as it was.</summary>
    private string Earlier()
    {
        var (code, _, err) = CliHarness.Run("run", Config, "--trials", "1000", "--out", Out, "--quiet");
        Assert.True(code is ExitCodes.Ok or ExitCodes.GateFailed, err);
        return File.ReadAllText(Path.Combine(Out, Folder, "summary.json"));
    }

    [Fact]
    public void Kill_9_while_writing_leaves_only_a_hidden_folder_that_the_next_run_removes()
    {
        string earlier = Earlier();
        string pause = Path.Combine(_tmp, "pause");
        using var child = Start(pause);
        string tmp = child.WaitFor(pause);
        Assert.True(File.Exists(Path.Combine(tmp, "summary.json")), "the writer pauses with its temporary folder half written");
        Assert.StartsWith(".", Path.GetFileName(tmp), StringComparison.Ordinal);
        child.Process.Kill(); // SIGKILL
        Assert.NotEqual(0, child.Wait().Code);

        Assert.True(Directory.Exists(tmp));
        Assert.Equal(earlier, File.ReadAllText(Path.Combine(Out, Folder, "summary.json")));
        Assert.Equal([Folder], Directory.GetDirectories(Out).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')));

        var (code, _, err) = CliHarness.Run("run", Config, "--trials", "1000", "--out", Out, "--quiet");
        Assert.True(code is ExitCodes.Ok or ExitCodes.GateFailed, err);
        Assert.Contains($"removed {Path.Combine(Out, Path.GetFileName(tmp))}, left by process {child.Process.Id}", err, StringComparison.Ordinal);
        Assert.Empty(Hidden());
    }

    [Fact]
    public void Sigterm_while_writing_stops_the_writing_exits_130_and_keeps_the_earlier_result()
    {
        string earlier = Earlier();
        string pause = Path.Combine(_tmp, "pause");
        using var child = Start(pause);
        child.WaitFor(pause);
        child.Signal("TERM");
        var (code, stdout, err) = child.Wait();
        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Contains("cancelled while writing the results of h100-owned-llama8b: nothing written for it", err, StringComparison.Ordinal);
        Assert.DoesNotContain("  results: ", stdout, StringComparison.Ordinal); // the summary's folder line
        Assert.Equal(earlier, File.ReadAllText(Path.Combine(Out, Folder, "summary.json")));
        Assert.Empty(Hidden());
    }

    [Fact]
    public void Sigterm_while_simulating_writes_a_partial_result_marked_partial_and_exits_130()
    {
        string mark = Path.Combine(_tmp, "simulating");
        // 30 M trials run for seconds even on a fast machine; the signal comes right after the first blocks.
        using var child = Start(mark: mark, trials: 30_000_000);
        child.WaitFor(mark);
        child.Signal("TERM");
        var (code, _, err) = child.Wait();
        Assert.Equal(ExitCodes.Cancelled, code);
        Assert.Contains("cancelled: PARTIAL result of", err, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, Folder, "summary.json")));
        Assert.True(doc.RootElement.GetProperty("partial").GetBoolean());
        long trials = doc.RootElement.GetProperty("trials").GetInt64();
        Assert.InRange(trials, 1, 30_000_000 - 1);
        Assert.Equal(30_000_000, doc.RootElement.GetProperty("trials_requested").GetInt64());
        Assert.Contains("PARTIAL RUN", File.ReadAllText(Path.Combine(Out, Folder, "report.md")), StringComparison.Ordinal);
        Assert.Empty(Hidden());
    }

    [Fact]
    public void Two_runs_into_one_folder_at_once_both_succeed_and_leave_one_complete_result()
    {
        Earlier();
        string pauseA = Path.Combine(_tmp, "pause-a"), pauseB = Path.Combine(_tmp, "pause-b");
        using var a = Start(pauseA);
        using var b = Start(pauseB);
        a.WaitFor(pauseA);
        b.WaitFor(pauseB);
        // Both hold a complete simulation and a half-written temporary folder; both now finish and swap at once.
        File.Delete(pauseA);
        File.Delete(pauseB);
        var ra = a.Wait();
        var rb = b.Wait();
        Assert.True(ra.Code is ExitCodes.Ok or ExitCodes.GateFailed, ra.Err);
        Assert.True(rb.Code is ExitCodes.Ok or ExitCodes.GateFailed, rb.Err);
        Assert.Equal([Folder], Directory.GetFileSystemEntries(Out).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Out, Folder, "summary.json")));
        Assert.Equal(2000, doc.RootElement.GetProperty("trials").GetInt64());
        foreach (var f in new[] { "percentiles.csv", "report.md", "report.html", "tornado.csv", "sensitivity.csv" })
        {
            Assert.True(File.Exists(Path.Combine(Out, Folder, f)), f);
        }

        Assert.Empty(Hidden());
    }

    [Fact]
    public void An_io_failure_while_writing_exits_4_and_leaves_the_earlier_result()
    {
        string earlier = Earlier();
        string pause = Path.Combine(_tmp, "pause");
        using var child = Start(pause);
        string tmp = child.WaitFor(pause);
        // The temporary folder disappears under the writer (as on a removed mount): its next file cannot be written.
        Directory.Delete(tmp, recursive: true);
        File.WriteAllText(tmp, "not a folder");
        File.Delete(pause);
        var (code, _, err) = child.Wait();
        Assert.Equal(ExitCodes.IoError, code);
        Assert.Contains("error: could not write the results of h100-owned-llama8b to", err, StringComparison.Ordinal);
        Assert.Equal(earlier, File.ReadAllText(Path.Combine(Out, Folder, "summary.json")));
        File.Delete(tmp);
        Assert.Empty(Hidden());
    }

    [Theory]
    [InlineData("file")]
    [InlineData("under-a-file")]
    [InlineData("/proc")]
    public void An_unwritable_out_is_bad_input_found_before_the_simulation(string kind)
    {
        string file = Path.Combine(_tmp, "a-file");
        File.WriteAllText(file, "");
        string outDir = kind switch
        {
            "file" => file,
            "under-a-file" => Path.Combine(file, "results"),
            _ => "/proc/risksim-results",
        };
        var (code, stdout, err) = CliHarness.Run("run", Config, "--trials", "1000", "--out", outDir, "--quiet");
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.StartsWith($"error: --out {outDir}: ", err, StringComparison.Ordinal);
        Assert.Equal("", stdout); // no simulation ran: nothing was printed
    }
}
