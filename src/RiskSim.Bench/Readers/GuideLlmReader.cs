using System.Globalization;
using System.Text.Json;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// GuideLLM benchmark reports (JSON, or YAML converted to JSON), one point per <c>benchmarks[]</c> entry:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>old schema (v0.2/0.3): <c>benchmarks[].args.strategy</c>, <c>run_stats</c>, <c>worker.backend_model</c>,
/// <c>request_totals</c> at benchmark level;</item>
/// <item>current schema (report <c>metadata.version</c> 2): <c>benchmarks[].config.strategy</c>,
/// <c>scheduler_metrics</c>, <c>metrics.request_totals</c>, model in the backend config.</item>
/// </list>
/// Both: <c>metrics.&lt;name&gt;.successful.{mean, median, percentiles.p99}</c>. System output tokens/s is
/// <c>output_tokens_per_second.successful.mean</c>; TTFT is <c>time_to_first_token_ms</c>; TPOT is
/// <c>inter_token_latency_ms</c> (GuideLLM's ITL excludes the first token, like vLLM's TPOT; its
/// <c>time_per_output_token_ms</c> includes it and is not used). Failed = errored; incomplete requests (cut off when the
/// benchmark's time ran out) are not failures. The per-request lists, when present, give TTFT/TPOT samples.
/// </remarks>
internal sealed class GuideLlmReader : BenchReader
{
    public override string Format => BenchmarkFormats.GuideLlm;

    public override string Tool => BenchmarkTools.GuideLlm;

    public override string LooksFor => "a JSON/YAML object with benchmarks[] entries holding metrics and args/run_stats (old schema) or config/scheduler_metrics (current)";

    public override bool Detect(Probe p) =>
        p.IsJson && !p.RootIsArray && p.Has("benchmarks")
        && p.HasAny("benchmarks[].metrics", "benchmarks[].type_")
        && p.HasAny("benchmarks[].args", "benchmarks[].run_stats", "benchmarks[].config", "benchmarks[].scheduler_metrics", "metadata.guidellm_version");

    public override void Read(ReadContext ctx)
    {
        foreach (var v in ctx.Values)
        {
            var root = v.Root;
            if (root.Get("benchmarks") is not { ValueKind: JsonValueKind.Array } benches)
            {
                throw new BenchInputException(ctx.ValueLocator(v), "benchmarks is not a list");
            }

            string? version = root.Path("metadata.guidellm_version").Str();
            int i = 0;
            foreach (var b in benches.EnumerateArray())
            {
                ReadBenchmark(ctx, root, b, $"benchmarks[{i}]", i, version);
                i++;
            }
        }
    }

    private void ReadBenchmark(ReadContext ctx, JsonElement root, JsonElement b, string loc, int index, string? version)
    {
        var f = new FieldReader(b);
        var strategy = b.Path("config.strategy") ?? b.Path("args.strategy");
        string? type = strategy?.Get("type_").Str();
        double? streams = strategy?.Get("streams").RawNumber();
        double? rate = strategy?.Get("rate").RawNumber();
        double? maxConc = strategy?.Get("max_concurrency").RawNumber();
        double? concurrency = type switch
        {
            "synchronous" => 1,
            "concurrent" when streams is double s && double.IsFinite(s) && s > 0 => s,
            _ when maxConc is double m && double.IsFinite(m) && m > 0 => m,
            _ => null,
        };
        bool unbounded = type == "throughput" || (rate is double r0 && double.IsPositiveInfinity(r0));
        double? ratePerS = type is "constant" or "poisson" && rate is double r && double.IsFinite(r) && r > 0 ? r : null;
        string? scenario = type switch
        {
            null => null,
            "constant" or "poisson" when ratePerS is double rr => $"{type} {rr.ToString("0.###", CultureInfo.InvariantCulture)} req/s",
            "concurrent" when concurrency is double cc => $"concurrent {cc.ToString("0.###", CultureInfo.InvariantCulture)} streams",
            _ => type,
        };

        var totals = b.Path("metrics.request_totals") is { ValueKind: JsonValueKind.Object } mt && mt.Get("successful") is { ValueKind: JsonValueKind.Number }
            ? mt
            : b.Get("request_totals") ?? b.Path("scheduler_metrics.requests_made") ?? b.Path("run_stats.requests_made");
        long? completed = Count(totals?.Get("successful"));
        long? errored = Count(totals?.Get("errored"));

        double? duration = f.Num("duration");
        if (duration is null && b.Path("scheduler_metrics.measure_end_time").RawNumber() is double me && b.Path("scheduler_metrics.measure_start_time").RawNumber() is double ms && me > ms)
        {
            duration = me - ms;
        }

        string? model = b.Path("worker.backend_model").Str()
            ?? b.Path("config.backend.model").Str()
            ?? b.Path("config.requests.model").Str()
            ?? root.Path("config.model").Str()
            ?? root.Path("args.model").Str();
        var p = new BenchmarkPoint
        {
            Tool = Tool,
            ToolVersion = version,
            Backend = b.Path("worker.backend_type").Str() ?? b.Path("config.backend.type_").Str() ?? root.Path("config.backend").Str(),
            Model = model,
            Scenario = scenario,
            Concurrency = concurrency,
            RequestRatePerSecond = ratePerS,
            RequestRateUnbounded = unbounded,
            MeasuredConcurrency = f.Num("metrics.request_concurrency.successful.mean"),
            MeanInputTokens = f.Num("metrics.prompt_token_count.successful.mean"),
            MeanOutputTokens = f.Num("metrics.output_token_count.successful.mean"),
            DurationSeconds = duration,
            OutputTokensPerSecond = f.Num("metrics.output_tokens_per_second.successful.mean"),
            TotalTokensPerSecond = f.Num("metrics.tokens_per_second.successful.mean"),
            RequestsPerSecond = f.Num("metrics.requests_per_second.successful.mean"),
            TtftMeanSeconds = f.MsToS("metrics.time_to_first_token_ms.successful.mean"),
            TtftMedianSeconds = f.MsToS("metrics.time_to_first_token_ms.successful.median"),
            TtftP99Seconds = f.MsToS("metrics.time_to_first_token_ms.successful.percentiles.p99"),
            TpotMeanSeconds = f.MsToS("metrics.inter_token_latency_ms.successful.mean"),
            TpotMedianSeconds = f.MsToS("metrics.inter_token_latency_ms.successful.median"),
            TpotP99Seconds = f.MsToS("metrics.inter_token_latency_ms.successful.percentiles.p99"),
            CompletedRequests = completed,
            FailedRequests = errored,
            Source = ctx.Source(loc, index),
        };

        if (ctx.Options.KeepRequestSamples && (b.Path("requests.successful") ?? b.Get("requests")) is { ValueKind: JsonValueKind.Array } reqs)
        {
            var ttft = new List<double>();
            var tpot = new List<double>();
            foreach (var req in reqs.EnumerateArray())
            {
                if (req.Get("time_to_first_token_ms").RawNumber() is double t && double.IsFinite(t) && t >= 0)
                {
                    ttft.Add(t / 1000);
                }

                if (req.Get("inter_token_latency_ms").RawNumber() is double it && double.IsFinite(it) && it > 0)
                {
                    tpot.Add(it / 1000);
                }
            }

            if (ttft.Count > 0)
            {
                ttft.Sort();
                tpot.Sort();
                p = p with { Samples = new RequestSamples([.. ttft], [.. tpot]) };
                if (completed is long c && ttft.Count < c)
                {
                    f.Warnings.Add($"the report lists {ttft.Count} of {c} successful requests (a sample); the TTFT/TPOT samples have that size");
                }
            }
        }

        ctx.Add(p with { Warnings = f.Warnings });
    }

    private static long? Count(JsonElement? e) =>
        e.RawNumber() is double d && double.IsFinite(d) && d >= 0 ? (long)Math.Round(d) : null;
}
