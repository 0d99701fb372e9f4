using MathNet.Numerics.LinearAlgebra;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.MonteCarlo;

namespace RiskSim.Core.Tests.Sampling;

/// <summary>
/// The sampler's Iman–Conover against a plain textbook version (all k columns of T = S·(F_E⁻¹)ᵀ·F_Pᵀ with
/// MathNet's general inverse, LINQ sorts in the reference order), bit for bit; the mixing matrix; column 0.
/// </summary>
public sealed class ImanConoverTests
{
    private const int N = BlockSampler.BlockSize;

    [Theory]
    [InlineData(SamplingMethod.LatinHypercube, 0L, N)]
    [InlineData(SamplingMethod.LatinHypercube, 3L, N)]
    [InlineData(SamplingMethod.LatinHypercube, 7L, 777)]
    [InlineData(SamplingMethod.LatinHypercube, 2L, 64)]
    [InlineData(SamplingMethod.MonteCarlo, 1L, N)]
    [InlineData(SamplingMethod.MonteCarlo, 5L, 1001)]
    public void Sampler_equals_the_textbook_Iman_Conover_bit_for_bit(SamplingMethod sampling, long block, int n)
    {
        var spec = TestConfigs.Flagship();
        var correlated = new TestConfigs.Block(spec, 77, sampling);
        var plain = new TestConfigs.Block(TestConfigs.Flagship("correlations=[]"), 77, sampling); // the same uniforms before reordering
        correlated.Sample(block, n);
        plain.Sample(block, n);
        var names = correlated.Sampler.CorrelatedNames;
        int k = names.Count;
        var u = names.Select(p => plain.Workspace.UniformsOf(plain.IndexOf(p), n).ToArray()).ToArray();

        // Scores, their correlation E (each sum in index order), and T = S·M.
        var scores = Enumerable.Range(0, n).Select(r => NormalQuantile.Evaluate((r + 1.0) / (n + 1.0))).ToArray();
        var s = u.Select(col => RanksOf(col).Select(r => scores[r]).ToArray()).ToArray();
        // The diagonal sums are all Σ_r a_r² (each column of S permutes the scores); the sampler sums it in rank order.
        var e = Matrix<double>.Build.Dense(k, k);
        double squares = 0;
        foreach (double a in scores)
        {
            squares += a * a;
        }

        for (int p = 0; p < k; p++)
        {
            for (int q = 0; q < k; q++)
            {
                double sum = 0;
                for (int i = 0; i < n; i++)
                {
                    sum += s[p][i] * s[q][i];
                }

                e[p, q] = p == q ? squares : sum;
                if (p == q)
                {
                    Assert.InRange(sum - squares, -1e-9 * squares, 1e-9 * squares); // the same sum in another order
                }
            }
        }

        var diag = Enumerable.Range(0, k).Select(i => Math.Sqrt(e[i, i])).ToArray();
        for (int p = 0; p < k; p++)
        {
            for (int q = 0; q < k; q++)
            {
                e[p, q] /= diag[p] * diag[q];
            }
        }

        var fp = Matrix<double>.Build.DenseOfArray(correlated.Sampler.TargetCorrelation!).Cholesky().Factor;
        var m = e.Cholesky().Factor.Inverse().Transpose() * fp.Transpose();
        for (int c = 0; c < k; c++)
        {
            var t = new double[n];
            for (int i = 0; i < n; i++)
            {
                double x = 0;
                for (int p = 0; p < k; p++)
                {
                    x += s[p][i] * m[p, c];
                }

                t[i] = x;
            }

            var sortedU = new double[n]; // u in the sampler's rank order (plain MC uniforms can tie in the top 32 bits)
            var rankU = RanksOf(u[c]);
            for (int i = 0; i < n; i++)
            {
                sortedU[rankU[i]] = u[c][i];
            }

            var rankT = RanksOf(t);
            var actual = correlated.Workspace.UniformsOf(correlated.IndexOf(names[c]), n);
            for (int i = 0; i < n; i++)
            {
                Assert.True(
                    BitConverter.DoubleToInt64Bits(actual[i]) == BitConverter.DoubleToInt64Bits(sortedU[rankT[i]]),
                    $"{names[c]} trial {i}: {actual[i]:R}, textbook {sortedU[rankT[i]]:R}");
            }
        }
    }

    [Fact]
    public void The_first_correlated_input_keeps_its_draws()
    {
        foreach (var sampling in new[] { SamplingMethod.LatinHypercube, SamplingMethod.MonteCarlo })
        {
            var correlated = new TestConfigs.Block(TestConfigs.Flagship(), 5, sampling);
            var plain = new TestConfigs.Block(TestConfigs.Flagship("correlations=[]"), 5, sampling);
            correlated.Sample(4, N);
            plain.Sample(4, N);
            string first = correlated.Sampler.CorrelatedNames[0];
            Assert.Equal(plain.ColumnOf(first).AsSpan(0, N), correlated.ColumnOf(first).AsSpan(0, N));
            Assert.False(plain.ColumnOf(correlated.Sampler.CorrelatedNames[1]).AsSpan(0, N).SequenceEqual(correlated.ColumnOf(correlated.Sampler.CorrelatedNames[1]).AsSpan(0, N)));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(6)]
    public void Mixing_matrix_is_exactly_upper_triangular_and_solves_the_system(int k)
    {
        var rng = new Random(k);
        for (int trial = 0; trial < 20; trial++)
        {
            var fe = RandomCorrelation(rng, k).Cholesky().Factor;
            var fp = RandomCorrelation(rng, k).Cholesky().Factor;
            var m = new double[k, k];
            BlockSampler.MixingMatrix(fe, fp, m);
            var expected = fe.Inverse().Transpose() * fp.Transpose();
            for (int i = 0; i < k; i++)
            {
                for (int c = 0; c < k; c++)
                {
                    if (i > c)
                    {
                        Assert.Equal(0UL, (ulong)BitConverter.DoubleToInt64Bits(m[i, c])); // +0 exactly
                    }
                    else
                    {
                        Assert.InRange(m[i, c] - expected[i, c], -1e-12, 1e-12);
                    }
                }

                Assert.True(m[i, i] > 0);
            }
        }
    }

    private static Matrix<double> RandomCorrelation(Random rng, int k)
    {
        var a = Matrix<double>.Build.Dense(k, k + 2, (_, _) => rng.NextDouble() - 0.5);
        var c = a * a.Transpose();
        var d = Enumerable.Range(0, k).Select(i => Math.Sqrt(c[i, i])).ToArray();
        return Matrix<double>.Build.Dense(k, k, (i, j) => c[i, j] / (d[i] * d[j]));
    }

    /// <summary>Ranks in the sampler's order: top 32 bits of the order-preserving key, ties by index.</summary>
    private static int[] RanksOf(double[] x)
    {
        var order = Enumerable.Range(0, x.Length).OrderBy(i => RankSort.Key32(x[i])).ThenBy(i => i).ToArray();
        var rank = new int[x.Length];
        for (int r = 0; r < order.Length; r++)
        {
            rank[order[r]] = r;
        }

        return rank;
    }
}
