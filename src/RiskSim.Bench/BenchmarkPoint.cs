namespace RiskSim.Bench;

/// <summary>
/// One measured operating point of an LLM-serving benchmark, normalized from whatever tool wrote it.
/// Units are in the names: seconds for latencies, tokens and requests per second for rates.
/// A figure the file does not give is <c>null</c> (never NaN, never a made-up zero).
/// Immutable; thread-safe.
/// </summary>
/// <remarks>
/// Latency naming across tools: <c>Tpot*</c> is the per-request decode time per output token, excluding the
/// first token (vLLM/SGLang <c>tpot</c>, AIPerf/GenAI-Perf <c>inter_token_latency</c>, GuideLLM
/// <c>inter_token_latency_ms</c>, LLMPerf <c>inter_token_latency_s</c>, trtllm-bench <c>tpot</c>);
/// <c>Itl*</c> is the gap between streamed chunks (vLLM/SGLang <c>itl</c>, AIPerf <c>inter_chunk_latency</c>).
/// </remarks>
public sealed record BenchmarkPoint
{
    /// <summary>The tool that wrote the file, one of <see cref="BenchmarkTools"/> (e.g. "vllm", "sglang", "aiperf").</summary>
    public required string Tool { get; init; }

    /// <summary>The tool's version where the file records it (AIPerf <c>aiperf_version</c>, GuideLLM, trtllm-bench …).</summary>
    public string? ToolVersion { get; init; }

    /// <summary>The serving engine behind the endpoint where recorded (vLLM <c>backend</c>, InferenceX <c>framework</c>).</summary>
    public string? Backend { get; init; }

    /// <summary>The model as the file names it.</summary>
    public string? Model { get; init; }

    /// <summary>The accelerator / system as the file names it (InferenceX <c>hw</c>, MLPerf <c>Accelerator</c>), else null.</summary>
    public string? Hardware { get; init; }

    /// <summary>Weight precision where recorded (InferenceX <c>precision</c>, MLPerf <c>weight_data_types</c>).</summary>
    public string? Precision { get; init; }

    /// <summary>The MLPerf scenario (Offline, Server, Interactive …) or another tool's named run kind, else null.</summary>
    public string? Scenario { get; init; }

    /// <summary>GPUs (accelerators) serving this point; null when neither the file nor the user gave it.</summary>
    public int? GpuCount { get; init; }

    /// <summary>Where <see cref="GpuCount"/> came from.</summary>
    public GpuCountSource GpuCountSource { get; init; }

    /// <summary>Configured maximum number of in-flight requests (concurrency), when the run was concurrency-bound.</summary>
    public double? Concurrency { get; init; }

    /// <summary>Configured request rate, requests/s; null when unbounded (see <see cref="RequestRateUnbounded"/>) or not set.</summary>
    public double? RequestRatePerSecond { get; init; }

    /// <summary>True when the file says the request rate was unbounded ("inf", Infinity): all requests sent at once.</summary>
    public bool RequestRateUnbounded { get; init; }

    /// <summary>Measured mean number of in-flight requests, where the tool reports it (GuideLLM, trtllm-bench, SGLang <c>concurrency</c>).</summary>
    public double? MeasuredConcurrency { get; init; }

    /// <summary>Mean input (prompt) tokens per completed request.</summary>
    public double? MeanInputTokens { get; init; }

    /// <summary>Mean output (generated) tokens per completed request.</summary>
    public double? MeanOutputTokens { get; init; }

    /// <summary>Benchmark wall time, seconds.</summary>
    public double? DurationSeconds { get; init; }

    /// <summary>System input + output tokens/s over all GPUs of the point.</summary>
    public double? TotalTokensPerSecond { get; init; }

    /// <summary>System output tokens/s over all GPUs of the point.</summary>
    public double? OutputTokensPerSecond { get; init; }

    /// <summary>Completed requests/s.</summary>
    public double? RequestsPerSecond { get; init; }

    /// <summary>Requests/s meeting the tool's goodput SLO, where the tool reports it.</summary>
    public double? GoodputRequestsPerSecond { get; init; }

    /// <summary>Mean time to first token, seconds.</summary>
    public double? TtftMeanSeconds { get; init; }

    /// <summary>Median time to first token, seconds.</summary>
    public double? TtftMedianSeconds { get; init; }

    /// <summary>99th-percentile time to first token, seconds.</summary>
    public double? TtftP99Seconds { get; init; }

    /// <summary>Mean time per output token after the first, seconds.</summary>
    public double? TpotMeanSeconds { get; init; }

    /// <summary>Median time per output token after the first, seconds.</summary>
    public double? TpotMedianSeconds { get; init; }

    /// <summary>99th-percentile time per output token after the first, seconds.</summary>
    public double? TpotP99Seconds { get; init; }

    /// <summary>Median inter-chunk latency, seconds.</summary>
    public double? ItlMedianSeconds { get; init; }

    /// <summary>99th-percentile inter-chunk latency, seconds.</summary>
    public double? ItlP99Seconds { get; init; }

    /// <summary>
    /// Output tokens/s seen by one user (interactivity). Where the tool reports it as a median or mean, that figure;
    /// else derived as 1 / <see cref="TpotMedianSeconds"/> (= 1000 / median TPOT ms). See <see cref="TokensPerSecondPerUserBasis"/>.
    /// </summary>
    public double? TokensPerSecondPerUser { get; init; }

    /// <summary>How <see cref="TokensPerSecondPerUser"/> was obtained (e.g. "1000/median_tpot_ms", "output_token_throughput_per_user.p50").</summary>
    public string? TokensPerSecondPerUserBasis { get; init; }

    /// <summary>Requests that completed successfully.</summary>
    public long? CompletedRequests { get; init; }

    /// <summary>Requests that failed (errored). Requests cut off because the run ended (GuideLLM incomplete, AIPerf cancelled) are not counted.</summary>
    public long? FailedRequests { get; init; }

    /// <summary>Energy per output token, joules; see <see cref="EnergyBoundary"/> for what was metered.</summary>
    public double? JoulesPerOutputToken { get; init; }

    /// <summary>Mean power during the run, watts, over <see cref="EnergyBoundary"/>.</summary>
    public double? AveragePowerWatts { get; init; }

    /// <summary>What the power/energy figure covers (e.g. "GPU board power (DCGM), 8 GPUs", "whole system wall power (MLPerf)").</summary>
    public string? EnergyBoundary { get; init; }

    /// <summary>Output tokens/s per GPU: the file's own figure where it has one, else <see cref="OutputTokensPerSecond"/> / <see cref="GpuCount"/>.</summary>
    public double? OutputTokensPerSecondPerGpu { get; init; }

    /// <summary>Total tokens/s per GPU, like <see cref="OutputTokensPerSecondPerGpu"/>.</summary>
    public double? TotalTokensPerSecondPerGpu { get; init; }

    /// <summary>Where this point was read from.</summary>
    public required BenchmarkSource Source { get; init; }

    /// <summary>Per-request samples when the file is per-request (AIPerf <c>profile_export.jsonl</c>, GuideLLM requests); else null.</summary>
    public RequestSamples? Samples { get; init; }

    /// <summary>Warnings about this point (partial failure share, derived figures, odd values), for the report.</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Share of requests that failed, in [0, 1], when both counts are known and not both zero.</summary>
    public double? FailedShare =>
        CompletedRequests is long c && FailedRequests is long f && c + f > 0 ? (double)f / (c + f) : null;

    /// <summary>
    /// A copy with the GPU count set (if the point has none, or <paramref name="overrideFile"/>) and the per-GPU figures
    /// the file did not give derived from it.
    /// </summary>
    public BenchmarkPoint WithGpuCount(int gpus, GpuCountSource source, bool overrideFile = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(gpus, 1);
        if (GpuCount is not null && !overrideFile)
        {
            return this;
        }

        bool replace = GpuCount is not null && GpuCount != gpus;
        return this with
        {
            GpuCount = gpus,
            GpuCountSource = source,
            OutputTokensPerSecondPerGpu = replace || OutputTokensPerSecondPerGpu is null ? OutputTokensPerSecond / gpus : OutputTokensPerSecondPerGpu,
            TotalTokensPerSecondPerGpu = replace || TotalTokensPerSecondPerGpu is null ? TotalTokensPerSecond / gpus : TotalTokensPerSecondPerGpu,
        };
    }
}

/// <summary>Where <see cref="BenchmarkPoint.GpuCount"/> came from.</summary>
public enum GpuCountSource
{
    /// <summary>Not known: per-GPU figures are null.</summary>
    Unknown = 0,

    /// <summary>Recorded in the result file (InferenceX <c>tp</c>/<c>gpus_N</c>, MLPerf <c>a#</c> × <c>Nodes</c>, trtllm <c>world_size</c>, AIPerf command line …).</summary>
    File = 1,

    /// <summary>Given on the command line (<c>--gpus N</c>).</summary>
    CommandLine = 2,

    /// <summary>Given in a config (<c>operating_point.from_benchmarks.gpus</c>).</summary>
    Config = 3,
}

/// <summary>
/// Provenance of a point: the file, its SHA-256 (lower-case hex of the bytes read) and where in it the point is.
/// </summary>
/// <param name="Path">The file path as given (relative paths stay relative).</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file's bytes.</param>
/// <param name="Locator">Where in the file, human-readable: "line 3", "benchmarks[2]", "row 5", "run=0.json", "whole file".</param>
/// <param name="Index">0-based index of the point within the file (line, row, array element or run).</param>
/// <param name="Format">The reader that produced it (e.g. "vllm-json", "sglang-jsonl", "aiperf-jsonl"); see <see cref="BenchmarkFormats"/>.</param>
/// <param name="Origin">For RiskSim's own CSV: the provenance the CSV carries for the row (its <c># source:</c> line or source columns); else null.</param>
public sealed record BenchmarkSource(string Path, string Sha256, string Locator, int Index, string Format, string? Origin = null);

/// <summary>
/// Per-request samples of one run (seconds), sorted ascending, for SLA checks on distributions.
/// Arrays are owned by this object; do not mutate them.
/// </summary>
/// <param name="TtftSeconds">Time to first token of each successful request, sorted.</param>
/// <param name="TpotSeconds">Time per output token after the first of each successful request with ≥ 2 output tokens, sorted.</param>
public sealed record RequestSamples(double[] TtftSeconds, double[] TpotSeconds)
{
    /// <summary>Number of TTFT samples.</summary>
    public int Count => TtftSeconds.Length;
}

/// <summary>Tool names used in <see cref="BenchmarkPoint.Tool"/> and <c>--format</c>.</summary>
public static class BenchmarkTools
{
    public const string Vllm = "vllm";
    public const string Sglang = "sglang";
    public const string AiPerf = "aiperf";
    public const string GenAiPerf = "genai-perf";
    public const string GuideLlm = "guidellm";
    public const string LlmPerf = "llmperf";
    public const string MlPerf = "mlperf";
    public const string InferenceX = "inferencex";
    public const string TrtllmBench = "trtllm-bench";
    public const string RiskSimCsv = "risksim-csv";

    /// <summary>All tool names, in the order detection tries them.</summary>
    public static IReadOnlyList<string> All { get; } = [Vllm, Sglang, AiPerf, GenAiPerf, GuideLlm, LlmPerf, MlPerf, InferenceX, TrtllmBench, RiskSimCsv];
}
