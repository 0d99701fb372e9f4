using System.Globalization;
using System.Runtime.CompilerServices;
using System.Xml;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;

namespace RiskSim.Cli.Tests;

/// <summary>Golden-file and well-formedness tests of the committee report.</summary>
public class ReportTests
{
    private const long Trials = 20_000;
    private const string ConfigName = "golden-config.json";

    private static string GoldenDir([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "Golden");

    private static SimulationSpec Spec() => ConfigLoader.Load(File.ReadAllText(Path.Combine(GoldenDir(), ConfigName)), ConfigName);

    private static ReportData Data(int threads)
    {
        var spec = Spec();
        var result = MonteCarloEngine.Run(spec, new RunOptions(Trials, spec.Simulation.Seed, spec.Simulation.Sampling, threads));
        return ReportData.Compute(result, Gates.Evaluate(result), ConfigName);
    }

    private static string InCulture(string culture, Func<string> f)
    {
        var saved = CultureInfo.CurrentCulture;
        try
        {
            CultureInfo.CurrentCulture = new CultureInfo(culture);
            return f();
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
        }
    }

    [Fact]
    public void Report_md_matches_the_golden_file_for_any_thread_count_and_culture()
    {
        var options = new ReportOptions(Deterministic: true);
        string md1 = InCulture("de-DE", () => CommitteeReport.Markdown(Data(1), options));
        string md2 = InCulture("en-US", () => CommitteeReport.Markdown(Data(2), options));
        string md3 = InCulture("de-DE", () => CommitteeReport.Markdown(Data(2), options));
        Assert.Equal(md1, md2);
        Assert.Equal(md1, md3);

        string golden = Path.Combine(GoldenDir(), "report.md");
        if (Environment.GetEnvironmentVariable("RISKSIM_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(golden, md1);
        }

        Assert.Equal(File.ReadAllText(golden).ReplaceLineEndings("\n"), md1);
    }

    [Fact]
    public void Deterministic_variant_omits_machine_and_timings()
    {
        var d = Data(2);
        string det = CommitteeReport.Markdown(d, new ReportOptions(Deterministic: true));
        string full = CommitteeReport.Markdown(d, new ReportOptions(Elapsed: TimeSpan.FromSeconds(1.5)));
        Assert.DoesNotContain("| machine |", det, StringComparison.Ordinal);
        Assert.DoesNotContain("| timings |", det, StringComparison.Ordinal);
        Assert.DoesNotContain("| threads |", det, StringComparison.Ordinal);
        Assert.Contains("| machine |", full, StringComparison.Ordinal);
        Assert.Matches(@"\| timings \| simulation [0-9.]+ s, aggregation [0-9.]+ s, whole run 1\.50 s", full);
    }

    [Fact]
    public void Report_sections_come_in_the_committee_order()
    {
        string md = CommitteeReport.Markdown(Data(2), new ReportOptions(Deterministic: true));
        string[] headings = ["## 1. The answer", "## 2. What drives the result", "## 3. The base case", "## 4. Assumptions", "## 5. Charts", "## 6. Convergence", "## 7. Conventions", "## 8. Provenance"];
        int last = -1;
        foreach (var h in headings)
        {
            int i = md.IndexOf(h, StringComparison.Ordinal);
            Assert.True(i > last, $"{h} missing or out of order");
            last = i;
        }

        Assert.Contains("P(NPV < 0)", md, StringComparison.Ordinal);
        Assert.Contains("P(payback ≤ 24 months)", md, StringComparison.Ordinal);
        Assert.Contains("`npv_usd.p10 >= 0`", md, StringComparison.Ordinal);
        Assert.Contains("=NPV(r_m, CF1:CF60) + CF0", md, StringComparison.Ordinal);
        Assert.Contains("software curve m(t)", md, StringComparison.Ordinal);
        Assert.Contains("65,536", md, StringComparison.Ordinal);
        Assert.Contains(ChartCaptions.PercentileConvention, md, StringComparison.Ordinal);
    }

    /// <summary>Both formats from one build of the blocks are the formats built one at a time.</summary>
    [Fact]
    public void Both_formats_at_once_are_the_formats_one_at_a_time()
    {
        var d = Data(2);
        ChartImage[] images = [new(CommitteeReport.TornadoImage, [0x89, 0x50, 0x4E, 0x47])];
        foreach (var options in new[] { new ReportOptions(Deterministic: true), new ReportOptions(Images: images, ChartsNote: "note"), new ReportOptions(Images: images, Charts: ChartBundles.From(d)) })
        {
            var (md, html) = CommitteeReport.Both(d, options);
            Assert.Equal(CommitteeReport.Markdown(d, options), md);
            Assert.Equal(CommitteeReport.Html(d, options), html);
        }
    }

    /// <summary>A renderer's image is written into the run folder as named: only a plain file name, once, is taken.</summary>
    [Theory]
    [InlineData("../x.png")]
    [InlineData("sub/x.png")]
    [InlineData("/tmp/x.png")]
    [InlineData(".hidden.png")]
    [InlineData("")]
    public void Chart_images_must_be_plain_file_names(string name)
    {
        Assert.Throws<InvalidOperationException>(() => RunReports.Checked([new ChartImage(name, [1])]));
    }

    [Fact]
    public void Chart_images_must_be_named_once()
    {
        Assert.Throws<InvalidOperationException>(() => RunReports.Checked([new ChartImage("a.png", [1]), new ChartImage("A.png", [2])]));
        Assert.Equal(2, RunReports.Checked([new ChartImage("a.png", [1]), new ChartImage("a.svg", [2])]).Count);
    }

    [Fact]
    public void Report_html_is_self_contained_well_formed_and_embeds_pngs()
    {
        var d = Data(2);
        byte[] png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];
        ChartImage[] images = [new(CommitteeReport.TornadoImage, png), new("fan-cash-flow.png", png), new("fan-cash-flow.svg", [1, 2])];
        {
            string html = CommitteeReport.Html(d, new ReportOptions(Images: images));
            Assert.DoesNotContain("http://", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("https://", html, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("src=\"", html.Replace("src=\"data:", "", StringComparison.Ordinal), StringComparison.Ordinal);
            Assert.Contains("data:image/png;base64," + Convert.ToBase64String(png), html, StringComparison.Ordinal);
            Assert.Equal(2, html.Split("<img ").Length - 1); // the tornado once (section 2), the fan chart in section 5
            AssertWellFormed(html);

            string md = CommitteeReport.Markdown(d, new ReportOptions(Images: images, Deterministic: true));
            Assert.Contains("![Tornado of NPV](tornado-npv.png)", md, StringComparison.Ordinal);
            Assert.Contains("![Fan chart of cumulative cash flow](fan-cash-flow.png)", md, StringComparison.Ordinal);
            Assert.Single(md.Split("](tornado-npv.png)").Skip(1));
        }
    }

    [Fact]
    public void Html_encodes_text_and_neutralizes_urls_in_config_notes()
    {
        var blocks = new ReportBlock[]
        {
            new HeadingBlock(1, "A <b> & \"c\""),
            new ParagraphBlock("see https://example.com/x?a=1&b=2 and `<code>`"),
            new TableBlock(["a|b", "c"], "lr", [["<x>", "1 & 2"]]),
            new PreBlock("if a < b && c > d"),
        };
        string html = ReportDocument.Html("t <1>", blocks, null);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.Contains("A &lt;b&gt; &amp; &quot;c&quot;", html, StringComparison.Ordinal);
        Assert.Contains("<code>&lt;code&gt;</code>", html, StringComparison.Ordinal);
        AssertWellFormed(html);
    }

    internal static void AssertWellFormed(string html)
    {
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, XmlResolver = null };
        using var reader = XmlReader.Create(new StringReader(html), settings);
        var doc = new XmlDocument { XmlResolver = null };
        doc.Load(reader);
        Assert.Equal("html", doc.DocumentElement!.Name);
    }
}
