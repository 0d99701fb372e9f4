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
    public static (double[] Values, long Finite) Select(ReadOnlySpan<double> data, ReadOnlySpan<long> ranks)
    {
        var hist = new long[Buckets];
        long finite = 0;
        foreach (double v in data)
        {
            if (!double.IsNaN(v))
            {
                hist[Key(v) >> (64 - Bits)]++;
                finite++;
            }
        }

        var result = new double[ranks.Length];
        if (finite == 0 || ranks.Length == 0)
        {
            return (result, finite);
        }

        // Which bucket holds each rank.
        var start = new long[Buckets];
        long acc = 0;
        for (int b = 0; b < Buckets; b++)
        {
            start[b] = acc;
            acc += hist[b];
        }

        var needed = new bool[Buckets];
        var rankBucket = new int[ranks.Length];
        for (int r = 0; r < ranks.Length; r++)
        {
            long rank = Math.Clamp(ranks[r], 0, finite - 1);
            int lo = 0, hi = Buckets - 1;
            while (lo < hi)
            {
                int mid = (lo + hi + 1) >> 1;
                if (start[mid] <= rank)
                {
                    lo = mid;
                }
                else
                {
                    hi = mid - 1;
                }
            }

            while (hist[lo] == 0)
            {
                lo--;
            }

            rankBucket[r] = lo;
            needed[lo] = true;
        }

        // Gather the needed buckets (in key order after sorting) and map ranks into the gathered list.
        long gatheredCount = 0;
        var gatheredStart = new Dictionary<int, long>();
        for (int b = 0; b < Buckets; b++)
        {
            if (needed[b])
            {
                gatheredStart[b] = gatheredCount;
                gatheredCount += hist[b];
            }
        }

        var keys = new ulong[gatheredCount];
        long n = 0;
        foreach (double v in data)
        {
            if (!double.IsNaN(v))
            {
                ulong k = Key(v);
                if (needed[k >> (64 - Bits)])
                {
                    keys[n++] = k;
                }
            }
        }

        Array.Sort(keys);
        for (int r = 0; r < ranks.Length; r++)
        {
            long rank = Math.Clamp(ranks[r], 0, finite - 1);
            int b = rankBucket[r];
            result[r] = FromKey(keys[gatheredStart[b] + (rank - start[b])]);
        }

        return (result, finite);
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
