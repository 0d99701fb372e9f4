using System.Collections.Immutable;
using RiskSim.Core.Finance;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Model;

/// <summary>Direction in which a KPI is better; decides which tail is the "worst 10 %".</summary>
public enum Better
{
    /// <summary>Higher is better (NPV, ROI, IRR, margin).</summary>
    Higher,
    /// <summary>Lower is better (payback, costs).</summary>
    Lower,
}

/// <summary>A KPI computed for every Monte Carlo trial.</summary>
/// <param name="Key">JSON key, e.g. "npv_usd".</param>
/// <param name="Title">Short title for charts and tables.</param>
/// <param name="Unit">Unit as shown to users.</param>
/// <param name="Better">Which direction is good.</param>
/// <param name="Description">What it means.</param>
public sealed record TrialKpi(string Key, string Title, string Unit, Better Better, string Description);

/// <summary>The per-trial KPIs, in the column order of the kernel's output.</summary>
public static class TrialKpis
{
    /// <summary>Column of npv_usd.</summary>
    public const int Npv = 0;
    /// <summary>Column of net_roi.</summary>
    public const int NetRoi = 1;
    /// <summary>Column of revenue_multiple.</summary>
    public const int RevenueMultiple = 2;
    /// <summary>Column of payback_months.</summary>
    public const int Payback = 3;
    /// <summary>Column of discounted_payback_months.</summary>
    public const int DiscountedPayback = 4;
    /// <summary>Column of levelized_cost_per_million_output_tokens_usd.</summary>
    public const int LevelizedCost = 5;
    /// <summary>Column of horizon_energy_cost_per_revenue_dollar.</summary>
    public const int EnergyCostPerRevenueDollar = 6;
    /// <summary>Column of horizon_gross_margin_pct.</summary>
    public const int GrossMargin = 7;
    /// <summary>Column of irr_annual (computed only when asked).</summary>
    public const int Irr = 8;

    /// <summary>Number of KPIs the kernel always computes (IRR is optional and last).</summary>
    public const int CoreCount = 8;

    /// <summary>
    /// Smallest capex, in USD, that net ROI and the revenue multiple are measured on: below one dollar nothing was
    /// invested to speak of, and a ratio to a capex near 0 (1e-300 is in range) runs past what a double can hold.
    /// </summary>
    public const double MinCapexUsd = 1;

    /// <summary>Smallest horizon revenue, in USD, that the energy share and the gross margin are measured on (the same reason).</summary>
    public const double MinRevenueUsd = 1;

    /// <summary>Smallest present value of output tokens sold that the levelized cost is measured on: one token.</summary>
    public const double MinPvOutputTokens = 1;

    /// <summary>Every per-trial KPI, in column order.</summary>
    public static readonly ImmutableArray<TrialKpi> All =
    [
        new("npv_usd", "NPV", "USD", Better.Higher, "Net present value of the monthly cash flows at the monthly WACC, month 0 undiscounted."),
        new("net_roi", "Net ROI", "×", Better.Higher, "(Σ cash flows over the horizon, capex included as a negative) / capex. 0 = money back, 1 = doubled."),
        new("revenue_multiple", "Revenue multiple", "×", Better.Higher, "Gross token revenue over the horizon / capex: the vendor-style \"ROI\"; not a return."),
        new("payback_months", "Payback", "months", Better.Lower, "First month at which cumulative cash flow reaches 0, interpolated within the month; null when not within the horizon."),
        new("discounted_payback_months", "Discounted payback", "months", Better.Lower, "Payback on discounted cash flows; null when not within the horizon."),
        new("levelized_cost_per_million_output_tokens_usd", "Levelized cost", "USD/Mtok", Better.Lower, "PV(capex + opex − salvage) / PV(output tokens sold) × 10⁶, pre-tax."),
        new("horizon_energy_cost_per_revenue_dollar", "Energy cost per revenue $", "USD/USD", Better.Lower, "Σ electricity cost / Σ revenue over the horizon."),
        new("horizon_gross_margin_pct", "Gross margin (horizon)", "%", Better.Higher, "(Σ revenue − Σ opex − Σ book depreciation) / Σ revenue over the horizon, in %."),
        new("irr_annual", "IRR", "fraction/year", Better.Higher, "Annualized monthly IRR, (1 + irr_m)^12 − 1; the lowest root above −100 %; null without a sign change or without up-front capex (rate mode)."),
    ];

    /// <summary>Statistic names valid after "KPI." in summary keys and gate metrics (besides prob_within_N).</summary>
    public static readonly ImmutableArray<string> Statistics =
        ["mean", "sd", "p5", "p10", "p50", "p90", "p95", "min", "max", "es10", "prob_negative", "null_share"];

    /// <summary>Index of a KPI key, or −1.</summary>
    public static int IndexOf(string key)
    {
        for (int i = 0; i < All.Length; i++)
        {
            if (All[i].Key == key)
            {
                return i;
            }
        }

        return -1;
    }
}
