using System.Collections.Immutable;
using System.Globalization;
using RiskSim.Core.Benchmarks;

namespace RiskSim.Bench;

/// <summary>Keys that split benchmark points into separate frontiers (<c>--group-by</c>).</summary>
public static class FrontierGroupKeys
{
    public const string Hardware = "hardware";
    public const string Model = "model";
    public const string Tool = "tool";
    public const string Precision = "precision";
    public const string Gpus = "gpus";
    public const string Workload = "workload";

    /// <summary>Every key, in help order.</summary>
    public static IReadOnlyList<string> All { get; } = [Hardware, Model, Tool, Precision, Gpus, Workload];
}

/// <summary>A text filter on points: each given value must occur (case-insensitive) in the point's field.</summary>
/// <param name="Hardware">Text the hardware must contain, or null.</param>
/// <param name="Model">Text the model must contain, or null.</param>
/// <param name="Tool">Text the tool must contain, or null.</param>
public sealed record BenchmarkFilter(string? Hardware = null, string? Model = null, string? Tool = null)
{
    /// <summary>True when no value is given.</summary>
    public bool IsEmpty => Hardware is null && Model is null && Tool is null;

    /// <summary>True when the point passes.</summary>
    public bool Matches(BenchmarkPoint p) =>
        Has(p.Hardware, Hardware) && Has(p.Model, Model) && Has(p.Tool, Tool);

    /// <summary>The filter in words, e.g. "model contains 'gpt-oss'".</summary>
    public string Text => string.Join(", ", new[] { ("hardware", Hardware), ("model", Model), ("tool", Tool) }.Where(x => x.Item2 is not null).Select(x => $"{x.Item1} contains '{x.Item2}'"));

    private static bool Has(string? value, string? wanted) =>
        wanted is null || (value ?? "").Contains(wanted, StringComparison.OrdinalIgnoreCase);
}

/// <summary>One frontier: the points of one group, merged by repeated runs, and the SLA choice on them.</summary>
/// <param name="Group">What the group's points share, e.g. "model gpt-oss-120b, hardware mi355x".</param>
/// <param name="Result">The frontier and choice (its points are <see cref="Members"/>'s merged points, in the same order).</param>
/// <param name="Members">For each frontier point, the benchmark points (runs) it merges.</param>
/// <param name="Warnings">Mixed profiles, dropped points, partial failures … for the report.</param>
public sealed record BenchmarkFrontierGroup(string Group, FrontierResult Result, ImmutableArray<ImmutableArray<BenchmarkPoint>> Members, ImmutableArray<string> Warnings);

/// <summary>The frontiers of a set of benchmark points, or the reason there are none.</summary>
/// <param name="Groups">One frontier per group (one when not grouped).</param>
/// <param name="Errors">Why no frontier could be built (mixed models or hardware, no usable point …); empty when fine.</param>
public sealed record BenchmarkFrontierSet(ImmutableArray<BenchmarkFrontierGroup> Groups, ImmutableArray<string> Errors);

/// <summary>
/// Turns normalized benchmark points into frontiers: filters them, splits them into groups, checks that one frontier
/// holds one model on one hardware, merges repeated runs of the same settings, and picks the SLA point.
/// Pure (no I/O); thread-safe.
/// </summary>
/// <remarks>
/// <para><b>Repeated runs.</b> Points of the same tool, model, hardware, precision, GPU count, concurrency, request rate and
/// scenario, whose mean input and output tokens per request agree within 5 %, are runs of the same settings. They become one
/// frontier point whose interactivity, throughput and latencies are the runs' means; each run's throughput is kept for the
/// measured spread.</para>
/// <para><b>Per-request files.</b> When a point carries per-request samples and lacks a latency percentile, it is computed from
/// the samples (linear interpolation between order statistics) and the sample size is stated.</para>
/// </remarks>
public static class BenchmarkFrontier
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Relative tolerance within which two runs' mean tokens per request count as the same profile.</summary>
    public const double SameProfileTolerance = 0.05;

    /// <summary>Relative spread of mean input or output tokens per request above which a frontier mixes request profiles.</summary>
    public const double MixedProfileTolerance = 0.25;

    /// <summary>Builds the frontiers.</summary>
    /// <param name="points">Imported points (every one must have per-GPU throughput; see <see cref="BenchmarkImportOptions.RequireGpuCount"/>).</param>
    /// <param name="sla">The SLA.</param>
    /// <param name="groupBy">Keys of <see cref="FrontierGroupKeys"/>; empty for one frontier.</param>
    /// <param name="filter">Points to keep, or null for all.</param>
    public static BenchmarkFrontierSet Build(IReadOnlyList<BenchmarkPoint> points, Sla sla, IReadOnlyList<string>? groupBy = null, BenchmarkFilter? filter = null)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(sla);
        groupBy ??= [];
        var errors = new List<string>();
        foreach (var k in groupBy.Where(k => !FrontierGroupKeys.All.Contains(k)))
        {
            errors.Add($"unknown group key '{k}'; allowed: {string.Join(", ", FrontierGroupKeys.All)}");
        }

        if (errors.Count > 0)
        {
            return new BenchmarkFrontierSet([], [.. errors]);
        }

        var kept = filter is null || filter.IsEmpty ? points.ToList() : points.Where(filter.Matches).ToList();
        if (kept.Count == 0)
        {
            string found = Describe(points, p => p.Model, "models") + "; " + Describe(points, p => p.Hardware, "hardware") + "; " + Describe(points, p => p.Tool, "tools");
            return new BenchmarkFrontierSet([], [points.Count == 0 ? "no benchmark points to build a frontier from" : $"no point passes the filter ({filter!.Text}); the files hold {found}"]);
        }

        var dropped = new List<string>();
        var usable = new List<BenchmarkPoint>();
        foreach (var p in kept)
        {
            if (p.OutputTokensPerSecondPerGpu is not { } y || !(y > 0) || !double.IsFinite(y))
            {
                dropped.Add($"{Where(p)}: no output tok/s per GPU ({(p.GpuCount is null ? "GPU count unknown" : "no output throughput in the file")})");
            }
            else if (p.TokensPerSecondPerUser is not { } x || !(x > 0) || !double.IsFinite(x))
            {
                dropped.Add($"{Where(p)}: no tok/s per user (the file gives no TPOT or per-user rate), so it cannot be placed on the frontier");
            }
            else
            {
                usable.Add(p);
            }
        }

        if (usable.Count == 0)
        {
            return new BenchmarkFrontierSet([], ["no point can be placed on a frontier: " + string.Join("; ", dropped)]);
        }

        // Split into groups; then every group must hold one model on one hardware.
        var workloads = WorkloadLabels(usable);
        var groups = usable
            .GroupBy(p => string.Join("\u0001", groupBy.Select(k => Key(p, k, workloads))), StringComparer.Ordinal)
            .ToList();
        var result = new List<BenchmarkFrontierGroup>();
        foreach (var g in groups)
        {
            var members = g.ToList();
            foreach (var (key, label) in new[] { (FrontierGroupKeys.Model, "models"), (FrontierGroupKeys.Hardware, "hardware") })
            {
                var values = members.Select(p => Key(p, key, workloads)).Distinct(StringComparer.Ordinal).ToList();
                if (values.Count > 1)
                {
                    errors.Add($"one frontier must hold one model on one hardware, but {(groupBy.Count > 0 ? $"the group {GroupName(members[0], groupBy, workloads)} holds" : "the points hold")} {values.Count} {label}: {string.Join(", ", values.Select(v => $"'{v}' ({members.Count(p => Key(p, key, workloads) == v)} points)"))}. Group them (--group-by hardware,model) or filter them");
                }
            }

            if (errors.Count > 0)
            {
                continue;
            }

            var warnings = new List<string>(dropped.Where(d => members.Any(m => d.StartsWith(Where(m), StringComparison.Ordinal))));
            warnings.AddRange(members.SelectMany(p => p.Warnings.Select(w => (Where: Where(p), Text: w)))
                .GroupBy(x => x.Text, StringComparer.Ordinal)
                .Select(g => g.Count() == 1 ? $"{g.First().Where}: {g.Key}" : $"{g.Count()} points ({g.First().Where} … {g.Last().Where}): {g.Key}"));
            warnings.AddRange(members.Where(p => p.FailedShare is > 0.01).Select(p => $"{Where(p)}: {p.FailedShare:P1} of requests failed"));
            warnings.AddRange(MixedProfiles(members));
            var merged = MergeRuns(members);
            bool gpusVary = members.Select(m => m.GpuCount).Distinct().Count() > 1;
            var frontierPoints = merged.Select(ToFrontierPoint)
                .Select((fp, i) => gpusVary ? fp with { Label = $"{merged[i][0].GpuCount} GPU{(merged[i][0].GpuCount == 1 ? "" : "s")}{(fp.Label.Length > 0 ? " " + fp.Label : "")}" } : fp)
                .ToList();
            var fr = Frontier.Select(frontierPoints, sla);
            result.Add(new BenchmarkFrontierGroup(GroupName(members[0], groupBy, workloads), fr, [.. merged.Select(m => m.ToImmutableArray())], [.. warnings.Distinct(StringComparer.Ordinal)]));
        }

        if (errors.Count > 0)
        {
            return new BenchmarkFrontierSet([], [.. errors.Distinct(StringComparer.Ordinal)]);
        }

        // Dropped points of no group still deserve a mention.
        if (result.Count > 0)
        {
            var mentioned = result.SelectMany(r => r.Warnings).ToHashSet(StringComparer.Ordinal);
            var rest = dropped.Where(d => !mentioned.Contains(d)).ToList();
            if (rest.Count > 0)
            {
                result[0] = result[0] with { Warnings = [.. result[0].Warnings, .. rest] };
            }
        }

        return new BenchmarkFrontierSet([.. result], []);
    }

    /// <summary>The frontier point of one or more runs of the same settings (see the class remarks).</summary>
    public static FrontierPoint ToFrontierPoint(IReadOnlyList<BenchmarkPoint> runs)
    {
        ArgumentNullException.ThrowIfNull(runs);
        if (runs.Count == 0)
        {
            throw new ArgumentException("at least one run", nameof(runs));
        }

        var first = runs[0];
        double? Mean(Func<BenchmarkPoint, double?> f)
        {
            var v = runs.Select(f).ToList();
            return v.All(x => x is { } d && double.IsFinite(d)) ? v.Average(x => x!.Value) : null;
        }

        var metrics = ImmutableDictionary.CreateBuilder<string, double>(StringComparer.Ordinal);
        void Add(string key, Func<BenchmarkPoint, double?> f, double scale)
        {
            if (Mean(f) is { } m)
            {
                metrics[key] = m * scale;
            }
        }

        Add("ttft_p50_s", p => p.TtftMedianSeconds ?? Sample(p, true, 0.5), 1);
        Add("ttft_p99_s", p => p.TtftP99Seconds ?? Sample(p, true, 0.99), 1);
        Add("tpot_p50_ms", p => p.TpotMedianSeconds ?? Sample(p, false, 0.5), 1000);
        Add("tpot_p99_ms", p => p.TpotP99Seconds ?? Sample(p, false, 0.99), 1000);
        Add("itl_p50_ms", p => p.ItlMedianSeconds, 1000);
        Add("itl_p99_ms", p => p.ItlP99Seconds, 1000);
        long? samples = runs.All(p => p.Samples is not null) ? runs.Sum(p => (long)p.Samples!.Count) : null;
        string id = runs.Count == 1 ? Where(first) : $"{Where(first)} and {runs.Count - 1} repeated run{(runs.Count > 2 ? "s" : "")}";
        bool sameBoundary = runs.All(p => p.EnergyBoundary == first.EnergyBoundary);
        return new FrontierPoint(id, Mean(p => p.TokensPerSecondPerUser)!.Value, Mean(p => p.OutputTokensPerSecondPerGpu)!.Value)
        {
            Label = Label(first),
            Metrics = metrics.ToImmutable(),
            InputTokensPerRequest = Mean(p => p.MeanInputTokens),
            OutputTokensPerRequest = Mean(p => p.MeanOutputTokens),
            JoulesPerOutputToken = sameBoundary ? Mean(p => p.JoulesPerOutputToken) : null,
            EnergyBoundary = sameBoundary ? first.EnergyBoundary : null,
            RunOutputTokensPerSPerGpu = [.. runs.Select(p => p.OutputTokensPerSecondPerGpu!.Value)],
            LatencySampleSize = samples,
            Sources = [.. runs.Select(p => new PointSource(p.Source.Path, p.Source.Locator, p.Source.Sha256, p.Source.Origin))],
        };
    }

    /// <summary>"file (locator)", or just the file when the point is the whole file.</summary>
    public static string Where(BenchmarkPoint p) =>
        string.IsNullOrEmpty(p.Source.Locator) || p.Source.Locator == "whole file" ? p.Source.Path : $"{p.Source.Path} {p.Source.Locator}";

    /// <summary>Short chart label: "c=64", "4 req/s", "rate ∞" or the scenario.</summary>
    public static string Label(BenchmarkPoint p) =>
        p.Concurrency is { } c ? $"c={c.ToString("0.##", Inv)}"
        : p.RequestRatePerSecond is { } r ? $"{r.ToString("0.##", Inv)} req/s"
        : p.RequestRateUnbounded ? "rate ∞"
        : p.Scenario ?? "";

    private static List<List<BenchmarkPoint>> MergeRuns(List<BenchmarkPoint> members)
    {
        var runs = new List<List<BenchmarkPoint>>();
        foreach (var p in members)
        {
            var same = runs.FirstOrDefault(g => SameSettings(g[0], p));
            if (same is null)
            {
                runs.Add([p]);
            }
            else
            {
                same.Add(p);
            }
        }

        return runs;
    }

    private static bool SameSettings(BenchmarkPoint a, BenchmarkPoint b) =>
        a.Tool == b.Tool && a.Model == b.Model && a.Hardware == b.Hardware && a.Precision == b.Precision && a.GpuCount == b.GpuCount
        && a.Concurrency == b.Concurrency && a.RequestRatePerSecond == b.RequestRatePerSecond && a.RequestRateUnbounded == b.RequestRateUnbounded
        && a.Scenario == b.Scenario && Close(a.MeanInputTokens, b.MeanInputTokens, SameProfileTolerance) && Close(a.MeanOutputTokens, b.MeanOutputTokens, SameProfileTolerance)
        && (a.Concurrency is not null || a.RequestRatePerSecond is not null || a.RequestRateUnbounded || a.Scenario is not null); // a point with no load setting is never a repeat

    private static bool Close(double? a, double? b, double tol) =>
        (a is null && b is null) || (a is { } x && b is { } y && Math.Abs(x - y) <= tol * Math.Max(Math.Abs(x), Math.Abs(y)));

    private static IEnumerable<string> MixedProfiles(List<BenchmarkPoint> members)
    {
        foreach (var (name, f) in new (string, Func<BenchmarkPoint, double?>)[] { ("input", p => p.MeanInputTokens), ("output", p => p.MeanOutputTokens) })
        {
            var v = members.Select(f).OfType<double>().ToList();
            if (v.Count > 1 && v.Max() > v.Min() * (1 + MixedProfileTolerance))
            {
                yield return $"the frontier mixes request profiles: mean {name} tokens per request range from {v.Min().ToString("0", Inv)} to {v.Max().ToString("0", Inv)}; points measured on different workloads are not one curve (group with --group-by workload, or give one workload's files)";
            }
        }
    }

    /// <summary>Workload labels: points whose mean input and output tokens agree within 15 % share one ("≈512 in / 512 out").</summary>
    private static Dictionary<BenchmarkPoint, string> WorkloadLabels(List<BenchmarkPoint> points)
    {
        var clusters = new List<(double In, double Out, List<BenchmarkPoint> Members)>();
        foreach (var p in points)
        {
            double i = p.MeanInputTokens ?? -1;
            double o = p.MeanOutputTokens ?? -1;
            int k = clusters.FindIndex(c => Near(c.In, i) && Near(c.Out, o));
            if (k < 0)
            {
                clusters.Add((i, o, [p]));
            }
            else
            {
                clusters[k].Members.Add(p);
            }
        }

        var labels = new Dictionary<BenchmarkPoint, string>(ReferenceEqualityComparer.Instance);
        foreach (var c in clusters)
        {
            string text = c.In < 0 && c.Out < 0 ? "(profile not recorded)"
                : $"≈{(c.Members.Average(m => m.MeanInputTokens ?? 0)).ToString("0", Inv)} in / {(c.Members.Average(m => m.MeanOutputTokens ?? 0)).ToString("0", Inv)} out";
            foreach (var m in c.Members)
            {
                labels[m] = text;
            }
        }

        return labels;

        static bool Near(double a, double b) => (a < 0 && b < 0) || (a >= 0 && b >= 0 && Math.Abs(a - b) <= 0.15 * Math.Max(a, b));
    }

    private static string Key(BenchmarkPoint p, string key, Dictionary<BenchmarkPoint, string> workloads) => key switch
    {
        FrontierGroupKeys.Hardware => p.Hardware ?? "not recorded",
        FrontierGroupKeys.Model => p.Model ?? "not recorded",
        FrontierGroupKeys.Tool => p.Tool,
        FrontierGroupKeys.Precision => p.Precision ?? "not recorded",
        FrontierGroupKeys.Gpus => p.GpuCount is { } n ? n.ToString(Inv) + " GPUs" : "(GPU count unknown)",
        _ => workloads.TryGetValue(p, out var w) ? w : "(profile not recorded)",
    };

    private static string GroupName(BenchmarkPoint p, IReadOnlyList<string> groupBy, Dictionary<BenchmarkPoint, string> workloads)
    {
        var keys = groupBy.Count > 0 ? groupBy : [FrontierGroupKeys.Model, FrontierGroupKeys.Hardware];
        return string.Join(", ", keys.Distinct().Select(k => $"{k} {Key(p, k, workloads)}"));
    }

    private static string Describe(IEnumerable<BenchmarkPoint> points, Func<BenchmarkPoint, string?> f, string what)
    {
        var v = points.Select(p => f(p) ?? "(not recorded)").Distinct(StringComparer.Ordinal).ToList();
        return $"{what} {string.Join(", ", v.Select(x => $"'{x}'"))}";
    }

    private static double? Sample(BenchmarkPoint p, bool ttft, double q)
    {
        var s = p.Samples is null ? null : ttft ? p.Samples.TtftSeconds : p.Samples.TpotSeconds;
        if (s is null || s.Length == 0)
        {
            return null;
        }

        double h = (s.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, s.Length - 1);
        return s[lo] + ((h - lo) * (s[hi] - s[lo]));
    }
}
