namespace RiskSim.Bench;

/// <summary>
/// Reads benchmark result files of the supported tools into <see cref="BenchmarkPoint"/>s. The format is detected from
/// the content (never the file name) unless <see cref="BenchmarkImportOptions.Format"/> names one.
/// Thread-safe (stateless).
/// </summary>
public static class BenchmarkImporter
{
    /// <summary>
    /// Imports files and folders (a folder is read recursively; a <c>vllm bench sweep</c> folder's <c>summary.json</c> is
    /// skipped when its <c>run=N.json</c> files are present). Never throws for bad input: every problem is a diagnostic.
    /// </summary>
    public static ImportResult Import(IEnumerable<string> paths, BenchmarkImportOptions? options = null, CancellationToken cancellationToken = default)
        => ImportPipeline.Run(paths, options ?? new BenchmarkImportOptions(), cancellationToken);

    /// <summary>The values <see cref="BenchmarkImportOptions.Format"/> accepts: "auto", the tool names and the format names.</summary>
    public static IReadOnlyList<string> FormatChoices => ImportPipeline.FormatChoices;
}

/// <summary>Format names used in <see cref="BenchmarkSource.Format"/> and accepted by <c>--format</c>.</summary>
public static class BenchmarkFormats
{
    public const string VllmJson = "vllm-json";
    public const string SglangJsonl = "sglang-jsonl";
    public const string AiPerfJson = "aiperf-json";
    public const string AiPerfCsv = "aiperf-csv";
    public const string AiPerfJsonl = "aiperf-jsonl";
    public const string GenAiPerfJson = "genai-perf-json";
    public const string GuideLlm = "guidellm";
    public const string LlmPerfSummary = "llmperf-summary";
    public const string MlPerfSummary = "mlperf-summary";
    public const string InferenceXRow = "inferencex-row";
    public const string TrtllmBenchJson = "trtllm-bench-json";
    public const string RiskSimCsv = "risksim-csv";
}
