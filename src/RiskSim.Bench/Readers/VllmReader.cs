using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// <c>vllm bench serve</c> / legacy <c>benchmark_serving.py</c> result JSON: one object per file, several appended
/// objects (<c>--append-result</c>), or a <c>vllm bench sweep</c> <c>summary.json</c> list of run objects.
/// </summary>
/// <remarks>
/// Latencies are in ms (<c>{mean,median,std,pNN}_{ttft,tpot,itl,e2el}_ms</c>); <c>request_rate</c> may be "inf".
/// The GPU count is not in the file; <c>--metadata</c> keys (num_gpus, tensor_parallel_size × pipeline/data parallel)
/// or the swept serve parameters give it when present, else the InferenceX multi-node file name (<c>gpus_16</c>).
/// </remarks>
internal sealed partial class VllmReader : BenchReader
{
    /// <summary>Keys vLLM writes and SGLang does not.</summary>
    internal static readonly string[] VllmMarkers = ["date", "endpoint_type", "model_id", "tokenizer_id", "num_prompts", "burstiness", "best_of", "mean_e2el_ms", "median_e2el_ms", "request_goodput", "rtfx"];

    /// <summary>Keys only SGLang writes (vLLM names end-to-end latency e2el).</summary>
    internal static readonly string[] SglangStrongMarkers = ["total_output_tokens_retokenized", "mean_e2e_latency_ms", "median_e2e_latency_ms", "p99_e2e_latency_ms"];

    /// <summary>Argument keys SGLang writes that a vLLM user could also add with --metadata.</summary>
    internal static readonly string[] SglangWeakMarkers = ["dataset_name", "sharegpt_output_len", "random_input_len", "random_output_len", "accept_length", "server_info"];

    public override string Format => BenchmarkFormats.VllmJson;

    public override string Tool => BenchmarkTools.Vllm;

    public override string LooksFor => "JSON object(s) or a list with output_throughput and *_ttft_ms, plus a vLLM key such as date, endpoint_type, model_id, num_prompts or burstiness";

    /// <summary>The shape vLLM and SGLang share: serving throughput and TTFT in ms.</summary>
    internal static bool ServingShape(Probe p) =>
        p.IsJson && p.HasAny("output_throughput", "completed") && p.HasAny("median_ttft_ms", "mean_ttft_ms", "p99_ttft_ms");

    public override bool Detect(Probe p) => ServingShape(p) && p.HasAny(VllmMarkers) && !p.HasAny(SglangStrongMarkers);

    public override bool Resembles(Probe p) => ServingShape(p) && !p.HasAny(VllmMarkers) && !p.HasAny(SglangStrongMarkers) && !p.HasAny(SglangWeakMarkers);

    public override void Read(ReadContext ctx)
    {
        foreach (var v in ctx.Values)
        {
            if (v.Root.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var e in v.Root.EnumerateArray())
                {
                    string loc = e.Get("run_number").Str() is string rn ? $"[{i}] run_number {rn}" : $"[{i}]";
                    ReadRun(ctx, e, ctx.Values.Count > 1 ? $"line {v.Line} {loc}" : loc, i);
                    i++;
                }
            }
            else
            {
                ReadRun(ctx, v.Root, ctx.ValueLocator(v), v.Index);
            }
        }
    }

    private void ReadRun(ReadContext ctx, JsonElement run, string locator, int index)
    {
        if (run.ValueKind != JsonValueKind.Object)
        {
            throw new BenchInputException(locator, $"expected a JSON object (a vLLM result), found {run.ValueKind}");
        }

        var f = new FieldReader(run);
        long? completed = f.Count("completed");
        long? failed = f.Count("failed");
        if (failed is null && completed is long c && f.Count("num_prompts") is long n && n >= c)
        {
            failed = n - c;
        }

        var (gpus, gpuNote) = GpuCountFromMetadata(run, ctx.File.Path);
        if (gpuNote is not null)
        {
            ctx.Note(DiagnosticSeverity.Info, locator, gpuNote);
        }

        var (rate, unbounded) = RequestRate(f.Raw("request_rate"));
        var p = new BenchmarkPoint
        {
            Tool = Tool,
            ToolVersion = f.Str("vllm_version"),
            Backend = f.Str("backend") ?? f.Str("endpoint_type"),
            Model = ModelName(f.Str("model_id") ?? f.Str("model")),
            Hardware = FirstString(run, "hardware", "hw", "gpu", "gpu_type", "gpu_name", "device"),
            Scenario = f.Str("label"),
            GpuCount = gpus,
            GpuCountSource = gpus is null ? GpuCountSource.Unknown : GpuCountSource.File,
            Concurrency = f.Num("max_concurrency"),
            RequestRatePerSecond = rate,
            RequestRateUnbounded = unbounded,
            MeanInputTokens = PerRequest(f.Num("total_input_tokens"), completed),
            MeanOutputTokens = PerRequest(f.Num("total_output_tokens"), completed),
            DurationSeconds = f.Num("duration"),
            TotalTokensPerSecond = f.Num("total_token_throughput"),
            OutputTokensPerSecond = f.Num("output_throughput"),
            RequestsPerSecond = f.Num("request_throughput"),
            GoodputRequestsPerSecond = f.First("request_goodput", "request_goodput:"),
            TtftMeanSeconds = f.MsToS("mean_ttft_ms"),
            TtftMedianSeconds = f.MsToS("median_ttft_ms"),
            TtftP99Seconds = f.MsToS("p99_ttft_ms"),
            TpotMeanSeconds = f.MsToS("mean_tpot_ms"),
            TpotMedianSeconds = f.MsToS("median_tpot_ms"),
            TpotP99Seconds = f.MsToS("p99_tpot_ms"),
            ItlMedianSeconds = f.MsToS("median_itl_ms"),
            ItlP99Seconds = f.MsToS("p99_itl_ms"),
            CompletedRequests = completed,
            FailedRequests = failed,
            JoulesPerOutputToken = f.Num("gpu_energy_per_output_token_j"),
            AveragePowerWatts = f.Num("gpu_avg_power_w"),
            Source = ctx.Source(locator, index),
        };
        if (p.JoulesPerOutputToken is not null || p.AveragePowerWatts is not null)
        {
            int metered = run.Get("energy_gpu_ids") is { ValueKind: JsonValueKind.Array } ids ? ids.GetArrayLength() : 0;
            p = p with { EnergyBoundary = $"GPU energy counters (NVML, vLLM GpuEnergyMeter){(metered > 0 ? $", {metered} GPU(s)" : string.Empty)}; host, network and cooling excluded" };
        }

        ctx.Add(p with { Warnings = f.Warnings });
    }

    /// <summary>
    /// A Hugging Face cache path (<c>…/models--openai--gpt-oss-120b/snapshots/…</c>) becomes the repository id
    /// (<c>openai/gpt-oss-120b</c>), so one model served from a local cache groups with the same model elsewhere.
    /// </summary>
    internal static string? ModelName(string? model)
    {
        if (model is null)
        {
            return null;
        }

        var m = HfCache().Match(model);
        return m.Success ? $"{m.Groups[1].Value}/{m.Groups[2].Value}" : model;
    }

    [GeneratedRegex(@"models--([^/]+?)--([^/]+)", RegexOptions.CultureInvariant)]
    private static partial Regex HfCache();

    internal static (double? Rate, bool Unbounded) RequestRate(double? raw) => raw switch
    {
        double r when double.IsPositiveInfinity(r) => (null, true),
        double r when double.IsFinite(r) && r > 0 => (r, false),
        _ => (null, false),
    };

    internal static double? PerRequest(double? total, long? completed) =>
        total is double t && completed is long c && c > 0 ? t / c : null;

    internal static string? FirstString(JsonElement run, params string[] keys) =>
        keys.Select(k => run.Get(k).Str()).FirstOrDefault(s => s is not null);

    /// <summary>
    /// The GPU count from keys a user or a sweep put in the file (vLLM <c>--metadata</c> is merged at top level as
    /// strings; <c>vllm bench sweep</c> adds the swept serve parameters), else from an InferenceX multi-node file name.
    /// Returns the count and a note saying where it came from.
    /// </summary>
    internal static (int? Gpus, string? Note) GpuCountFromMetadata(JsonElement run, string path)
    {
        foreach (var k in new[] { "num_gpus", "gpus", "gpu_count", "n_gpus", "world_size" })
        {
            if (PositiveInt(run.Get(k)) is int g)
            {
                return (g, $"GPU count {g} from the file's '{k}' key");
            }
        }

        int? tp = PositiveInt(run.Get("tensor_parallel_size")) ?? PositiveInt(run.Get("tp")) ?? PositiveInt(run.Get("tp_size"));
        if (tp is int t)
        {
            int pp = PositiveInt(run.Get("pipeline_parallel_size")) ?? PositiveInt(run.Get("pp")) ?? 1;
            int dp = PositiveInt(run.Get("data_parallel_size")) ?? PositiveInt(run.Get("dp")) ?? 1;
            return (t * pp * dp, $"GPU count {t * pp * dp} = tensor × pipeline × data parallel sizes {t} × {pp} × {dp} from the file's keys");
        }

        var m = GpusInName().Match(Path.GetFileName(path));
        if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int fromName) && fromName > 0)
        {
            return (fromName, $"GPU count {fromName} from the file name ('gpus_{fromName}', the InferenceX multi-node naming)");
        }

        return (null, null);
    }

    private static int? PositiveInt(JsonElement? e) =>
        e.RawNumber() is double d && double.IsFinite(d) && d >= 1 && d == Math.Floor(d) && d < 1_000_000 ? (int)d : null;

    [GeneratedRegex(@"(?:^|[_\-.])gpus_(\d+)(?:[_\-.]|$)", RegexOptions.CultureInvariant)]
    private static partial Regex GpusInName();
}
