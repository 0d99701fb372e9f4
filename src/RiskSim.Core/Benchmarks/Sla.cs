using System.Collections.Immutable;
using System.Globalization;
using System.Text.RegularExpressions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Benchmarks;

/// <summary>
/// A metric an SLA can constrain. Interactivity is a floor (higher is better); every latency is a ceiling.
/// </summary>
/// <param name="Key">Name used in SLA strings and in reports, with its unit as suffix (e.g. <c>ttft_p99_s</c>).</param>
/// <param name="Unit">Unit of the values, e.g. "s", "ms", "tok/s/user".</param>
/// <param name="HigherIsBetter">True for a floor (<c>&gt;=</c>), false for a ceiling (<c>&lt;=</c>).</param>
/// <param name="Description">What it means, for help texts.</param>
public sealed record SlaMetric(string Key, string Unit, bool HigherIsBetter, string Description)
{
    /// <summary>The interactivity metric: output tokens per second seen by one user, 1000 / median TPOT in ms.</summary>
    public const string TokensPerSPerUser = "tokens_per_s_per_user";

    /// <summary>Every metric an SLA may name, in help order.</summary>
    public static readonly ImmutableArray<SlaMetric> All =
    [
        new(TokensPerSPerUser, "tok/s/user", true, "interactivity: 1000 / median time per output token (ms)"),
        new("ttft_p50_s", "s", false, "median time to first token"),
        new("ttft_p99_s", "s", false, "99th-percentile time to first token"),
        new("tpot_p50_ms", "ms", false, "median time per output token (after the first)"),
        new("tpot_p99_ms", "ms", false, "99th-percentile time per output token"),
        new("itl_p50_ms", "ms", false, "median inter-token latency (gap between streamed chunks)"),
        new("itl_p99_ms", "ms", false, "99th-percentile inter-token latency"),
    ];

    /// <summary>Metric by key.</summary>
    public static readonly ImmutableDictionary<string, SlaMetric> ByKey = All.ToImmutableDictionary(m => m.Key, StringComparer.Ordinal);
}

/// <summary>One SLA constraint: a metric against a limit, in the metric's direction.</summary>
public sealed record SlaConstraint(SlaMetric Metric, double Limit)
{
    /// <summary>"&gt;=" for a floor, "&lt;=" for a ceiling.</summary>
    public string Op => Metric.HigherIsBetter ? ">=" : "<=";

    /// <summary>The constraint as written, e.g. "ttft_p99_s&lt;=5".</summary>
    public string Text => $"{Metric.Key}{Op}{Limit.ToString("G10", CultureInfo.InvariantCulture)}";

    /// <summary>True when <paramref name="value"/> meets the constraint (within a relative 1e-9, so a point interpolated onto the limit counts).</summary>
    public bool IsMet(double value) => Metric.HigherIsBetter
        ? value >= Limit - (Math.Abs(Limit) * 1e-9)
        : value <= Limit + (Math.Abs(Limit) * 1e-9);

    /// <summary>By how much <paramref name="value"/> misses, as a fraction of the limit (0 when met).</summary>
    public double RelativeMiss(double value)
    {
        double miss = Metric.HigherIsBetter ? Limit - value : value - Limit;
        if (miss <= 0 || IsMet(value))
        {
            return 0;
        }

        return Limit != 0 ? miss / Math.Abs(Limit) : double.MaxValue;
    }
}

/// <summary>
/// A service-level agreement the operating point must meet, e.g.
/// <c>tokens_per_s_per_user&gt;=30,ttft_p50_s&lt;=2,ttft_p99_s&lt;=5</c>. Immutable.
/// </summary>
public sealed partial record Sla(ImmutableArray<SlaConstraint> Constraints)
{
    /// <summary>The example shown in help texts and errors.</summary>
    public const string Example = "tokens_per_s_per_user>=30,ttft_p50_s<=2,ttft_p99_s<=5";

    /// <summary>The SLA as written, constraints joined by commas.</summary>
    public string Text => string.Join(",", Constraints.Select(c => c.Text));

    /// <summary>The interactivity floor, when the SLA has one.</summary>
    public double? MinTokensPerSPerUser => Constraints.FirstOrDefault(c => c.Metric.Key == SlaMetric.TokensPerSPerUser)?.Limit;

    /// <summary>Every metric name with its unit and direction, for error messages.</summary>
    public static string Allowed => string.Join(", ", SlaMetric.All.Select(m => $"{m.Key}{(m.HigherIsBetter ? ">=" : "<=")}N ({m.Unit})"));

    /// <summary>Parses "metric&gt;=N,metric&lt;=N,…" (commas or semicolons; ≥ and ≤ accepted).</summary>
    /// <returns>The SLA, or null and every error found.</returns>
    public static (Sla? Sla, ImmutableArray<string> Errors) TryParse(string? text) => TryParse(text is null ? [] : (IEnumerable<string>)[text]);

    /// <summary>Parses constraints given as several strings (each may hold several, comma-separated).</summary>
    public static (Sla? Sla, ImmutableArray<string> Errors) TryParse(IEnumerable<string> parts)
    {
        var errors = new List<string>();
        var constraints = new List<SlaConstraint>();
        foreach (string raw in parts.SelectMany(p => p.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var m = ConstraintPattern().Match(raw);
            if (!m.Success)
            {
                errors.Add($"'{raw}' is not a constraint: write metric>=N or metric<=N, e.g. {Example}");
                continue;
            }

            string key = m.Groups["metric"].Value.ToLowerInvariant();
            string op = m.Groups["op"].Value is "≥" ? ">=" : m.Groups["op"].Value is "≤" ? "<=" : m.Groups["op"].Value;
            if (!SlaMetric.ByKey.TryGetValue(key, out var metric))
            {
                errors.Add($"'{raw}': unknown metric '{key}'; allowed: {Allowed}");
                continue;
            }

            if (!double.TryParse(m.Groups["value"].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out double limit) || !double.IsFinite(limit) || limit < 0)
            {
                errors.Add($"'{raw}': the limit must be a finite number ≥ 0 (got {m.Groups["value"].Value})");
                continue;
            }

            if ((op == ">=") != metric.HigherIsBetter)
            {
                errors.Add(metric.HigherIsBetter
                    ? $"'{raw}': {key} is a floor (more is better): write {key}>={m.Groups["value"].Value}"
                    : $"'{raw}': {key} is a latency ceiling (less is better): write {key}<={m.Groups["value"].Value}");
                continue;
            }

            if (metric.HigherIsBetter && limit == 0)
            {
                errors.Add($"'{raw}': a floor of 0 constrains nothing; give a positive {key}");
                continue;
            }

            if (constraints.Any(c => c.Metric.Key == key))
            {
                errors.Add($"'{raw}': {key} is constrained twice; give it once");
                continue;
            }

            constraints.Add(new SlaConstraint(metric, limit));
        }

        if (errors.Count == 0 && constraints.Count == 0)
        {
            errors.Add($"the SLA is empty: give at least one constraint, e.g. {Example}");
        }

        return errors.Count > 0 ? (null, [.. errors]) : (new Sla([.. constraints]), []);
    }

    [GeneratedRegex(@"^(?<metric>[A-Za-z][A-Za-z0-9_.]*)\s*(?<op>>=|<=|≥|≤)\s*(?<value>\S+)$")]
    private static partial Regex ConstraintPattern();
}
