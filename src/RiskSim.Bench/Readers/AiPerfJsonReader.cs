using System.Text.Json;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// Metric blocks of AIPerf / GenAI-Perf summaries: <c>{"unit": "ms", "avg": …, "p50": …, "p99": …}</c>. The block's unit
/// is authoritative; time units are converted to seconds. Absent statistics are "not applicable".
/// </summary>
internal static class MetricBlocks
{
    /// <summary>
    /// The figures AIPerf and GenAI-Perf write in the same metric blocks (sequence lengths, throughputs, TTFT, TPOT =
    /// inter_token_latency, per-user rate, request count), as a point of <paramref name="tool"/> from
    /// <paramref name="source"/>; each reader adds what its format holds elsewhere.
    /// </summary>
    public static BenchmarkPoint SharedFigures(FieldReader f, string tool, BenchmarkSource source) => new()
    {
        Tool = tool,
        MeanInputTokens = f.Num("input_sequence_length.avg"),
        MeanOutputTokens = f.Num("output_sequence_length.avg"),
        OutputTokensPerSecond = f.Num("output_token_throughput.avg"),
        TotalTokensPerSecond = f.Num("total_token_throughput.avg"),
        RequestsPerSecond = f.Num("request_throughput.avg"),
        TtftMeanSeconds = Seconds(f, "time_to_first_token", "avg"),
        TtftMedianSeconds = Seconds(f, "time_to_first_token", "p50"),
        TtftP99Seconds = Seconds(f, "time_to_first_token", "p99"),
        TpotMeanSeconds = Seconds(f, "inter_token_latency", "avg"),
        TpotMedianSeconds = Seconds(f, "inter_token_latency", "p50"),
        TpotP99Seconds = Seconds(f, "inter_token_latency", "p99"),
        TokensPerSecondPerUser = f.Num("output_token_throughput_per_user.p50"),
        TokensPerSecondPerUserBasis = f.Num("output_token_throughput_per_user.p50") is null ? null : "output_token_throughput_per_user.p50",
        CompletedRequests = f.Count("request_count.avg"),
        Source = source,
    };

    /// <summary>A statistic of a metric block, converted to seconds if the unit is a time unit; null if absent.</summary>
    public static double? Stat(FieldReader f, string tag, string stat)
    {
        double? v = f.Num(tag + "." + stat);
        if (v is not double d)
        {
            return null;
        }

        return (f.Root.Path(tag + ".unit").Str() ?? string.Empty).Trim().ToLowerInvariant() switch
        {
            "ms" or "millisecond" or "milliseconds" => d / 1e3,
            "us" or "µs" or "microseconds" => d / 1e6,
            "ns" or "nanoseconds" => d / 1e9,
            _ => d,
        };
    }

    /// <summary>A time statistic in seconds; null (and a warning) when the block's unit is not a time unit.</summary>
    public static double? Seconds(FieldReader f, string tag, string stat)
    {
        string unit = (f.Root.Path(tag + ".unit").Str() ?? "ms").Trim().ToLowerInvariant();
        if (unit is not ("ms" or "millisecond" or "milliseconds" or "us" or "µs" or "microseconds" or "ns" or "nanoseconds" or "s" or "sec" or "second" or "seconds"))
        {
            if (f.Root.Path(tag + "." + stat) is not null)
            {
                f.Warnings.Add($"{tag} has unit '{unit}', not a time unit; left empty");
            }

            return null;
        }

        return Stat(f, tag, stat);
    }

    /// <summary>Sum of gpu_power_usage averages over GPUs and the GPU count, from AIPerf telemetry_data or GenAI-Perf telemetry_stats.</summary>
    public static (double? Watts, int Gpus) Power(JsonElement root)
    {
        double sum = 0;
        int gpus = 0;
        bool any = false;
        if (root.Path("telemetry_data.endpoints") is { ValueKind: JsonValueKind.Object } eps)
        {
            foreach (var ep in eps.EnumerateObject())
            {
                if (ep.Value.Get("gpus") is not { ValueKind: JsonValueKind.Object } g)
                {
                    continue;
                }

                foreach (var gpu in g.EnumerateObject())
                {
                    gpus++;
                    var power = gpu.Value.Path("metrics.gpu_power_usage");
                    if (power?.Get("avg").RawNumber() is double w && double.IsFinite(w) && w >= 0 && IsWatts(power.Value))
                    {
                        sum += w;
                        any = true;
                    }
                }
            }
        }
        else if (root.Path("telemetry_stats.gpu_power_usage") is { ValueKind: JsonValueKind.Object } gp && IsWatts(gp))
        {
            foreach (var gpu in gp.EnumerateObject())
            {
                if (gpu.Name == "unit")
                {
                    continue;
                }

                gpus++;
                if (gpu.Value.Get("avg").RawNumber() is double w && double.IsFinite(w) && w >= 0)
                {
                    sum += w;
                    any = true;
                }
            }
        }

        return (any ? sum : null, gpus);
    }

    private static bool IsWatts(JsonElement block) =>
        (block.Get("unit").Str() ?? "W").Trim() is "W" or "w" or "watts" or "Watts";

    /// <summary>Fills GPU count and power figures from telemetry into a point.</summary>
    public static BenchmarkPoint WithTelemetry(BenchmarkPoint p, JsonElement root, string source)
    {
        var (watts, gpus) = Power(root);
        if (gpus > 0 && p.GpuCount is null)
        {
            p = p with { GpuCount = gpus, GpuCountSource = GpuCountSource.File };
        }

        if (watts is double w && p.OutputTokensPerSecond is double tps && tps > 0)
        {
            p = p with
            {
                AveragePowerWatts = w,
                JoulesPerOutputToken = w / tps,
                EnergyBoundary = $"GPU board power from {source} GPU telemetry (DCGM/NVML), {gpus} GPU(s), averaged over the telemetry window; host, network and cooling excluded",
            };
        }

        return p;
    }
}

/// <summary>
/// AIPerf <c>profile_export_aiperf.json</c> (schema_version 1.x): <c>aiperf_version</c>, one block per metric tag,
/// <c>input_config</c> (endpoint.model_names, loadgen.concurrency / request_rate), <c>error_summary</c>,
/// <c>was_cancelled</c>, optional <c>telemetry_data</c> (GPU power, which also gives the GPU count).
/// </summary>
/// <remarks>
/// Tags: request_count, request_throughput, output_token_throughput, total_token_throughput, time_to_first_token,
/// inter_token_latency (= TPOT, excludes the first token), inter_chunk_latency (= ITL), input/output_sequence_length,
/// benchmark_duration, effective_concurrency.
/// </remarks>
internal sealed class AiPerfJsonReader : BenchReader
{
    public override string Format => BenchmarkFormats.AiPerfJson;

    public override string Tool => BenchmarkTools.AiPerf;

    public override string LooksFor => "a JSON object with aiperf_version or schema_version and metric blocks such as output_token_throughput.avg / .unit";

    internal static bool MetricShape(Probe p) =>
        p.IsJson && !p.RootIsArray && p.HasAny("output_token_throughput.avg", "request_throughput.avg", "time_to_first_token.avg", "request_count.avg");

    public override bool Detect(Probe p) =>
        MetricShape(p) && p.HasAny("aiperf_version", "schema_version", "input_config.loadgen", "input_config.endpoint");

    public override void Read(ReadContext ctx)
    {
        foreach (var v in ctx.Values)
        {
            var f = new FieldReader(v.Root);
            string loc = ctx.ValueLocator(v);
            long? failed = f.Count("error_request_count.avg") ?? ErrorSummaryCount(v.Root);
            var (rate, unbounded) = VllmReader.RequestRate(f.Raw("input_config.loadgen.request_rate"));
            var p = MetricBlocks.SharedFigures(f, Tool, ctx.Source(loc, v.Index)) with
            {
                ToolVersion = f.Str("aiperf_version"),
                Model = FirstModel(v.Root.Path("input_config.endpoint.model_names")) ?? f.Str("input_config.endpoint.model_name"),
                Scenario = f.Str("input_config.scenario") ?? f.Str("metadata.scenario"),
                Concurrency = f.Num("input_config.loadgen.concurrency"),
                MeasuredConcurrency = f.Num("effective_concurrency.avg"),
                RequestRatePerSecond = rate,
                RequestRateUnbounded = unbounded,
                DurationSeconds = MetricBlocks.Stat(f, "benchmark_duration", "avg"),
                GoodputRequestsPerSecond = f.First("goodput.avg", "request_goodput.avg"),
                ItlMedianSeconds = MetricBlocks.Seconds(f, "inter_chunk_latency", "p50"),
                ItlP99Seconds = MetricBlocks.Seconds(f, "inter_chunk_latency", "p99"),
                FailedRequests = failed,
            };
            p = MetricBlocks.WithTelemetry(p, v.Root, "AIPerf");
            if (f.Root.Get("was_cancelled").Bool() == true)
            {
                f.Warnings.Add("the run was cancelled (was_cancelled: true): the figures cover the part that ran");
            }

            ctx.Add(p with { Warnings = f.Warnings });
        }
    }

    internal static string? FirstModel(JsonElement? names) => names switch
    {
        { ValueKind: JsonValueKind.Array } a when a.GetArrayLength() > 0 => string.Join(",", a.EnumerateArray().Select(x => ((JsonElement?)x).Str()).Where(s => s is not null)),
        { ValueKind: JsonValueKind.String } s => s.GetString(),
        _ => null,
    };

    private static long? ErrorSummaryCount(JsonElement root)
    {
        if (root.Get("error_summary") is not { ValueKind: JsonValueKind.Array } errs)
        {
            return null;
        }

        long n = 0;
        foreach (var e in errs.EnumerateArray())
        {
            if (e.Get("count").RawNumber() is double c && double.IsFinite(c) && c > 0)
            {
                n += (long)c;
            }
        }

        return n;
    }
}

/// <summary>
/// GenAI-Perf <c>profile_export_genai_perf.json</c>: one block per metric (<c>unit, avg, min, max, p25…p99, std</c>),
/// <c>input_config</c> (model, concurrency, request_rate; or perf_analyzer.stimulus in newer configs), optional
/// <c>telemetry_stats</c> (gpu_power_usage per gpuN).
/// </summary>
/// <remarks>
/// No failure count. Older versions write output_token_throughput_per_request instead of _per_user.
/// </remarks>
internal sealed class GenAiPerfJsonReader : BenchReader
{
    public override string Format => BenchmarkFormats.GenAiPerfJson;

    public override string Tool => BenchmarkTools.GenAiPerf;

    public override string LooksFor => "a JSON object with input_config and metric blocks such as request_throughput.avg, without AIPerf's aiperf_version/schema_version";

    public override bool Detect(Probe p) =>
        AiPerfJsonReader.MetricShape(p) && p.Has("input_config") && !p.HasAny("aiperf_version", "schema_version", "input_config.loadgen", "input_config.endpoint");

    public override void Read(ReadContext ctx)
    {
        foreach (var v in ctx.Values)
        {
            var f = new FieldReader(v.Root);
            string loc = ctx.ValueLocator(v);
            double? conc = f.First("input_config.concurrency", "input_config.perf_analyzer.stimulus.concurrency");
            var (rate, unbounded) = VllmReader.RequestRate(f.Raw("input_config.request_rate") ?? f.Raw("input_config.perf_analyzer.stimulus.request_rate"));
            var p = MetricBlocks.SharedFigures(f, Tool, ctx.Source(loc, v.Index)) with
            {
                Model = AiPerfJsonReader.FirstModel(v.Root.Path("input_config.model")) ?? AiPerfJsonReader.FirstModel(v.Root.Path("input_config.model_names")),
                Backend = f.Str("input_config.backend") ?? f.Str("input_config.service_kind"),
                Concurrency = conc,
                RequestRatePerSecond = rate,
                RequestRateUnbounded = unbounded,
                GoodputRequestsPerSecond = f.Num("request_goodput.avg"),
            };
            ctx.Add(MetricBlocks.WithTelemetry(p, v.Root, "GenAI-Perf") with { Warnings = f.Warnings });
        }
    }
}
