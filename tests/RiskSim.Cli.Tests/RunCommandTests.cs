using System.Text.Json;
using RiskSim.Reporting;

namespace RiskSim.Cli.Tests;

/// <summary>`risksim run`: outputs, exit codes for gates and bad input, atomic result folders, reproducibility across threads.</summary>
public sealed class RunCommandTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-run-tests-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    [Fact]
    public void Run_writes_summary_and_percentiles_with_the_documented_keys_and_no_nan()
    {
        var (code, stdout, err) = Run("run", RepoPaths.Flagship, "--trials", "20000", "--out", _tmp, "--quiet");
        Assert.True(code == 0, err);
        string dir = Path.Combine(_tmp, "gb200-nvl72-deepseek-r1");
        string json = File.ReadAllText(Path.Combine(dir, "summary.json"));
        Assert.DoesNotContain("NaN", json, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", json, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(json);
        var stats = doc.RootElement.GetProperty("statistics");
        foreach (string key in new[] { "npv_usd.p10", "npv_usd.p50", "npv_usd.p90", "net_roi.p50", "payback_months.p90", "payback_months.prob_within_24", "npv_usd.prob_negative", "npv_usd.es10", "npv_usd.se_mean" })
        {
            Assert.True(stats.TryGetProperty(key, out _), key);
        }

        // P10 ≤ P50 ≤ P90, and the P10 lies inside its own confidence interval.
        double p10 = stats.GetProperty("npv_usd.p10").GetDouble();
        double p50 = stats.GetProperty("npv_usd.p50").GetDouble();
        double p90 = stats.GetProperty("npv_usd.p90").GetDouble();
        Assert.True(p10 <= p50 && p50 <= p90);
        var ci = doc.RootElement.GetProperty("confidence_intervals_95").GetProperty("npv_usd.p10");
        Assert.InRange(p10, ci[0].GetDouble(), ci[1].GetDouble());
        Assert.Equal(20000, doc.RootElement.GetProperty("trials").GetInt64());
        Assert.False(doc.RootElement.GetProperty("partial").GetBoolean());
        Assert.Contains("xx-th percentile", doc.RootElement.GetProperty("percentile_convention").GetString(), StringComparison.Ordinal);

        string csv = File.ReadAllText(Path.Combine(dir, "percentiles.csv"));
        Assert.StartsWith("kpi,statistic,value,ci95_low,ci95_high,unit,null_reason\n", csv, StringComparison.Ordinal);
        Assert.Contains("npv_usd,p10,", csv, StringComparison.Ordinal);
        Assert.Contains("P10", stdout, StringComparison.Ordinal);

        // Nothing half-written is left next to the result.
        Assert.Empty(Directory.GetDirectories(_tmp, ".*tmp*"));
    }

    [Fact]
    public void Two_pass_run_writes_the_same_statistics_as_in_memory_and_says_so()
    {
        string a = Path.Combine(_tmp, "mem");
        string b = Path.Combine(_tmp, "two");
        Assert.Equal(0, Run("run", RepoPaths.Flagship, "--trials", "40000", "--out", a, "--quiet").Code);
        var (code, stdout, err) = Run("run", RepoPaths.Flagship, "--trials", "40000", "--two-pass", "--out", b, "--quiet");
        Assert.True(code == 0, err);
        Assert.Contains("two passes", stdout, StringComparison.Ordinal);
        static JsonDocument Summary(string dir) => JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "gb200-nvl72-deepseek-r1", "summary.json")));
        using var mem = Summary(a);
        using var two = Summary(b);
        Assert.Equal("exact, in memory", mem.RootElement.GetProperty("percentile_method").GetString());
        Assert.Equal("exact, two passes", two.RootElement.GetProperty("percentile_method").GetString());
        Assert.Equal(mem.RootElement.GetProperty("statistics").GetRawText(), two.RootElement.GetProperty("statistics").GetRawText());
        Assert.Equal(mem.RootElement.GetProperty("confidence_intervals_95").GetRawText(), two.RootElement.GetProperty("confidence_intervals_95").GetRawText());
    }

    [Fact]
    public void Two_pass_refuses_keep_trials_several_configs_and_trials_beyond_the_bound()
    {
        var (code, _, err) = Run("run", RepoPaths.Flagship, "--trials", "1000", "--two-pass", "--keep-trials", "csv", "--out", _tmp, "--quiet");
        Assert.Equal(2, code);
        Assert.Contains("--keep-trials", err, StringComparison.Ordinal);
        (code, _, err) = Run("run", RepoPaths.Flagship, RepoPaths.Flagship, "--trials", "1000", "--two-pass", "--out", _tmp, "--quiet");
        Assert.Equal(2, code);
        Assert.Contains("several configs", err, StringComparison.Ordinal);
        (code, _, err) = Run("run", RepoPaths.Flagship, "--trials", "300000000", "--keep-trials", "bin", "--out", _tmp, "--quiet");
        Assert.Equal(2, code); // above the in-memory limit: two passes, so no per-trial export
        Assert.Contains("two-pass", err, StringComparison.Ordinal);
        (code, _, err) = Run("run", RepoPaths.Flagship, "--trials", "2000000001", "--out", _tmp, "--quiet");
        Assert.Equal(2, code);
        Assert.Contains("at most 2,000,000,000", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Statistics_are_bit_identical_on_one_and_two_threads()
    {
        string a = Path.Combine(_tmp, "t1");
        string b = Path.Combine(_tmp, "t2");
        Assert.Equal(0, Run("run", RepoPaths.Flagship, "--trials", "40000", "--threads", "1", "--out", a, "--quiet").Code);
        Assert.Equal(0, Run("run", RepoPaths.Flagship, "--trials", "40000", "--threads", "2", "--out", b, "--quiet").Code);
        static string Stats(string dir)
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "gb200-nvl72-deepseek-r1", "summary.json")));
            return doc.RootElement.GetProperty("statistics").GetRawText() + doc.RootElement.GetProperty("confidence_intervals_95").GetRawText();
        }

        Assert.Equal(Stats(a), Stats(b));
    }

    [Fact]
    public void A_failing_gate_exits_3_and_is_reported()
    {
        string fixture = Path.Combine(RepoPaths.Root, "tests", "fixtures", "failing-gate.json");
        var (code, stdout, _) = Run("run", fixture, "--trials", "20000", "--out", _tmp, "--quiet");
        Assert.Equal(3, code);
        Assert.Contains("gate FAIL", stdout, StringComparison.Ordinal);
        var summary = Directory.GetFiles(_tmp, "summary.json", SearchOption.AllDirectories).Single();
        using var doc = JsonDocument.Parse(File.ReadAllText(summary));
        Assert.False(doc.RootElement.GetProperty("all_gates_passed").GetBoolean());
    }

    [Theory]
    [InlineData("--trials", "0")]
    [InlineData("--trials", "-5")]
    [InlineData("--trials", "5000000000")]
    [InlineData("--until-stable", "0")]
    [InlineData("--until-stable", "1.5")]
    [InlineData("--threads", "0")]
    [InlineData("--sampling", "sobol")]
    public void Bad_run_options_exit_2_without_writing_anything(string option, string value)
    {
        var (code, _, err) = Run("run", RepoPaths.Flagship, option, value, "--out", _tmp, "--quiet");
        Assert.Equal(2, code);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_tmp));
    }

    [Fact]
    public void An_impossible_until_stable_target_is_refused_with_exit_2()
    {
        var (code, _, err) = Run("run", RepoPaths.Flagship, "--trials", "20000", "--until-stable", "0.0001", "--max-trials", "100000", "--out", _tmp, "--quiet");
        Assert.Equal(2, code);
        Assert.Contains("--max-trials", err, StringComparison.Ordinal);
        // The output folder was opened before the simulation (its lock file, .risksim.lock, is all there is); no result.
        Assert.Equal([".risksim.lock"], Directory.GetFileSystemEntries(_tmp).Select(Path.GetFileName));
    }

    [Fact]
    public void Two_configs_run_together_are_compared_under_common_random_numbers()
    {
        var (code, stdout, err) = Run("run", RepoPaths.Flagship, Path.Combine(RepoPaths.Configs, "b200-deepseek-r1.json"), "--trials", "20000", "--out", _tmp, "--quiet");
        Assert.True(code is 0 or 3, err);
        string file = Path.Combine(_tmp, "compare-b200-deepseek-r1-vs-gb200-nvl72-deepseek-r1", "comparison.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(file));
        var shared = doc.RootElement.GetProperty("common_random_numbers").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Contains("drivers.utilization", shared);
        Assert.Contains("market.price_erosion_annual", shared);
        Assert.DoesNotContain("operating_point.output_tokens_per_s_per_gpu", shared); // different throughput distributions
        double pBetter = doc.RootElement.GetProperty("prob_challenger_better").GetProperty("npv_usd").GetDouble();
        Assert.InRange(pBetter, 0, 1);
        Assert.Contains("P(challenger has higher NPV)", stdout, StringComparison.Ordinal);

        // One side-by-side report with a column per config.
        string side = File.ReadAllText(Path.Combine(_tmp, "comparison", "report.md"));
        Assert.Contains("| KPI | statistic | gb200-nvl72-deepseek-r1 | b200-deepseek-r1 |", side, StringComparison.Ordinal);
        Assert.Contains("b200-deepseek-r1 − gb200-nvl72-deepseek-r1, trial by trial", side, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_compared_with_itself_differs_by_exactly_zero_in_every_trial()
    {
        string copy = Path.Combine(_tmp, "copy.json");
        File.WriteAllText(copy, File.ReadAllText(RepoPaths.Flagship).Replace("\"name\": \"gb200-nvl72-deepseek-r1\"", "\"name\": \"copy\"", StringComparison.Ordinal));
        var (code, _, err) = Run("run", RepoPaths.Flagship, copy, "--trials", "20000", "--out", _tmp, "--quiet");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_tmp, "compare-copy-vs-gb200-nvl72-deepseek-r1", "comparison.json")));
        var stats = doc.RootElement.GetProperty("statistics");
        Assert.Equal(0.0, stats.GetProperty("npv_usd_difference.min").GetDouble());
        Assert.Equal(0.0, stats.GetProperty("npv_usd_difference.max").GetDouble());
    }

    [Fact]
    public void Irr_flag_adds_the_irr_kpi_to_the_summary()
    {
        var (code, _, err) = Run("run", RepoPaths.Flagship, "--trials", "20000", "--irr", "--out", _tmp, "--quiet");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(_tmp, "gb200-nvl72-deepseek-r1", "summary.json")));
        var stats = doc.RootElement.GetProperty("statistics");
        double p10 = stats.GetProperty("irr_annual.p10").GetDouble();
        double p50 = stats.GetProperty("irr_annual.p50").GetDouble();
        double p90 = stats.GetProperty("irr_annual.p90").GetDouble();
        Assert.True(p10 < p50 && p50 < p90, $"{p10} {p50} {p90}");
        Assert.InRange(p50, 0.1, 10); // a profitable flagship: positive, finite annual IRR
    }

    [Fact]
    public void The_readme_config_reference_is_the_generated_one()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        const string start = "<!-- config-reference:start -->\n";
        const string end = "<!-- config-reference:end -->";
        int a = readme.IndexOf(start, StringComparison.Ordinal);
        int b = readme.IndexOf(end, StringComparison.Ordinal);
        Assert.True(a >= 0 && b > a, "README.md lacks the config-reference markers");
        string embedded = readme[(a + start.Length)..b];
        Assert.Equal(ConfigDocs.Markdown(), embedded);
    }
}
