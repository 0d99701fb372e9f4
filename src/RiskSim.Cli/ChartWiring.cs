using RiskSim.Charts;
using RiskSim.Reporting;

namespace RiskSim.Cli;

/// <summary>Connects the report's chart hook to the ScottPlot renderer (the only place the CLI touches RiskSim.Charts).</summary>
internal static class ChartWiring
{
    /// <summary>Short names for file stems: tornado-npv.png, histogram-roi.png, s-curve-npv.png …</summary>
    private static string Short(string key) => ChartBundles.ShortKey(key);

    /// <summary>Renders every chart of a bundle as PNG and SVG into <paramref name="dir"/>; returns the files written.</summary>
    public static IReadOnlyList<string> Render(string dir, ChartBundle b)
    {
        // Resolve the font once, before the charts are drawn on several threads (ScottPlot's own default is a serif font here).
        ChartRenderer.LoadFonts();

        // Collect the charts first, then draw them on all cores: each is an independent ScottPlot Plot.
        var jobs = new List<Func<IReadOnlyList<string>>>();
        var files = new JobList(jobs);
        foreach (var t in new[] { b.TornadoNpv, b.TornadoRoi, b.TornadoPayback })
        {
            if (t is not null)
            {
                files.AddRange(() => ChartRenderer.Tornado(t with { KpiKey = Short(t.KpiKey) }, dir));
            }
        }

        foreach (var d in new[] { b.DistributionNpv, b.DistributionRoi })
        {
            if (d is not null)
            {
                files.AddRange(() => ChartRenderer.Histogram(d with { KpiKey = Short(d.KpiKey) }, dir));
            }
        }

        if (b.DistributionPayback is { } p)
        {
            files.AddRange(() => ChartRenderer.Payback(p with { KpiKey = Short(p.KpiKey) }, dir));
        }

        foreach (var s in new[] { b.SCurveNpv, b.SCurveRoi })
        {
            if (s is not null)
            {
                files.AddRange(() => ChartRenderer.SCurve(s with { KpiKey = Short(s.KpiKey) }, dir));
            }
        }

        if (b.CashFlowFan is { } f)
        {
            files.AddRange(() => ChartRenderer.Fan(f, dir));
        }

        foreach (var fan in b.DriverFans)
        {
            files.AddRange(() => ChartRenderer.Fan(fan, dir));
        }

        if (b.SpiderNpv is { } sp)
        {
            files.AddRange(() => ChartRenderer.Spider(sp with { KpiKey = Short(sp.KpiKey) }, dir));
        }

        if (b.Frontier is { } frontier)
        {
            files.AddRange(() => ChartRenderer.Frontier(frontier, dir));
        }

        var results = new IReadOnlyList<string>[jobs.Count];
        Parallel.For(0, jobs.Count, i => results[i] = jobs[i]());
        return [.. results.SelectMany(r => r)];
    }

    /// <summary>
    /// Writes a frontier chart to <paramref name="path"/> (.png or .svg): drawn in a temporary folder beside it and moved
    /// into place, so a failed render leaves nothing half-written.
    /// </summary>
    public static IReadOnlyList<string> RenderFrontierTo(FrontierChartData data, string path)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".risksim-chart-{Guid.NewGuid():N}");
        try
        {
            bool svg = full.EndsWith(".svg", StringComparison.OrdinalIgnoreCase);
            var files = ChartRenderer.Frontier(data with { FileStem = "frontier" }, tmp, svg ? ChartFormat.Svg : ChartFormat.Png);
            File.Move(files[0], full, overwrite: true);
            return [full];
        }
        finally
        {
            if (Directory.Exists(tmp))
            {
                Directory.Delete(tmp, recursive: true);
            }
        }
    }

    /// <summary>Adapter so the chart list above reads as "add these files": each AddRange queues a render.</summary>
    private sealed class JobList(List<Func<IReadOnlyList<string>>> jobs)
    {
        public void AddRange(Func<IReadOnlyList<string>> render) => jobs.Add(render);
    }
}
