using System.Collections.Immutable;
using System.Runtime.Intrinsics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Statistics;

/// <summary>A statistic with its 95 % order-statistic confidence interval.</summary>
public sealed record Percentile(double P, double? Value, double? CiLow, double? CiHigh, string? NullReason);

/// <summary>
/// Summary of one KPI over all trials.
/// </summary>
/// <remarks>
/// Trials where the KPI does not exist (payback never within the horizon, no capex, …) count as the worst outcome for
/// percentiles: a percentile that lands among them
/// is null with a reason. Mean, sd, min, max and es10 are over the trials where the KPI exists; es10's sum is exact
/// (<see cref="ExactSum"/>), so it is the same however the trials were split.
/// </remarks>
public sealed record KpiStatistics(
    TrialKpi Kpi,
    long Trials,
    long Nulls,
    double? Mean,
    double? Sd,
    double? StandardError,
    double? Min,
    double? Max,
    ImmutableArray<Percentile> Percentiles,
    double? ExpectedShortfall10,
    double ProbNegative,
    ImmutableSortedDictionary<int, double> ProbWithin,
    string NullReason)
{
    /// <summary>The percentiles reported: P5, P10, P50, P90, P95.</summary>
    public static readonly ImmutableArray<double> Levels = [0.05, 0.10, 0.50, 0.90, 0.95];

    /// <summary>Percentile by level (0.1 = P10).</summary>
    public Percentile this[double p] => Percentiles.First(x => Math.Abs(x.P - p) < 1e-12);

    /// <summary>Share of trials where the KPI does not exist.</summary>
    public double NullShare => Trials == 0 ? 0 : (double)Nulls / Trials;

    /// <summary>A statistic by summary name (mean, sd, p10, es10, prob_negative, prob_within_24, null_share …).</summary>
    public double? Get(string stat) => stat switch
    {
        "mean" => Mean,
        "sd" => Sd,
        "min" => Min,
        "max" => Max,
        "es10" => ExpectedShortfall10,
        "prob_negative" => ProbNegative,
        "null_share" => NullShare,
        "p5" => this[0.05].Value,
        "p10" => this[0.10].Value,
        "p50" => this[0.50].Value,
        "p90" => this[0.90].Value,
        "p95" => this[0.95].Value,
        _ when stat.StartsWith("prob_within_", StringComparison.Ordinal) && int.TryParse(stat[12..], out int m) =>
            ProbWithin.TryGetValue(m, out double v) ? v : null,
        _ => null,
    };

    /// <summary>Computes the statistics of one KPI column; deterministic (sums run in fixed block order).</summary>
    public static KpiStatistics Compute(TrialKpi kpi, ReadOnlySpan<double> values, IReadOnlyList<int> withinMonths, string nullReason)
    {
        long n = values.Length;
        var thresholds = withinMonths.Select(m => (double)m).ToArray();
        // The histogram for the percentiles is counted in the moments pass (buckets from a small sample).
        var histogram = new KeyHistogram(KeyBuckets.FromSample(values, KeyBuckets.CountFor(n)));
        var pass = Moments(values, Shift(values), thresholds, histogram);
        long finite = pass.Count;
        var plan = RankPlan.For(kpi, n, finite);
        var sel = OrderStatistics.Select(values, histogram, plan.Wanted);
        double? es = null;
        if (plan.EsRank is { } esRank)
        {
            double threshold = plan.ValueAt(sel, esRank);
            var (esSum, below) = SumBeyond(values, threshold, plan.HigherBetter);
            es = ExpectedShortfall(plan, threshold, esSum, below);
        }

        return Build(kpi, n, pass, plan, sel, es, withinMonths, nullReason);
    }

    /// <summary>The finite ranks a KPI's statistics need: percentiles and their 95 % intervals (nulls at the worst end), and the ES10 threshold.</summary>
    internal sealed class RankPlan
    {
        private RankPlan(bool higherBetter, long nulls, long finite, List<(double P, long Rank, long Lo, long Hi)> levels, long[] wanted, long? esRank, long esCount)
        {
            HigherBetter = higherBetter;
            Nulls = nulls;
            Finite = finite;
            Levels = levels;
            Wanted = wanted;
            EsRank = esRank;
            EsCount = esCount;
        }

        public bool HigherBetter { get; }
        public long Nulls { get; }
        public long Finite { get; }
        public List<(double P, long Rank, long Lo, long Hi)> Levels { get; }

        /// <summary>Ranks among the finite values to select (in this order).</summary>
        public long[] Wanted { get; }

        /// <summary>Finite rank of the expected-shortfall threshold (one of <see cref="Wanted"/>), or null with no finite value.</summary>
        public long? EsRank { get; }

        /// <summary>Finite values in the worst 10 %.</summary>
        public long EsCount { get; }

        public static RankPlan For(TrialKpi kpi, long n, long finite)
        {
            long nulls = n - finite;
            bool higherBetter = kpi.Better == Better.Higher;
            var wanted = new List<long>();
            var plan = new List<(double P, long Rank, long Lo, long Hi)>();
            foreach (double p in KpiStatistics.Levels)
            {
                long r = OrderStatistics.RankOf(p, n);
                var (lo, hi) = OrderStatistics.ConfidenceRanks(p, n);
                plan.Add((p, r, lo, hi));
            }

            var result = new RankPlan(higherBetter, nulls, finite, plan, [], null, 0);
            foreach (var (_, r, lo, hi) in plan)
            {
                foreach (long x in new[] { r, lo, hi })
                {
                    if (!result.IsNull(x))
                    {
                        wanted.Add(result.ToFinite(x));
                    }
                }
            }

            // Expected shortfall: mean of the worst 10 % of finite values.
            long esCount = (long)Math.Ceiling(0.1 * finite);
            long? esRank = null;
            if (esCount > 0)
            {
                esRank = higherBetter ? esCount - 1 : finite - esCount;
                wanted.Add(esRank.Value);
            }

            return new RankPlan(higherBetter, nulls, finite, plan, [.. wanted], esRank, esCount);
        }

        public long ToFinite(long r) => HigherBetter ? r - Nulls : r; // nulls first (worst) when higher is better

        public bool IsNull(long r) => HigherBetter ? r < Nulls : r >= Finite;

        /// <summary>The selected value at a finite rank, from the values selected for <see cref="Wanted"/>.</summary>
        public double ValueAt(double[] selected, long finiteRank) => selected[Array.IndexOf(Wanted, finiteRank)];
    }

    internal static double ExpectedShortfall(RankPlan plan, double threshold, double esSum, long below)
    {
        double tieSum;
        tieSum = threshold * (plan.EsCount - below); // ties at the threshold fill the remainder
        return (esSum + tieSum) / plan.EsCount;
    }

    /// <summary>The statistics from the moments, the values selected for the plan's ranks and the expected shortfall.</summary>
    internal static KpiStatistics Build(TrialKpi kpi, long n, Pass pass, RankPlan plan, double[] sel, double? es, IReadOnlyList<int> withinMonths, string nullReason)
    {
        long finite = pass.Count;
        long nulls = n - finite;
        double? mean = finite > 0 ? pass.Shift + (pass.Sum / finite) : null;
        double min = pass.Min, max = pass.Max;
        long negative = pass.Negative;
        var within = pass.Within;
        double? sd = null, se = null;
        if (finite > 1)
        {
            // Shifted sums: Σ(x − c)² − (Σ(x − c))²/n, with c near the mean, keeps the digits.
            double ss = Math.Max(0, pass.SumSquares - (pass.Sum * pass.Sum / finite));
            sd = Math.Sqrt(ss / (finite - 1));
            se = sd / Math.Sqrt(finite);
        }

        var lookup = new Dictionary<long, double>();
        for (int i = 0; i < plan.Wanted.Length; i++)
        {
            lookup[plan.Wanted[i]] = sel[i];
        }

        double? At(long r) => plan.IsNull(r) ? null : lookup[plan.ToFinite(r)];
        var percentiles = plan.Levels.Select(x =>
        {
            double? v = At(x.Rank);
            return new Percentile(x.P, v, At(x.Lo), At(x.Hi), v is null ? $"{nullReason} in more than {(1 - x.P) * 100:0} % of trials" : null);
        }).ToImmutableArray();

        var probWithin = ImmutableSortedDictionary.CreateBuilder<int, double>();
        for (int k = 0; k < within.Length; k++)
        {
            probWithin[withinMonths[k]] = n == 0 ? 0 : (double)within[k] / n;
        }

        return new KpiStatistics(kpi, n, nulls, mean, sd, se, finite > 0 ? min : null, finite > 0 ? max : null, percentiles, es, n == 0 ? 0 : (double)negative / n, probWithin.ToImmutable(), nullReason);
    }

    /// <summary>Values counted in the histogram at a time during the moments pass (16 KiB: stays in L1); a multiple of every vector width.</summary>
    private const int HistogramSlice = 2048;

    internal readonly record struct Pass(long Count, double Shift, double Sum, double SumSquares, double Min, double Max, long Negative, long[] Within);

    /// <summary>A shift near the mean for the one-pass variance: the mean of the first block's finite values (0 if none).</summary>
    internal static double Shift(ReadOnlySpan<double> values)
    {
        double sum = 0;
        int count = 0;
        foreach (double v in values[..Math.Min(values.Length, BlockSampler.BlockSize)])
        {
            if (!double.IsNaN(v))
            {
                sum += v;
                count++;
            }
        }

        return count > 0 ? sum / count : 0;
    }

    /// <summary>
    /// Virtual lanes of the moment sums: within each block of <see cref="BlockSampler.BlockSize"/> values, the value at
    /// position j (from the block's start) is added to lane j mod 8, in position order, and the eight lane sums are then
    /// added in one fixed order (<see cref="ReduceLanes"/>).
    /// </summary>
    /// <remarks>
    /// So the sums do not depend on how many lanes the hardware's vectors have (8 with 512-bit vectors, 4 with 256,
    /// 2 with 128, or scalar code): every path adds the same numbers in the same order. A NaN adds nothing (a vector adds +0 to its lane, which leaves a sum that started at +0 as it is).
    /// </remarks>
    internal const int MomentLanes = 8;

    /// <summary>The eight lane sums added pairwise, halving: ((l0 + l4) + (l2 + l6)) + ((l1 + l5) + (l3 + l7)).</summary>
    internal static double ReduceLanes(ReadOnlySpan<double> l) => ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));

    /// <summary>
    /// One vectorized pass over the finite values: count, Σ (x − center) and Σ (x − center)² (in <see cref="MomentLanes"/>
    /// virtual lanes per block), min, max, count below 0, and counts ≤ each threshold.
    /// </summary>
    /// <remarks>
    /// Sums are taken per fixed block of trials and added in block order, so the result depends neither on how the run
    /// was threaded nor on the vector width.
    /// Each slice of <see cref="HistogramSlice"/> values is also counted in <paramref name="histogram"/>
    /// right after the moments, while it is still in the L1 cache.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static Pass Moments(ReadOnlySpan<double> values, double center, double[] thresholds, KeyHistogram? histogram)
    {
        int w = System.Numerics.Vector<double>.Count;
        bool vector = w is 2 or 4 or 8; // a whole number of vectors per 8 lanes (wider vectors would take the scalar loop)
        var c = new System.Numerics.Vector<double>(center);
        var zero = System.Numerics.Vector<double>.Zero;
        var vmin = new System.Numerics.Vector<double>(double.PositiveInfinity);
        var vmax = new System.Numerics.Vector<double>(double.NegativeInfinity);
        var vcount = System.Numerics.Vector<long>.Zero;
        var vneg = System.Numerics.Vector<long>.Zero;
        var vwithin = new System.Numerics.Vector<long>[thresholds.Length];
        var vth = thresholds.Select(t => new System.Numerics.Vector<double>(t)).ToArray();
        double total = 0, totalSq = 0, min = double.PositiveInfinity, max = double.NegativeInfinity;
        long count = 0, negative = 0;
        var within = new long[thresholds.Length];
        Span<double> sumLanes = stackalloc double[MomentLanes];
        Span<double> squareLanes = stackalloc double[MomentLanes];
        const int chunk = BlockSampler.BlockSize;
        for (int s = 0; s < values.Length; s += chunk)
        {
            var block = values.Slice(s, Math.Min(chunk, values.Length - s));

            // Lanes g·w … g·w + w − 1 of the eight are accumulator g's: one vector per 8 lanes with 512-bit vectors, two
            // with 256, four with 128. The accumulators rotate after each vector, so s0/q0 always take the next one; every
            // run of vectors covers whole groups of eight positions, so s0 holds lanes 0 … w − 1 again when it ends.
            System.Numerics.Vector<double> s0 = zero, s1 = zero, s2 = zero, s3 = zero, q0 = zero, q1 = zero, q2 = zero, q3 = zero;
            int i = 0;
            for (int sliceStart = 0; sliceStart < block.Length; sliceStart += HistogramSlice)
            {
                int sliceEnd = Math.Min(block.Length, sliceStart + HistogramSlice);
                int vectorEnd = vector ? sliceEnd & ~(MomentLanes - 1) : 0;
                for (; i < vectorEnd; i += w)
                {
                    var v = System.Numerics.Vector.LoadUnsafe(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(block), (nuint)i);
                    var ok = System.Numerics.Vector.Equals(v, v); // false for NaN
                    var d = (v - c) & System.Numerics.Vector.AsVectorDouble(ok); // the bits of ConditionalSelect(ok, v − c, 0), in one op
                    s0 += d;
                    q0 += d * d;
                    if (w == 4)
                    {
                        (s0, s1) = (s1, s0);
                        (q0, q1) = (q1, q0);
                    }
                    else if (w == 2)
                    {
                        (s0, s1, s2, s3) = (s1, s2, s3, s0);
                        (q0, q1, q2, q3) = (q1, q2, q3, q0);
                    }

                    vcount -= ok;
                    // A compare and a select, not MinNative/MaxNative: x64's minpd keeps the second operand for a NaN, ARM64's
                    // fmin returns the NaN. A NaN compares false and leaves the extreme as it is; so does a zero of the
                    // other sign (the sign of a zero extreme is settled below).
                    vmin = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThan(v, vmin), v, vmin);
                    vmax = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(v, vmax), v, vmax);
                    vneg -= System.Numerics.Vector.LessThan(v, zero);
                    for (int k = 0; k < vth.Length; k++)
                    {
                        vwithin[k] -= System.Numerics.Vector.LessThanOrEqual(v, vth[k]);
                    }
                }

                histogram?.Add(block[sliceStart..sliceEnd]);
            }

            if (vector)
            {
                s0.CopyTo(sumLanes);
                q0.CopyTo(squareLanes);
                if (w <= 4)
                {
                    s1.CopyTo(sumLanes[w..]);
                    q1.CopyTo(squareLanes[w..]);
                }

                if (w == 2)
                {
                    s2.CopyTo(sumLanes[4..]);
                    q2.CopyTo(squareLanes[4..]);
                    s3.CopyTo(sumLanes[6..]);
                    q3.CopyTo(squareLanes[6..]);
                }
            }
            else
            {
                sumLanes.Clear();
                squareLanes.Clear();
            }

            AddScalars(block, i, center, thresholds, sumLanes, squareLanes, ref count, ref min, ref max, ref negative, within);
            total += ReduceLanes(sumLanes);
            totalSq += ReduceLanes(squareLanes);
        }

        for (int k = 0; k < w; k++)
        {
            min = Math.Min(min, vmin[k]);
            max = Math.Max(max, vmax[k]);
        }

        for (int k = 0; k < within.Length; k++)
        {
            within[k] += System.Numerics.Vector.Sum(vwithin[k]);
        }

        return Finish(values, count + System.Numerics.Vector.Sum(vcount), center, total, totalSq, min, max, negative + System.Numerics.Vector.Sum(vneg), within);
    }

    /// <summary>
    /// <see cref="Moments"/> of one block (at most <see cref="BlockSampler.BlockSize"/> values, no histogram) from the
    /// lane sums that
    /// <see cref="KeyBuckets.AccumulateSplit(ReadOnlySpan{double}, Span{long}, ReadOnlySpan{byte}, Span{double}, ref int, Span{double}, ref int, double, out LaneMoments)"/>
    /// gathered in its loop, in the same <see cref="MomentLanes"/> virtual lanes: the same additions in the same order,
    /// so the same bits on every path.
    /// </summary>
    /// <remarks>
    /// The counts at or below the thresholds take one more (vector) look at the values.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static Pass FromLanes(in LaneMoments lanes, ReadOnlySpan<double> block, double center, double[] thresholds)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        long count = 0, negative = 0;
        var within = new long[thresholds.Length];
        Span<double> sumLanes = stackalloc double[MomentLanes];
        Span<double> squareLanes = stackalloc double[MomentLanes];
        lanes.Sum.CopyTo(sumLanes);
        lanes.SumHigh.CopyTo(sumLanes[4..]);
        lanes.Squares.CopyTo(squareLanes);
        lanes.SquaresHigh.CopyTo(squareLanes[4..]);
        AddScalars(block, lanes.End, center, thresholds, sumLanes, squareLanes, ref count, ref min, ref max, ref negative, within);
        double total = 0, totalSq = 0;
        total += ReduceLanes(sumLanes); // as Moments: 0 + the block's sum
        totalSq += ReduceLanes(squareLanes);
        for (int k = 0; k < 4; k++)
        {
            min = Math.Min(min, lanes.Min[k]);
            max = Math.Max(max, lanes.Max[k]);
        }

        var vector = block[..lanes.End];
        for (int k = 0; k < thresholds.Length; k += 4)
        {
            CountAtMost(vector, thresholds.AsSpan(k, Math.Min(4, thresholds.Length - k)), within.AsSpan(k));
        }

        return Finish(block, count + Vector256.Sum(lanes.Count), center, total, totalSq, min, max, negative + Vector256.Sum(lanes.Negative), within);
    }

    /// <summary>
    /// Adds to <paramref name="within"/>[k] the non-NaN values ≤ <paramref name="thresholds"/>[k], for up to four thresholds in
    /// one pass over the values (a payback KPI's "within N months" counts: one load per vector, not one per threshold).
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void CountAtMost(ReadOnlySpan<double> values, ReadOnlySpan<double> thresholds, Span<long> within)
    {
        int m = thresholds.Length; // 1 … 4; unused thresholds are NaN: every compare false
        var t0 = Vector256.Create(thresholds[0]);
        var t1 = Vector256.Create(m > 1 ? thresholds[1] : double.NaN);
        var t2 = Vector256.Create(m > 2 ? thresholds[2] : double.NaN);
        var t3 = Vector256.Create(m > 3 ? thresholds[3] : double.NaN);
        var n0 = Vector256<long>.Zero;
        var n1 = n0;
        var n2 = n0;
        var n3 = n0;
        ref double v0 = ref System.Runtime.InteropServices.MemoryMarshal.GetReference(values);
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            var v = Vector256.LoadUnsafe(ref v0, (nuint)i);
            n0 -= Vector256.LessThanOrEqual(v, t0).AsInt64();
            n1 -= Vector256.LessThanOrEqual(v, t1).AsInt64();
            n2 -= Vector256.LessThanOrEqual(v, t2).AsInt64();
            n3 -= Vector256.LessThanOrEqual(v, t3).AsInt64();
        }

        Span<long> counts = [Vector256.Sum(n0), Vector256.Sum(n1), Vector256.Sum(n2), Vector256.Sum(n3)];
        for (; i < values.Length; i++)
        {
            for (int k = 0; k < m; k++)
            {
                counts[k] += values[i] <= thresholds[k] ? 1 : 0;
            }
        }

        for (int k = 0; k < m; k++)
        {
            within[k] += counts[k];
        }
    }

    /// <summary>
    /// The moments' scalar part: the values of a block from position <paramref name="from"/> on, one by one in position
    /// order, each added to its virtual lane (position mod <see cref="MomentLanes"/>).
    /// </summary>
    private static void AddScalars(ReadOnlySpan<double> block, int from, double center, double[] thresholds, Span<double> sumLanes, Span<double> squareLanes, ref long count, ref double min, ref double max, ref long negative, long[] within)
    {
        for (int j = from; j < block.Length; j++)
        {
            double v = block[j];
            if (double.IsNaN(v))
            {
                continue;
            }

            double d = v - center;
            sumLanes[j % MomentLanes] += d;
            squareLanes[j % MomentLanes] += d * d;
            count++;
            min = Math.Min(min, v);
            max = Math.Max(max, v);
            negative += v < 0 ? 1 : 0;
            for (int k = 0; k < thresholds.Length; k++)
            {
                within[k] += v <= thresholds[k] ? 1 : 0;
            }
        }
    }

    /// <summary>
    /// The pass, with the sign of a zero extreme settled: the native min/max order −0 and +0 as equal, so when an
    /// extreme is zero its sign is that of IEEE min/max (−0 below +0) over the data, which needs one more look at the values.
    /// </summary>
    private static Pass Finish(ReadOnlySpan<double> values, long count, double center, double total, double totalSq, double min, double max, long negative, long[] within)
    {
        if (min == 0)
        {
            min = HasBits(values, NegativeZeroBits) ? -0.0 : 0.0;
        }

        if (max == 0)
        {
            max = HasBits(values, 0) ? 0.0 : -0.0;
        }

        return new Pass(count, center, total, totalSq, min, max, negative, within);
    }

    private const long NegativeZeroBits = long.MinValue;

    /// <summary>Whether any value has exactly these bits (to tell −0 from +0).</summary>
    private static bool HasBits(ReadOnlySpan<double> values, long bits) =>
        System.Runtime.InteropServices.MemoryMarshal.Cast<double, long>(values).IndexOf(bits) >= 0;

    /// <summary>The exact Σ (<see cref="ExactSum"/>) and count of the finite values strictly beyond a threshold (below it when higher is better).</summary>
    internal static (double Sum, long Count) SumBeyond(ReadOnlySpan<double> values, double threshold, bool below)
    {
        var sum = new ExactSum();
        AddBeyond(values, threshold, below, sum);
        return (sum.Value, sum.Count);
    }

    /// <summary>Adds the finite values strictly beyond a threshold (below it when higher is better) to an exact sum; vector compares, scalar adds.</summary>
    internal static void AddBeyond(ReadOnlySpan<double> values, double threshold, bool below, ExactSum sum)
    {
        int w = System.Numerics.Vector<double>.Count;
        var t = new System.Numerics.Vector<double>(threshold);
        int i = 0;
        for (; i + w <= values.Length; i += w)
        {
            var v = new System.Numerics.Vector<double>(values.Slice(i, w));
            var m = below ? System.Numerics.Vector.LessThan(v, t) : System.Numerics.Vector.GreaterThan(v, t); // false for NaN
            if (m != System.Numerics.Vector<long>.Zero)
            {
                for (int l = 0; l < w; l++)
                {
                    if (m[l] != 0)
                    {
                        sum.Add(v[l]);
                    }
                }
            }
        }

        for (; i < values.Length; i++)
        {
            double v = values[i];
            if (below ? v < threshold : v > threshold)
            {
                sum.Add(v);
            }
        }
    }
}
