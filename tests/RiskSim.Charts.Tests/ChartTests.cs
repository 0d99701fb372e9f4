using System.Buffers.Binary;
using System.Collections.Immutable;
using System.Xml;
using RiskSim.Reporting;

namespace RiskSim.Charts.Tests;

public sealed class ChartTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "risksim-charts-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>Width and height from the PNG signature and IHDR chunk.</summary>
    private static (int Width, int Height) PngSize(string path)
    {
        byte[] b = File.ReadAllBytes(path);
        Assert.True(b.Length > 33, "PNG too short");
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, b[..8]);
        Assert.Equal("IHDR", System.Text.Encoding.ASCII.GetString(b, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(b.AsSpan(20, 4)));
    }

    private static void AssertWellFormedSvg(string path)
    {
        var doc = new XmlDocument { XmlResolver = null };
        using var reader = XmlReader.Create(path, new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore });
        doc.Load(reader);
        Assert.Equal("svg", doc.DocumentElement!.LocalName);
    }

    private static void AssertFiles(IReadOnlyList<string> written, string stem, int width, int height)
    {
        Assert.Equal(2, written.Count);
        string png = Assert.Single(written, p => p.EndsWith(".png", StringComparison.Ordinal));
        string svg = Assert.Single(written, p => p.EndsWith(".svg", StringComparison.Ordinal));
        Assert.Equal(stem + ".png", Path.GetFileName(png));
        Assert.Equal(stem + ".svg", Path.GetFileName(svg));
        Assert.Equal((width, height), PngSize(png));
        AssertWellFormedSvg(svg);
    }

    public static TheoryData<int, int> Sizes => new() { { 1200, 700 }, { 800, 500 } };

    /// <summary>
    /// The PNG drawn in memory is RGB (colour type 2: the charts are opaque) and shows exactly the pixels of ScottPlot's
    /// own RGBA PNG of the same plot, both decoded by SkiaSharp; the SVG comes with it, and nothing is written to disk.
    /// </summary>
    [Fact]
    public void Charts_render_in_memory_as_rgb_png_with_scottplots_pixels_and_svg()
    {
        var chart = new TornadoChart(SampleData.Tornado());
        var images = chart.Render(ChartFormat.Both, 640, 400);
        Assert.Equal([chart.FileStem + ".png", chart.FileStem + ".svg"], images.Select(i => i.FileName));
        Assert.False(Directory.Exists(_dir));
        byte[] png = images[0].Bytes;
        Assert.Equal(2, png[25]); // IHDR colour type: RGB, no alpha
        Assert.Contains("<svg", System.Text.Encoding.UTF8.GetString(images[1].Bytes), StringComparison.Ordinal);

        using var plot = chart.Build(640, 400);
        byte[] reference = plot.GetImage(640, 400).GetImageBytes();
        using var ours = SkiaSharp.SKBitmap.Decode(png);
        using var theirs = SkiaSharp.SKBitmap.Decode(reference);
        Assert.Equal((640, 400), (ours.Width, ours.Height));
        Assert.Equal((theirs.Width, theirs.Height), (ours.Width, ours.Height));
        int differ = 0, colours = 0;
        var seen = new HashSet<SkiaSharp.SKColor>();
        for (int y = 0; y < ours.Height; y++)
        {
            for (int x = 0; x < ours.Width; x++)
            {
                var c = ours.GetPixel(x, y);
                differ += c == theirs.GetPixel(x, y) ? 0 : 1;
                colours += seen.Add(c) ? 1 : 0;
            }
        }

        Assert.Equal(0, differ);
        Assert.True(colours > 10, $"only {colours} colours: nothing drawn?");
        Assert.Empty(chart.Render(ChartFormat.None, 640, 400));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Every_chart_type_writes_a_decodable_png_and_well_formed_svg(int width, int height)
    {
        AssertFiles(ChartRenderer.Tornado(SampleData.Tornado(), _dir, ChartFormat.Both, width, height), "tornado-npv_usd", width, height);
        AssertFiles(ChartRenderer.Histogram(SampleData.NpvDistribution(), _dir, ChartFormat.Both, width, height), "histogram-npv_usd", width, height);
        AssertFiles(ChartRenderer.SCurve(SampleData.SCurve(), _dir, ChartFormat.Both, width, height), "s-curve-npv_usd", width, height);
        AssertFiles(ChartRenderer.Payback(SampleData.Payback(), _dir, ChartFormat.Both, width, height), "payback", width, height);
        AssertFiles(ChartRenderer.Fan(SampleData.CashFlowFan(), _dir, ChartFormat.Both, width, height), "fan-cash-flow", width, height);
        AssertFiles(ChartRenderer.Fan(SampleData.UtilizationFan(), _dir, ChartFormat.Both, width, height), "fan-utilization", width, height);
        AssertFiles(ChartRenderer.Spider(SampleData.Spider(), _dir, ChartFormat.Both, width, height), "spider-npv_usd", width, height);
    }

    [Fact]
    public void Formats_select_which_files_are_written()
    {
        var png = ChartRenderer.Spider(SampleData.Spider(), _dir, ChartFormat.Png);
        Assert.Equal("spider-npv_usd.png", Path.GetFileName(Assert.Single(png)));
        var svg = ChartRenderer.Spider(SampleData.Spider(), _dir, ChartFormat.Svg);
        Assert.Equal("spider-npv_usd.svg", Path.GetFileName(Assert.Single(svg)));
        Assert.Empty(ChartRenderer.Spider(SampleData.Spider(), _dir, ChartFormat.None));
    }

    public static TheoryData<string> EdgeCases => new() { "empty", "constant", "single", "nan", "default-arrays" };

    private static ImmutableArray<double> Values(string kind) => kind switch
    {
        "empty" => [],
        "constant" => [.. Enumerable.Repeat(5e6, 100)],
        "single" => [42],
        "nan" => [double.NaN, 1, double.PositiveInfinity, 2, double.NegativeInfinity, 3, double.NaN],
        _ => default,
    };

    [Theory]
    [MemberData(nameof(EdgeCases))]
    public void Edge_data_does_not_throw(string kind)
    {
        var v = Values(kind);
        double p = kind switch { "constant" => 5e6, "single" => 42, "nan" => double.NaN, _ => 0 };
        var dir = Path.Combine(_dir, kind);
        int n = v.IsDefault ? 0 : v.Length;

        AssertFiles(ChartRenderer.Histogram(new DistributionData("k&<x>", "Title & <stuff>", "USD", v, p, p, p, n, 0, ""), dir, ChartFormat.Both, 640, 400), "histogram-k--x", 640, 400);
        AssertFiles(ChartRenderer.Payback(new DistributionData("payback_months", "Payback", "months", v, p, p, p, n + 3, 3, "never within 60 months"), dir, ChartFormat.Both, 640, 400), "payback", 640, 400);
        AssertFiles(ChartRenderer.Payback(new DistributionData("payback_months", "Payback", "months", v, p, double.NaN, p, n, 0, ""), dir, ChartFormat.Both, 640, 400, "payback-discounted"), "payback-discounted", 640, 400);
        AssertFiles(ChartRenderer.SCurve(new SCurveData("npv", "NPV", "USD", [new SCurveSeries("only", v)]), dir, ChartFormat.Both, 640, 400), "s-curve-npv", 640, 400);
        AssertFiles(ChartRenderer.SCurve(new SCurveData("npv", "NPV", "USD", kind == "default-arrays" ? default : []), dir, ChartFormat.Both, 640, 400), "s-curve-npv", 640, 400);
        AssertFiles(ChartRenderer.Fan(new FanData("fan-x", "Fan", "price (USD/Mtok)", v, v, v, v, p, "ref"), dir, ChartFormat.Both, 640, 400), "fan-x", 640, 400);
        AssertFiles(ChartRenderer.Fan(new FanData("fan-y", "Fan", "y", [1, 2, 3], [1, double.NaN], v, [3, 4, 5], double.NaN, null), dir, ChartFormat.Both, 640, 400), "fan-y", 640, 400);
        AssertFiles(ChartRenderer.Spider(new SpiderData("npv", "NPV", "USD", p, [new SpiderLine("a", v, v)]), dir, ChartFormat.Both, 640, 400), "spider-npv", 640, 400);
        AssertFiles(ChartRenderer.Spider(new SpiderData("npv", "NPV", "USD", p, kind == "default-arrays" ? default : []), dir, ChartFormat.Both, 640, 400), "spider-npv", 640, 400);
        AssertFiles(ChartRenderer.Tornado(new TornadoData("npv", "NPV", "USD", p, kind == "default-arrays" ? default : []), dir, ChartFormat.Both, 640, 400), "tornado-npv", 640, 400);
    }

    [Fact]
    public void Tornado_edge_bars_do_not_throw()
    {
        var data = new TornadoData("npv", "NPV", "USD", double.NaN,
        [
            new TornadoBar("a", "Zero swing", "1", "1", 5, 5),
            new TornadoBar("b", "Same side", "1", "2", 7, 9),
            new TornadoBar("c", "NaN", "1", "2", double.NaN, 9),
            new TornadoBar("d", "", "", "", -1, 1),
        ]);
        AssertFiles(ChartRenderer.Tornado(data, _dir, ChartFormat.Both, 640, 400), "tornado-npv", 640, 400);
        var zero = new TornadoData("roi", "ROI", "fraction", 0.1, [new TornadoBar("a", "A", "1", "1", 0.1, 0.1)]);
        AssertFiles(ChartRenderer.Tornado(zero, _dir, ChartFormat.Both, 640, 400), "tornado-roi", 640, 400);
    }

    [Fact]
    public void Every_chart_carries_the_percentile_caption_in_svg()
    {
        ChartRenderer.Histogram(SampleData.NpvDistribution(), _dir, ChartFormat.Svg);
        string svg = File.ReadAllText(Path.Combine(_dir, "histogram-npv_usd.svg"));
        Assert.Contains("Not the SPE-PRMS", svg, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("USD", 30e6, 12.345e6, "$12.35 M")]
    [InlineData("USD", 30e6, -5e6, "-$5 M")]
    [InlineData("USD", 500_000, 250_000, "$250,000")]
    [InlineData("fraction", 1, 0.45, "45 %")]
    [InlineData("months", 60, 24, "24")]
    [InlineData("", 1e9, 1234567, "1,234,567")]
    [InlineData("USD", 30e6, 1e-9, "$0 M")]
    public void Values_are_formatted_for_reading(string unit, double maxAbs, double value, string expected) =>
        Assert.Equal(expected, new ValueFormat(unit, maxAbs).Format(value));

    /// <summary>Writes sample PNGs to $RISKSIM_CHART_PREVIEW (if set) for looking at them.</summary>
    [Fact]
    public void Preview_when_requested()
    {
        string? dir = Environment.GetEnvironmentVariable("RISKSIM_CHART_PREVIEW");
        if (string.IsNullOrEmpty(dir))
        {
            return;
        }

        ChartRenderer.Tornado(SampleData.Tornado(), dir);
        ChartRenderer.Histogram(SampleData.NpvDistribution(), dir);
        ChartRenderer.SCurve(SampleData.SCurve(), dir);
        ChartRenderer.SCurve(SampleData.SCurve() with { KpiKey = "npv_single", Series = [SampleData.SCurve().Series[0]] }, dir);
        ChartRenderer.Payback(SampleData.Payback(), dir);
        ChartRenderer.Fan(SampleData.CashFlowFan(), dir);
        ChartRenderer.Fan(SampleData.UtilizationFan(), dir);
        ChartRenderer.Spider(SampleData.Spider(), dir);
        ChartRenderer.Histogram(new DistributionData("empty", "Empty", "USD", [], 0, 0, 0, 0, 0, ""), dir, ChartFormat.Png, 800, 500);
        ChartRenderer.Tornado(SampleData.Tornado(), dir + "/small", ChartFormat.Png, 800, 500);
        ChartRenderer.Payback(SampleData.Payback(), dir + "/small", ChartFormat.Png, 800, 500);
        string edge = dir + "/edge";
        ChartRenderer.Histogram(new DistributionData("constant", "Constant NPV", "USD", [.. Enumerable.Repeat(5e6, 100)], 5e6, 5e6, 5e6, 100, 0, ""), edge, ChartFormat.Png, 800, 500);
        ChartRenderer.SCurve(new SCurveData("single", "Single value", "months", [new SCurveSeries("", [42])]), edge, ChartFormat.Png, 800, 500);
        ChartRenderer.Fan(new FanData("fan-one-month", "One month", "price (USD/Mtok)", [1], [1.5], [2], [2.5], 2.2, "break-even price"), edge, ChartFormat.Png, 800, 500);
        ChartRenderer.Tornado(new TornadoData("roi", "Net ROI", "fraction", 0.12,
        [
            new TornadoBar("a", "Same side", "0.4", "0.9", 0.2, 0.35),
            new TornadoBar("b", "Zero swing", "1", "1", 0.12, 0.12),
        ]), edge, ChartFormat.Png, 800, 500);
        ChartRenderer.Payback(new DistributionData("payback_months", "Payback", "months", [], double.NaN, double.NaN, double.NaN, 1000, 1000, "never within 36 months"), edge, ChartFormat.Png, 800, 500);
    }
}
