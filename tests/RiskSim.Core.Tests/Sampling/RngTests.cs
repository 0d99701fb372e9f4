using System.Runtime.Intrinsics;
using CsCheck;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Sampling;

/// <summary>The bulk generator behind every stream: ranges, uniformity, and the Latin hypercube shuffle.</summary>
public sealed class RngTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(5)]
    [InlineData(1000)]
    [InlineData(16384)]
    public void Latin_gives_a_permutation_and_one_draw_per_stratum(int n)
    {
        var rng = new Xoshiro256(12345);
        var perm = new ushort[n];
        var strata = new double[n];
        rng.Latin(perm, strata, 1.0 - (1.0 / (1UL << 53)));
        Assert.Equal(Enumerable.Range(0, n), perm.Select(p => (int)p).Order());
        for (int r = 0; r < n; r++)
        {
            Assert.True(strata[r] > (double)r / n && strata[r] < (r + 1.0) / n, $"stratum {r}: u {strata[r]:R} outside it");
        }
    }

    /// <summary>
    /// Latin against a scalar reference of its definition: the same draws, one at a time (the jitters in stratum
    /// order from one four-lane generator, the swap positions from a second), an int Fisher–Yates, and stratum r's uniform min((r + U_r)/n, cap).
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(4)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(9)]
    [InlineData(17)]
    [InlineData(1001)]
    [InlineData(16383)]
    [InlineData(16384)]
    public void Latin_equals_a_scalar_reference_bit_for_bit(int n)
    {
        const double Cap = 1.0 - (1.0 / (1UL << 53));
        var rng = new Xoshiro256(4242 + (ulong)n);
        var parent = rng; // a copy: the reference replays the same stream
        var rank = new ushort[n];
        var u = new double[n];
        rng.Latin(rank, u, Cap);

        var g = new Xoshiro256x4(ref parent); // the jitters
        var gs = new Xoshiro256x4(ref parent); // then the swap positions
        var jitter = new double[n];
        for (int i = 0; i < n; i += 4)
        {
            var d = g.Next();
            for (int l = 0; l < 4 && i + l < n; l++)
            {
                jitter[i + l] = BitConverter.UInt64BitsToDouble((d.GetElement(l) >> 12) | 0x3FF0000000000000UL) + ((1.0 / (1UL << 53)) - 1.0);
            }
        }

        var perm = Enumerable.Range(0, n).ToArray();
        for (int i = n - 1; i > 0; i -= 4)
        {
            var d = gs.Next();
            for (int l = 0; l < 4 && i - l > 0; l++)
            {
                int j = (int)(((d.GetElement(l) >> 32) * (ulong)(i - l + 1)) >> 32);
                (perm[i - l], perm[j]) = (perm[j], perm[i - l]);
            }
        }

        for (int k = 0; k < n; k++)
        {
            Assert.Equal(perm[k], rank[k]);
            double expected = Math.Min((k + jitter[k]) * (1.0 / n), Cap);
            Assert.True(BitConverter.DoubleToInt64Bits(expected) == BitConverter.DoubleToInt64Bits(u[k]), $"stratum {k}: {u[k]:R}, reference {expected:R}");
        }
    }

    [Fact]
    public void Swap_positions_stay_in_range_and_are_uniform()
    {
        // For i + 1 = 8 possible positions, 80,000 draws: chi-square with 7 degrees of freedom.
        var parent = new Xoshiro256(7);
        var g = new Xoshiro256x4(ref parent);
        var counts = new long[8];
        var swap = new int[8];
        for (int rep = 0; rep < 80_000; rep++)
        {
            g.FillBelow(swap);
            for (int i = 0; i < swap.Length; i++)
            {
                Assert.InRange(swap[i], 0, i);
            }

            counts[swap[7]]++;
        }

        double chi2 = counts.Sum(c => (c - 10_000.0) * (c - 10_000.0) / 10_000.0);
        Assert.True(chi2 < 24.3, $"chi-square {chi2:F1} ≥ 24.3 (p = 0.001, 7 df)"); // fixed seed: deterministic
    }

    [Fact]
    public void Open_uniforms_are_in_the_open_unit_interval_with_the_right_moments()
    {
        var rng = new Xoshiro256(99);
        var u = new double[1_000_003]; // not a multiple of 4: the tail path too
        rng.Fill(u);
        Assert.All(u, x => Assert.True(x > 0 && x < 1));
        double mean = u.Average();
        double var = u.Select(x => (x - mean) * (x - mean)).Sum() / (u.Length - 1);
        Assert.InRange(mean, 0.5 - 0.0015, 0.5 + 0.0015); // ± 5 standard errors (0.289/√n)
        Assert.InRange(var, (1.0 / 12) - 0.0005, (1.0 / 12) + 0.0005);
    }

    [Fact]
    public void Shuffle_makes_the_fisher_yates_swaps_of_fill_below()
    {
        // Any length (the vector loop's tail of one to three swaps included), any state: the shuffle equals Fisher–Yates
        // on FillBelow's positions from the same generator state.
        Gen.Select(Gen.Int[0, 300], Gen.ULong).Sample((n, seed) =>
        {
            var parent = new Xoshiro256(seed);
            var g = new Xoshiro256x4(ref parent);
            var reference = g; // a copy of the state
            var swap = new int[n];
            reference.FillBelow(swap);
            var expected = Enumerable.Range(0, n).ToArray();
            for (int i = n - 1; i >= 1; i--)
            {
                (expected[i], expected[swap[i]]) = (expected[swap[i]], expected[i]);
            }

            var actual = Enumerable.Range(0, n).ToArray();
            g.Shuffle(actual.AsSpan());
            Assert.Equal(expected, actual);
        });
    }

    [Fact]
    public void Shuffling_two_spans_at_once_moves_each_as_its_own_shuffle_would()
    {
        Gen.Select(Gen.Int[0, 300], Gen.ULong).Sample((n, seed) =>
        {
            var parent = new Xoshiro256(seed);
            var g = new Xoshiro256x4(ref parent);
            var (ga, gb) = (g, g);
            var a = Enumerable.Range(0, n).Select(i => i * 1.5).ToArray();
            var b = Enumerable.Range(0, n).Select(i => -(double)i).ToArray();
            var (a1, b1) = ((double[])a.Clone(), (double[])b.Clone());
            g.Shuffle(a.AsSpan(), b.AsSpan());
            ga.Shuffle(a1.AsSpan());
            gb.Shuffle(b1.AsSpan());
            Assert.Equal(a1, a);
            Assert.Equal(b1, b);
        });
        var x = new Xoshiro256(1);
        var h = new Xoshiro256x4(ref x);
        Assert.Throws<ArgumentException>(() => h.Shuffle(new double[3].AsSpan(), new double[4].AsSpan()));
    }
}
