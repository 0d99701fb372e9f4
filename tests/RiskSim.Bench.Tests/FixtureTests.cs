namespace RiskSim.Bench.Tests;

/// <summary>
/// Every fixture family of ../shared/fixtures, read and checked against figures taken by hand from the file (the
/// comment on each check says which key, and the arithmetic).
/// </summary>
public class FixtureTests
{
    [Fact]
    public void Vllm_bench_serve_figures_come_from_the_file_keys_in_seconds()
    {
        var r = Fx.Import(new BenchmarkImportOptions { Gpus = 2 }, Fx.P("vllm", "bench_serve_v0.25.1.json"));
        Assert.False(r.HasErrors);
        var p = Assert.Single(r.Points);
        Assert.Equal(BenchmarkTools.Vllm, p.Tool);
        Assert.Equal(BenchmarkFormats.VllmJson, p.Source.Format);
        Assert.Equal("facebook/opt-125m", p.Model); // model_id
        Assert.Equal("vllm", p.Backend);
        Assert.Equal(2.0, p.Concurrency); // max_concurrency
        Assert.True(p.RequestRateUnbounded); // request_rate "inf"
        Assert.Null(p.RequestRatePerSecond);
        Fx.Near(82.89297074037474, p.OutputTokensPerSecond); // output_throughput
        Fx.Near(248.6789122211242, p.TotalTokensPerSecond); // total_token_throughput
        Fx.Near(5.180810671273421, p.RequestsPerSecond); // request_throughput
        Fx.Near(32, p.MeanInputTokens); // total_input_tokens 256 / completed 8
        Fx.Near(16, p.MeanOutputTokens); // total_output_tokens 128 / completed 8
        Fx.Near(0.05568139649994919, p.TtftMedianSeconds); // median_ttft_ms 55.68139649994919 / 1000
        Fx.Near(0.7344049174101428, p.TtftP99Seconds); // p99_ttft_ms 734.4049174101428 / 1000
        Fx.Near(0.01120450286665194, p.TpotMedianSeconds); // median_tpot_ms 11.20450286665194 / 1000
        Fx.Near(0.011979541883350674, p.TpotP99Seconds); // p99_tpot_ms
        Fx.Near(0.010492878499917424, p.ItlMedianSeconds); // median_itl_ms
        Fx.Near(1000 / 11.20450286665194, p.TokensPerSecondPerUser); // 1000 / median_tpot_ms = 89.2498
        Assert.Equal("1000/median TPOT ms", p.TokensPerSecondPerUserBasis);
        Assert.Equal(8, p.CompletedRequests);
        Assert.Equal(0, p.FailedRequests);
        Assert.Null(p.GoodputRequestsPerSecond); // request_goodput null
        Assert.Equal(2, p.GpuCount); // --gpus 2: the file has no GPU count
        Assert.Equal(GpuCountSource.CommandLine, p.GpuCountSource);
        Fx.Near(82.89297074037474 / 2, p.OutputTokensPerSecondPerGpu);
        Assert.Equal(64, p.Source.Sha256.Length);
        Assert.Empty(p.Warnings);
    }

    [Fact]
    public void Vllm_all_failed_run_is_rejected_with_the_reason_never_a_zero_throughput()
    {
        var r = Fx.Import(Fx.P("vllm", "bench_serve_all_requests_failed_v0.25.1.json"));
        Assert.Empty(r.Points);
        Assert.False(r.HasErrors);
        var d = Assert.Single(r.Diagnostics, x => x.Severity == DiagnosticSeverity.Rejected);
        Assert.Contains("every request failed", d.Message);
        Assert.Contains("completed 0, failed 8", d.Message); // the file's completed and failed keys
    }

    [Fact]
    public void Vllm_sweep_folder_counts_run0_once_and_reads_run1_from_the_summary_list()
    {
        var r = Fx.Import(Fx.VllmSweepDir);
        Assert.False(r.HasErrors);

        // run=0.json and summary.json[0] are the same run (identical keys); summary.json[1] is run_number 1.
        Assert.Equal(2, r.Points.Count);
        Assert.EndsWith("run=0.json", r.Points[0].Source.Path);
        Fx.Near(93.74767963046673, r.Points[0].OutputTokensPerSecond); // run=0.json output_throughput
        Assert.Equal("[1] run_number 1", r.Points[1].Source.Locator);
        Fx.Near(199.36907134182283, r.Points[1].OutputTokensPerSecond); // summary.json[1].output_throughput
        Fx.Near(1000 / 7.929104699966653, r.Points[1].TokensPerSecondPerUser); // 1000 / median_tpot_ms of run 1
        Assert.Contains(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Info && d.Message.Contains("counted once") && d.Path.EndsWith("summary.json"));
    }

    [Fact]
    public void Sglang_offline_jsonl_reads_seven_appended_runs_with_bare_Infinity_rate()
    {
        var r = Fx.Import(new BenchmarkImportOptions { Gpus = 4 }, Fx.P("sglang", "llama_3_3_70b_offline_output.jsonl"));
        Assert.False(r.HasErrors);
        Assert.Equal(7, r.Points.Count); // seven lines
        var p = r.Points[0];
        Assert.Equal(BenchmarkTools.Sglang, p.Tool);
        Assert.Equal("line 1", p.Source.Locator);
        Assert.True(p.RequestRateUnbounded); // "request_rate": Infinity
        Assert.Null(p.Concurrency); // max_concurrency null
        Assert.Equal(3000, p.CompletedRequests);
        Fx.Near(4520.698730654741, p.OutputTokensPerSecond); // output_throughput
        Fx.Near(1525074.0 / 3000, p.MeanInputTokens); // total_input_tokens / completed = 508.36
        Fx.Near(1544818.0 / 3000, p.MeanOutputTokens); // total_output_tokens / completed = 514.94
        Fx.Near((1525074.0 + 1544818.0) / 341.72106836596504, p.TotalTokensPerSecond); // (in + out) / duration
        Fx.Near(3000 / 341.72106836596504, p.RequestsPerSecond); // completed / duration
        Fx.Near(91.28220983641222, p.TtftMedianSeconds); // median_ttft_ms 91282.2 / 1000
        Assert.Null(p.TpotMedianSeconds); // the Dec-2024 key set has no TPOT
        Fx.Near(1000 / 159.01175909675658, p.TokensPerSecondPerUser); // 1000 / median_itl_ms = 6.29
        Assert.Contains("ITL", p.TokensPerSecondPerUserBasis);
        Fx.Near(4520.698730654741 / 4, p.OutputTokensPerSecondPerGpu); // --gpus 4 (4×H200 per SOURCE.md)
        Assert.Null(p.FailedRequests); // SGLang does not record failures
    }

    [Fact]
    public void Sglang_online_jsonl_has_the_request_rates_of_each_line()
    {
        var r = Fx.Import(Fx.P("sglang", "llama_3_3_70b_online_output.jsonl"));
        Assert.Equal([1.0, 2, 4, 8, 16, 4, 8], r.Points.Select(p => p.RequestRatePerSecond!.Value)); // request_rate per line
        Fx.Near(537.4142851849319, r.Points[0].OutputTokensPerSecond);
        Fx.Near(0.08574514742940664, r.Points[0].TtftMedianSeconds); // median_ttft_ms 85.745
        Fx.Near(1000 / 13.638956006616354, r.Points[0].TokensPerSecondPerUser); // 1000 / median_itl_ms = 73.3
        Assert.All(r.Points, p => Assert.Null(p.GpuCount));
        Assert.Contains(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Info && d.Message.Contains("--gpus N"));
    }

    [Fact]
    public void AiPerf_json_summary_reads_the_metric_blocks_with_their_units()
    {
        var r = Fx.Import(Fx.P("aiperf", "profile_export_aiperf.json"));
        var p = Assert.Single(r.Points);
        Assert.Equal(BenchmarkTools.AiPerf, p.Tool);
        Assert.Equal("0.8.0", p.ToolVersion); // aiperf_version
        Assert.Equal("/lustre/fsw/models/Kimi-K2.5-NVFP4", p.Model); // input_config.endpoint.model_names[0]
        Assert.Equal(1.0, p.Concurrency); // input_config.loadgen.concurrency
        Fx.Near(40.67170699606365, p.OutputTokensPerSecond); // output_token_throughput.avg
        Fx.Near(3125.645652034766, p.TotalTokensPerSecond); // total_token_throughput.avg
        Fx.Near(0.03863961454045862, p.RequestsPerSecond); // request_throughput.avg
        Assert.Equal(66, p.CompletedRequests); // request_count.avg 66.0
        Assert.Equal(0, p.FailedRequests); // error_summary is []
        Fx.Near(0.4334604485, p.TtftMedianSeconds); // time_to_first_token.p50 433.4604485 ms
        Fx.Near(9.791366218949928, p.TtftP99Seconds); // time_to_first_token.p99 9791.366 ms
        Fx.Near(0.007086989244197568, p.TpotMedianSeconds); // inter_token_latency.p50 7.087 ms
        Fx.Near(1000 / 7.086989244197568, p.TokensPerSecondPerUser); // 141.10 (= output_token_throughput_per_user.p50 141.1036)
        Fx.Near(1708.091573504, p.DurationSeconds); // benchmark_duration.avg, unit sec
        Fx.Near(79839.66666666667, p.MeanInputTokens); // input_sequence_length.avg
        Fx.Near(1052.590909090909, p.MeanOutputTokens); // output_sequence_length.avg
        Assert.Null(p.GpuCount); // no telemetry (endpoints {}), nothing else records GPUs
        Assert.Null(p.JoulesPerOutputToken);
    }

    [Fact]
    public void AiPerf_per_request_jsonl_reproduces_the_summary_aiperf_computed_from_the_same_requests()
    {
        var r = Fx.Import(Fx.P("aiperf", "profile_export.jsonl"));
        var p = Assert.Single(r.Points);
        Assert.Equal(BenchmarkFormats.AiPerfJsonl, p.Source.Format);
        Assert.Equal(66, p.CompletedRequests); // 66 lines, all profiling, no error

        // Duration = (max request_end_ns − min request_start_ns) / 1e9 = (1780443642256439195 − 1780441934164865911) / 1e9.
        Fx.Near((1780443642256439195 - 1780441934164865911) / 1e9, p.DurationSeconds);

        // Σ output_sequence_length = 69471 (AIPerf's total_osl); over that duration = 40.6717 tok/s (summary: 40.67170699606365).
        Fx.Near(69471 / ((1780443642256439195 - 1780441934164865911) / 1e9), p.OutputTokensPerSecond);
        Fx.Near(40.67170699606365, p.OutputTokensPerSecond, 1e-9);

        // Quantiles by linear interpolation, as AIPerf computes them: the summary's p50/p99 of the same 66 requests.
        Fx.Near(0.4334604485, p.TtftMedianSeconds, 1e-9);
        Fx.Near(9.791366218949928, p.TtftP99Seconds, 1e-9);
        Fx.Near(0.007086989244197568, p.TpotMedianSeconds, 1e-9);
        Fx.Near(0.007470935003006328, p.TpotP99Seconds, 1e-9); // inter_token_latency.p99 7.4709 ms
        Assert.NotNull(p.Samples);
        Assert.Equal(66, p.Samples!.Count);
        Assert.True(p.Samples.TtftSeconds.SequenceEqual(p.Samples.TtftSeconds.Order()));
    }

    [Fact]
    public void AiPerf_csv_export_reads_both_blocks_and_says_it_is_rounded()
    {
        var r = Fx.Import(Fx.P("aiperf", "profile_export_aiperf.csv"));
        var p = Assert.Single(r.Points);
        Assert.Equal(BenchmarkFormats.AiPerfCsv, p.Source.Format);
        Fx.Near(40.67, p.OutputTokensPerSecond); // Output Token Throughput (tokens/sec),40.67
        Fx.Near(3125.65, p.TotalTokensPerSecond); // Total Token Throughput (tokens/sec),3125.65
        Fx.Near(66 / 1708.09, p.RequestsPerSecond); // Request Count 66.00 / Benchmark Duration 1708.09 (the CSV's 0.04 is rounded)
        Fx.Near(0.43346, p.TtftMedianSeconds); // Time to First Token (ms) p50 433.46
        Fx.Near(0.00709, p.TpotMedianSeconds); // Inter Token Latency (ms) p50 7.09
        Fx.Near(1000 / 7.09, p.TokensPerSecondPerUser);
        Assert.Contains(p.Warnings, w => w.Contains("rounds to 2 decimals"));
    }

    [Fact]
    public void AiPerf_folder_with_three_exports_of_one_run_gives_one_point_from_the_json_with_the_jsonl_samples()
    {
        var r = Fx.Import(Fx.P("aiperf"));
        Assert.False(r.HasErrors);
        var p = Assert.Single(r.Points);
        Assert.Equal(BenchmarkFormats.AiPerfJson, p.Source.Format);
        Assert.Equal(66, p.Samples?.Count);
        Assert.Equal(2, r.Diagnostics.Count(d => d.Message.Contains("counted once")));
        Assert.Contains(r.Diagnostics, d => d.Severity == DiagnosticSeverity.Info && d.Path.EndsWith("SOURCE.md") && d.Message.StartsWith("skipped"));
    }

    [Fact]
    public void GuideLlm_old_schema_json_reads_successful_means_and_medians()
    {
        var r = Fx.Import(Fx.P("guidellm", "benchmarks_stripped.json"));
        var p = Assert.Single(r.Points);
        Assert.Equal(BenchmarkTools.GuideLlm, p.Tool);
        Assert.Equal("benchmarks[0]", p.Source.Locator);
        Assert.Equal("example_model", p.Model); // worker.backend_model
        Assert.Equal("synchronous", p.Scenario); // args.strategy.type_
        Assert.Equal(1.0, p.Concurrency); // synchronous = one request at a time
        Fx.Near(198.13346751788123, p.OutputTokensPerSecond); // metrics.output_tokens_per_second.successful.mean
        Fx.Near(992.6867036588937, p.TotalTokensPerSecond); // metrics.tokens_per_second.successful.mean
        Fx.Near(1.5481806532737452, p.RequestsPerSecond); // metrics.requests_per_second.successful.mean
        Fx.Near(0.01638054847717285, p.TtftMedianSeconds); // time_to_first_token_ms.successful.median 16.38
        Fx.Near(0.021281957626342773, p.TtftP99Seconds); // ….percentiles.p99 21.28
        Fx.Near(0.0049241227427805505, p.TpotMedianSeconds); // inter_token_latency_ms.successful.median 4.924
        Fx.Near(1000 / 4.9241227427805505, p.TokensPerSecondPerUser); // 203.08
        Fx.Near(257.1086956521739, p.MeanInputTokens); // prompt_token_count.successful.mean
        Fx.Near(0.9977627456483604, p.MeasuredConcurrency); // request_concurrency.successful.mean
        Assert.Equal(46, p.CompletedRequests); // request_totals.successful
        Assert.Equal(0, p.FailedRequests); // request_totals.errored (the 1 incomplete is not a failure)
        Fx.Near(29.997201442718506, p.DurationSeconds); // duration
        Assert.Equal(1, p.Samples?.Count); // the stripped file lists one request
    }

    [Fact]
    public void GuideLlm_yaml_gives_the_same_figures_as_the_json()
    {
        var json = Assert.Single(Fx.Import(Fx.P("guidellm", "benchmarks_stripped.json")).Points);
        var yaml = Assert.Single(Fx.Import(Fx.P("guidellm", "benchmarks_stripped.yaml")).Points);
        Assert.Equal("guidellm (yaml)", yaml.Source.Format);
        Assert.Equal(json.OutputTokensPerSecond, yaml.OutputTokensPerSecond);
        Assert.Equal(json.TtftMedianSeconds, yaml.TtftMedianSeconds);
        Assert.Equal(json.TpotP99Seconds, yaml.TpotP99Seconds);
        Assert.Equal(json.CompletedRequests, yaml.CompletedRequests);
        Assert.Equal(json.Model, yaml.Model);
    }

    [Fact]
    public void LlmPerf_summary_is_in_seconds_and_its_itl_is_not_taken_as_tpot()
    {
        var r = Fx.Import(Fx.P("llmperf", "groq_70b.json"));
        var p = Assert.Single(r.Points);
        Assert.Equal("llama2-70b-4096", p.Model);
        Assert.Equal("groq", p.Backend); // framework (metadata)
        Assert.Equal(5.0, p.Concurrency); // num_concurrent_requests
        Fx.Near(441.84737788500206, p.OutputTokensPerSecond); // results_mean_output_throughput_token_per_s
        Fx.Near(176.73895115400083 / 60, p.RequestsPerSecond); // results_num_completed_requests_per_min / 60
        Fx.Near(0.2218883791938424, p.TtftMedianSeconds); // results_ttft_s_quantiles_p50 (already seconds)
        Fx.Near(0.3500269545800982, p.TtftP99Seconds);

        // TPOT mean = (mean e2e 0.8151081097126007 − mean TTFT 0.22786034579078357) / (150 output tokens − 1) = 3.941 ms.
        double tpot = (0.8151081097126007 - 0.22786034579078357) / 149;
        Fx.Near(tpot, p.TpotMeanSeconds);
        Assert.Null(p.TpotMedianSeconds);
        Fx.Near(1 / tpot, p.TokensPerSecondPerUser); // 253.7 tok/s per user
        Assert.Equal(150, p.CompletedRequests);
        Assert.Equal(0, p.FailedRequests);
        Assert.Contains(p.Warnings, w => w.Contains("includes the first token"));
    }

    [Fact]
    public void MlPerf_fixture_row_is_not_an_llm_result_and_is_rejected_with_its_units()
    {
        var r = Fx.Import(Fx.P("mlperf", "summary_results.json"));
        Assert.Empty(r.Points);
        var d = Assert.Single(r.Diagnostics, x => x.Severity == DiagnosticSeverity.Rejected);
        Assert.Contains("'Samples/s'", d.Message); // Performance_Units of the yolo-95 row
        Assert.Contains("6.0-0001", d.Locator);
    }

    [Fact]
    public void InferenceX_agg_row_uses_tp_as_gpu_count_and_keeps_the_files_per_gpu_figures()
    {
        var r = Fx.Import(Fx.P("inferencemax", "agg", "agg_kimik2.5_1k1k_int4_vllm_tp8-ep1-dpafalse_disagg-false_spec-mtp_conc4_MI355-gbt350-odcdh5-wbb3.json"));
        var p = Assert.Single(r.Points);
        Assert.Equal(BenchmarkTools.InferenceX, p.Tool);
        Assert.Equal("mi355x", p.Hardware); // hw
        Assert.Equal("moonshotai/Kimi-K2.5", p.Model);
        Assert.Equal("int4", p.Precision);
        Assert.Equal(8, p.GpuCount); // tp 8 (InferenceX divides by tp)
        Assert.Equal(GpuCountSource.File, p.GpuCountSource);
        Assert.Equal(4.0, p.Concurrency); // conc
        Fx.Near(27.678011491816765, p.OutputTokensPerSecondPerGpu); // output_tput_per_gpu
        Fx.Near(27.678011491816765 * 8, p.OutputTokensPerSecond); // × tp = 221.42
        Fx.Near(55.62670336516291 * 8, p.TotalTokensPerSecond); // tput_per_gpu × tp
        Fx.Near(0.2969768075272441, p.TtftMedianSeconds); // median_ttft (already seconds)
        Fx.Near(1 / 0.017393898241078155, p.TokensPerSecondPerUser); // 1 / median_tpot s = 57.49 (= median_intvty)
        Fx.Near(57.49142521935413, p.TokensPerSecondPerUser, 1e-12);
        Fx.Near(1024, p.MeanInputTokens); // isl
    }

    [Fact]
    public void InferenceX_multinode_raw_files_are_vllm_results_with_the_gpu_count_from_the_name()
    {
        var r = Fx.Import(Fx.P("inferencemax", "gpt-oss-120b"));
        Assert.False(r.HasErrors);
        Assert.Equal(8, r.Points.Count); // concurrency 4 … 512
        var p = r.Points.Single(x => x.Concurrency == 4);
        Assert.Equal(BenchmarkTools.Vllm, p.Tool);
        Assert.Equal("openai/gpt-oss-120b", p.Model); // the HF cache path models--openai--gpt-oss-120b
        Assert.Equal(16, p.GpuCount); // "gpus_16" in the file name
        Fx.Near(459.21607175182197, p.OutputTokensPerSecond); // output_throughput
        Fx.Near(459.21607175182197 / 16, p.OutputTokensPerSecondPerGpu); // 28.70
        Fx.Near(1000 / 8.389879373914562, p.TokensPerSecondPerUser); // 1000 / median_tpot_ms = 119.19
        Assert.Equal(40, p.CompletedRequests);
        Assert.Equal(0, p.FailedRequests); // no 'failed' key: num_prompts 40 − completed 40
        Assert.Contains(r.Diagnostics, d => d.Message.Contains("gpus_16"));
    }

    [Fact]
    public void A_gpu_count_from_the_file_name_mentions_gpus_only_when_gpus_was_given()
    {
        var plain = Fx.Import(Fx.P("inferencemax", "gpt-oss-120b"));
        Assert.DoesNotContain(plain.Diagnostics, d => d.Message.Contains("--gpus", StringComparison.Ordinal) || d.Message.Contains("GPU(s); the", StringComparison.Ordinal));

        var given = Fx.Import(new BenchmarkImportOptions { Gpus = 8 }, Fx.P("inferencemax", "gpt-oss-120b"));
        Assert.All(given.Points, p => Assert.Equal(16, p.GpuCount)); // the file's own count wins
        Assert.Equal(8, given.Diagnostics.Count(d => d.Severity == DiagnosticSeverity.Warning && d.Message.Contains("records 16 GPU(s)", StringComparison.Ordinal) && d.Message.Contains(" 8 is not used", StringComparison.Ordinal)));
    }
}
