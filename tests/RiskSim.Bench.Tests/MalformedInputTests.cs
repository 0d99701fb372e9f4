namespace RiskSim.Bench.Tests;

/// <summary>Bad input gets a clear diagnostic: where (line and byte, row, record) and what; never a zero or a NaN.</summary>
public class MalformedInputTests
{
    [Fact]
    public void Truncated_json_names_its_line_and_byte_and_says_it_looks_truncated()
    {
        using var tmp = new TempDir();

        // The first 300 bytes of the vLLM fixture: it stops inside line 13 ("  \"mean_itl_ms\": 11.2658…").
        byte[] head = File.ReadAllBytes(Fx.P("vllm", "bench_serve_v0.25.1.json"))[..300];
        string f = Path.Combine(tmp.Path, "t.json");
        File.WriteAllBytes(f, head);
        int lines = head.Count(b => b == (byte)'\n') + 1;
        int lastLineBytes = head.Length - (Array.LastIndexOf(head, (byte)'\n') + 1);

        var r = Fx.Import(f);
        var e = Assert.Single(r.Errors);
        Assert.Equal($"line {lines}, byte {lastLineBytes + 1}", e.Locator); // one past the last byte
        Assert.Contains("truncated", e.Message);
        Assert.Empty(r.Points);
    }

    [Fact]
    public void Invalid_line_in_a_per_request_jsonl_names_the_line_and_its_byte()
    {
        using var tmp = new TempDir();
        var lines = File.ReadAllLines(Fx.P("aiperf", "profile_export.jsonl")).Take(5).ToArray();
        lines[2] = lines[2][..40] + "}}"; // line 3 cut after 40 bytes and badly closed
        string f = tmp.File("p.jsonl", string.Join("\n", lines) + "\n");
        long line3Start = lines[0].Length + 1 + lines[1].Length + 1;

        var e = Assert.Single(Fx.Import(f).Errors);
        Assert.StartsWith("line 3, byte ", e.Locator);
        int b = int.Parse(e.Locator!.Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(b, 1, 43);
        Assert.Contains($"(byte {line3Start + b} of the file)", e.Locator);
    }

    [Fact]
    public void Unknown_format_is_an_error_naming_every_format_tried_and_what_it_looked_for()
    {
        using var tmp = new TempDir();
        string f = tmp.File("u.json", """{"hello": "world"}""");
        var e = Assert.Single(Fx.Import(f).Errors);
        Assert.Contains("unknown format", e.Message);
        foreach (var fmt in new[] { "vllm-json", "sglang-jsonl", "aiperf-json", "aiperf-csv", "aiperf-jsonl", "genai-perf-json", "guidellm", "llmperf-summary", "mlperf-summary", "inferencex-row", "trtllm-bench-json", "risksim-csv" })
        {
            Assert.Contains(fmt + " (", e.Message);
        }
    }

    [Fact]
    public void A_text_file_of_no_known_format_is_an_error_when_named_and_skipped_in_a_folder()
    {
        using var tmp = new TempDir();
        string f = tmp.File("notes.txt", "just some notes\nno data\n");
        Assert.Single(Fx.Import(f).Errors);
        var inFolder = Fx.Import(tmp.Path);
        Assert.False(inFolder.HasErrors);
        Assert.Contains(inFolder.Diagnostics, d => d.Severity == DiagnosticSeverity.Info && d.Message.StartsWith("skipped"));
    }

    [Fact]
    public void Ambiguous_vllm_or_sglang_shape_names_both_and_how_to_choose()
    {
        using var tmp = new TempDir();
        string f = tmp.File("a.json", """{"output_throughput": 5.0, "completed": 3, "median_ttft_ms": 4.0}""");
        var e = Assert.Single(Fx.Import(f).Errors);
        Assert.Contains("ambiguous", e.Message);
        Assert.Contains("--format vllm", e.Message);
        Assert.Contains("--format sglang", e.Message);
    }

    [Fact]
    public void Missing_gpu_count_is_an_error_saying_how_to_give_it_when_per_gpu_figures_are_required()
    {
        var r = Fx.Import(new BenchmarkImportOptions { RequireGpuCount = true }, Fx.P("vllm", "bench_serve_v0.25.1.json"));
        var e = Assert.Single(r.Errors);
        Assert.Contains("GPU count unknown", e.Message);
        Assert.Contains("pass --gpus N", e.Message);

        var withHint = Fx.Import(new BenchmarkImportOptions { RequireGpuCount = true, GpusHint = "set operating_point.from_benchmarks.gpus" }, Fx.P("vllm", "bench_serve_v0.25.1.json"));
        Assert.Contains("set operating_point.from_benchmarks.gpus", Assert.Single(withHint.Errors).Message);

        // A file that records its GPUs needs nothing more.
        Assert.False(Fx.Import(new BenchmarkImportOptions { RequireGpuCount = true }, Fx.P("inferencemax", "agg")).HasErrors);
    }

    [Fact]
    public void A_gpus_option_that_differs_from_the_files_count_is_a_warning_and_the_file_wins()
    {
        var r = Fx.Import(new BenchmarkImportOptions { Gpus = 4 }, Fx.P("inferencemax", "agg", "agg_kimik2.5_1k1k_int4_vllm_tp8-ep1-dpafalse_disagg-false_spec-mtp_conc4_MI355-gbt350-odcdh5-wbb3.json"));
        Assert.Equal(8, Assert.Single(r.Points).GpuCount);
        Assert.Contains(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Warning && d.Message.Contains("records 8 GPU(s)"));
    }

    [Fact]
    public void Partial_failure_above_one_percent_is_a_warning_with_the_share()
    {
        using var tmp = new TempDir();

        // 97 completed, 3 failed: 3 / 100 = 3 %.
        string f = tmp.File("v.json", """{"date": "20260101-000000", "model_id": "m", "completed": 97, "failed": 3, "output_throughput": 1000.0, "median_ttft_ms": 100.0, "median_tpot_ms": 10.0}""");
        var p = Assert.Single(Fx.Import(f).Points);
        Fx.Near(0.03, p.FailedShare);
        Assert.Contains(p.Warnings, w => w.Contains("3 of 100 requests failed (3 %)"));

        // 1 of 100 (exactly 1 %) is not above the threshold.
        string g = tmp.File("w.json", """{"date": "20260101-000000", "model_id": "m", "completed": 99, "failed": 1, "output_throughput": 1000.0, "median_ttft_ms": 100.0}""");
        Assert.Empty(Assert.Single(Fx.Import(g).Points).Warnings);
    }

    [Fact]
    public void A_run_with_no_throughput_is_rejected_not_read_as_zero()
    {
        using var tmp = new TempDir();
        string f = tmp.File("z.json", """{"date": "20260101-000000", "model_id": "m", "completed": 5, "output_throughput": 0.0, "median_ttft_ms": 0.0}""");
        var r = Fx.Import(f);
        Assert.Empty(r.Points);
        Assert.Contains("0 tokens/s", Assert.Single(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Rejected).Message);
    }

    [Fact]
    public void Invalid_csv_names_the_line_and_byte()
    {
        using var tmp = new TempDir();
        string f = tmp.File("r.csv", "# source: test\ntool,output_tokens_per_s,model\nvllm,100,\"unterminated\n");
        var e = Assert.Single(Fx.Import(f).Errors);
        Assert.Equal("line 3, byte 10", e.Locator); // the opening quote: "vllm,100," is 9 bytes, the quote is byte 10 of line 3
    }

    [Fact]
    public void Invalid_yaml_names_the_line_and_column()
    {
        using var tmp = new TempDir();
        string f = tmp.File("g.yaml", "benchmarks:\n- type_: generative_benchmark\n  metrics: {a: 1\n  b: [\n");
        var e = Assert.Single(Fx.Import(f).Errors);
        Assert.Matches(@"line \d+, column \d+", e.Locator);
        Assert.Contains("invalid YAML", e.Message);
    }

    [Fact]
    public void Missing_file_and_bad_options_are_errors()
    {
        Assert.Contains("not found", Assert.Single(Fx.Import("/no/such/file.json").Errors).Message);
        Assert.Contains("unknown format", Assert.Single(Fx.Import(new BenchmarkImportOptions { Format = "nope" }, Fx.P("vllm")).Errors).Message);
        Assert.Contains("≥ 1", Assert.Single(Fx.Import(new BenchmarkImportOptions { Gpus = 0 }, Fx.P("vllm")).Errors).Message);
    }
}
