using RiskSim.Core.MonteCarlo;

namespace RiskSim.Reporting;

/// <summary>One encoded chart image in memory, named as its file in a run folder.</summary>
/// <param name="FileName">File name with extension, e.g. "tornado-npv.png" or "tornado-npv.svg"; no folder.</param>
/// <param name="Bytes">The encoded PNG or SVG.</param>
public sealed record ChartImage(string FileName, byte[] Bytes)
{
    /// <summary>True for a PNG (the format the HTML report and the workbook embed).</summary>
    public bool IsPng => FileName.EndsWith(".png", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Draws charts from chart data into memory. RiskSim.Charts implements it with ScottPlot
/// (<c>RiskSim.Charts.ScottPlotChartRenderer</c>); the reports embed and write what it returns.
/// </summary>
public interface IChartRenderer
{
    /// <summary>Every chart the bundle has data for, each as PNG and SVG, named {data's file stem}.png/.svg.</summary>
    IReadOnlyList<ChartImage> Render(ChartBundle bundle);

    /// <summary>Overlaid S-curves of several configs (the side-by-side report), as PNG and SVG.</summary>
    IReadOnlyList<ChartImage> RenderSCurves(SCurveData curves);

    /// <summary>A benchmark frontier chart in one format: SVG when <paramref name="svg"/>, else PNG.</summary>
    ChartImage RenderFrontier(FrontierChartData data, bool svg);
}

/// <summary>What a run writes beside summary.json and percentiles.csv (<c>risksim run --report</c>).</summary>
public enum ReportLevel
{
    /// <summary>Nothing more: a batch job that needs only the statistics (no tornado, no sensitivity, no report).</summary>
    None,

    /// <summary>tornado.csv, sensitivity.csv, report.md and report.html, without charts.</summary>
    Summary,

    /// <summary>Everything: also the charts, embedded in report.html (the default).</summary>
    Full,
}

/// <summary>How <see cref="RunReports.Write"/> writes a run's reports.</summary>
/// <param name="Level">What to write.</param>
/// <param name="Charts">Draws the charts (with <see cref="ReportLevel.Full"/>); null = no charts.</param>
/// <param name="Workbook">File name of the Excel workbook to write too (<c>--export xlsx</c>), or null.</param>
public sealed record RunReportOptions(ReportLevel Level = ReportLevel.Full, IChartRenderer? Charts = null, string? Workbook = null)
{
    /// <summary>Called after each step with its name (the CLI's <c>RISKSIM_TIMING=1</c> trace), or null.</summary>
    public Action<string>? Lap { get; init; }
}

/// <summary>
/// A run's reports in one flow: sensitivity analyses → tornado.csv and sensitivity.csv → chart data → charts drawn
/// once, in memory → chart files, report.md and report.html (the PNGs embedded from memory) → the workbook.
/// </summary>
public static class RunReports
{
    /// <summary>
    /// Writes the reports of <paramref name="result"/> into <paramref name="dir"/> (an existing folder, typically a
    /// result store's temporary one). A chart failure does not lose the run: the report says what happened.
    /// </summary>
    public static void Write(string dir, SimulationResult result, IReadOnlyList<GateResult> gates, string configFile, RunReportOptions options, CancellationToken ct = default)
    {
        if (options.Level == ReportLevel.None && options.Workbook is null)
        {
            return;
        }

        var data = ReportData.Compute(result, gates, configFile);
        Lap(options, "report data (tornado, global sensitivity, paths)");
        ct.ThrowIfCancellationRequested();
        if (options.Level == ReportLevel.None)
        {
            WorkbookExport.Write(Path.Combine(dir, options.Workbook!), data, []); // --export xlsx was asked for: the workbook, without charts
            Lap(options, "workbook");
            return;
        }

        File.WriteAllText(Path.Combine(dir, "tornado.csv"), SensitivityExport.TornadoCsv(data.Tornados));
        File.WriteAllText(Path.Combine(dir, "sensitivity.csv"), SensitivityExport.SensitivityCsv(data.Global));
        ct.ThrowIfCancellationRequested();

        bool full = options.Level == ReportLevel.Full;
        string? chartsNote = full ? null : "Charts were not rendered (--report summary); run with --report full to get them.";
        ChartBundle? bundle = null;
        IReadOnlyList<ChartImage> images = [];
        if (full && options.Charts is { } renderer)
        {
            try
            {
                bundle = ChartBundles.From(data);
                Lap(options, "chart data");
                images = Checked(renderer.Render(bundle));
                Lap(options, "charts");
            }
#pragma warning disable CA1031 // a chart failure must not lose the run: the report says what happened
            catch (Exception ex)
#pragma warning restore CA1031
            {
                images = [];
                chartsNote = $"Charts could not be rendered: {ex.GetType().Name}: {ex.Message}";
            }

            foreach (var image in images)
            {
                File.WriteAllBytes(Path.Combine(dir, image.FileName), image.Bytes);
            }
        }

        ct.ThrowIfCancellationRequested();
        var (markdown, html) = CommitteeReport.Both(data, new ReportOptions(Images: images, ChartsNote: chartsNote, Charts: bundle));
        File.WriteAllText(Path.Combine(dir, "report.md"), markdown);
        File.WriteAllText(Path.Combine(dir, "report.html"), html);
        Lap(options, "report.md and report.html");
        if (options.Workbook is { } workbook)
        {
            ct.ThrowIfCancellationRequested();
            WorkbookExport.Write(Path.Combine(dir, workbook), data, images);
            Lap(options, "workbook");
        }
    }

    /// <summary>Every image a renderer returns must be a plain file name, once: it is written into the run folder as named.</summary>
    public static IReadOnlyList<ChartImage> Checked(IReadOnlyList<ChartImage> images)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var image in images)
        {
            if (image.FileName.Length == 0 || Path.GetFileName(image.FileName) != image.FileName || image.FileName.StartsWith('.') || !seen.Add(image.FileName))
            {
                throw new InvalidOperationException($"the chart renderer returned an image named '{image.FileName}': a plain file name, once, is needed");
            }
        }

        return images;
    }

    private static void Lap(RunReportOptions options, string what) => options.Lap?.Invoke(what);
}
