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

/// <summary>Which end of its distribution an input (or, for a group, its first member) is at.</summary>
public enum InputEnd
{
    /// <summary>The input's 10th percentile.</summary>
    P10,

    /// <summary>The input's 90th percentile.</summary>
    P90,
}

/// <summary>
/// One tornado bar: the KPI with the input at one end (the "low" segment) and at the other end (the "high"
/// segment), the others at base (median).
/// </summary>
/// <remarks>
/// For a single input the low segment is its P10 and the high one its P90; for a group (the software curve) the low
/// segment is every member at the end that lowers the KPI, and
/// <see cref="LowEnd"/> says where its first member (the ceiling M) is, which is what the bar's colour shows.
/// </remarks>
/// <param name="Input">Input path or group name, e.g. "drivers.utilization".</param>
/// <param name="Label">Display label, e.g. "Utilization".</param>
/// <param name="LowInput">The input's value at the low segment's end (as text so groups can list several).</param>
/// <param name="HighInput">The input's value at the high segment's end.</param>
/// <param name="KpiAtLow">KPI at the low segment's end.</param>
/// <param name="KpiAtHigh">KPI at the high segment's end.</param>
public sealed record TornadoBar(string Input, string Label, string LowInput, string HighInput, double KpiAtLow, double KpiAtHigh)
{
    /// <summary>|KpiAtHigh − KpiAtLow|.</summary>
    public double Swing => Math.Abs(KpiAtHigh - KpiAtLow);

    /// <summary>Where the input (a group: its first member) is in the low segment; the high segment is at the other end.</summary>
    public InputEnd LowEnd { get; init; } = InputEnd.P10;

    /// <summary>True when several inputs move together (their ends are in the labels).</summary>
    public bool IsGroup { get; init; }
}

/// <summary>A tornado for one KPI; bars sorted by swing, largest first.</summary>
/// <param name="KpiKey">The KPI's key, e.g. "npv_usd".</param>
/// <param name="KpiTitle">The KPI's name, e.g. "Payback" (its unit is added from <paramref name="Unit"/>).</param>
/// <param name="Unit">The KPI's unit, e.g. "USD".</param>
/// <param name="BaseValue">The KPI with every input at its median (where the bars start).</param>
/// <param name="Bars">One bar per input or group, largest swing first.</param>
public sealed record TornadoData(string KpiKey, string KpiTitle, string Unit, double BaseValue, ImmutableArray<TornadoBar> Bars)
{
    /// <summary>A note printed under the chart (e.g. how "never" payback is drawn), or null.</summary>
    public string? Footnote { get; init; }

    /// <summary>The base value as the report writes it (e.g. "$13.84 M"), or null to format it here.</summary>
    public string? BaseText { get; init; }
}

/// <summary>A statistic marked on a chart, with its text exactly as the report writes it.</summary>
/// <param name="Name">e.g. "P10".</param>
/// <param name="Value">Where it is drawn; NaN when it does not exist as a number (payback "never").</param>
/// <param name="Text">e.g. "$4.68 M", "9.303 months", "never".</param>
public sealed record StatMark(string Name, double Value, string Text);

/// <summary>Samples of one KPI for a histogram, with its percentiles. Values may be a subsample of the trials.</summary>
/// <param name="KpiKey">The KPI's key, e.g. "npv_usd".</param>
/// <param name="Title">The chart's title.</param>
/// <param name="Unit">The KPI's unit, e.g. "USD".</param>
/// <param name="Values">The KPI's values where it exists (possibly a subsample).</param>
/// <param name="P10">The 10th percentile over all trials.</param>
/// <param name="P50">The median over all trials.</param>
/// <param name="P90">The 90th percentile over all trials.</param>
/// <param name="Trials">The number of trials simulated.</param>
/// <param name="NullCount">Trials where the KPI does not exist (e.g. payback not within the horizon).</param>
/// <param name="NullLabel">Label of the null bar, e.g. "never within 60 months".</param>
public sealed record DistributionData(string KpiKey, string Title, string Unit, ImmutableArray<double> Values, double P10, double P50, double P90, long Trials, long NullCount, string NullLabel)
{
    /// <summary>When above 0: the values come from the run's first this many trials only (a one-pass or two-pass run keeps no more), as the chart says.</summary>
    public long FromFirstTrials { get; init; }

    /// <summary>What the bars are drawn from, e.g. "every 10th trial (100,000 of 1,000,000)"; null = every trial.</summary>
    public string? BarsFrom { get; init; }

    /// <summary>The marked percentiles with the report's text; default = P10/P50/P90 formatted by the chart.</summary>
    public ImmutableArray<StatMark> Marks { get; init; }

    /// <summary>When set, 0 is marked, the side below it shaded, and this exact share of all trials (0…1) stated for it.</summary>
    public double? ShareBelowZero { get; init; }

    /// <summary>What being below 0 means, e.g. "loss (NPV &lt; 0)".</summary>
    public string? BelowZeroLabel { get; init; }
}

/// <summary>One cumulative-distribution line: sorted values (a subsample is fine), labelled.</summary>
public sealed record SCurveSeries(string Label, ImmutableArray<double> SortedValues)
{
    /// <summary>The run's exact P10/P50/P90 with the report's text (marked when the chart has one series); default = read off the curve.</summary>
    public ImmutableArray<StatMark> Marks { get; init; }
}

/// <summary>S-curves (empirical CDFs) of one KPI, one series per config.</summary>
public sealed record SCurveData(string KpiKey, string Title, string Unit, ImmutableArray<SCurveSeries> Series)
{
    /// <summary>When above 0: the curves come from the run's first this many trials only, as the chart says.</summary>
    public long FromFirstTrials { get; init; }

    /// <summary>What the curves are drawn from, e.g. "every 10th trial (100,000 of 1,000,000)"; null = every trial.</summary>
    public string? CurveFrom { get; init; }
}

/// <summary>A fan chart over months: percentile bands of a path.</summary>
/// <param name="FileStem">File name without extension, e.g. "fan-cash-flow".</param>
/// <param name="Title">The chart's title.</param>
/// <param name="YLabel">The Y axis label (with its unit).</param>
/// <param name="Months">X values (1…H).</param>
/// <param name="P10">The 10th percentile at each month.</param>
/// <param name="P50">The median at each month.</param>
/// <param name="P90">The 90th percentile at each month.</param>
/// <param name="ReferenceLine">Optional horizontal line (e.g. 0 = break-even).</param>
/// <param name="ReferenceLabel">The reference line's label, if any.</param>
public sealed record FanData(string FileStem, string Title, string YLabel, ImmutableArray<double> Months, ImmutableArray<double> P10, ImmutableArray<double> P50, ImmutableArray<double> P90, double? ReferenceLine, string? ReferenceLabel)
{
    /// <summary>Unit of the values for tick labels ("USD", "fraction", "×" …); null = guessed from <see cref="YLabel"/>.</summary>
    public string? Unit { get; init; }
}

/// <summary>One spider line: the KPI as one input moves through its percentiles, others at base.</summary>
public sealed record SpiderLine(string Label, ImmutableArray<double> InputPercentiles, ImmutableArray<double> KpiValues);

/// <summary>A spider plot for the top inputs of one KPI.</summary>
public sealed record SpiderData(string KpiKey, string KpiTitle, string Unit, double BaseValue, ImmutableArray<SpiderLine> Lines);
