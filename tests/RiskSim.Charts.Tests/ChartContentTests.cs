using System.Globalization;
using System.Text.RegularExpressions;
using ScottPlot;
using ScottPlot.Plottables;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;
using RiskSim.Tests.Shared;

namespace RiskSim.Charts.Tests;

/// <summary>
/// What the charts of real runs say: the marked statistics are the run's exact ones, written as the report writes
/// them; "never" is never drawn as a number; 0 is marked on NPV and ROI; empty or flat charts are left out with a
/// sentence; no text leaves the image; one sans-serif font throughout.
/// </summary>
public sealed partial class ChartContentTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "risksim-chart-content-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    private static SimulationSpec Spec(string config) => ResolvingLoader.Load(Path.Combine(RepoPaths.Configs, config), null, config);

    private static ReportData Report(string config, long trials)
    {
        var result = MonteCarloEngine.Run(Spec(config), new RunOptions(trials, 20251028, SamplingMethod.LatinHypercube, 2));
        return ReportData.Compute(result, Gates.Evaluate(result), config);
    }

    [Fact]
    public void Marked_percentiles_are_the_runs_exact_statistics_as_the_report_writes_them()
    {
        // 250,000 trials in memory: the bars and the curve come from every 3rd trial, the marks from all of them.
        var d = Report("gb200-nvl72-deepseek-r1.json", 250_000);
        var bundle = ChartBundles.From(d);
        string report = CommitteeReport.Markdown(d, new ReportOptions(Deterministic: true));
        foreach (var (column, hist, curve) in new[] { (TrialKpis.Npv, bundle.DistributionNpv!, bundle.SCurveNpv!), (TrialKpis.NetRoi, bundle.DistributionRoi!, bundle.SCurveRoi!) })
        {
            var st = d.Result.Statistics[column];
            Assert.Equal("every 3rd trial (83,334 of 250,000)", hist.BarsFrom);
            Assert.Equal(hist.BarsFrom, curve.CurveFrom);
            string histogram = File.ReadAllText(ChartRenderer.Histogram(hist, _dir, ChartFormat.Svg).Single());
            string scurve = File.ReadAllText(ChartRenderer.SCurve(curve, _dir, ChartFormat.Svg).Single());
            Assert.Contains("Bars drawn from every 3rd trial", SvgText(histogram), StringComparison.Ordinal);
            Assert.Contains("Curve drawn from every 3rd trial", SvgText(scurve), StringComparison.Ordinal);
            foreach (var (mark, q) in hist.Marks.Zip([0.1, 0.5, 0.9]))
            {
                double exact = st[q].Value!.Value;
                Assert.Equal(exact, mark.Value);
                Assert.Equal(exact, curve.Series[0].Marks.Single(m => m.Name == mark.Name).Value);

                // The report's table cell and the chart's label are the same text.
                string text = KpiFormat.Value(exact, st.Kpi.Unit);
                Assert.Equal(text, mark.Text);
                Assert.True(report.Contains($"| {text} |", StringComparison.Ordinal) || report.Contains($"| {text.Replace("$", "\\$", StringComparison.Ordinal)} |", StringComparison.Ordinal), $"the report's table has no cell {text}");
                Assert.Contains($"{mark.Name} {text}", SvgText(histogram), StringComparison.Ordinal);
                Assert.Contains($"{mark.Name} {text}", SvgText(scurve), StringComparison.Ordinal);
            }

            Assert.Equal(st.ProbNegative, hist.ShareBelowZero);
        }
    }

    [Fact]
    public void Charts_of_a_run_that_keeps_only_its_first_trials_say_so()
    {
        var spec = Spec("gb200-nvl72-deepseek-r1.json");
        var result = MonteCarloEngine.Run(spec, new RunOptions(100_000, 1, SamplingMethod.LatinHypercube, 2) { TwoPass = true }); // keeps the first 65,536
        var hist = ChartBundles.Distribution(result, TrialKpis.Npv)!;
        var curve = ChartBundles.SCurve(result, TrialKpis.Npv)!;
        Assert.Equal("the run's first 65,536 of 100,000 trials (a run this large keeps no more)", hist.BarsFrom);
        Assert.Equal(result.Statistics[TrialKpis.Npv][0.5].Value, hist.Marks[1].Value);
        Assert.Contains("Bars drawn from the run's first 65,536 of 100,000 trials", SvgText(File.ReadAllText(ChartRenderer.Histogram(hist, _dir, ChartFormat.Svg).Single())), StringComparison.Ordinal);
        Assert.Contains("Curve drawn from the run's first 65,536 of 100,000 trials", SvgText(File.ReadAllText(ChartRenderer.SCurve(curve, _dir, ChartFormat.Svg).Single())), StringComparison.Ordinal);

        var small = MonteCarloEngine.Run(spec, new RunOptions(50_000, 1, SamplingMethod.LatinHypercube, 2));
        Assert.Null(ChartBundles.Distribution(small, TrialKpis.Npv)!.BarsFrom); // every trial
    }

    [Fact]
    public void Payback_that_never_happens_is_labelled_never_and_the_axis_stops_at_100_percent()
    {
        var d = Report("h100-deepseek-r1.json", 20_000);
        var pb = d.Result.Statistics[TrialKpis.Payback];
        Assert.Null(pb[0.1].Value); // more than 90 % of trials never pay back: even P10 is "never"
        var data = ChartBundles.From(d).DistributionPayback!;
        Assert.All(data.Marks, m => Assert.Equal("never", m.Text));
        Assert.All(data.Marks, m => Assert.True(double.IsNaN(m.Value)));

        var chart = new HistogramChart(data, nullBar: true, "payback");
        using var plot = chart.Build(1200, 700);
        Assert.True(plot.Axes.GetLimits().Top <= 100, "a share of trials cannot exceed 100 %");
        Assert.DoesNotContain(plot.GetPlottables().OfType<VerticalLine>(), l => l.X == d.Result.Spec.HorizonMonths);
        string svg = SvgText(File.ReadAllText(ChartRenderer.Payback(data, _dir, ChartFormat.Svg).Single()));
        Assert.Contains("P10, P50, P90: never", svg, StringComparison.Ordinal);
        Assert.DoesNotContain("P10 60", svg, StringComparison.Ordinal);
    }

    [Fact]
    public void Npv_and_roi_histograms_mark_zero_and_shade_the_loss_side()
    {
        var d = Report("gb200-nvl72-deepseek-r1.json", 20_000);
        var bundle = ChartBundles.From(d);
        foreach (var data in new[] { bundle.DistributionNpv!, bundle.DistributionRoi! })
        {
            using var plot = new HistogramChart(data).Build(1200, 700);
            Assert.Contains(plot.GetPlottables().OfType<VerticalLine>(), l => l.X == 0);
            var loss = Assert.Single(plot.GetPlottables().OfType<HorizontalSpan>());
            Assert.Equal(0, loss.Right);
            Assert.True(loss.Left < 0);
            Assert.Contains(plot.Legend.ManualItems, i => i.LabelText.Replace("\n", " ", StringComparison.Ordinal).Contains(KpiFormat.Probability(data.ShareBelowZero!.Value) + " of trials", StringComparison.Ordinal));
        }

        // Payback has no loss side.
        using var payback = new HistogramChart(bundle.DistributionPayback!, nullBar: true, "payback").Build(1200, 700);
        Assert.Empty(payback.GetPlottables().OfType<HorizontalSpan>());
    }

    [Fact]
    public void Tornado_bars_are_coloured_by_the_end_the_input_is_at()
    {
        var spec = Spec("gb200-nvl72-deepseek-r1.json");

        // Payback falls as the ceiling M rises: its low (left) end has M at its P90, so that segment is blue.
        var payback = ChartBundles.ToTornadoData(Tornado.Compute(spec, TrialKpis.Payback), spec)!;
        var curve = payback.Bars.Single(b => b.Input == Tornado.SoftwareCurveKey);
        Assert.True(curve.IsGroup);
        Assert.Equal(InputEnd.P90, curve.LowEnd);
        Assert.StartsWith("M ", curve.LowInput, StringComparison.Ordinal);
        Assert.Contains("(P90)", curve.LowInput.Split(',')[0], StringComparison.Ordinal);
        Assert.Equal(TornadoChart.HighColor, TornadoChart.LowSegmentColor(curve));
        Assert.Contains("coloured by its ceiling M", payback.Footnote, StringComparison.Ordinal);

        // NPV rises with M: its low end has M at its P10 (orange); a single input is at its P10 on its low end.
        var npv = ChartBundles.ToTornadoData(Tornado.Compute(spec, TrialKpis.Npv), spec)!;
        Assert.Equal(InputEnd.P10, npv.Bars.Single(b => b.Input == Tornado.SoftwareCurveKey).LowEnd);
        Assert.All(npv.Bars.Where(b => !b.IsGroup), b => Assert.Equal(InputEnd.P10, b.LowEnd));
        Assert.All(npv.Bars.Where(b => !b.IsGroup), b => Assert.Equal(TornadoChart.LowColor, TornadoChart.LowSegmentColor(b)));

        // The bars drawn carry those colours.
        using var plot = new TornadoChart(payback).Build(1200, 700);
        var drawn = plot.GetPlottables().OfType<BarPlot>().Single().Bars;
        Assert.Contains(drawn, b => b.FillColor == TornadoChart.HighColor && b.Value == curve.KpiAtLow);
    }

    [Fact]
    public void Payback_tornado_names_its_unit_once()
    {
        var spec = Spec("gb200-nvl72-deepseek-r1.json");
        var data = ChartBundles.ToTornadoData(Tornado.Compute(spec, TrialKpis.Payback), spec)!;
        using var plot = new TornadoChart(data).Build(1200, 700);
        string label = plot.Axes.Bottom.Label.Text;
        string baseCase = KpiFormat.Value(RiskSim.Core.Model.Evaluation.Evaluate(spec)["payback_months"].Value, "months");
        Assert.StartsWith($"Payback (months); bars start at the base value {baseCase} (all inputs at their P50)", label, StringComparison.Ordinal);
        Assert.DoesNotContain(") (", label, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_tornado_and_flat_fans_are_left_out_with_a_sentence()
    {
        // h100-deepseek-r1 never pays back in the base case, nor with any single input moved: no payback tornado.
        var h100 = Report("h100-deepseek-r1.json", 20_000);
        var bundle = ChartBundles.From(h100);
        Assert.Null(bundle.TornadoPayback);
        var entry = bundle.Entries.Single(e => e.FileStem == "tornado-payback");
        Assert.False(entry.Drawn);
        Assert.Contains("never happens within the 60-month horizon", entry.OmittedReason, StringComparison.Ordinal);
        Assert.NotNull(bundle.DistributionPayback); // the distribution still shows the "never" bar

        // A rate-mode config without power figures or a software curve: no electricity or m(t) fan.
        string json = File.ReadAllText(Path.Combine(RepoPaths.Configs, "b200-gpt-oss-120b-rate.json"));
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        foreach (string k in new[] { "gpu_power_active_w", "gpu_power_idle_w", "energy_boundary", "pue", "electricity_usd_per_kwh", "electricity_escalation_annual" })
        {
            node["cost"]!.AsObject().Remove(k);
        }

        node["drivers"]!.AsObject().Remove("software_multiplier_ceiling");
        node["drivers"]!.AsObject().Remove("software_time_constant_months");
        node.Remove("correlations");
        var spec = ResolvingLoader.Load(node.ToJsonString(), Path.Combine(RepoPaths.Configs, "bare.json"), null, "bare.json");
        var result = MonteCarloEngine.Run(spec, new RunOptions(20_000, 1, SamplingMethod.LatinHypercube, 2));
        var bare = ChartBundles.From(ReportData.Compute(result, Gates.Evaluate(result), "bare.json"));
        Assert.Equal(["fan-price", "fan-utilization"], bare.DriverFans.Select(f => f.FileStem));
        Assert.Contains("no power figures", bare.Entries.Single(e => e.FileStem == "fan-electricity").OmittedReason, StringComparison.Ordinal);
        Assert.Contains("no software improvement", bare.Entries.Single(e => e.FileStem == "fan-software-multiplier").OmittedReason, StringComparison.Ordinal);
        Assert.Null(bare.TornadoRoi);
        Assert.Contains("net ROI does not exist in this config", bare.Entries.Single(e => e.FileStem == "histogram-roi").OmittedReason, StringComparison.Ordinal);
        Assert.All(bare.Entries.Where(e => e.Drawn), e => Assert.False(string.IsNullOrWhiteSpace(e.Caption)));
    }

    [Fact]
    public void Legends_of_fans_histograms_and_spiders_sit_outside_the_data()
    {
        var d = Report("gb200-nvl72-deepseek-r1.json", 20_000);
        var bundle = ChartBundles.From(d);
        IChart[] charts = [new FanChart(bundle.CashFlowFan!), .. bundle.DriverFans.Select(f => new FanChart(f)), new HistogramChart(bundle.DistributionNpv!), new SpiderChart(bundle.SpiderNpv!)];
        foreach (var chart in charts.Cast<ChartBase>())
        {
            using var plot = chart.Build(1200, 700);
            Assert.False(plot.Legend.IsVisible, $"{chart.FileStem}: the legend is drawn inside the data area");
            Assert.Single(plot.Axes.GetPanels().OfType<ScottPlot.Panels.LegendPanel>());
        }
    }

    public static TheoryData<string> Configs => new() { "gb200-nvl72-deepseek-r1.json", "h100-deepseek-r1.json", "b200-gpt-oss-120b-rate.json" };

    [Theory]
    [MemberData(nameof(Configs))]
    public void Every_text_of_every_chart_stays_inside_the_image_in_one_sans_font(string config)
    {
        var d = Report(config, 20_000);
        var bundle = ChartBundles.From(d);
        var files = new List<string>();
        foreach (var t in new[] { bundle.TornadoNpv, bundle.TornadoRoi, bundle.TornadoPayback }.OfType<TornadoData>())
        {
            files.AddRange(ChartRenderer.Tornado(t, _dir, ChartFormat.Svg));
        }

        foreach (var h in new[] { bundle.DistributionNpv, bundle.DistributionRoi }.OfType<DistributionData>())
        {
            files.AddRange(ChartRenderer.Histogram(h, _dir, ChartFormat.Svg));
        }

        if (bundle.DistributionPayback is { } p)
        {
            files.AddRange(ChartRenderer.Payback(p, _dir, ChartFormat.Svg));
        }

        foreach (var c in new[] { bundle.SCurveNpv, bundle.SCurveRoi }.OfType<SCurveData>())
        {
            files.AddRange(ChartRenderer.SCurve(c, _dir, ChartFormat.Svg));
        }

        foreach (var f in bundle.DriverFans.Prepend(bundle.CashFlowFan!))
        {
            files.AddRange(ChartRenderer.Fan(f, _dir, ChartFormat.Svg));
        }

        files.AddRange(ChartRenderer.Spider(bundle.SpiderNpv!, _dir, ChartFormat.Svg));
        if (bundle.Frontier is { } frontier)
        {
            files.AddRange(ChartRenderer.Frontier(frontier, _dir, ChartFormat.Svg)); // configs that start from benchmark files
        }

        Assert.Equal(bundle.Entries.Count(e => e.Drawn), files.Count);
        foreach (string file in files)
        {
            AssertTextInside(file, ChartRenderer.DefaultWidth, ChartRenderer.DefaultHeight);
        }
    }

    /// <summary>Every horizontal text run of an SVG starts and ends inside the image, and uses the charts' font.</summary>
    private static void AssertTextInside(string svgFile, int width, int height)
    {
        string svg = File.ReadAllText(svgFile);
        string name = Path.GetFileName(svgFile);
        int checkedRuns = 0;
        foreach (Match m in TextElement().Matches(svg))
        {
            Assert.Equal(ChartBase.FontName, m.Groups["font"].Value);
            if (!m.Groups["tx"].Success)
            {
                continue; // rotated (the y axis label)
            }

            double tx = double.Parse(m.Groups["tx"].Value, CultureInfo.InvariantCulture);
            double ty = double.Parse(m.Groups["ty"].Value, CultureInfo.InvariantCulture);
            double size = double.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture);
            var xs = m.Groups["xs"].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
            double left = tx + xs[0];
            double right = tx + xs[^1] + 0.7 * size; // the last glyph's advance, at most
            Assert.True(left >= 0 && right <= width, $"{name}: text at x {left:0}…{right:0} leaves the {width}-pixel image: {m.Groups["text"].Value}");
            Assert.True(ty >= 0 && ty <= height, $"{name}: text at y {ty:0} leaves the image: {m.Groups["text"].Value}");
            checkedRuns++;
        }

        Assert.True(checkedRuns > 5, $"{name}: no text found");
    }

    /// <summary>The text content of an SVG, runs joined by spaces (wrapped lines become one string).</summary>
    private static string SvgText(string svg) => string.Join(" ", TextElement().Matches(svg).Select(m => System.Net.WebUtility.HtmlDecode(m.Groups["text"].Value)));

    [GeneratedRegex("""<text[^>]*?(?:transform="translate\((?<tx>[-0-9.e]+) (?<ty>[-0-9.e]+)\)"|transform="matrix[^"]*")[^>]*?font-size="(?<size>[0-9.]+)" font-family="(?<font>[^"]*)" x="(?<xs>[^"]*)"[^>]*>(?<text>[^<]*)</text>""")]
    private static partial Regex TextElement();
}
