using System.Numerics;
using CsCheck;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Finance;

/// <summary>The vectorized per-trial IRR against hand-computed roots and against the scalar <see cref="FinanceMath.Irr"/>.</summary>
public sealed class IrrSolverTests
{
    private static readonly int W = Vector<double>.Count;

    /// <summary>Lane l of the result for per-lane flows (every lane's flows have the same length).</summary>
    private static double[] Solve(params double[][] lanes)
    {
        int h = lanes[0].Length - 1;
        var flows = new Vector<double>[h + 1];
        var tmp = new double[W];
        for (int t = 0; t <= h; t++)
        {
            for (int l = 0; l < W; l++)
            {
                tmp[l] = lanes[Math.Min(l, lanes.Length - 1)][t];
            }

            flows[t] = new Vector<double>(tmp);
        }

        var r = IrrSolver.Annual(flows, Math.Min(W, lanes.Length));
        return [.. Enumerable.Range(0, Math.Min(W, lanes.Length)).Select(l => r[l])];
    }

    [Fact]
    public void One_period_ten_percent()
    {
        // −100 now, +110 next month: 10 % a month, (1.1)^12 − 1 a year.
        double got = Solve([-100, 110])[0];
        Assert.Equal(Math.Pow(1.1, 12) - 1, got, 1e-12);
    }

    [Fact]
    public void Two_roots_give_the_lower_one()
    {
        // −100 + 230/x − 132/x² = 0 with x = 1 + r: 100x² − 230x + 132 = 0, x = 1.1 or 1.2. The lower IRR is 10 %.
        double got = Solve([-100, 230, -132])[0];
        Assert.Equal(Math.Pow(1.1, 12) - 1, got, 1e-10);
    }

    [Theory]
    [InlineData(new[] { -100.0, 80, 80, -12, 4 })] // tail sum S₃ < 0, but Budan's test at δ = 1 proves no root with r ≤ 0
    [InlineData(new[] { -100.0, 80, 80, -30, 5 })] // Budan fails too (c₃ < 0): the grid scan
    [InlineData(new[] { -100.0, 60, 60, -5, 20 })] // positive tail sums: Norstrøm alone
    public void Several_sign_changes_match_the_scalar_lowest_root(double[] cf)
    {
        double expected = FinanceMath.AnnualRate(FinanceMath.Irr(cf)!.Value);
        Assert.Equal(expected, Solve(cf)[0], 1e-10);
    }

    [Fact]
    public void No_sign_change_has_no_irr()
    {
        var got = Solve([-100, -5, -5], [100, 5, 0], [0, 0, 0]);
        Assert.All(got, g => Assert.True(double.IsNaN(g)));
    }

    [Fact]
    public void Lanes_are_independent()
    {
        // Conventional, two roots, none, and a loan-like stream (+ then −): each lane gets its own answer.
        var got = Solve([-100, 110, 0], [-100, 230, -132], [5, 5, 5], [100, -50, -66]);
        Assert.Equal(Math.Pow(1.1, 12) - 1, got[0], 1e-12);
        if (W >= 4)
        {
            Assert.Equal(Math.Pow(1.1, 12) - 1, got[1], 1e-10);
            Assert.True(double.IsNaN(got[2]));
            Assert.Equal(FinanceMath.AnnualRate(FinanceMath.Irr([100, -50, -66])!.Value), got[3], 1e-10);
        }
    }

    [Fact]
    public void Conventional_flows_match_the_scalar_irr_and_zero_the_npv()
    {
        // Capex then positive flows (60 months): one sign change, one root.
        var gen = Gen.Select(Gen.Double[1e3, 1e7], Gen.Double[0.001, 0.2].Array[60]);
        gen.Sample((capex, rel) =>
        {
            var cf = new double[61];
            cf[0] = -capex;
            for (int t = 1; t <= 60; t++)
            {
                cf[t] = capex * rel[t - 1] / 10;
            }

            double got = Solve(cf)[0];
            double? expected = FinanceMath.Irr(cf) is { } m ? FinanceMath.AnnualRate(m) : null;
            if (expected is null)
            {
                return double.IsNaN(got);
            }

            double monthly = Math.Pow(1 + got, 1.0 / 12) - 1;
            double scale = cf.Sum(Math.Abs);
            return Math.Abs(got - expected.Value) <= 1e-9 * Math.Max(1, Math.Abs(expected.Value)) && Math.Abs(FinanceMath.Npv(monthly, cf)) <= 1e-9 * scale;
        }, iter: 300);
    }

    /// <summary>Flows of <paramref name="h"/> + 1 months, zero except where given.</summary>
    private static double[] Flows(int h, params (int Month, double Value)[] at)
    {
        var cf = new double[h + 1];
        foreach (var (m, v) in at)
        {
            cf[m] = v;
        }

        return cf;
    }

    [Theory]
    [InlineData(61)]
    [InlineData(95)]
    [InlineData(120)]
    [InlineData(240)]
    [InlineData(600)]
    public void Long_horizons_do_not_overflow_at_minus_99_99_percent(int h)
    {
        // −100 now and 100·1.01^H at the horizon: exactly 1 % a month. The scan starts at −99.99 % a month, where the
        // discount factor 1e4^t overflows after 77 months; the old scalar IRR turned that into NaN and crashed Brent.
        var cf = Flows(h, (0, -100), (h, 100 * Math.Pow(1.01, h)));
        Assert.Equal(0.01, FinanceMath.Irr(cf)!.Value, 1e-10);
        Assert.Equal(Math.Pow(1.01, 12) - 1, Solve(cf)[0], 1e-9);
    }

    [Fact]
    public void Lowest_root_near_minus_100_percent_on_a_long_horizon()
    {
        // 2.5 − 3.25δ + δ² = (δ − 2)(δ − 1.25) in months 118…120: P(δ) = δ¹¹⁸(δ − 2)(δ − 1.25), roots δ = 2 and 1.25, i.e.
        // r = 1/δ − 1 = −50 % and −20 % a month. Two sign changes: the lowest root, −50 %, found where δ¹²⁰ at the grid's
        // first point (δ = 10⁴) overflows. Annual: 0.5¹² − 1.
        var cf = Flows(120, (118, 2.5), (119, -3.25), (120, 1));
        Assert.Equal(-0.5, FinanceMath.Irr(cf)!.Value, 1e-12);
        Assert.Equal(Math.Pow(0.5, 12) - 1, Solve(cf)[0], 1e-12);
    }

    [Fact]
    public void Scaled_npv_has_the_npv_sign_and_equals_it_at_zero()
    {
        // Σ CF_t (1 + r)^(H − t) = (1 + r)^H · NPV(r): −100·0.9² + 50·0.9 + 60 = −81 + 45 + 60 = 24 at r = −10 %.
        double[] cf = [-100, 50, 60];
        Assert.Equal(24, FinanceMath.ScaledNpv(-0.1, cf), 1e-12);
        Assert.Equal(24 / 0.81, FinanceMath.Npv(-0.1, cf), 1e-10);
        Assert.Equal(10, FinanceMath.ScaledNpv(0, cf), 1e-12);
    }
}
