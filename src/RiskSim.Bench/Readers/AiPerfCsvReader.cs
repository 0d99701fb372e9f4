using System.Text;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// AIPerf <c>profile_export_aiperf.csv</c> (and GenAI-Perf's <c>profile_export_genai_perf.csv</c>, same layout): blocks
/// separated by blank lines — <c>Metric,avg,min,max,…,p50,…,p99,std</c> rows labelled "Time to First Token (ms)", then
/// <c>Metric,Value</c> rows ("Output Token Throughput (tokens/sec)", "Request Count", "Benchmark Duration (sec)"), then
/// GPU telemetry rows (<c>Endpoint,GPU_Index,…,Metric,avg,…</c> in AIPerf, <c>Metric,GPU,avg,…</c> in GenAI-Perf).
/// </summary>
/// <remarks>
/// The CSV carries no model and no concurrency, and rounds to 2 decimals; the JSON export beside it is exact.
/// </remarks>
internal sealed class AiPerfCsvReader : BenchReader
{
    public override string Format => BenchmarkFormats.AiPerfCsv;

    public override string Tool => BenchmarkTools.AiPerf;

    public override string LooksFor => "a CSV whose first row is Metric,avg,min,max,… with rows such as 'Time to First Token (ms)'";

    public override bool Detect(Probe p) =>
        !p.IsJson && p.TextLines.Count > 0 && p.TextLines[0].Replace("\"", string.Empty, StringComparison.Ordinal).StartsWith("Metric,avg,min,max", StringComparison.OrdinalIgnoreCase);

    public override void Read(ReadContext ctx)
    {
        var records = Csv.Parse(Encoding.UTF8.GetString(ctx.File.Bytes));
        var stats = new Dictionary<string, (string Unit, Dictionary<string, double?> Values)>(StringComparer.OrdinalIgnoreCase);
        var scalars = new Dictionary<string, (string Unit, double? Value)>(StringComparer.OrdinalIgnoreCase);
        var power = new Dictionary<string, double>(StringComparer.Ordinal);
        var warnings = new List<string>();
        string[]? header = null;
        bool genAiPerf = false;
        foreach (var r in records)
        {
            if (r.Fields.Length == 0)
            {
                header = null;
                continue;
            }

            if (header is null)
            {
                header = r.Fields;
                continue;
            }

            if (header.Length >= 2 && header[0] == "Metric" && header[1] == "Value")
            {
                var (name, unit) = Label(r.Fields[0]);
                scalars[name] = (unit, r.Fields.Length > 1 ? Number(r.Fields[1], r, warnings) : null);
                genAiPerf |= name == "request throughput" && unit == "per sec";
            }
            else if (header[0] == "Metric" && header.Length > 1 && header[1] == "avg")
            {
                var (name, unit) = Label(r.Fields[0]);
                var values = new Dictionary<string, double?>(StringComparer.OrdinalIgnoreCase);
                for (int i = 1; i < header.Length && i < r.Fields.Length; i++)
                {
                    values[header[i]] = Number(r.Fields[i], r, warnings);
                }

                stats[name] = (unit, values);
            }
            else
            {
                // Telemetry: the metric label is in the "Metric" column, the GPU in GPU_Index / GPU.
                int m = Array.IndexOf(header, "Metric");
                int g = Array.IndexOf(header, "GPU_Index") is int gi && gi >= 0 ? gi : Array.IndexOf(header, "GPU");
                int e = Array.IndexOf(header, "Endpoint");
                int a = Array.IndexOf(header, "avg");
                if (m >= 0 && g >= 0 && a >= 0 && r.Fields.Length > Math.Max(m, a) && Label(r.Fields[m]) is ("gpu power usage", "W"))
                {
                    string gpu = (e >= 0 && e < r.Fields.Length ? r.Fields[e] + "/" : string.Empty) + r.Fields[g];
                    if (Number(r.Fields[a], r, warnings) is double w)
                    {
                        power[gpu] = w;
                    }
                }
            }
        }

        double? S(string name, string stat = "avg")
        {
            if (!stats.TryGetValue(name, out var s) || !s.Values.TryGetValue(stat, out var v) || v is not double d)
            {
                return null;
            }

            return s.Unit switch { "ms" => d / 1e3, "ns" => d / 1e9, "us" => d / 1e6, _ => d };
        }

        double? V(string name) => scalars.TryGetValue(name, out var s) ? s.Value : S(name);

        long? completed = V("request count") is double rc ? (long)Math.Round(rc) : null;
        double? duration = V("benchmark duration");
        double? rps = completed is long c && duration is double d && d > 0 ? c / d : V("request throughput");
        var p = new BenchmarkPoint
        {
            Tool = genAiPerf ? BenchmarkTools.GenAiPerf : Tool,
            MeanInputTokens = S("input sequence length"),
            MeanOutputTokens = S("output sequence length"),
            DurationSeconds = duration,
            TotalTokensPerSecond = V("total token throughput"),
            OutputTokensPerSecond = V("output token throughput"),
            RequestsPerSecond = rps,
            GoodputRequestsPerSecond = V("request goodput") ?? V("goodput"),
            MeasuredConcurrency = S("effective concurrency"),
            TtftMeanSeconds = S("time to first token"),
            TtftMedianSeconds = S("time to first token", "p50"),
            TtftP99Seconds = S("time to first token", "p99"),
            TpotMeanSeconds = S("inter token latency"),
            TpotMedianSeconds = S("inter token latency", "p50"),
            TpotP99Seconds = S("inter token latency", "p99"),
            ItlMedianSeconds = S("inter chunk latency", "p50"),
            ItlP99Seconds = S("inter chunk latency", "p99"),
            CompletedRequests = completed,
            FailedRequests = V("error request count") is double ec ? (long)Math.Round(ec) : null,
            GpuCount = power.Count > 0 ? power.Count : null,
            GpuCountSource = power.Count > 0 ? GpuCountSource.File : GpuCountSource.Unknown,
            Source = ctx.Source("whole file", 0),
        };
        if (power.Count > 0 && p.OutputTokensPerSecond is double tps && tps > 0)
        {
            double w = power.Values.Sum();
            p = p with
            {
                AveragePowerWatts = w,
                JoulesPerOutputToken = w / tps,
                EnergyBoundary = $"GPU board power from GPU telemetry (DCGM/NVML), {power.Count} GPU(s); host, network and cooling excluded",
            };
        }

        warnings.Add("the CSV export rounds to 2 decimals and has no model or concurrency; the JSON export of the same run is exact" +
            (completed is not null && duration is not null ? " (requests/s here = Request Count / Benchmark Duration)" : string.Empty));
        ctx.Add(p with { Warnings = warnings });
    }

    /// <summary>"Time to First Token (ms)" → ("time to first token", "ms"): the last parenthesised group is the unit.</summary>
    internal static (string Name, string Unit) Label(string label)
    {
        string l = label.Trim();
        if (l.EndsWith(')') && l.LastIndexOf(" (", StringComparison.Ordinal) is int open && open > 0)
        {
            return (l[..open].Trim().ToLowerInvariant(), l[(open + 2)..^1]);
        }

        return (l.ToLowerInvariant(), string.Empty);
    }

    private static double? Number(string s, CsvRecord r, List<string> warnings)
    {
        if (JsonExt.ParseNumber(s) is not double d)
        {
            return null;
        }

        if (!double.IsFinite(d))
        {
            warnings.Add($"line {r.Line}: '{s}' is not a finite number; left empty");
            return null;
        }

        return d;
    }
}
