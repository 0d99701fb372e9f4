using RiskSim.Core.Configuration;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.Support;

namespace RiskSim.Core.Tests.Configuration;

/// <summary>Bad configs: each error names its JSON path, and every error is listed at once.</summary>
public class ConfigLoaderTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string path)
    {
        var matching = errors.Where(e => e.Path == path).ToList();
        Assert.True(matching.Count == 1, $"expected one error at {path}; got: {string.Join(" | ", errors.Select(e => e.Format("test.json")))}");
        return matching[0];
    }

    [Fact]
    public void Minimal_test_config_is_valid()
    {
        var spec = TestConfig.Minimal().Load();
        Assert.Equal(1, spec.TotalGpus);
        Assert.Equal(2, spec.HorizonMonths);
        Assert.Equal(CostMode.Rate, spec.CostMode);
    }

    [Fact]
    public void Missing_required_field()
    {
        var e = Single(TestConfig.Minimal().Remove("drivers.utilization").Errors(), "drivers.utilization");
        Assert.Contains("required", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Negative_gpus()
    {
        var e = Single(TestConfig.Minimal().Set("deployment.units", -1).Errors(), "deployment.units");
        Assert.Equal("-1", e.Value);
        Assert.Contains("whole number", e.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Utilization_above_one()
    {
        var e = Single(TestConfig.Minimal().Set("drivers.utilization", 1.5).Errors(), "drivers.utilization");
        Assert.Contains("out of range", e.Message, StringComparison.Ordinal);
        Assert.Equal("1.5", e.Value);
        Assert.Contains("[0, 1]", e.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Pert_with_min_above_max()
    {
        var e = Single(TestConfig.Minimal().Set("drivers.utilization", """{"dist":"pert","min":0.9,"mode":0.6,"max":0.3}""").Errors(), "drivers.utilization");
        Assert.Contains("min ≤ mode ≤ max", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_distribution_name()
    {
        var e = Single(TestConfig.Minimal().Set("drivers.utilization", """{"dist":"gamma","shape":2}""").Errors(), "drivers.utilization.dist");
        Assert.Contains("unknown distribution", e.Message, StringComparison.Ordinal);
        Assert.Contains("pert", e.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Correlation_matrix_not_positive_semidefinite()
    {
        // Three inputs pairwise −0.9: eigenvalues of [[1,−.9,−.9],[−.9,1,−.9],[−.9,−.9,1]] are 1.9, 1.9 and 1 − 1.8 = −0.8.
        var cfg = TestConfig.Minimal()
            .Set("drivers.utilization", """{"dist":"uniform","min":0.5,"max":1}""")
            .Set("market.price_usd_per_million_output_tokens", """{"dist":"uniform","min":5,"max":15}""")
            .Set("market.price_erosion_annual", """{"dist":"uniform","min":0,"max":0.5}""")
            .Set("correlations", """
                [ {"inputs":["drivers.utilization","market.price_usd_per_million_output_tokens"],"rank_correlation":-0.9},
                  {"inputs":["drivers.utilization","market.price_erosion_annual"],"rank_correlation":-0.9},
                  {"inputs":["market.price_usd_per_million_output_tokens","market.price_erosion_annual"],"rank_correlation":-0.9} ]
                """);
        var e = Single(cfg.Errors(), "correlations");
        Assert.Contains("positive semi-definite", e.Message, StringComparison.Ordinal);
        Assert.Contains("-0.8", e.Value, StringComparison.Ordinal);

        // The same as a matrix: path correlation_matrix.
        var m = TestConfig.Minimal()
            .Set("drivers.utilization", """{"dist":"uniform","min":0.5,"max":1}""")
            .Set("market.price_usd_per_million_output_tokens", """{"dist":"uniform","min":5,"max":15}""")
            .Set("market.price_erosion_annual", """{"dist":"uniform","min":0,"max":0.5}""")
            .Set("correlation_matrix", """
                {"inputs":["drivers.utilization","market.price_usd_per_million_output_tokens","market.price_erosion_annual"],
                 "matrix":[[1,-0.9,-0.9],[-0.9,1,-0.9],[-0.9,-0.9,1]]}
                """);
        Assert.Contains("positive semi-definite", Single(m.Errors(), "correlation_matrix").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_for_a_number()
    {
        var e = Single(TestConfig.Minimal().Set("market.price_usd_per_million_output_tokens", "\"abc\"").Errors(), "market.price_usd_per_million_output_tokens");
        Assert.Contains("expected a number", e.Message, StringComparison.Ordinal);
        Assert.Equal("\"abc\"", e.Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n ")]
    public void Empty_file(string text)
    {
        var (spec, errors) = ConfigLoader.TryLoad(text);
        Assert.Null(spec);
        var e = Assert.Single(errors);
        Assert.Equal("", e.Path);
        Assert.Contains("empty", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_json()
    {
        var (spec, errors) = ConfigLoader.TryLoad("deployment: {units: 3}\n");
        Assert.Null(spec);
        var e = Assert.Single(errors);
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.Contains("line 1", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_that_is_not_an_object()
    {
        var (_, errors) = ConfigLoader.TryLoad("[1, 2]");
        Assert.Contains("JSON object", Assert.Single(errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Horizon_zero()
    {
        var e = Single(TestConfig.Minimal().Set("finance.horizon_months", 0).Errors(), "finance.horizon_months");
        Assert.Equal("0", e.Value);
    }

    [Fact]
    public void Unknown_field_and_unknown_section()
    {
        var errors = TestConfig.Minimal().Set("cost.colour", "\"red\"").Set("extras", "{}").Errors();
        Assert.Contains("unknown field", Single(errors, "cost.colour").Message, StringComparison.Ordinal);
        Assert.Contains("unknown top-level key", Single(errors, "extras").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Normal_on_a_bounded_field_needs_truncation()
    {
        var e = Single(TestConfig.Minimal().Set("drivers.utilization", """{"dist":"normal","mean":0.6,"sd":0.1}""").Errors(), "drivers.utilization");
        Assert.Contains("unbounded", e.Message, StringComparison.Ordinal);

        // Truncated to [0, 1] it is accepted.
        var spec = TestConfig.Minimal().Set("drivers.utilization", """{"dist":"normal","mean":0.6,"sd":0.1,"min":0,"max":1}""").Load();
        Assert.IsType<NormalDistribution>(spec[Param.Utilization].Distribution);
    }

    [Fact]
    public void Every_error_is_listed_at_once()
    {
        var cfg = TestConfig.Minimal()
            .Set("deployment.units", -1)
            .Set("drivers.utilization", 1.5)
            .Set("finance.horizon_months", 0)
            .Set("cost.colour", "\"red\"")
            .Set("market.price_usd_per_million_output_tokens", "\"abc\"")
            .Set("market.price_erosion_annual", """{"dist":"pert","min":0.9,"mode":0.6,"max":0.3}""")
            .Set("finance.tax_rate", """{"dist":"weibull"}""")
            .Remove("operating_point.output_tokens_per_request");
        string[] paths =
        [
            "deployment.units", "drivers.utilization", "finance.horizon_months", "cost.colour",
            "market.price_usd_per_million_output_tokens", "market.price_erosion_annual", "finance.tax_rate.dist",
            "operating_point.output_tokens_per_request",
        ];

        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(cfg.Json(), "bad.json"));
        foreach (var p in paths)
        {
            Single(ex.Errors, p);
            Assert.Contains($"bad.json: {p}: ", ex.Message, StringComparison.Ordinal);
        }

        Assert.Equal(paths.Length, ex.Errors.Count);
    }

    [Fact]
    public void Flagship_config_loads()
    {
        var spec = ConfigLoader.Load(File.ReadAllText(RepoPaths.Flagship), "flagship.json");
        Assert.Equal(72, spec.TotalGpus);
        Assert.Equal(CostMode.BuildUp, spec.CostMode);
        Assert.Equal(60, spec.HorizonMonths);

        // capex_usd_per_unit 5,000,000 over 72 GPUs per unit.
        Assert.Equal(5e6 / 72, spec[Param.CapexUsdPerGpu].BaseValue, 1e-6);
        Assert.IsType<PertDistribution>(spec[Param.Utilization].Distribution);
        Assert.Equal(2, spec.Correlations.Length);
        Assert.Equal(3, spec.Gates.Length);
        Assert.Equal(new[] { 12, 24, 36 }, spec.Simulation.PaybackWithinMonths.ToArray());
    }

    [Fact]
    public void Set_overrides_apply_before_validation()
    {
        string json = TestConfig.Minimal().Json();
        var spec = ConfigLoader.Load(json, "t.json", ["drivers.utilization=0.25", "finance.horizon_months=12", "deployment.accelerator=H100 SXM"]);
        Assert.Equal(0.25, spec[Param.Utilization].BaseValue);
        Assert.Equal(12, spec.HorizonMonths);
        Assert.Equal("H100 SXM", spec.Accelerator);

        // A distribution as the value; a new field in an existing section.
        var s2 = ConfigLoader.Load(json, "t.json", ["""market.price_erosion_annual={"dist":"uniform","min":0.1,"max":0.3}"""]);
        Assert.Equal(0.2, s2[Param.PriceErosionAnnual].BaseValue, 1e-15);

        // The override changes the hash (provenance).
        Assert.NotEqual(ConfigLoader.Load(json, "t.json").ConfigHash, spec.ConfigHash);
    }

    [Fact]
    public void Set_overrides_are_validated_like_the_file()
    {
        string json = TestConfig.Minimal().Json();
        var (_, errors) = ConfigLoader.TryLoad(json, ["drivers.utilization=1.5"]);
        Assert.Contains("out of range", Single(errors, "drivers.utilization").Message, StringComparison.Ordinal);

        var (_, bad) = ConfigLoader.TryLoad(json, ["no-equals-sign"]);
        Assert.Equal("--set", Assert.Single(bad).Path);
    }
    [Fact]
    public void An_invalid_correlated_input_is_reported_once_not_again_as_fixed()
    {
        // min > max in a correlated PERT: one error on the input, none on the correlation that names it.
        var root = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(RepoPaths.Flagship))!;
        root["drivers"]!["utilization"] = System.Text.Json.Nodes.JsonNode.Parse("""{"dist":"pert","min":0.9,"mode":0.65,"max":0.35}""");
        var (_, errors) = ConfigLoader.TryLoad(root.ToJsonString());
        Assert.Equal("drivers.utilization", Assert.Single(errors).Path);
    }

    [Fact]
    public void Correlating_a_fixed_or_unknown_input_is_an_error()
    {
        var errors = TestConfig.Minimal()
            .Set("correlations", """[ {"inputs":["drivers.utilization","market.no_such_input"],"rank_correlation":0.5} ]""")
            .Errors();
        Assert.Contains("fixed", Single(errors, "correlations[0].inputs[0]").Message, StringComparison.Ordinal);
        Assert.Contains("unknown input", Single(errors, "correlations[0].inputs[1]").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gate_with_unknown_metric_or_operator()
    {
        var errors = TestConfig.Minimal()
            .Set("gates", """[ {"metric":"npv_usd.p11","op":">=","value":0}, {"metric":"npv_usd.p10","op":">","value":0} ]""")
            .Errors();
        Single(errors, "gates[0].metric");
        Single(errors, "gates[1].op");
    }

    [Fact]
    public void Rate_mode_rejects_capex_and_build_up_needs_it()
    {
        var rate = TestConfig.Minimal().Set("cost.capex_usd_per_gpu", 30000).Errors();
        Assert.Contains("not used", Single(rate, "cost.capex_usd_per_gpu").Message, StringComparison.Ordinal);

        var bu = TestConfig.MinimalBuildUp().Remove("cost.capex_usd_per_gpu").Remove("cost.gpu_power_active_w").Errors();
        Single(bu, "cost.capex_usd_per_gpu");
        Single(bu, "cost.gpu_power_active_w");
    }
}

public sealed class SetOverrideCorrelationTests
{
    [Fact]
    public void Fixing_a_correlated_input_with_set_drops_its_correlations_and_says_so()
    {
        string json = File.ReadAllText(RepoPaths.Flagship);
        var spec = RiskSim.Core.Configuration.ConfigLoader.Load(json, "flagship", ["drivers.utilization=0.7"]);
        Assert.Equal(0.7, spec[RiskSim.Core.Spec.Param.Utilization].BaseValue);
        Assert.DoesNotContain(spec.Correlations, c => c.A == "drivers.utilization" || c.B == "drivers.utilization");
        Assert.Contains(spec.Correlations, c => c.A == "market.price_erosion_annual" && c.B == "drivers.software_multiplier_ceiling");
        Assert.Contains("dropped", spec.Notes["correlation.drivers.utilization"], StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_file_that_correlates_a_fixed_input_is_still_an_error()
    {
        string json = File.ReadAllText(RepoPaths.Flagship)
            .Replace("\"utilization\": { \"dist\": \"pert\", \"min\": 0.35, \"mode\": 0.65, \"max\": 0.9 }", "\"utilization\": 0.7", StringComparison.Ordinal);
        var (spec, errors) = RiskSim.Core.Configuration.ConfigLoader.TryLoad(json);
        Assert.Null(spec);
        Assert.Contains(errors, e => e.Path.StartsWith("correlations[1].inputs", StringComparison.Ordinal) && e.Message.Contains("fixed", StringComparison.Ordinal));
    }
}
