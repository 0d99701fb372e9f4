namespace RiskSim.Charts.Tests;

/// <summary>
/// RiskSim.Charts' public API is its entry points (declared in src/RiskSim.Charts/PublicAPI.*.txt and checked by the
/// PublicApiAnalyzers at build time); the chart classes, which expose ScottPlot's types, are not part of it.
/// </summary>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData("RiskSim.Charts.IChart")]
    [InlineData("RiskSim.Charts.ChartBase")]
    [InlineData("RiskSim.Charts.ValueFormat")]
    [InlineData("RiskSim.Charts.TornadoChart")]
    [InlineData("RiskSim.Charts.HistogramChart")]
    [InlineData("RiskSim.Charts.SCurveChart")]
    [InlineData("RiskSim.Charts.FanChart")]
    [InlineData("RiskSim.Charts.SpiderChart")]
    [InlineData("RiskSim.Charts.FrontierChart")]
    [InlineData("RiskSim.Charts.ChartText")]
    public void A_chart_internal_is_not_public(string name)
    {
        var type = typeof(ChartRenderer).Assembly.GetType(name);
        Assert.NotNull(type);
        Assert.False(type.IsVisible, $"{name} is public");
    }

    [Theory]
    [InlineData("RiskSim.Charts.ChartRenderer")]
    [InlineData("RiskSim.Charts.ChartFormat")]
    [InlineData("RiskSim.Charts.ScottPlotChartRenderer")]
    public void A_chart_entry_point_is_public(string name)
    {
        var type = typeof(ChartRenderer).Assembly.GetType(name);
        Assert.NotNull(type);
        Assert.True(type.IsVisible, $"{name} is not public");
    }
}
