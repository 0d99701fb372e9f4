using System.Globalization;
using System.Text.RegularExpressions;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.Support;

namespace RiskSim.Core.Tests;

/// <summary>
/// Docs cannot drift: every config field is described, every KPI key the engine emits is explained in README.md, and
/// every figure README.md and docs/*.md quote is checked against the current code (or, for a measurement, against the record in
/// docs/benchmarks/ it is quoted from), so a model change that moves a
/// number fails here until the document says the new one. How figures are tied to the code: <see cref="DocFigures"/>.
/// The example report in docs/example/ and the README's sample run are checked by RiskSim.Cli.Tests (DocsExampleTests).
/// </summary>
public partial class DocsTests
{
    private static string Doc(string relative) => Path.Combine(RepoPaths.Root, relative);

    [Fact]
    public void Every_config_field_and_section_has_a_description()
    {
        Assert.All(ConfigSchema.Fields, f => Assert.False(string.IsNullOrWhiteSpace(f.Description), $"{f.Path} has no description"));
        Assert.All(ConfigSchema.Sections, s => Assert.False(string.IsNullOrWhiteSpace(s.Description), $"section {s.Name} has no description"));
        Assert.All(TrialKpis.All, k => Assert.False(string.IsNullOrWhiteSpace(k.Description), $"KPI {k.Key} has no description"));
    }

    [Fact]
    public void Every_kpi_key_appears_in_the_README()
    {
        string readme = Path.Combine(RepoPaths.Root, "README.md");
        Assert.True(File.Exists(readme), "README.md is missing at the repository root");
        string text = File.ReadAllText(readme);

        var keys = TrialKpis.All.Select(k => k.Key)
            .Concat(Evaluation.Evaluate(ConfigLoader.Load(File.ReadAllText(RepoPaths.Flagship), "flagship.json")).Kpis.Select(k => k.Key))
            .Distinct()
            .ToList();
        var missing = keys.Where(k => !text.Contains(k, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"README.md does not mention {missing.Count} KPI key(s): {string.Join(", ", missing)}");
    }

    private static readonly string[] DocumentFiles = ["README.md", "docs/finance-guide.md", "docs/configs.md", "docs/engine.md"];

    public static TheoryData<string> Documents => new(DocumentFiles);

    /// <summary>The documents that quote measurements (<c>&lt;!--bench FILE--&gt;</c>), with how many quotes each has at least.</summary>
    public static TheoryData<string, int> MeasuringDocuments => new() { { "README.md", 10 }, { "docs/engine.md", 5 } };

    /// <summary>Every document of docs/ (not the benchmark records) is checked by the tests above.</summary>
    [Fact]
    public void Every_document_with_figures_is_checked()
    {
        var missing = Directory.GetFiles(Doc("docs"), "*.md")
            .Select(f => "docs/" + Path.GetFileName(f))
            .Where(d => !DocumentFiles.Contains(d, StringComparer.Ordinal) && DocFigures.Anchors(Doc(d)).Count > 0)
            .ToList();
        Assert.True(missing.Count == 0, "documents with anchored figures that DocsTests does not check: " + string.Join(", ", missing));
    }

    /// <summary>Every anchored figure equals the code's value to the precision the document writes it with.</summary>
    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_anchored_figure_is_the_codes(string doc)
    {
        var anchors = DocFigures.Anchors(Doc(doc));
        var scenarios = DocFigures.Scenarios(anchors);
        var errors = new List<string>();
        foreach (var a in anchors)
        {
            switch (a.Kind)
            {
                case "=":
                    errors.Add(DocFigures.Check(a, scenarios) ?? "");
                    break;
                case "order":
                {
                    string[] p = a.Body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var t = Tornado.Compute(DocFigures.Spec(p[0], null), TrialKpis.IndexOf(p[1]));
                    var ranked = t.Bars.Take(p.Length - 2).Select(b => b.Input.Key).ToArray();
                    if (!ranked.SequenceEqual(p.Skip(2)))
                    {
                        errors.Add($"{a.File}:{a.Line}: the document ranks {string.Join(", ", p[2..])}; the tornado of {p[1]} ranks {string.Join(", ", ranked)}");
                    }

                    break;
                }

                case "gates":
                {
                    string[] p = a.Body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                    var gates = DocFigures.Run(p[0]).Gates.Select(g => g.Passed ? "pass" : "fail").ToArray();
                    if (!gates.SequenceEqual(p.Skip(1)))
                    {
                        errors.Add($"{a.File}:{a.Line}: the document says the gates of {p[0]} {string.Join(", ", p[1..])}; a run gives {string.Join(", ", gates)}");
                    }

                    break;
                }
            }
        }

        errors.RemoveAll(e => e.Length == 0);
        Assert.True(errors.Count == 0, $"{errors.Count} figure(s) of {doc} differ from the code:\n" + string.Join("\n", errors));
        Assert.True(anchors.Count(a => a.Kind == "=") >= 5, $"{doc} anchors almost no figures");
    }

    /// <summary>A what-if's overrides are shown to the reader as the --set options that reproduce it.</summary>
    [Theory]
    [MemberData(nameof(Documents))]
    public void Every_scenario_is_shown_as_a_command(string doc)
    {
        string visible = DocFigures.StripAnchors(File.ReadAllText(Doc(doc)));
        foreach (var s in DocFigures.Scenarios(DocFigures.Anchors(Doc(doc))).Values)
        {
            string config = s.Config == "flagship" ? "gb200-nvl72-deepseek-r1" : s.Config;
            var command = visible.Split('\n').FirstOrDefault(l => l.Contains($"configs/{config}.json", StringComparison.Ordinal) && s.Overrides.All(o => l.Contains("--set " + o, StringComparison.Ordinal) || l.Contains($"--set '{o}'", StringComparison.Ordinal)));
            Assert.True(command is not null, $"{doc}: no command line shows scenario {s.Name} (configs/{config}.json {string.Join(" ", s.Overrides.Select(o => "--set " + o))})");
        }
    }

    /// <summary>
    /// In the finance guide and the config notes, every money amount, multiple and percentage outside code is either
    /// anchored to the code or marked as given (a vendor's claim, a convention), and every KPI table row is checked.
    /// </summary>
    [Theory]
    [InlineData("docs/finance-guide.md")]
    [InlineData("docs/configs.md")]
    public void Every_money_multiple_and_percentage_is_anchored_or_marked_given(string doc)
    {
        var loose = new List<string>();
        bool fence = false;
        string[] lines = File.ReadAllLines(Doc(doc));
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fence = !fence;
                continue;
            }

            if (fence || KpiRow().IsMatch(line) || line.StartsWith("| config |", StringComparison.Ordinal) || HeadlineRow().IsMatch(line))
            {
                continue; // code, and the tables checked cell by cell below
            }

            string text = CodeSpan().Replace(line, m => new string(' ', m.Length));
            foreach (Match m in LooseFigure().Matches(text))
            {
                string after = text[(m.Index + m.Length)..].TrimStart('*');
                if (!after.StartsWith("<!--=", StringComparison.Ordinal) && !after.StartsWith("<!--given", StringComparison.Ordinal))
                {
                    loose.Add($"{doc}:{i + 1}: {m.Value.Trim()}   in: {DocFigures.StripAnchors(line).Trim()}");
                }
            }
        }

        Assert.True(loose.Count == 0, $"{loose.Count} figure(s) are neither checked nor marked <!--given-->:\n" + string.Join("\n", loose));
    }

    /// <summary>The finance guide's KPI tables (| `key` | flagship | …) are the flagship's base case.</summary>
    [Fact]
    public void Finance_guide_kpi_tables_are_the_flagships_base_case()
    {
        var b = DocFigures.BaseCase("flagship", null);
        var errors = new List<string>();
        int rows = 0;
        foreach (var (line, n) in File.ReadAllLines(Doc("docs/finance-guide.md")).Select((l, i) => (l, i + 1)))
        {
            var m = KpiRow().Match(line);
            if (!m.Success || b.Kpis.All(k => k.Key != m.Groups["key"].Value))
            {
                continue;
            }

            rows++;
            errors.Add(CheckCell(b[m.Groups["key"].Value], m.Groups["value"].Value, $"finance-guide.md:{n}"));
        }

        errors.RemoveAll(e => e.Length == 0);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(b.Kpis.Length, rows); // every KPI of evaluate has its row
    }

    /// <summary>The headline table of docs/configs.md is each config's base case, cell by cell.</summary>
    [Fact]
    public void Configs_headline_table_is_each_configs_base_case()
    {
        string[] lines = File.ReadAllLines(Doc("docs/configs.md"));
        int header = Array.FindIndex(lines, l => l.StartsWith("| config |", StringComparison.Ordinal));
        Assert.True(header >= 0, "docs/configs.md has no headline table");
        string[] columns = Cells(lines[header]);
        var keys = columns.Select(c => HeadlineColumns.TryGetValue(c, out string? k) ? k : null).ToArray();
        Assert.True(keys.Skip(1).All(k => k is not null), "unknown column(s): " + string.Join(", ", columns.Where((c, i) => i > 0 && keys[i] is null)));
        var errors = new List<string>();
        var configs = new List<string>();
        for (int i = header + 2; i < lines.Length && lines[i].StartsWith('|'); i++)
        {
            string[] cells = Cells(lines[i]);
            string config = cells[0];
            configs.Add(config);
            var b = DocFigures.BaseCase(config, null);
            for (int c = 1; c < cells.Length; c++)
            {
                errors.Add(CheckCell(b[keys[c]!], cells[c], $"configs.md:{i + 1} {config} {columns[c]}"));
            }
        }

        errors.RemoveAll(e => e.Length == 0);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
        Assert.Equal(Directory.GetFiles(RepoPaths.Configs, "*.json").Select(Path.GetFileNameWithoutExtension).Order(StringComparer.Ordinal), configs.Order(StringComparer.Ordinal));
    }

    private static readonly Dictionary<string, string> HeadlineColumns = new(StringComparer.Ordinal)
    {
        ["NPV"] = "npv_usd",
        ["IRR"] = "irr_annual",
        ["net ROI"] = "net_roi",
        ["revenue multiple"] = "revenue_multiple",
        ["payback (months)"] = "payback_months",
        ["cost per Mtok (month 1)"] = "cost_per_million_output_tokens_usd",
        ["levelized cost per Mtok"] = "levelized_cost_per_million_output_tokens_usd",
        ["break-even utilization"] = "break_even_utilization",
        ["break-even output price (NPV = 0)"] = "break_even_price_per_million_output_tokens_usd",
        ["break-even tok/s/GPU"] = "break_even_output_tokens_per_s_per_gpu",
    };

    /// <summary>A table cell against a KPI: "n/a …" or "not within …" when the KPI does not exist, else the figure to its written precision.</summary>
    private static string CheckCell(KpiValue k, string cell, string where)
    {
        string text = DocFigures.StripAnchors(cell).Trim().Trim('*').Trim();
        if (k.Value is null)
        {
            return text.StartsWith("n/a", StringComparison.Ordinal) || text.StartsWith("not within", StringComparison.Ordinal)
                ? ""
                : $"{where}: the document says {text}, the code gives n/a ({k.Reason})";
        }

        var figure = DocFigures.ReadFigure(FirstFigure().Match(text).Value);
        if (figure is null)
        {
            return $"{where}: no figure in \"{text}\" for {k.Key} = {k.Value}";
        }

        double doc = figure.Percent && k.Unit != "%" ? figure.Value / 100 : figure.Value;
        double tol = figure.Percent && k.Unit != "%" ? figure.Tolerance / 100 : figure.Tolerance;
        return Math.Abs(doc - k.Value.Value) <= tol + 1e-9 * Math.Abs(k.Value.Value)
            ? ""
            : $"{where}: the document says {text}, the code gives {k.Value.Value.ToString("G6", CultureInfo.InvariantCulture)} ({k.Key})";
    }

    private static string[] Cells(string row) => [.. row.Trim().Trim('|').Split('|').Select(c => c.Trim())];

    /// <summary>m(t) is written one way, the code's (month t = 1 … H, m(1) = 1), in every document and in the config reference.</summary>
    [Fact]
    public void The_software_curve_is_written_the_codes_way_everywhere()
    {
        // The code: m(t) = 1 + (M − 1)(1 − e^(−(t−1)/τ)), so month 1 is the benchmark as measured and month 1 + τ has 63 % of the gain.
        string json = File.ReadAllText(RepoPaths.Flagship);
        var spec = ConfigLoader.Load(json, "f.json", ["drivers.software_multiplier_ceiling=3", "drivers.software_time_constant_months=5"]);
        var months = Evaluation.Evaluate(spec).Months;
        Assert.Equal(1, months[1].SoftwareMultiplier, 12);
        Assert.Equal(1 + 2 * (1 - Math.Exp(-1)), months[6].SoftwareMultiplier, 12);

        var sources = new List<(string Where, string Text)>
        {
            ("config reference (ConfigSchema)", string.Join("\n", ConfigSchema.Fields.Select(f => f.Description))),
        };
        sources.AddRange(new[] { "README.md", "docs/finance-guide.md", "docs/configs.md", "docs/example/report.md" }.Select(d => (d, File.ReadAllText(Doc(d)))));
        int formulas = 0;
        foreach (var (where, text) in sources)
        {
            foreach (Match m in Exponential().Matches(text))
            {
                formulas++;
                Assert.True(m.Value == "e^(−(t−1)/τ)", $"{where} writes the software curve with {m.Value}; the code's is e^(−(t−1)/τ) for month t");
            }
        }

        Assert.True(formulas >= 4, $"only {formulas} formulas found");
    }

    /// <summary>A config hash a document quotes is the config's.</summary>
    [Fact]
    public void Quoted_config_hashes_are_the_configs()
    {
        string hash = ConfigLoader.Load(File.ReadAllText(RepoPaths.Flagship), "f.json").ConfigHash;
        foreach (string doc in new[] { "docs/finance-guide.md", "docs/configs.md" })
        {
            foreach (Match m in ShaQuote().Matches(File.ReadAllText(Doc(doc))))
            {
                Assert.True(hash.StartsWith(m.Groups[1].Value, StringComparison.Ordinal), $"{doc} quotes config sha256 {m.Groups[1].Value}…, the flagship's is {hash[..12]}…");
            }
        }
    }

    /// <summary>
    /// Timings and memory cannot be re-measured by a test (the machine is shared). So the README and docs/engine.md quote
    /// them from the records in docs/benchmarks/ (each figure is followed by &lt;!--bench FILE--&gt;), and this checks every
    /// quote is there.
    /// </summary>
    [Theory]
    [MemberData(nameof(MeasuringDocuments))]
    public void Performance_figures_are_quoted_from_docs_benchmarks(string doc, int atLeast)
    {
        var quotes = DocFigures.Anchors(Doc(doc)).Where(a => a.Kind == "bench").ToList();
        Assert.True(quotes.Count >= atLeast, $"{doc} quotes almost no measurements");
        var errors = new List<string>();
        foreach (var a in quotes)
        {
            string file = Path.Combine(RepoPaths.Root, "docs", "benchmarks", a.Body);
            var m = QuotedMeasurement().Match(DocFigures.StripAnchors(a.Before).TrimEnd().TrimEnd('*'));
            if (!File.Exists(file))
            {
                errors.Add($"{doc}:{a.Line}: docs/benchmarks/{a.Body} does not exist");
            }
            else if (!m.Success)
            {
                errors.Add($"{doc}:{a.Line}: no measurement before <!--bench {a.Body}-->");
            }
            else if (!File.ReadAllText(file).Replace('μ', 'µ').Contains(m.Value.Replace('μ', 'µ'), StringComparison.Ordinal))
            {
                errors.Add($"{doc}:{a.Line}: \"{m.Value}\" is not in docs/benchmarks/{a.Body}");
            }
        }

        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>
    /// No measurement in the README's Performance section, nor anywhere in docs/engine.md (outside code), is left without
    /// its source: a record of docs/benchmarks/, the code (in docs/engine.md), or a mark that it is given.
    /// </summary>
    [Theory]
    [InlineData("README.md", "## Performance")]
    [InlineData("docs/engine.md", null)]
    public void Every_measurement_has_a_source(string doc, string? section)
    {
        string[] lines = File.ReadAllLines(Doc(doc));
        int start = section is null ? 0 : Array.FindIndex(lines, l => l == section);
        int end = section is null ? lines.Length : Array.FindIndex(lines, start + 1, l => l.StartsWith("## ", StringComparison.Ordinal));
        end = end < 0 ? lines.Length : end;
        Assert.True(start >= 0 && end > start, $"{doc} has no {section} section");
        var loose = new List<string>();
        bool fence = false;
        for (int i = start; i < end; i++)
        {
            if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fence = !fence;
                continue;
            }

            if (fence)
            {
                continue;
            }

            string text = CodeSpan().Replace(lines[i], m => new string(' ', m.Length));
            foreach (Match m in Measurement().Matches(text))
            {
                string after = text[(m.Index + m.Length)..].TrimStart('*');
                bool code = section is null && after.StartsWith("<!--=", StringComparison.Ordinal);
                if (!code && !after.StartsWith("<!--bench", StringComparison.Ordinal) && !after.StartsWith("<!--given", StringComparison.Ordinal))
                {
                    loose.Add($"{doc}:{i + 1}: {m.Value}");
                }
            }
        }

        Assert.True(loose.Count == 0, "measurements without <!--bench FILE-->, <!--= …--> or <!--given-->:\n" + string.Join("\n", loose));
    }

    [GeneratedRegex(@"^\| `(?<key>[a-z0-9_]+)` \| (?<value>[^|]*) \|")]
    private static partial Regex KpiRow();

    [GeneratedRegex(@"^\| [a-z0-9.-]+ \| ")]
    private static partial Regex HeadlineRow();

    [GeneratedRegex("`[^`]*`")]
    private static partial Regex CodeSpan();

    /// <summary>A money amount ($1.2M, $389,611), a multiple (3.24×) or a percentage (73.5 %) not part of a longer number.</summary>
    [GeneratedRegex(@"(?<![\w.,])[-−]?(?:\$\d[\d,]*(?:\.\d+)?\s?[Mk]?|\d[\d,]*(?:\.\d+)?(?:×|\s?%))")]
    private static partial Regex LooseFigure();

    [GeneratedRegex(@"[-−]?\$?\d[\d,]*(?:\.\d+)?\s?(?:M|k|×|%)?")]
    private static partial Regex FirstFigure();

    [GeneratedRegex(@"e\^\((?:[^()]|\([^()]*\))*\)")]
    private static partial Regex Exponential();

    [GeneratedRegex(@"sha256 `([0-9a-f]{8,})…`")]
    private static partial Regex ShaQuote();

    /// <summary>The measurement that ends a text (as Measurement, or a bare "130.2 k" of a report's trials/s column).</summary>
    [GeneratedRegex(@"\d[\d,.]*(?:–\d[\d,.]*)?\s?(?:ms|µs|μs|ns|s|MB|GB|M trials/s|k trials/s|trials/s|×|%|k|M)$")]
    private static partial Regex QuotedMeasurement();

    /// <summary>A measurement: a number or range with a unit of time, rate, memory, speed-up or share.</summary>
    [GeneratedRegex(@"\d[\d,.]*(?:–\d[\d,.]*)?\s?(?:ms|µs|μs|ns|s|MB|GB|M trials/s|k trials/s|trials/s|×|%)(?![\w/])")]
    private static partial Regex Measurement();
}
