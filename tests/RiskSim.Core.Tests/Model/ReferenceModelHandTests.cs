using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.Support;

namespace RiskSim.Core.Tests.Model;

/// <summary>
/// Tiny configs whose cash flows are computed by hand (working in the comments). Common numbers:
/// one GPU at 1,000 output tok/s serves 1,000 × 3,600 × 730 = 2,628,000,000 tokens in a 730-hour month
/// at utilization 1.
/// </summary>
public class ReferenceModelHandTests
{
    private const double TokensPerMonth = 1000.0 * 3600 * 730; // 2.628e9

    private static void Near(double expected, double actual, double rel = 1e-12) =>
        Assert.Equal(expected, actual, rel * Math.Max(1, Math.Abs(expected)));

    private static double Kpi(BaseCase b, string key) => b[key].Value ?? throw new Xunit.Sdk.XunitException($"{key} is null: {b[key].Reason}");

    [Fact]
    public void Rate_mode_two_months_cash_flows_by_hand()
    {
        // 2,000 input tokens per 1,000 output at 1 USD/Mtok input, 10 USD/Mtok output:
        // revenue per output token = (10 + 2 × 1) / 10⁶ → per month 2.628e9 × 12e-6 = 31,536 USD.
        // Rate: 2 USD/GPU-hour × 730 h = 1,460 USD/month. CF = [0, 30,076, 30,076]; NPV at 0 % = 60,152.
        var spec = TestConfig.Minimal()
            .Set("operating_point.input_tokens_per_request", 2000)
            .Set("market.price_usd_per_million_input_tokens", 1)
            .Load();
        var b = Evaluation.Evaluate(spec);

        Assert.Equal(3, b.CashFlows.Length);
        Near(0, b.CashFlows[0]);
        Near(30_076, b.CashFlows[1]);
        Near(30_076, b.CashFlows[2]);
        Near(60_152, Kpi(b, "npv_usd"));
        Near(63_072, Kpi(b, "total_revenue_usd"));
        Near(2_920, Kpi(b, "total_opex_usd"));
        Near(0, Kpi(b, "total_capex_usd"));
        Near(0, Kpi(b, "total_tax_usd"));

        // No capex: no sign change (IRR null), no payback, no ROI.
        Assert.Null(b["irr_annual"].Value);
        Assert.Null(b["payback_months"].Value);
        Assert.Null(b["net_roi"].Value);
        Assert.Null(b["revenue_multiple"].Value);
    }

    [Fact]
    public void Rate_mode_unit_economics_by_hand()
    {
        // 2 USD/GPU-hour, 1,000 output tok/s, 2,000 in / 1,000 out per request → 1 request/s,
        // input tok/s defaults to 1,000 × 2,000/1,000 = 2,000.
        var spec = TestConfig.Minimal()
            .Set("operating_point.input_tokens_per_request", 2000)
            .Set("market.price_usd_per_million_input_tokens", 1)
            .Load();
        var b = Evaluation.Evaluate(spec);

        Near(2.0, Kpi(b, "cost_per_gpu_hour_usd"));

        // InferenceX: 277.78 × $/GPU-hr / tok/s = 277.78 × 2 / 1000 = 0.55556 (277.78 is 10⁶/3600 rounded).
        Assert.Equal(277.78 * 2 / 1000, Kpi(b, "cost_per_million_output_tokens_usd"), 1e-4 * 0.5556);
        Near(2.0 / (1000 * 3600) * 1e6, Kpi(b, "cost_per_million_output_tokens_usd"));

        // total tokens: 2 / (3,000 × 3,600) × 10⁶ = 0.185185…
        Near(2.0 / (3000 * 3600) * 1e6, Kpi(b, "cost_per_million_total_tokens_usd"));

        // per query: 1 req/s → 2 USD / 3,600 requests; revenue (2,000 × 1 + 1,000 × 10)/10⁶ = 0.012 USD.
        Near(2.0 / 3600, Kpi(b, "cost_per_query_usd"));
        Near(0.012, Kpi(b, "revenue_per_query_usd"));
        Near((0.012 - 2.0 / 3600) / 0.012 * 100, Kpi(b, "gross_margin_pct"));

        // 3,600 requests × 0.012 = 43.2 USD per GPU-hour at utilization 1.
        Near(43.2, Kpi(b, "revenue_capacity_per_gpu_hour_usd"));

        // gross-margin-zero output price: (cost/query − 2,000 × 1e-6) / 1,000 × 10⁶ = (5.5556e-4 − 2e-3) < 0 → 0.
        Near(0, Kpi(b, "break_even_price_gross_margin_zero_per_million_output_tokens_usd"));
    }

    [Fact]
    public void Cost_per_million_tokens_at_half_utilization_doubles()
    {
        // 2 / (1,000 × 3,600 × 0.5) × 10⁶ = 1.1111; revenue halves (13,140) but the rate is paid on every
        // provisioned hour: CF = 13,140 − 1,460 = 11,680 per month.
        var b = Evaluation.Evaluate(TestConfig.Minimal().Set("drivers.utilization", 0.5).Load());
        Near(2.0 / 1800 * 1e6 / 1000, Kpi(b, "cost_per_million_output_tokens_usd"));
        Near(11_680, b.CashFlows[1]);
        Near(11_680, b.CashFlows[2]);
    }

    [Fact]
    public void Availability_multiplies_utilization()
    {
        // utilization 0.8 × availability 0.5 = 0.4 → revenue 0.4 × 26,280 = 10,512; CF = 10,512 − 1,460 = 9,052.
        var b = Evaluation.Evaluate(TestConfig.Minimal().Set("drivers.utilization", 0.8).Set("drivers.availability", 0.5).Load());
        Near(9_052, b.CashFlows[1]);
    }

    [Fact]
    public void Utilization_ramp_is_linear()
    {
        // ramp 2 months: month 1 serves at 1/2 → 13,140 − 1,460 = 11,680; month 2 at 1 → 26,280 − 1,460 = 24,820.
        var b = Evaluation.Evaluate(TestConfig.Minimal().Set("drivers.utilization_ramp_months", 2).Load());
        Near(11_680, b.CashFlows[1]);
        Near(24_820, b.CashFlows[2]);
    }

    [Fact]
    public void Price_erosion_and_software_multiplier_by_hand()
    {
        // erosion 50 %/year: month t has price 10 × 0.5^((t−1)/12): month 13 → 5, month 7 → 10/√2.
        // m(t) = 1 + (3 − 1)(1 − e^(−(t−1)/2)): month 1 → 1, month 3 → 1 + 2(1 − e^−1).
        var b = Evaluation.Evaluate(TestConfig.Minimal()
            .Set("finance.horizon_months", 13)
            .Set("market.price_erosion_annual", 0.5)
            .Set("drivers.software_multiplier_ceiling", 3)
            .Set("drivers.software_time_constant_months", 2)
            .Load());
        Near(10, b.Months[1].PricePerMillionOutput);
        Near(10 / Math.Sqrt(2), b.Months[7].PricePerMillionOutput);
        Near(5, b.Months[13].PricePerMillionOutput);
        Near(1, b.Months[1].SoftwareMultiplier);
        double m3 = 1 + 2 * (1 - Math.Exp(-1));
        Near(m3, b.Months[3].SoftwareMultiplier);

        // Supply-limited: month 3 sells m3 × 2.628e9 tokens at 10 × 0.5^(2/12) USD/Mtok.
        Near(m3 * TokensPerMonth, b.Months[3].OutputTokensSold);
        Near(m3 * TokensPerMonth * 10e-6 * Math.Pow(0.5, 2.0 / 12), b.Months[3].Revenue, 1e-11);
    }

    [Fact]
    public void Demand_cap_limits_tokens_sold()
    {
        // cap 250 tok/s fleet-wide → 250 × 3,600 × 730 = 657,000,000 tokens; revenue 6,570; CF = 5,110.
        var b = Evaluation.Evaluate(TestConfig.Minimal().Set("drivers.demand_cap_output_tokens_per_s", 250).Load());
        Near(657_000_000, b.Months[1].OutputTokensSold);
        Near(0.25, b.Months[1].Utilization);
        Near(5_110, b.CashFlows[1]);
    }

    /// <summary>
    /// build_up, 1 GPU, capex 12,000, 1,000 W at the facility boundary, 0 W idle, 0.10 USD/kWh, 10 USD/Mtok,
    /// tax 25 % with MACRS 5-year, economic life 24 months, horizon 2.
    ///   revenue/month = 2.628e9 × 10e-6 = 26,280; electricity = 1 kW × 730 h × 0.10 = 73
    ///   tax depreciation/month = 12,000 × 20 % / 12 = 200
    ///   tax/month = 0.25 × (26,280 − 73 − 200) = 6,501.75 → CF1 = 26,280 − 73 − 6,501.75 = 19,705.25
    ///   terminal value = 12,000 − 12,000 × 2/24 = 11,000; tax basis = 12,000 − 400 = 11,600;
    ///   tax on sale = 0.25 × (11,000 − 11,600) = −150 → CF2 = 19,705.25 + 11,000 + 150 = 30,855.25
    ///   NPV at 0 % = −12,000 + 19,705.25 + 30,855.25 = 38,560.5; total tax = 2 × 6,501.75 − 150 = 12,853.5.
    /// </summary>
    private static TestConfig BuildUpTaxed() => TestConfig.MinimalBuildUp()
        .Set("finance.tax_rate", 0.25)
        .Set("finance.tax_depreciation", "\"macrs5\"")
        .Set("cost.economic_life_months", 24);

    [Fact]
    public void Build_up_with_MACRS_and_tax_by_hand()
    {
        var b = Evaluation.Evaluate(BuildUpTaxed().Load());
        Near(-12_000, b.CashFlows[0]);
        Near(19_705.25, b.CashFlows[1]);
        Near(30_855.25, b.CashFlows[2]);
        Near(38_560.5, Kpi(b, "npv_usd"));
        Near(12_853.5, Kpi(b, "total_tax_usd"));
        Near(11_000, Kpi(b, "terminal_value_usd"));
        Near(200, b.Months[1].TaxDepreciation);
        Near(146, Kpi(b, "total_opex_usd"));
        Near(146, Kpi(b, "total_electricity_usd"));

        // payback: 12,000 / 19,705.25 of month 1; ROI = 38,560.5 / 12,000; revenue multiple = 52,560 / 12,000.
        Near(12_000 / 19_705.25, Kpi(b, "payback_months"));
        Near(38_560.5 / 12_000, Kpi(b, "net_roi"));
        Near(52_560.0 / 12_000, Kpi(b, "revenue_multiple"));

        // levelized (pre-tax, 0 %): (12,000 + 146 − 11,000) / (2 × 2.628e9) × 10⁶ = 0.218036…
        Near(1146 / (2 * TokensPerMonth) * 1e6, Kpi(b, "levelized_cost_per_million_output_tokens_usd"));

        // gross margin: book depreciation (12,000 − 0)/24 × 2 = 1,000 → (52,560 − 146 − 1,000)/52,560 × 100.
        Near((52_560.0 - 146 - 1000) / 52_560 * 100, Kpi(b, "horizon_gross_margin_pct"));
        Near(146.0 / 52_560, Kpi(b, "horizon_energy_cost_per_revenue_dollar"));
    }

    [Fact]
    public void Build_up_NPV_discounts_months_at_the_monthly_rate()
    {
        // Cash flows do not depend on the discount rate; r_m = 1.1^(1/12) − 1 (LibreOffice: 0.00797414042890376).
        var b = Evaluation.Evaluate(BuildUpTaxed().Set("finance.discount_rate_annual", 0.10).Load());
        double v = 1 / 1.00797414042890376;
        Near(-12_000 + 19_705.25 * v + 30_855.25 * v * v, Kpi(b, "npv_usd"), 1e-11);
    }

    [Fact]
    public void Build_up_cost_per_gpu_hour_by_hand()
    {
        // Capital at 0 %: CRF = 1/24 → 12,000 / 24 / 730 = 0.684932 USD/h; energy at ρ = 1: 1 kW × 0.10 = 0.10 USD/h.
        var b = Evaluation.Evaluate(BuildUpTaxed().Load());
        double capital = 12_000.0 / 24 / 730;
        Near(capital, Kpi(b, "capital_cost_per_gpu_hour_usd"));
        Near(capital + 0.10, Kpi(b, "cost_per_gpu_hour_usd"));
        Near((capital + 0.10) / (1000 * 3600) * 1e6, Kpi(b, "cost_per_million_output_tokens_usd"));

        // Facility boundary: 1,000 W / 1,000 tok/s = 1 J/token → 1/3.6 kWh per million tokens.
        Near(1 / 3.6, Kpi(b, "energy_kwh_per_million_output_tokens"));
        Near(0.10 / 3.6, Kpi(b, "electricity_cost_per_million_output_tokens_usd"));
    }

    [Fact]
    public void Energy_kWh_per_Mtok_is_joules_per_token_over_3_6_at_the_facility_boundary()
    {
        // 0.36 J/token at the facility boundary (multiplier 1), utilization 1 → 0.36 / 3.6 = 0.1 kWh/Mtok.
        var spec = TestConfig.MinimalBuildUp()
            .Remove("cost.gpu_power_active_w")
            .Set("operating_point.joules_per_output_token", 0.36)
            .Load();
        var b = Evaluation.Evaluate(spec);
        Near(0.1, Kpi(b, "energy_kwh_per_million_output_tokens"));

        // Active power = 0.36 J × 1,000 tok/s = 360 W → 0.36 kW × 730 h × 0.10 USD = 26.28 USD/month.
        Near(26.28, b.Months[1].Electricity);
    }

    [Fact]
    public void Energy_boundary_accelerator_applies_host_overhead_and_PUE()
    {
        // 1 J/token at the accelerator, host +30 % (default), PUE 1.3 (default): 1 × 1.3 × 1.3 / 3.6 kWh/Mtok;
        // the accelerator-only figure stays 1 / 3.6.
        var spec = TestConfig.MinimalBuildUp().Set("cost.energy_boundary", "\"accelerator\"").Load();
        var b = Evaluation.Evaluate(spec);
        Near(1.3 * 1.3 / 3.6, Kpi(b, "energy_kwh_per_million_output_tokens"));
        Near(1 / 3.6, Kpi(b, "energy_kwh_per_million_output_tokens_accelerator"));
    }

    [Fact]
    public void Idle_power_counts_in_energy_per_token_below_full_utilization()
    {
        // ρ = 0.5, 1,000 W active, 200 W idle, facility: (0.5 × 1000 + 0.5 × 200) / (0.5 × 1000) J/token = 1.2 J → 1.2/3.6.
        var spec = TestConfig.MinimalBuildUp().Set("cost.gpu_power_idle_w", 200).Set("drivers.utilization", 0.5).Load();
        var b = Evaluation.Evaluate(spec);
        Near(1.2 / 3.6, Kpi(b, "energy_kwh_per_million_output_tokens"));

        // Month 1 kWh = 730 × (0.5 × 1 + 0.5 × 0.2) = 438 kWh.
        Near(438, b.Months[1].EnergyKwh);
    }

    [Fact]
    public void Straight_line_tax_depreciation_by_hand()
    {
        // straight_line over 24 months: 500/month; tax = 0.25 × (26,280 − 73 − 500) = 6,426.75 → CF1 = 19,780.25.
        // Basis at month 2 = 11,000 = terminal value → no tax on the sale: CF2 = 19,780.25 + 11,000.
        var b = Evaluation.Evaluate(BuildUpTaxed()
            .Set("finance.tax_depreciation", "\"straight_line\"")
            .Set("finance.tax_depreciation_months", 24)
            .Load());
        Near(19_780.25, b.CashFlows[1]);
        Near(30_780.25, b.CashFlows[2]);
    }

    [Fact]
    public void MACRS_schedule_by_month_over_the_tax_years()
    {
        // capex 12,000: months 1–12 deduct 20 %/12 = 200, months 13–24 deduct 32 %/12 = 320, months 25–36 19.2 %/12 = 192.
        var b = Evaluation.Evaluate(BuildUpTaxed().Set("finance.horizon_months", 36).Load());
        Near(200, b.Months[12].TaxDepreciation);
        Near(320, b.Months[13].TaxDepreciation);
        Near(320, b.Months[24].TaxDepreciation);
        Near(192, b.Months[25].TaxDepreciation);
    }

    [Fact]
    public void Without_tax_the_sum_of_cash_flows_is_revenue_minus_opex_minus_capex_plus_terminal_value()
    {
        // Hand: 2 × 26,280 − 2 × 73 − 12,000 + 11,000 = 51,414.
        var b = Evaluation.Evaluate(BuildUpTaxed().Set("finance.tax_rate", 0).Load());
        Near(51_414, b.CashFlows.Sum());
        var o = b.Outcome;
        Near(o.TotalRevenue - o.TotalOpex - o.Capex + o.TerminalValue, b.CashFlows.Sum());
    }

    [Fact]
    public void Salvage_sets_the_terminal_value_at_the_end_of_life()
    {
        // life = horizon = 2, salvage 25 % → terminal value = 12,000 − (12,000 − 3,000) × 2/2 = 3,000.
        var b = Evaluation.Evaluate(TestConfig.MinimalBuildUp().Set("cost.salvage_pct_of_capex", 0.25).Load());
        Near(3_000, Kpi(b, "terminal_value_usd"));
    }
    [Fact]
    public void Break_evens_by_hand_in_rate_mode()
    {
        // NPV(x) = 2 months × (monthly revenue(x) − 1,460), 0 % discount, no tax.
        // utilization: 26,280 u = 1,460 → u = 1,460 / 26,280 = 0.0555…
        // output price: 2.628e9 × p / 10⁶ = 1,460 → p = 0.5555… USD/Mtok (= cost per Mtok at ρ = 1)
        // throughput: T × 3,600 × 730 × 10 / 10⁶ = 1,460 → T = 55.555… tok/s
        var b = Evaluation.Evaluate(TestConfig.Minimal().Load());
        Near(1460.0 / 26_280, Kpi(b, "break_even_utilization"), 1e-9);
        Near(1460.0 / 2628, Kpi(b, "break_even_price_per_million_output_tokens_usd"), 1e-9);
        Near(1460.0 / (3600 * 730 * 10e-6), Kpi(b, "break_even_output_tokens_per_s_per_gpu"), 1e-9);

        // Gross margin 0: cost per query 2/3,600 USD over 1,000 output tokens → 0.5555… USD/Mtok.
        Near(2.0 / 3600 / 1000 * 1e6, Kpi(b, "break_even_price_gross_margin_zero_per_million_output_tokens_usd"));
    }

    [Fact]
    public void Break_even_utilization_is_reported_missing_when_never_reached()
    {
        // At 0.1 USD/Mtok even full utilization earns 262.8 < 1,460 a month.
        var b = Evaluation.Evaluate(TestConfig.Minimal().Set("market.price_usd_per_million_output_tokens", 0.1).Load());
        Assert.Null(b["break_even_utilization"].Value);
        Assert.Contains("utilization 1", b["break_even_utilization"].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Power_KPIs_by_hand()
    {
        // 1 request/s × 3,600 × 0.01 USD × 8,760 h = 315,360 USD per GPU-year at ρ = 1; 1 kW per GPU = 0.001 MW.
        var b = Evaluation.Evaluate(BuildUpTaxed().Load());
        Near(315_360 / 0.001, Kpi(b, "revenue_per_mw_year_usd"));
        Near(1000 / 0.001, Kpi(b, "output_tokens_per_s_per_mw"));

        // Electricity per revenue dollar, month 1: (1/3.6 kWh × 0.10) / 10 USD per Mtok.
        Near(0.10 / 3.6 / 10, Kpi(b, "energy_cost_per_revenue_dollar"));
    }

    [Fact]
    public void Build_up_IRR_by_hand()
    {
        // −12,000 + 19,705.25 x + 30,855.25 x² = 0 with x = 1/(1 + r):
        // x = (−19,705.25 + √(19,705.25² + 4 × 30,855.25 × 12,000)) / (2 × 30,855.25); annual (1/x)^12 − 1.
        var b = Evaluation.Evaluate(BuildUpTaxed().Load());
        double a = 19_705.25, c = 30_855.25;
        double x = (-a + Math.Sqrt(a * a + 4 * c * 12_000)) / (2 * c);
        Near(Math.Pow(1 / x, 12) - 1, Kpi(b, "irr_annual"), 1e-9);

        // MIRR at 0 %: FV⁺ = 19,705.25 + 30,855.25 = 50,560.5, PV⁻ = 12,000 → (50,560.5/12,000)^(1/2) − 1 monthly.
        Near(Math.Pow(Math.Sqrt(50_560.5 / 12_000), 12) - 1, Kpi(b, "mirr_annual"), 1e-12);

        // PI at 0 %: 50,560.5 / 12,000.
        Near(50_560.5 / 12_000, Kpi(b, "profitability_index"));
    }
}
