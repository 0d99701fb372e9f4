using Markdig;
using Markdig.Extensions.Mathematics;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;
using MdParagraph = Markdig.Syntax.ParagraphBlock;
using MdHeading = Markdig.Syntax.HeadingBlock;

namespace RiskSim.Cli.Tests;

/// <summary>
/// Text from a config (name, description, accelerator, gate labels, notes and sources) and the config file name are
/// shown literally in every Markdown output: an independent parser (Markdig, with GitHub's tables, strikethrough,
/// autolinks and $-math switched on) finds no HTML, no link or image, no heading, emphasis or math they made.
/// </summary>
public class MarkdownSafetyTests
{
    private static readonly MarkdownPipeline Gfm = new MarkdownPipelineBuilder().UsePipeTables().UseEmphasisExtras().UseAutoLinks().UseMathematics().UseTaskLists().UseFootnotes().Build();

    /// <summary>Hostile strings: each tries one kind of live markup.</summary>
    public static readonly string[] Hostile =
    [
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "[click me](javascript:alert(1))",
        "![tracker](https://evil.example/pixel.png)",
        "<https://evil.example/>",
        "visit https://evil.example/x or www.evil.example or mail boss@evil.example",
        "line one\n# APPROVED BY COMMITTEE\nline three",
        "# APPROVED BY COMMITTEE",
        "**bold** and _emph_ and ~~struck~~ and `code`",
        "$x^2$ and $$y$$ math",
        "> quoted\n- listed\n1. numbered\n---\n===",
        "a | b | c",
        "&lt;script&gt; &#60;b&#62;",
        "trailing closing hashes ##",
        "back\\slash \\[not a link\\](x)",
        "[^1] footnote\n\n[^1]: https://evil.example",
        "\u001b[2Jterminal\u0007 \u202Eevil\u202C",
        "    indented code\n\n    more",
        "```\nfenced\n```",
        "<!-- comment --> <div>block</div>",
    ];

    public static TheoryData<string> HostileData() => [.. Hostile];

    private static MarkdownDocument Parse(string md) => Markdown.Parse(md, Gfm);

    /// <summary>Everything that would be live: HTML, links, images, autolinks, math, footnotes.</summary>
    private static List<string> LiveNodes(MarkdownDocument doc) =>
        [.. doc.Descendants().Where(n => n is HtmlBlock or HtmlInline or LinkInline or AutolinkInline or MathInline or MathBlock or Markdig.Extensions.Footnotes.FootnoteLink or Markdig.Extensions.Footnotes.Footnote)
            .Select(n => $"{n.GetType().Name} at line {n.Line + 1}")];

    private static string PlainText(MarkdownObject node)
    {
        var sb = new System.Text.StringBuilder();
        IEnumerable<MarkdownObject> inlines = node switch
        {
            LeafBlock { Inline: { } i } => i.Descendants(),
            ContainerBlock c => c.Descendants<LeafBlock>().Where(l => l.Inline is not null).SelectMany(l => l.Inline!.Descendants()),
            _ => [],
        };
        foreach (var n in inlines)
        {
            switch (n)
            {
                case LiteralInline l:
                    sb.Append(l.Content.ToString());
                    break;
                case CodeInline c:
                    sb.Append(c.Content);
                    break;
                case HtmlEntityInline e:
                    sb.Append(e.Transcoded.ToString());
                    break;
                case LineBreakInline:
                    sb.Append(' ');
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>What a reader should see: control characters as spaces, bidirectional overrides dropped.</summary>
    private static string Shown(string s) => new([.. s.Select(c => char.IsControl(c) ? ' ' : c).Where(c => c is not ('\u202E' or '\u202C'))]);

    [Theory]
    [MemberData(nameof(HostileData))]
    public void Literal_text_renders_as_itself_in_every_block_kind(string hostile)
    {
        string L = ReportDocument.Literal(hostile);
        var blocks = new ReportBlock[]
        {
            new RiskSim.Reporting.HeadingBlock(1, $"{L}: risk-committee report"),
            new RiskSim.Reporting.ParagraphBlock(L),
            new RiskSim.Reporting.ParagraphBlock($"Bottom line: **{L}** costs $4.68 M (P10) and $25.84 M (P90)."),
            new BulletsBlock([L, $"`deployment.notes`: {L}"]),
            new TableBlock(["gate", "meaning"], "ll", [[ReportDocument.CodeLiteral(hostile), L]]),
            new PreBlock($"How RiskSim turns the benchmark into money: {hostile}\n"),
        };
        string md = ReportDocument.Markdown(blocks);
        var doc = Parse(md);
        Assert.Empty(LiveNodes(doc));
        Assert.Equal([1], doc.Descendants<MdHeading>().Select(h => h.Level));
        Assert.Single(doc.Descendants<FencedCodeBlock>());
        Assert.Empty(doc.Descendants<QuoteBlock>());
        Assert.DoesNotContain(doc.Descendants<CodeBlock>(), c => c is not FencedCodeBlock);
        Assert.Single(doc.Descendants<ListBlock>());
        Assert.Single(doc.Descendants<Markdig.Extensions.Tables.Table>());
        // The only emphasis is the report's own **…**, and the literal reads back exactly (escapes are not visible).
        Assert.Single(doc.Descendants<EmphasisInline>());
        string shown = Shown(hostile).Trim();
        var heading = doc.Descendants<MdHeading>().Single();
        Assert.Equal(shown + ": risk-committee report", PlainText(heading).Trim());
        var paragraphs = doc.Descendants<MdParagraph>().Where(p => p.Parent is MarkdownDocument).ToList();
        Assert.Equal(shown, PlainText(paragraphs[0]).Trim());
        // Markdig keeps the backslash of an escaped "|" in a cell's text, where GitHub shows "|" (GFM spec, tables).
        var cells = doc.Descendants<Markdig.Extensions.Tables.TableCell>().Select(c => PlainText(c).Trim().Replace("\\|", "|", StringComparison.Ordinal)).ToList();
        Assert.Equal(shown, cells[^2]);
        Assert.Equal(shown, cells[^1]);

        string html = ReportDocument.Html("t", blocks, null);
        ReportTests.AssertWellFormed(html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<a ", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<div", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Plain_text_keeps_its_look_escapes_only_where_markup_could_start()
    {
        string Md(string literal) => ReportDocument.MarkdownInline(ReportDocument.Literal(literal));
        Assert.Equal("H100 SXM (8 GPUs), team_a, 2-year lease: 50 % of $1.95/GPU-hour.", Md("H100 SXM (8 GPUs), team_a, 2-year lease: 50 % of $1.95/GPU-hour."));
        Assert.Equal("a16z measured ~10x/year", Md("a16z measured ~10x/year"));
        Assert.Equal("\\# APPROVED BY COMMITTEE", Md("# APPROVED BY COMMITTEE"));
        Assert.Equal("line one \\# APPROVED", Md("line one\n# APPROVED"));
        Assert.Equal("\\<script>alert(1)\\</script>", Md("<script>alert(1)</script>"));
        Assert.Equal("\\[click\\](javascript:alert(1))", Md("[click](javascript:alert(1))"));
        Assert.Equal("see https\\://x.example and www\\.x.example", Md("see https://x.example and www.x.example"));
        Assert.Equal("\\- not a list", Md("- not a list"));
        Assert.Equal("2024\\. not a list", Md("2024. not a list"));
        Assert.Equal("-5 % and 1.5 GPUs", Md("-5 % and 1.5 GPUs"));
        Assert.Equal("1.5 GPUs", Md("1.5 GPUs"));
        Assert.Equal("\\---", Md("---"));
        Assert.Equal("\\_x\\_ \\*y\\*", Md("_x_ *y*"));
    }

    [Theory]
    [InlineData("NPV between $4.68 M (P10) and $25.84 M (P90), median $13.05 M", false)] // closers are preceded by spaces
    [InlineData("[$4.62 M, $4.85 M]", false)]
    [InlineData("a swing of $16.87 M, 1.2× that of the next (\\$14.46 M)", true)] // "($" can close
    [InlineData("[-$1.20 M, -$0.40 M]", true)]
    [InlineData("one amount: $5M", false)]
    [InlineData("$$", true)]
    [InlineData("2$ for a soda, 1$", false)] // "2$ " is no opener (a space follows), and nothing opens before "1$"
    [InlineData("cost $ 5 and 6 $", true)] // Markdig reads "$ … $" with inner spaces as math
    [InlineData("Energy cost per revenue $", false)]
    public void Dollar_signs_are_escaped_only_where_a_pair_could_be_math(string text, bool risky)
    {
        Assert.Equal(risky, ReportDocument.MayPairAsMath(text));
        string md = ReportDocument.MarkdownInline(text);
        Assert.Equal(risky, md.Contains("\\$", StringComparison.Ordinal));
        Assert.Empty(Parse(md).Descendants<MathInline>());
    }

    private static (SimulationSpec Spec, string File) HostileSpec(string hostile, int variant)
    {
        string file = Path.Combine(Path.GetDirectoryName(Source())!, "Golden", "golden-config.json");
        var spec = ConfigLoader.Load(File.ReadAllText(file), file);
        spec = spec with
        {
            Name = variant == 0 ? hostile : "flagship " + hostile,
            Description = "A description.\n" + hostile + "\nEnd.",
            Accelerator = hostile,
            Gates = [.. spec.Gates.Select(g => g with { Label = g.Label + " " + hostile })],
            Notes = spec.Notes.SetItem("deployment.notes", hostile).SetItem("market.source", "prices " + hostile),
        };
        return (spec, "configs/" + hostile.Replace('\n', ' ') + ".json");
    }

    private static string Source([System.Runtime.CompilerServices.CallerFilePath] string here = "") => here;

    /// <summary>The report's own headings (from a benign config): a hostile config must not add one.</summary>
    private static readonly Lazy<string[]> BenignHeadings = new(() =>
    {
        var (spec, file) = HostileSpec("benign", 0);
        var result = MonteCarloEngine.Run(spec, new RunOptions(2_000, spec.Simulation.Seed, spec.Simulation.Sampling, 1));
        string md = CommitteeReport.Markdown(ReportData.Compute(result, Gates.Evaluate(result), file), new ReportOptions(Deterministic: true));
        return [.. Parse(md).Descendants<MdHeading>().Select(h => $"{h.Level} {PlainText(h).Replace("benign", "", StringComparison.Ordinal)}")];
    });

    [Theory]
    [MemberData(nameof(HostileData))]
    public void Committee_report_comparison_and_evaluate_markdown_stay_inert(string hostile)
    {
        var (spec, file) = HostileSpec(hostile, 0);
        var result = MonteCarloEngine.Run(spec, new RunOptions(2_000, spec.Simulation.Seed, spec.Simulation.Sampling, 1));
        var gates = Gates.Evaluate(result);
        var data = ReportData.Compute(result, gates, file);
        string md = CommitteeReport.Markdown(data, new ReportOptions(Deterministic: true, ChartsNote: "Charts could not be rendered: " + hostile));
        var doc = Parse(md);
        Assert.Empty(LiveNodes(doc));
        string shown = Shown(hostile).Trim();
        string[] headings = [.. doc.Descendants<MdHeading>().Select(h => $"{h.Level} {PlainText(h).Replace(shown, "", StringComparison.Ordinal)}")];
        Assert.Equal(BenignHeadings.Value, headings);
        Assert.Contains(doc.Descendants<MdParagraph>(), p => PlainText(p).Contains(Shown("A description.\n" + hostile + "\nEnd."), StringComparison.Ordinal));
        Assert.Empty(doc.Descendants<QuoteBlock>());
        string html = CommitteeReport.Html(data, new ReportOptions(Deterministic: true));
        ReportTests.AssertWellFormed(html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);

        var (spec2, _) = HostileSpec(hostile, 1);
        var result2 = MonteCarloEngine.Run(spec2, new RunOptions(2_000, spec.Simulation.Seed, spec.Simulation.Sampling, 1) { KeepAllTrials = true });
        var result1 = MonteCarloEngine.Run(spec, new RunOptions(2_000, spec.Simulation.Seed, spec.Simulation.Sampling, 1) { KeepAllTrials = true });
        string cmp = ComparisonReport.Markdown([result1, result2], [gates, Gates.Evaluate(result2)], [Comparison.Compute(result1, result2)], []);
        var cdoc = Parse(cmp);
        Assert.Empty(LiveNodes(cdoc));
        Assert.Equal(2, cdoc.Descendants<MdHeading>().Count());
        Assert.Equal(["1", "2"], cdoc.Descendants<MdHeading>().Select(h => h.Level.ToString(System.Globalization.CultureInfo.InvariantCulture)));

        string ev = EvaluateReport.Markdown(Evaluation.Evaluate(spec));
        var edoc = Parse(ev);
        Assert.Empty(LiveNodes(edoc));
        Assert.Equal(1, edoc.Descendants<MdHeading>().Count(h => h.Level == 1));
        Assert.StartsWith(shown + ": base case", PlainText(edoc.Descendants<MdHeading>().First()).Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_names_do_not_break_table_columns()
    {
        var (spec, file) = HostileSpec("a | b | c", 0);
        var result = MonteCarloEngine.Run(spec, new RunOptions(2_000, spec.Simulation.Seed, spec.Simulation.Sampling, 1));
        string md = CommitteeReport.Markdown(ReportData.Compute(result, Gates.Evaluate(result), file), new ReportOptions(Deterministic: true));
        foreach (var table in Parse(md).Descendants<Markdig.Extensions.Tables.Table>())
        {
            int columns = ((Markdig.Extensions.Tables.TableRow)table[0]).Count;
            Assert.All(table.OfType<Markdig.Extensions.Tables.TableRow>(), row => Assert.Equal(columns, row.Count));
        }
    }
}
