using System.Text.Json;

namespace RiskSim.Cli.Tests;

/// <summary><c>risksim bench import</c> as a user runs it.</summary>
public class BenchImportCommandTests
{
    private static string Fixture(params string[] parts) => Path.GetFullPath(Path.Combine([RepoPaths.Root, "..", "shared", "fixtures", .. parts]));

    [Fact]
    public void Import_prints_a_table_with_the_tool_and_the_source()
    {
        var (code, output, err) = CliHarness.Run("bench", "import", Fixture("inferencemax", "gpt-oss-120b"));
        Assert.Equal(0, code);
        Assert.Contains("out tok/s/GPU", output);
        Assert.Contains("openai/gpt-oss-120b", output);
        Assert.Contains("concurrency_512_req_rate_inf_gpus_16_ctx_8_gen_8.json", output);
        Assert.Equal(8 + 2, output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // header + 8 points + footnote
        Assert.Contains("gpus_16", err); // where the GPU count came from
    }

    [Fact]
    public void Import_json_has_no_nan_and_null_for_absent_figures()
    {
        var (code, output, _) = CliHarness.Run("bench", "import", Fixture("sglang", "llama_3_3_70b_offline_output.jsonl"), "--format-out", "json");
        Assert.Equal(0, code);
        Assert.DoesNotContain("NaN", output);
        Assert.DoesNotContain("Infinity", output);
        using var doc = JsonDocument.Parse(output);
        var first = doc.RootElement.GetProperty("points")[0];
        Assert.Equal(JsonValueKind.Null, first.GetProperty("tpot_median_s").ValueKind); // not in the Dec-2024 key set
        Assert.True(first.GetProperty("request_rate_unbounded").GetBoolean()); // "request_rate": Infinity
        Assert.Equal(4520.698730654741, first.GetProperty("output_tokens_per_s").GetDouble()); // output_throughput, line 1
    }

    [Fact]
    public void Import_csv_to_a_file_reads_back_as_input()
    {
        string dir = Path.Combine(Path.GetTempPath(), "risksim-bench-cli-" + Guid.NewGuid().ToString("N"));
        try
        {
            string csv = Path.Combine(dir, "points.csv");
            var (code, _, err) = CliHarness.Run("bench", "import", Fixture("sglang", "llama_3_3_70b_online_output.jsonl"), "--gpus", "4", "--format-out", "csv", "--out", csv);
            Assert.Equal(0, code);
            Assert.Contains("7 point(s) written", err);
            Assert.StartsWith("# RiskSim normalized benchmark points", File.ReadAllText(csv));
            Assert.Empty(Directory.GetFiles(dir, ".*")); // no temporary file left

            var (code2, output2, _) = CliHarness.Run("bench", "import", csv);
            Assert.Equal(0, code2);
            Assert.Contains("risksim-csv", output2);
            Assert.Contains(" 134 ", output2); // 537.41 tok/s / 4 GPUs, line 1 of the fixture
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, true);
            }
        }
    }

    [Fact]
    public void All_failed_run_alone_exits_2_and_writes_nothing()
    {
        string dir = Path.Combine(Path.GetTempPath(), "risksim-bench-cli-" + Guid.NewGuid().ToString("N"));
        string outFile = Path.Combine(dir, "x.csv");
        var (code, output, err) = CliHarness.Run("bench", "import", Fixture("vllm", "bench_serve_all_requests_failed_v0.25.1.json"), "--out", outFile);
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("rejected:", err);
        Assert.Contains("every request failed", err);
        Assert.False(File.Exists(outFile));
    }

    [Fact]
    public void Unknown_format_exits_2_naming_the_formats_tried()
    {
        var (code, output, err) = CliHarness.Run("bench", "import", Fixture("vllm", "SOURCE.md"));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, output);
        Assert.Contains("unknown format", err);
        Assert.Contains("trtllm-bench-json (", err);
        Assert.DoesNotContain("   at ", err); // no stack trace
    }

    [Fact]
    public void Readme_example_is_what_the_command_prints()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int marker = readme.IndexOf("<!-- bench-import-example", StringComparison.Ordinal);
        Assert.True(marker > 0, "README.md has no bench-import-example block");
        int start = readme.IndexOf("```\n", marker, StringComparison.Ordinal) + 4;
        string expected = readme[start..readme.IndexOf("```", start, StringComparison.Ordinal)];

        // Run on the same folder; the README shows it relative to the repository root.
        string prefix = Path.Combine(RepoPaths.Root, "..", "shared", "fixtures");
        var (code, output, err) = CliHarness.Run("bench", "import", Path.Combine(prefix, "inferencemax", "gpt-oss-120b"));
        Assert.Equal(0, code);
        Assert.Equal(expected, (output + err).Replace(prefix, "../shared/fixtures", StringComparison.Ordinal));
    }

    [Fact]
    public void Bad_format_option_is_a_usage_error()
    {
        var (code, _, err) = CliHarness.Run("bench", "import", Fixture("vllm"), "--format", "nope");
        Assert.Equal(2, code);
        Assert.Contains("nope", err);
    }
}
