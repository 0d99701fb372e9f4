using CsCheck;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Statistics;

/// <summary>
/// Selection by key histogram (<see cref="KeyBuckets"/>, <see cref="KeyHistogram"/>, <see cref="RankSelection"/>)
/// against a sort-based oracle, bit for bit (−0 ranks before +0), on random arrays with NaNs, ties,
/// all-equal values, ±0, heavy tails and huge ranges.
/// </summary>
public sealed class KeyHistogramTests
{
    private const int Kinds = 9;

    /// <summary>n up to 20 000 covers the direct path (≤ 4096) and the histogram path.</summary>
    private static readonly Gen<(int N, int Kind, int Seed)> Arrays = Gen.Select(Gen.Int[1, 20_000], Gen.Int[0, Kinds - 1], Gen.Int);

    [Fact]
    public void Select_equals_sort_by_key()
    {
        Arrays.Sample(t =>
        {
            var (data, rng) = Make(t.N, t.Kind, t.Seed);
            var sorted = SortedKeys(data);
            var ranks = Ranks(rng, sorted.Length);
            var (values, finite) = OrderStatistics.Select(data, ranks);
            Assert.Equal(sorted.Length, finite);
            for (int r = 0; r < ranks.Length; r++)
            {
                long expected = sorted.Length == 0 ? 0 : Math.Clamp(ranks[r], 0, sorted.Length - 1);
                Assert.Equal(sorted.Length == 0 ? 0.0 : sorted[expected], values[r]);
                Assert.Equal(BitConverter.DoubleToInt64Bits(sorted.Length == 0 ? 0.0 : sorted[expected]), BitConverter.DoubleToInt64Bits(values[r]));
            }
        }, iter: 300);
    }

    [Fact]
    public void Counting_with_a_bucket_split_equals_counting_and_splitting_by_value()
    {
        Arrays.Sample(t =>
        {
            var (data, rng) = Make(t.N, t.Kind, t.Seed);
            var buckets = KeyBuckets.FromSample(data, 1 + rng.Next(4096));
            int first = rng.Next(buckets.Count), last = first + rng.Next(buckets.Count - first), edge = rng.Next(buckets.Count);
            var flags = new byte[buckets.Count + 4];
            flags.AsSpan(first, last - first + 1).Fill(1);
            for (int b = 0; b < edge; b++)
            {
                flags[b] |= 2; // beyond: below the edge bucket
            }

            var counts = new long[buckets.Count + 4];
            var inside = new double[data.Length + 4];
            var beyond = new double[data.Length + 4];
            int nIn = 0, nOut = 0;
            buckets.AccumulateSplit(data, counts, flags, inside, ref nIn, beyond, ref nOut);

            var expectedCounts = new long[buckets.Count + 4];
            buckets.Accumulate(data, expectedCounts);
            Assert.Equal(expectedCounts[..buckets.Count], counts[..buckets.Count]);
            Assert.Equal(expectedCounts[buckets.Count..].Sum(), counts[buckets.Count..].Sum()); // NaN lanes: any of the four slots

            var (lo, hi) = buckets.ValueRange(first, last);
            double cut = edge == 0 ? double.NegativeInfinity : buckets.ValueRange(edge, edge).Low;
            Assert.Equal(data.Where(v => v >= lo && v <= hi).ToArray(), inside[..nIn]); // in order, by value
            Assert.Equal(data.Where(v => v < cut).ToArray(), beyond[..nOut]);
        }, iter: 200);
    }

    [Fact]
    public void Counting_with_a_split_gives_the_moments_bit_for_bit()
    {
        // The one-pass workers take a block's moments from the counting loop's lanes: they must be Moments' bits.
        Arrays.Sample(t =>
        {
            var (data, rng) = Make(Math.Min(t.N, BlockSampler.BlockSize), t.Kind, t.Seed);
            var buckets = KeyBuckets.FromSample(data, 1 + rng.Next(4096));
            double center = rng.Next(3) == 0 ? 0 : KpiStatistics.Shift(data);
            double[] thresholds = [.. Enumerable.Range(0, rng.Next(7)).Select(_ => data[rng.Next(data.Length)])]; // 0–6: the lanes count thresholds four at a time
            int first = rng.Next(buckets.Count), last = first + rng.Next(buckets.Count - first);
            var collector = new TailCollector([buckets.ValueRange(first, last)], double.NaN, below: false, 16, buckets);

            var expected = KpiStatistics.Moments(data, center, thresholds, null);
            var actual = collector.CollectCounted(data, new KeyHistogram(buckets), center, thresholds);

            Assert.Equal(expected.Count, actual.Count);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Sum), BitConverter.DoubleToInt64Bits(actual.Sum));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.SumSquares), BitConverter.DoubleToInt64Bits(actual.SumSquares));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Min), BitConverter.DoubleToInt64Bits(actual.Min));
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected.Max), BitConverter.DoubleToInt64Bits(actual.Max));
            Assert.Equal(expected.Negative, actual.Negative);
            Assert.Equal(expected.Within, actual.Within);
        }, iter: 300);
    }

    [Fact]
    public void Histogram_blocks_merge_and_collect_in_any_order()
    {
        Arrays.Sample(t =>
        {
            var (data, rng) = Make(t.N, t.Kind, t.Seed);
            var sorted = SortedKeys(data);
            if (sorted.Length == 0)
            {
                return;
            }

            // Buckets from a narrow, even wrong, range: only the speed may suffer.
            var buckets = KeyBuckets.ForRange(sorted[rng.Next(sorted.Length)], sorted[rng.Next(sorted.Length)], 1 << rng.Next(1, 15));
            int cut = rng.Next(data.Length + 1);
            var whole = new KeyHistogram(buckets);
            whole.Add(data);
            var a = new KeyHistogram(buckets);
            var b = new KeyHistogram(buckets);
            a.Add(data.AsSpan(cut));
            b.Add(data.AsSpan(0, cut));
            a.Add(b);
            Assert.True(whole.Counts.SequenceEqual(a.Counts));
            Assert.Equal(sorted.Length, a.Total);

            var ranks = Ranks(rng, sorted.Length).Select(r => Math.Clamp(r, 0, sorted.Length - 1L)).ToArray();
            var selection = new RankSelection(a, ranks);
            selection.Collect(data.AsSpan(cut));
            selection.Collect(data.AsSpan(0, cut));
            var values = selection.Resolve();
            for (int r = 0; r < ranks.Length; r++)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(sorted[ranks[r]]), BitConverter.DoubleToInt64Bits(values[r]));
            }
        }, iter: 300);
    }

    [Fact]
    public void Buckets_are_monotone_and_value_ranges_exact()
    {
        Gen.Select(Gen.Int[0, Kinds - 1], Gen.Int, Gen.Int[0, 16]).Sample(t =>
        {
            var (data, rng) = Make(2000, t.Item1, t.Item2);
            var finite = data.Where(v => !double.IsNaN(v)).ToArray();
            if (finite.Length == 0)
            {
                return;
            }

            var buckets = KeyBuckets.ForRange(finite[rng.Next(finite.Length)], finite[rng.Next(finite.Length)], 1 << t.Item3);
            Assert.InRange(buckets.Count, 1, 1 << t.Item3);
            var keys = finite.OrderBy(OrderStatistics.Key).ToArray();
            for (int i = 1; i < keys.Length; i++)
            {
                Assert.True(buckets.Of(keys[i - 1]) <= buckets.Of(keys[i]));
            }

            Assert.Equal(buckets.Of(-0.0), buckets.Of(0.0));
            Assert.Equal(-1, buckets.Of(double.NaN));

            // The vectorized count agrees with the scalar map.
            var histogram = new KeyHistogram(buckets);
            histogram.Add(data);
            var expected = new long[buckets.Count];
            foreach (double v in finite)
            {
                expected[buckets.Of(v)]++;
            }

            Assert.True(expected.AsSpan().SequenceEqual(histogram.Counts));

            int first = rng.Next(buckets.Count);
            int last = rng.Next(first, buckets.Count);
            var (lo, hi) = buckets.ValueRange(first, last);
            foreach (double v in finite)
            {
                int b = buckets.Of(v);
                Assert.Equal(b >= first && b <= last, v >= lo && v <= hi);
            }
        }, iter: 300);
    }

    [Fact]
    public void Compute_percentiles_equal_sort_and_zero_extremes_keep_their_sign()
    {
        Gen.Select(Arrays, Gen.Bool).Sample(t =>
        {
            var ((n, kind, seed), higher) = t;
            var (data, _) = Make(n, kind, seed);
            var kpi = TrialKpis.All[higher ? TrialKpis.Npv : TrialKpis.Payback];
            var stats = KpiStatistics.Compute(kpi, data, [], "none");
            var sorted = SortedKeys(data);
            Assert.Equal(sorted.Length, stats.Trials - stats.Nulls);
            if (sorted.Length > 0)
            {
                Assert.Equal(BitConverter.DoubleToInt64Bits(sorted[0]), BitConverter.DoubleToInt64Bits(stats.Min!.Value));
                Assert.Equal(BitConverter.DoubleToInt64Bits(sorted[^1]), BitConverter.DoubleToInt64Bits(stats.Max!.Value));
            }

            long nulls = stats.Nulls;
            foreach (var p in stats.Percentiles)
            {
                long rank = OrderStatistics.RankOf(p.P, n);
                long f = higher ? rank - nulls : rank;
                bool isNull = higher ? rank < nulls : rank >= sorted.Length;
                Assert.Equal(isNull, p.Value is null);
                if (!isNull)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(sorted[f]), BitConverter.DoubleToInt64Bits(p.Value!.Value));
                }
            }
        }, iter: 150);
    }

    [Fact]
    public void Min_and_max_of_signed_zeros_follow_IEEE()
    {
        var data = new double[10_000];
        data[1234] = -0.0;
        var stats = KpiStatistics.Compute(TrialKpis.All[TrialKpis.Npv], data, [], "none");
        Assert.True(double.IsNegative(stats.Min!.Value));
        Assert.False(double.IsNegative(stats.Max!.Value));
        Array.Fill(data, -0.0);
        stats = KpiStatistics.Compute(TrialKpis.All[TrialKpis.Npv], data, [], "none");
        Assert.True(double.IsNegative(stats.Max!.Value));
    }

    /// <summary>Finite values sorted by the order-preserving key (−0 before +0).</summary>
    private static double[] SortedKeys(double[] data) =>
        [.. data.Where(v => !double.IsNaN(v)).Select(OrderStatistics.Key).Order().Select(k => BitConverter.Int64BitsToDouble(Unkey(k)))];

    private static long Unkey(ulong k) => (long)((k >> 63) != 0 ? k & 0x7FFFFFFFFFFFFFFFUL : ~k);

    private static long[] Ranks(Random rng, int finite)
    {
        var ranks = new List<long> { 0, finite - 1L, finite / 2, -3, finite + 5L };
        for (int i = 0; i < 40; i++)
        {
            ranks.Add(rng.NextInt64(Math.Max(1, finite)));
        }

        return [.. ranks];
    }

    private static (double[] Data, Random Rng) Make(int n, int kind, int seed)
    {
        var rng = new Random(seed);
        var data = new double[n];
        double nanShare = kind == 0 ? 0 : rng.NextDouble() * (rng.Next(4) == 0 ? 1 : 0.3);
        for (int i = 0; i < n; i++)
        {
            double g = Gaussian(rng);
            data[i] = rng.NextDouble() < nanShare ? double.NaN : kind switch
            {
                0 or 1 => (g * 1e6) + 3e5, // crosses zero
                2 => Math.Round(g * 3) * 0.25, // ~25 distinct values, ±0
                3 => rng.Next(3) == 0 ? -0.0 : rng.Next(2) == 0 ? 0.0 : g, // many signed zeros
                4 => 7.25, // all equal
                5 => Math.Exp(g * 6), // heavy right tail, positive
                6 => -1 / Math.Pow(rng.NextDouble() + 1e-300, 1.5), // Pareto-like left tail, negative
                7 => Math.ScaleB(g, rng.Next(-1000, 1000)), // huge range, both signs
                _ => 1.0 + (rng.Next(0, 50) * Math.BitIncrement(1.0)) - 1.0, // a few ulps apart
            };
        }

        return (data, rng);
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
