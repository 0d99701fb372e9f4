using System.Text;
using RiskSim.Core.MonteCarlo;

namespace RiskSim.Reporting;

/// <summary>The short console summary of a run: the answer first.</summary>
public static class RunConsole
{
    public static string Summary(SimulationResult r, IReadOnlyList<GateResult> gates, string folder, TimeSpan elapsed)
    {
        var sb = new StringBuilder();
        sb.Append($"{r.Spec.Name}: {r.Trials:N0} trials{(r.Partial ? " (PARTIAL)" : "")} in {elapsed.TotalSeconds:0.00} s ({r.Trials / Math.Max(1e-9, r.SimulationTime.TotalSeconds) / 1e6:0.0} M trials/s simulated), seed {r.Options.Seed}\n");
        sb.Append($"  {"KPI",-30}{"P10",-16}{"P50",-16}P90\n");
        foreach (var key in new[] { "npv_usd", "net_roi", "payback_months", "revenue_multiple", "levelized_cost_per_million_output_tokens_usd" })
        {
            var s = r[key];
            sb.Append($"  {s.Kpi.Title,-30}{Cell(s[0.1], s),-16}{Cell(s[0.5], s),-16}{Cell(s[0.9], s)}\n");
        }

        var npv = r["npv_usd"];
        sb.Append($"  P(NPV < 0) = {npv.ProbNegative:P1}");
        foreach (var (m, p) in r["payback_months"].ProbWithin)
        {
            sb.Append($"; P(payback ≤ {m} months) = {p:P1}");
        }

        sb.Append('\n');
        foreach (var g in gates)
        {
            sb.Append($"  gate {(g.Passed ? "PASS" : "FAIL")}: {g.Gate.Text} (actual {Fmt.Human(g.Actual)}){(g.Gate.Label.Length > 0 ? " — " + g.Gate.Label : "")}\n");
        }

        sb.Append($"  Pxx = xx-th percentile (P10: 10 % of trials at or below). Results: {folder}\n");
        return sb.ToString();
    }

    private static string Cell(Percentile p, KpiStatistics s) =>
        p.Value is { } v ? Fmt.Human(v, s.Kpi.Unit) : s.NullReason.StartsWith("not within", StringComparison.Ordinal) ? "never" : "n/a";
}
