using System.Text.Json;
using RiskSim.Reporting;

namespace RiskSim.Cli.Tests;

/// <summary>End-to-end tests of the reports written by 'risksim run' and of 'risksim tornado'.</summary>
public class CliReportTests
{
    private static readonly string Config = Path.Combine(Path.GetDirectoryName(Source())!, "Golden", "golden-config.json");

    private static string Source([System.Runtime.CompilerServices.CallerFilePath] string here = "") => here;

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    [Fact]
    public void Run_writes_sensitivity_files_and_reports_and_calls_the_chart_hook()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "risksim-cli-" + Guid.NewGuid().ToString("N"));
        ChartBundle? seen = null;
        var charts = new FakeChartRenderer(bundle =>
        {
            seen = bundle;
            return [new ChartImage("tornado-npv.png", [0x89, 0x50, 0x4E, 0x47])];
        });
        try
        {
            var (code, _, err) = CliHarness.Run(charts, "run", Config, "--trials", "20000", "--threads", "2", "--out", outDir, "--quiet");
            Assert.True(code is ExitCodes.Ok or ExitCodes.GateFailed, err);
            string dir = Path.Combine(outDir, "gb200-nvl72-deepseek-r1");
            foreach (var f in new[] { "tornado.csv", "sensitivity.csv", "report.md", "report.html", "summary.json" })
            {
                Assert.True(File.Exists(Path.Combine(dir, f)), f);
            }

            Assert.StartsWith("kpi,rank,input,label,low_input,high_input,kpi_at_low,kpi_at_high,swing", File.ReadAllText(Path.Combine(dir, "tornado.csv")), StringComparison.Ordinal);
            Assert.StartsWith("kpi,input,label,spearman,src", File.ReadAllText(Path.Combine(dir, "sensitivity.csv")), StringComparison.Ordinal);
            Assert.NotNull(seen);
            Assert.NotNull(seen!.TornadoNpv);
            Assert.Equal(5, seen.SpiderNpv!.Lines.Length);
            Assert.Equal(60, seen.CashFlowFan!.Months.Length);
            Assert.Equal(4, seen.DriverFans.Length);
            Assert.All(seen.TornadoNpv!.Bars, b => Assert.True(double.IsFinite(b.KpiAtLow) && double.IsFinite(b.KpiAtHigh)));
            string md = File.ReadAllText(Path.Combine(dir, "report.md"));
            Assert.Contains("![Tornado of NPV](tornado-npv.png)", md, StringComparison.Ordinal);
            Assert.Contains("| machine |", md, StringComparison.Ordinal);
            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            Assert.Contains("data:image/png;base64,iVBORw==", html, StringComparison.Ordinal);
            ReportTests.AssertWellFormed(html);

            // The renderer's images are the chart files, as drawn (nothing read back from disk).
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(Path.Combine(dir, "tornado-npv.png")));
            Assert.Equal("npv", seen.TornadoNpv.KpiKey); // the short key, named once (ChartBundles): the renderer names its files from it
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, true);
            }
        }
    }

    [Fact]
    public void A_failing_chart_renderer_does_not_lose_the_run()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "risksim-cli-" + Guid.NewGuid().ToString("N"));
        var charts = new FakeChartRenderer(_ => throw new InvalidOperationException("no fonts"));
        try
        {
            var (code, _, err) = CliHarness.Run(charts, "run", Config, "--trials", "5000", "--threads", "1", "--out", outDir, "--quiet");
            Assert.True(code is ExitCodes.Ok or ExitCodes.GateFailed, err);
            string md = File.ReadAllText(Path.Combine(outDir, "gb200-nvl72-deepseek-r1", "report.md"));
            Assert.Contains("Charts could not be rendered: InvalidOperationException: no fonts", md, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, true);
            }
        }
    }

    /// <summary>
    /// A new process, as a user runs it: the charts are drawn on several threads from the first one on. Every text of
    /// every chart is in the one sans-serif font (ScottPlot's own default here is a serif one, and the first charts of a
    /// process used to show it), report.html embeds each chart once, and each caption says more than the file name.
    /// </summary>
    [Fact]
    public async Task A_fresh_process_draws_every_chart_in_one_sans_font_and_embeds_each_once()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "risksim-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "risksim.dll"), "run", RepoPaths.Flagship, "--trials", "20000", "--threads", "2", "--out", outDir, "--quiet" })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = System.Diagnostics.Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            string stderr = await p.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            await p.WaitForExitAsync(timeout.Token);
            Assert.True(p.ExitCode is ExitCodes.Ok or ExitCodes.GateFailed, stderr + await stdout);

            string dir = Path.Combine(outDir, "gb200-nvl72-deepseek-r1");
            string font = RiskSim.Charts.ChartRenderer.LoadFonts();
            var svgs = Directory.GetFiles(dir, "*.svg");
            Assert.Equal(14, svgs.Length);
            foreach (string svg in svgs)
            {
                var families = System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(svg), "font-family=\"([^\"]*)\"").Select(m => m.Groups[1].Value).Distinct().ToList();
                Assert.True(families.SequenceEqual([font]), $"{Path.GetFileName(svg)} uses {string.Join(", ", families)}");
            }

            string html = File.ReadAllText(Path.Combine(dir, "report.html"));
            foreach (string png in Directory.GetFiles(dir, "*.png"))
            {
                string data = Convert.ToBase64String(File.ReadAllBytes(png));
                int count = (html.Length - html.Replace(data, "", StringComparison.Ordinal).Length) / data.Length;
                Assert.True(count == 1, $"{Path.GetFileName(png)} is embedded {count} times");
            }

            var captions = System.Text.RegularExpressions.Regex.Matches(html, "<figcaption>(.*?)</figcaption>").Select(m => m.Groups[1].Value).ToList();
            Assert.Equal(14, captions.Count);
            Assert.All(captions, c => Assert.True(c.Length > 80 && !c.EndsWith(".png", StringComparison.Ordinal), c));
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, true);
            }
        }
    }

    [Fact]
    public void Tornado_command_prints_table_csv_and_json()
    {
        var (code, table, _) = Run("tornado", Config);
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("software curve m(t)", table, StringComparison.Ordinal);
        Assert.Contains("price erosion (annual)", table, StringComparison.Ordinal);

        var (c2, csv, _) = Run("tornado", Config, "--kpi", "payback_months", "--format", "csv");
        Assert.Equal(ExitCodes.Ok, c2);
        Assert.StartsWith("kpi,rank,", csv, StringComparison.Ordinal);
        Assert.Contains("payback_months,1,", csv, StringComparison.Ordinal);

        var (c3, json, _) = Run("tornado", Config, "--kpi", "net_roi", "--format", "json", "--ungroup");
        Assert.Equal(ExitCodes.Ok, c3);
        using var doc = JsonDocument.Parse(json);
        Assert.Equal("net_roi", doc.RootElement.GetProperty("kpi").GetString());
        var bars = doc.RootElement.GetProperty("bars").EnumerateArray().ToList();
        Assert.Contains(bars, b => b.GetProperty("input").GetString() == "drivers.software_multiplier_ceiling");
        double prev = double.MaxValue;
        foreach (var b in bars)
        {
            double s = b.GetProperty("swing").GetDouble();
            Assert.True(s <= prev);
            prev = s;
        }

        var (c4, _, err) = Run("tornado", Config, "--kpi", "irr");
        Assert.Equal(ExitCodes.BadInput, c4);
        Assert.Contains("irr", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Report_none_writes_the_statistics_only_and_summary_adds_the_reports_without_charts()
    {
        string outDir = Path.Combine(Path.GetTempPath(), "risksim-cli-" + Guid.NewGuid().ToString("N"));
        var charts = new FakeChartRenderer(_ => []);
        try
        {
            string Folder(string level) => Path.Combine(outDir, level, "gb200-nvl72-deepseek-r1");
            string[] Files(string level) => [.. Directory.GetFiles(Folder(level)).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];
            foreach (string level in new[] { "none", "summary", "full" })
            {
                var (code, _, err) = CliHarness.Run(charts, "run", Config, "--trials", "5000", "--threads", "1", "--out", Path.Combine(outDir, level), "--quiet", "--report", level);
                Assert.True(code is ExitCodes.Ok or ExitCodes.GateFailed, err);
            }

            Assert.Equal(["percentiles.csv", "summary.json"], Files("none"));
            Assert.Equal(["percentiles.csv", "report.html", "report.md", "sensitivity.csv", "summary.json", "tornado.csv"], Files("summary"));
            Assert.Equal(1, charts.Calls); // the full run only
            Assert.Contains("Charts were not rendered (--report summary)", File.ReadAllText(Path.Combine(Folder("summary"), "report.md")), StringComparison.Ordinal);

            // The statistics do not depend on what else is written.
            static string Statistics(string dir)
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
                return doc.RootElement.GetProperty("statistics").GetRawText();
            }

            Assert.Equal(Statistics(Folder("full")), Statistics(Folder("none")));
            Assert.Equal(Statistics(Folder("full")), Statistics(Folder("summary")));

            // Several configs with --report none: the comparisons' statistics, no side-by-side report.
            string both = Path.Combine(outDir, "both");
            var (c2, _, e2) = Run("run", Config, Path.Combine(RepoPaths.Configs, "b200-deepseek-r1.json"), "--trials", "5000", "--out", both, "--quiet", "--report", "none");
            Assert.True(c2 is ExitCodes.Ok or ExitCodes.GateFailed, e2);
            Assert.True(File.Exists(Path.Combine(both, "compare-b200-deepseek-r1-vs-gb200-nvl72-deepseek-r1", "comparison.json")));
            Assert.False(Directory.Exists(Path.Combine(both, "comparison")));

            // An export asked for is written even with --report none.
            string xlsx = Path.Combine(outDir, "xlsx");
            var (c3, _, e3) = Run("run", Config, "--trials", "5000", "--out", xlsx, "--quiet", "--report", "none", "--export", "xlsx");
            Assert.True(c3 is ExitCodes.Ok or ExitCodes.GateFailed, e3);
            Assert.Equal(["gb200-nvl72-deepseek-r1.xlsx", "percentiles.csv", "summary.json"], Directory.GetFiles(Path.Combine(xlsx, "gb200-nvl72-deepseek-r1")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

            Assert.Equal(ExitCodes.BadInput, Run("run", Config, "--trials", "5000", "--out", Path.Combine(outDir, "bad"), "--report", "charts").Code);
            Assert.False(Directory.Exists(Path.Combine(outDir, "bad")));
        }
        finally
        {
            if (Directory.Exists(outDir))
            {
                Directory.Delete(outDir, true);
            }
        }
    }
}
