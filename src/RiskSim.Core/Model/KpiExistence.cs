using System.Globalization;
using RiskSim.Core.Finance;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Model;

/// <summary>
/// Which per-trial KPIs cannot exist in any trial of a config, whatever the draws: a risk gate on one of them could
/// never be evaluated, so the loader rejects it. Pure and thread-safe.
/// </summary>
internal static class KpiExistence
{
    /// <summary>Why KPI column <paramref name="kpi"/> (<see cref="TrialKpis"/>) is null in every trial of the spec, or null when it can exist.</summary>
    public static string? NeverExists(SimulationSpec spec, int kpi)
    {
        bool needsCapex = kpi is TrialKpis.NetRoi or TrialKpis.RevenueMultiple or TrialKpis.Payback or TrialKpis.DiscountedPayback or TrialKpis.Irr;
        if (needsCapex && spec.CostMode == CostMode.Rate)
        {
            return "cost mode \"rate\" has no up-front capex, so there is no return, payback or IRR to measure";
        }

        double maxCapex = spec[Param.CapexUsdPerGpu].Distribution.Upper * spec[Param.CapexOverrun].Distribution.Upper * spec.TotalGpus;
        if (kpi is TrialKpis.NetRoi or TrialKpis.RevenueMultiple && maxCapex < TrialKpis.MinCapexUsd)
        {
            return $"capex is at most {G(maxCapex)} USD in this config: under the {G(TrialKpis.MinCapexUsd)} USD a return is measured against";
        }

        if (kpi is TrialKpis.Payback or TrialKpis.DiscountedPayback or TrialKpis.Irr && !(maxCapex > 0))
        {
            return "capex is 0 in this config: nothing to pay back";
        }

        if (kpi == TrialKpis.EnergyCostPerRevenueDollar && !spec.HasPower)
        {
            return "the config gives no power or energy figure";
        }

        bool needsTokens = kpi is TrialKpis.LevelizedCost or TrialKpis.EnergyCostPerRevenueDollar or TrialKpis.GrossMargin;
        if (needsTokens && NoTokens(spec) is { } why)
        {
            return why;
        }

        bool needsRevenue = kpi is TrialKpis.EnergyCostPerRevenueDollar or TrialKpis.GrossMargin;
        return needsRevenue && NoRevenue(spec) ? "every token price is 0 in this config: there is no revenue" : null;
    }

    private static string? NoTokens(SimulationSpec spec)
    {
        if (!(spec[Param.Utilization].Distribution.Upper * spec[Param.Availability].Distribution.Upper > 0))
        {
            return "utilization × availability is 0 in every trial: no tokens are sold";
        }

        return spec.HasDemandCap && !(spec[Param.DemandCapOutputTokensPerS].Distribution.Upper > 0) ? "the demand cap is 0 in every trial: no tokens are sold" : null;
    }

    private static bool NoRevenue(SimulationSpec spec)
    {
        double Upper(Param p) => spec[p].Distribution.Upper;
        double cachedPriceUpper = spec.CachedPriceFollowsInput ? Upper(Param.PriceUsdPerMillionInputTokens) : Upper(Param.PriceUsdPerMillionCachedInputTokens);
        bool uncachedFree = !(Upper(Param.PriceUsdPerMillionInputTokens) > 0) || spec[Param.CachedInputShare].Distribution.Lower >= 1;
        bool cachedFree = !(cachedPriceUpper > 0) || !(Upper(Param.CachedInputShare) > 0);
        bool noInputRevenue = !(Upper(Param.InputTokensPerRequest) > 0) || (uncachedFree && cachedFree);
        return !(Upper(Param.PriceUsdPerMillionOutputTokens) > 0) && noInputRevenue;
    }

    private static string G(double v) => v.ToString("G4", CultureInfo.InvariantCulture);
}
