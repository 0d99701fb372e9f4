using System.Collections.Immutable;
using System.Globalization;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Benchmarks;

/// <summary>The operating point picked on a frontier, and why it is there.</summary>
/// <param name="Point">The chosen point (measured, or interpolated between <paramref name="From"/> and <paramref name="To"/>).</param>
/// <param name="Interpolated">True when the point lies strictly between two measured frontier points.</param>
/// <param name="From">The frontier point on the high-throughput side of the segment (null for a measured choice).</param>
/// <param name="To">The frontier point on the high-interactivity side (null for a measured choice).</param>
/// <param name="Weight">Share of the way from <paramref name="From"/> to <paramref name="To"/>, in (0, 1); 0 for a measured choice.</param>
/// <param name="Binding">The SLA constraints that stop the point moving to more throughput (empty: none binds).</param>
/// <param name="BindingText">The same in a sentence.</param>
/// <param name="MeasuredIndex">Index of the chosen point among the inputs, when it is a measured one.</param>
public sealed record FrontierChoice(
    FrontierPoint Point,
    bool Interpolated,
    FrontierPoint? From,
    FrontierPoint? To,
    double Weight,
    ImmutableArray<SlaConstraint> Binding,
    string BindingText,
    int? MeasuredIndex);

/// <summary>How one constraint misses at a point.</summary>
/// <param name="Constraint">The constraint missed.</param>
/// <param name="Value">The point's value, or null when the metric was not measured there.</param>
/// <param name="RelativeMiss">Miss as a fraction of the limit; +∞ when not measured.</param>
public sealed record ConstraintMiss(SlaConstraint Constraint, double? Value, double RelativeMiss);

/// <summary>No point meets the SLA: the closest measured point and how it misses.</summary>
public sealed record SlaMiss(FrontierPoint Closest, ImmutableArray<ConstraintMiss> Misses, string Text);

/// <summary>The frontier of a set of measured points and the SLA choice on it.</summary>
/// <param name="Sla">The SLA the choice was made for.</param>
/// <param name="Points">Every measured point, in input order.</param>
/// <param name="FrontierIndices">Indices into <paramref name="Points"/> of the Pareto frontier, by increasing interactivity.</param>
/// <param name="MeetsSla">Per point: true when it meets every constraint.</param>
/// <param name="Choice">The chosen point, or null when none meets the SLA.</param>
/// <param name="Miss">When no point meets the SLA: the closest point and its misses.</param>
public sealed record FrontierResult(
    Sla Sla,
    ImmutableArray<FrontierPoint> Points,
    ImmutableArray<int> FrontierIndices,
    ImmutableArray<bool> MeetsSla,
    FrontierChoice? Choice,
    SlaMiss? Miss)
{
    /// <summary>The frontier points by increasing interactivity (decreasing throughput per GPU).</summary>
    public ImmutableArray<FrontierPoint> FrontierPoints => [.. FrontierIndices.Select(i => Points[i])];
}

/// <summary>
/// The Pareto frontier of output tokens/s per GPU against tokens/s per user, and the point on it that meets an
/// SLA with the highest throughput per GPU. Pure and deterministic.
/// </summary>
/// <remarks>
/// <para>
/// <b>Frontier.</b> A point is on the frontier when no other point has at least its interactivity and at least
/// its throughput, one of them strictly more (ties: the first in input order stays).
/// </para>
/// <para>
/// <b>Interpolation.</b> Between two adjacent frontier points A (more throughput) and B (more interactivity), the
/// point at weight t ∈ [0, 1] is linear in (tok/s per user, tok/s per GPU): x = xA + t(xB − xA),
/// y = yA + t(yB − yA); every other measured figure (TTFT, TPOT, ITL, tokens per request, J/token) is
/// interpolated with the same t, and each SLA constraint is checked on the interpolated values. A latency not
/// measured at both ends makes the segment unusable for a constraint on it. Nothing is extrapolated: t never
/// leaves [0, 1], so no point lies beyond the measured ones.
/// </para>
/// <para>
/// <b>Choice.</b> Among the measured points that meet every constraint and the feasible points of each frontier
/// segment, the one with the highest throughput per GPU (on a tie a measured point wins). On a segment the
/// feasible weights form an interval (each constraint is linear in t), and throughput falls with t, so the best
/// feasible point is the interval's lower end; the constraint that sets that end is the one that binds.
/// </para>
/// </remarks>
public static class Frontier
{
    private const double Eps = 1e-12;

    /// <summary>Weights within 0.01 % of 0 or 1 are the measured end itself (no "interpolated 100 % of the way" points).</summary>
    public const double SnapWeight = 1e-4;

    /// <summary>Indices of the Pareto-frontier points, by increasing interactivity.</summary>
    public static ImmutableArray<int> ParetoIndices(IReadOnlyList<FrontierPoint> points)
    {
        ArgumentNullException.ThrowIfNull(points);
        Validate(points);

        // Walk from most to least interactive (ties: more throughput first, then input order); a point joins the
        // frontier when it has strictly more throughput than every more-interactive point seen so far.
        var order = Enumerable.Range(0, points.Count)
            .OrderByDescending(i => points[i].TokensPerSPerUser)
            .ThenByDescending(i => points[i].OutputTokensPerSPerGpu)
            .ThenBy(i => i)
            .ToList();
        var frontier = new List<int>();
        double best = double.NegativeInfinity;
        foreach (int i in order)
        {
            if (points[i].OutputTokensPerSPerGpu > best)
            {
                frontier.Add(i);
                best = points[i].OutputTokensPerSPerGpu;
            }
        }

        frontier.Reverse();
        return [.. frontier];
    }

    /// <summary>The point at weight <paramref name="t"/> ∈ [0, 1] from <paramref name="a"/> to <paramref name="b"/> (see the class remarks).</summary>
    public static FrontierPoint Interpolate(FrontierPoint a, FrontierPoint b, double t)
    {
        if (!(t >= 0 && t <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(t), t, "the weight must be in [0, 1]: the frontier is never extrapolated");
        }

        static double L(double u, double v, double t) => u + (t * (v - u));
        static double? Ln(double? u, double? v, double t) => u is { } x && v is { } y ? L(x, y, t) : null;
        var metrics = a.Metrics.Keys.Intersect(b.Metrics.Keys)
            .ToImmutableDictionary(k => k, k => L(a.Metrics[k], b.Metrics[k], t));
        string pct = (t * 100).ToString("0.#", CultureInfo.InvariantCulture);
        return new FrontierPoint($"{pct} % of the way from {a.Name} to {b.Name}", L(a.TokensPerSPerUser, b.TokensPerSPerUser, t), L(a.OutputTokensPerSPerGpu, b.OutputTokensPerSPerGpu, t))
        {
            Label = "interpolated",
            Metrics = metrics,
            InputTokensPerRequest = Ln(a.InputTokensPerRequest, b.InputTokensPerRequest, t),
            OutputTokensPerRequest = Ln(a.OutputTokensPerRequest, b.OutputTokensPerRequest, t),
            JoulesPerOutputToken = a.EnergyBoundary == b.EnergyBoundary ? Ln(a.JoulesPerOutputToken, b.JoulesPerOutputToken, t) : null,
            EnergyBoundary = a.EnergyBoundary == b.EnergyBoundary ? a.EnergyBoundary : null,
            Sources = [.. a.Sources.IsDefault ? [] : a.Sources, .. b.Sources.IsDefault ? [] : b.Sources],
            LatencySampleSize = a.LatencySampleSize is { } na && b.LatencySampleSize is { } nb ? Math.Min(na, nb) : null,
        };
    }

    /// <summary>True when every constraint is met at the point (a metric it did not measure fails).</summary>
    public static bool Meets(FrontierPoint p, Sla sla) =>
        sla.Constraints.All(c => p.Value(c.Metric.Key) is { } v && c.IsMet(v));

    /// <summary>The frontier and the SLA choice on it (see the class remarks).</summary>
    public static FrontierResult Select(IReadOnlyList<FrontierPoint> points, Sla sla)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(sla);
        if (points.Count == 0)
        {
            throw new ArgumentException("no points to build a frontier from", nameof(points));
        }

        var frontier = ParetoIndices(points);
        var meets = points.Select(p => Meets(p, sla)).ToImmutableArray();

        // Best measured point that meets the SLA (ties: input order).
        int bestMeasured = -1;
        for (int i = 0; i < points.Count; i++)
        {
            if (meets[i] && (bestMeasured < 0 || points[i].OutputTokensPerSPerGpu > points[bestMeasured].OutputTokensPerSPerGpu))
            {
                bestMeasured = i;
            }
        }

        // Best strictly interior feasible point of each frontier segment.
        (int Seg, double T, ImmutableArray<SlaConstraint> Binding, double Y)? bestInterior = null;
        for (int k = 0; k + 1 < frontier.Length; k++)
        {
            var a = points[frontier[k]];
            var b = points[frontier[k + 1]];
            var (lo, hi, loBinding) = FeasibleInterval(a, b, sla.Constraints);
            if (lo > hi || lo <= SnapWeight || lo >= 1 - SnapWeight)
            {
                continue; // empty, or its best end is a measured point (already a candidate when it meets the SLA)
            }

            double y = a.OutputTokensPerSPerGpu + (lo * (b.OutputTokensPerSPerGpu - a.OutputTokensPerSPerGpu));
            if (bestInterior is null || y > bestInterior.Value.Y)
            {
                bestInterior = (k, lo, loBinding, y);
            }
        }

        var pts = points.ToImmutableArray();
        bool interiorWins = bestInterior is { } bi && (bestMeasured < 0 || bi.Y > points[bestMeasured].OutputTokensPerSPerGpu * (1 + 1e-12));
        if (interiorWins)
        {
            var (seg, t, binding, _) = bestInterior!.Value;
            var a = points[frontier[seg]];
            var b = points[frontier[seg + 1]];
            var p = Interpolate(a, b, t);
            string text = $"{Join(binding)} bind{(binding.Length == 1 ? "s" : "")}: the frontier meets {(binding.Length == 1 ? "it" : "them")} exactly {p.Id} (linear in tok/s per user and tok/s per GPU); any point with more throughput per GPU breaks {(binding.Length == 1 ? "it" : "them")}";
            return new FrontierResult(sla, pts, frontier, meets, new FrontierChoice(p, true, a, b, t, binding, text, null), null);
        }

        if (bestMeasured >= 0)
        {
            var (binding, text) = MeasuredBinding(points, frontier, meets, bestMeasured, sla);
            return new FrontierResult(sla, pts, frontier, meets, new FrontierChoice(points[bestMeasured], false, null, null, 0, binding, text, bestMeasured), null);
        }

        return new FrontierResult(sla, pts, frontier, meets, null, Closest(points, sla));
    }

    /// <summary>
    /// The weights t ∈ [0, 1] on the segment a → b where every constraint holds: [lo, hi] (empty when lo &gt; hi),
    /// and the constraints that set lo.
    /// </summary>
    internal static (double Lo, double Hi, ImmutableArray<SlaConstraint> LoBinding) FeasibleInterval(FrontierPoint a, FrontierPoint b, ImmutableArray<SlaConstraint> constraints)
    {
        double lo = 0;
        double hi = 1;
        var loBinding = new List<SlaConstraint>();
        foreach (var c in constraints)
        {
            var (cLo, cHi) = ConstraintInterval(a, b, c);
            if (cLo > cHi)
            {
                return (1, 0, []);
            }

            if (cLo > lo + Eps)
            {
                lo = cLo;
                loBinding.Clear();
                loBinding.Add(c);
            }
            else if (cLo > Eps && Math.Abs(cLo - lo) <= Eps)
            {
                loBinding.Add(c);
            }

            hi = Math.Min(hi, cHi);
        }

        return (lo, hi, [.. loBinding]);
    }

    /// <summary>The weights on a → b where one constraint holds, as [lo, hi] (lo &gt; hi when none, or when the metric is missing at an end).</summary>
    private static (double Lo, double Hi) ConstraintInterval(FrontierPoint a, FrontierPoint b, SlaConstraint c)
    {
        if (a.Value(c.Metric.Key) is not { } va || b.Value(c.Metric.Key) is not { } vb)
        {
            return (1, 0);
        }

        bool okA = c.IsMet(va);
        bool okB = c.IsMet(vb);
        if (okA && okB)
        {
            return (0, 1); // linear between two values that meet it
        }

        if (!okA && !okB)
        {
            return (1, 0);
        }

        double tStar = Math.Clamp((c.Limit - va) / (vb - va), 0, 1);
        return okB ? (tStar, 1) : (0, tStar);
    }

    private static (ImmutableArray<SlaConstraint> Binding, string Text) MeasuredBinding(IReadOnlyList<FrontierPoint> points, ImmutableArray<int> frontier, ImmutableArray<bool> meets, int chosen, Sla sla)
    {
        var c = points[chosen];
        bool anyMore = points.Any(p => p.OutputTokensPerSPerGpu > c.OutputTokensPerSPerGpu);
        if (!anyMore)
        {
            return ([], "no SLA constraint binds: this is the highest throughput per GPU measured, and the frontier is not extrapolated beyond it (a sweep to higher load might find more)");
        }

        int k = frontier.IndexOf(chosen);
        if (k > 0)
        {
            // On the frontier: which constraints stop it moving toward its higher-throughput neighbour?
            var n = points[frontier[k - 1]];
            var binding = new List<SlaConstraint>();
            var missing = new List<SlaConstraint>();
            foreach (var con in sla.Constraints)
            {
                if (n.Value(con.Metric.Key) is null)
                {
                    missing.Add(con);
                    continue;
                }

                var (lo, hi) = ConstraintInterval(n, c, con);
                if (lo > hi || lo >= 1 - SnapWeight)
                {
                    binding.Add(con);
                }
            }

            if (binding.Count > 0)
            {
                return ([.. binding], $"{Join(binding)} bind{(binding.Count == 1 ? "s" : "")} at this measured point: along the frontier toward {n.Name} ({Values(n, binding)}) {(binding.Count == 1 ? "it breaks" : "they break")} at once");
            }

            return ([.. missing], $"the frontier cannot be followed toward {n.Name}, which has more throughput: {string.Join(", ", missing.Select(m => m.Metric.Key))} {(missing.Count == 1 ? "is" : "are")} not measured there, so {Join(missing)} cannot be checked");
        }

        // Not on the frontier: every point that dominates it fails the SLA.
        var failed = points.Select((p, i) => (p, i))
            .Where(x => x.i != chosen && !meets[x.i] && x.p.OutputTokensPerSPerGpu > c.OutputTokensPerSPerGpu)
            .SelectMany(x => sla.Constraints.Where(con => !(x.p.Value(con.Metric.Key) is { } v && con.IsMet(v))))
            .Distinct()
            .ToList();
        return ([.. failed], $"{Join(failed)} bind{(failed.Count == 1 ? "s" : "")}: every measured point with more throughput per GPU breaks {(failed.Count == 1 ? "it" : "one of them")}, and no frontier segment beyond this point meets the SLA");
    }

    private static SlaMiss Closest(IReadOnlyList<FrontierPoint> points, Sla sla)
    {
        var scored = points.Select((p, i) =>
        {
            var misses = sla.Constraints
                .Select(c => p.Value(c.Metric.Key) is { } v ? new ConstraintMiss(c, v, c.RelativeMiss(v)) : new ConstraintMiss(c, null, double.PositiveInfinity))
                .Where(m => m.RelativeMiss > 0)
                .ToImmutableArray();
            return (Point: p, Index: i, Misses: misses, Score: misses.Max(m => m.RelativeMiss));
        }).ToList();
        var best = scored
            .OrderBy(s => s.Score)
            .ThenByDescending(s => s.Point.OutputTokensPerSPerGpu)
            .ThenBy(s => s.Index)
            .First();
        string what = string.Join("; ", best.Misses.Select(m => m.Value is { } v
            ? $"{m.Constraint.Metric.Key} {Num(v)} {m.Constraint.Metric.Unit}, {(m.RelativeMiss * 100).ToString("0.#", CultureInfo.InvariantCulture)} % {(m.Constraint.Metric.HigherIsBetter ? "below the floor" : "above the limit")} {Num(m.Constraint.Limit)}"
            : $"{m.Constraint.Metric.Key} not measured"));
        var unmeasured = sla.Constraints.Where(c => points.All(p => p.Value(c.Metric.Key) is null)).ToList();
        string sample = best.Point.LatencySampleSize is { } n ? $" (latency percentiles from {n:#,0} requests)" : "";
        string text = $"no measured point meets the SLA {sla.Text}, and none between them on the frontier; the closest is {best.Point.Name} at {Num(best.Point.OutputTokensPerSPerGpu)} output tok/s per GPU and {Num(best.Point.TokensPerSPerUser)} tok/s per user{sample}: {what}"
            + (unmeasured.Count > 0 ? $". No point measures {string.Join(", ", unmeasured.Select(c => c.Metric.Key))}: drop {(unmeasured.Count == 1 ? "that constraint" : "those constraints")} or use files that record {(unmeasured.Count == 1 ? "it" : "them")}" : "");
        return new SlaMiss(best.Point, best.Misses, text);
    }

    private static void Validate(IReadOnlyList<FrontierPoint> points)
    {
        foreach (var p in points)
        {
            if (!(double.IsFinite(p.TokensPerSPerUser) && p.TokensPerSPerUser > 0 && double.IsFinite(p.OutputTokensPerSPerGpu) && p.OutputTokensPerSPerGpu > 0))
            {
                throw new ArgumentException($"{p.Name}: tok/s per user ({p.TokensPerSPerUser}) and output tok/s per GPU ({p.OutputTokensPerSPerGpu}) must be finite and positive", nameof(points));
            }
        }
    }

    private static string Values(FrontierPoint p, IEnumerable<SlaConstraint> cs) =>
        string.Join(", ", cs.Select(c => $"{c.Metric.Key} {Num(p.Value(c.Metric.Key) ?? double.NaN)} {c.Metric.Unit}"));

    private static string Join(IReadOnlyCollection<SlaConstraint> cs) => string.Join(" and ", cs.Select(c => c.Text));

    /// <summary>Four significant digits, invariant culture, thousands separators for large values.</summary>
    internal static string Num(double v) =>
        !double.IsFinite(v) ? "n/a" : Math.Abs(v) >= 1000 ? v.ToString("#,0", CultureInfo.InvariantCulture) : v.ToString("G4", CultureInfo.InvariantCulture);
}
