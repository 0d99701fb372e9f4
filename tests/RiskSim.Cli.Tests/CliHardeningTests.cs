using System.Text.Json;

namespace RiskSim.Cli.Tests;

/// <summary>Issue 16 through the CLI: crashes on valid or near-valid input, and validation that disagreed with the run.</summary>
public sealed class CliHardeningTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-hardening-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_tmp, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void NoStackTrace(string text) => Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);

    private static void NoNanOrInfinity(string text)
    {
        Assert.DoesNotContain("NaN", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("evaluate")]
    [InlineData("explain")]
    [InlineData("tornado")]
    [InlineData("run")]
    public void Duplicate_keys_exit_2_with_file_path_and_reason_for_every_verb(string verb)
    {
        string text = File.ReadAllText(RepoPaths.Flagship).Replace("\"units\": 1,", "\"units\": 4, \"units\": 5,", StringComparison.Ordinal);
        Assert.Contains("\"units\": 5", text, StringComparison.Ordinal);
        string path = Write("dup.json", text);
        string outDir = Path.Combine(_tmp, "out");
        var (code, _, err) = verb == "run" ? Run("run", path, "--trials", "2000", "--out", outDir, "--quiet") : Run(verb, path);
        Assert.Equal(2, code);
        Assert.Contains($"{path}: deployment.units: duplicate key", err, StringComparison.Ordinal);
        NoStackTrace(err);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void An_unknown_option_after_the_configs_is_called_an_unknown_option()
    {
        var (code, _, err) = Run("run", RepoPaths.Flagship, "--bogus");
        Assert.Equal(2, code);
        Assert.Contains("unknown option '--bogus'", err, StringComparison.Ordinal);
        Assert.DoesNotContain("file not found", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Errors_show_the_json_as_written()
    {
        var (code, _, err) = Run("validate", Write("op.json", File.ReadAllText(RepoPaths.Flagship).Replace("\"op\": \">=\"", "\"op\": \">\"", StringComparison.Ordinal)));
        Assert.Equal(2, code);
        Assert.Contains("(got \">\"", err, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u003E", err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_255_character_name_fails_validation_and_the_run_writes_nothing()
    {
        string path = Write("long.json", File.ReadAllText(RepoPaths.Flagship).Replace("\"name\": \"gb200-nvl72-deepseek-r1\"", $"\"name\": \"{new string('n', 255)}\"", StringComparison.Ordinal));
        var (code, _, err) = Run("validate", path);
        Assert.Equal(2, code);
        Assert.Contains(": name: too long: 255 bytes", err, StringComparison.Ordinal);
        Assert.Contains("1 to 64 bytes", err, StringComparison.Ordinal);
        string outDir = Path.Combine(_tmp, "out");
        Assert.Equal(2, Run("run", path, "--trials", "2000", "--out", outDir, "--quiet").Code);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Rate_mode_gates_on_roi_or_payback_fail_validation_not_every_run()
    {
        string rate = Path.Combine(RepoPaths.Configs, "b200-gpt-oss-120b-rate.json");
        // Resolved first: the config's benchmark paths are relative to configs/, and this copy is written elsewhere.
        var doc = System.Text.Json.Nodes.JsonNode.Parse(ResolvingLoader.Resolve(File.ReadAllText(rate), rate).Json)!;
        doc["gates"] = System.Text.Json.Nodes.JsonNode.Parse("""[{"metric": "npv_usd.p10", "op": ">=", "value": 0}, {"metric": "net_roi.p50", "op": ">=", "value": 1}, {"metric": "payback_months.prob_within_24", "op": ">=", "value": 0.8}]""");
        string path = Write("rate-gates.json", doc.ToJsonString());
        var (code, _, err) = Run("validate", path);
        Assert.Equal(2, code);
        Assert.Contains("gates[1].metric: net_roi does not exist in any trial", err, StringComparison.Ordinal);
        Assert.Contains("gates[2].metric: payback_months does not exist in any trial", err, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cost.capex_usd_per_unit=1e-300")]
    [InlineData("drivers.utilization=1e-300")]
    [InlineData("drivers.availability=1e-300")]
    [InlineData("drivers.demand_cap_output_tokens_per_s=1e-300")]
    [InlineData("operating_point.output_tokens_per_s_per_gpu=5e-324")]
    public void Values_near_zero_run_without_nan_or_infinity(string set)
    {
        string config = Path.Combine(RepoPaths.Configs, "h100-owned-llama8b.json");
        var eval = Run("evaluate", config, "--set", set, "--format", "json");
        Assert.True(eval.Code == 0, eval.Err);
        NoNanOrInfinity(eval.Out);
        string outDir = Path.Combine(_tmp, "out");
        var (code, stdout, err) = Run("run", config, "--set", set, "--trials", "2000", "--out", outDir, "--quiet");
        Assert.True(code is 0 or 3, err);
        NoStackTrace(err);
        NoNanOrInfinity(stdout);
        foreach (string f in Directory.GetFiles(Path.Combine(outDir, "h100-owned-llama8b")).Where(f => Path.GetExtension(f) is ".json" or ".csv" or ".md"))
        {
            NoNanOrInfinity(File.ReadAllText(f));
        }
    }

    [Fact]
    public void Output_tokens_per_request_near_zero_is_refused_with_the_reason()
    {
        var (code, _, err) = Run("evaluate", Path.Combine(RepoPaths.Configs, "h100-owned-llama8b.json"), "--set", "operating_point.output_tokens_per_request=5e-324");
        Assert.Equal(2, code);
        Assert.Contains("operating_point.output_tokens_per_request: out of range", err, StringComparison.Ordinal);
        Assert.Contains("[1, 10000000]", err, StringComparison.Ordinal);
    }

    public static TheoryData<string, int> ConfigsAndHorizons()
    {
        var data = new TheoryData<string, int>();
        foreach (string f in Directory.GetFiles(RepoPaths.Configs, "*.json").Order(StringComparer.Ordinal))
        {
            foreach (int h in new[] { 1, 61, 95, 120, 240, 600 })
            {
                data.Add(Path.GetFileName(f), h);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigsAndHorizons))]
    public void Every_bundled_config_evaluates_at_every_horizon(string config, int horizon)
    {
        var (code, stdout, err) = Run("evaluate", Path.Combine(RepoPaths.Configs, config), "--set", $"finance.horizon_months={horizon}", "--format", "json");
        Assert.True(code == 0, err);
        NoNanOrInfinity(stdout);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(horizon, doc.RootElement.GetProperty("assumptions").GetProperty("horizon_months").GetInt32());
    }

    [Theory]
    [InlineData("gb200-nvl72-deepseek-r1.json", 120)]
    [InlineData("h100-owned-llama8b.json", 240)]
    [InlineData("b200-deepseek-r1.json", 600)]
    public void Build_up_configs_run_with_irr_at_long_horizons(string config, int horizon)
    {
        string outDir = Path.Combine(_tmp, "out");
        var (code, stdout, err) = Run("run", Path.Combine(RepoPaths.Configs, config), "--set", $"finance.horizon_months={horizon}", "--irr", "--trials", "2000", "--out", outDir, "--quiet");
        Assert.True(code is 0 or 3, err);
        NoNanOrInfinity(stdout);
        string summary = File.ReadAllText(Directory.GetFiles(outDir, "summary.json", SearchOption.AllDirectories).Single());
        NoNanOrInfinity(summary);
        Assert.Contains("\"irr_annual.p50\"", summary, StringComparison.Ordinal);
    }
}
