using RiskSim.Reporting;

namespace RiskSim.Cli.Tests;

/// <summary>Runs the CLI in process and captures its exit code, standard output and standard error.</summary>
internal static class CliHarness
{
    public static (int Code, string Out, string Err) Run(params string[] args) => Run(null, args);

    /// <summary>Runs the CLI with <paramref name="charts"/> drawing the reports' charts (null: no charts).</summary>
    public static (int Code, string Out, string Err) Run(IChartRenderer? charts, params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int code = Cli.Run(args, o, e, charts);
        return (code, o.ToString(), e.ToString());
    }
}

/// <summary>A chart renderer for tests: <paramref name="render"/> serves a run's bundle; it counts its calls.</summary>
internal sealed class FakeChartRenderer(Func<ChartBundle, IReadOnlyList<ChartImage>> render) : IChartRenderer
{
    private int _calls;

    public int Calls => _calls;

    public IReadOnlyList<ChartImage> Render(ChartBundle bundle)
    {
        Interlocked.Increment(ref _calls);
        return render(bundle);
    }

    public IReadOnlyList<ChartImage> RenderSCurves(SCurveData curves) => [];

    public ChartImage RenderFrontier(FrontierChartData data, bool svg) => throw new NotSupportedException();
}
