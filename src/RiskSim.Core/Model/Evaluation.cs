using System.Collections.Immutable;
using MathNet.Numerics.RootFinding;
using RiskSim.Core.Finance;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Model;

/// <summary>One KPI of the base-case evaluation: a value, or null with the reason it does not exist.</summary>
public sealed record KpiValue(string Key, string Group, double? Value, string Unit, string? Reason, string Description)
{
    /// <summary>The KPI with value <paramref name="v"/>, or null with <paramref name="reasonIfMissing"/> when it is not finite.</summary>
    public static KpiValue Of(string key, string group, double v, string unit, string description, string reasonIfMissing) =>
        double.IsFinite(v) ? new(key, group, v, unit, null, description) : new(key, group, null, unit, reasonIfMissing, description);
}

/// <summary>The base case: every parameter at its median, evaluated once, with the derived unit economics.</summary>
public sealed record BaseCase(SimulationSpec Spec, ImmutableArray<KpiValue> Kpis, ImmutableArray<double> CashFlows, ImmutableArray<MonthDetail> Months, TrialOutcome Outcome, ImmutableArray<double> Parameters)
{
    /// <summary>A KPI by key.</summary>
    public KpiValue this[string key] => Kpis.First(k => k.Key == key);

    /// <summary>Share of provisioned GPU-hours that serve in the base case: utilization × availability.</summary>
    public double ServingShare => ReferenceModel.ServingShare(Parameters.AsSpan());
}

/// <summary>Deterministic base-case evaluation (spec §4–5) and break-even solving.</summary>
public static class Evaluation
{
    /// <summary>Evaluates the spec at the base values (medians) of every input.</summary>
    public static BaseCase Evaluate(SimulationSpec spec) => Evaluate(spec, spec.BaseValues());

    /// <summary>Evaluates the spec at the given parameter values.</summary>
    public static BaseCase Evaluate(SimulationSpec spec, double[] p)
    {
        var ctx = new ModelContext(spec);
        int h = spec.HorizonMonths;
        var cf = new double[h + 1];
        var months = new MonthDetail[h + 1];
        var o = ReferenceModel.Evaluate(ctx, p, cf, months);
        var k = new List<KpiValue>();
        const string unit = "unit economics (month 1, at steady utilization)";
        const string horizon = "horizon";
        const string breakEven = "break-even (NPV = 0 unless stated)";

        double n = spec.TotalGpus;
        double rho = ReferenceModel.ServingShare(p);
        double t0 = p[(int)Param.OutputTokensPerSPerGpu];
        double tin = p[(int)Param.InputTokensPerSPerGpu];
        double inReq = p[(int)Param.InputTokensPerRequest];
        double outReq = p[(int)Param.OutputTokensPerRequest];
        double cached = p[(int)Param.CachedInputShare];
        double inputPrice = (1 - cached) * p[(int)Param.PriceUsdPerMillionInputTokens] + cached * p[(int)(spec.CachedPriceFollowsInput ? Param.PriceUsdPerMillionInputTokens : Param.PriceUsdPerMillionCachedInputTokens)];
        double outputPrice = p[(int)Param.PriceUsdPerMillionOutputTokens];
        double mult = ctx.EnergyMultiplierOf(p[(int)Param.HostOverheadPct], p[(int)Param.Pue]);
        double activeW = spec.PowerFromJoules ? p[(int)Param.JoulesPerOutputToken] * t0 : p[(int)Param.GpuPowerActiveW];
        double idleW = p[(int)Param.GpuPowerIdleW];
        double e0 = p[(int)Param.ElectricityUsdPerKwh];
        double rm = FinanceMath.MonthlyRate(p[(int)Param.DiscountRateAnnual]);

        // All-in cost per provisioned GPU-hour.
        double perGpuHourFixed = p[(int)Param.SoftwareUsdPerGpuYear] / 8760 + (p[(int)Param.StaffUsdPerYear] + p[(int)Param.OtherFixedUsdPerYear]) / (n * 8760);
        double energyPerGpuHour = (rho * activeW + (1 - rho) * idleW) * mult / 1000 * e0;
        double costPerGpuHour;
        double capitalPerGpuHour = 0;
        if (spec.CostMode == CostMode.Rate)
        {
            costPerGpuHour = p[(int)Param.CostRateUsdPerGpuHour] + perGpuHourFixed;
        }
        else
        {
            double capexGpu = p[(int)Param.CapexUsdPerGpu] * p[(int)Param.CapexOverrun];
            int life = spec.EconomicLifeMonths;
            double salvagePv = capexGpu * p[(int)Param.SalvagePctOfCapex] * Math.Pow(1 + rm, -life);
            capitalPerGpuHour = (capexGpu - salvagePv) * FinanceMath.CapitalRecoveryFactor(rm, life) / FinanceMath.HoursPerMonth;
            costPerGpuHour = capitalPerGpuHour + energyPerGpuHour
                + p[(int)Param.HostingUsdPerKwMonth] * p[(int)Param.ProvisionedKwPerGpu] / FinanceMath.HoursPerMonth
                + capexGpu * p[(int)Param.MaintenancePctOfCapexPerYear] / 8760
                + perGpuHourFixed;
        }

        const string noUtil = "utilization × availability is 0: no tokens are served";
        double tokensPerGpuHour = t0 * 3600 * rho;
        double requestsPerS = t0 / outReq;
        double revenuePerQuery = (inReq * inputPrice + outReq * outputPrice) / 1e6;
        double costPerQuery = costPerGpuHour / (requestsPerS * 3600 * rho);
        k.Add(KpiValue.Of("cost_per_gpu_hour_usd", unit, costPerGpuHour, "USD/GPU-hour", spec.CostMode == CostMode.Rate ? "The given all-in rate plus software, staff and other fixed costs per provisioned GPU-hour." : "Capital (capital recovery factor on capex net of PV of salvage, over the economic life, at the WACC) + energy at steady utilization + hosting + maintenance + software + staff/other, per provisioned GPU-hour.", ""));
        k.Add(KpiValue.Of("capital_cost_per_gpu_hour_usd", unit, spec.CostMode == CostMode.Rate ? double.NaN : capitalPerGpuHour, "USD/GPU-hour", "Capital part of the cost per GPU-hour (CRF-levelized).", "included in the given rate"));
        k.Add(KpiValue.Of("cost_per_million_output_tokens_usd", unit, costPerGpuHour / tokensPerGpuHour * 1e6, "USD/Mtok", "Cost per GPU-hour / (output tok/s × 3600 × utilization) × 10⁶. At utilization 1 this is InferenceX's 277.78 × $/GPU-hr ÷ tok/s/GPU.", noUtil));
        k.Add(KpiValue.Of("cost_per_million_input_tokens_usd", unit, tin > 0 ? costPerGpuHour / (tin * 3600 * rho) * 1e6 : double.NaN, "USD/Mtok", "Cost per GPU-hour divided by input tokens alone, as InferenceX does: not an allocation (the same hour also produced the output tokens).", tin > 0 ? noUtil : "no input tokens"));
        k.Add(KpiValue.Of("cost_per_million_total_tokens_usd", unit, costPerGpuHour / ((t0 + tin) * 3600 * rho) * 1e6, "USD/Mtok", "Cost per GPU-hour divided by input + output tokens (not an allocation between them).", noUtil));
        k.Add(KpiValue.Of("cost_per_query_usd", unit, costPerQuery, "USD/query", "Cost per GPU-hour / (requests/s × 3600 × utilization), for the measured query profile.", noUtil));
        k.Add(KpiValue.Of("revenue_per_query_usd", unit, revenuePerQuery, "USD/query", "Input tokens × input price (cached share at the cached price) + output tokens × output price, at month-1 prices.", ""));
        k.Add(KpiValue.Of("gross_margin_pct", unit, (revenuePerQuery - costPerQuery) / revenuePerQuery * 100, "%", "(Revenue per query − cost per query) / revenue per query, month 1.", revenuePerQuery == 0 ? "revenue per query is 0" : noUtil));
        k.Add(KpiValue.Of("revenue_capacity_per_gpu_hour_usd", unit, requestsPerS * 3600 * revenuePerQuery, "USD/GPU-hour", "Requests/s × 3600 × revenue per query at utilization 1: what one GPU-hour can earn.", ""));

        const string noPower = "no power or energy figure in the config";
        double joulesPerTokenAllIn = (rho * activeW + (1 - rho) * idleW) * mult / (rho * t0);
        double kwhPerMtok = spec.HasPower ? joulesPerTokenAllIn / 3.6 : double.NaN;
        k.Add(KpiValue.Of("energy_kwh_per_million_output_tokens", unit, kwhPerMtok, "kWh/Mtok", "Facility energy per million output tokens: (ρ·P_active + (1 − ρ)·P_idle) × boundary multipliers / (ρ × tok/s) / 3.6, idle hours included.", spec.HasPower ? noUtil : noPower));
        k.Add(KpiValue.Of("energy_kwh_per_million_output_tokens_accelerator", unit, spec.HasPower && spec.EnergyBoundary == EnergyBoundary.Accelerator ? activeW / t0 / 3.6 : double.NaN, "kWh/Mtok", "Accelerator-only energy while serving (the benchmark's J/token ÷ 3.6): understates the all-in figure.", spec.HasPower ? "the power figure was given at the IT or facility boundary" : noPower));
        double elecPerMtok = kwhPerMtok * e0;
        k.Add(KpiValue.Of("electricity_cost_per_million_output_tokens_usd", unit, elecPerMtok, "USD/Mtok", "Facility kWh per million output tokens × electricity price." + (spec.CostMode == CostMode.Rate ? " Informational: included in the given rate." : ""), spec.HasPower ? noUtil : noPower));
        double revenuePerMtokOut = revenuePerQuery / outReq * 1e6;
        k.Add(KpiValue.Of("energy_cost_per_revenue_dollar", unit, elecPerMtok / revenuePerMtokOut, "USD/USD", "Electricity cost / revenue for the same tokens, month 1.", spec.HasPower ? (revenuePerMtokOut == 0 ? "revenue is 0" : noUtil) : noPower));
        double mwPerGpu = activeW * mult / 1e6;
        k.Add(KpiValue.Of("output_tokens_per_s_per_mw", unit, spec.HasPower ? t0 / mwPerGpu : double.NaN, "tok/s/MW", "Output tok/s per GPU / all-in MW per GPU while serving.", noPower));
        k.Add(KpiValue.Of("revenue_per_mw_year_usd", unit, spec.HasPower ? requestsPerS * 3600 * revenuePerQuery * rho * 8760 / mwPerGpu : double.NaN, "USD/MW-year", "Revenue at steady utilization per all-in MW per year: the figure that matters when power is the constraint.", noPower));

        const string noCapex = "no up-front capex (cost mode \"rate\")";
        k.Add(KpiValue.Of("total_capex_usd", horizon, o.Capex, "USD", "GPUs × capex per GPU × overrun, at month 0.", ""));
        k.Add(KpiValue.Of("total_revenue_usd", horizon, o.TotalRevenue, "USD", "Σ token revenue over the horizon (undiscounted).", ""));
        k.Add(KpiValue.Of("total_opex_usd", horizon, o.TotalOpex, "USD", "Σ operating cost over the horizon (undiscounted).", ""));
        k.Add(KpiValue.Of("total_electricity_usd", horizon, o.TotalElectricity, "USD", "Σ electricity over the horizon" + (spec.CostMode == CostMode.Rate ? " (informational: in the rate)." : "."), ""));
        k.Add(KpiValue.Of("total_tax_usd", horizon, o.TotalTax, "USD", "Σ income tax (negative = shield) incl. tax on the terminal sale.", ""));
        k.Add(KpiValue.Of("terminal_value_usd", horizon, o.TerminalValue, "USD", "Sale value at the horizon: straight-line book value toward salvage over the economic life.", ""));
        k.Add(KpiValue.Of("npv_usd", horizon, o.Npv, "USD", "Σ CF_t / (1 + r_m)^t, t = 0…H. Excel: =NPV(r_m, CF1:CF_H) + CF0.", ""));
        double? irrM = o.Capex > 0 ? FinanceMath.Irr(cf) : null; // a return on capital needs capital: none in rate mode
        int signChanges = FinanceMath.SignChanges(cf);
        k.Add(o.Capex <= 0
            ? new KpiValue("irr_annual", horizon, null, "fraction/year", "no up-front capex (cost mode \"rate\"): a return on capital needs capital", "Monthly IRR annualized.")
            : irrM is { } im
            ? new KpiValue("irr_annual", horizon, FinanceMath.AnnualRate(im), "fraction/year", null, "Monthly IRR annualized (1 + irr_m)^12 − 1; the lowest root above −100 %" + (signChanges > 1 ? $" ({signChanges} sign changes: several roots may exist)." : "."))
            : new KpiValue("irr_annual", horizon, null, "fraction/year", signChanges == 0 ? "no sign change in the cash flows" : "no root in the searched range", "Monthly IRR annualized."));
        double? mirr = FinanceMath.Mirr(cf, rm, rm);
        k.Add(new KpiValue("mirr_annual", horizon, mirr is { } mi ? FinanceMath.AnnualRate(mi) : null, "fraction/year", mirr is null ? "needs both negative and positive cash flows" : null, "Modified IRR with finance and reinvestment rate = WACC, annualized."));
        double? pi = FinanceMath.ProfitabilityIndex(cf, rm);
        k.Add(new KpiValue("profitability_index", horizon, pi, "×", pi is null ? "no negative cash flow" : null, "PV of inflows / PV of outflows."));
        k.Add(KpiValue.Of("net_roi", horizon, o.NetRoi, "×", "(Σ cash flows incl. −capex) / capex over the horizon: 0 = money back.", MonteCarlo.MonteCarloEngine.NullReason(spec, TrialKpis.NetRoi)));
        k.Add(KpiValue.Of("revenue_multiple", horizon, o.RevenueMultiple, "×", "Σ gross token revenue / capex: the vendor-style \"ROI\", not a return.", MonteCarlo.MonteCarloEngine.NullReason(spec, TrialKpis.RevenueMultiple)));
        k.Add(KpiValue.Of("payback_months", horizon, o.PaybackMonths, "months", "First month where cumulative cash flow ≥ 0, interpolated.", o.Capex > 0 ? "not within horizon" : noCapex));
        k.Add(KpiValue.Of("discounted_payback_months", horizon, o.DiscountedPaybackMonths, "months", "Payback on discounted cash flows.", o.Capex > 0 ? "not within horizon" : noCapex));
        k.Add(KpiValue.Of("levelized_cost_per_million_output_tokens_usd", horizon, o.LevelizedCostPerMillionOutput, "USD/Mtok", "PV(capex + opex − terminal value) / PV(output tokens) × 10⁶, pre-tax.", MonteCarlo.MonteCarloEngine.NullReason(spec, TrialKpis.LevelizedCost)));
        k.Add(KpiValue.Of("horizon_energy_cost_per_revenue_dollar", horizon, o.EnergyCostPerRevenueDollar, "USD/USD", "Σ electricity / Σ revenue over the horizon.", MonteCarlo.MonteCarloEngine.NullReason(spec, TrialKpis.EnergyCostPerRevenueDollar)));
        k.Add(KpiValue.Of("horizon_gross_margin_pct", horizon, o.GrossMarginPct, "%", "(Σ revenue − Σ opex − Σ book depreciation) / Σ revenue.", MonteCarlo.MonteCarloEngine.NullReason(spec, TrialKpis.GrossMargin)));

        // Break-even by bracketed root finding on the full cash-flow model.
        double NpvAt(Param q, double value)
        {
            var pp = (double[])p.Clone();
            pp[(int)q] = value;
            return ReferenceModel.Evaluate(ctx, pp).Npv;
        }

        double avail = p[(int)Param.Availability];
        k.Add(Solve("break_even_utilization", breakEven, u => NpvAt(Param.Utilization, u), 0, 1, "fraction", "Steady utilization at which NPV = 0 (other inputs at base).", "NPV > 0 even at utilization 0", "NPV < 0 even at utilization 1" + (avail < 1 ? $" (availability {avail:0.###})" : "")));
        k.Add(Solve("break_even_price_per_million_output_tokens_usd", breakEven, x => NpvAt(Param.PriceUsdPerMillionOutputTokens, x), 0, 1e5, "USD/Mtok", "Month-1 output price at which NPV = 0 (input prices, erosion and the rest at base).", "NPV > 0 even at an output price of 0", "no price up to 100,000 USD/Mtok reaches NPV = 0"));
        k.Add(Solve("break_even_output_tokens_per_s_per_gpu", breakEven, x => NpvAt(Param.OutputTokensPerSPerGpu, x), 1e-6, 1e7, "tok/s/GPU", "Month-1 output throughput per GPU at which NPV = 0" + (spec.PowerFromJoules ? " (power scales with throughput at fixed J/token)." : " (power held)."), "NPV > 0 at any throughput", "no throughput up to 10⁷ tok/s/GPU reaches NPV = 0"));
        k.Add(Solve("break_even_token_price_factor", breakEven, f =>
        {
            var pp = (double[])p.Clone();
            foreach (var q in new[] { Param.PriceUsdPerMillionInputTokens, Param.PriceUsdPerMillionCachedInputTokens, Param.PriceUsdPerMillionOutputTokens })
            {
                pp[(int)q] = p[(int)q] * f;
            }

            return ReferenceModel.Evaluate(ctx, pp).Npv;
        }, 0, 1000, "×", "Factor on all month-1 token prices (input, cached, output) at which NPV = 0: 0.6 means prices could be 40 % lower and still break even.", "NPV > 0 even with free tokens", "no factor up to 1000× reaches NPV = 0"));
        double gmPrice = (costPerQuery - inReq * inputPrice / 1e6) / outReq * 1e6;
        k.Add(KpiValue.Of("break_even_price_gross_margin_zero_per_million_output_tokens_usd", breakEven, gmPrice < 0 ? 0 : gmPrice, "USD/Mtok", "Month-1 output price at which the per-query gross margin is 0 (0 when input revenue alone covers the cost).", noUtil));

        return new BaseCase(spec, [.. k], [.. cf], [.. months], o, [.. p]);
    }

    private static KpiValue Solve(string key, string group, Func<double, double> f, double lo, double hi, string unit, string description, string tooGood, string tooBad)
    {
        double flo = f(lo);
        double fhi = f(hi);
        if (flo >= 0 && fhi >= 0)
        {
            return new KpiValue(key, group, null, unit, tooGood, description);
        }

        if (flo < 0 && fhi < 0)
        {
            return new KpiValue(key, group, null, unit, tooBad, description);
        }

        return Brent.TryFindRoot(f, lo, hi, 1e-10 * Math.Max(1, Math.Abs(hi)), 500, out double root)
            ? new KpiValue(key, group, root, unit, null, description)
            : new KpiValue(key, group, null, unit, "root finding did not converge", description);
    }
}
