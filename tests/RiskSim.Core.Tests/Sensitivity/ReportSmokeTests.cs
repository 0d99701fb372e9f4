using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;

namespace RiskSim.Core.Tests.Sensitivity;

public class ReportSmokeTests
{
    [Fact]
    public void Rate_mode_report_says_roi_and_payback_do_not_exist()
    {
        var spec = TestConfigs.Load(software: true);
        var result = MonteCarloEngine.Run(spec, new RunOptions(20000, 1, SamplingMethod.LatinHypercube, 2));
        var data = ReportData.Compute(result, Gates.Evaluate(result), "linear.json");
        string md = CommitteeReport.Markdown(data, new ReportOptions(Deterministic: true));
        Assert.Contains("Payback does not exist", md, StringComparison.Ordinal);
        Assert.Contains("Net ROI does not exist in this config", md, StringComparison.Ordinal);
        var bundle = ChartBundles.From(data);
        Assert.NotNull(bundle.TornadoNpv);
        Assert.Null(bundle.TornadoRoi);
        Assert.Null(bundle.TornadoPayback);
        Assert.Null(bundle.DistributionRoi);
        Assert.Null(bundle.DistributionPayback);
        Assert.NotNull(bundle.SCurveNpv);
        Assert.Equal(TornadoSwingOrder(bundle.TornadoNpv!), bundle.TornadoNpv!.Bars.Select(b => b.Swing));
        string csv = SensitivityExport.TornadoCsv(data.Tornados);
        Assert.Equal(1 + data.Tornado(TrialKpis.Npv).Bars.Length, csv.TrimEnd('\n').Split('\n').Length);
    }

    private static IEnumerable<double> TornadoSwingOrder(TornadoData t) => t.Bars.Select(b => b.Swing).OrderByDescending(s => s);
}
