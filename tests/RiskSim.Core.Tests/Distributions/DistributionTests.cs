using RiskSim.Core.Distributions;
using MN = MathNet.Numerics.Distributions;

namespace RiskSim.Core.Tests.Distributions;

/// <summary>Quantiles against MathNet.Numerics' inverse CDFs, the bulk path against the exact one.</summary>
public class DistributionTests
{
    /// <summary>u grid including both tails.</summary>
    public static readonly double[] Grid =
        [1e-12, 1e-9, 1e-6, 1e-4, 1e-3, 0.01, 0.05, 0.1, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.7, 0.75, 0.8, 0.9, 0.95, 0.99, 0.999, 1 - 1e-4, 1 - 1e-6, 1 - 1e-9, 1 - 1e-12];

    private static void Close(double expected, double actual, double rel, string what) =>
        Assert.True(Math.Abs(expected - actual) <= rel * Math.Max(1e-300, Math.Abs(expected)), $"{what}: expected {expected:R}, got {actual:R} (rel {Math.Abs(expected - actual) / Math.Abs(expected):E2}, allowed {rel:E0})");

    [Fact]
    public void Normal_quantile_matches_MathNet_to_13_digits()
    {
        var d = new NormalDistribution(5, 2);
        foreach (double u in Grid)
        {
            Close(MN.Normal.InvCDF(5, 2, u), d.Quantile(u), 1e-13, $"u={u}");
        }
    }

    [Fact]
    public void Truncated_normal_quantile_matches_MathNet_on_the_kept_mass()
    {
        // Q(u) = Φ⁻¹(Φ(lo) + u (Φ(hi) − Φ(lo))), and stays within [lo, hi].
        var d = new NormalDistribution(0.6, 0.2, 0, 1);
        double plo = MN.Normal.CDF(0.6, 0.2, 0), phi = MN.Normal.CDF(0.6, 0.2, 1);
        foreach (double u in Grid)
        {
            double q = d.Quantile(u);
            // Absolute tolerance 1e-13 × (|x| + sd): near the lower bound 0 the value is mean + sd·z with
            // z ≈ −3, so both implementations lose relative digits to cancellation (at u = 1e-12 the value
            // is 4.4e-11 and they differ by 2e-16, i.e. 5e-6 relative: rounding of 0.6 − 0.6, not an error).
            double expected = MN.Normal.InvCDF(0.6, 0.2, plo + u * (phi - plo));
            Assert.True(Math.Abs(expected - q) <= 1e-13 * (Math.Abs(expected) + 0.2), $"u={u}: {expected:R} vs {q:R}");
            Assert.InRange(q, 0, 1);
        }
    }

    [Fact]
    public void Lognormal_quantile_matches_MathNet_to_13_digits()
    {
        // Median 3 → μ = ln 3, σ = 0.5.
        var d = new LognormalDistribution(3, 0.5);
        foreach (double u in Grid)
        {
            Close(MN.LogNormal.InvCDF(Math.Log(3), 0.5, u), d.Quantile(u), 1e-13, $"u={u}");
        }

        Close(3, d.Median, 1e-15, "median");
    }

    [Fact]
    public void Truncated_lognormal_quantile_matches_MathNet_on_the_kept_mass()
    {
        // median 2, σ 0.8 truncated to [1, 5]: Q(u) = exp(Φ⁻¹(Φ(ln 1) + u (Φ(ln 5) − Φ(ln 1)))) with μ = ln 2.
        var d = new LognormalDistribution(2, 0.8, 1, 5);
        double mu = Math.Log(2);
        double plo = MN.Normal.CDF(mu, 0.8, 0), phi = MN.Normal.CDF(mu, 0.8, Math.Log(5));
        Close(phi - plo, d.KeptMass, 1e-15, "kept mass");
        foreach (double u in Grid)
        {
            double q = d.Quantile(u);
            Close(MN.LogNormal.InvCDF(mu, 0.8, plo + u * (phi - plo)), q, 1e-13, $"u={u}");
            Assert.InRange(q, 1, 5);
        }
    }

    [Fact]
    public void Triangular_quantile_matches_MathNet_to_13_digits()
    {
        foreach (var (a, m, b) in new[] { (1.0, 2.0, 5.0), (0.0, 0.0, 1.0), (0.0, 1.0, 1.0), (-3.0, 4.0, 10.0) })
        {
            var d = new TriangularDistribution(a, m, b);
            foreach (double u in Grid)
            {
                double expected = MN.Triangular.InvCDF(a, b, m, u);
                Assert.True(Math.Abs(expected - d.Quantile(u)) <= 1e-13 * (b - a), $"tri({a},{m},{b}) u={u}: {expected:R} vs {d.Quantile(u):R}");
            }
        }
    }

    [Fact]
    public void Uniform_quantile_matches_MathNet_to_15_digits()
    {
        var d = new UniformDistribution(-2, 7);
        foreach (double u in Grid)
        {
            Assert.Equal(MN.ContinuousUniform.InvCDF(-2, 7, u), d.Quantile(u), 1e-15 * 9);
        }
    }

    [Fact]
    public void Beta_quantile_inverts_MathNet_CDF_to_10_digits_and_agrees_with_its_InvCDF()
    {
        // MathNet's Beta.InvCDF stops at about 1e-7 relative in probability; RiskSim polishes it with Newton
        // steps on the regularized incomplete beta (MathNet's CDF), so the round trip CDF(Q(u)) = u holds
        // to 10 digits relative to the tail probability (down to 1e-12), and Q stays within 1e-6 of MathNet's
        // InvCDF where that inverse is reliable (tail probability ≥ 1e-6).
        var d = new BetaDistribution(2, 5, 10, 20);
        foreach (double u in Grid)
        {
            double z = (d.Quantile(u) - 10) / 10;
            double tail = Math.Min(u, 1 - u);
            double roundTrip = u <= 0.5 ? MN.Beta.CDF(2, 5, z) - u : (1 - u) - MN.Beta.CDF(5, 2, 1 - z);
            Assert.True(Math.Abs(roundTrip) <= 1e-10 * tail, $"u={u}: CDF(Q(u)) − u = {roundTrip:E3}");
            if (tail >= 1e-6)
            {
                Assert.True(Math.Abs(10 + 10 * MN.Beta.InvCDF(2, 5, u) - d.Quantile(u)) <= 1e-6 * 10, $"u={u}");
            }
        }
    }

    [Fact]
    public void Pert_is_the_beta_with_hand_computed_shapes()
    {
        // PERT(0, 1, 4), λ = 4: α = 1 + 4 × 1/4 = 2, β = 1 + 4 × 3/4 = 4 (Vose).
        var d = new PertDistribution(0, 1, 4);
        Assert.Equal(2, d.Alpha, 1e-15);
        Assert.Equal(4, d.Beta, 1e-15);
        foreach (double u in Grid)
        {
            if (Math.Min(u, 1 - u) >= 1e-6)
            {
                Assert.True(Math.Abs(4 * MN.Beta.InvCDF(2, 4, u) - d.Quantile(u)) <= 1e-6 * 4, $"u={u}"); // MathNet's inverse: ~1e-7 in probability
            }
        }

        // Independent of MathNet's inverse: Beta(2, 4) CDF is closed-form, I_x(2,4) = 1 − (1−x)^5 − 5x(1−x)^4 … check the round trip.
        foreach (double u in new[] { 0.1, 0.5, 0.9 })
        {
            double x = d.Quantile(u) / 4;
            double cdf = 1 - Math.Pow(1 - x, 5) - 5 * x * Math.Pow(1 - x, 4);
            Assert.Equal(u, cdf, 1e-12);
        }

        // PERT mean (min + λ·mode + max)/(λ + 2) = (0 + 4 + 4)/6 = 4/3 = 4 α/(α+β) ✓.
        Assert.Equal(4.0 / 3, 4 * d.Alpha / (d.Alpha + d.Beta), 1e-15);
    }

    [Fact]
    public void NormalQuantile_matches_MathNet_to_1e_14_relative()
    {
        var ps = new List<double>();
        for (int e = -12; e <= -1; e++)
        {
            foreach (double m in new[] { 1.0, 2.5, 5.0, 7.5 })
            {
                ps.Add(m * Math.Pow(10, e));
                ps.Add(1 - m * Math.Pow(10, e));
            }
        }

        for (int i = 1; i < 1000; i++)
        {
            ps.Add(i / 1000.0);
        }

        double worst = 0;
        double worstP = 0;
        foreach (double p in ps.Where(p => p >= 1e-12 && p <= 1 - 1e-12))
        {
            double expected = MN.Normal.InvCDF(0, 1, p);
            double got = NormalQuantile.Evaluate(p);
            double rel = expected == 0 ? Math.Abs(got) : Math.Abs(got - expected) / Math.Abs(expected);
            if (rel > worst)
            {
                worst = rel;
                worstP = p;
            }
        }

        Assert.True(worst <= 1e-14, $"max relative difference {worst:E3} at p = {worstP:R}");
    }

    public static TheoryData<string, BetaDistribution> BulkCases => new()
    {
        { "PERT(0,1,4)", new PertDistribution(0, 1, 4) },
        { "PERT(0.35,0.65,0.9) utilization", new PertDistribution(0.35, 0.65, 0.9) },
        { "PERT(1,1.05,1.3) capex overrun", new PertDistribution(1.0, 1.05, 1.3) },
        { "PERT(0,0,1) mode at min", new PertDistribution(0, 0, 1) },
        { "beta(2,5)", new BetaDistribution(2, 5, 0, 1) },
        { "beta(0.5,0.5)", new BetaDistribution(0.5, 0.5, 0, 1) },
        { "beta(5,1) on [100,200]", new BetaDistribution(5, 1, 100, 200) },
    };

    [Theory]
    [MemberData(nameof(BulkCases))]
    public void QuantileBlock_matches_Quantile_within_1e_9_of_the_range(string name, BetaDistribution d)
    {
        const int n = 100_000;
        var u = new double[n];
        var rng = new Random(12345);
        for (int i = 0; i < n; i++)
        {
            // half a regular grid (cell interiors and edges), half random
            u[i] = i % 2 == 0 ? (i + 0.5) / n : rng.NextDouble() * (1 - 2e-16) + 1e-16;
        }

        var x = new double[n];
        d.QuantileBlock(u, x);
        double worst = 0;
        double worstU = 0;
        for (int i = 0; i < n; i++)
        {
            double err = Math.Abs(x[i] - d.Quantile(u[i]));
            if (err > worst)
            {
                worst = err;
                worstU = u[i];
            }
        }

        double allowed = 1e-9 * (d.Max - d.Min);
        Assert.True(worst <= allowed, $"{name}: max |QuantileBlock − Quantile| = {worst:E3} at u = {worstU:R} (allowed {allowed:E1})");
    }

    [Theory]
    [MemberData(nameof(BulkCases))]
    public void QuantileBlock_vector_and_scalar_paths_are_bit_identical(string name, BetaDistribution d)
    {
        // Blocks shorter than 4 run the scalar loop; the long block runs the vector path (where AVX/FMA exist).
        const int n = 20_000;
        var u = new double[n];
        var rng = new Random(777);
        for (int i = 0; i < n; i++)
        {
            u[i] = i % 3 == 0 ? Math.Pow(2, -68 * rng.NextDouble()) : i % 3 == 1 ? 1 - Math.Pow(2, -52 * rng.NextDouble()) : rng.NextDouble();
        }

        var bulk = new double[n];
        d.QuantileBlock(u, bulk);
        var one = new double[1];
        for (int i = 0; i < n; i++)
        {
            d.QuantileBlock(u.AsSpan(i, 1), one);
            Assert.True(BitConverter.DoubleToInt64Bits(one[0]) == BitConverter.DoubleToInt64Bits(bulk[i]), $"{name}: u = {u[i]:R}: scalar {one[0]:R}, vector {bulk[i]:R}");
        }
    }

    [Fact]
    public void Discrete_quantile_is_the_left_continuous_inverse_with_the_lower_median()
    {
        // Equal weights (an empirical sample), given unsorted: sorted 1, 2, 3, 4; cum 0.25, 0.5, 0.75, 1.
        var d = new DiscreteDistribution([4, 1, 3, 2], [0.25, 0.25, 0.25, 0.25]);
        Assert.Equal(2, d.Median); // lower median of 1, 2, 3, 4
        Assert.Equal(1, d.Quantile(1e-12));
        Assert.Equal(1, d.Quantile(0.25));
        Assert.Equal(2, d.Quantile(0.2500001));
        Assert.Equal(3, d.Quantile(0.74));
        Assert.Equal(4, d.Quantile(1 - 1e-12));

        // Weighted: 10 (0.2), 20 (0.5), 30 (0.3): cum 0.2, 0.7, 1.
        var w = new DiscreteDistribution([30, 10, 20], [0.3, 0.2, 0.5]);
        Assert.Equal(10, w.Quantile(0.1));
        Assert.Equal(20, w.Quantile(0.21));
        Assert.Equal(20, w.Quantile(0.5));
        Assert.Equal(20, w.Median);
        Assert.Equal(30, w.Quantile(0.71));
        Assert.Equal(10, w.Lower);
        Assert.Equal(30, w.Upper);
    }

    [Fact]
    public void Fixed_and_scaled()
    {
        var f = new FixedDistribution(7);
        Assert.True(f.IsFixed);
        Assert.Equal(7, f.Quantile(0.123));
        var x = new double[3];
        f.QuantileBlock([0.1, 0.5, 0.9], x);
        Assert.Equal([7.0, 7.0, 7.0], x);

        // capex per unit 5e6 over 72 GPUs: uniform(72, 144) / 72 → uniform(1, 2).
        var s = new ScaledDistribution(new UniformDistribution(72, 144), 1.0 / 72);
        Assert.Equal(1.5, s.Quantile(0.5), 1e-15);
        Assert.Equal(1, s.Lower, 1e-15);
        Assert.Equal(2, s.Upper, 1e-15);
    }
}
