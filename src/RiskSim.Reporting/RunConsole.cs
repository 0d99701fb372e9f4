using System.Globalization;
using System.Text;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>The short console summary of a run: the answer first.</summary>
public static class RunConsole
{
    /// <summary>The KPIs of the console table, in order; IRR is added when the run computed it.</summary>
    public static readonly IReadOnlyList<string> TableKpis =
        ["npv_usd", "net_roi", "payback_months", "revenue_multiple", "levelized_cost_per_million_output_tokens_usd", "irr_annual"];

    /// <summary>The line that names the run's folder; run.ps1 reads the folder from it.</summary>
    public const string ResultsPrefix = "  results: ";

    /// <summary>
    /// The summary. Timings are named as in summary.json and the report: <c>simulation</c> (sampling and the model,
    /// <see cref="SimulationResult.SimulationTime"/>), <c>aggregation</c> (the statistics,
    /// <see cref="SimulationResult.AggregationTime"/>) and <c>whole run</c> (<paramref name="wholeRun"/>: the wall
    /// time from the start of the run to its results written, reports and charts included).
    /// </summary>
    public static string Summary(SimulationResult r, IReadOnlyList<GateResult> gates, string folder, TimeSpan wholeRun)
    {
        var inv = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        double sim = r.SimulationTime.TotalSeconds;
        sb.Append(inv, $"{ConsoleText.OneLine(r.Spec.Name)}: {r.Trials:N0} trials{(r.Partial ? $" of {r.Options.Trials:N0} (PARTIAL)" : "")}, seed {r.Options.Seed}\n");
        sb.Append(inv, $"  timings: simulation {sim:0.00} s ({Rate(r.Trials / Math.Max(1e-9, sim))}), aggregation {r.AggregationTime.TotalSeconds:0.00} s, whole run {wholeRun.TotalSeconds:0.00} s (reports and charts included)\n");

        var stats = TableKpis.Select(k => r.Statistics.FirstOrDefault(s => s.Kpi.Key == k)).OfType<KpiStatistics>().ToList();
        var rows = new List<string[]> { new[] { "KPI", "P10", "P50", "P90" } };
        rows.AddRange(stats.Select(s => new[] { s.Kpi.Title, KpiFormat.Percentile(s[0.1], s), KpiFormat.Percentile(s[0.5], s), KpiFormat.Percentile(s[0.9], s) }));
        AppendTable(sb, rows, "  ");

        // Why a cell says n/a (the KPI does not exist in this config, or in too many trials) or never.
        var missing = stats.Where(s => !KpiFormat.IsNever(s) && new[] { 0.1, 0.5, 0.9 }.Any(p => s[p].Value is null)).ToList();
        foreach (var g in missing.GroupBy(s => s.NullReason))
        {
            var titles = g.Select(s => s.Kpi.Title).ToList();
            string names = titles.Count == 1 ? titles[0] : string.Join(", ", titles.Take(titles.Count - 1)) + " and " + titles[^1];
            double share = g.Max(s => s.NullShare);
            string where = share >= 1 ? "in this config" : $"in {KpiFormat.Probability(share)} of trials";
            sb.Append(inv, $"  n/a: {names} {(titles.Count == 1 ? "does" : "do")} not exist {where}: {ConsoleText.OneLine(g.Key)}\n");
        }

        if (stats.FirstOrDefault(s => KpiFormat.IsNever(s) && new[] { 0.1, 0.5, 0.9 }.Any(p => s[p].Value is null)) is { } never)
        {
            sb.Append(inv, $"  never: {never.Kpi.Title.ToLowerInvariant()} {never.NullReason} ({KpiFormat.Probability(never.NullShare)} of trials)\n");
        }

        var npv = r["npv_usd"];
        sb.Append("  P(NPV < 0) = ").Append(KpiFormat.Probability(npv.ProbNegative));
        var payback = r["payback_months"];
        if (KpiFormat.IsNever(payback) || payback.Nulls == 0)
        {
            foreach (var (m, p) in payback.ProbWithin)
            {
                sb.Append(inv, $"; P(payback ≤ {m} months) = {KpiFormat.Probability(p)}");
            }
        }
        else if (payback.ProbWithin.Count > 0)
        {
            sb.Append(inv, $"; P(payback ≤ {string.Join(", ", payback.ProbWithin.Keys)} months) = n/a: {ConsoleText.OneLine(payback.NullReason)}");
        }

        sb.Append('\n');
        foreach (var g in gates)
        {
            string label = g.Gate.Label.Length > 0 ? " — " + ConsoleText.OneLine(g.Gate.Label) : "";
            string actual = g.Actual is null ? $"actual n/a: {ConsoleText.OneLine(g.Explanation)}" : $"actual {KpiFormat.GateActual(g, r)}";
            sb.Append(inv, $"  gate {(g.Passed ? "PASS" : "FAIL")}: {g.Gate.Text} ({actual}){label}\n");
        }

        sb.Append("  Pxx = xx-th percentile (P10: 10 % of trials at or below).\n");
        sb.Append(ResultsPrefix).Append(ConsoleText.OneLine(folder)).Append('\n');
        return sb.ToString();
    }

    private static string Rate(double perSecond) =>
        perSecond >= 1e6 ? (perSecond / 1e6).ToString("0.0", CultureInfo.InvariantCulture) + " M trials/s" : (perSecond / 1e3).ToString("#,0", CultureInfo.InvariantCulture) + " k trials/s";

    /// <summary>
    /// Appends a table whose columns are as wide as their widest cell, two spaces apart: the first column
    /// left-aligned, the others (numbers) right-aligned.
    /// </summary>
    public static void AppendTable(StringBuilder sb, IReadOnlyList<string[]> rows, string indent)
    {
        int columns = rows.Max(r => r.Length);
        var width = new int[columns];
        foreach (var row in rows)
        {
            for (int c = 0; c < row.Length; c++)
            {
                width[c] = Math.Max(width[c], TextWidth(row[c]));
            }
        }

        foreach (var row in rows)
        {
            sb.Append(indent);
            for (int c = 0; c < row.Length; c++)
            {
                string cell = row[c];
                int pad = width[c] - TextWidth(cell);
                if (c == 0)
                {
                    sb.Append(cell);
                    if (row.Length > 1)
                    {
                        sb.Append(' ', pad);
                    }
                }
                else
                {
                    sb.Append(' ', 2 + pad).Append(cell);
                }
            }

            sb.Append('\n');
        }
    }

    /// <summary>Display width: characters, not counting combining marks and zero-width characters.</summary>
    private static int TextWidth(string s)
    {
        int w = 0;
        foreach (char c in s)
        {
            var cat = char.GetUnicodeCategory(c);
            if (cat is not (UnicodeCategory.NonSpacingMark or UnicodeCategory.EnclosingMark or UnicodeCategory.Format) && !char.IsLowSurrogate(c))
            {
                w++;
            }
        }

        return w;
    }
}
