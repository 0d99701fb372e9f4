using System.Collections.Immutable;
using RiskSim.Core.Benchmarks;
using RiskSim.Reporting;

namespace RiskSim.Charts.Tests;

/// <summary>The frontier chart: files written, data mapped, edge cases drawn without throwing.</summary>
public sealed class FrontierChartTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "risksim-frontier-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    /// <summary>A concurrency sweep shaped like the InferenceX gpt-oss-120b one (figures rounded, per GPU of 16).</summary>
    internal static FrontierResult Sweep(string sla)
    {
        (int C, double X, double Y, double T99)[] rows =
        [
            (4, 119.2, 28.7, 0.99), (8, 117.9, 58.1, 0.31), (16, 110.6, 107.8, 0.69), (32, 96.4, 186.6, 1.55),
            (64, 79.9, 312.7, 0.69), (128, 67.2, 523.0, 1.52), (256, 56.3, 873.5, 1.58), (512, 45.2, 1408.4, 2.25),
        ];
        var pts = rows.Select(r => new FrontierPoint($"concurrency_{r.C}.json", r.X, r.Y)
        {
            Label = $"c={r.C}",
            Metrics = ImmutableDictionary<string, double>.Empty.Add("ttft_p99_s", r.T99),
        }).ToList();
        return Frontier.Select(pts, Sla.TryParse(sla).Sla!);
    }

    [Fact]
    public void Frontier_chart_maps_the_result_and_writes_png_and_svg()
    {
        // Floor 50 lies between c=512 (45.2) and c=256 (56.3); p99 TTFT ≤ 2 rules out c=512 (2.25 s).
        var r = Sweep("tokens_per_s_per_user>=50,ttft_p99_s<=2");
        var data = FrontierChartData.From(r, "gpt-oss-120b: throughput vs interactivity");
        Assert.Equal(8, data.Points.Length);
        Assert.Equal(50, data.MinTokensPerSPerUser);
        Assert.Equal([true, true, true, true, true, true, true, false], data.Points.Select(p => p.MeetsSla).ToArray());
        Assert.NotNull(data.Chosen);
        Assert.Contains("interpolated", data.ChosenLabel, StringComparison.Ordinal);
        var files = ChartRenderer.Frontier(data, _dir);
        Assert.Equal(["frontier.png", "frontier.svg"], files.Select(f => Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray());
        Assert.All(files, f => Assert.True(new FileInfo(f).Length > 1000));
    }

    [Fact]
    public void Frontier_chart_without_a_choice_or_points_still_draws()
    {
        var miss = Sweep("tokens_per_s_per_user>=500");
        Assert.Null(miss.Choice);
        var data = FrontierChartData.From(miss, "no point meets", "frontier-miss");
        Assert.Null(data.Chosen);
        Assert.Equal(2, ChartRenderer.Frontier(data, _dir).Count);
        var empty = data with { FileStem = "frontier-empty", Points = [], MinTokensPerSPerUser = null };
        Assert.Equal(2, ChartRenderer.Frontier(empty, _dir).Count);
    }

    /// <summary>Writes sample frontier PNGs to $RISKSIM_CHART_PREVIEW (if set) for looking at them.</summary>
    [Fact]
    public void Preview_when_requested()
    {
        string? dir = Environment.GetEnvironmentVariable("RISKSIM_CHART_PREVIEW");
        if (string.IsNullOrEmpty(dir))
        {
            return;
        }

        ChartRenderer.Frontier(FrontierChartData.From(Sweep("tokens_per_s_per_user>=50,ttft_p99_s<=2"), "gpt-oss-120b sweep: output tok/s per GPU vs tok/s per user"), dir);
        ChartRenderer.Frontier(FrontierChartData.From(Sweep("tokens_per_s_per_user>=100,ttft_p99_s<=1"), "measured choice", "frontier-measured"), dir, ChartFormat.Png, 800, 500);
        ChartRenderer.Frontier(FrontierChartData.From(Sweep("tokens_per_s_per_user>=500"), "no point meets", "frontier-miss"), dir, ChartFormat.Png, 800, 500);
    }
}
