using System.Diagnostics;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RiskSim.Cli.Tests;

/// <summary>
/// The README's Quick start output and docs/example/ (report, summary, CSVs, chart list) are what the current code
/// prints and writes for the Quick start command, so a change that moves a number fails here until they are
/// regenerated: run <c>risksim run configs/gb200-nvl72-deepseek-r1.json</c> from the repository root, paste the console
/// output into the README and copy the run folder's files over docs/example/. Machine-dependent parts (timings,
/// threads, vector width, the machine, the results path) are left out of the comparison.
/// </summary>
public sealed partial class DocsExampleTests(DocsExampleTests.QuickStartRun run) : IClassFixture<DocsExampleTests.QuickStartRun>
{
    private static readonly string Example = Path.Combine(RepoPaths.Root, "docs", "example");

    /// <summary>The Quick start command, run once in a new process from the repository root.</summary>
    public sealed class QuickStartRun : IDisposable
    {
        public QuickStartRun()
        {
            Out = Path.Combine(Path.GetTempPath(), "risksim-quickstart-" + Guid.NewGuid().ToString("N"));
            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = RepoPaths.Root };
            foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "risksim.dll"), "run", "configs/gb200-nvl72-deepseek-r1.json", "--out", Out })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            Stdout = p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            Stderr = stderr.GetAwaiter().GetResult();
            ExitCode = p.ExitCode;
            Folder = Path.Combine(Out, "gb200-nvl72-deepseek-r1");
        }

        public string Out { get; }

        public string Folder { get; }

        public string Stdout { get; }

        public string Stderr { get; }

        public int ExitCode { get; }

        public void Dispose()
        {
            if (Directory.Exists(Out))
            {
                Directory.Delete(Out, true);
            }
        }
    }

    [Fact]
    public void The_quick_start_run_succeeds()
    {
        Assert.True(run.ExitCode == ExitCodes.Ok, run.Stderr + run.Stdout);
        Assert.True(Directory.Exists(run.Folder), run.Stdout);
    }

    [Fact]
    public void Readme_shows_what_the_quick_start_command_prints()
    {
        string[] readme = File.ReadAllLines(Path.Combine(RepoPaths.Root, "README.md"));
        int intro = Array.FindIndex(readme, l => l.StartsWith("What the first command prints", StringComparison.Ordinal));
        Assert.True(intro >= 0, "README.md has no sample output of the Quick start command");
        int open = Array.FindIndex(readme, intro, l => l.StartsWith("```", StringComparison.Ordinal));
        int close = Array.FindIndex(readme, open + 1, l => l.StartsWith("```", StringComparison.Ordinal));
        var shown = readme[(open + 1)..close].Select(MaskRun).ToList();
        var printed = run.Stdout.Replace("\r", "", StringComparison.Ordinal).TrimEnd('\n').Split('\n').Select(MaskRun).ToList();
        AssertSameLines("README.md's sample output", printed, shown);
    }

    [Fact]
    public void Example_report_is_the_quick_start_runs()
    {
        static List<string> Lines(string file) => [.. File.ReadAllLines(file).Where(l => !MachineRow().IsMatch(l))];
        AssertSameLines("docs/example/report.md", Lines(Path.Combine(run.Folder, "report.md")), Lines(Path.Combine(Example, "report.md")));
    }

    [Fact]
    public void Example_summary_is_the_quick_start_runs()
    {
        var fresh = Strip(JsonNode.Parse(File.ReadAllText(Path.Combine(run.Folder, "summary.json")))!);
        var example = Strip(JsonNode.Parse(File.ReadAllText(Path.Combine(Example, "summary.json")))!);
        AssertSameLines("docs/example/summary.json", fresh.ToJsonString().Split(",\""), example.ToJsonString().Split(",\""));
    }

    [Theory]
    [InlineData("percentiles.csv")]
    [InlineData("tornado.csv")]
    [InlineData("sensitivity.csv")]
    public void Example_tables_are_the_quick_start_runs(string file) =>
        AssertSameLines("docs/example/" + file, File.ReadAllLines(Path.Combine(run.Folder, file)), File.ReadAllLines(Path.Combine(Example, file)));

    /// <summary>The example holds the charts a run draws, no more and no fewer (their content is what the report's captions say, checked above).</summary>
    [Fact]
    public void Example_has_the_charts_a_run_draws()
    {
        static string[] Pngs(string dir) => [.. Directory.GetFiles(dir, "*.png").Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal)];
        Assert.Equal(Pngs(run.Folder), Pngs(Example));
    }

    /// <summary>Every command of the CLI, the top-level config fields and the comparison folder are described in the README.</summary>
    [Fact]
    public void Readme_describes_every_command_and_the_top_level_fields()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        var (code, help, _) = CliHarness.Run("--help");
        Assert.Equal(ExitCodes.Ok, code);
        var commands = HelpCommand().Matches(help[help.IndexOf("Commands:", StringComparison.Ordinal)..]).Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("tornado", commands);
        Assert.All(commands, c => Assert.True(readme.Contains($"risksim {c} ", StringComparison.Ordinal), $"README.md does not show 'risksim {c}'"));
        foreach (string field in new[] { "`schema_version`", "`name`", "`description`", "`comparison/`", "`tornado.csv`" })
        {
            Assert.True(readme.Contains(field, StringComparison.Ordinal), $"README.md does not describe {field}");
        }
    }

    /// <summary>Timings and the results path differ from run to run and machine to machine; the rest must not.</summary>
    private static string MaskRun(string line)
    {
        line = Rate().Replace(line, "# trials/s");
        line = Seconds().Replace(line, "# s");
        return ResultsPath().Replace(line, "$1…");
    }

    private static JsonNode Strip(JsonNode node)
    {
        if (node is JsonObject o)
        {
            foreach (var key in o.Select(kv => kv.Key).ToList())
            {
                if (key.EndsWith("_s", StringComparison.Ordinal) || key is "threads" or "vector_width" or "machine")
                {
                    o.Remove(key);
                }
                else if (o[key] is { } child)
                {
                    Strip(child);
                }
            }
        }
        else if (node is JsonArray a)
        {
            foreach (var child in a.OfType<JsonNode>())
            {
                Strip(child);
            }
        }

        return node;
    }

    private static void AssertSameLines(string what, IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        int n = Math.Min(expected.Count, actual.Count);
        for (int i = 0; i < n; i++)
        {
            Assert.True(expected[i] == actual[i], $"{what} is not the current code's output (regenerate it from the Quick start run); first difference, item {i + 1}:\n  now:      {expected[i]}\n  document: {actual[i]}");
        }

        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} lines, the current code's output has {expected.Count}");
    }

    [GeneratedRegex(@"\d[\d,.]*\s?[Mk] trials/s")]
    private static partial Regex Rate();

    [GeneratedRegex(@"\d+(?:\.\d+)?\s?m?s\b")]
    private static partial Regex Seconds();

    [GeneratedRegex("(?i)(results: ).*$")]
    private static partial Regex ResultsPath();

    [GeneratedRegex(@"^\s{2}([a-z]+)\s", RegexOptions.Multiline)]
    private static partial Regex HelpCommand();

    [GeneratedRegex(@"^\| (vector width|threads|machine|elapsed|timings) \|")]
    private static partial Regex MachineRow();
}
