using System.Text;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.Support;

namespace RiskSim.Core.Tests.Configuration;

/// <summary>
/// Regressions of issue 16: configs that crashed or that validation judged differently from the run. Each expectation
/// is derived by hand from the minimal test configs (<see cref="TestConfig"/>).
/// </summary>
public sealed class ConfigHardeningTests
{
    private static ConfigError Single(IReadOnlyList<ConfigError> errors, string path)
    {
        var matching = errors.Where(e => e.Path == path).ToList();
        Assert.True(matching.Count == 1, $"expected one error at {path}; got: {string.Join(" | ", errors.Select(e => e.Format("test.json")))}");
        return matching[0];
    }

    private static IReadOnlyList<ConfigError> ErrorsOf(string json, params string[] overrides)
    {
        var (spec, errors) = ConfigLoader.TryLoad(json, overrides);
        Assert.Null(spec);
        return errors;
    }

    [Fact]
    public void Duplicate_keys_are_errors_with_their_json_path()
    {
        string json = TestConfig.Minimal().Set("gates", """[{"metric": "npv_usd.p10", "op": ">=", "value": 0}]""").Json()
            .Replace("\"units\":1", "\"units\":4,\"units\":5", StringComparison.Ordinal)
            .Replace("\"metric\":\"npv_usd.p10\"", "\"metric\":\"npv_usd.p10\",\"metric\":\"npv_usd.p50\"", StringComparison.Ordinal);
        var errors = ErrorsOf(json);
        Assert.Equal(2, errors.Count);
        Assert.Contains("duplicate key", Single(errors, "deployment.units").Message, StringComparison.Ordinal);
        Assert.Equal("\"metric\"", Single(errors, "gates[0].metric").Value);
    }

    [Fact]
    public void Duplicate_keys_inside_nested_arrays_name_the_element()
    {
        string json = TestConfig.Minimal().Set("correlation_matrix", """{"inputs": [], "matrix": [[1], [{"a": 1}]]}""").Json()
            .Replace("{\"a\":1}", "{\"a\":1,\"a\":2}", StringComparison.Ordinal);
        Single(ErrorsOf(json), "correlation_matrix.matrix[1][0].a");
    }

    [Fact]
    public void Messages_quote_the_json_as_written()
    {
        var e = Single(TestConfig.Minimal().Set("gates", """[{"metric": "npv_usd.p10", "op": ">", "value": 0}]""").Errors(), "gates[0].op");
        Assert.Equal("\">\"", e.Value);
    }

    [Fact]
    public void A_gate_label_must_be_a_string()
    {
        var e = Single(TestConfig.Minimal().Set("gates", """[{"metric": "npv_usd.p10", "op": ">=", "value": 0, "label": 12345}]""").Errors(), "gates[0].label");
        Assert.Equal("12345", e.Value);
    }

    [Fact]
    public void Json_null_is_an_error_in_the_file_and_removes_a_field_with_set()
    {
        Assert.Contains("null is not a value", Single(TestConfig.Minimal().Set("drivers.availability", "null").Errors(), "drivers.availability").Message, StringComparison.Ordinal);
        var spec = ConfigLoader.Load(TestConfig.Minimal().Set("drivers.availability", 0.5).Json(), "t.json", ["drivers.availability=null"]);
        Assert.Equal(1, spec[Param.Availability].BaseValue); // the default
    }

    [Theory]
    [InlineData(65, false)]
    [InlineData(64, true)]
    public void Names_are_at_most_64_utf8_bytes(int length, bool ok)
    {
        var config = TestConfig.Minimal().Set("name", $"\"{new string('n', length)}\"");
        if (ok)
        {
            Assert.Equal(64, config.Load().Name.Length);
        }
        else
        {
            var e = Single(config.Errors(), "name");
            Assert.Contains("65 bytes", e.Message, StringComparison.Ordinal);
            Assert.Contains("64 bytes", e.Allowed, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("\"team a/b\"", "'/'")]
    [InlineData("\"team a:b\"", "':'")]
    [InlineData("\"a\\u001b[2Jb\"", "U+001B")]
    [InlineData("\"a\\u202eb\"", "U+202E")] // right-to-left override: reorders what a console shows
    [InlineData("\" padded\"", "white space")]
    [InlineData("\"...\"", "letter or digit")]
    [InlineData("\"\"", "letter or digit")]
    public void Names_that_cannot_name_a_folder_or_print_safely_are_errors(string json, string why)
    {
        Assert.Contains(why, Single(TestConfig.Minimal().Set("name", json).Errors(), "name").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_of_32_accented_letters_is_64_bytes_and_33_are_too_many()
    {
        Assert.Equal(32, TestConfig.Minimal().Set("name", $"\"{new string('é', 32)}\"").Load().Name.Length);
        Assert.Contains("66 bytes", Single(TestConfig.Minimal().Set("name", $"\"{new string('é', 33)}\"").Errors(), "name").Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("net_roi.p50")]
    [InlineData("revenue_multiple.mean")]
    [InlineData("payback_months.prob_within_24")]
    [InlineData("discounted_payback_months.p50")]
    [InlineData("irr_annual.p10")]
    public void Rate_mode_gates_on_capex_kpis_are_validation_errors(string metric)
    {
        // The minimal config is in rate mode: no capex, so these KPIs are null in every trial.
        var e = Single(TestConfig.Minimal().Set("gates", $$"""[{"metric": "npv_usd.p10", "op": ">=", "value": 0}, {"metric": "{{metric}}", "op": ">=", "value": 0}]""").Errors(), "gates[1].metric");
        Assert.Contains("could never be evaluated", e.Message, StringComparison.Ordinal);
        Assert.Contains("rate", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Gates_on_kpis_a_config_has_stay_valid()
    {
        var spec = TestConfig.MinimalBuildUp().Set("gates", """[{"metric": "net_roi.p50", "op": ">=", "value": 0}, {"metric": "horizon_energy_cost_per_revenue_dollar.p50", "op": "<=", "value": 1}]""").Load();
        Assert.Equal(2, spec.Gates.Length);
    }

    [Fact]
    public void Energy_gates_without_power_and_margin_gates_without_revenue_are_errors()
    {
        Assert.Contains("no power", Single(TestConfig.Minimal().Set("gates", """[{"metric": "horizon_energy_cost_per_revenue_dollar.p50", "op": "<=", "value": 1}]""").Errors(), "gates[0].metric").Message, StringComparison.Ordinal);
        var free = TestConfig.Minimal().Set("market.price_usd_per_million_output_tokens", 0).Set("gates", """[{"metric": "horizon_gross_margin_pct.p50", "op": ">=", "value": 0}]""");
        Assert.Contains("no revenue", Single(free.Errors(), "gates[0].metric").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Output_tokens_per_request_below_one_is_out_of_range()
    {
        var e = Single(TestConfig.Minimal().Set("operating_point.output_tokens_per_request", 5e-324).Errors(), "operating_point.output_tokens_per_request");
        Assert.Contains("[1, 10000000]", e.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Correlation_errors_name_the_uncertain_inputs_that_failed_to_load()
    {
        // Utilization's PERT is broken (min > max), so no input loaded as uncertain; the message names it anyway.
        var errors = TestConfig.Minimal()
            .Set("drivers.utilization", """{"dist": "pert", "min": 0.9, "mode": 0.5, "max": 0.3}""")
            .Set("correlations", """[{"inputs": ["drivers.utilization", "cost.pue"], "rank_correlation": 0.5}]""").Errors();
        var e = Single(errors, "correlations[0].inputs[1]");
        Assert.Contains("drivers.utilization (once its errors are fixed)", e.Allowed, StringComparison.Ordinal);
        Assert.DoesNotContain("no uncertain inputs", e.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_without_uncertain_inputs_says_so()
    {
        var e = Single(TestConfig.Minimal().Set("correlations", """[{"inputs": ["drivers.utilization", "cost.pue"], "rank_correlation": 0.5}]""").Errors(), "correlations[0].inputs[0]");
        Assert.Contains("this config has none", e.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void Huge_deployments_count_gpus_without_overflow()
    {
        var spec = TestConfig.Minimal().Set("deployment.gpus_per_unit", 100_000).Set("deployment.units", 10_000_000).Load();
        Assert.Equal(1_000_000_000_000L, spec.TotalGpus);
    }

    // The minimal build-up config by hand: 1 GPU, 1,000 tok/s at 10 USD/Mtok output, utilization 1, 2 months of 730 h:
    // revenue 1000·3600·730·10/10⁶ = 26,280 USD a month; 1 kW at 0.10 USD/kWh: 73 USD a month; no tax, no discounting,
    // economic life = horizon, no salvage, so no terminal value. Cash flow 26,207 a month.
    private const double MonthlyCashFlow = 26_280 - 73;

    [Fact]
    public void Roi_is_measured_against_a_capex_of_one_dollar()
    {
        var o = Evaluation.Evaluate(TestConfig.MinimalBuildUp().Set("cost.capex_usd_per_gpu", 1).Load()).Outcome;
        Assert.Equal((-1 + (2 * MonthlyCashFlow)) / 1, o.NetRoi, 1e-9);
        Assert.Equal(2 * 26_280, o.RevenueMultiple, 1e-9);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(1e-300)]
    [InlineData(5e-324)]
    public void Roi_under_a_dollar_of_capex_is_null_with_a_reason(double capex)
    {
        var spec = TestConfig.MinimalBuildUp().Set("cost.capex_usd_per_gpu", capex).Load();
        var b = Evaluation.Evaluate(spec);
        Assert.True(double.IsNaN(b.Outcome.NetRoi) && double.IsNaN(b.Outcome.RevenueMultiple));
        Assert.Equal(-capex + (2 * MonthlyCashFlow), b.Outcome.Npv, 1e-9);
        Assert.Null(b["net_roi"].Value);
        Assert.Contains("capex under 1 USD", b["net_roi"].Reason, StringComparison.Ordinal);

        var r = MonteCarloEngine.Run(spec, new RunOptions(100, 1, SamplingMethod.MonteCarlo, 1));
        Assert.Equal(100, r["net_roi"].Nulls);
        Assert.Null(r["net_roi"].Mean);
        Assert.Equal(-capex + (2 * MonthlyCashFlow), r["npv_usd"].Mean!.Value, 1e-9);
    }

    [Theory]
    [InlineData("drivers.utilization", 1e-300)]
    [InlineData("drivers.availability", 1e-300)]
    [InlineData("operating_point.output_tokens_per_s_per_gpu", 5e-324)]
    [InlineData("drivers.demand_cap_output_tokens_per_s", 1e-300)]
    public void Almost_no_tokens_sold_leaves_the_ratio_kpis_null_and_every_statistic_finite(string path, double value)
    {
        // Revenue 26,280·x USD and x·5.256e9 tokens for x ≈ 1e-300: under one dollar and one token, so the levelized cost,
        // the energy share and the gross margin do not exist; NPV ≈ −capex − 2 months of idle power cost … all finite.
        var spec = TestConfig.MinimalBuildUp().Set(path, value).Load();
        var r = MonteCarloEngine.Run(spec, new RunOptions(2_000, 7, SamplingMethod.LatinHypercube, 2));
        foreach (string key in new[] { "levelized_cost_per_million_output_tokens_usd", "horizon_energy_cost_per_revenue_dollar", "horizon_gross_margin_pct" })
        {
            Assert.Equal(2_000, r[key].Nulls);
        }

        foreach (var s in r.Statistics)
        {
            foreach (double? v in new[] { s.Mean, s.Sd, s.StandardError, s.Min, s.Max, s.ExpectedShortfall10 }.Concat(s.Percentiles.SelectMany(p => new[] { p.Value, p.CiLow, p.CiHigh })))
            {
                Assert.True(v is null || double.IsFinite(v.Value), $"{s.Kpi.Key}: {v}");
            }
        }

        var b = Evaluation.Evaluate(spec);
        Assert.All(b.Kpis, k => Assert.True(k.Value is null ? k.Reason is not null : double.IsFinite(k.Value.Value), k.Key));
    }

    [Fact]
    public void A_run_cancelled_before_any_block_finished_throws_instead_of_aggregating_nothing()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var spec = TestConfig.MinimalBuildUp().Load();
        var ex = Assert.ThrowsAny<OperationCanceledException>(() => MonteCarloEngine.Run(spec, new RunOptions(50_000, 1, SamplingMethod.LatinHypercube, 2), cancellation: cts.Token));
        Assert.Equal(cts.Token, ex.CancellationToken);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(61)]
    [InlineData(95)]
    [InlineData(120)]
    [InlineData(240)]
    [InlineData(600)]
    public void Every_horizon_evaluates_with_irr(int months)
    {
        var spec = TestConfig.MinimalBuildUp().Set("finance.horizon_months", months).Set("finance.discount_rate_annual", 0.1).Load();
        var b = Evaluation.Evaluate(spec);
        // −12,000 then 26,207 a month (no tax, no terminal value): the IRR solves 12,000 = 26,207·Σ δ^t; for one month
        // δ = 12,000 / 26,207, r = 26,207 / 12,000 − 1 ≈ 118 % a month; a longer horizon only adds positive flows.
        Assert.NotNull(b["irr_annual"].Value);
        if (months == 1)
        {
            Assert.Equal(Math.Pow(MonthlyCashFlow / 12_000, 12) - 1, b["irr_annual"].Value!.Value, 1e-9 * Math.Pow(MonthlyCashFlow / 12_000, 12));
        }
    }
}
