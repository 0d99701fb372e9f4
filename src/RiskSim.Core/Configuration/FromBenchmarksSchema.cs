using System.Collections.Immutable;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Configuration;

/// <summary>
/// The keys of <c>operating_point.from_benchmarks</c>. The resolver (RiskSim.Bench) reads them and the config
/// reference documents them from this list, so the two cannot drift apart.
/// </summary>
public static class FromBenchmarksSchema
{
    /// <summary>Dotted path of the object.</summary>
    public const string Path = "operating_point.from_benchmarks";

    /// <summary>The operating-point fields the files fill (giving one by hand as well is an error).</summary>
    public static readonly ImmutableArray<string> FilledFields =
        ["output_tokens_per_s_per_gpu", "input_tokens_per_request", "output_tokens_per_request", "tokens_per_s_per_user", "ttft_s", "joules_per_output_token"];

    /// <summary>Filter keys: a point is kept when the value contains the given text (case-insensitive).</summary>
    public static readonly ImmutableArray<string> FilterKeys = ["hardware", "model", "tool"];

    /// <summary>Each key: name, allowed values, default or requirement, meaning.</summary>
    public static readonly ImmutableArray<(string Name, string Allowed, string Requirement, string Description)> Keys =
    [
        ("files", "a list of paths (strings)", "required", "Benchmark result files or folders, relative to the config file: any format `risksim bench import` reads (vLLM, SGLang, AIPerf, GenAI-Perf, GuideLLM, LLMPerf, MLPerf, InferenceX, trtllm-bench, RiskSim's own CSV). Each file's SHA-256 is recorded in every report."),
        ("sla", "a string, or a list of strings, of constraints `metric>=N` / `metric<=N`", "required", "The SLA the point must meet, e.g. \"tokens_per_s_per_user>=30,ttft_p50_s<=2,ttft_p99_s<=5\" (metrics: tokens_per_s_per_user, ttft_p50_s, ttft_p99_s, tpot_p50_ms, tpot_p99_ms, itl_p50_ms, itl_p99_ms). The point with the most output tok/s per GPU that meets it is taken, interpolated linearly along the Pareto frontier between measured points and never beyond them."),
        ("gpus", "a whole number in [1, 100000]", "required when a file does not record its GPU count", "GPUs serving each measured point (every GPU the deployment occupies: tensor, pipeline, expert parallel, prefill and decode). A file's own count wins."),
        ("filter", "an object with any of: \"hardware\", \"model\", \"tool\" (strings)", "required when the files hold several models or hardware", "Keeps the points whose hardware, model or tool contains the text (case-insensitive), so one frontier has one model on one hardware."),
        ("spread", "\"runs\", \"fixed\", or a distribution object of a multiplier (median about 1)", "optional (default \"runs\" when the chosen point has 3 or more repeated runs; otherwise required)", "How uncertain the measured throughput is: \"runs\" = the empirical distribution over the repeated runs (a `discrete` distribution of each run's throughput, scaled to the chosen point); \"fixed\" = the measured value as is; a distribution (e.g. {\"dist\": \"pert\", \"min\": 0.85, \"mode\": 1, \"max\": 1.05}) multiplies the measured value (its min, mode, max, median, mean, sd and values are scaled)."),
    ];
}
