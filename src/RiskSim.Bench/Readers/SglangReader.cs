using System.Text.Json;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// SGLang <c>python -m sglang.bench_serving</c> JSONL: one object per line, one line per run, appended.
/// </summary>
/// <remarks>
/// Old key sets (Dec 2024: median TTFT/ITL, output_throughput, no TPOT, no failure count) and current ones
/// (mean/median/p99
/// TTFT/TPOT/ITL, total_throughput, concurrency, server_info). <c>request_rate</c> is a bare <c>Infinity</c> for
/// "send all at once" (Python's float('inf')), or "trace". No GPU count in the file.
/// </remarks>
internal sealed class SglangReader : BenchReader
{
    public override string Format => BenchmarkFormats.SglangJsonl;

    public override string Tool => BenchmarkTools.Sglang;

    public override string LooksFor => "JSON lines with output_throughput and *_ttft_ms plus an SGLang key such as dataset_name, total_output_tokens_retokenized or *_e2e_latency_ms";

    public override bool Detect(Probe p) =>
        VllmReader.ServingShape(p)
        && (p.HasAny(VllmReader.SglangStrongMarkers) || (p.HasAny(VllmReader.SglangWeakMarkers) && !p.HasAny(VllmReader.VllmMarkers)));

    public override bool Resembles(Probe p) => new VllmReader().Resembles(p);

    public override void Read(ReadContext ctx)
    {
        foreach (var v in ctx.Values)
        {
            string loc = ctx.Values.Count > 1 ? $"line {v.Line}" : "whole file";
            if (v.Root.ValueKind != JsonValueKind.Object)
            {
                throw new BenchInputException(loc, $"expected one JSON object per line (an SGLang run), found {v.Root.ValueKind}");
            }

            var f = new FieldReader(v.Root);
            long? completed = f.Count("completed");
            double? duration = f.Num("duration");
            double? input = f.Num("total_input_tokens");
            double? output = f.Num("total_output_tokens");
            double? outTps = f.Num("output_throughput");
            double? totalTps = f.Num("total_throughput");
            if (totalTps is null && f.Num("input_throughput") is double inTps && outTps is double o)
            {
                totalTps = inTps + o;
            }

            if (totalTps is null && input is double ti && output is double to && duration is double d && d > 0)
            {
                totalTps = (ti + to) / d;
            }

            double? rps = f.Num("request_throughput");
            if (rps is null && completed is long c && duration is double d2 && d2 > 0)
            {
                rps = c / d2;
            }

            var (rate, unbounded) = VllmReader.RequestRate(f.Raw("request_rate"));
            var (gpus, gpuNote) = VllmReader.GpuCountFromMetadata(v.Root, ctx.File.Path);
            if (gpus is null && v.Root.Get("server_info") is JsonElement si)
            {
                (gpus, gpuNote) = ServerInfoGpus(si);
            }

            if (gpuNote is not null)
            {
                ctx.Note(DiagnosticSeverity.Info, loc, gpuNote);
            }

            var p = new BenchmarkPoint
            {
                Tool = Tool,
                ToolVersion = v.Root.Path("server_info.version").Str(),
                Backend = f.Str("backend"),
                Model = VllmReader.ModelName(f.Str("model_id") ?? f.Str("model") ?? v.Root.Path("server_info.model_path").Str() ?? f.Str("tokenizer")),
                Scenario = f.Str("tag"),
                GpuCount = gpus,
                GpuCountSource = gpus is null ? GpuCountSource.Unknown : GpuCountSource.File,
                Concurrency = f.Num("max_concurrency"),
                MeasuredConcurrency = f.Num("concurrency"),
                RequestRatePerSecond = rate,
                RequestRateUnbounded = unbounded,
                MeanInputTokens = VllmReader.PerRequest(input, completed),
                MeanOutputTokens = VllmReader.PerRequest(output, completed),
                DurationSeconds = duration,
                TotalTokensPerSecond = totalTps,
                OutputTokensPerSecond = outTps,
                RequestsPerSecond = rps,
                TtftMeanSeconds = f.MsToS("mean_ttft_ms"),
                TtftMedianSeconds = f.MsToS("median_ttft_ms"),
                TtftP99Seconds = f.MsToS("p99_ttft_ms"),
                TpotMeanSeconds = f.MsToS("mean_tpot_ms"),
                TpotMedianSeconds = f.MsToS("median_tpot_ms"),
                TpotP99Seconds = f.MsToS("p99_tpot_ms"),
                ItlMedianSeconds = f.MsToS("median_itl_ms"),
                ItlP99Seconds = f.MsToS("p99_itl_ms"),
                CompletedRequests = completed,
                Source = ctx.Source(loc, v.Index),
            };
            ctx.Add(p with { Warnings = f.Warnings });
        }
    }

    /// <summary>tp_size × dp_size (× pp_size) from SGLang's server_info (the server's arguments), when present.</summary>
    private static (int? Gpus, string? Note) ServerInfoGpus(JsonElement si)
    {
        if (si.Get("tp_size").RawNumber() is double tp && tp >= 1 && double.IsFinite(tp))
        {
            double dp = si.Get("dp_size").RawNumber() is double d && d >= 1 && double.IsFinite(d) ? d : 1;
            double pp = si.Get("pp_size").RawNumber() is double q && q >= 1 && double.IsFinite(q) ? q : 1;

            // With DP attention, dp_size splits the tp GPUs rather than multiplying them.
            bool dpAttention = si.Get("enable_dp_attention").Bool() == true;
            int n = (int)(tp * pp * (dpAttention ? 1 : dp));
            return (n, $"GPU count {n} from server_info (tp_size {tp}{(dpAttention ? ", DP attention inside the TP group" : $", dp_size {dp}")}, pp_size {pp})");
        }

        return (null, null);
    }
}
