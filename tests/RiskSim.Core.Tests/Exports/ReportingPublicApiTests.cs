using RiskSim.Reporting;

namespace RiskSim.Core.Tests.Exports;

/// <summary>
/// RiskSim.Reporting's public API is what a caller needs to write a run's reports and exports (the full surface is
/// declared in src/RiskSim.Reporting/PublicAPI.*.txt and checked by the PublicApiAnalyzers at build time); the
/// document model and the helpers behind the reports are not part of it.
/// </summary>
public sealed class ReportingPublicApiTests
{
    [Theory]
    [InlineData("RiskSim.Reporting.ReportDocument")]
    [InlineData("RiskSim.Reporting.ReportBlock")]
    [InlineData("RiskSim.Reporting.HeadingBlock")]
    [InlineData("RiskSim.Reporting.ParagraphBlock")]
    [InlineData("RiskSim.Reporting.BulletsBlock")]
    [InlineData("RiskSim.Reporting.TableBlock")]
    [InlineData("RiskSim.Reporting.PreBlock")]
    [InlineData("RiskSim.Reporting.ImageBlock")]
    [InlineData("RiskSim.Reporting.BenchmarkReport")]
    [InlineData("RiskSim.Reporting.ShardingExport")]
    [InlineData("RiskSim.Reporting.XlsxWriter")]
    [InlineData("RiskSim.Reporting.XlsxSheet")]
    public void A_reporting_internal_is_not_public(string name)
    {
        var type = typeof(RunReports).Assembly.GetType(name);
        Assert.NotNull(type);
        Assert.False(type.IsVisible, $"{name} is public");
    }

    // What the CLI, RiskSim.Charts and the notebook (samples/risksim.ipynb) call: these must stay public.
    [Theory]
    [InlineData("RiskSim.Reporting.RunReports")]
    [InlineData("RiskSim.Reporting.RunReportOptions")]
    [InlineData("RiskSim.Reporting.ReportLevel")]
    [InlineData("RiskSim.Reporting.IChartRenderer")]
    [InlineData("RiskSim.Reporting.ChartImage")]
    [InlineData("RiskSim.Reporting.ReportData")]
    [InlineData("RiskSim.Reporting.ChartBundles")]
    [InlineData("RiskSim.Reporting.CommitteeReport")]
    [InlineData("RiskSim.Reporting.WorkbookExport")]
    [InlineData("RiskSim.Reporting.TrialsParquet")]
    [InlineData("RiskSim.Reporting.KpiFormat")]
    public void A_reporting_entry_point_is_public(string name)
    {
        var type = typeof(RunReports).Assembly.GetType(name);
        Assert.NotNull(type);
        Assert.True(type.IsVisible, $"{name} is not public");
    }

    [Fact]
    public void The_committee_report_blocks_are_not_public()
    {
        var blocks = typeof(CommitteeReport).GetMethod("Blocks", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.NonPublic);
        Assert.NotNull(blocks);
        Assert.False(blocks.IsPublic);
    }
}
