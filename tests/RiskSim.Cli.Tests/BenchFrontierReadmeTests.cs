using System.Globalization;
using System.Text.Json;

namespace RiskSim.Cli.Tests;

/// <summary>The README's bench frontier example and the figures it quotes are what the program prints today.</summary>
public sealed class BenchFrontierReadmeTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));

    private static string Bundled(string name) => Path.Combine(RepoPaths.Configs, "benchmarks", name);

    [Fact]
    public void The_readme_example_is_the_commands_output()
    {
        int marker = Readme.IndexOf("<!-- bench-frontier-example", StringComparison.Ordinal);
        Assert.True(marker > 0, "README.md has no bench-frontier-example block");
        int open = Readme.IndexOf("```\n", marker, StringComparison.Ordinal) + 4;
        int close = Readme.IndexOf("\n```", open, StringComparison.Ordinal);
        string shown = Readme[open..close];
        var (code, output, err) = CliHarness.Run("bench", "frontier", Bundled("sglang-llama-3.3-70b-h200.csv"), "--sla", "tokens_per_s_per_user>=30,ttft_p50_s<=2");
        Assert.True(code == 0, err);
        Assert.Equal(shown, output.TrimEnd('\n'));
    }

    [Fact]
    public void The_quoted_b200_choice_is_the_commands_output()
    {
        var (code, output, err) = CliHarness.Run("bench", "frontier", Bundled("inferencemax-gpt-oss-120b-1k1k-vllm.csv"), "--filter", "hardware=b200", "--sla", "tokens_per_s_per_user>=100,ttft_p99_s<=2");
        Assert.True(code == 0, err);
        string chosen = output.Split('\n').Single(l => l.StartsWith("Chosen:", StringComparison.Ordinal));
        Assert.Contains($"`{chosen}`", Readme, StringComparison.Ordinal);

        // Hand check of the quoted figure from the table's rows 1 and 8 (mean TPOT 0.01425708990675566 and
        // 0.009296857853389542 s; output tok/s per GPU 8,672.531100037213 and 6,618.395579107805): at 100 tok/s/user,
        // t = (100 − 70.140) / (107.563 − 70.140) = 0.7979, y = 8,672.53 − 0.7979 · 2,054.14 = 7,033.5.
        double x1 = 1 / 0.01425708990675566, x8 = 1 / 0.009296857853389542;
        double y = 8672.531100037213 + ((100 - x1) / (x8 - x1) * (6618.395579107805 - 8672.531100037213));
        Assert.StartsWith($"Chosen: {y.ToString("#,0.0", CultureInfo.InvariantCulture)} output tok/s per GPU", chosen, StringComparison.Ordinal);
    }

    [Fact]
    public void The_readme_lists_every_bundled_config()
    {
        foreach (var f in Directory.GetFiles(RepoPaths.Configs, "*.json"))
        {
            Assert.Contains($"`{Path.GetFileName(f)}`", Readme, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Bundled_benchmark_tables_carry_a_source_line_and_feed_a_config()
    {
        var tables = Directory.GetFiles(Path.Combine(RepoPaths.Configs, "benchmarks"), "*.csv");
        Assert.NotEmpty(tables);
        var configs = Directory.GetFiles(RepoPaths.Configs, "*.json").Select(File.ReadAllText).ToList();
        foreach (var t in tables)
        {
            Assert.Contains(File.ReadLines(t).TakeWhile(l => l.StartsWith('#')), l => l.StartsWith("# source:", StringComparison.Ordinal));
            Assert.Contains(configs, c => c.Contains($"benchmarks/{Path.GetFileName(t)}", StringComparison.Ordinal));
        }

        // run.ps1 runs configs/*.json only: the tables live in a subfolder.
        Assert.Empty(Directory.GetFiles(RepoPaths.Configs, "*.csv"));
        var (code, output, err) = CliHarness.Run("evaluate", Path.Combine(RepoPaths.Configs, "b200-gpt-oss-120b-rate.json"), "--format", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        Assert.Equal("tokens_per_s_per_user>=100,ttft_p99_s<=2", doc.RootElement.GetProperty("operating_point_from_benchmarks").GetProperty("sla").GetString());
    }

    /// <summary>docs/configs.md's headline rows of the configs that start from benchmark files match evaluate.</summary>
    [Theory]
    [InlineData("b200-gpt-oss-120b-rate")]
    [InlineData("h200-gpt-oss-120b-rate")]
    [InlineData("h200-llama-3.3-70b-sglang")]
    public void Configs_doc_headline_rows_match_evaluate(string name)
    {
        var inv = CultureInfo.InvariantCulture;
        var (code, output, err) = CliHarness.Run("evaluate", Path.Combine(RepoPaths.Configs, name + ".json"), "--format", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var k = doc.RootElement.GetProperty("kpis");
        double V(string key) => k.GetProperty(key).GetDouble();
        double npv = V("npv_usd") / 1e6;
        string row = string.Join(" | ",
        [
            name,
            (npv < 0 ? "−$" : "$") + Math.Abs(npv).ToString("0.00", inv) + "M",
            "n/a (no outlay)", "n/a (no capex)", "n/a (no capex)", "n/a (no capex)",
            "$" + V("cost_per_million_output_tokens_usd").ToString("0.000", inv),
            "$" + V("levelized_cost_per_million_output_tokens_usd").ToString("0.000", inv),
            (V("break_even_utilization") * 100).ToString("0.0", inv) + " %",
            "$" + V("break_even_price_per_million_output_tokens_usd").ToString("0.000", inv),
            V("break_even_output_tokens_per_s_per_gpu").ToString("#,0", inv),
        ]);
        string docs = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "configs.md"));
        Assert.Contains($"| {row} |", docs, StringComparison.Ordinal);
    }
}
