using RiskSim.Reporting;

namespace RiskSim.Charts;

/// <summary>
/// The reports' chart renderer: draws every chart with ScottPlot, in memory, as PNG and SVG. A run's charts are drawn on
/// all cores at once (each is an independent plot); the images come back in the bundle's order.
/// </summary>
/// <param name="width">Image width in pixels.</param>
/// <param name="height">Image height in pixels.</param>
public sealed class ScottPlotChartRenderer(int width = ChartRenderer.DefaultWidth, int height = ChartRenderer.DefaultHeight) : IChartRenderer
{
    /// <inheritdoc />
    public IReadOnlyList<ChartImage> Render(ChartBundle bundle)
    {
        ArgumentNullException.ThrowIfNull(bundle);

        // Resolve the font once, before the charts are drawn on several threads (ScottPlot's own default is a serif font here).
        ChartRenderer.LoadFonts();
        var charts = Charts(bundle).ToList();
        var images = new IReadOnlyList<ChartImage>[charts.Count];
        Parallel.For(0, charts.Count, i => images[i] = charts[i].Render(ChartFormat.Both, width, height));
        return [.. images.SelectMany(i => i)];
    }

    /// <inheritdoc />
    public IReadOnlyList<ChartImage> RenderSCurves(SCurveData curves)
    {
        ChartRenderer.LoadFonts();
        return new SCurveChart(curves).Render(ChartFormat.Both, width, height);
    }

    /// <inheritdoc />
    public ChartImage RenderFrontier(FrontierChartData data, bool svg)
    {
        ChartRenderer.LoadFonts();
        return new FrontierChart(data).Render(svg ? ChartFormat.Svg : ChartFormat.Png, width, height).Single();
    }

    /// <summary>The charts of a bundle in report order: tornados, histograms, payback, S-curves, fans, spider, frontier.</summary>
    private static IEnumerable<ChartBase> Charts(ChartBundle b)
    {
        foreach (var t in new[] { b.TornadoNpv, b.TornadoRoi, b.TornadoPayback })
        {
            if (t is not null)
            {
                yield return new TornadoChart(t);
            }
        }

        foreach (var d in new[] { b.DistributionNpv, b.DistributionRoi })
        {
            if (d is not null)
            {
                yield return new HistogramChart(d);
            }
        }

        if (b.DistributionPayback is { } p)
        {
            yield return new HistogramChart(p, nullBar: true, "payback");
        }

        foreach (var s in new[] { b.SCurveNpv, b.SCurveRoi })
        {
            if (s is not null)
            {
                yield return new SCurveChart(s);
            }
        }

        if (b.CashFlowFan is { } f)
        {
            yield return new FanChart(f);
        }

        foreach (var fan in b.DriverFans)
        {
            yield return new FanChart(fan);
        }

        if (b.SpiderNpv is { } sp)
        {
            yield return new SpiderChart(sp);
        }

        if (b.Frontier is { } frontier)
        {
            yield return new FrontierChart(frontier);
        }
    }
}
