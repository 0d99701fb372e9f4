using RiskSim.Charts;
using RiskSim.Reporting;

namespace RiskSim.Cli;

/// <summary>Connects the report's chart hook to the ScottPlot renderer (the only place the CLI touches RiskSim.Charts).</summary>
internal static class ChartWiring
{
    /// <summary>Short names for file stems: tornado-npv.png, histogram-roi.png, s-curve-npv.png …</summary>
    private static string Short(string key) => key switch
    {
        "npv_usd" => "npv",
        "net_roi" => "roi",
        "payback_months" => "payback",
        _ => key,
    };

    /// <summary>Renders every chart of a bundle as PNG and SVG into <paramref name="dir"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Render(string dir, ChartBundle b)
    {
        var files = new List<string>();
        foreach (var t in new[] { b.TornadoNpv, b.TornadoRoi, b.TornadoPayback })
        {
            if (t is not null)
            {
                files.AddRange(ChartRenderer.Tornado(t with { KpiKey = Short(t.KpiKey) }, dir));
            }
        }

        foreach (var d in new[] { b.DistributionNpv, b.DistributionRoi })
        {
            if (d is not null)
            {
                files.AddRange(ChartRenderer.Histogram(d with { KpiKey = Short(d.KpiKey) }, dir));
            }
        }

        if (b.DistributionPayback is { } p)
        {
            files.AddRange(ChartRenderer.Payback(p with { KpiKey = Short(p.KpiKey) }, dir));
        }

        foreach (var s in new[] { b.SCurveNpv, b.SCurveRoi })
        {
            if (s is not null)
            {
                files.AddRange(ChartRenderer.SCurve(s with { KpiKey = Short(s.KpiKey) }, dir));
            }
        }

        if (b.CashFlowFan is { } f)
        {
            files.AddRange(ChartRenderer.Fan(f, dir));
        }

        foreach (var fan in b.DriverFans)
        {
            files.AddRange(ChartRenderer.Fan(fan, dir));
        }

        if (b.SpiderNpv is { } sp)
        {
            files.AddRange(ChartRenderer.Spider(sp with { KpiKey = Short(sp.KpiKey) }, dir));
        }

        return files;
    }
}
