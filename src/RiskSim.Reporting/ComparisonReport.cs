using System.Collections.Immutable;
using System.Text;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>
/// Several configs side by side (risksim run A.json B.json …): one table of P10/P50/P90, P(loss),
/// payback odds and gates per config, the trial-by-trial differences against the first config under
/// common random numbers, and S-curve data with one series per config for overlaid charts.
/// </summary>
public static class ComparisonReport
{
    /// <summary>Overlaid S-curves of a KPI, one series per run (null when the KPI exists in none).</summary>
    public static SCurveData? SCurves(IReadOnlyList<SimulationResult> runs, int column)
    {
        var series = ImmutableArray.CreateBuilder<SCurveSeries>();
        string? from = null;
        foreach (var r in runs)
        {
            var s = ChartBundles.SCurve(r, column);
            if (s is not null)
            {
                series.Add(s.Series[0]);
                from ??= s.CurveFrom;
            }
        }

        var kpi = TrialKpis.All[column];
        return series.Count == 0 ? null : new SCurveData(ChartBundles.ShortKey(kpi.Key), kpi.Title + " by configuration", kpi.Unit, series.ToImmutable()) { CurveFrom = from is null ? null : from + ", of each configuration" };
    }

    /// <summary>report.md of the comparison; <paramref name="images"/> are file names in the same folder.</summary>
    public static string Markdown(IReadOnlyList<SimulationResult> runs, IReadOnlyList<IReadOnlyList<GateResult>> gates, IReadOnlyList<Comparison> comparisons, IReadOnlyList<string> images)
    {
        var sb = new StringBuilder();
        var first = runs[0];
        sb.Append("# ").Append(ReportDocument.MarkdownInline("Side by side: " + string.Join(" vs ", runs.Select(r => ReportDocument.Literal(r.Spec.Name))))).Append("\n\n");
        sb.Append($"{first.Trials:#,0} trials each, seed {first.Options.Seed}, {(first.Options.Sampling == SamplingMethod.LatinHypercube ? "Latin hypercube" : "plain Monte Carlo")}. ");
        sb.Append("Inputs with the same path and distribution in two configs got the same draws in every trial (common random numbers), so the differences below compare the platforms, not sampling noise.\n\n");
        sb.Append(ChartCaptions.PercentileConvention).Append("\n\n");
        sb.Append("| KPI | statistic |");
        foreach (var r in runs)
        {
            sb.Append($" {Cell(ReportDocument.Literal(r.Spec.Name))} |");
        }

        sb.Append("\n|---|---|").Append(string.Concat(runs.Select(_ => "---:|"))).Append('\n');
        foreach (var key in new[] { "npv_usd", "net_roi", "payback_months", "revenue_multiple", "levelized_cost_per_million_output_tokens_usd" })
        {
            foreach (var (label, p) in new[] { ("P10", 0.1), ("P50", 0.5), ("P90", 0.9) })
            {
                sb.Append($"| {TrialKpis.All[TrialKpis.IndexOf(key)].Title} | {label} |");
                foreach (var r in runs)
                {
                    var s = r[key];
                    sb.Append($" {(s[p].Value is { } v ? Cell(Fmt.Human(v, s.Kpi.Unit)) : s.NullReason.StartsWith("not within", StringComparison.Ordinal) ? "never" : "n/a")} |");
                }

                sb.Append('\n');
            }
        }

        sb.Append("| NPV | P(NPV < 0) |");
        foreach (var r in runs)
        {
            sb.Append($" {r["npv_usd"].ProbNegative:P1} |");
        }

        sb.Append('\n');
        foreach (int m in first["payback_months"].ProbWithin.Keys)
        {
            sb.Append($"| Payback | P(≤ {m} months) |");
            foreach (var r in runs)
            {
                sb.Append($" {(r["payback_months"].ProbWithin.TryGetValue(m, out double v) ? v.ToString("P1", Fmt.Inv) : "n/a")} |");
            }

            sb.Append('\n');
        }

        sb.Append("| gates | passed |");
        for (int i = 0; i < runs.Count; i++)
        {
            sb.Append($" {gates[i].Count(g => g.Passed)} of {gates[i].Count} |");
        }

        sb.Append("\n\n");
        foreach (var c in comparisons)
        {
            sb.Append("## ").Append(ReportDocument.MarkdownInline($"{ReportDocument.Literal(c.Challenger)} − {ReportDocument.Literal(c.Baseline)}, trial by trial")).Append("\n\n");
            sb.Append($"Common random numbers on {c.SharedInputs.Length} inputs: {ReportDocument.MarkdownInline(string.Join(", ", c.SharedInputs.Select(ReportDocument.CodeLiteral)))}.\n\n");
            sb.Append("| difference | P10 | P50 | P90 | P(challenger better) |\n|---|---:|---:|---:|---:|\n");
            foreach (var s in c.Statistics)
            {
                string key = s.Kpi.Key.Replace("_difference", "", StringComparison.Ordinal);
                sb.Append($"| {Cell(s.Kpi.Title)} | {Cell(s, 0.1)} | {Cell(s, 0.5)} | {Cell(s, 0.9)} | {c.ProbChallengerBetter[key]:P1} |\n");
            }

            sb.Append('\n');
        }

        foreach (var img in images.Where(i => i.EndsWith(".png", StringComparison.Ordinal)))
        {
            sb.Append($"![{img}]({img})\n\n");
        }

        return sb.ToString();
    }

    private static string Cell(KpiStatistics s, double p) => s[p].Value is { } v ? Cell(Fmt.Human(v, s.Kpi.Unit)) : "n/a";

    /// <summary>A table cell: markup as written, literal parts escaped, "|" escaped, "$" only where it could pair as math.</summary>
    private static string Cell(string text) => ReportDocument.MarkdownInline(text, tableCell: true);
}
