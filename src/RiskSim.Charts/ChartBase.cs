using ScottPlot;
using RiskSim.Reporting;
using SkiaSharp;

namespace RiskSim.Charts;

/// <summary>Shared styling and saving for every chart: title, fonts, percentile caption, PNG/SVG output.</summary>
internal abstract class ChartBase : IChart
{
    internal const float TitleSize = 18;
    internal const float AxisLabelSize = 14;
    internal const float TickSize = 12;
    internal const float CaptionSize = 11;
    internal const float AnnotationSize = 12;

    /// <summary>Pixels kept clear between the caption and the image edge (with room for error in the panel estimates).</summary>
    private const float EdgePx = 25;

    /// <summary>What a legend outside the data area takes beside its widest label: symbol, paddings and margins.</summary>
    internal const float LegendOverheadPx = 95;

    /// <summary>
    /// A sans-serif font that exists on this machine, resolved once before the first plot is made.
    /// </summary>
    /// <remarks>
    /// ScottPlot's own default (<see cref="Fonts.Default"/>) is a serif font on some Linux systems, and every text
    /// element starts in the default; setting the font afterwards (<c>plot.Font.Set</c>) did not reach every element of
    /// the first charts a process drew on several threads at once. So the default itself is set here, and the regular
    /// and bold typefaces are loaded, before any chart exists.
    /// </remarks>
    private static readonly Lazy<string> SansFont = new(LoadSansFont, LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly List<string> _footnotes = [];

    /// <summary>The sans-serif font every chart uses (loaded on first use).</summary>
    public static string FontName => SansFont.Value;

    /// <summary>Estimated width in pixels of what sits left of the data area (tick labels, axis label); charts with wide labels raise it.</summary>
    private protected float LeftPanelPx { get; set; } = 70;

    /// <summary>Estimated width in pixels of what sits right of the data area (a legend placed outside it).</summary>
    private protected float RightPanelPx { get; set; } = 15;

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
        var images = Render(formats, width, height);
        Directory.CreateDirectory(directory);
        var written = new List<string>(images.Count);
        foreach (var image in images)
        {
            string path = Path.Combine(directory, image.FileName);
            File.WriteAllBytes(path, image.Bytes);
            written.Add(path);
        }

        return written;
    }

    /// <summary>
    /// Draws the chart once per format asked for and returns the encoded images in memory ({FileStem}.png, then
    /// {FileStem}.svg), nothing written to disk.
    /// </summary>
    public IReadOnlyList<ChartImage> Render(ChartFormat formats, int width, int height)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 100);
        var images = new List<ChartImage>(2);
        if ((formats & ChartFormat.Both) == ChartFormat.None)
        {
            return images;
        }

        using Plot plot = Build(width, height);
        if (formats.HasFlag(ChartFormat.Png))
        {
            images.Add(new ChartImage(FileStem + ".png", EncodePng(plot, width, height)));
        }

        if (formats.HasFlag(ChartFormat.Svg))
        {
            images.Add(new ChartImage(FileStem + ".svg", System.Text.Encoding.UTF8.GetBytes(plot.GetSvgXml(width, height))));
        }

        return images;
    }

    /// <summary>
    /// Rasterizes the plot onto an opaque surface and encodes it as an RGB PNG with zlib level 3 and no row filter.
    /// </summary>
    /// <remarks>
    /// Every chart has an opaque white background, so the pixels are those of ScottPlot's own RGBA PNG (checked pixel
    /// by pixel on the flagship's 14 charts) at the same total size (0.99 MB), encoded about four times faster: Skia's
    /// default (level 6, each row's best filter searched) took most of the charts' time, and flat-colour images gain
    /// nothing from the filters.
    /// </remarks>
    private static byte[] EncodePng(Plot plot, int width, int height)
    {
        var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        using var surface = SKSurface.Create(info) ?? throw new InvalidOperationException($"could not create a {width}×{height} drawing surface");
        plot.Render(surface.Canvas, width, height);
        using var pixmap = surface.PeekPixels();
        using var data = pixmap.Encode(new SKPngEncoderOptions(SKPngEncoderFilterFlags.None, 3)) ?? throw new InvalidOperationException("PNG encoding failed");
        return data.ToArray();
    }

    /// <summary>Builds the ScottPlot plot (exposed for tests and interactive use; the caller disposes it).</summary>
    public Plot Build(int width, int height)
    {
        string font = SansFont.Value;
        _footnotes.Clear();
        var plot = new Plot();
        plot.Axes.Title.Label.FontSize = TitleSize;
        plot.Axes.Bottom.Label.FontSize = AxisLabelSize;
        plot.Axes.Left.Label.FontSize = AxisLabelSize;
        plot.Axes.Bottom.TickLabelStyle.FontSize = TickSize;
        plot.Axes.Left.TickLabelStyle.FontSize = TickSize;
        Draw(plot, width, height);
        if (ShowsPercentiles)
        {
            _footnotes.Add(ChartCaptions.PercentileConvention);
        }

        if (_footnotes.Count > 0)
        {
            AddCaption(plot, string.Join(" ", _footnotes), width);
        }

        plot.Font.Set(font);
        return plot;
    }

    /// <summary>Adds a sentence to the grey caption under the chart (before the percentile convention).</summary>
    private protected void AddFootnote(string? text)
    {
        if (!string.IsNullOrWhiteSpace(text))
        {
            _footnotes.Add(text.Trim());
        }
    }

    private static string LoadSansFont()
    {
        string name = new[] { "DejaVu Sans", "Liberation Sans", "Arial", "Helvetica", "Noto Sans" }
            .FirstOrDefault(f => Fonts.GetTypeface(f, false, false)?.FamilyName == f) ?? Fonts.Default;
        Fonts.Default = name;
        _ = Fonts.GetTypeface(name, true, false);
        return name;
    }

    /// <summary>Sets the title, wrapped to the image width.</summary>
    internal static void SetTitle(Plot plot, string title, int width) =>
        plot.Title(ChartText.Wrap(title, ChartText.CharsPerLine(width, TitleSize)));

    /// <summary>
    /// Adds a small grey caption under the x axis, in its own panel so it never overlaps the data. The panel is
    /// centred on the data area, so the text is wrapped to what fits between that centre and the nearer image edge.
    /// </summary>
    private void AddCaption(Plot plot, string caption, int width)
    {
        var axis = plot.Axes.AddBottomAxis();
        axis.TickGenerator = new ScottPlot.TickGenerators.NumericManual();
        axis.TickLabelStyle.IsVisible = false;
        axis.MajorTickStyle.Length = 0;
        axis.MinorTickStyle.Length = 0;
        axis.FrameLineStyle.Width = 0;
        axis.FrameLineStyle.IsVisible = false;
        float fit = width - Math.Abs(RightPanelPx - LeftPanelPx) - 2 * EdgePx;
        string text = ChartText.WrapPx(caption, Math.Max(200, fit), CaptionSize);
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
