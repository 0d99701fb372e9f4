using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>Outcome of one risk gate. A gate whose metric does not exist (null) fails.</summary>
public sealed record GateResult(GateSpec Gate, double? Actual, bool Passed, string Explanation);

/// <summary>Evaluates the config's risk gates on a run.</summary>
public static class Gates
{
    /// <summary>Each of the spec's gates on the run, in order.</summary>
    public static IReadOnlyList<GateResult> Evaluate(SimulationResult result) =>
        [.. result.Spec.Gates.Select(g =>
        {
            double? actual = result.Metric(g.Metric);
            if (actual is not { } a)
            {
                return new GateResult(g, null, false, $"{g.Metric} does not exist in this run ({result[g.Metric[..g.Metric.IndexOf('.', StringComparison.Ordinal)]].NullReason}), so the gate fails");
            }

            bool ok = g.Op == GateOp.GreaterOrEqual ? a >= g.Threshold : a <= g.Threshold;
            return new GateResult(g, a, ok, ok ? "pass" : "FAIL");
        })];
}
