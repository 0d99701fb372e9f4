using System.Text;
using System.Text.Json;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>Machine-readable exports of a Monte Carlo run: summary.json, percentiles.csv, trials.csv.</summary>
public static class RunExport
{
    /// <summary>
    /// summary.json: run settings, timings, flat statistics (npv_usd.p10 …) and the same keys as display strings
    /// (<see cref="KpiFormat"/>), confidence intervals, null reasons, gates, provenance.
    /// </summary>
    public static string SummaryJson(SimulationResult r, string configFile, IReadOnlyList<GateResult> gates, TimeSpan wholeRun) => Fmt.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "monte_carlo");
        w.WriteNumber("schema_version", ConfigSchema.SchemaVersion);
        w.WriteString("risksim_version", Provenance.Version);
        w.WriteString("config_sha256", r.Spec.ConfigHash);
        w.WriteString("name", r.Spec.Name);
        w.WriteNumber("seed", r.Options.Seed);
        w.WriteNumber("trials", r.Trials);
        w.WriteNumber("trials_requested", r.Options.Trials);
        w.WriteBoolean("partial", r.Partial);
        w.WriteString("sampling", r.Options.Sampling == SamplingMethod.LatinHypercube ? "lhs" : "mc");
        w.WriteNumber("block_size", SimulationSettings.BlockSize);
        w.WriteNumber("vector_width", System.Numerics.Vector<double>.Count);
        w.WriteNumber("threads", r.Options.Threads);
        // The timings the console and the report name the same way: simulation, aggregation, whole run.
        w.WriteNumber("simulation_s", Math.Round(r.SimulationTime.TotalSeconds, 3));
        w.WriteNumber("aggregation_s", Math.Round(r.AggregationTime.TotalSeconds, 3));
        w.WriteNumber("whole_run_s", Math.Round(wholeRun.TotalSeconds, 3));
        w.WriteString("timings", "simulation_s: sampling and the model; aggregation_s: the statistics; whole_run_s: wall time from the start of the run to its results written, reports and charts included");
        w.WriteString("percentile_method", r.PercentileMethod);
        ShardingExport.Write(w, r);
        w.WriteString("percentile_convention", ChartCaptions.PercentileConvention + " Pxx is the order statistic of rank ceil(xx/100 × trials); trials where a KPI does not exist rank as its worst outcome.");
        WriteStatistics(w, r.Statistics);
        WriteDisplay(w, r.Statistics);
        w.WriteStartObject("confidence_intervals_95");
        foreach (var s in r.Statistics)
        {
            foreach (var p in s.Percentiles)
            {
                w.WriteStartArray($"{s.Kpi.Key}.p{p.P * 100:0}");
                WriteNullable(w, p.CiLow);
                WriteNullable(w, p.CiHigh);
                w.WriteEndArray();
            }

            if (s.Mean is { } m && s.StandardError is { } se)
            {
                w.WriteStartArray($"{s.Kpi.Key}.mean");
                w.WriteNumberValue(m - 1.96 * se);
                w.WriteNumberValue(m + 1.96 * se);
                w.WriteEndArray();
            }
        }

        w.WriteEndObject();
        w.WriteStartObject("null_reasons");
        foreach (var s in r.Statistics.Where(s => s.Nulls > 0))
        {
            w.WriteString(s.Kpi.Key, $"{s.NullReason}: {s.Nulls} of {s.Trials} trials ({s.NullShare:P2})");
        }

        w.WriteEndObject();
        w.WriteStartObject("units");
        foreach (var s in r.Statistics)
        {
            w.WriteString(s.Kpi.Key, s.Kpi.Unit);
        }

        w.WriteEndObject();
        w.WriteStartArray("gates");
        foreach (var g in gates)
        {
            w.WriteStartObject();
            w.WriteString("metric", g.Gate.Metric);
            w.WriteString("text", g.Gate.Text);
            w.WriteString("op", g.Gate.Op == GateOp.GreaterOrEqual ? ">=" : "<=");
            w.WriteNumber("threshold", g.Gate.Threshold);
            Fmt.NumberOrNull(w, "actual", g.Actual);
            w.WriteString("actual_display", KpiFormat.GateActual(g, r));
            w.WriteBoolean("passed", g.Passed);
            w.WriteString("label", g.Gate.Label);
            w.WriteString("explanation", g.Explanation);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteBoolean("all_gates_passed", gates.All(g => g.Passed));
        if (r.RepairDistance is { } d)
        {
            w.WriteString("correlation_repair", $"the correlation matrix was not positive semi-definite and was repaired to the nearest correlation matrix (Frobenius distance {d:G4})");
        }

        Provenance.Write(w, r.Spec, configFile);
        w.WriteEndObject();
    });

    /// <summary>comparison.json: the trial-by-trial difference challenger − baseline under common random numbers.</summary>
    /// <summary>index.json of the side-by-side folder: the configs it shows and the folder of each one's results.</summary>
    public static string SideBySideIndex(IReadOnlyList<(string Name, string Folder)> configs) => Fmt.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "side_by_side");
        w.WriteStartArray("configs");
        foreach (var (name, folder) in configs)
        {
            w.WriteStartObject();
            w.WriteString("name", name);
            w.WriteString("folder", folder);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    /// <summary>A comparison of decisions as JSON (comparison.json).</summary>
    public static string ComparisonJson(Comparison c) => Fmt.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "comparison");
        w.WriteString("baseline", c.Baseline);
        w.WriteString("challenger", c.Challenger);
        w.WriteString("difference", "challenger − baseline, trial by trial");
        w.WriteStartArray("common_random_numbers");
        foreach (var s in c.SharedInputs)
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
        WriteStatistics(w, c.Statistics);
        w.WriteStartObject("prob_challenger_better");
        foreach (var (k, v) in c.ProbChallengerBetter.OrderBy(x => x.Key, StringComparer.Ordinal))
        {
            w.WriteNumber(k, v);
        }

        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>The statistics of one KPI in summary order, with summary names.</summary>
    public static IEnumerable<(string Name, double? Value)> Flat(KpiStatistics s)
    {
        yield return ("mean", s.Mean);
        yield return ("sd", s.Sd);
        yield return ("se_mean", s.StandardError);
        foreach (var p in s.Percentiles)
        {
            yield return ($"p{p.P * 100:0}", p.Value);
        }

        yield return ("min", s.Min);
        yield return ("max", s.Max);
        yield return ("es10", s.ExpectedShortfall10);
        yield return ("prob_negative", s.ProbNegative);
        yield return ("null_share", s.NullShare);
        foreach (var (m, v) in s.ProbWithin)
        {
            yield return ($"prob_within_{m}", v);
        }
    }

    /// <summary>percentiles.csv: kpi, statistic, value, 95 % CI, unit, null reason.</summary>
    public static string PercentilesCsv(SimulationResult r)
    {
        var sb = new StringBuilder("kpi,statistic,value,ci95_low,ci95_high,unit,null_reason\n");
        foreach (var s in r.Statistics)
        {
            foreach (var p in s.Percentiles)
            {
                sb.Append(s.Kpi.Key).Append(",p").Append((p.P * 100).ToString("0", Fmt.Inv)).Append(',')
                  .Append(p.Value is { } v ? Fmt.Raw(v) : "").Append(',').Append(p.CiLow is { } lo ? Fmt.Raw(lo) : "").Append(',')
                  .Append(p.CiHigh is { } hi ? Fmt.Raw(hi) : "").Append(',').Append(Fmt.Csv(s.Kpi.Unit)).Append(',').Append(Fmt.Csv(p.NullReason ?? "")).Append('\n');
            }

            foreach (var (name, value) in Flat(s).Where(f => !f.Name.StartsWith('p') || f.Name.StartsWith("prob", StringComparison.Ordinal)))
            {
                sb.Append(s.Kpi.Key).Append(',').Append(name).Append(',').Append(value is { } v ? Fmt.Raw(v) : "").Append(",,,").Append(Fmt.Csv(s.Kpi.Unit)).Append(",\n");
            }
        }

        return sb.ToString();
    }

    /// <summary>Writes per-trial KPIs as CSV (empty cell = KPI does not exist).</summary>
    public static void TrialsCsv(SimulationResult r, TextWriter w)
    {
        RequireAllTrials(r);
        w.Write("trial");
        foreach (var k in TrialKpis.All.Take(r.Kpis.Length))
        {
            w.Write(',');
            w.Write(k.Key);
        }

        w.Write('\n');
        for (long i = 0; i < r.Trials; i++)
        {
            w.Write(i.ToString(Fmt.Inv));
            for (int k = 0; k < r.Kpis.Length; k++)
            {
                w.Write(',');
                w.Write(Fmt.Raw(r.Kpis[k][i]));
            }

            w.Write('\n');
        }
    }

    /// <summary>Writes per-trial KPIs as little-endian float64, trial-major, 8 columns in <see cref="TrialKpis"/> order (9 with IRR); NaN = does not exist.</summary>
    public static void TrialsBinary(SimulationResult r, Stream s)
    {
        RequireAllTrials(r);
        using var bw = new BinaryWriter(s, Encoding.UTF8, leaveOpen: true);
        for (long i = 0; i < r.Trials; i++)
        {
            for (int k = 0; k < r.Kpis.Length; k++)
            {
                bw.Write(r.Kpis[k][i]);
            }
        }
    }

    private static void RequireAllTrials(SimulationResult r)
    {
        if (r.KeptTrials < r.Trials)
        {
            throw new ArgumentException($"a two-pass run keeps the KPIs of its first {r.KeptTrials:N0} trials only, not all {r.Trials:N0}", nameof(r));
        }
    }

    /// <summary>The flat "statistics" object: one key per KPI statistic, null where it does not exist.</summary>
    private static void WriteStatistics(Utf8JsonWriter w, IEnumerable<KpiStatistics> statistics)
    {
        w.WriteStartObject("statistics");
        foreach (var s in statistics)
        {
            foreach (var (name, value) in Flat(s))
            {
                Fmt.NumberOrNull(w, $"{s.Kpi.Key}.{name}", value);
            }
        }

        w.WriteEndObject();
    }

    /// <summary>
    /// The "display" object: the "statistics" keys as the console and the report show them (<see cref="KpiFormat"/>:
    /// one format per KPI; "never" for a payback percentile not within the horizon, "n/a" where a KPI does not exist).
    /// </summary>
    private static void WriteDisplay(Utf8JsonWriter w, IEnumerable<KpiStatistics> statistics)
    {
        w.WriteStartObject("display");
        foreach (var s in statistics)
        {
            foreach (var p in s.Percentiles)
            {
                w.WriteString($"{s.Kpi.Key}.p{p.P * 100:0}", KpiFormat.Percentile(p, s));
            }

            foreach (var (name, value) in Flat(s).Where(f => !f.Name.StartsWith('p') || f.Name.StartsWith("prob", StringComparison.Ordinal)))
            {
                w.WriteString($"{s.Kpi.Key}.{name}", KpiFormat.Metric(name, value, s.Kpi.Unit));
            }
        }

        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, double? v)
    {
        if (v is { } x && double.IsFinite(x))
        {
            w.WriteNumberValue(x);
        }
        else
        {
            w.WriteNullValue();
        }
    }
}
