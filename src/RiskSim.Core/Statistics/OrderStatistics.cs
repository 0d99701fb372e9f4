using System.Buffers;

namespace RiskSim.Core.Statistics;

/// <summary>
/// Exact order statistics of large arrays without a full sort: a 20-bit radix histogram of the
/// order-preserving bit pattern finds the bucket of each wanted rank; only those buckets are gathered
/// and sorted. Two passes over the data; exact (not an approximation). NaN values are excluded and counted.
/// </summary>
public static class OrderStatistics
{
    private const int Bits = 20;
    private const int Buckets = 1 << Bits;

    /// <summary>Order-preserving map from double to ulong (−0 and +0 adjacent; NaN is not passed).</summary>
    public static ulong Key(double v)
    {
        ulong b = (ulong)BitConverter.DoubleToInt64Bits(v);
        return (b >> 63) != 0 ? ~b : b | 0x8000000000000000UL;
    }

    private static double FromKey(ulong k)
    {
        ulong b = (k >> 63) != 0 ? k & 0x7FFFFFFFFFFFFFFFUL : ~k;
        return BitConverter.Int64BitsToDouble((long)b);
    }

    /// <summary>
    /// Returns the values at the given 0-based ranks among the finite (non-NaN) values of
    /// <paramref name="data"/>, and the count of finite values. Ranks must be &lt; that count.
    /// </summary>
    /// <remarks>
    /// Memory: one pooled 4 MB histogram of int counts (a span never holds more than int.MaxValue values)
    /// and a 128 KB bitset of the buckets that hold a wanted rank; the buckets of the ranks are found in one
    /// cumulative walk over the histogram (no prefix-sum array, no per-bucket dictionary).
    /// </remarks>
    public static (double[] Values, long Finite) Select(ReadOnlySpan<double> data, ReadOnlySpan<long> ranks)
    {
        var result = new double[ranks.Length];
        int[] hist = ArrayPool<int>.Shared.Rent(Buckets);
        try
        {
            Array.Clear(hist, 0, Buckets);
            long finite = 0;
            foreach (double v in data)
            {
                if (!double.IsNaN(v))
                {
                    hist[Key(v) >> (64 - Bits)]++;
                    finite++;
                }
            }

            if (finite == 0 || ranks.Length == 0)
            {
                return (result, finite);
            }

            // Bucket of each rank, and the rank of the bucket's first value: one walk in rank order.
            var clamped = new long[ranks.Length];
            var byRank = new int[ranks.Length];
            for (int r = 0; r < ranks.Length; r++)
            {
                clamped[r] = Math.Clamp(ranks[r], 0, finite - 1);
                byRank[r] = r;
            }

            Array.Sort((long[])clamped.Clone(), byRank);
            var rankBucket = new int[ranks.Length];
            var bucketStart = new long[ranks.Length];
            int bucket = 0;
            long below = 0; // values in buckets before `bucket`
            foreach (int r in byRank)
            {
                long rank = clamped[r];
                while (below + hist[bucket] <= rank)
                {
                    below += hist[bucket];
                    bucket++;
                }

                rankBucket[r] = bucket;
                bucketStart[r] = below;
            }

            // The distinct needed buckets in key order, where each starts in the gathered list, and a bitset of them.
            var needed = rankBucket.Distinct().Order().ToArray();
            var gatheredStart = new long[needed.Length];
            long gatheredCount = 0;
            var isNeeded = new ulong[Buckets / 64];
            for (int i = 0; i < needed.Length; i++)
            {
                gatheredStart[i] = gatheredCount;
                gatheredCount += hist[needed[i]];
                isNeeded[needed[i] >> 6] |= 1UL << needed[i];
            }

            // Gather the keys of the needed buckets; sorted, they are the needed buckets back to back in key order.
            var keys = new ulong[gatheredCount];
            long n = 0;
            foreach (double v in data)
            {
                if (!double.IsNaN(v))
                {
                    ulong k = Key(v);
                    int b = (int)(k >> (64 - Bits));
                    if ((isNeeded[b >> 6] & (1UL << b)) != 0)
                    {
                        keys[n++] = k;
                    }
                }
            }

            Array.Sort(keys);
            for (int r = 0; r < ranks.Length; r++)
            {
                int g = Array.BinarySearch(needed, rankBucket[r]);
                result[r] = FromKey(keys[gatheredStart[g] + (clamped[r] - bucketStart[r])]);
            }

            return (result, finite);
        }
        finally
        {
            ArrayPool<int>.Shared.Return(hist);
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
