using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace RiskSim.Cli.Tests;

/// <summary>
/// The same bits on every machine: the CLI is run in child processes with the runtime forced to each vector width it can
/// use (512-bit Vector&lt;T&gt;, 256-bit with and without AVX-512 instructions, 128-bit without AVX2 and FMA, and no
/// hardware intrinsics at all: software vectors) and on one or two threads, and every statistic of summary.json must be
/// the same, bit for bit (the JSON numbers are shortest round-trip, so equal text is equal bits). Covered: the in-memory,
/// one-pass and two-pass paths; Latin hypercube and plain Monte Carlo; correlated PERT, uniform, lognormal and normal
/// inputs; build-up and rate cost modes; the closed-form kernel and the month-by-month one (demand cap, IRR); partial blocks.
/// </summary>
/// <remarks>
/// .NET 10's switches (checked on the project's AMD Zen 4): DOTNET_MaxVectorTBitWidth=512 makes Vector&lt;double&gt;
/// 8 lanes where AVX-512 is accelerated (4 elsewhere: the run is then another 256-bit one); DOTNET_EnableAVX512=0 turns
/// off AVX-512 (DOTNET_EnableAVX512F is not read any more); DOTNET_EnableAVX2=0 turns off AVX2 and FMA (2 lanes);
/// DOTNET_EnableHWIntrinsic=0 turns off every intrinsic (2 software lanes; Vector.IsHardwareAccelerated is false).
/// </remarks>
public sealed class WidthMatrixTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-width-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    /// <summary>Each width's switches and thread count (the widths also differ in threads, which must not matter either).</summary>
    private static readonly (string Name, string[] Env, int Threads)[] Widths =
    [
        ("256-bit (default)", [], 2),
        ("512-bit Vector<T>", ["DOTNET_MaxVectorTBitWidth=512"], 1),
        ("256-bit, no AVX-512", ["DOTNET_EnableAVX512=0"], 2),
        ("128-bit, no AVX2 or FMA", ["DOTNET_EnableAVX2=0"], 1),
        ("scalar (no intrinsics)", ["DOTNET_EnableHWIntrinsic=0"], 2),
    ];

    private const string Lognormal = """market.price_erosion_annual={"dist":"lognormal","median":0.3,"sigma":0.4,"max":0.95}""";
    private const string NormalCap = """drivers.demand_cap_output_tokens_per_s={"dist":"normal","mean":5000,"sd":1500,"min":0,"max":1e12}""";

    public static TheoryData<string, string, string[], string?, string> Cases() => new()
    {
        // case, config, options, RISKSIM_TEST_ONE_PASS_ABOVE, the method summary.json must state
        { "flagship, in memory", "gb200-nvl72-deepseek-r1.json", ["--trials", "100000"], null, "exact, in memory" },
        { "flagship, one pass", "gb200-nvl72-deepseek-r1.json", ["--trials", "300000"], "65536", "exact, one pass" },
        { "rate config, plain Monte Carlo", "b200-gpt-oss-120b-rate.json", ["--trials", "50000", "--sampling", "mc"], null, "exact, in memory" },
        { "lognormal, normal demand cap, IRR, two passes", "h100-deepseek-r1.json", ["--trials", "4000", "--two-pass", "--irr", "--set", Lognormal, "--set", NormalCap], null, "exact, two passes" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Every_statistic_is_bit_identical_at_every_vector_width(string name, string config, string[] options, string? onePassAbove, string method)
    {
        string? reference = null;
        var lanes = new SortedSet<int>();
        foreach (var (width, env, threads) in Widths)
        {
            string outDir = Path.Combine(_tmp, $"{Array.IndexOf(Widths, (width, env, threads))}");
            var e = env.ToDictionary(x => x[..x.IndexOf('=', StringComparison.Ordinal)], x => x[(x.IndexOf('=', StringComparison.Ordinal) + 1)..]);
            if (onePassAbove is not null)
            {
                e["RISKSIM_TEST_ONE_PASS_ABOVE"] = onePassAbove;
            }

            var (code, err) = RunCli(["run", Path.Combine(RepoPaths.Configs, config), .. options, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), "--out", outDir, "--report", "none", "--quiet"], e);
            Assert.True(code is ExitCodes.Ok or ExitCodes.GateFailed, $"{name}, {width}: exit {code}\n{err}");
            string folder = Directory.GetDirectories(outDir).Single();
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
            var root = doc.RootElement;
            Assert.Equal(method, root.GetProperty("percentile_method").GetString());
            int w = root.GetProperty("vector_width").GetInt32();
            lanes.Add(w);
            log.WriteLine($"{name}, {width}: Vector<double> = {w} lanes, {threads} thread(s)");
            string statistics = string.Join("\n", new[] { "trials", "statistics", "confidence_intervals_95", "null_reasons", "gates" }.Select(k => $"{k}: {root.GetProperty(k).GetRawText()}"));
            if (reference is null)
            {
                reference = statistics;
                continue;
            }

            if (statistics != reference)
            {
                Assert.Fail($"{name}: {width} differs from {Widths[0].Name}: {FirstDifference(reference, statistics)}");
            }
        }

        Assert.Contains(2, lanes); // 128-bit and software vectors always run; 8 lanes only where AVX-512 is accelerated
        Assert.Contains(Vector256IsAccelerated ? 4 : 2, lanes);
    }

    /// <summary>
    /// A cluster whose nodes differ: three shards of one run, on 512-bit, 128-bit and software vectors, merge (on the default
    /// width) to the statistics of the single-process run, bit for bit. One pass (the shards' windows and candidates) with
    /// the test hook; in memory below it.
    /// </summary>
    [Theory]
    [InlineData(300_000, "65536")]
    [InlineData(100_000, null)]
    public void Shards_run_at_different_vector_widths_merge_to_the_single_process_result(long trials, string? onePassAbove)
    {
        string n = trials.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string config = Path.Combine(RepoPaths.Configs, "gb200-nvl72-deepseek-r1.json");
        var hook = new Dictionary<string, string>();
        if (onePassAbove is not null)
        {
            hook["RISKSIM_TEST_ONE_PASS_ABOVE"] = onePassAbove;
        }

        string single = Path.Combine(_tmp, "single");
        var (code, err) = RunCli(["run", config, "--trials", n, "--out", single, "--report", "none", "--quiet"], hook);
        Assert.True(code is ExitCodes.Ok or ExitCodes.GateFailed, err);
        string parts = Path.Combine(_tmp, "parts");
        string[][] widths = [["DOTNET_MaxVectorTBitWidth=512"], ["DOTNET_EnableAVX2=0"], ["DOTNET_EnableHWIntrinsic=0"]];
        for (int i = 0; i < widths.Length; i++)
        {
            var e = new Dictionary<string, string>(hook);
            foreach (var x in widths[i])
            {
                e[x[..x.IndexOf('=', StringComparison.Ordinal)]] = x[(x.IndexOf('=', StringComparison.Ordinal) + 1)..];
            }

            (code, err) = RunCli(["run", config, "--trials", n, "--shard", $"{i}/{widths.Length}", "--out", parts, "--quiet", "--threads", "1"], e);
            Assert.True(code == ExitCodes.Ok, $"shard {i} ({widths[i][0]}): exit {code}\n{err}");
        }

        string merged = Path.Combine(_tmp, "merged");
        (code, err) = RunCli(["merge", Directory.GetDirectories(parts).Single(), "--out", merged, "--report", "none", "--quiet"], hook);
        Assert.True(code is ExitCodes.Ok or ExitCodes.GateFailed, err);
        string Statistics(string dir)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(Directory.GetDirectories(dir).Single(), "summary.json")));
            return string.Join("\n", new[] { "trials", "statistics", "confidence_intervals_95", "null_reasons", "gates" }.Select(k => $"{k}: {doc.RootElement.GetProperty(k).GetRawText()}"));
        }

        string a = Statistics(single), b = Statistics(merged);
        Assert.True(a == b, $"merged differs from the single process: {FirstDifference(a, b)}");
    }

    private static bool Vector256IsAccelerated => System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated;

    private static string FirstDifference(string a, string b)
    {
        var x = a.Split([',', '\n']);
        var y = b.Split([',', '\n']);
        for (int i = 0; i < Math.Min(x.Length, y.Length); i++)
        {
            if (x[i] != y[i])
            {
                return $"{x[i].Trim()} vs {y[i].Trim()}";
            }
        }

        return "lengths differ";
    }

    private static (int Code, string Err) RunCli(string[] args, IDictionary<string, string> env)
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "risksim.dll"));
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        // A clean runtime environment: no code-generation switch of the test host's own leaks into the child.
        foreach (var key in psi.Environment.Keys.Where(k => k.StartsWith("DOTNET_Enable", StringComparison.Ordinal) || k.Contains("VectorTBitWidth", StringComparison.Ordinal) || k.Contains("PreferredVectorBitWidth", StringComparison.Ordinal)).ToList())
        {
            psi.Environment.Remove(key);
        }

        foreach (var (k, v) in env)
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(15)))
        {
            p.Kill();
            Assert.Fail("risksim did not finish in 15 minutes");
        }

        _ = stdout.Result;
        return (p.ExitCode, stderr.Result);
    }
}
