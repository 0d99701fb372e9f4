using System.Text.Json;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// InferenceX (InferenceMAX) result rows (<c>agg_*.json</c>, one object; or an <c>agg_bmk.json</c> list), written by its
/// <c>utils/process_result.py</c> from a vLLM/SGLang result: <c>hw, conc, model, framework, precision, tp, ep,
/// dp_attention, isl, osl, tput_per_gpu, output_tput_per_gpu, input_tput_per_gpu</c> and every <c>*_ms</c> key of the
/// raw file in <b>seconds</b> without the suffix (<c>median_ttft</c>, <c>p99_tpot</c> …), plus <c>*_intvty</c>.
/// </summary>
/// <remarks>
/// GPUs: <c>tp</c> for an aggregated run (InferenceX divides by tp); <c>num_prefill_gpu + num_decode_gpu</c> for a
/// disaggregated one, where InferenceX's output_tput_per_gpu is per decode GPU — RiskSim's per-GPU figures are over all
/// the GPUs serving the point. Input/output tokens are the configured isl/osl.
/// (The raw multi-node <c>concurrency_*.json</c> files are vLLM results and read as vllm-json.)
/// </remarks>
internal sealed class InferenceXReader : BenchReader
{
    public override string Format => BenchmarkFormats.InferenceXRow;

    public override string Tool => BenchmarkTools.InferenceX;

    public override string LooksFor => "a JSON row (or list of rows) with tput_per_gpu / output_tput_per_gpu and conc or hw";

    public override bool Detect(Probe p) =>
        p.IsJson && p.HasAny("tput_per_gpu", "output_tput_per_gpu") && p.HasAny("conc", "hw", "tp");

    public override void Read(ReadContext ctx)
    {
        foreach (var v in ctx.Values)
        {
            if (v.Root.ValueKind == JsonValueKind.Array)
            {
                int i = 0;
                foreach (var e in v.Root.EnumerateArray())
                {
                    ReadRow(ctx, e, $"[{i}]", i);
                    i++;
                }
            }
            else
            {
                ReadRow(ctx, v.Root, ctx.ValueLocator(v), v.Index);
            }
        }
    }

    private void ReadRow(ReadContext ctx, JsonElement row, string loc, int index)
    {
        var f = new FieldReader(row);
        int? tp = Int(row.Get("tp"));
        int? prefill = Int(row.Get("num_prefill_gpu"));
        int? decode = Int(row.Get("num_decode_gpu"));
        bool disagg = row.Get("disagg").Bool() == true && prefill is not null && decode is not null;
        int? gpus = Int(row.Get("num_gpus")) ?? (disagg ? prefill + decode : tp);
        double? outPerGpu = f.Num("output_tput_per_gpu");
        double? totPerGpu = f.Num("tput_per_gpu");

        // Undo InferenceX's divisors to get system figures, then divide by every GPU of the point.
        double? outputTps = outPerGpu * (disagg ? decode : tp);
        double? totalTps = totPerGpu * tp;
        if (disagg)
        {
            f.Warnings.Add($"disaggregated: InferenceX's output_tput_per_gpu is per decode GPU ({decode}); RiskSim's per-GPU figures divide by all {gpus} GPUs ({prefill} prefill + {decode} decode)");
            outPerGpu = outputTps / gpus;
            totPerGpu = totalTps / gpus;
        }

        long? total = f.Count("num_requests_total");
        long? ok = f.Count("num_requests_successful");
        string? spec = f.Str("spec_decoding") ?? f.Str("mtp");
        var p = new BenchmarkPoint
        {
            Tool = Tool,
            Backend = f.Str("framework"),
            Model = f.Str("model"),
            Hardware = f.Str("hw"),
            Precision = f.Str("precision"),
            Scenario = f.Str("scenario_type") ?? (spec is not null && spec != "none" ? $"spec decoding {spec}" : null),
            GpuCount = gpus,
            GpuCountSource = gpus is null ? GpuCountSource.Unknown : GpuCountSource.File,
            Concurrency = f.Num("conc"),
            MeanInputTokens = f.Num("isl"),
            MeanOutputTokens = f.Num("osl"),
            OutputTokensPerSecond = outputTps,
            TotalTokensPerSecond = totalTps,
            OutputTokensPerSecondPerGpu = outPerGpu,
            TotalTokensPerSecondPerGpu = totPerGpu,
            TtftMeanSeconds = f.Num("mean_ttft"),
            TtftMedianSeconds = f.Num("median_ttft"),
            TtftP99Seconds = f.Num("p99_ttft"),
            TpotMeanSeconds = f.Num("mean_tpot"),
            TpotMedianSeconds = f.Num("median_tpot"),
            TpotP99Seconds = f.Num("p99_tpot"),
            ItlMedianSeconds = f.Num("median_itl"),
            ItlP99Seconds = f.Num("p99_itl"),
            TokensPerSecondPerUser = f.Num("median_intvty"),
            TokensPerSecondPerUserBasis = f.Num("median_intvty") is null ? null : "median_intvty",
            CompletedRequests = ok,
            FailedRequests = total is long t && ok is long o && t >= o ? t - o : null,
            Source = ctx.Source(loc, index),
        };
        ctx.Add(p with { Warnings = f.Warnings });
    }

    private static int? Int(JsonElement? e) =>
        e.RawNumber() is double d && double.IsFinite(d) && d >= 1 && d == Math.Floor(d) ? (int)d : null;
}
