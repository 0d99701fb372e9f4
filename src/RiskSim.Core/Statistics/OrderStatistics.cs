namespace RiskSim.Core.Statistics;

/// <summary>
/// Exact order statistics of large arrays without a full sort: a 20-bit radix histogram of the
/// order-preserving bit pattern finds the bucket of each wanted rank; only those buckets are gathered
/// and sorted. Two passes over the data; exact (not an approximation). NaN values are excluded and counted.
/// </summary>
public static class OrderStatistics
{
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
    /// <paramref name="data"/>, and the count of finite values. Ranks are clamped to [0, finite − 1].
    /// Floyd–Rivest style: a sorted systematic subsample brackets each wanted rank with a margin of
    /// four binomial standard deviations; one pass counts the values below each bracket and collects
    /// those inside it; the small collections are sorted and the exact order statistic read off. When a
    /// bracket misses (it cannot silently be wrong: the counts are checked), it falls back to the
    /// exact radix method <see cref="SelectRadix"/>.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static (double[] Values, long Finite) Select(ReadOnlySpan<double> data, ReadOnlySpan<long> ranks) => Select(data, ranks, -1);

    /// <summary>As <see cref="Select(ReadOnlySpan{double}, ReadOnlySpan{long})"/>, with the count of finite values when the caller already has it (−1: count it).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public static (double[] Values, long Finite) Select(ReadOnlySpan<double> data, ReadOnlySpan<long> ranks, long knownFinite)
    {
        const int sampleTarget = 1 << 18;
        if (data.Length <= 4 * sampleTarget || ranks.Length == 0)
        {
            return SelectRadix(data, ranks);
        }

        int stride = data.Length / sampleTarget;
        var sample = new List<double>(sampleTarget + 1);
        for (int i = 0; i < data.Length; i += stride)
        {
            if (!double.IsNaN(data[i]))
            {
                sample.Add(data[i]);
            }
        }

        long finite = knownFinite >= 0 ? knownFinite : CountFinite(data);

        var result = new double[ranks.Length];
        int m = sample.Count;
        if (finite == 0 || m < 1000)
        {
            return SelectRadix(data, ranks);
        }

        sample.Sort();

        // Brackets: each wanted rank ± 4 binomial standard deviations of the subsample, merged where
        // they overlap (a percentile and its confidence-interval ranks share one bracket).
        var rankArray = ranks.ToArray();
        var order = Enumerable.Range(0, rankArray.Length).OrderBy(r => rankArray[r]).ToArray();
        var groupOf = new int[ranks.Length];
        var loList = new List<double>();
        var hiList = new List<double>();
        int lastB = int.MinValue;
        foreach (int r in order)
        {
            double p = (Math.Clamp(ranks[r], 0, finite - 1) + 0.5) / finite;
            double margin = 4 * Math.Sqrt(m * p * (1 - p)) + 16;
            int a = (int)Math.Floor(p * m - margin);
            int b = (int)Math.Ceiling(p * m + margin);
            if (loList.Count > 0 && a <= lastB)
            {
                hiList[^1] = b >= m - 1 ? double.PositiveInfinity : sample[b];
            }
            else
            {
                loList.Add(a <= 0 ? double.NegativeInfinity : sample[a]);
                hiList.Add(b >= m - 1 ? double.PositiveInfinity : sample[b]);
            }

            lastB = Math.Max(lastB, b);
            groupOf[r] = loList.Count - 1;
        }

        var lo = loList.ToArray();
        var hi = hiList.ToArray();

        // One vectorized pass: count the values below each bracket (compare masks are −1), and collect
        // the rare values inside any bracket. NaN compares false everywhere, so it is neither.
        var below = new long[lo.Length];
        var inside = new List<double>[lo.Length];
        for (int r = 0; r < lo.Length; r++)
        {
            inside[r] = [];
        }

        int w = System.Numerics.Vector<double>.Count;
        var loV = new System.Numerics.Vector<double>[lo.Length];
        var hiV = new System.Numerics.Vector<double>[lo.Length];
        var acc = new System.Numerics.Vector<long>[lo.Length];
        for (int r = 0; r < lo.Length; r++)
        {
            loV[r] = new System.Numerics.Vector<double>(lo[r]);
            hiV[r] = new System.Numerics.Vector<double>(hi[r]);
        }

        int i0 = 0;
        for (; i0 + w <= data.Length; i0 += w)
        {
            var v = new System.Numerics.Vector<double>(data.Slice(i0, w));
            var any = System.Numerics.Vector<long>.Zero;
            for (int r = 0; r < loV.Length; r++)
            {
                var lt = System.Numerics.Vector.LessThan(v, loV[r]);
                acc[r] -= lt;
                any |= System.Numerics.Vector.AndNot(System.Numerics.Vector.LessThanOrEqual(v, hiV[r]), lt);
            }

            if (any != System.Numerics.Vector<long>.Zero)
            {
                for (int j = 0; j < w; j++)
                {
                    Collect(data[i0 + j]);
                }
            }
        }

        for (int r = 0; r < lo.Length; r++)
        {
            below[r] = System.Numerics.Vector.Sum(acc[r]);
        }

        for (; i0 < data.Length; i0++)
        {
            double v = data[i0];
            for (int r = 0; r < lo.Length; r++)
            {
                if (v < lo[r])
                {
                    below[r]++;
                }
            }

            Collect(v);
        }

        void Collect(double v)
        {
            for (int r = 0; r < lo.Length; r++)
            {
                if (v >= lo[r] && v <= hi[r])
                {
                    inside[r].Add(v);
                }
            }
        }

        foreach (var list in inside)
        {
            list.Sort();
        }

        for (int r = 0; r < ranks.Length; r++)
        {
            int g = groupOf[r];
            long offset = Math.Clamp(ranks[r], 0, finite - 1) - below[g];
            if (offset < 0 || offset >= inside[g].Count)
            {
                return SelectRadix(data, ranks); // bracket missed: exact fallback
            }

            result[r] = inside[g][(int)offset];
        }

        return (result, finite);
    }

    /// <summary>
    /// Exact selection by radix histograms: three linear passes (16-bit histogram of the
    /// order-preserving key, a second 16-bit histogram inside the wanted buckets, then a gather and
    /// sort of the tiny wanted sub-buckets).
    /// </summary>
    public static (double[] Values, long Finite) SelectRadix(ReadOnlySpan<double> data, ReadOnlySpan<long> ranks)
    {
        const int bits = 16;
        const int buckets = 1 << bits;
        var result = new double[ranks.Length];
        var hist1 = new int[buckets];
        long finite = 0;
        foreach (double v in data)
        {
            if (!double.IsNaN(v))
            {
                hist1[(int)(Key(v) >> 48)]++;
                finite++;
            }
        }

        if (finite == 0 || ranks.Length == 0)
        {
            return (result, finite);
        }

        // Level 1: bucket and residual rank of each wanted rank.
        var level1 = new (int Bucket, long Residual)[ranks.Length];
        var slotOf = new int[buckets];
        Array.Fill(slotOf, -1);
        int slots = 0;
        for (int r = 0; r < ranks.Length; r++)
        {
            level1[r] = Locate(hist1, Math.Clamp(ranks[r], 0, finite - 1));
            if (slotOf[level1[r].Bucket] < 0)
            {
                slotOf[level1[r].Bucket] = slots++;
            }
        }

        // Level 2: the next 16 bits, only inside the wanted level-1 buckets.
        var hist2 = new int[slots][];
        for (int i = 0; i < slots; i++)
        {
            hist2[i] = new int[buckets];
        }

        foreach (double v in data)
        {
            if (!double.IsNaN(v))
            {
                ulong k = Key(v);
                int slot = slotOf[(int)(k >> 48)];
                if (slot >= 0)
                {
                    hist2[slot][(int)((k >> 32) & 0xFFFF)]++;
                }
            }
        }

        // Wanted (level-1, level-2) cells, gathered and sorted.
        var cellOf = new Dictionary<uint, List<ulong>>();
        var level2 = new (uint Cell, long Residual)[ranks.Length];
        for (int r = 0; r < ranks.Length; r++)
        {
            var (b1, res1) = level1[r];
            var (b2, res2) = Locate(hist2[slotOf[b1]], res1);
            uint cell = ((uint)b1 << 16) | (uint)b2;
            level2[r] = (cell, res2);
            if (!cellOf.ContainsKey(cell))
            {
                cellOf[cell] = [];
            }
        }

        foreach (double v in data)
        {
            if (!double.IsNaN(v))
            {
                ulong k = Key(v);
                if (slotOf[(int)(k >> 48)] >= 0 && cellOf.TryGetValue((uint)(k >> 32), out var list))
                {
                    list.Add(k);
                }
            }
        }

        foreach (var list in cellOf.Values)
        {
            list.Sort();
        }

        for (int r = 0; r < ranks.Length; r++)
        {
            var (cell, res) = level2[r];
            result[r] = FromKey(cellOf[cell][(int)res]);
        }

        return (result, finite);
    }

    /// <summary>Number of non-NaN values (vectorized: x == x is false only for NaN).</summary>
    public static long CountFinite(ReadOnlySpan<double> data)
    {
        int w = System.Numerics.Vector<double>.Count;
        var acc = System.Numerics.Vector<long>.Zero;
        int i = 0;
        for (; i + w <= data.Length; i += w)
        {
            var v = new System.Numerics.Vector<double>(data.Slice(i, w));
            acc -= System.Numerics.Vector.Equals(v, v);
        }

        long n = System.Numerics.Vector.Sum(acc);
        for (; i < data.Length; i++)
        {
            if (!double.IsNaN(data[i]))
            {
                n++;
            }
        }

        return n;
    }

    private static (int Bucket, long Residual) Locate(int[] hist, long rank)
    {
        long acc = 0;
        for (int b = 0; b < hist.Length; b++)
        {
            if (acc + hist[b] > rank)
            {
                return (b, rank - acc);
            }

            acc += hist[b];
        }

        throw new InvalidOperationException("rank beyond the histogram");
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
