using RiskSim.Reporting;

namespace RiskSim.Charts;

/// <summary>
/// Facade: one static method per chart type; each writes {stem}.png and/or {stem}.svg into a directory
/// (created if missing) and returns the paths written. Never throws on empty, constant or non-finite data.
/// </summary>
public static class ChartRenderer
{
    /// <summary>Default image width in pixels.</summary>
    public const int DefaultWidth = 1200;

    /// <summary>Default image height in pixels.</summary>
    public const int DefaultHeight = 700;

    /// <summary>
    /// Loads the charts' sans-serif font and makes it ScottPlot's default; returns its name. Call it once before
    /// drawing charts on several threads (every chart also calls it before it draws).
    /// </summary>
    public static string LoadFonts() => ChartBase.FontName;

    /// <summary>tornado-{kpi}: bars from the base value to the KPI at each input's P10 and P90.</summary>
    public static IReadOnlyList<string> Tornado(TornadoData data, string directory, ChartFormat formats = ChartFormat.Both, int width = DefaultWidth, int height = DefaultHeight) =>
        new TornadoChart(data).Save(directory, formats, width, height);

    /// <summary>histogram-{kpi}: histogram with P10/P50/P90 lines.</summary>
    public static IReadOnlyList<string> Histogram(DistributionData data, string directory, ChartFormat formats = ChartFormat.Both, int width = DefaultWidth, int height = DefaultHeight) =>
        new HistogramChart(data).Save(directory, formats, width, height);

    /// <summary>s-curve-{kpi}: empirical CDFs, one line per series.</summary>
    public static IReadOnlyList<string> SCurve(SCurveData data, string directory, ChartFormat formats = ChartFormat.Both, int width = DefaultWidth, int height = DefaultHeight) =>
        new SCurveChart(data).Save(directory, formats, width, height);

    /// <summary>payback (or <paramref name="fileStem"/>): histogram of payback months plus a "never within H months" bar.</summary>
    public static IReadOnlyList<string> Payback(DistributionData data, string directory, ChartFormat formats = ChartFormat.Both, int width = DefaultWidth, int height = DefaultHeight, string fileStem = "payback") =>
        new HistogramChart(data, nullBar: true, fileStem).Save(directory, formats, width, height);

    /// <summary>{data.FileStem}: P10–P90 band, P50 line, optional reference line.</summary>
    public static IReadOnlyList<string> Fan(FanData data, string directory, ChartFormat formats = ChartFormat.Both, int width = DefaultWidth, int height = DefaultHeight) =>
        new FanChart(data).Save(directory, formats, width, height);

    /// <summary>spider-{kpi}: the KPI against each input's percentile.</summary>
    public static IReadOnlyList<string> Spider(SpiderData data, string directory, ChartFormat formats = ChartFormat.Both, int width = DefaultWidth, int height = DefaultHeight) =>
        new SpiderChart(data).Save(directory, formats, width, height);

    /// <summary>{data.FileStem} (default "frontier"): output tok/s per GPU vs tok/s per user, the frontier, the SLA region, the chosen point.</summary>
    public static IReadOnlyList<string> Frontier(FrontierChartData data, string directory, ChartFormat formats = ChartFormat.Both, int width = DefaultWidth, int height = DefaultHeight) =>
        new FrontierChart(data).Save(directory, formats, width, height);
}
