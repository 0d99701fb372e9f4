using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// Anyscale LLMPerf <c>token_benchmark_ray.py</c> summary (<c>*_summary.json</c>): a flat object with the run's
/// <c>model</c>, <c>num_concurrent_requests</c>, and per-request metric statistics
/// <c>results_{metric}_{mean,quantiles_pNN}</c> in <b>seconds</b>; system output tokens/s is
/// <c>results_mean_output_throughput_token_per_s</c>.
/// </summary>
/// <remarks>
/// LLMPerf's <c>inter_token_latency_s</c> is the sum of every gap including the first token's (TTFT) divided by the
/// output tokens, so it is not TPOT: TPOT's mean is derived as (mean end-to-end latency − mean TTFT) / (mean output
/// tokens − 1), exact when every request has the same output length; median and p99 TPOT are left empty.
/// </remarks>
internal sealed class LlmPerfReader : BenchReader
{
    public override string Format => BenchmarkFormats.LlmPerfSummary;

    public override string Tool => BenchmarkTools.LlmPerf;

    public override string LooksFor => "a JSON object with results_mean_output_throughput_token_per_s or results_ttft_s_* keys and num_concurrent_requests";

    public override bool Detect(Probe p) =>
        p.IsJson && !p.RootIsArray && p.HasAny("results_mean_output_throughput_token_per_s", "results_ttft_s_mean", "results_ttft_s_quantiles_p50")
        && p.HasAny("num_concurrent_requests", "results_num_completed_requests", "mean_output_tokens");

    public override void Read(ReadContext ctx)
    {
        foreach (var v in ctx.Values)
        {
            var f = new FieldReader(v.Root);
            long? completed = f.Count("results_num_completed_requests");
            long? errors = f.Count("results_number_errors");
            double? rpm = f.Num("results_num_completed_requests_per_min");
            double? meanIn = f.First("results_number_input_tokens_mean", "mean_input_tokens");
            double? meanOut = f.First("results_number_output_tokens_mean", "mean_output_tokens");
            double? e2e = f.Num("results_end_to_end_latency_s_mean");
            double? ttft = f.Num("results_ttft_s_mean");
            double? tpotMean = e2e is double e && ttft is double t && meanOut is double o && o > 1 && e > t ? (e - t) / (o - 1) : null;
            if (f.Root.Has("results_inter_token_latency_s_mean"))
            {
                f.Warnings.Add("LLMPerf's inter_token_latency_s includes the first token's wait (TTFT); TPOT mean is (mean e2e − mean TTFT)/(mean output tokens − 1), and median/p99 TPOT are left empty");
            }

            var p = new BenchmarkPoint
            {
                Tool = Tool,
                ToolVersion = f.Str("version"),
                Backend = f.Str("framework"),
                Model = f.Str("model"),
                Scenario = f.Str("name"),
                Concurrency = f.Num("num_concurrent_requests"),
                MeanInputTokens = meanIn,
                MeanOutputTokens = meanOut,
                OutputTokensPerSecond = f.Num("results_mean_output_throughput_token_per_s"),
                RequestsPerSecond = rpm / 60.0,
                TtftMeanSeconds = ttft,
                TtftMedianSeconds = f.Num("results_ttft_s_quantiles_p50"),
                TtftP99Seconds = f.Num("results_ttft_s_quantiles_p99"),
                TpotMeanSeconds = tpotMean,
                TokensPerSecondPerUser = tpotMean is double tm && tm > 0 ? 1.0 / tm : null,
                TokensPerSecondPerUserBasis = tpotMean is null ? null : "1/mean TPOT, TPOT = (mean e2e latency − mean TTFT)/(mean output tokens − 1)",
                CompletedRequests = completed,
                FailedRequests = errors,
                Source = ctx.Source(ctx.ValueLocator(v), v.Index),
            };
            ctx.Add(p with { Warnings = f.Warnings });
        }
    }
}
