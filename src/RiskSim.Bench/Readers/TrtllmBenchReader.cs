using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// TensorRT-LLM <c>trtllm-bench throughput|latency</c> JSON report (<c>--report_json</c>; the
/// <c>get_statistics_dict()</c> of <c>tensorrt_llm/bench/dataclasses/reporting.py</c>): <c>engine</c> {model, version,
/// backend, dtype, quantization}, <c>machine</c> {name} or null, <c>world_info</c> {tp_size, pp_size, ep_size,
/// world_size, issue_rate}, <c>request_info</c> {num_requests, avg_num_concurrent_requests, avg_input_length,
/// avg_output_length}, <c>performance</c> {total_latency_ms, request_throughput_req_s, system_output_throughput_tok_s,
/// system_total_throughput_tok_s, output_throughput_per_user_tok_s (includes TTFT), output_throughput_per_gpu_tok_s},
/// and with <c>--streaming</c> <c>streaming_metrics</c> {token_output_speed_tok_s (excludes TTFT), avg_ttft_ms,
/// avg_tpot_ms, ttft_percentiles, tpot_percentiles} whose percentile fields (p50, p90, p95, p99, minimum, maximum,
/// average) are in ms.
/// </summary>
/// <remarks>
/// GPU count = world_size. No fixture exists: built from that source and the docs.
/// </remarks>
internal sealed class TrtllmBenchReader : BenchReader
{
    public override string Format => BenchmarkFormats.TrtllmBenchJson;

    public override string Tool => BenchmarkTools.TrtllmBench;

    public override string LooksFor => "a JSON object with performance.system_output_throughput_tok_s and engine / world_info / request_info";

    public override bool Detect(Probe p) =>
        p.IsJson && !p.RootIsArray && p.Has("performance")
        && p.HasAny("performance.system_output_throughput_tok_s", "performance.output_throughput_per_gpu_tok_s")
        && p.HasAny("engine", "world_info", "request_info");

    public override void Read(ReadContext ctx)
    {
        foreach (var v in ctx.Values)
        {
            var f = new FieldReader(v.Root);
            int? world = f.Num("world_info.world_size") is double w && w >= 1 ? (int)w : null;
            if (world is null && f.Num("world_info.tp_size") is double tp && tp >= 1)
            {
                world = (int)(tp * (f.Num("world_info.pp_size") is double pp && pp >= 1 ? pp : 1));
            }

            double? perUser = f.Num("streaming_metrics.token_output_speed_tok_s");
            string? basis = perUser is null ? null : "streaming_metrics.token_output_speed_tok_s (mean, excludes TTFT)";
            if (perUser is null && f.Num("performance.output_throughput_per_user_tok_s") is double pu)
            {
                perUser = pu;
                basis = "performance.output_throughput_per_user_tok_s (mean, includes TTFT)";
                f.Warnings.Add("no streaming metrics (run without --streaming): no TTFT/TPOT, and tokens/s per user includes the time to first token");
            }

            string? precision = f.Str("engine.quantization") is string q && q != "None" ? q : f.Str("engine.dtype");
            var p = new BenchmarkPoint
            {
                Tool = Tool,
                ToolVersion = f.Str("engine.version"),
                Backend = f.Str("engine.backend"),
                Model = f.Str("engine.model") ?? f.Str("engine.model_path"),
                Hardware = f.Str("machine.name"),
                Precision = precision,
                GpuCount = world,
                GpuCountSource = world is null ? GpuCountSource.Unknown : GpuCountSource.File,
                MeasuredConcurrency = f.Num("request_info.avg_num_concurrent_requests"),
                MeanInputTokens = f.Num("request_info.avg_input_length"),
                MeanOutputTokens = f.Num("request_info.avg_output_length"),
                DurationSeconds = f.MsToS("performance.total_latency_ms"),
                OutputTokensPerSecond = f.Num("performance.system_output_throughput_tok_s"),
                TotalTokensPerSecond = f.Num("performance.system_total_throughput_tok_s"),
                RequestsPerSecond = f.Num("performance.request_throughput_req_s"),
                OutputTokensPerSecondPerGpu = f.Num("performance.output_throughput_per_gpu_tok_s"),
                TtftMeanSeconds = Ms(f, "streaming_metrics.ttft_percentiles", "average", "avg", "mean") ?? f.MsToS("streaming_metrics.avg_ttft_ms"),
                TtftMedianSeconds = Ms(f, "streaming_metrics.ttft_percentiles", "p50"),
                TtftP99Seconds = Ms(f, "streaming_metrics.ttft_percentiles", "p99"),
                TpotMeanSeconds = Ms(f, "streaming_metrics.tpot_percentiles", "average", "avg", "mean") ?? f.MsToS("streaming_metrics.avg_tpot_ms"),
                TpotMedianSeconds = Ms(f, "streaming_metrics.tpot_percentiles", "p50"),
                TpotP99Seconds = Ms(f, "streaming_metrics.tpot_percentiles", "p99"),
                TokensPerSecondPerUser = perUser,
                TokensPerSecondPerUserBasis = basis,
                CompletedRequests = f.Count("request_info.num_requests"),
                Source = ctx.Source(ctx.ValueLocator(v), v.Index),
            };
            ctx.Add(p with { Warnings = f.Warnings });
        }
    }

    private static double? Ms(FieldReader f, string block, params string[] keys)
    {
        foreach (var k in keys)
        {
            if (f.Root.Path(block + "." + k) is not null)
            {
                return f.MsToS(block + "." + k);
            }
        }

        return null;
    }
}
