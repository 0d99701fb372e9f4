using System.Collections.Immutable;
using System.Globalization;
using RiskSim.Core.Benchmarks;

namespace RiskSim.Reporting;

/// <summary>One measured point on the frontier chart.</summary>
/// <param name="TokensPerSPerUser">x: interactivity, tok/s per user.</param>
/// <param name="OutputTokensPerSPerGpu">y: output tok/s per GPU.</param>
/// <param name="Label">Short label drawn beside the point (e.g. "c=64"); may be empty.</param>
/// <param name="OnFrontier">True when the point is on the Pareto frontier.</param>
/// <param name="MeetsSla">True when the point meets every SLA constraint.</param>
public sealed record FrontierChartPoint(double TokensPerSPerUser, double OutputTokensPerSPerGpu, string Label, bool OnFrontier, bool MeetsSla);

/// <summary>
/// The data of a frontier chart: output tok/s per GPU against tok/s per user, every measured point, the frontier,
/// the SLA's interactivity floor (shaded region) and the chosen point. All values finite.
/// </summary>
/// <param name="FileStem">File name without extension, e.g. "frontier".</param>
/// <param name="Title">Chart title.</param>
/// <param name="Points">Every measured point.</param>
/// <param name="MinTokensPerSPerUser">The SLA's interactivity floor, shaded from here to the right; null when the SLA has none.</param>
/// <param name="SlaText">The SLA as written.</param>
/// <param name="Chosen">The chosen point, or null when none meets the SLA.</param>
/// <param name="ChosenLabel">Its label, e.g. "chosen: 800 tok/s/GPU at 30 tok/s/user (interpolated)"; when nothing meets the SLA, the closest point and its misses.</param>
/// <param name="Caption">What the marks mean and how the point was found.</param>
public sealed record FrontierChartData(
    string FileStem,
    string Title,
    ImmutableArray<FrontierChartPoint> Points,
    double? MinTokensPerSPerUser,
    string SlaText,
    FrontierChartPoint? Chosen,
    string ChosenLabel,
    string Caption)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The chart of a frontier result.</summary>
    /// <param name="result">The frontier and its choice.</param>
    /// <param name="title">Chart title, e.g. "gpt-oss-120b on mi355x: throughput vs interactivity".</param>
    /// <param name="fileStem">File name without extension.</param>
    public static FrontierChartData From(FrontierResult result, string title, string fileStem = "frontier")
    {
        ArgumentNullException.ThrowIfNull(result);
        var onFrontier = result.FrontierIndices.ToHashSet();
        var points = result.Points.Select((p, i) => new FrontierChartPoint(p.TokensPerSPerUser, p.OutputTokensPerSPerGpu, p.Label, onFrontier.Contains(i), result.MeetsSla[i])).ToImmutableArray();
        FrontierChartPoint? chosen = null;
        string chosenLabel = "";
        if (result.Choice is { } c)
        {
            chosen = new FrontierChartPoint(c.Point.TokensPerSPerUser, c.Point.OutputTokensPerSPerGpu, c.Point.Label, true, true);
            string binds = c.Binding.Length == 0 ? "no constraint binds" : "binds: " + string.Join(", ", c.Binding.Select(b => b.Text));
            chosenLabel = $"chosen: {N(c.Point.OutputTokensPerSPerGpu)} tok/s/GPU at {N(c.Point.TokensPerSPerUser)} tok/s/user ({(c.Interpolated ? "interpolated" : "measured")}; {binds})";
        }

        else if (result.Miss is { } miss)
        {
            chosenLabel = $"No point meets the SLA. Closest: {miss.Closest.Name}, " + string.Join("; ", miss.Misses.Select(m => m.Value is { } v
                ? $"{m.Constraint.Metric.Key} {N(v)} vs {(m.Constraint.Metric.HigherIsBetter ? "≥" : "≤")} {N(m.Constraint.Limit)}"
                : $"{m.Constraint.Metric.Key} not measured"));
        }

        var latency = result.Sla.Constraints.Where(k => k.Metric.Key != SlaMetric.TokensPerSPerUser).Select(k => k.Text).ToList();
        string caption = $"SLA {result.Sla.Text}. "
            + (result.Sla.MinTokensPerSPerUser is not null ? "Shaded: the interactivity the SLA allows. " : "")
            + (latency.Count > 0 ? $"Hollow grey points break the SLA: too little interactivity, or a latency limit ({string.Join(", ", latency)}) broken or not measured. " : "Hollow grey points break the SLA. ")
            + "The line is the Pareto frontier; between two of its points the chosen point is interpolated linearly in both axes, never beyond the measured points.";
        return new FrontierChartData(fileStem, title, points, result.Sla.MinTokensPerSPerUser, result.Sla.Text, chosen, chosenLabel, caption);
    }

    private static string N(double v) => Math.Abs(v) >= 1000 ? v.ToString("#,0", Inv) : v.ToString("G4", Inv);
}
