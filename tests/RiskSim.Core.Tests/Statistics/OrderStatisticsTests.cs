using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Statistics;

/// <summary><see cref="OrderStatistics.Select"/> is exact: it equals Array.Sort on the finite values.</summary>
public sealed class OrderStatisticsTests
{
    public static TheoryData<int, int, string> Cases()
    {
        var data = new TheoryData<int, int, string>();
        foreach (int n in new[] { 1, 2, 3, 17, 1000, 65_537, 300_000 })
        {
            foreach (var kind in new[] { "normal", "ties", "nan", "mixed", "constant", "tiny-range" })
            {
                data.Add(n, 1000 + n, kind);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Select_equals_Array_Sort(int n, int seed, string kind)
    {
        var rng = new Random(seed);
        var data = new double[n];
        for (int i = 0; i < n; i++)
        {
            double g = Gaussian(rng) * 1e6;
            data[i] = kind switch
            {
                "normal" => g,
                "ties" => Math.Round(g / 1e5) * 7.5, // ~100 distinct values, negatives and ±0
                "nan" => rng.NextDouble() < 0.3 ? double.NaN : g,
                "mixed" => rng.Next(10) switch
                {
                    0 => double.NaN,
                    1 => 0.0,
                    2 => -0.0,
                    3 => double.NegativeInfinity,
                    4 => double.PositiveInfinity,
                    5 => double.Epsilon * rng.Next(-3, 4),
                    6 => Math.Round(g / 1e6),
                    _ => g,
                },
                "constant" => -42.5,
                _ => 1.0 + rng.Next(0, 1000) * Math.BitIncrement(1.0) - 1.0 + 1e-300, // values within a few ulps: one radix bucket
            };
        }

        var finite = data.Where(v => !double.IsNaN(v)).ToArray();
        Array.Sort(finite);
        var ranks = finite.Length <= 2000
            ? Enumerable.Range(0, finite.Length).Select(r => (long)r).ToArray()
            : [.. Enumerable.Range(0, 500).Select(_ => (long)rng.Next(finite.Length)), 0, 1, finite.Length - 2L, finite.Length - 1L, finite.Length / 2];

        var (values, count) = OrderStatistics.Select(data, ranks);
        Assert.Equal(finite.Length, count);
        Assert.Equal(ranks.Length, values.Length);
        for (int r = 0; r < ranks.Length; r++)
        {
            double expected = finite[ranks[r]];
            // Array.Sort does not order −0 and +0; Select does (−0 first). Both are equal as numbers.
            Assert.True(expected == values[r] || (double.IsInfinity(expected) && expected.Equals(values[r])), $"rank {ranks[r]}: Select {values[r]:R} vs sort {expected:R}");
        }
    }

    [Fact]
    public void All_NaN_has_no_finite_values()
    {
        var (values, count) = OrderStatistics.Select([double.NaN, double.NaN], ReadOnlySpan<long>.Empty);
        Assert.Equal(0, count);
        Assert.Empty(values);
    }

    private static double Gaussian(Random rng) =>
        Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
