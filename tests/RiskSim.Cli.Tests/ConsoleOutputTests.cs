using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;

namespace RiskSim.Cli.Tests;

/// <summary>
/// What the CLI prints: user text cannot drive the terminal, the summary table's columns are separated, one number
/// format per KPI (the same in the console, summary.json and the report), n/a where a KPI does not exist, IRR when
/// asked, and named timings that agree with summary.json.
/// </summary>
public sealed partial class ConsoleOutputTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-console-tests-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static readonly string RateConfig = Path.Combine(RepoPaths.Configs, "b200-gpt-oss-120b-rate.json");

    /// <summary>A copy of a bundled config with another name (the JSON is edited as a tree, so any name can be written).</summary>
    private string ConfigNamed(string name, string source, string file = "named.json")
    {
        var node = JsonNode.Parse(File.ReadAllText(source))!;
        node["name"] = name;
        string path = Path.Combine(_tmp, file);
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    /// <summary>Fails when the text holds a character that drives a terminal: C0 controls but tab and line feed, DEL, C1, bidi overrides.</summary>
    private static void NoTerminalControl(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            bool control = (c < 0x20 && c is not '\n' and not '\t' and not '\r') || (c >= 0x7F && c <= 0x9F) || c is >= '\u202A' and <= '\u202E' || c is >= '\u2066' and <= '\u2069';
            bool loneCr = c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n');
            Assert.False(control || loneCr, $"raw U+{(int)c:X4} at {i}: …{text[Math.Max(0, i - 20)..Math.Min(text.Length, i + 20)]}…");
        }
    }

    private const string Hostile = "evil\u001b[2J\u001b]0;pwned\u0007\u009b31m\u202Egnp.exe\rFAKE";

    // ---- control characters ----

    [Theory]
    [InlineData("plain name", "plain name")]
    [InlineData("a\u001bb", "a\\u001bb")]
    [InlineData("\u001b[2J", "\\u001b[2J")]
    [InlineData("bell\u0007", "bell\\u0007")]
    [InlineData("del\u007f", "del\\u007f")]
    [InlineData("csi\u009b", "csi\\u009b")]
    [InlineData("rlo\u202Ex", "rlo\\u202ex")]
    [InlineData("fsi\u2068x", "fsi\\u2068x")]
    [InlineData("lone\rcr", "lone\\u000dcr")]
    [InlineData("crlf\r\nnext", "crlf\r\nnext")]
    [InlineData("tab\tand\nline", "tab\tand\nline")]
    [InlineData("é → ✓ 中文", "é → ✓ 中文")]
    public void Console_text_escapes_every_terminal_control(string input, string expected) =>
        Assert.Equal(expected, ConsoleText.Safe(input));

    [Fact]
    public void One_line_text_escapes_line_breaks_and_tabs_too() =>
        Assert.Equal("a\\u000ab\\u0009c\\u000d\\u000a", ConsoleText.OneLine("a\nb\tc\r\n"));

    [Fact]
    public void The_safe_writer_escapes_strings_and_passes_a_single_carriage_return()
    {
        using var inner = new StringWriter();
        using var w = new ConsoleSafeWriter(inner);
        w.Write('\r');
        w.Write("x\u001b[2Jy\r");
        w.Write(['\u001b', 'z'], 0, 2);
        w.Write('\u001b');
        w.WriteLine("end\u0007");
        Assert.Equal("\rx\\u001b[2Jy\\u000d\\u001bz\\u001bend\\u0007" + inner.NewLine, inner.ToString());
    }

    [Fact]
    public void Validate_and_run_print_a_hostile_name_escaped()
    {
        // Whether or not validation accepts such a name, whatever is printed shows it escaped.
        string path = ConfigNamed(Hostile, RepoPaths.Flagship);
        var validate = CliHarness.Run("validate", path);
        Assert.Contains(validate.Code, new[] { 0, 2 });
        NoTerminalControl(validate.Out + validate.Err);
        Assert.Contains("evil\\u001b[2J", validate.Out + validate.Err, StringComparison.OrdinalIgnoreCase);

        var run = CliHarness.Run("run", path, "--trials", "2000", "--out", Path.Combine(_tmp, "out"));
        Assert.Contains(run.Code, new[] { 0, 2, 3 });
        NoTerminalControl(run.Out + run.Err);
        Assert.Contains("evil\\u001b[2J", run.Out + run.Err, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Paths_in_errors_are_escaped()
    {
        string path = Path.Combine(_tmp, "missing\u001b[31m.json");
        var r = CliHarness.Run("validate", path);
        Assert.Equal(2, r.Code);
        NoTerminalControl(r.Out + r.Err);
        Assert.Contains("missing\\u001b[31m.json", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Names_and_labels_are_escaped_in_the_run_summary()
    {
        // The summary escapes on its own, whatever validation lets through.
        var r = Run(RepoPaths.Flagship);
        var spec = r.Spec with { Name = Hostile, Gates = [r.Spec.Gates[0] with { Label = "line one\nline two \u001b[5mblink" }] };
        var hostile = MonteCarloEngine.Run(spec, r.Options);
        string text = RunConsole.Summary(hostile, Gates.Evaluate(hostile), "out/\u001b[2Jx", TimeSpan.FromSeconds(1));
        NoTerminalControl(text);
        Assert.StartsWith("evil\\u001b[2J\\u001b]0;pwned\\u0007\\u009b31m\\u202egnp.exe\\u000dFAKE: 2,000 trials", text, StringComparison.Ordinal);
        Assert.Contains(" — line one\\u000aline two \\u001b[5mblink\n", text, StringComparison.Ordinal);
        Assert.EndsWith(RunConsole.ResultsPrefix + "out/\\u001b[2Jx\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cli_escapes_a_label_with_control_characters()
    {
        var node = JsonNode.Parse(File.ReadAllText(RepoPaths.Flagship))!;
        node["gates"]![0]!["label"] = "line one\nline two \u001b[5mblink";
        string path = Path.Combine(_tmp, "label.json");
        File.WriteAllText(path, node.ToJsonString());
        var run = CliHarness.Run("run", path, "--trials", "2000", "--out", Path.Combine(_tmp, "out"));
        NoTerminalControl(run.Out + run.Err);
        Assert.Contains(run.Code == 2 ? "\\u001b" : "line one\\u000aline two \\u001b[5mblink", run.Out + run.Err, StringComparison.OrdinalIgnoreCase);
    }

    // ---- the summary table ----

    private static SimulationResult Run(string config, long trials = 2000, bool irr = false)
    {
        var spec = ResolvingLoader.Load(config);
        if (irr)
        {
            spec = spec with { Simulation = spec.Simulation with { Irr = true } };
        }

        return MonteCarloEngine.Run(spec, new RunOptions(trials, spec.Simulation.Seed, spec.Simulation.Sampling, 2));
    }

    private static string Summary(SimulationResult r) => RunConsole.Summary(r, Gates.Evaluate(r), "results/x", TimeSpan.FromSeconds(1.5));

    /// <summary>The table: the header line ("KPI … P10 … P50 … P90") and the rows under it.</summary>
    private static List<string> Table(string summary)
    {
        var lines = summary.Split('\n').ToList();
        int header = lines.FindIndex(l => l.TrimStart().StartsWith("KPI ", StringComparison.Ordinal));
        Assert.True(header >= 0, summary);
        int end = lines.FindIndex(header + 1, l => !l.StartsWith("  ", StringComparison.Ordinal) || l.StartsWith("  n/a", StringComparison.Ordinal) || l.StartsWith("  never", StringComparison.Ordinal) || l.StartsWith("  P(", StringComparison.Ordinal));
        return lines.GetRange(header, end - header);
    }

    [Theory]
    [InlineData("b200-gpt-oss-120b-rate.json")]
    [InlineData("gb200-nvl72-deepseek-r1.json")]
    [InlineData("h100-owned-llama8b.json")]
    public void Table_columns_are_separated_and_aligned(string config)
    {
        var r = Run(Path.Combine(RepoPaths.Configs, config));
        var table = Table(Summary(r));
        Assert.Equal(6, table.Count); // header + NPV, net ROI, payback, revenue multiple, levelized cost

        // Right-aligned numbers: every line has the same length, each value column ends where its header does,
        // and cells are at least two spaces apart (the levelized costs once ran together: "0.0504433 USD/Mtok0.0717784 USD/Mtok").
        Assert.All(table, l => Assert.Equal(table[0].Length, l.Length));
        int[] ends = [table[0].IndexOf("P10", StringComparison.Ordinal) + 3, table[0].IndexOf("P50", StringComparison.Ordinal) + 3, table[0].Length];
        foreach (var line in table.Skip(1))
        {
            string title = r.Statistics.Select(s => s.Kpi.Title).Where(t => line.StartsWith("  " + t + " ", StringComparison.Ordinal)).OrderByDescending(t => t.Length).First();
            var cells = Regex.Split(line[(2 + title.Length)..].Trim(), " {2,}");
            Assert.Equal(3, cells.Length);
            int from = 2 + title.Length;
            for (int c = 0; c < 3; c++)
            {
                int at = line.IndexOf(cells[c], from, StringComparison.Ordinal);
                Assert.Equal(ends[c], at + cells[c].Length);
                from = at + cells[c].Length;
            }
        }
    }

    [Fact]
    public void Rate_mode_prints_na_with_the_reason_not_a_zero_payback_probability()
    {
        string text = Summary(Run(RateConfig));
        Assert.DoesNotContain("P(payback ≤ 12 months) = 0.0 %", text, StringComparison.Ordinal);
        Assert.Contains("P(payback ≤ 12, 24, 36 months) = n/a: no up-front capex to pay back (cost mode \"rate\")", text, StringComparison.Ordinal);
        var payback = Table(text).Single(l => l.StartsWith("  Payback ", StringComparison.Ordinal));
        Assert.Equal(["Payback", "n/a", "n/a", "n/a"], Regex.Split(payback.Trim(), " {2,}"));
        Assert.Contains("n/a: Net ROI and Revenue multiple do not exist in this config: no up-front capex (cost mode \"rate\")", text, StringComparison.Ordinal);
        Assert.Contains("n/a: Payback does not exist in this config: no up-front capex to pay back (cost mode \"rate\")", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_up_mode_still_prints_payback_probabilities_and_never()
    {
        var r = Run(Path.Combine(RepoPaths.Configs, "h100-deepseek-r1.json"));
        string text = Summary(r);
        var pb = r["payback_months"];
        Assert.Contains($"P(payback ≤ 24 months) = {(pb.ProbWithin[24] * 100).ToString("0.0", CultureInfo.InvariantCulture)} %", text, StringComparison.Ordinal);
        Assert.Null(pb[0.9].Value); // most trials never pay back within 60 months
        Assert.EndsWith("never", Table(text).Single(l => l.StartsWith("  Payback ", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("never: payback not within the 60-month horizon", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Irr_is_a_row_of_the_table_when_the_run_computes_it()
    {
        Assert.DoesNotContain(Table(Summary(Run(RepoPaths.Flagship))), l => l.StartsWith("  IRR ", StringComparison.Ordinal));
        var r = Run(RepoPaths.Flagship, irr: true);
        var irr = r["irr_annual"];
        string row = Table(Summary(r)).Single(l => l.StartsWith("  IRR ", StringComparison.Ordinal));
        string Pct(double? v) => (v!.Value * 100).ToString("#,0.0", CultureInfo.InvariantCulture) + " %";
        Assert.Equal(["IRR", Pct(irr[0.1].Value), Pct(irr[0.5].Value), Pct(irr[0.9].Value)], Regex.Split(row.Trim(), " {2,}"));
    }

    [Fact]
    public void The_cli_run_with_irr_prints_the_irr_row()
    {
        var run = CliHarness.Run("run", RepoPaths.Flagship, "--trials", "1000", "--irr", "--quiet", "--out", Path.Combine(_tmp, "out"));
        Assert.Equal(0, run.Code);
        Assert.Matches(new Regex(@"\n  IRR +-?[0-9,.]+ % +-?[0-9,.]+ % +-?[0-9,.]+ %\n"), run.Out);
    }

    // ---- one number format per KPI ----

    [Theory]
    [InlineData(13_049_000.0, "USD", "$13.05 M")]
    [InlineData(-3_822_315.0, "USD", "-$3.82 M")]
    [InlineData(-427_999.4, "USD", "-$427,999")]
    [InlineData(366_428.0, "USD", "$366,428")]
    [InlineData(3.04159, "×", "3.042×")]
    [InlineData(-0.2246, "×", "-0.225×")]
    [InlineData(13.66, "months", "13.7 months")]
    [InlineData(6.922, "months", "6.9 months")]
    [InlineData(0.0504433, "USD/Mtok", "0.0504 USD/Mtok")]
    [InlineData(0.0717784, "USD/Mtok", "0.0718 USD/Mtok")]
    [InlineData(1.147, "USD/Mtok", "1.15 USD/Mtok")]
    [InlineData(9.996, "USD/Mtok", "10.0 USD/Mtok")]
    [InlineData(1234.5, "USD/Mtok", "1,230 USD/Mtok")]
    [InlineData(0.0, "USD/Mtok", "0 USD/Mtok")]
    [InlineData(0.02345, "USD/USD", "0.0235 USD/USD")]
    [InlineData(0.4532, "fraction/year", "45.3 %")]
    [InlineData(48.26, "%", "48.3 %")]
    [InlineData(double.NaN, "USD", "n/a")]
    [InlineData(double.PositiveInfinity, "months", "n/a")]
    public void Each_kpi_has_one_format(double value, string unit, string expected) =>
        Assert.Equal(expected, KpiFormat.Value(value, unit));

    [Theory]
    [InlineData("prob_within_24", 0.994, "months", "99.4 %")]
    [InlineData("prob_within_24", 0.0045705, "months", "0.5 %")]
    [InlineData("prob_negative", 0.0056, "USD", "0.6 %")]
    [InlineData("null_share", 1.0, "×", "100.0 %")]
    [InlineData("p10", 4_736_472.9, "USD", "$4.74 M")]
    [InlineData("es10", 2_730_354.7, "USD", "$2.73 M")]
    [InlineData("se_mean", 0.0123456, "months", "0.0123 months")]
    [InlineData("sd", 60_007.2, "USD", "$60,007")]
    [InlineData("sd", 0.0123456, "×", "0.0123×")]
    [InlineData("sd", 1.97258, "×", "1.97×")]
    public void Statistics_are_formatted_by_kind(string stat, double value, string unit, string expected) =>
        Assert.Equal(expected, KpiFormat.Metric(stat, value, unit));

    [Fact]
    public void Console_summary_json_and_report_show_the_same_figures()
    {
        string outDir = Path.Combine(_tmp, "same");
        var run = CliHarness.Run("run", RepoPaths.Flagship, "--trials", "2000", "--quiet", "--out", outDir);
        Assert.Equal(0, run.Code);
        string folder = Path.Combine(outDir, "gb200-nvl72-deepseek-r1");
        Assert.Contains(RunConsole.ResultsPrefix + folder + "\n", run.Out, StringComparison.Ordinal);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        var display = json.RootElement.GetProperty("display");
        string report = System.Net.WebUtility.HtmlDecode(File.ReadAllText(Path.Combine(folder, "report.html")));
        var table = Table(run.Out);

        foreach (var (key, title) in new[] { ("npv_usd", "NPV"), ("net_roi", "Net ROI"), ("payback_months", "Payback") })
        {
            var row = Regex.Split(table.Single(l => l.StartsWith("  " + title + " ", StringComparison.Ordinal)).Trim(), " {2,}");
            string[] shown = [display.GetProperty(key + ".p10").GetString()!, display.GetProperty(key + ".p50").GetString()!, display.GetProperty(key + ".p90").GetString()!];
            Assert.Equal(shown, row[1..]);
            Assert.All(shown, s => Assert.Contains(s, report, StringComparison.Ordinal));

            // and the display string is the raw statistic in the KPI's format
            double raw = json.RootElement.GetProperty("statistics").GetProperty(key + ".p50").GetDouble();
            Assert.Equal(KpiFormat.Value(raw, json.RootElement.GetProperty("units").GetProperty(key).GetString()!), shown[1]);
        }

        foreach (var gate in json.RootElement.GetProperty("gates").EnumerateArray())
        {
            string actual = gate.GetProperty("actual_display").GetString()!;
            Assert.Contains($"{gate.GetProperty("text").GetString()} (actual {actual})", run.Out, StringComparison.Ordinal);
            Assert.Contains($">{actual}<", report, StringComparison.Ordinal);
        }

        Assert.Equal("99.4 %", KpiFormat.Probability(0.9938));
    }

    // ---- timings ----

    [Fact]
    public void Timings_are_named_and_match_summary_json()
    {
        string outDir = Path.Combine(_tmp, "t");
        var run = CliHarness.Run("run", RepoPaths.Flagship, "--trials", "2000", "--quiet", "--out", outDir);
        Assert.Equal(0, run.Code);
        Assert.DoesNotContain("simulated", run.Out, StringComparison.Ordinal);
        var m = Regex.Match(run.Out, @"\n  timings: simulation (?<sim>[0-9.]+) s \([0-9.,]+ [kM] trials/s\), aggregation (?<agg>[0-9.]+) s, whole run (?<whole>[0-9.]+) s \(reports and charts included\)\n");
        Assert.True(m.Success, run.Out);
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(outDir, "gb200-nvl72-deepseek-r1", "summary.json")));
        var root = json.RootElement;
        Assert.False(root.TryGetProperty("elapsed_s", out _));
        double Shown(string g) => double.Parse(m.Groups[g].Value, CultureInfo.InvariantCulture);

        // summary.json rounds to 3 decimals, the console to 2: the same figure within half a hundredth (and the rounding).
        Assert.InRange(Shown("sim") - root.GetProperty("simulation_s").GetDouble(), -0.0051, 0.0051);
        Assert.InRange(Shown("agg") - root.GetProperty("aggregation_s").GetDouble(), -0.0051, 0.0051);
        Assert.InRange(Shown("whole") - root.GetProperty("whole_run_s").GetDouble(), -0.0051, 0.0051);
        Assert.True(root.GetProperty("whole_run_s").GetDouble() >= root.GetProperty("simulation_s").GetDouble());
    }

    [Fact]
    public void The_report_names_the_timings_like_the_console()
    {
        var r = Run(RepoPaths.Flagship);
        var data = ReportData.Compute(r, Gates.Evaluate(r), "cfg.json");
        string md = CommitteeReport.Markdown(data, new ReportOptions(Elapsed: TimeSpan.FromSeconds(2.5)));
        Assert.Matches(new Regex(@"\| timings \| simulation [0-9.]+ s, aggregation [0-9.]+ s, whole run 2\.50 s \(reports and charts included\) \|"), md);
        string cli = CommitteeReport.Markdown(data, new ReportOptions());
        Assert.Contains("whole_run_s", cli, StringComparison.Ordinal);
    }
}

/// <summary>The README's Quick start shows a real console summary: every figure in it is the current code's.</summary>
public sealed class ReadmeConsoleTests
{
    [Fact]
    public void The_quick_start_summary_is_what_the_flagship_run_prints()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md")).ReplaceLineEndings("\n");
        int intro = readme.IndexOf("What the first command prints", StringComparison.Ordinal);
        Assert.True(intro > 0, "the Quick start's console block is missing");
        int open = readme.IndexOf("```\n", intro, StringComparison.Ordinal) + 4;
        string block = readme[open..readme.IndexOf("```", open, StringComparison.Ordinal)];

        // The README's command: dotnet run … -- run configs/gb200-nvl72-deepseek-r1.json (the config's 1,000,000 trials and seed).
        var spec = ConfigLoader.Load(File.ReadAllText(RepoPaths.Flagship), RepoPaths.Flagship);
        var result = MonteCarloEngine.Run(spec, new RunOptions(spec.Simulation.Trials, spec.Simulation.Seed, spec.Simulation.Sampling, 2));
        string printed = RunConsole.Summary(result, Gates.Evaluate(result), Path.Combine("results", "gb200-nvl72-deepseek-r1").Replace('\\', '/'), TimeSpan.FromSeconds(8.31));

        var expected = printed.Split('\n');
        var shown = block.Split('\n');
        Assert.Equal(expected.Length, shown.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            if (expected[i].StartsWith("  timings: ", StringComparison.Ordinal))
            {
                // Timings differ from run to run; their form does not.
                Assert.Matches(@"^  timings: simulation [0-9.]+ s \([0-9.]+ M trials/s\), aggregation [0-9.]+ s, whole run [0-9.]+ s \(reports and charts included\)$", shown[i]);
            }
            else
            {
                Assert.Equal(expected[i], shown[i]);
            }
        }
    }
}
