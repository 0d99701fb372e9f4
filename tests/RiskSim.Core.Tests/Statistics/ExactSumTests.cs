using System.Numerics;
using CsCheck;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Statistics;

/// <summary>The exact sum behind the expected shortfall: exact, correctly rounded, independent of order and partition.</summary>
public sealed class ExactSumTests
{
    private static double Sum(IEnumerable<double> values)
    {
        var s = new ExactSum();
        foreach (double v in values)
        {
            s.Add(v);
        }

        return s.Value;
    }

    [Fact]
    public void Cancellation_that_naive_summation_loses_is_kept()
    {
        Assert.Equal(0.0, 1e16 + 1.0 - 1e16); // naive: the 1 is lost
        Assert.Equal(1.0, Sum([1e16, 1.0, -1e16]));
        Assert.Equal(2.0, Sum([1e300, 1.0, -1e300, 1.0]));
        Assert.Equal(double.Epsilon, Sum([double.Epsilon, 1.0, -1.0]));
        Assert.Equal(0.0, Sum([]));
    }

    [Fact]
    public void A_range_adds_as_its_values_one_by_one()
    {
        Gen.Select(Gen.Double.Array[0, 50], Gen.Double.Array[0, 50], Gen.Double[-1e6, 1e6].Array[0, 50]).Sample((a, b, c) =>
        {
            var finite = (double[] x) => x.Where(double.IsFinite).ToArray();
            double[] first = finite(a), second = finite(b), third = c;
            var ranged = new ExactSum();
            ranged.AddRange(first);
            ranged.Add(0.5);
            ranged.AddRange(second);
            var merged = new ExactSum();
            merged.AddRange(third);
            ranged.Add(merged);
            double expected = Sum([.. first, 0.5, .. second, .. third]);
            Assert.Equal(BitConverter.DoubleToInt64Bits(expected), BitConverter.DoubleToInt64Bits(ranged.Value));
            Assert.Equal(first.Length + 1 + second.Length + third.Length, ranged.Count);
            Assert.Equal(BitConverter.DoubleToInt64Bits(ranged.Value), BitConverter.DoubleToInt64Bits(ranged.Value)); // reading twice folds once
        });
    }

    [Fact]
    public void Rounds_once_to_nearest_with_ties_to_even()
    {
        double two53 = 9007199254740992.0; // 2⁵³: the spacing of doubles above it is 2
        Assert.Equal(two53, Sum([two53, 1.0])); // tie → even significand
        Assert.Equal(two53 + 4, Sum([two53, 3.0])); // tie (2⁵³ + 3) → 2⁵³ + 4, even
        Assert.Equal(two53 + 2, Sum([two53, 1.0, 0.5])); // just above the tie → up
        Assert.Equal(-two53, Sum([-two53, -1.0]));
    }

    [Fact]
    public void Integers_sum_exactly_and_count_is_kept()
    {
        var s = new ExactSum();
        long expected = 0;
        for (int i = -5000; i < 7000; i++)
        {
            s.Add(i * 3.0);
            expected += i * 3L;
        }

        Assert.Equal((double)expected, s.Value);
        Assert.Equal(12000, s.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Add(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => s.Add(double.PositiveInfinity));
    }

    [Fact]
    public void Equals_the_exact_rational_sum_rounded_and_does_not_depend_on_order_or_partition()
    {
        Gen.Double[-1e9, 1e9].Array[1, 200].Select(Gen.Int[1, 7]).Sample((values, parts) =>
        {
            // Exact reference: every double is m·2^e; scale all to the smallest exponent as a BigInteger.
            var total = BigInteger.Zero;
            foreach (double v in values)
            {
                total += Scaled(v);
            }

            double expected = ExactSum.ToDouble(total, -1074);
            Assert.Equal(expected, Sum(values));
            Assert.Equal(expected, Sum(values.Reverse()));

            var accs = Enumerable.Range(0, parts).Select(_ => new ExactSum()).ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                accs[i % parts].Add(values[i]);
            }

            for (int p = 1; p < parts; p++)
            {
                accs[0].Add(accs[p]);
            }

            Assert.Equal(expected, accs[0].Value);
            Assert.Equal(values.Length, accs[0].Count);
        });
    }

    /// <summary>v·2¹⁰⁷⁴ as an integer (exact for every finite double).</summary>
    private static BigInteger Scaled(double v)
    {
        long bits = BitConverter.DoubleToInt64Bits(v);
        int e = (int)((bits >> 52) & 0x7FF);
        long m = bits & 0xF_FFFF_FFFF_FFFFL;
        if (e != 0)
        {
            m |= 1L << 52;
        }
        else
        {
            e = 1;
        }

        var x = new BigInteger(m) << (e - 1);
        return bits < 0 ? -x : x;
    }
}
