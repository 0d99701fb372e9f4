using System.Collections.Immutable;

namespace RiskSim.Reporting;

/// <summary>
/// The data behind each chart, independent of any plotting library: the engine and report fill these,
/// RiskSim.Charts (ScottPlot) draws them. All values are finite.
/// </summary>
public static class ChartCaptions
{
    /// <summary>The percentile convention, printed under every chart that shows percentiles.</summary>
    public const string PercentileConvention =
        "Pxx = xx-th percentile: xx % of trials are at or below it (P10 is the pessimistic case for NPV/ROI, the optimistic one for payback months). Not the SPE-PRMS \"P90 = 90 % chance of exceeding\" convention.";
}

/// <summary>One tornado bar: the KPI with one input at its P10 and at its P90, the others at base (median).</summary>
/// <param name="Input">Input path or group name, e.g. "drivers.utilization".</param>
/// <param name="Label">Display label, e.g. "Utilization".</param>
/// <param name="LowInput">The input's P10 value (as text so groups can list several).</param>
/// <param name="HighInput">The input's P90 value.</param>
/// <param name="KpiAtLow">KPI with the input at its P10.</param>
/// <param name="KpiAtHigh">KPI with the input at its P90.</param>
public sealed record TornadoBar(string Input, string Label, string LowInput, string HighInput, double KpiAtLow, double KpiAtHigh)
{
    /// <summary>|KpiAtHigh − KpiAtLow|.</summary>
    public double Swing => Math.Abs(KpiAtHigh - KpiAtLow);
}

/// <summary>A tornado for one KPI; bars sorted by swing, largest first.</summary>
public sealed record TornadoData(string KpiKey, string KpiTitle, string Unit, double BaseValue, ImmutableArray<TornadoBar> Bars);

/// <summary>Samples of one KPI for a histogram, with its percentiles. Values may be a subsample of the trials.</summary>
/// <param name="NullCount">Trials where the KPI does not exist (e.g. payback not within the horizon).</param>
/// <param name="NullLabel">Label of the null bar, e.g. "never within 60 months".</param>
public sealed record DistributionData(string KpiKey, string Title, string Unit, ImmutableArray<double> Values, double P10, double P50, double P90, long Trials, long NullCount, string NullLabel)
{
    /// <summary>When above 0: the values come from the run's first this many trials only (a one-pass or two-pass run keeps no more), as the chart says.</summary>
    public long FromFirstTrials { get; init; }
}

/// <summary>One cumulative-distribution line: sorted values (a subsample is fine), labelled.</summary>
public sealed record SCurveSeries(string Label, ImmutableArray<double> SortedValues);

/// <summary>S-curves (empirical CDFs) of one KPI, one series per config.</summary>
public sealed record SCurveData(string KpiKey, string Title, string Unit, ImmutableArray<SCurveSeries> Series)
{
    /// <summary>When above 0: the curves come from the run's first this many trials only, as the chart says.</summary>
    public long FromFirstTrials { get; init; }
}

/// <summary>A fan chart over months: percentile bands of a path.</summary>
/// <param name="FileStem">File name without extension, e.g. "fan-cash-flow".</param>
/// <param name="Months">X values (1…H).</param>
/// <param name="ReferenceLine">Optional horizontal line (e.g. 0 = break-even).</param>
public sealed record FanData(string FileStem, string Title, string YLabel, ImmutableArray<double> Months, ImmutableArray<double> P10, ImmutableArray<double> P50, ImmutableArray<double> P90, double? ReferenceLine, string? ReferenceLabel);

/// <summary>One spider line: the KPI as one input moves through its percentiles, others at base.</summary>
public sealed record SpiderLine(string Label, ImmutableArray<double> InputPercentiles, ImmutableArray<double> KpiValues);

/// <summary>A spider plot for the top inputs of one KPI.</summary>
public sealed record SpiderData(string KpiKey, string KpiTitle, string Unit, double BaseValue, ImmutableArray<SpiderLine> Lines);
