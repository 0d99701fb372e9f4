using System.Numerics;
using CsCheck;
using RiskSim.Core.Finance;
using RiskSim.Core.MonteCarlo;

namespace RiskSim.Core.Tests.MonteCarlo;

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
}
