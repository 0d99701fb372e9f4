using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Statistics;

/// <summary>
/// Exact order statistics of large arrays without a full sort: a histogram of the order-preserving
/// bit pattern finds the bucket of each wanted rank; only those buckets are gathered and selected.
/// Two passes over the data; exact (not an approximation). NaN values are excluded and counted.
/// </summary>
internal static class OrderStatistics
{
    /// <summary>Order-preserving map from double to ulong (−0 and +0 adjacent; NaN is not passed).</summary>
    public static ulong Key(double v)
    {
        ulong b = (ulong)BitConverter.DoubleToInt64Bits(v);
        return (b >> 63) != 0 ? ~b : b | 0x8000000000000000UL;
    }

    /// <summary>Inverse of <see cref="Key"/>.</summary>
    internal static double FromKey(ulong k)
    {
        ulong b = (k >> 63) != 0 ? k & 0x7FFFFFFFFFFFFFFFUL : ~k;
        return BitConverter.Int64BitsToDouble((long)b);
    }

    /// <summary>
    /// Returns the values at the given 0-based ranks among the finite (non-NaN) values of
    /// <paramref name="data"/>, and the count of finite values. Ranks are clamped to [0, finite − 1];
    /// −0 ranks before +0. Exact selection by counting: one vectorized pass builds a
    /// <see cref="KeyHistogram"/> of the values (buckets over the range of a small strided sample, see
    /// <see cref="KeyBuckets"/>), a second keeps only the values in the buckets holding the wanted ranks
    /// (<see cref="RankSelection"/>), and those few are selected exactly. Small inputs are selected directly.
    /// </summary>
    public static (double[] Values, long Finite) Select(ReadOnlySpan<double> data, ReadOnlySpan<long> ranks) => Select(data, ranks, -1);

    /// <summary>As <see cref="Select(ReadOnlySpan{double}, ReadOnlySpan{long})"/>, with the count of finite values when the caller already has it (−1: count it); it is checked.</summary>
    public static (double[] Values, long Finite) Select(ReadOnlySpan<double> data, ReadOnlySpan<long> ranks, long knownFinite)
    {
        if (data.Length <= DirectSelectLimit)
        {
            return SelectDirect(data, ranks);
        }

        var histogram = new KeyHistogram(KeyBuckets.FromSample(data, KeyBuckets.CountFor(data.Length)));
        histogram.Add(data);
        long finite = histogram.Total;
        if (knownFinite >= 0 && knownFinite != finite)
        {
            throw new ArgumentException($"{knownFinite} finite values announced, {finite} found", nameof(knownFinite));
        }

        return (Select(data, histogram, ranks), finite);
    }

    /// <summary>
    /// The values at the given ranks (clamped to [0, finite − 1]) among the finite values of
    /// <paramref name="data"/>, given a complete histogram of exactly those values: one collecting pass.
    /// All zeros when there is no finite value.
    /// </summary>
    public static double[] Select(ReadOnlySpan<double> data, KeyHistogram histogram, ReadOnlySpan<long> ranks)
    {
        long finite = histogram.Total;
        if (finite == 0 || ranks.Length == 0)
        {
            return new double[ranks.Length];
        }

        var clamped = new long[ranks.Length];
        for (int r = 0; r < ranks.Length; r++)
        {
            clamped[r] = Math.Clamp(ranks[r], 0, finite - 1);
        }

        var selection = new RankSelection(histogram, clamped);
        selection.Collect(data);
        return selection.Resolve();
    }

    /// <summary>Inputs up to this length are selected from a copy of their keys, without a histogram.</summary>
    private const int DirectSelectLimit = 4096;

    private static (double[] Values, long Finite) SelectDirect(ReadOnlySpan<double> data, ReadOnlySpan<long> ranks)
    {
        var keys = new ulong[data.Length];
        int finite = 0;
        foreach (double v in data)
        {
            if (!double.IsNaN(v))
            {
                keys[finite++] = Key(v);
            }
        }

        var result = new double[ranks.Length];
        if (finite == 0 || ranks.Length == 0)
        {
            return (result, finite);
        }

        var clamped = new long[ranks.Length];
        for (int r = 0; r < ranks.Length; r++)
        {
            clamped[r] = Math.Clamp(ranks[r], 0, finite - 1);
        }

        long[] distinct = [.. clamped.Distinct().Order()];
        var found = new ulong[distinct.Length];
        SelectKeys(keys.AsSpan(0, finite), distinct, found);
        for (int r = 0; r < ranks.Length; r++)
        {
            result[r] = FromKey(found[Array.BinarySearch(distinct, clamped[r])]);
        }

        return (result, finite);
    }

    /// <summary>
    /// Exact order statistics of order-preserving keys (the span is reordered): <paramref name="found"/>[i]
    /// is the key at rank <paramref name="ranks"/>[i] (sorted, distinct, in range). Small spans are sorted;
    /// larger ones are counted in up to 2048 buckets of their key range and only the buckets holding a
    /// wanted rank are gathered and recursed on; each level shrinks the key range at least 1024-fold.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    internal static void SelectKeys(Span<ulong> keys, ReadOnlySpan<long> ranks, Span<ulong> found)
    {
        const int sortLimit = 512;
        const int maxBuckets = 2048;
        if (keys.Length <= sortLimit)
        {
            keys.Sort();
            for (int i = 0; i < ranks.Length; i++)
            {
                found[i] = keys[(int)ranks[i]];
            }

            return;
        }

        ulong min = ulong.MaxValue, max = 0;
        foreach (ulong k in keys)
        {
            min = Math.Min(min, k);
            max = Math.Max(max, k);
        }

        if (min == max)
        {
            found[..ranks.Length].Fill(min);
            return;
        }

        int shift = 0;
        while (((max - min) >> shift) >= maxBuckets)
        {
            shift++;
        }

        Span<int> counts = stackalloc int[maxBuckets];
        counts.Clear();
        foreach (ulong k in keys)
        {
            counts[(int)((k - min) >> shift)]++;
        }

        int bucket = 0;
        long below = 0;
        for (int i = 0; i < ranks.Length;)
        {
            while (below + counts[bucket] <= ranks[i])
            {
                below += counts[bucket++];
            }

            int j = i;
            var local = new long[CountInBucket(ranks, i, below + counts[bucket])];
            for (; j < i + local.Length; j++)
            {
                local[j - i] = ranks[j] - below;
            }

            var part = new ulong[counts[bucket]];
            int n = 0;
            foreach (ulong k in keys)
            {
                if ((int)((k - min) >> shift) == bucket)
                {
                    part[n++] = k;
                }
            }

            SelectKeys(part, local, found[i..]);
            i = j;
        }

        static int CountInBucket(ReadOnlySpan<long> ranks, int from, long end)
        {
            int n = 0;
            while (from + n < ranks.Length && ranks[from + n] < end)
            {
                n++;
            }

            return n;
        }
    }

    /// <summary>
    /// 0-based rank of the p-quantile among n sorted values under the inverted-CDF definition:
    /// the smallest value with at least p·n values at or below it (rank ⌈p·n⌉ − 1).
    /// </summary>
    public static long RankOf(double p, long n) => Math.Clamp((long)Math.Ceiling(p * n - 1e-9) - 1, 0, n - 1);

    /// <summary>
    /// Distribution-free 95 % confidence interval for the p-quantile as 0-based ranks: the order
    /// statistics at n·p ∓ 1.96·√(n·p·(1 − p)) (normal approximation to the binomial count below the quantile).
    /// </summary>
    public static (long Low, long High) ConfidenceRanks(double p, long n)
    {
        double mid = n * p;
        double half = 1.959963984540054 * Math.Sqrt(n * p * (1 - p));
        long lo = Math.Clamp((long)Math.Floor(mid - half) - 1, 0, n - 1);
        long hi = Math.Clamp((long)Math.Ceiling(mid + half) - 1, 0, n - 1);
        return (lo, hi);
    }
}
