using System.Collections.Immutable;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Benchmarks;

/// <summary>One measured row in a benchmark file.</summary>
/// <param name="File">The file as the user named it (relative to the config for configs).</param>
/// <param name="Row">Where in the file: e.g. "line 3", "benchmarks[2]", "(whole file)".</param>
/// <param name="Sha256">SHA-256 of the file's bytes, lower-case hex.</param>
/// <param name="Origin">Where the row itself came from, when the file says (RiskSim's CSV carries its source line and original file); else null.</param>
public sealed record PointSource(string File, string Row, string Sha256, string? Origin = null);

/// <summary>
/// One measured serving point as the frontier sees it: interactivity (x), output throughput per GPU (y) and
/// whatever latencies were measured.
/// </summary>
/// <remarks>
/// A point may stand for several repeated runs of the same settings; then
/// x, y and the metrics are the runs' means and <see cref="RunOutputTokensPerSPerGpu"/> holds each run's y.
/// Immutable; built by the benchmark readers (RiskSim.Bench), no I/O here.
/// </remarks>
/// <param name="Id">Where the point comes from, for reports: e.g. "concurrency_64.json" or "runs.jsonl line 3".</param>
/// <param name="TokensPerSPerUser">Interactivity, tok/s per user (1000 / median TPOT in ms); finite, &gt; 0.</param>
/// <param name="OutputTokensPerSPerGpu">Output tokens per second per GPU; finite, &gt; 0.</param>
public sealed record FrontierPoint(string Id, double TokensPerSPerUser, double OutputTokensPerSPerGpu)
{
    /// <summary>Short label for charts and tables, e.g. "c=64" or "4 req/s"; empty when none.</summary>
    public string Label { get; init; } = "";

    /// <summary>Measured SLA metrics by <see cref="SlaMetric.Key"/> (interactivity is <see cref="TokensPerSPerUser"/>, not in here).</summary>
    public ImmutableDictionary<string, double> Metrics { get; init; } = ImmutableDictionary<string, double>.Empty;

    /// <summary>Mean prompt tokens per request, when known.</summary>
    public double? InputTokensPerRequest { get; init; }

    /// <summary>Mean generated tokens per request, when known.</summary>
    public double? OutputTokensPerRequest { get; init; }

    /// <summary>Energy per output token (J) at <see cref="EnergyBoundary"/>, when measured.</summary>
    public double? JoulesPerOutputToken { get; init; }

    /// <summary>Where the energy was measured (e.g. "accelerator"), when it was.</summary>
    public string? EnergyBoundary { get; init; }

    /// <summary>Output tok/s per GPU of each repeated run of these settings (one entry for a single run).</summary>
    public ImmutableArray<double> RunOutputTokensPerSPerGpu { get; init; } = [];

    /// <summary>The measured rows behind the point: one per run (an interpolated point has its two ends' rows).</summary>
    public ImmutableArray<PointSource> Sources { get; init; } = [];

    /// <summary>Requests behind the latency percentiles when they were computed from per-request records; null when the tool reported them.</summary>
    public long? LatencySampleSize { get; init; }

    /// <summary>The value of an SLA metric at this point, or null when it was not measured.</summary>
    public double? Value(string metricKey) =>
        metricKey == SlaMetric.TokensPerSPerUser ? TokensPerSPerUser : Metrics.TryGetValue(metricKey, out double v) ? v : null;

    /// <summary>Id and label together, e.g. "concurrency_64.json (c=64)".</summary>
    public string Name => Label.Length > 0 ? $"{Id} ({Label})" : Id;

    /// <summary>Number of repeated runs behind the point (at least 1).</summary>
    public int Runs => Math.Max(1, RunOutputTokensPerSPerGpu.IsDefault ? 0 : RunOutputTokensPerSPerGpu.Length);
}
