using RiskSim.Core.Finance;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Model;

/// <summary>Per-trial results. NaN marks a KPI that does not exist (mapped to null with a reason on output).</summary>
public record struct TrialOutcome
{
    /// <summary>Net present value, USD.</summary>
    public double Npv { get; set; }
    /// <summary>Net ROI: Σ cash flows / capex.</summary>
    public double NetRoi { get; set; }
    /// <summary>Σ revenue / capex.</summary>
    public double RevenueMultiple { get; set; }
    /// <summary>Months to payback (NaN: not within the horizon).</summary>
    public double PaybackMonths { get; set; }
    /// <summary>Months to payback on discounted cash flows (NaN: not within the horizon).</summary>
    public double DiscountedPaybackMonths { get; set; }
    /// <summary>Levelized cost per million output tokens, USD.</summary>
    public double LevelizedCostPerMillionOutput { get; set; }
    /// <summary>Σ electricity / Σ revenue.</summary>
    public double EnergyCostPerRevenueDollar { get; set; }
    /// <summary>Horizon gross margin, %.</summary>
    public double GrossMarginPct { get; set; }
    /// <summary>Up-front capex, USD.</summary>
    public double Capex { get; set; }
    /// <summary>Σ revenue, USD.</summary>
    public double TotalRevenue { get; set; }
    /// <summary>Σ operating cost, USD.</summary>
    public double TotalOpex { get; set; }
    /// <summary>Σ electricity, USD.</summary>
    public double TotalElectricity { get; set; }
    /// <summary>Σ income tax (negative: a shield), USD.</summary>
    public double TotalTax { get; set; }
    /// <summary>Sale value at the horizon, USD.</summary>
    public double TerminalValue { get; set; }
    /// <summary>Σ output tokens sold.</summary>
    public double TotalOutputTokens { get; set; }

    /// <summary>KPI by <see cref="TrialKpis"/> column.</summary>
    public readonly double Kpi(int column) => column switch
    {
        TrialKpis.Npv => Npv,
        TrialKpis.NetRoi => NetRoi,
        TrialKpis.RevenueMultiple => RevenueMultiple,
        TrialKpis.Payback => PaybackMonths,
        TrialKpis.DiscountedPayback => DiscountedPaybackMonths,
        TrialKpis.LevelizedCost => LevelizedCostPerMillionOutput,
        TrialKpis.EnergyCostPerRevenueDollar => EnergyCostPerRevenueDollar,
        TrialKpis.GrossMargin => GrossMarginPct,
        _ => double.NaN,
    };
}

/// <summary>One month of the cash-flow walk (for explain, charts and tests).</summary>
public readonly record struct MonthDetail(
    int Month,
    double Utilization,
    double SoftwareMultiplier,
    double OutputTokensSold,
    double PricePerMillionOutput,
    double ElectricityUsdPerKwh,
    double Revenue,
    double EnergyKwh,
    double Electricity,
    double OtherOpex,
    double TaxDepreciation,
    double Tax,
    double CashFlow,
    double CumulativeCashFlow);

/// <summary>
/// The readable scalar reference of one trial: the specification the SIMD kernel must match trial by
/// trial. Each month's paths are evaluated directly from their closed forms (Math.Pow, Math.Exp) at the
/// start of the month (month 1 = today's prices, m = 1). docs/finance-guide.md walks through it in words.
/// </summary>
internal static class ReferenceModel
{
    /// <summary>
    /// Share of provisioned GPU-hours that serve at steady state: utilization × availability (the rule in one place;
    /// the SIMD kernel applies it lane-wise).
    /// </summary>
    /// <param name="p">Parameter values indexed by <see cref="Param"/>.</param>
    public static double ServingShare(ReadOnlySpan<double> p) => p[(int)Param.Utilization] * p[(int)Param.Availability];

    /// <summary>Evaluates one trial.</summary>
    /// <param name="ctx">Schedules and switches of the spec.</param>
    /// <param name="p">Parameter values indexed by <see cref="Param"/>.</param>
    /// <param name="cashFlows">Optional output CF₀…CF_H (length H + 1).</param>
    /// <param name="months">Optional output of the monthly walk (length H + 1; index 0 unused).</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static TrialOutcome Evaluate(ModelContext ctx, ReadOnlySpan<double> p, Span<double> cashFlows = default, Span<MonthDetail> months = default)
    {
        var spec = ctx.Spec;
        int h = ctx.Horizon;
        double n = ctx.Gpus;
        const double hrs = FinanceMath.HoursPerMonth;

        double capex = n * p[(int)Param.CapexUsdPerGpu] * p[(int)Param.CapexOverrun];
        double salvage = capex * p[(int)Param.SalvagePctOfCapex];
        int life = spec.EconomicLifeMonths;
        double terminalValue = capex - (capex - salvage) * Math.Min(h, life) / life;
        double bookDepPerMonth = (capex - salvage) / life;

        double utilization = ServingShare(p);
        double t0 = p[(int)Param.OutputTokensPerSPerGpu];
        double inPerOut = p[(int)Param.InputTokensPerRequest] / p[(int)Param.OutputTokensPerRequest];
        double cached = p[(int)Param.CachedInputShare];
        double inputPrice = (1 - cached) * p[(int)Param.PriceUsdPerMillionInputTokens] + cached * p[(int)(spec.CachedPriceFollowsInput ? Param.PriceUsdPerMillionInputTokens : Param.PriceUsdPerMillionCachedInputTokens)];
        double pricePerOutputToken0 = (p[(int)Param.PriceUsdPerMillionOutputTokens] + inPerOut * inputPrice) / 1e6;
        double erosion = p[(int)Param.PriceErosionAnnual];
        double ceiling = p[(int)Param.SoftwareCeiling];
        double tau = p[(int)Param.SoftwareTimeConstantMonths];

        double mult = ctx.EnergyMultiplierOf(p[(int)Param.HostOverheadPct], p[(int)Param.Pue]);
        double activeW = spec.PowerFromJoules ? p[(int)Param.JoulesPerOutputToken] * t0 : p[(int)Param.GpuPowerActiveW];
        double idleW = p[(int)Param.GpuPowerIdleW];
        double e0 = p[(int)Param.ElectricityUsdPerKwh];
        double escalation = p[(int)Param.ElectricityEscalationAnnual];

        double fixedOpex = spec.CostMode == CostMode.Rate
            ? p[(int)Param.CostRateUsdPerGpuHour] * n * hrs
            : p[(int)Param.HostingUsdPerKwMonth] * p[(int)Param.ProvisionedKwPerGpu] * n
              + capex * p[(int)Param.MaintenancePctOfCapexPerYear] / 12;
        fixedOpex += p[(int)Param.SoftwareUsdPerGpuYear] * n / 12 + (p[(int)Param.StaffUsdPerYear] + p[(int)Param.OtherFixedUsdPerYear]) / 12;
        bool electricityIsCash = spec.CostMode == CostMode.BuildUp;

        double taxRate = p[(int)Param.TaxRate];
        double rm = FinanceMath.MonthlyRate(p[(int)Param.DiscountRateAnnual]);
        double demandTokensPerMonth = spec.HasDemandCap ? p[(int)Param.DemandCapOutputTokensPerS] * 3600 * hrs : double.PositiveInfinity;

        double npv = -capex;
        double cum = -capex;
        double dcum = -capex;
        double payback = double.NaN;
        double dpayback = double.NaN;
        double sumCf = -capex, sumRev = 0, sumOpex = 0, sumElec = 0, sumTax = 0, sumTokens = 0;
        double pvCost = capex, pvTokens = 0;
        if (!cashFlows.IsEmpty)
        {
            cashFlows[0] = -capex;
        }

        for (int t = 1; t <= h; t++)
        {
            double age = t - 1;
            double rho = utilization * ctx.Ramp[t];
            double m = 1 + (ceiling - 1) * (1 - Math.Exp(-age / tau));
            double capacity = t0 * m * 3600 * hrs * n;
            double sold = Math.Min(rho * capacity, demandTokensPerMonth);
            double busy = sold / capacity;
            double priceFactor = Math.Pow(1 - erosion, age / 12);
            double revenue = sold * pricePerOutputToken0 * priceFactor;
            double kwh = n * hrs * (busy * activeW + (1 - busy) * idleW) * mult / 1000;
            double elecPrice = e0 * Math.Pow(1 + escalation, age / 12);
            double electricity = kwh * elecPrice;
            double opex = fixedOpex + (electricityIsCash ? electricity : 0);
            double taxDep = capex * ctx.TaxDepreciationFraction[t];
            double tax = taxRate * (revenue - opex - taxDep);
            double cf = revenue - opex - tax;
            double terminal = 0;
            if (t == h)
            {
                double basis = capex * ctx.RemainingTaxBasisFraction;
                terminal = terminalValue - taxRate * (terminalValue - basis);
                tax += taxRate * (terminalValue - basis);
            }

            cf += terminal;
            double v = Math.Pow(1 + rm, -t);
            npv += cf * v;

            if (double.IsNaN(payback) && capex > 0 && cum < 0 && cum + cf >= 0)
            {
                payback = age + (-cum / cf);
            }

            if (double.IsNaN(dpayback) && capex > 0 && dcum < 0 && dcum + cf * v >= 0)
            {
                dpayback = age + (-dcum / (cf * v));
            }

            cum += cf;
            dcum += cf * v;
            sumCf += cf;
            sumRev += revenue;
            sumOpex += opex;
            sumElec += electricity;
            sumTax += tax;
            sumTokens += sold;
            pvCost += opex * v;
            pvTokens += sold * v;
            if (t == h)
            {
                pvCost -= terminalValue * v;
            }

            if (!cashFlows.IsEmpty)
            {
                cashFlows[t] = cf;
            }

            if (!months.IsEmpty)
            {
                months[t] = new MonthDetail(t, busy, m, sold, pricePerOutputToken0 * priceFactor * 1e6, elecPrice, revenue, kwh, electricity, fixedOpex, taxDep, tax, cf, cum);
            }
        }

        double bookDep = bookDepPerMonth * ctx.BookMonths;
        return new TrialOutcome
        {
            Npv = npv,
            NetRoi = capex >= TrialKpis.MinCapexUsd ? sumCf / capex : double.NaN,
            RevenueMultiple = capex >= TrialKpis.MinCapexUsd ? sumRev / capex : double.NaN,
            PaybackMonths = payback,
            DiscountedPaybackMonths = dpayback,
            LevelizedCostPerMillionOutput = pvTokens >= TrialKpis.MinPvOutputTokens ? pvCost / pvTokens * 1e6 : double.NaN,
            EnergyCostPerRevenueDollar = sumRev >= TrialKpis.MinRevenueUsd && spec.HasPower ? sumElec / sumRev : double.NaN,
            GrossMarginPct = sumRev >= TrialKpis.MinRevenueUsd ? (sumRev - sumOpex - bookDep) / sumRev * 100 : double.NaN,
            Capex = capex,
            TotalRevenue = sumRev,
            TotalOpex = sumOpex,
            TotalElectricity = sumElec,
            TotalTax = sumTax,
            TerminalValue = terminalValue,
            TotalOutputTokens = sumTokens,
        };
    }
}
