using System.Text.Json.Nodes;

namespace RiskSim.Bench.Tests;

/// <summary>
/// Formats and versions without a fixture: documents written here from each tool's documented schema (sources named
/// per test), with figures chosen so the expected values are simple arithmetic.
/// </summary>
public class SchemaTests
{
    [Fact]
    public void TrtllmBench_report_uses_world_size_and_the_streaming_percentiles_in_ms()
    {
        // Shape of get_statistics_dict() in tensorrt_llm/bench/dataclasses/reporting.py (no real report file was found).
        using var tmp = new TempDir();
        string f = tmp.File("report.json", """
        {
          "engine": {"model": "meta-llama/Llama-3.1-70B", "model_path": "/m", "engine_dir": "None", "version": "1.1.0", "backend": "Pytorch", "dtype": "bfloat16", "kv_cache_dtype": "FP8", "quantization": "FP8"},
          "machine": {"name": "NVIDIA H200", "memory.total": 139.8, "clocks.mem": 3.2},
          "world_info": {"tp_size": 4, "pp_size": 1, "ep_size": 1, "world_size": 4, "max_batch_size": 256, "max_num_tokens": 8192, "scheduling_policy": "GUARANTEED_NO_EVICT", "kv_cache_percentage": 0.9, "issue_rate": 1.0e12},
          "request_info": {"num_requests": 1000, "avg_num_concurrent_requests": 127.5, "avg_input_length": 1024.0, "avg_output_length": 512.0},
          "performance": {"total_latency_ms": 100000.0, "avg_request_latency_ms": 12000.0, "request_throughput_req_s": 10.0, "system_output_throughput_tok_s": 5120.0, "system_total_throughput_tok_s": 15360.0, "output_throughput_per_user_tok_s": 40.0, "output_throughput_per_gpu_tok_s": 1280.0, "request_latency_percentiles_ms": {"p50": 11000.0, "p95": 15000.0, "p99": 17000.0, "minimum": 8000.0, "maximum": 20000.0, "average": 12000.0}},
          "streaming_metrics": {"token_output_speed_tok_s": 45.0, "avg_ttft_ms": 900.0, "avg_tpot_ms": 22.0,
            "tpot_percentiles": {"p50": 20.0, "p90": 25.0, "p95": 27.0, "p99": 30.0, "minimum": 15.0, "maximum": 40.0, "average": 22.0},
            "ttft_percentiles": {"p50": 800.0, "p90": 1500.0, "p95": 1800.0, "p99": 2500.0, "minimum": 100.0, "maximum": 3000.0, "average": 900.0}},
          "dataset": {"isl_stats": {}, "osl_stats": {}}
        }
        """);
        var r = Fx.Import(f);
        var p = Assert.Single(r.Points);
        Assert.Equal(BenchmarkTools.TrtllmBench, p.Tool);
        Assert.Equal("1.1.0", p.ToolVersion);
        Assert.Equal("NVIDIA H200", p.Hardware);
        Assert.Equal("FP8", p.Precision);
        Assert.Equal(4, p.GpuCount); // world_info.world_size
        Assert.Equal(GpuCountSource.File, p.GpuCountSource);
        Fx.Near(1280, p.OutputTokensPerSecondPerGpu); // the report's own per-GPU figure (= 5120 / 4)
        Fx.Near(15360.0 / 4, p.TotalTokensPerSecondPerGpu);
        Fx.Near(0.8, p.TtftMedianSeconds); // ttft_percentiles.p50 800 ms
        Fx.Near(2.5, p.TtftP99Seconds);
        Fx.Near(0.02, p.TpotMedianSeconds); // tpot_percentiles.p50 20 ms
        Fx.Near(50, p.TokensPerSecondPerUser); // 1000 / 20 ms
        Fx.Near(127.5, p.MeasuredConcurrency);
        Fx.Near(100, p.DurationSeconds); // total_latency_ms 100000
        Assert.Equal(1000, p.CompletedRequests);
    }

    [Fact]
    public void TrtllmBench_report_without_streaming_says_per_user_includes_ttft()
    {
        using var tmp = new TempDir();
        string f = tmp.File("r.json", """{"engine": {"model": "m", "version": "0.20.0", "backend": "TRT"}, "machine": null, "world_info": {"tp_size": 2, "pp_size": 2}, "request_info": {"num_requests": 10}, "performance": {"system_output_throughput_tok_s": 400.0, "output_throughput_per_user_tok_s": 30.0}}""");
        var p = Assert.Single(Fx.Import(f).Points);
        Assert.Equal(4, p.GpuCount); // no world_size: tp 2 × pp 2
        Fx.Near(30, p.TokensPerSecondPerUser);
        Assert.Contains("includes TTFT", p.TokensPerSecondPerUserBasis);
        Assert.Contains(p.Warnings, w => w.Contains("--streaming"));
    }

    [Fact]
    public void GenAiPerf_json_reads_blocks_concurrency_and_gpu_power()
    {
        // Shape from genai-perf docs/files.md and tests/test_exporters (metric blocks, input_config, telemetry_stats).
        using var tmp = new TempDir();
        string f = tmp.File("profile_export_genai_perf.json", """
        {
          "request_throughput": {"unit": "requests/sec", "avg": 2.0},
          "request_latency": {"unit": "ms", "avg": 5000.0, "p50": 4800.0, "p99": 9000.0},
          "time_to_first_token": {"unit": "ms", "avg": 300.0, "p50": 250.0, "p99": 1200.0, "min": 100.0, "max": 1500.0, "std": 50.0},
          "inter_token_latency": {"unit": "ms", "avg": 11.0, "p50": 10.0, "p99": 16.0},
          "output_token_throughput": {"unit": "tokens/sec", "avg": 800.0},
          "output_token_throughput_per_user": {"unit": "tokens/sec/user", "avg": 95.0, "p50": 100.0},
          "output_sequence_length": {"unit": "tokens", "avg": 400.0},
          "input_sequence_length": {"unit": "tokens", "avg": 200.0},
          "request_count": {"unit": "count", "avg": 120.0},
          "telemetry_stats": {"gpu_power_usage": {"unit": "W", "gpu0": {"avg": 600.0, "p99": 700.0}, "gpu1": {"avg": 640.0, "p99": 710.0}}},
          "input_config": {"model": ["llama-3-8b"], "service_kind": "openai", "concurrency": 16, "streaming": true}
        }
        """);
        var p = Assert.Single(Fx.Import(f).Points);
        Assert.Equal(BenchmarkTools.GenAiPerf, p.Tool);
        Assert.Equal("llama-3-8b", p.Model);
        Assert.Equal(16.0, p.Concurrency);
        Fx.Near(800, p.OutputTokensPerSecond);
        Fx.Near(0.25, p.TtftMedianSeconds); // 250 ms
        Fx.Near(100, p.TokensPerSecondPerUser); // 1000 / inter_token_latency.p50 10 ms
        Assert.Equal(2, p.GpuCount); // gpu0, gpu1 in telemetry_stats
        Fx.Near(1240, p.AveragePowerWatts); // 600 + 640 W
        Fx.Near(1240.0 / 800, p.JoulesPerOutputToken); // W / (tokens/s) = 1.55 J per output token
        Assert.Contains("GPU board power", p.EnergyBoundary);
        Fx.Near(400, p.OutputTokensPerSecondPerGpu); // 800 / 2
    }

    [Fact]
    public void AiPerf_telemetry_gives_gpu_count_and_joules_per_token()
    {
        // The fixture with a telemetry_data block as AIPerf's docs/tutorials/gpu-telemetry.md shows it (2 GPUs).
        using var tmp = new TempDir();
        var doc = JsonNode.Parse(File.ReadAllText(Fx.P("aiperf", "profile_export_aiperf.json")))!;
        doc["telemetry_data"]!["endpoints"] = JsonNode.Parse("""
        {"localhost:9400": {"gpus": {
          "gpu_0": {"gpu_index": 0, "gpu_name": "NVIDIA B200", "metrics": {"gpu_power_usage": {"avg": 700.0, "unit": "W"}, "energy_consumption": {"avg": 1.2, "unit": "MJ"}}},
          "gpu_1": {"gpu_index": 1, "gpu_name": "NVIDIA B200", "metrics": {"gpu_power_usage": {"avg": 500.0, "unit": "W"}}}}}}
        """);
        string f = tmp.File("a.json", doc.ToJsonString());
        var p = Assert.Single(Fx.Import(f).Points);
        Assert.Equal(2, p.GpuCount);
        Fx.Near(1200, p.AveragePowerWatts); // 700 + 500 W
        Fx.Near(1200 / 40.67170699606365, p.JoulesPerOutputToken); // W / output_token_throughput.avg = 29.5 J per token
        Fx.Near(40.67170699606365 / 2, p.OutputTokensPerSecondPerGpu);
    }

    [Fact]
    public void GuideLlm_current_schema_reads_config_strategy_and_scheduler_metrics()
    {
        // Report metadata.version 2 (GuideLLM v0.4+): benchmarks[].config.strategy, scheduler_metrics, metrics.request_totals.
        using var tmp = new TempDir();
        static string Dist(double mean, double median, double p99) =>
            $$"""{"successful": {"mean": {{mean}}, "median": {{median}}, "count": 10, "percentiles": {"p50": {{median}}, "p99": {{p99}} } }, "errored": {"mean": 0, "median": 0, "percentiles": {} }, "incomplete": null, "total": null}""";
        string f = tmp.File("benchmarks.json", $$"""
        {"metadata": {"version": 2, "guidellm_version": "0.5.1", "python_version": "3.12", "platform": "linux"},
         "config": {"model": "Qwen/Qwen3-8B", "backend": "openai_http"},
         "benchmarks": [
          {"type_": "generative_benchmark",
           "config": {"id_": "b0", "run_id": "r", "run_index": 0, "strategy": {"type_": "concurrent", "streams": 32}, "backend": {"type_": "openai_http"} },
           "scheduler_state": {}, "scheduler_metrics": {"start_time": 1000.0, "request_start_time": 1000.0, "measure_start_time": 1010.0, "measure_end_time": 1070.0, "request_end_time": 1075.0, "end_time": 1080.0, "requests_made": {"successful": 380, "errored": 20, "incomplete": 4, "total": 404} },
           "metrics": {
             "request_totals": {"successful": 380, "errored": 20, "incomplete": 4, "total": 404},
             "output_tokens_per_second": {{Dist(2500, 2400, 3000)}},
             "tokens_per_second": {{Dist(7500, 7400, 9000)}},
             "requests_per_second": {{Dist(6.3, 6.2, 7)}},
             "time_to_first_token_ms": {{Dist(400, 350, 1200)}},
             "inter_token_latency_ms": {{Dist(13, 12.5, 20)}},
             "prompt_token_count": {{Dist(800, 800, 800)}},
             "output_token_count": {{Dist(400, 400, 400)}},
             "request_concurrency": {{Dist(31.5, 32, 32)}}},
           "requests": {"successful": [{"time_to_first_token_ms": 300.0, "inter_token_latency_ms": 12.0}, {"time_to_first_token_ms": 500.0, "inter_token_latency_ms": 14.0}], "errored": [], "incomplete": []} }
         ]}
        """);
        var p = Assert.Single(Fx.Import(f).Points);
        Assert.Equal("0.5.1", p.ToolVersion); // metadata.guidellm_version
        Assert.Equal("Qwen/Qwen3-8B", p.Model); // report config.model
        Assert.Equal(32.0, p.Concurrency); // strategy concurrent, streams 32
        Assert.Equal("concurrent 32 streams", p.Scenario);
        Fx.Near(2500, p.OutputTokensPerSecond);
        Fx.Near(0.35, p.TtftMedianSeconds);
        Fx.Near(1000 / 12.5, p.TokensPerSecondPerUser); // 80
        Assert.Equal(380, p.CompletedRequests);
        Assert.Equal(20, p.FailedRequests);
        Fx.Near(60, p.DurationSeconds); // measure_end − measure_start
        Fx.Near(20.0 / 400, p.FailedShare); // 5 %: a warning
        Assert.Contains(p.Warnings, w => w.Contains("20 of 400 requests failed (5 %)"));
        Assert.Equal([0.3, 0.5], p.Samples!.TtftSeconds);
    }

    [Fact]
    public void MlPerf_llm_rows_give_tokens_per_second_per_accelerator_and_power_per_token()
    {
        // generate_final_report.py output rows: the v5.1 AMD row quoted in bench-formats.md, plus a merged power row and a
        // separate Watts row (as the checker CSV has them before merging), and a non-LLM row.
        using var tmp = new TempDir();
        string f = tmp.File("summary_results.json", """
        [
         {"ID": "5.1-0001", "Submitter": "AMD", "Category": "closed", "Suite": "datacenter", "System": "Supermicro AS-8125GS-TNMR2", "Platform": "8xMI300X_2xEPYC_9575F", "UsedModel": "llama2-70b-99", "Model": "llama2-70b-99", "Scenario": "Offline", "Accuracy": "ROUGE1: 44.4465 ROUGE2: 22.0 ROUGEL: 28.6 TOKENS_PER_SAMPLE: 301.1", "Nodes": 1, "Accelerator": "AMD Instinct MI300X 192GB HBM3", "a#": 8, "Software": "vLLM 0.9.0", "has_power": false, "weight_data_types": "fp8", "Performance_Result": 27803.9, "Performance_Units": "Tokens/s"},
         {"ID": "5.1-0002", "Submitter": "X", "System": "S2", "Platform": "P2", "UsedModel": "llama2-70b-99", "Model": "llama2-70b-99", "Scenario": "Server", "Accuracy": "TOKENS_PER_SAMPLE: 300.0", "Nodes": 2, "Accelerator": "GPU-X", "a#": 8, "has_power": true, "Performance_Result": 48000.0, "Performance_Units": "Tokens/s", "Power_Result": 24000.0, "Power_Units": "Watts"},
         {"ID": "5.1-0003", "Submitter": "Y", "System": "S3", "Platform": "P3", "UsedModel": "llama3.1-8b", "Model": "llama3.1-8b", "Scenario": "Offline", "Accuracy": "", "Nodes": 1, "Accelerator": "GPU-Y", "a#": 4, "Performance_Result": 10000.0, "Performance_Units": "Tokens/s"},
         {"ID": "5.1-0003", "Submitter": "Y", "System": "S3", "Platform": "P3", "UsedModel": "llama3.1-8b", "Model": "llama3.1-8b", "Scenario": "Offline", "Accuracy": "", "Nodes": 1, "Accelerator": "GPU-Y", "a#": 4, "Performance_Result": 5000.0, "Performance_Units": "Watts"},
         {"ID": "5.1-0004", "Submitter": "Z", "Model": "resnet", "Scenario": "Offline", "a#": 1, "Nodes": 1, "Performance_Result": 1000.0, "Performance_Units": "Samples/s"}
        ]
        """);
        var r = Fx.Import(f);
        Assert.Equal(3, r.Points.Count);

        var amd = r.Points[0];
        Assert.Equal("mlperf", amd.Tool);
        Assert.Equal(8, amd.GpuCount); // a# 8 × Nodes 1
        Fx.Near(27803.9, amd.OutputTokensPerSecond); // Performance_Result, Tokens/s
        Fx.Near(27803.9 / 8, amd.OutputTokensPerSecondPerGpu); // 3475.49 per accelerator
        Fx.Near(301.1, amd.MeanOutputTokens); // TOKENS_PER_SAMPLE in Accuracy
        Fx.Near(27803.9 / 301.1, amd.RequestsPerSecond); // samples/s
        Assert.Equal("Offline", amd.Scenario);
        Assert.Null(amd.TokensPerSecondPerUser); // no latency figures in MLPerf summaries
        Assert.Null(amd.JoulesPerOutputToken); // has_power false

        var merged = r.Points[1];
        Assert.Equal(16, merged.GpuCount); // a# 8 × Nodes 2
        Fx.Near(24000, merged.AveragePowerWatts);
        Fx.Near(24000.0 / 48000, merged.JoulesPerOutputToken); // W / (tokens/s) = 0.5 J per token
        Assert.Contains("whole-system wall power", merged.EnergyBoundary);

        var separate = r.Points[2];
        Fx.Near(5000.0 / 10000, separate.JoulesPerOutputToken); // the Watts row of the same ID/model/scenario

        Assert.Contains(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Rejected && d.Message.Contains("'Samples/s'"));
    }

    [Fact]
    public void InferenceX_disaggregated_row_divides_by_all_prefill_and_decode_gpus()
    {
        // process_result.py with PREFILL_GPUS/DECODE_GPUS: output_tput_per_gpu = output / decode GPUs, tput_per_gpu = total / tp.
        using var tmp = new TempDir();
        string f = tmp.File("agg.json", """{"hw": "gb200", "conc": 256, "model": "deepseek-ai/DeepSeek-R1", "framework": "dynamo-trt", "precision": "fp4", "tp": 8, "ep": 8, "dp_attention": "true", "disagg": true, "num_prefill_gpu": 4, "num_decode_gpu": 12, "tput_per_gpu": 1000.0, "output_tput_per_gpu": 400.0, "input_tput_per_gpu": 800.0, "median_ttft": 0.5, "p99_ttft": 2.0, "median_tpot": 0.025}""");
        var p = Assert.Single(Fx.Import(f).Points);
        Assert.Equal(16, p.GpuCount); // 4 prefill + 12 decode
        Fx.Near(400.0 * 12, p.OutputTokensPerSecond); // output_tput_per_gpu × decode GPUs = 4800
        Fx.Near(400.0 * 12 / 16, p.OutputTokensPerSecondPerGpu); // over all 16 GPUs = 300
        Fx.Near(40, p.TokensPerSecondPerUser); // 1 / 0.025 s
        Assert.Contains(p.Warnings, w => w.Contains("per decode GPU"));
    }

    [Fact]
    public void Vllm_metadata_and_energy_keys_give_gpu_count_and_joules_per_token()
    {
        // --metadata tensor_parallel_size=4 data_parallel_size=2 (merged as top-level strings) and GpuEnergyMeter keys.
        using var tmp = new TempDir();
        string f = tmp.File("v.json", """{"date": "20260101-000000", "model_id": "m", "tensor_parallel_size": "4", "data_parallel_size": "2", "completed": 100, "failed": 0, "output_throughput": 4000.0, "median_ttft_ms": 100.0, "median_tpot_ms": 25.0, "gpu_energy_j": 96000.0, "gpu_avg_power_w": 3200.0, "gpu_energy_per_output_token_j": 0.8, "energy_gpu_ids": [0,1,2,3,4,5,6,7]}""");
        var r = Fx.Import(f);
        var p = Assert.Single(r.Points);
        Assert.Equal(8, p.GpuCount); // 4 × 1 × 2
        Fx.Near(500, p.OutputTokensPerSecondPerGpu); // 4000 / 8
        Fx.Near(0.8, p.JoulesPerOutputToken); // gpu_energy_per_output_token_j
        Assert.Contains("8 GPU(s)", p.EnergyBoundary);
        Assert.Contains(r.Diagnostics, d => d.Message.Contains("tensor × pipeline × data parallel sizes 4 × 1 × 2"));
    }

    [Fact]
    public void Vllm_appended_results_are_one_point_per_object()
    {
        // --append-result writes "\n" + a new object: several values, one per line.
        using var tmp = new TempDir();
        string one = """{"date": "20260101-000000", "model_id": "m", "completed": 10, "output_throughput": 100.0, "median_ttft_ms": 10.0, "median_tpot_ms": 5.0, "duration": 1.0}""";
        string two = """{"date": "20260101-000100", "model_id": "m", "completed": 10, "output_throughput": 110.0, "median_ttft_ms": 10.0, "median_tpot_ms": 5.0, "duration": 1.1}""";
        string f = tmp.File("v.json", one + "\n" + two);
        var r = Fx.Import(f);
        Assert.Equal([100.0, 110.0], r.Points.Select(p => p.OutputTokensPerSecond!.Value));
        Assert.Equal(["line 1", "line 2"], r.Points.Select(p => p.Source.Locator));
    }
}
