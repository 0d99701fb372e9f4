using CsCheck;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.Support;

namespace RiskSim.Core.Tests.Model;

/// <summary>
/// Properties of the reference model over random parameter values around the flagship config
/// (GB200 NVL72, build_up, 60 months, 21 % tax with MACRS, ramp, erosion, software improvement).
/// </summary>
public class ModelPropertyTests
{
    private static readonly SimulationSpec Flagship = ConfigLoader.Load(File.ReadAllText(RepoPaths.Flagship), RepoPaths.Flagship);
    private static readonly ModelContext Ctx = new(Flagship);

    /// <summary>Random draws of the drivers that move the cash flows most.</summary>
    private static readonly Gen<double[]> Params =
        Gen.Select(Gen.Double[0.05, 1.0], Gen.Double[0.1, 20.0], Gen.Double[0.0, 0.8], Gen.Double[1.0, 4.0], Gen.Double[0.0, 0.4])
           .Select(t =>
           {
               var p = Flagship.BaseValues();
               p[(int)Param.Utilization] = t.Item1;
               p[(int)Param.PriceUsdPerMillionOutputTokens] = t.Item2;
               p[(int)Param.PriceErosionAnnual] = t.Item3;
               p[(int)Param.SoftwareCeiling] = t.Item4;
               p[(int)Param.TaxRate] = t.Item5;
               return p;
           });

    private static double[] CashFlows(double[] p)
    {
        var cf = new double[Flagship.HorizonMonths + 1];
        ReferenceModel.Evaluate(Ctx, p, cf);
        return cf;
    }

    [Fact]
    public void Cost_per_million_tokens_falls_as_utilization_rises()
    {
        // cost/Mtok = (F + E·(ρ·P_a + (1−ρ)·P_i)) / (T·ρ) = (F + E·P_i)/(T·ρ) + E·(P_a − P_i)/T: decreasing in ρ.
        var spec = Flagship;
        Gen.Select(Gen.Double[0.02, 1.0], Gen.Double[0.02, 1.0]).Sample((a, b) =>
        {
            if (Math.Abs(a - b) < 1e-6)
            {
                return;
            }

            double lo = Math.Min(a, b), hi = Math.Max(a, b);
            var p1 = spec.BaseValues();
            var p2 = spec.BaseValues();
            p1[(int)Param.Utilization] = lo;
            p2[(int)Param.Utilization] = hi;
            double c1 = Evaluation.Evaluate(spec, p1)["cost_per_million_output_tokens_usd"].Value!.Value;
            double c2 = Evaluation.Evaluate(spec, p2)["cost_per_million_output_tokens_usd"].Value!.Value;
            Assert.True(c2 < c1, $"cost/Mtok at ρ={hi} ({c2}) not below ρ={lo} ({c1})");
        }, iter: 60);
    }

    [Fact]
    public void Npv_at_the_reported_IRR_is_zero()
    {
        int withIrr = 0;
        Params.Sample(p =>
        {
            var b = Evaluation.Evaluate(Flagship, p);
            double scale = b.CashFlows.Sum(Math.Abs);
            if (b["irr_annual"].Value is not { } irrAnnual)
            {
                // No IRR reported: then NPV must not change sign over the searched range of rates.
                double[] rates = [-0.5, -0.1, 0, 0.01, 0.1, 1, 10];
                var signs = rates.Select(r => Math.Sign(FinanceMath.Npv(r, b.CashFlows.AsSpan()))).Distinct().ToList();
                Assert.Single(signs);
                return;
            }

            Interlocked.Increment(ref withIrr);
            double irrMonthly = Math.Pow(1 + irrAnnual, 1.0 / 12) - 1;
            Assert.Equal(0, FinanceMath.Npv(irrMonthly, b.CashFlows.AsSpan()), 1e-8 * scale);
        }, iter: 80);
        Assert.True(withIrr >= 20, $"only {withIrr} of 80 draws had an IRR: the property was barely exercised");
    }

    [Fact]
    public void Npv_rises_with_the_output_price()
    {
        Gen.Select(Params, Gen.Double[0.01, 10.0]).Sample((p, delta) =>
        {
            double npv1 = ReferenceModel.Evaluate(Ctx, p).Npv;
            var q = (double[])p.Clone();
            q[(int)Param.PriceUsdPerMillionOutputTokens] += delta;
            double npv2 = ReferenceModel.Evaluate(Ctx, q).Npv;
            Assert.True(npv2 > npv1, $"NPV {npv2} at price +{delta} not above {npv1}");
        }, iter: 300);
    }

    [Fact]
    public void Payback_agrees_with_the_cumulative_cash_flows()
    {
        int paid = 0, never = 0;

        // Scale the input-token prices too (8,192 input tokens per request earn most of the revenue), so
        // that a good share of the draws never pays back.
        Gen.Select(Params, Gen.Double[0.0, 1.5]).Sample((p, inputScale) =>
        {
            p[(int)Param.PriceUsdPerMillionInputTokens] *= inputScale;
            p[(int)Param.PriceUsdPerMillionCachedInputTokens] *= inputScale;
            var cf = CashFlows(p);
            double payback = ReferenceModel.Evaluate(Ctx, p).PaybackMonths;
            var cum = new double[cf.Length];
            double c = 0;
            for (int t = 0; t < cf.Length; t++)
            {
                c += cf[t];
                cum[t] = c;
            }

            Assert.True(cum[0] < 0, "capex makes CF0 negative");
            if (double.IsNaN(payback))
            {
                Interlocked.Increment(ref never);
                Assert.All(cum, x => Assert.True(x < 0, $"payback NaN but cumulative reached {x}"));
                return;
            }

            Interlocked.Increment(ref paid);
            int k = (int)Math.Ceiling(payback);
            Assert.InRange(k, 1, cf.Length - 1);
            Assert.True(cum[k - 1] < 0, $"cum at floor(payback)={k - 1} is {cum[k - 1]}");
            Assert.True(cum[k] >= 0, $"cum at ceil(payback)={k} is {cum[k]}");
            for (int t = 0; t < k - 1; t++)
            {
                Assert.True(cum[t] < 0, $"cumulative already ≥ 0 at month {t}, before the payback {payback}");
            }

            // Interpolation: cum[k−1] + (payback − (k−1)) × CF_k = 0.
            Assert.Equal(0, cum[k - 1] + (payback - (k - 1)) * cf[k], 1e-9 * Math.Abs(cum[k - 1]));
        }, iter: 300);
        Assert.True(paid >= 20 && never >= 3, $"payback found in {paid}, never in {never} of 300 draws: widen the generator");
    }

    [Fact]
    public void Without_tax_sum_of_cash_flows_is_revenue_minus_opex_minus_capex_plus_terminal_value()
    {
        Gen.Select(Params, Gen.Double[0.0, 0.3], Gen.Double[1.0, 1.3]).Sample((p, salvage, overrun) =>
        {
            p[(int)Param.TaxRate] = 0;
            p[(int)Param.SalvagePctOfCapex] = salvage;
            p[(int)Param.CapexOverrun] = overrun;
            var cf = new double[Flagship.HorizonMonths + 1];
            var o = ReferenceModel.Evaluate(Ctx, p, cf);
            double expected = o.TotalRevenue - o.TotalOpex - o.Capex + o.TerminalValue;
            Assert.Equal(expected, cf.Sum(), 1e-9 * (o.TotalRevenue + o.TotalOpex + o.Capex));

            // Capex and terminal value by hand: 72 GPUs × 5e6/72 × overrun; sold at book value toward salvage at life = horizon.
            Assert.Equal(5e6 * overrun, o.Capex, 1e-6);
            Assert.Equal(5e6 * overrun * salvage, o.TerminalValue, 1e-6);
            Assert.Equal(0, o.TotalTax);
        }, iter: 300);
    }
    [Fact]
    public void Model_NPV_and_discounted_payback_agree_with_FinanceMath_on_its_own_cash_flows()
    {
        Gen.Select(Params, Gen.Double[0.0, 0.3]).Sample((p, wacc) =>
        {
            p[(int)Param.DiscountRateAnnual] = wacc;
            var cf = new double[Flagship.HorizonMonths + 1];
            var o = ReferenceModel.Evaluate(Ctx, p, cf);
            double rm = FinanceMath.MonthlyRate(wacc);
            Assert.Equal(FinanceMath.Npv(rm, cf), o.Npv, 1e-9 * cf.Sum(Math.Abs));
            double fp = FinanceMath.Payback(cf);
            double fd = FinanceMath.DiscountedPayback(rm, cf);
            Assert.True(double.IsNaN(fp) ? double.IsNaN(o.PaybackMonths) : Math.Abs(fp - o.PaybackMonths) < 1e-9, $"payback {o.PaybackMonths} vs {fp}");
            Assert.True(double.IsNaN(fd) ? double.IsNaN(o.DiscountedPaybackMonths) : Math.Abs(fd - o.DiscountedPaybackMonths) < 1e-9, $"discounted payback {o.DiscountedPaybackMonths} vs {fd}");
            if (!double.IsNaN(fp) && !double.IsNaN(fd))
            {
                Assert.True(fd >= fp - 1e-9, "discounting cannot make payback earlier");
            }
        }, iter: 300);
    }
}
