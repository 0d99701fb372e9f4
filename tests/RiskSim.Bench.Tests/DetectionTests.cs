using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Tests;

/// <summary>Formats are recognized by content, never by file name.</summary>
public class DetectionTests
{
    public static TheoryData<string, string> FixtureFormats => new()
    {
        { "vllm/bench_serve_v0.25.1.json", BenchmarkFormats.VllmJson },
        { "vllm/vllm_sweep_v0.25.1/SERVE--max_num_seqs=4-BENCH--max_concurrency=2-num_prompts=8/summary.json", BenchmarkFormats.VllmJson },
        { "sglang/llama_3_3_70b_offline_output.jsonl", BenchmarkFormats.SglangJsonl },
        { "sglang/llama_3_3_70b_online_output.jsonl", BenchmarkFormats.SglangJsonl },
        { "aiperf/profile_export_aiperf.json", BenchmarkFormats.AiPerfJson },
        { "aiperf/profile_export_aiperf.csv", BenchmarkFormats.AiPerfCsv },
        { "aiperf/profile_export.jsonl", BenchmarkFormats.AiPerfJsonl },
        { "guidellm/benchmarks_stripped.json", BenchmarkFormats.GuideLlm },
        { "guidellm/benchmarks_stripped.yaml", BenchmarkFormats.GuideLlm + " (yaml)" },
        { "llmperf/groq_70b.json", BenchmarkFormats.LlmPerfSummary },
        { "inferencemax/agg/agg_kimik2.5_8k1k_int4_vllm_tp8-ep1-dpafalse_disagg-false_spec-mtp_conc32_MI355-gbt350-odcdh5-wbb3.json", BenchmarkFormats.InferenceXRow },
        { "inferencemax/gpt-oss-120b/concurrency_64_req_rate_inf_gpus_16_ctx_8_gen_8.json", BenchmarkFormats.VllmJson },
    };

    [Theory]
    [MemberData(nameof(FixtureFormats))]
    public void Each_fixture_is_detected_as_its_format_even_under_a_meaningless_name(string relative, string format)
    {
        using var tmp = new TempDir();
        string copy = Path.Combine(tmp.Path, "result.dat");
        File.Copy(Fx.P(relative.Split('/')), copy);
        var r = Fx.Import(copy);
        Assert.False(r.HasErrors, string.Join("\n", r.Errors));
        Assert.All(r.Points, p => Assert.Equal(format, p.Source.Format));
        Assert.NotEmpty(r.Points);
    }

    [Fact]
    public void MlPerf_fixture_is_detected_as_mlperf()
    {
        var probe = Probe.Of(new InputFile(Fx.P("mlperf", "summary_results.json"), false));
        var readers = ImportPipeline.Readers.Where(r => r.Detect(probe)).Select(r => r.Format);
        Assert.Equal([BenchmarkFormats.MlPerfSummary], readers);
    }

    [Fact]
    public void Every_fixture_file_matches_exactly_one_reader()
    {
        foreach (var f in Directory.EnumerateFiles(Fx.Root, "*", SearchOption.AllDirectories).Where(f => !f.EndsWith(".md", StringComparison.Ordinal)))
        {
            var probe = Probe.Of(new InputFile(f, false));
            var matches = ImportPipeline.Readers.Where(r => r.Detect(probe)).Select(r => r.Format).ToList();
            Assert.True(matches.Count == 1, $"{f}: {string.Join(", ", matches)}");
        }
    }

    [Fact]
    public void Forcing_a_format_reads_a_file_whose_keys_do_not_tell_vllm_from_sglang()
    {
        using var tmp = new TempDir();
        string f = tmp.File("x.json", """{"output_throughput": 100.0, "completed": 10, "median_ttft_ms": 50.0, "median_tpot_ms": 20.0}""");
        Assert.True(Fx.Import(f).HasErrors);
        var r = Fx.Import(new BenchmarkImportOptions { Format = "vllm" }, f);
        var p = Assert.Single(r.Points);
        Assert.Equal(BenchmarkTools.Vllm, p.Tool);
        Fx.Near(1000 / 20.0, p.TokensPerSecondPerUser); // 1000 / median_tpot_ms
    }

    [Fact]
    public void Vllm_metadata_that_looks_like_an_sglang_argument_stays_vllm_and_sglang_forks_with_num_prompts_stay_sglang()
    {
        using var tmp = new TempDir();

        // vllm bench serve --metadata dataset_name=sharegpt: the key lands at top level.
        string v = tmp.File("v.json", """{"date": "20260101-000000", "endpoint_type": "openai", "model_id": "m", "dataset_name": "sharegpt", "completed": 10, "output_throughput": 100.0, "median_ttft_ms": 10.0, "mean_e2el_ms": 500.0}""");
        Assert.Equal(BenchmarkTools.Vllm, Assert.Single(Fx.Import(v).Points).Tool);

        // An SGLang bench_serving variant that also writes num_prompts (a vLLM key): SGLang's e2e_latency keys decide.
        string s = tmp.File("s.jsonl", """{"backend": "sglang", "request_rate": 4.0, "num_prompts": 100, "total_output_tokens_retokenized": 9000, "mean_e2e_latency_ms": 900.0, "completed": 100, "output_throughput": 900.0, "median_ttft_ms": 50.0}""" + "\n");
        Assert.Equal(BenchmarkTools.Sglang, Assert.Single(Fx.Import(s).Points).Tool);
    }

    [Fact]
    public void A_string_value_containing_Infinity_or_NaN_is_not_rewritten()
    {
        using var tmp = new TempDir();
        string f = tmp.File("s.jsonl",
            """{"backend": "sglang", "dataset_name": "random", "tag": "Infinity and NaN, \"Infinity\" -Infinity", "request_rate": Infinity, "max_concurrency": NaN, "completed": 10, "output_throughput": 50.5, "median_ttft_ms": 10.0, "median_tpot_ms": -Infinity}""" + "\n");
        var r = Fx.Import(f);
        var p = Assert.Single(r.Points);
        Assert.Equal("Infinity and NaN, \"Infinity\" -Infinity", p.Scenario); // the tag string, byte for byte
        Assert.True(p.RequestRateUnbounded); // bare Infinity
        Assert.Null(p.Concurrency); // bare NaN: no number
        Assert.Null(p.TpotMedianSeconds); // bare -Infinity: not a latency
        Assert.Contains(p.Warnings, w => w.Contains("max_concurrency is NaN"));
        Assert.Contains(p.Warnings, w => w.Contains("median_tpot_ms is infinite"));
    }

    [Fact]
    public void Quoting_bare_tokens_leaves_strings_and_escapes_alone()
    {
        byte[] src = """{"a": "x\"Infinity", "b": Infinity, "c": [NaN, -Infinity], "d": "NaN"}"""u8.ToArray();
        var fixedBytes = LenientJson.QuoteNonFinite(src, out var ins);
        Assert.Equal("""{"a": "x\"Infinity", "b": "Infinity", "c": ["NaN", "-Infinity"], "d": "NaN"}""", System.Text.Encoding.UTF8.GetString(fixedBytes!));
        Assert.Equal(6, ins!.Count);
        Assert.Null(LenientJson.QuoteNonFinite("""{"a": "Infinity"}"""u8, out _));
    }
}
