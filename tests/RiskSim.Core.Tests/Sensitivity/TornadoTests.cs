using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Sensitivity;

public class TornadoTests
{
    private const double Tol = 1e-6;

    [Fact]
    public void Linear_model_bars_have_closed_form_values_and_order()
    {
        var spec = TestConfigs.Load();
        var t = Tornado.Compute(spec, TrialKpis.Npv);

        // Uniform P10/P90: ρ 0.44/0.76, P 1.2/2.8, c 1.6/2.4; base 0.6, 2, 2.
        Assert.True(t.Exists);
        Assert.Equal(TestConfigs.Npv(0.6, 2, 2), t.BaseValue, Tol);
        Assert.Equal(["market.price_usd_per_million_output_tokens", "drivers.utilization", "cost.all_in_usd_per_gpu_hour"], t.Bars.Select(b => b.Input.Key));

        var price = t.Bars[0];
        Assert.Equal(1.2, price.LowValues[0], 12);
        Assert.Equal(2.8, price.HighValues[0], 12);
        Assert.Equal(TestConfigs.Npv(0.6, 1.2, 2), price.KpiAtLow, Tol);
        Assert.Equal(TestConfigs.Npv(0.6, 2.8, 2), price.KpiAtHigh, Tol);
        Assert.Equal(TestConfigs.K * 3.6 * 0.6 * 1.6, price.Swing, Tol); // 242,196.48

        var util = t.Bars[1];
        Assert.Equal(TestConfigs.K * 3.6 * 2 * 0.32, util.Swing, Tol); // 161,464.32
        Assert.Equal(TestConfigs.Npv(0.44, 2, 2), util.KpiAtLow, Tol);

        var rate = t.Bars[2];
        Assert.Equal(TestConfigs.K * 0.8, rate.Swing, Tol); // 56,064
        Assert.True(rate.KpiAtLow > rate.KpiAtHigh, "a higher rate lowers NPV");
        Assert.Equal(TestConfigs.Npv(0.6, 2, 1.6), rate.KpiAtLow, Tol);
    }

    [Fact]
    public void Roi_and_payback_do_not_exist_in_rate_mode()
    {
        var spec = TestConfigs.Load();
        foreach (int k in new[] { TrialKpis.NetRoi, TrialKpis.Payback })
        {
            var t = Tornado.Compute(spec, k);
            Assert.False(t.Exists);
            Assert.Empty(t.Bars);
            Assert.Contains("does not exist", t.Note, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Spider_is_linear_in_the_percentile_for_uniform_inputs_and_passes_through_base()
    {
        var spec = TestConfigs.Load();
        var t = Tornado.Compute(spec, TrialKpis.Npv);
        var s = Tornado.Spider(spec, t);
        Assert.Equal(9, s.Percentiles.Length);
        Assert.Equal(3, s.Lines.Length);
        var price = s.Lines[0];
        for (int i = 0; i < 9; i++)
        {
            double q = s.Percentiles[i];
            Assert.Equal(TestConfigs.Npv(0.6, 1 + 2 * q, 2), price.KpiValues[i], Tol);
        }

        foreach (var line in s.Lines)
        {
            Assert.Equal(t.BaseValue, line.KpiValues[4], Tol); // the median
        }
    }

    [Fact]
    public void Software_curve_is_one_bar_moving_ceiling_and_time_constant_together()
    {
        var spec = TestConfigs.Load(software: true);
        var t = Tornado.Compute(spec, TrialKpis.Npv);
        Assert.DoesNotContain(t.Bars, b => b.Input.Key is "drivers.software_multiplier_ceiling" or "drivers.software_time_constant_months");
        var g = Assert.Single(t.Bars, b => b.Input.Key == Tornado.SoftwareCurveKey);
        Assert.Equal(Tornado.SoftwareCurveLabel, g.Input.Label);
        Assert.Equal([Param.SoftwareCeiling, Param.SoftwareTimeConstantMonths], g.Input.Members.Select(m => m.Param));

        // Weak curve (M at P10, τ at P90) lowers NPV; strong (M at P90, τ at P10) raises it.
        Assert.Equal(1.2, g.LowValues[0], 12);
        Assert.Equal(9.2, g.LowValues[1], 12);
        Assert.Equal(2.8, g.HighValues[0], 12);
        Assert.Equal(2.8, g.HighValues[1], 12);
        Assert.True(g.KpiAtHigh > g.KpiAtLow);

        var p = spec.BaseValues();
        p[(int)Param.SoftwareCeiling] = 2.8;
        p[(int)Param.SoftwareTimeConstantMonths] = 2.8;
        Assert.Equal(ReferenceModel.Evaluate(new ModelContext(spec), p).Npv, g.KpiAtHigh, Tol);
        Assert.Contains("M 1.2 (P10)", g.LowText, StringComparison.Ordinal);
        Assert.Contains("τ 9.2 (P90)", g.LowText, StringComparison.Ordinal);

        var ungrouped = Tornado.Compute(spec, TrialKpis.Npv, new TornadoOptions(GroupSoftwareCurve: false));
        Assert.Contains(ungrouped.Bars, b => b.Input.Key == "drivers.software_multiplier_ceiling");
        Assert.Contains(ungrouped.Bars, b => b.Input.Key == "drivers.software_time_constant_months");
        Assert.DoesNotContain(ungrouped.Bars, b => b.Input.IsGroup);
    }

    [Fact]
    public void Bars_are_sorted_by_swing()
    {
        var spec = TestConfigs.Load(software: true);
        var t = Tornado.Compute(spec, TrialKpis.Npv);
        for (int i = 1; i < t.Bars.Length; i++)
        {
            Assert.True(t.Bars[i - 1].Swing >= t.Bars[i].Swing);
        }
    }

    [Fact]
    public void Payback_never_is_labelled_NaN_and_swings_at_the_horizon()
    {
        // Build-up: capex 100,000 per GPU, 12 months; at low utilization the GPU never pays back.
        const string json = """
            {
              "schema_version": 1, "name": "payback-never", "description": "",
              "deployment": { "accelerator": "Test GPU", "gpus_per_unit": 1, "units": 1 },
              "cost": { "mode": "build_up", "capex_usd_per_gpu": 100000, "gpu_power_active_w": 700, "gpu_power_idle_w": 100, "electricity_usd_per_kwh": 0.1 },
              "operating_point": { "output_tokens_per_s_per_gpu": 1000, "input_tokens_per_request": 0, "output_tokens_per_request": 100 },
              "market": { "price_usd_per_million_input_tokens": 0, "price_usd_per_million_output_tokens": 5 },
              "drivers": { "utilization": { "dist": "uniform", "min": 0.1, "max": 1.0 } },
              "finance": { "horizon_months": 12, "discount_rate_annual": 0, "tax_rate": 0 }
            }
            """;
        var spec = RiskSim.Core.Configuration.ConfigLoader.Load(json, "never.json");
        var t = Tornado.Compute(spec, TrialKpis.Payback);
        var bar = Assert.Single(t.Bars);
        Assert.True(double.IsNaN(bar.KpiAtLow), "P10 utilization 0.19 never pays back within 12 months");
        Assert.Equal(12, bar.SwingLow);
        Assert.False(double.IsNaN(bar.KpiAtHigh));
        Assert.Equal(12 - bar.KpiAtHigh, bar.Swing, 9);
        Assert.Contains("never", t.Note, StringComparison.Ordinal);

        var chart = RiskSim.Reporting.ChartBundles.ToTornadoData(t, spec)!;
        var cb = Assert.Single(chart.Bars);
        Assert.Equal(12, cb.KpiAtLow);
        Assert.Contains("never pays back at P10", cb.Label, StringComparison.Ordinal);
        Assert.Equal("Payback", chart.KpiTitle); // the unit is added once, by the chart
        Assert.Contains("drawn at 12 months", chart.Footnote, StringComparison.Ordinal);
        string csv = RiskSim.Reporting.SensitivityExport.TornadoCsv([t]);
        Assert.Contains("payback_months,1,drivers.utilization,utilization,0.19,", csv, StringComparison.Ordinal);
        Assert.Contains(",,", csv.Split('\n')[1], StringComparison.Ordinal); // empty kpi_at_low = never
    }
}
