using System.Text;
using System.Text.Json;

namespace RiskSim.Bench;

/// <summary>
/// The import as JSON: <c>{"points": [...], "diagnostics": [...]}</c>, one object per point with the CSV's column
/// names (numbers as numbers, absent figures as null, never NaN), its warnings and its source.
/// </summary>
public static class BenchmarkJson
{
    public static string Write(ImportResult result)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteStartArray("points");
            foreach (var p in result.Points)
            {
                WritePoint(w, p);
            }

            w.WriteEndArray();
            w.WriteStartArray("diagnostics");
            foreach (var d in result.Diagnostics)
            {
                w.WriteStartObject();
                w.WriteString("severity", d.Severity.ToString().ToLowerInvariant());
                w.WriteString("path", d.Path);
                w.WriteString("locator", d.Locator);
                w.WriteString("message", d.Message);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }

    private static void WritePoint(Utf8JsonWriter w, BenchmarkPoint p)
    {
        w.WriteStartObject();
        w.WriteString("tool", p.Tool);
        w.WriteString("tool_version", p.ToolVersion);
        w.WriteString("backend", p.Backend);
        w.WriteString("model", p.Model);
        w.WriteString("hardware", p.Hardware);
        w.WriteString("precision", p.Precision);
        w.WriteString("scenario", p.Scenario);
        Num(w, "gpu_count", p.GpuCount);
        w.WriteString("gpu_count_source", p.GpuCount is null ? null : p.GpuCountSource.ToString().ToLowerInvariant());
        Num(w, "concurrency", p.Concurrency);
        Num(w, "measured_concurrency", p.MeasuredConcurrency);
        Num(w, "request_rate_per_s", p.RequestRatePerSecond);
        w.WriteBoolean("request_rate_unbounded", p.RequestRateUnbounded);
        Num(w, "mean_input_tokens", p.MeanInputTokens);
        Num(w, "mean_output_tokens", p.MeanOutputTokens);
        Num(w, "duration_s", p.DurationSeconds);
        Num(w, "total_tokens_per_s", p.TotalTokensPerSecond);
        Num(w, "output_tokens_per_s", p.OutputTokensPerSecond);
        Num(w, "requests_per_s", p.RequestsPerSecond);
        Num(w, "goodput_requests_per_s", p.GoodputRequestsPerSecond);
        Num(w, "ttft_mean_s", p.TtftMeanSeconds);
        Num(w, "ttft_median_s", p.TtftMedianSeconds);
        Num(w, "ttft_p99_s", p.TtftP99Seconds);
        Num(w, "tpot_mean_s", p.TpotMeanSeconds);
        Num(w, "tpot_median_s", p.TpotMedianSeconds);
        Num(w, "tpot_p99_s", p.TpotP99Seconds);
        Num(w, "itl_median_s", p.ItlMedianSeconds);
        Num(w, "itl_p99_s", p.ItlP99Seconds);
        Num(w, "tokens_per_s_per_user", p.TokensPerSecondPerUser);
        w.WriteString("tokens_per_s_per_user_basis", p.TokensPerSecondPerUserBasis);
        Num(w, "completed_requests", p.CompletedRequests);
        Num(w, "failed_requests", p.FailedRequests);
        Num(w, "joules_per_output_token", p.JoulesPerOutputToken);
        Num(w, "average_power_w", p.AveragePowerWatts);
        w.WriteString("energy_boundary", p.EnergyBoundary);
        Num(w, "output_tokens_per_s_per_gpu", p.OutputTokensPerSecondPerGpu);
        Num(w, "total_tokens_per_s_per_gpu", p.TotalTokensPerSecondPerGpu);
        if (p.Samples is { } s)
        {
            Num(w, "request_samples", s.Count);
        }

        w.WriteStartObject("source");
        w.WriteString("path", p.Source.Path);
        w.WriteString("sha256", p.Source.Sha256);
        w.WriteString("locator", p.Source.Locator);
        w.WriteString("format", p.Source.Format);
        w.WriteString("origin", p.Source.Origin);
        w.WriteEndObject();
        w.WriteStartArray("warnings");
        foreach (var x in p.Warnings)
        {
            w.WriteStringValue(x);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Num(Utf8JsonWriter w, string name, double? v)
    {
        if (v is double d && double.IsFinite(d))
        {
            w.WriteNumber(name, d);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Num(Utf8JsonWriter w, string name, long? v)
    {
        if (v is long l)
        {
            w.WriteNumber(name, l);
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
