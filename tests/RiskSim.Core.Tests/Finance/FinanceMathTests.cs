using CsCheck;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Finance;

/// <summary>
/// FinanceMath against an independent engine (LibreOffice Calc) and hand computation.
///
/// Golden values: LibreOffice 7.4.7.2, from Golden/finance-golden.fods (cash flows in columns H…, one set
/// per row; B = NPV(rate; CF1:CFn) + CF0, C = IRR(CF0:CFn), D = MIRR(CF0:CFn; finance; reinvest); last row:
/// (1+0.1)^(1/12)−1, its round trip, −PMT(0.01;36;1), −PMT(0;36;1), −PMT(0.05;10;1)). Regenerate with
///   soffice --headless --convert-to 'csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false' \
///     --outdir /tmp/lo_out tests/RiskSim.Core.Tests/Golden/finance-golden.fods
/// The output of that run is kept as Golden/finance-golden.out.csv (15 significant digits; IRR and MIRR
/// printed as percentages, divided by 100 below).
/// </summary>
public class FinanceMathTests
{
    public static TheoryData<string, double, double, double, double[], double, double, double> Golden => new()
    {
        // label, rate, finance rate, reinvest rate, CF0..CFn, LibreOffice NPV, IRR, MIRR
        { "classic", 0.01, 0.01, 0.015, [-1000, 300, 400, 500, 200], 366.639265593451, 0.153221378771815, 0.0941674319166841 },
        { "annuity24", 0.008, 0.008, 0.008, [-10000, .. Enumerable.Repeat(500.0, 24)], 878.900953505998, 0.0151308439023101, 0.0115443019978045 },
        { "mixed", 0.005, 0.01, 0.02, [-1000, 500, -200, 800, 600], 675.765057658304, 0.213775449439276, 0.129486990289637 },
        { "late", 0.007974140428903741, 0.01, 0.015, [-5000, -500, 800, 900, 1000, 1100, 1200, 1300, 1400], 1883.71985345824, 0.0675435494560717, 0.0482601246847103 },
    };

    [Theory]
    [MemberData(nameof(Golden))]
    public void Npv_matches_LibreOffice_NPV_plus_CF0(string label, double rate, double fin, double reinv, double[] cf, double npv, double irr, double mirr)
    {
        _ = (label, fin, reinv, irr, mirr);
        Assert.Equal(npv, FinanceMath.Npv(rate, cf), 1e-12 * Math.Abs(npv) + 1e-9);
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Irr_matches_LibreOffice_IRR(string label, double rate, double fin, double reinv, double[] cf, double npv, double irr, double mirr)
    {
        _ = (label, rate, fin, reinv, npv, mirr);
        double? got = FinanceMath.Irr(cf);
        Assert.NotNull(got);

        // LibreOffice prints 15 significant digits and finds IRR iteratively; 1e-10 relative is asked of both.
        Assert.Equal(irr, got.Value, 1e-10 * Math.Abs(irr));
    }

    [Theory]
    [MemberData(nameof(Golden))]
    public void Mirr_matches_LibreOffice_MIRR(string label, double rate, double fin, double reinv, double[] cf, double npv, double irr, double mirr)
    {
        _ = (label, rate, npv, irr);
        double? got = FinanceMath.Mirr(cf, fin, reinv);
        Assert.NotNull(got);
        Assert.Equal(mirr, got.Value, 1e-12 * Math.Abs(mirr));
    }

    [Fact]
    public void MonthlyRate_of_10pct_matches_LibreOffice_and_round_trips()
    {
        // LibreOffice: =(1+0.1)^(1/12)-1 → 0.00797414042890376; =(1+B)^12-1 → 0.1
        Assert.Equal(0.00797414042890376, FinanceMath.MonthlyRate(0.10), 1e-16);
        Assert.Equal(0.10, FinanceMath.AnnualRate(FinanceMath.MonthlyRate(0.10)), 1e-15);
    }

    [Fact]
    public void MonthlyRate_AnnualRate_round_trip_property()
    {
        Gen.Double[-0.99, 5.0].Sample(r =>
        {
            Assert.Equal(r, FinanceMath.AnnualRate(FinanceMath.MonthlyRate(r)), 1e-12 * Math.Max(1, Math.Abs(r)));
            Assert.Equal(r, FinanceMath.MonthlyRate(FinanceMath.AnnualRate(r / 12)) * 12, 1e-12 * Math.Max(1, Math.Abs(r)));
        }, iter: 2000);
    }

    [Fact]
    public void CapitalRecoveryFactor_hand_and_LibreOffice_PMT()
    {
        // CRF(r, n) = −PMT(r; n; 1). LibreOffice: −PMT(0.01;36;1) = 0.0332143098128512, −PMT(0.05;10;1) = 0.129504574965457.
        Assert.Equal(0.0332143098128512, FinanceMath.CapitalRecoveryFactor(0.01, 36), 1e-15);
        Assert.Equal(0.129504574965457, FinanceMath.CapitalRecoveryFactor(0.05, 10), 1e-14);

        // Hand: n = 1 → r / (1 − 1/(1+r)) = 1 + r.
        Assert.Equal(1.07, FinanceMath.CapitalRecoveryFactor(0.07, 1), 1e-14);

        // r = 0: straight line 1/n (LibreOffice −PMT(0;36;1) = 0.0277777777777778).
        Assert.Equal(1.0 / 36, FinanceMath.CapitalRecoveryFactor(0, 36));
        Assert.Equal(0.0277777777777778, FinanceMath.CapitalRecoveryFactor(0, 36), 1e-15);
    }

    [Fact]
    public void Macrs5_is_IRS_Pub946_Table_A1_and_sums_to_one()
    {
        // IRS Publication 946, Table A-1 (3-, 5-, 7-, 10-, 15-, 20-year property, half-year convention),
        // 5-year column: 20.00 %, 32.00 %, 19.20 %, 11.52 %, 11.52 %, 5.76 %.
        double[] irs = [0.2000, 0.3200, 0.1920, 0.1152, 0.1152, 0.0576];
        Assert.Equal(irs.Length, FinanceMath.Macrs5.Length);
        for (int i = 0; i < irs.Length; i++)
        {
            Assert.Equal(irs[i], FinanceMath.Macrs5[i], 1e-15);
        }

        Assert.Equal(1.0, FinanceMath.Macrs5.Sum(), 1e-14);
    }

    [Theory]
    // cum: −70, −40, −10, +20 → crosses in month 4: 3 + 10/30
    [InlineData(new double[] { -100, 30, 30, 30, 30 }, 3 + 10.0 / 30)]
    // cum reaches exactly 0 at month 2: 1 + 50/50
    [InlineData(new double[] { -100, 50, 50 }, 2.0)]
    // first month repays 40 of 100 then dips, then repays: cum −60, −80, +20 at month 3 → 2 + 80/100
    [InlineData(new double[] { -100, 40, -20, 100 }, 2.8)]
    // immediate: cum after month 1 = +100 → 0 + 100/200
    [InlineData(new double[] { -100, 200 }, 0.5)]
    public void Payback_interpolates_within_the_month(double[] cf, double expected)
    {
        Assert.Equal(expected, FinanceMath.Payback(cf), 1e-12);
    }

    [Theory]
    [InlineData(new double[] { -100, 10, 10, 10 })]
    [InlineData(new double[] { 100, 10 })]
    [InlineData(new double[] { })]
    public void Payback_never_is_NaN(double[] cf)
    {
        Assert.True(double.IsNaN(FinanceMath.Payback(cf)));
    }

    [Fact]
    public void DiscountedPayback_hand_case()
    {
        // r = 10 %/period: 110 at t = 1 is worth 100 → discounted cum 0 at t = 1 → 0 + 100/100 = 1.
        Assert.Equal(1.0, FinanceMath.DiscountedPayback(0.10, [-100, 110, 0]), 1e-12);

        // 60 + 60 undiscounted pays back at 1 + 40/60, but at 10 %: 54.545 + 49.587 = 104.13 → 1 + 45.4545/49.5868 = 1.91667.
        double d1 = 60 / 1.1, d2 = 60 / 1.21;
        Assert.Equal(1 + (100 - d1) / d2, FinanceMath.DiscountedPayback(0.10, [-100, 60, 60]), 1e-12);
        Assert.True(double.IsNaN(FinanceMath.DiscountedPayback(0.10, [-100, 55, 55])));
    }

    [Fact]
    public void Irr_is_null_without_a_sign_change()
    {
        Assert.Null(FinanceMath.Irr([-100, -10, 0, -5]));
        Assert.Null(FinanceMath.Irr([100, 10, 10]));
        Assert.Null(FinanceMath.Irr([0, 0, 0]));
    }

    [Fact]
    public void Irr_hand_case_two_periods()
    {
        // −100 + 60/(1+r) + 60/(1+r)² = 0 → with x = 1/(1+r): 60x² + 60x − 100 = 0 →
        // x = (−60 + √(3600 + 24000)) / 120 = (−60 + √27600)/120; r = 1/x − 1 ≈ 0.130662
        double x = (-60 + Math.Sqrt(27600)) / 120;
        Assert.Equal(1 / x - 1, FinanceMath.Irr([-100, 60, 60])!.Value, 1e-12);
    }

    [Fact]
    public void Npv_at_zero_rate_is_the_sum_and_CF0_is_undiscounted()
    {
        Assert.Equal(10.0, FinanceMath.Npv(0, [-100, 50, 60]), 1e-12);

        // Only CF0: undiscounted at any rate.
        Assert.Equal(-100.0, FinanceMath.Npv(0.5, [-100]), 1e-12);

        // −100 + 110/1.1 = 0
        Assert.Equal(0.0, FinanceMath.Npv(0.1, [-100, 110]), 1e-12);
    }

    [Fact]
    public void ProfitabilityIndex_hand_case()
    {
        // PV in = 110/1.1 + 121/1.21 = 200; PV out = 100 → 2
        Assert.Equal(2.0, FinanceMath.ProfitabilityIndex([-100, 110, 121], 0.1)!.Value, 1e-12);
        Assert.Null(FinanceMath.ProfitabilityIndex([100, 110], 0.1));
    }

    [Fact]
    public void SignChanges_skips_zeros()
    {
        Assert.Equal(1, FinanceMath.SignChanges([-1, 0, 0, 2]));
        Assert.Equal(3, FinanceMath.SignChanges([-1, 2, 0, -3, 4]));
        Assert.Equal(0, FinanceMath.SignChanges([0, 0]));
    }
}
