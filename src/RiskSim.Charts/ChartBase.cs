using RiskSim.Reporting;
using ScottPlot;

namespace RiskSim.Charts;

/// <summary>Shared styling and saving for every chart: title, fonts, percentile caption, PNG/SVG output.</summary>
public abstract class ChartBase : IChart
{
    internal const float TitleSize = 18;
    internal const float AxisLabelSize = 14;
    internal const float TickSize = 12;
    internal const float CaptionSize = 11;
    internal const float AnnotationSize = 12;

    /// <summary>A sans-serif font that exists on this machine (ScottPlot falls back to a serif one on some Linux systems).</summary>
    private static readonly Lazy<string> SansFont = new(() =>
        new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans" }.FirstOrDefault(f => Fonts.GetTypeface(f, false, false)?.FamilyName == f) ?? Fonts.Default);

    /// <summary>The sans-serif font the charts use (for labels that do not follow <c>plot.Font.Set</c>).</summary>
    internal static string FontName => SansFont.Value;

    /// <inheritdoc />
    public abstract string FileStem { get; }

    /// <summary>True when the chart shows percentiles, so the percentile convention is printed under it.</summary>
    protected abstract bool ShowsPercentiles { get; }

    /// <summary>Draws the data onto a fresh plot.</summary>
    protected abstract void Draw(Plot plot, int width, int height);

    /// <inheritdoc />
    public IReadOnlyList<string> Save(string directory, ChartFormat formats, int width, int height)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        Directory.CreateDirectory(directory);
        var written = new List<string>(2);
        using Plot plot = Build(width, height);
        if (formats.HasFlag(ChartFormat.Png))
        {
            string path = Path.Combine(directory, FileStem + ".png");
            plot.SavePng(path, width, height);
            written.Add(path);
        }

        if (formats.HasFlag(ChartFormat.Svg))
        {
            string path = Path.Combine(directory, FileStem + ".svg");
            plot.SaveSvg(path, width, height);
            written.Add(path);
        }

        return written;
    }

    /// <summary>Builds the ScottPlot plot (exposed for tests and interactive use; the caller disposes it).</summary>
    public Plot Build(int width, int height)
    {
        string font = SansFont.Value;
        var plot = new Plot();
        plot.Axes.Title.Label.FontSize = TitleSize;
        plot.Axes.Bottom.Label.FontSize = AxisLabelSize;
        plot.Axes.Left.Label.FontSize = AxisLabelSize;
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
        Draw(plot, width, height);
        if (ShowsPercentiles)
        {
            AddCaption(plot, ChartCaptions.PercentileConvention, width);
        }

        plot.Font.Set(font);
        return plot;
    }

    /// <summary>Sets the title, wrapped to the image width.</summary>
    internal static void SetTitle(Plot plot, string title, int width) =>
        plot.Title(ChartText.Wrap(title, ChartText.CharsPerLine(width, TitleSize)));

    /// <summary>Adds a small grey caption under the x axis, in its own panel so it never overlaps the data.</summary>
    internal static void AddCaption(Plot plot, string caption, int width)
    {
        var axis = plot.Axes.AddBottomAxis();
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        axis.TickLabelStyle.IsVisible = false;
        axis.MajorTickStyle.Length = 0;
        axis.MinorTickStyle.Length = 0;
        axis.FrameLineStyle.Width = 0;
        axis.FrameLineStyle.IsVisible = false;
        string text = ChartText.Wrap(caption, ChartText.CharsPerLine(width, CaptionSize));
        int lines = text.Count(c => c == '\n') + 1;

        // The panel is sized from one text line; reserve room for all of them.
        axis.MinimumSize = lines * CaptionSize * 1.35f + 10;
        axis.LabelText = text;
        axis.LabelFontSize = CaptionSize;
        axis.LabelBold = false;
        axis.LabelFontColor = Colors.DimGray;
    }

    /// <summary>A centred note in the data area, used when there is nothing to draw.</summary>
    internal static void AddNoDataNote(Plot plot, string text)
    {
        var note = plot.Add.Annotation(text, Alignment.MiddleCenter);
        note.LabelFontSize = AnnotationSize + 2;
        note.LabelBackgroundColor = Colors.White;
        note.LabelBorderColor = Colors.Gray;
        note.LabelFontColor = Colors.DimGray;
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.Axes.Bottom.TickLabelStyle.IsVisible = false;
        plot.Axes.Left.TickLabelStyle.IsVisible = false;
    }

    /// <summary>Uses <paramref name="format"/> for tick labels on <paramref name="axis"/>.</summary>
    internal static void FormatTicks(IAxis axis, Func<double, string> format) =>
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { LabelFormatter = format, TickDensity = 0.5 };
}
