using System.Text.Json;

namespace RiskSim.Cli.Tests;

/// <summary>The CLI in process: exit codes, error messages without stack traces, machine-readable output.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-cli-tests-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_tmp, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static void NoStackTrace(string text) => Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);

    [Fact]
    public void Bad_config_exits_2_naming_the_file_and_the_json_path_without_a_stack_trace()
    {
        string text = File.ReadAllText(RepoPaths.Flagship).Replace("\"utilization\": { \"dist\": \"pert\", \"min\": 0.35, \"mode\": 0.65, \"max\": 0.9 }", "\"utilization\": 1.5", StringComparison.Ordinal);
        Assert.Contains("\"utilization\": 1.5", text, StringComparison.Ordinal);
        string path = Write("bad-util.json", text);
        var (code, _, err) = Run("evaluate", path);
        Assert.Equal(2, code);
        Assert.Contains(path, err, StringComparison.Ordinal);
        Assert.Contains("drivers.utilization", err, StringComparison.Ordinal);
        Assert.Contains("1.5", err, StringComparison.Ordinal);
        NoStackTrace(err);
    }

    [Fact]
    public void Config_that_is_not_json_exits_2()
    {
        string path = Write("garbage.json", "this is { not json");
        var (code, _, err) = Run("evaluate", path);
        Assert.Equal(2, code);
        Assert.Contains("garbage.json", err, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", err, StringComparison.Ordinal);
        NoStackTrace(err);
    }

    [Theory]
    [InlineData("evaluate")]
    [InlineData("explain")]
    [InlineData("validate")]
    public void Missing_file_exits_2(string command)
    {
        string path = Path.Combine(_tmp, "does-not-exist.json");
        var (code, _, err) = Run(command, path);
        Assert.Equal(2, code);
        Assert.Contains("does-not-exist.json", err, StringComparison.Ordinal);
        NoStackTrace(err);
    }

    [Fact]
    public void Unknown_option_exits_2()
    {
        var (code, _, err) = Run("evaluate", RepoPaths.Flagship, "--no-such-option");
        Assert.Equal(2, code);
        Assert.Contains("--no-such-option", err, StringComparison.Ordinal);
        NoStackTrace(err);
    }

    [Fact]
    public void Unknown_command_and_bad_format_exit_2()
    {
        Assert.Equal(2, Run("frobnicate").Code);
        Assert.Equal(2, Run("evaluate", RepoPaths.Flagship, "--format", "xml").Code);
    }

    [Fact]
    public void Evaluate_json_parses_and_has_no_NaN_or_Infinity()
    {
        var (code, output, err) = Run("evaluate", RepoPaths.Flagship, "--format", "json");
        Assert.True(code == 0, err);
        Assert.DoesNotContain("NaN", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(output);
        var kpis = doc.RootElement.GetProperty("kpis");
        Assert.Equal(JsonValueKind.Number, kpis.GetProperty("npv_usd").ValueKind);

        // Horizon 60 → 61 cash flows, month 0 is −capex (5,000,000 × overrun median > 1).
        var cf = doc.RootElement.GetProperty("cash_flows_usd");
        Assert.Equal(61, cf.GetArrayLength());
        Assert.True(cf[0].GetDouble() < -5e6);

        // Every null KPI says why.
        var reasons = doc.RootElement.GetProperty("null_reasons");
        foreach (var k in kpis.EnumerateObject().Where(k => k.Value.ValueKind == JsonValueKind.Null))
        {
            Assert.False(string.IsNullOrWhiteSpace(reasons.GetProperty(k.Name).GetString()), k.Name);
        }
    }

    [Fact]
    public void Evaluate_json_with_null_kpis_has_no_NaN()
    {
        // Rate mode: no capex → payback, ROI and IRR do not exist; they must be null with a reason, not NaN.
        string text = """
            {
              "deployment": { "accelerator": "Test GPU", "gpus_per_unit": 1, "units": 1 },
              "cost": { "mode": "rate", "all_in_usd_per_gpu_hour": 2 },
              "operating_point": { "output_tokens_per_s_per_gpu": 1000, "input_tokens_per_request": 0, "output_tokens_per_request": 1000 },
              "market": { "price_usd_per_million_input_tokens": 0, "price_usd_per_million_output_tokens": 10 },
              "drivers": { "utilization": 1 },
              "finance": { "horizon_months": 2, "discount_rate_annual": 0 }
            }
            """;
        var (code, output, err) = Run("evaluate", Write("rate.json", text), "--format", "json");
        Assert.True(code == 0, err);
        Assert.DoesNotContain("NaN", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("kpis").GetProperty("payback_months").ValueKind);
        Assert.Equal(JsonValueKind.String, doc.RootElement.GetProperty("null_reasons").GetProperty("payback_months").ValueKind);
    }

    [Fact]
    public void Evaluate_set_override_changes_the_result()
    {
        var (c1, o1, _) = Run("evaluate", RepoPaths.Flagship, "--format", "json");
        var (c2, o2, _) = Run("evaluate", RepoPaths.Flagship, "--format", "json", "--set", "market.price_usd_per_million_output_tokens=4.38");
        Assert.Equal(0, c1);
        Assert.Equal(0, c2);
        using var d1 = JsonDocument.Parse(o1);
        using var d2 = JsonDocument.Parse(o2);
        double npv1 = d1.RootElement.GetProperty("kpis").GetProperty("npv_usd").GetDouble();
        double npv2 = d2.RootElement.GetProperty("kpis").GetProperty("npv_usd").GetDouble();
        Assert.True(npv2 > npv1, $"doubling the output price did not raise NPV: {npv1} → {npv2}");
    }

    [Fact]
    public void Evaluate_set_with_a_bad_value_exits_2()
    {
        var (code, _, err) = Run("evaluate", RepoPaths.Flagship, "--set", "drivers.utilization=1.5");
        Assert.Equal(2, code);
        Assert.Contains("drivers.utilization", err, StringComparison.Ordinal);
        NoStackTrace(err);
    }

    [Theory]
    [InlineData("table")]
    [InlineData("csv")]
    [InlineData("markdown")]
    public void Evaluate_other_formats_succeed(string format)
    {
        var (code, output, err) = Run("evaluate", RepoPaths.Flagship, "--format", format);
        Assert.True(code == 0, err);
        Assert.Contains("npv_usd", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Explain_succeeds()
    {
        var (code, output, err) = Run("explain", RepoPaths.Flagship);
        Assert.True(code == 0, err);
        Assert.False(string.IsNullOrWhiteSpace(output));
    }

    [Fact]
    public void Schema_prints_valid_json()
    {
        var (code, output, err) = Run("schema");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        Assert.Contains("utilization", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Schema_markdown_prints_the_reference()
    {
        var (code, output, _) = Run("schema", "--format", "markdown");
        Assert.Equal(0, code);
        Assert.Contains("drivers.utilization", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_every_shipped_config_returns_0()
    {
        string[] files = Directory.GetFiles(RepoPaths.Configs, "*.json", SearchOption.AllDirectories);
        Assert.NotEmpty(files);
        var (code, output, err) = Run(["validate", .. files]);
        Assert.True(code == 0, err);
        foreach (var f in files)
        {
            Assert.Contains($"{f}: ok", output, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Validate_lists_every_bad_file_and_exits_2()
    {
        string good = RepoPaths.Flagship;
        string bad1 = Write("b1.json", "{}");
        string bad2 = Write("b2.json", "");
        var (code, output, err) = Run("validate", good, bad1, bad2);
        Assert.Equal(2, code);
        Assert.Contains($"{good}: ok", output, StringComparison.Ordinal);
        Assert.Contains("b1.json: deployment: missing section", err, StringComparison.Ordinal);
        Assert.Contains("b2.json", err, StringComparison.Ordinal);
        NoStackTrace(err);
    }
    [Fact]
    public void Evaluate_json_at_zero_utilization_has_no_NaN_or_Infinity()
    {
        // Nothing is served: per-token and per-query KPIs divide by zero and must come out null with a reason.
        // (The flagship correlates drivers.utilization, and a --set that fixes a correlated input is rejected
        // as "input is fixed", so the correlations are removed first.)
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(RepoPaths.Flagship))!.AsObject();
        root.Remove("correlations");
        string path = Write("flagship-uncorrelated.json", root.ToJsonString());
        var (code, output, err) = Run("evaluate", path, "--format", "json", "--set", "drivers.utilization=0");
        Assert.True(code == 0, err);
        Assert.DoesNotContain("NaN", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Infinity", output, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("kpis").GetProperty("cost_per_million_output_tokens_usd").ValueKind);
        Assert.Contains("utilization", doc.RootElement.GetProperty("null_reasons").GetProperty("cost_per_million_output_tokens_usd").GetString(), StringComparison.Ordinal);
    }
}
