using System.Collections.Immutable;
using MathNet.Numerics.RootFinding;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Finance;

/// <summary>
/// Textbook finance functions on monthly cash flows CF₀…CF_H (CF₀ undiscounted). Pure and thread-safe.
/// Excel equivalence: <c>NPV</c> here = Excel <c>=NPV(r_m, CF1:CF_H) + CF0</c>, since Excel's NPV
/// discounts its first argument one period.
/// </summary>
public static class FinanceMath
{
    /// <summary>Hours in an average month: 8,760 / 12.</summary>
    public const double HoursPerMonth = 730.0;

    /// <summary>US MACRS 5-year property, half-year convention (IRS Pub. 946, Table A-1), fractions per tax year.</summary>
    public static readonly double[] Macrs5 = [0.20, 0.32, 0.192, 0.1152, 0.1152, 0.0576];

    /// <summary>Monthly rate equivalent to an annual rate: (1 + r)^(1/12) − 1.</summary>
    public static double MonthlyRate(double annual) => Math.Pow(1 + annual, 1.0 / 12) - 1;

    /// <summary>Annual rate equivalent to a monthly rate: (1 + r_m)^12 − 1.</summary>
    public static double AnnualRate(double monthly) => Math.Pow(1 + monthly, 12) - 1;

    /// <summary>Capital recovery factor r / (1 − (1 + r)^−n); 1/n when r = 0.</summary>
    public static double CapitalRecoveryFactor(double rate, int periods) =>
        rate == 0 ? 1.0 / periods : rate / (1 - Math.Pow(1 + rate, -periods));

    /// <summary>Σ CF_t / (1 + r)^t, t = 0…H.</summary>
    public static double Npv(double ratePerPeriod, ReadOnlySpan<double> cashFlows)
    {
        double npv = 0;
        double v = 1;
        double f = 1 / (1 + ratePerPeriod);
        for (int t = 0; t < cashFlows.Length; t++)
        {
            npv += cashFlows[t] * v;
            v *= f;
        }

        return npv;
    }

    /// <summary>
    /// Interpolated payback: the first t at which the cumulative sum reaches 0 from below, as
    /// (t − 1) + (−cum_{t−1}) / CF_t. NaN when never within the flows, or when there is nothing to pay back (CF₀ ≥ 0).
    /// </summary>
    public static double Payback(ReadOnlySpan<double> cashFlows)
    {
        if (cashFlows.Length == 0 || cashFlows[0] >= 0)
        {
            return double.NaN;
        }

        double cum = cashFlows[0];
        for (int t = 1; t < cashFlows.Length; t++)
        {
            double next = cum + cashFlows[t];
            if (next >= 0)
            {
                return t - 1 + (-cum / cashFlows[t]);
            }

            cum = next;
        }

        return double.NaN;
    }

    /// <summary>Payback on discounted flows CF_t / (1 + r)^t.</summary>
    public static double DiscountedPayback(double ratePerPeriod, ReadOnlySpan<double> cashFlows)
    {
        var d = new double[cashFlows.Length];
        double v = 1;
        for (int t = 0; t < d.Length; t++)
        {
            d[t] = cashFlows[t] * v;
            v /= 1 + ratePerPeriod;
        }

        return Payback(d);
    }

    /// <summary>Number of sign changes in the flows (zeros skipped); IRR needs at least one.</summary>
    public static int SignChanges(ReadOnlySpan<double> cashFlows)
    {
        int changes = 0;
        int last = 0;
        foreach (double c in cashFlows)
        {
            int s = Math.Sign(c);
            if (s != 0)
            {
                if (last != 0 && s != last)
                {
                    changes++;
                }

                last = s;
            }
        }

        return changes;
    }

    /// <summary>
    /// The rates per period <see cref="Irr"/> scans for the first sign change: −99.99 %, then 2,000 steps evenly spaced in
    /// log(1 + r) up to +100,000 %. By RiskSim's exp and log (<see cref="Model.DetMath"/>), so the grid, and with it
    /// every IRR, has the same bits on every machine.
    /// </summary>
    public static readonly ImmutableArray<double> IrrGrid = [-0.9999, .. Enumerable.Range(1, 2000).Select(k => Model.DetMath.Exp(Model.DetMath.Log(1e-4) + ((Model.DetMath.Log(1001) - Model.DetMath.Log(1e-4)) * k / 2000)) - 1)];

    /// <summary>
    /// Per-period IRR: the lowest root of NPV(r) = 0 above −100 %, found by scanning a grid of rates
    /// (log-spaced in 1 + r from −99.99 % to +100,000 % per period) and refining the first bracket with
    /// Brent's method (MathNet). Null when the flows have no sign change or no root lies in that range.
    /// </summary>
    public static double? Irr(ReadOnlySpan<double> cashFlows)
    {
        if (SignChanges(cashFlows) == 0)
        {
            return null;
        }

        double[] cf = cashFlows.ToArray();
        double npv(double r) => Npv(r, cf);

        // Near −100 % the discount factors (1 + r)^−t overflow on a long horizon (1.0001⁻¹ ^ 120 months is 1e480): there
        // the scaled NPV, with the same sign and roots and no overflow, stands in.
        double scaled(double r) => r < 0 ? ScaledNpv(r, cf) : Npv(r, cf);
        double f(double r) => npv(r) is var v && double.IsFinite(v) ? v : scaled(r);

        double prevR = IrrGrid[0];
        double prevV = f(prevR);
        for (int k = 1; k < IrrGrid.Length; k++)
        {
            double r = IrrGrid[k];
            double v = f(r);
            if (prevV == 0)
            {
                return prevR;
            }

            if (Math.Sign(v) != Math.Sign(prevV))
            {
                Func<double, double> g = double.IsFinite(npv(prevR)) && double.IsFinite(npv(r)) ? npv : scaled;
                if (Brent.TryFindRoot(g, prevR, r, 1e-14, 200, out double root))
                {
                    return root;
                }

                return Bisect(g, prevR, r);
            }

            prevR = r;
            prevV = v;
        }

        return null;
    }

    /// <summary>
    /// The NPV times (1 + r)^H: Σ CF_t·(1 + r)^(H − t), by Horner's rule in 1 + r. For r &gt; −1 it has the NPV's sign and
    /// roots, and for r ≤ 0 no term exceeds |CF_t|, so it stays finite where the NPV's discount factors overflow. Equal
    /// to the NPV at r = 0.
    /// </summary>
    public static double ScaledNpv(double ratePerPeriod, ReadOnlySpan<double> cashFlows)
    {
        double y = 1 + ratePerPeriod;
        double p = 0;
        foreach (double c in cashFlows)
        {
            p = (p * y) + c;
        }

        return p;
    }

    private static double Bisect(Func<double, double> f, double a, double b)
    {
        double fa = f(a);
        for (int i = 0; i < 200; i++)
        {
            double m = 0.5 * (a + b);
            double fm = f(m);
            if (Math.Sign(fm) == Math.Sign(fa))
            {
                a = m;
                fa = fm;
            }
            else
            {
                b = m;
            }
        }

        return 0.5 * (a + b);
    }

    /// <summary>
    /// Modified IRR per period: negative flows discounted to t = 0 at the finance rate, positive flows
    /// compounded to t = H at the reinvestment rate; (FV⁺ / −PV⁻)^(1/H) − 1. Null without both signs.
    /// </summary>
    public static double? Mirr(ReadOnlySpan<double> cashFlows, double financeRate, double reinvestRate)
    {
        int n = cashFlows.Length - 1;
        double pvNeg = 0;
        double fvPos = 0;
        for (int t = 0; t <= n; t++)
        {
            double c = cashFlows[t];
            if (c < 0)
            {
                pvNeg += c / Math.Pow(1 + financeRate, t);
            }
            else
            {
                fvPos += c * Math.Pow(1 + reinvestRate, n - t);
            }
        }

        if (pvNeg == 0 || fvPos == 0 || n == 0)
        {
            return null;
        }

        return Math.Pow(fvPos / -pvNeg, 1.0 / n) - 1;
    }

    /// <summary>Profitability index: PV of positive flows / |PV of negative flows|. Null without outflows.</summary>
    public static double? ProfitabilityIndex(ReadOnlySpan<double> cashFlows, double ratePerPeriod)
    {
        double pvIn = 0;
        double pvOut = 0;
        double v = 1;
        foreach (double c in cashFlows)
        {
            if (c >= 0)
            {
                pvIn += c * v;
            }
            else
            {
                pvOut -= c * v;
            }

            v /= 1 + ratePerPeriod;
        }

        return pvOut == 0 ? null : pvIn / pvOut;
    }
}
