using CsCheck;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Statistics;

/// <summary>The sampler's bucket arg-sort gives exactly the reference order: top 32 bits of the order-preserving key, then index.</summary>
public sealed class RankSortTests
{
    private static int[] Reference(double[] keys) =>
        [.. Enumerable.Range(0, keys.Length).OrderBy(i => TopKey(keys[i])).ThenBy(i => i)];

    private static uint TopKey(double x)
    {
        ulong b = (ulong)BitConverter.DoubleToInt64Bits(x);
        b ^= (b >> 63) != 0 ? ulong.MaxValue : 0x8000000000000000UL;
        return (uint)(b >> 32);
    }

    /// <summary>Keys of many kinds: the two assumed shapes, scaled and shifted ones, heavy ties, ties only in the low bits, specials.</summary>
    private static double[] Keys(int kind, int n, int seed)
    {
        var rng = new Random(seed);
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var k = new double[n];
        for (int i = 0; i < n; i++)
        {
            k[i] = kind switch
            {
                0 => Normal(),
                1 => rng.NextDouble(),
                2 => (Normal() * 40) + 7, // far from standard: uneven buckets
                3 => Normal() * 1e-9, // everything in the middle buckets: the radix fallback
                4 => Math.Round(Normal() * 3) / 2, // few distinct values, many ties
                5 => 1.0 + (rng.Next(64) * Math.ScaleB(1.0, -50)), // distinct doubles, equal top 32 bits
                6 => rng.Next(8) switch { 0 => 0.0, 1 => -0.0, 2 => double.PositiveInfinity, 3 => double.NegativeInfinity, 4 => double.NaN, 5 => double.Epsilon, _ => Normal() },
                _ => 0.25, // all equal
            };
        }

        return k;
    }

    [Fact]
    public void Bucket_sort_equals_the_reference_order_on_random_inputs()
    {
        Gen.Select(Gen.Int[0, 7], Gen.Int[1, BlockSampler.BlockSize], Gen.Int, Gen.Bool).Sample((kind, n, seed, normalShape) =>
        {
            var ws = new SamplerWorkspace(1, 1); // CsCheck runs samples in parallel: one workspace each
            var keys = Keys(kind, n, seed);
            var order = new int[n];
            RankSort.ArgSort(keys, order, ws, normalShape ? KeyShape.StandardNormal : KeyShape.Uniform);
            return order.AsSpan().SequenceEqual(Reference(keys));
        }, iter: 60);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(63)]
    [InlineData(64)]
    [InlineData(65)]
    [InlineData(1000)]
    [InlineData(BlockSampler.BlockSize)]
    public void Bucket_sort_equals_the_reference_for_every_kind_and_size(int n)
    {
        var ws = new SamplerWorkspace(1, 1);
        for (int kind = 0; kind <= 7; kind++)
        {
            var keys = Keys(kind, n, 1000 + kind);
            var expected = Reference(keys);
            foreach (var shape in new[] { KeyShape.StandardNormal, KeyShape.Uniform })
            {
                var order = new int[n];
                RankSort.ArgSort(keys, order, ws, shape);
                Assert.Equal(expected, order);
            }
        }
    }

    [Fact]
    public void Sort_is_exact_even_with_buckets_out_of_key_order()
    {
        const int n = 5000;
        var rng = new Random(7);
        var keys = Keys(0, n, 7);
        var words = keys.Select((x, i) => RankSort.Word(x, i)).ToArray();
        var bucket = new int[n];
        for (int i = 0; i < n; i++)
        {
            bucket[i] = Math.Clamp((int)((keys[i] + 4) / 8 * n) + rng.Next(-3, 4), 0, n - 1); // roughly right, locally scrambled
        }

        var sorted = new ulong[n];
        RankSort.Sort(words, bucket, new int[n], sorted);
        Assert.Equal(Reference(keys), sorted.Select(v => (int)(uint)v));
    }
}
