using System.Globalization;
using MathNet.Numerics.Distributions;
using Xunit.Abstractions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.MonteCarlo;

namespace RiskSim.Core.Tests.Sampling;

/// <summary>Latin hypercube strata, Iman–Conover rank correlation, marginal distributions (KS) and common random numbers.</summary>
public sealed class SamplerTests(ITestOutputHelper output)
{
    private const int N = BlockSampler.BlockSize;

    [Theory]
    [InlineData(0L, N, false)]
    [InlineData(5L, N, false)]
    [InlineData(3L, 5003, false)]
    [InlineData(0L, N, true)] // Iman–Conover only permutes uniforms between trials: strata survive it
    public void Lhs_puts_exactly_one_draw_in_each_stratum(long block, int n, bool correlated)
    {
        var spec = correlated ? TestConfigs.Flagship() : TestConfigs.Flagship("correlations=[]");
        var blk = new TestConfigs.Block(spec, 123, SamplingMethod.LatinHypercube);
        blk.Sample(block, n);
        Assert.True(blk.Sampler.Inputs.Count >= 10);
        var hits = new int[n];
        for (int j = 0; j < blk.Sampler.Inputs.Count; j++)
        {
            Array.Clear(hits);
            var u = blk.Workspace.UniformsOf(j, n);
            foreach (double x in u)
            {
                Assert.True(x > 0 && x < 1, $"uniform {x:R} outside (0, 1)");
                int k = (int)Math.Floor(x * n);
                hits[k]++;
            }

            for (int k = 0; k < n; k++)
            {
                Assert.True(hits[k] == 1, $"{blk.Sampler.Inputs[j].Path}: stratum [{k}/{n}, {k + 1}/{n}) has {hits[k]} draws");
            }

            // The values are the quantiles of these uniforms, trial by trial (the sampler evaluates them in stratum order).
            var expected = new double[n];
            blk.Sampler.Inputs[j].Distribution.QuantileBlock(u, expected);
            var actual = blk.ColumnOf(blk.Sampler.Inputs[j].Path).AsSpan(0, n);
            for (int i = 0; i < n; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(expected[i]) == BitConverter.DoubleToInt64Bits(actual[i]), $"{blk.Sampler.Inputs[j].Path} trial {i}: {actual[i]:R}, Q(u) {expected[i]:R}");
            }
        }
    }

    [Theory]
    [InlineData(SamplingMethod.LatinHypercube, 0L)]
    [InlineData(SamplingMethod.LatinHypercube, 4L)]
    [InlineData(SamplingMethod.MonteCarlo, 0L)]
    [InlineData(SamplingMethod.MonteCarlo, 9L)]
    public void Iman_Conover_reaches_the_target_rank_correlations(SamplingMethod sampling, long block)
    {
        var spec = TestConfigs.Flagship();
        var blk = new TestConfigs.Block(spec, spec.Simulation.Seed, sampling);
        blk.Sample(block, N);
        var names = blk.Sampler.CorrelatedNames;
        var target = blk.Sampler.TargetCorrelation!;
        Assert.Equal(3, names.Count); // two given pairs and one implied 0
        for (int a = 0; a < names.Count; a++)
        {
            for (int b = a + 1; b < names.Count; b++)
            {
                double rho = Spearman(blk.Workspace.UniformsOf(blk.IndexOf(names[a]), N), blk.Workspace.UniformsOf(blk.IndexOf(names[b]), N));
                output.WriteLine($"{names[a]} / {names[b]}: target {target[a, b]:F3}, Spearman {rho:F4}");
                Assert.InRange(rho, target[a, b] - 0.03, target[a, b] + 0.03);
            }
        }
    }

    /// <summary>
    /// Sampled marginals against MathNet's CDFs (truncation applied), Kolmogorov–Smirnov statistic D on one
    /// full block. Plain MC: D ≤ 1.949/√n (the asymptotic 0.1 % critical value). LHS puts one draw in each
    /// 1/n stratum, so D ≤ 1/n plus the bulk-quantile error; tolerance 1/n + 1e-9.
    /// </summary>
    [Theory]
    [InlineData(SamplingMethod.MonteCarlo, 0L)]
    [InlineData(SamplingMethod.MonteCarlo, 6L)]
    [InlineData(SamplingMethod.LatinHypercube, 0L)]
    [InlineData(SamplingMethod.LatinHypercube, 6L)]
    public void Sampled_marginals_pass_Kolmogorov_Smirnov(SamplingMethod sampling, long block)
    {
        var spec = TestConfigs.Flagship(
            "correlations=[]",
            "market.price_usd_per_million_output_tokens={\"dist\":\"normal\",\"mean\":2.19,\"sd\":0.6,\"min\":0.5,\"max\":10}",
            "cost.electricity_usd_per_kwh={\"dist\":\"lognormal\",\"median\":0.08,\"sigma\":0.4,\"max\":0.2}",
            "operating_point.output_tokens_per_s_per_gpu={\"dist\":\"triangular\",\"min\":800,\"mode\":1111,\"max\":1300}");
        var blk = new TestConfigs.Block(spec, 99, sampling);
        blk.Sample(block, N);

        double pertMin = 0.35, pertMode = 0.65, pertMax = 0.9; // drivers.utilization
        double al = 1 + 4 * (pertMode - pertMin) / (pertMax - pertMin), be = 1 + 4 * (pertMax - pertMode) / (pertMax - pertMin);
        double nLo = Normal.CDF(2.19, 0.6, 0.5), nHi = Normal.CDF(2.19, 0.6, 10);
        double mu = Math.Log(0.08);
        double lHi = LogNormal.CDF(mu, 0.4, 0.2);
        var cases = new (string Path, Func<double, double> Cdf)[]
        {
            ("drivers.utilization", x => Beta.CDF(al, be, (x - pertMin) / (pertMax - pertMin))),
            ("market.price_usd_per_million_output_tokens", x => (Normal.CDF(2.19, 0.6, x) - nLo) / (nHi - nLo)),
            ("cost.electricity_usd_per_kwh", x => LogNormal.CDF(mu, 0.4, x) / lHi),
            ("operating_point.output_tokens_per_s_per_gpu", x => Triangular.CDF(800, 1300, 1111, x)),
            ("market.cached_input_share", x => ContinuousUniform.CDF(0.1, 0.5, x)),
        };

        double tol = sampling == SamplingMethod.MonteCarlo ? 1.949 / Math.Sqrt(N) : 1.0 / N + 1e-9;
        foreach (var (path, cdf) in cases)
        {
            var x = blk.ColumnOf(path).AsSpan(0, N).ToArray();
            Array.Sort(x);
            double d = 0;
            for (int i = 0; i < N; i++)
            {
                double f = cdf(x[i]);
                d = Math.Max(d, Math.Max(f - (double)i / N, (double)(i + 1) / N - f));
            }

            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{sampling} block {block} {path}: D = {d:G4} (tolerance {tol:G4}; D·√n = {d * Math.Sqrt(N):F3})"));
            Assert.True(d <= tol, $"{path}: KS D = {d:G4} > {tol:G4}");
        }
    }

    [Theory]
    [InlineData(SamplingMethod.LatinHypercube, 0L, N)]
    [InlineData(SamplingMethod.LatinHypercube, 7L, 777)]
    [InlineData(SamplingMethod.MonteCarlo, 2L, N)]
    [InlineData(SamplingMethod.MonteCarlo, 7L, 777)]
    public void Adding_an_unrelated_input_does_not_change_the_other_draws(SamplingMethod sampling, long block, int n)
    {
        var before = new TestConfigs.Block(TestConfigs.Flagship(), 2025, sampling);
        var after = new TestConfigs.Block(
            TestConfigs.Flagship(
                "cost.staff_usd_per_year={\"dist\":\"uniform\",\"min\":200000,\"max\":300000}",
                "cost.capex_usd_per_unit={\"dist\":\"pert\",\"min\":4500000,\"mode\":5000000,\"max\":6000000}"),
            2025,
            sampling);
        Assert.Equal(before.Sampler.Inputs.Count + 2, after.Sampler.Inputs.Count);
        before.Sample(block, n);
        after.Sample(block, n);
        foreach (var input in before.Sampler.Inputs)
        {
            var a = before.ColumnOf(input.Path).AsSpan(0, n);
            var b = after.ColumnOf(input.Path).AsSpan(0, n);
            for (int i = 0; i < n; i++)
            {
                Assert.True(BitConverter.DoubleToInt64Bits(a[i]) == BitConverter.DoubleToInt64Bits(b[i]), $"{input.Path} trial {i}: {a[i]:R} vs {b[i]:R}");
            }
        }
    }

    private static double Spearman(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var rx = Ranks(x);
        var ry = Ranks(y);
        double mean = (x.Length - 1) / 2.0;
        double sxy = 0, sxx = 0, syy = 0;
        for (int i = 0; i < x.Length; i++)
        {
            double dx = rx[i] - mean, dy = ry[i] - mean;
            sxy += dx * dy;
            sxx += dx * dx;
            syy += dy * dy;
        }

        return sxy / Math.Sqrt(sxx * syy);
    }

    private static double[] Ranks(ReadOnlySpan<double> v)
    {
        var idx = Enumerable.Range(0, v.Length).ToArray();
        var keys = v.ToArray();
        Array.Sort(keys, idx);
        var r = new double[v.Length];
        for (int i = 0; i < idx.Length; i++)
        {
            r[idx[i]] = i; // uniforms have no ties
        }

        return r;
    }
}
