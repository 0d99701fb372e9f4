using System.Numerics;
using System.Runtime.CompilerServices;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Finance;

/// <summary>
/// The IRR of each lane's monthly cash flows, with the meaning of <see cref="FinanceMath.Irr"/>: the lowest monthly
/// rate r in [−99.99 %, 100,000 %] with NPV(r) = 0, annualized as (1 + r)^12 − 1, NaN when there is none.
/// </summary>
/// <remarks>
/// Lanes whose flows change sign exactly once have exactly one root (Descartes' rule on the polynomial P(δ) = Σ
/// CF_t·δ^t in the discount factor δ = 1/(1 + r)); those are solved together by a safeguarded Newton iteration on P
/// (Horner for P and P′) that keeps a bracket per lane and falls back to bisection in log δ when a step leaves it.
/// Lanes with several sign changes whose root is still provably unique (Norstrøm's criterion on the running sum, plus
/// positive sums from the end for r ≤ 0) are solved the same way. Lanes with no sign change have no IRR; the rest scan
/// the same grid of rates as <see cref="FinanceMath.Irr"/> for the first sign change, vectorized, and refine it the
/// same way.
/// </remarks>
internal static class IrrSolver
{
    private const double Tolerance = 1e-13;  // relative Newton step in δ after which a lane has converged (the step taken makes it ~1e-26)
    private const int MaxIterations = 200;
    private const int Batch = 4; // grid points per pass in the scan

    /// <summary>Annual IRR per lane of <paramref name="flows"/>[t] (t = 0…H); lanes ≥ <paramref name="lanes"/> are ignored.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static Vector<double> Annual(ReadOnlySpan<Vector<double>> flows, int lanes)
    {
        int h = flows.Length - 1;
        var zero = Vector<double>.Zero;
        var one = Vector<double>.One;

        // Sign changes (zeros skipped) of the flows and of their running sum, and the sign of the first non-zero flow.
        var last = zero;
        var first = zero;
        var changes = Vector<long>.Zero;
        var cum = zero;
        var cumLast = zero;
        var cumChanges = Vector<long>.Zero;
        foreach (var cf in flows)
        {
            var sign = Sign(cf);
            var nonZero = ~Vector.Equals(sign, zero);
            changes -= nonZero & ~Vector.Equals(last, zero) & ~Vector.Equals(sign, last);
            first = Vector.ConditionalSelect(Vector.Equals(first, zero), sign, first);
            last = Vector.ConditionalSelect(nonZero, sign, last);
            cum += cf;
            var cumSign = Sign(cum);
            var cumNonZero = ~Vector.Equals(cumSign, zero);
            cumChanges -= cumNonZero & ~Vector.Equals(cumLast, zero) & ~Vector.Equals(cumSign, cumLast);
            cumLast = Vector.ConditionalSelect(cumNonZero, cumSign, cumLast);
        }

        // Sums from the end, S_t = Σ_{s≥t} CF_s: P(δ) = S_0 + Σ_{t≥1} S_t(δ^t − δ^(t−1)) is positive for every δ ≥ 1
        // (r ≤ 0) when all S_t ≥ 0 and S_0 > 0.
        var tail = zero;
        var minTail = new Vector<double>(double.PositiveInfinity);
        for (int t = h; t >= 0; t--)
        {
            tail += flows[t];
            minTail = Vector.Min(minTail, tail);
        }

        // One root: exactly one sign change (Descartes' rule of signs); or a negative start whose running sum changes
        // sign once (Norstrøm: exactly one root with r > 0) and no root with r ≤ 0 (the tail sums above, or else
        // Budan's test at δ = 1 below).
        var cumOnce = Vector.Equals(cumChanges, Vector<long>.One) & Vector.LessThan(first, zero) & Vector.GreaterThan(changes, Vector<long>.One);
        var tailsPositive = Vector.GreaterThanOrEqual(minTail, zero) & Vector.GreaterThan(tail, zero);
        var budan = Vector.AndNot(cumOnce, tailsPositive);
        if (budan != Vector<long>.Zero)
        {
            tailsPositive |= budan & NoRootAtOrAboveOne(flows);
        }

        var single = Vector.Equals(changes, Vector<long>.One) | (cumOnce & tailsPositive);
        var result = new Vector<double>(double.NaN);
        if (single != Vector<long>.Zero)
        {
            result = Vector.ConditionalSelect(single, SolveSingle(flows, -first, single), result);
        }

        var several = Vector.AndNot(Vector.GreaterThan(changes, Vector<long>.One), single);
        if (several != Vector<long>.Zero)
        {
            result = Vector.ConditionalSelect(several, LowestRoot(flows, several), result);
        }

        return result;
    }

    /// <summary>
    /// Where several roots may exist: scan <see cref="FinanceMath.IrrGrid"/> upwards from −99.99 % a month, as
    /// <see cref="FinanceMath.Irr"/> does, and refine the first bracket with a sign change in each lane.
    /// </summary>
    private static Vector<double> LowestRoot(ReadOnlySpan<Vector<double>> flows, Vector<long> active)
    {
        var grid = FinanceMath.IrrGrid;
        var one = Vector<double>.One;
        var orient = one;
        var prevDelta = new Vector<double>(1 / (1 + grid[0]));
        var (prev, _) = Horner(flows, prevDelta, one);
        var prevOverflow = ~Vector.Equals(prev - prev, Vector<double>.Zero); // ±∞ or NaN: δ^H overflowed
        if (prevOverflow != Vector<long>.Zero)
        {
            prev = Vector.ConditionalSelect(prevOverflow, Scaled(flows, new Vector<double>(1 + grid[0]), one).P, prev);
        }

        var scaledBracket = Vector<long>.Zero; // lanes whose bracket has an end where P overflows: refined on the scaled polynomial
        var lo = Vector<double>.Zero;
        var hi = Vector<double>.Zero;
        var exactRoot = new Vector<double>(double.NaN);
        var open = active;
        var bracketed = Vector<long>.Zero;
        Span<Vector<double>> deltas = stackalloc Vector<double>[Batch];
        Span<Vector<double>> values = stackalloc Vector<double>[Batch];
        for (int k0 = 1; k0 < grid.Length && open != Vector<long>.Zero; k0 += Batch)
        {
            // Several grid points per pass over the flows: independent Horner chains hide the multiply-add latency.
            int m = Math.Min(Batch, grid.Length - k0);
            for (int j = 0; j < m; j++)
            {
                deltas[j] = new Vector<double>(1 / (1 + grid[k0 + j]));
            }

            HornerMany(flows, deltas[..m], values[..m]);
            for (int j = 0; j < m && open != Vector<long>.Zero; j++)
            {
                var delta = deltas[j];
                var p = values[j];

                // Where δ^H overflowed (δ > 1, a long horizon), the sign comes from the same polynomial scaled by δ^−H.
                var overflow = ~Vector.Equals(p - p, Vector<double>.Zero);
                if (overflow != Vector<long>.Zero)
                {
                    p = Vector.ConditionalSelect(overflow, Scaled(flows, new Vector<double>(1 + grid[k0 + j]), one).P, p);
                }

                // A grid point that is itself a root (FinanceMath.Irr returns the previous point when its NPV is 0).
                var prevZero = Vector.Equals(prev, Vector<double>.Zero) & open;
                exactRoot = Vector.ConditionalSelect(prevZero, prevDelta, exactRoot);
                open = Vector.AndNot(open, prevZero);

                var change = ~Vector.Equals(Sign(p), Sign(prev)) & open;
                if (change != Vector<long>.Zero)
                {
                    // Bracket [δ_k, δ_(k−1)] (δ falls as r rises); orient P to be negative at its lower end.
                    lo = Vector.ConditionalSelect(change, delta, lo);
                    hi = Vector.ConditionalSelect(change, prevDelta, hi);
                    orient = Vector.ConditionalSelect(change, Vector.ConditionalSelect(Vector.GreaterThan(p, Vector<double>.Zero), -one, one), orient);
                    scaledBracket |= change & (overflow | prevOverflow);
                    bracketed |= change;
                    open = Vector.AndNot(open, change);
                }

                prev = p;
                prevDelta = delta;
                prevOverflow = overflow;
            }
        }

        var direct = Vector.AndNot(bracketed, scaledBracket);
        var refined = direct != Vector<long>.Zero ? Refine(flows, orient, lo, hi, direct) : new Vector<double>(double.NaN);
        if (scaledBracket != Vector<long>.Zero)
        {
            // In y = 1/δ = 1 + r the bracket is [1/hi, 1/lo], and orient·Q is positive at its lower end.
            refined = Vector.ConditionalSelect(scaledBracket, RefineScaled(flows, -orient, one / hi, one / lo, scaledBracket), refined);
        }

        var exact = ~Vector.Equals(exactRoot, exactRoot); // lanes where exactRoot is NaN
        return Vector.ConditionalSelect(~exact, ToAnnual(exactRoot), refined);
    }

    /// <summary>
    /// Budan's test at δ = 1: the coefficients c_k = Σ_t CF_t·C(t, k) of P(1 + y) (a Taylor shift, by repeated
    /// synthetic division: additions only). When all are positive — by more than their rounding error, bounded by the
    /// same shift of |CF| — P(1 + y) ≥ c_0 &gt; 0 for every y ≥ 0: no root with δ ≥ 1, i.e. none with r ≤ 0.
    /// </summary>
    private static Vector<long> NoRootAtOrAboveOne(ReadOnlySpan<Vector<double>> flows)
    {
        int h = flows.Length - 1;
        Span<Vector<double>> c = h < 256 ? stackalloc Vector<double>[h + 1] : new Vector<double>[h + 1];
        Span<Vector<double>> m = h < 256 ? stackalloc Vector<double>[h + 1] : new Vector<double>[h + 1];
        for (int t = 0; t <= h; t++)
        {
            c[t] = flows[t];
            m[t] = Vector.Abs(flows[t]);
        }

        for (int i = 0; i < h; i++)
        {
            for (int j = h - 1; j >= i; j--)
            {
                c[j] += c[j + 1];
                m[j] += m[j + 1];
            }
        }

        var margin = new Vector<double>(4.0 * (h + 1) * 1.1102230246251565e-16); // 4(H + 1)·u with u = 2⁻⁵³: above the rounding of H additions
        var ok = Vector<long>.AllBitsSet;
        for (int k = 0; k <= h; k++)
        {
            ok &= Vector.GreaterThan(c[k], margin * m[k]);
        }

        return ok;
    }

    private static Vector<double> Sign(Vector<double> x) =>
        Vector.ConditionalSelect(Vector.GreaterThan(x, Vector<double>.Zero), Vector<double>.One, Vector.ConditionalSelect(Vector.LessThan(x, Vector<double>.Zero), -Vector<double>.One, Vector<double>.Zero));

    private static Vector<double> ToAnnual(Vector<double> delta)
    {
        // (1 + r)^12 − 1 with 1 + r = 1/δ.
        var y = Vector<double>.One / delta;
        var y2 = y * y;
        var y4 = y2 * y2;
        return (y4 * y4 * y4) - Vector<double>.One;
    }

    /// <summary>
    /// The one positive root of P(δ)·orient (orient makes P negative near δ = 0), within the scan's range, as an
    /// annual rate; NaN where the root lies outside it.
    /// </summary>
    private static Vector<double> SolveSingle(ReadOnlySpan<Vector<double>> flows, Vector<double> orient, Vector<long> active)
    {
        int h = flows.Length - 1;

        // δ over the range of FinanceMath.Irr's grid, 1/(1 + 1000) to 1/(1 − 0.9999) = 10⁴, the top capped so that δ^H stays finite.
        var grid = FinanceMath.IrrGrid;
        var lo = new Vector<double>(1 / (1 + grid[^1]));
        var hi = new Vector<double>(Math.Min(1 / (1 + grid[0]), DetMath.Exp(600.0 / Math.Max(h, 1))));
        var (pLo, _) = Horner(flows, lo, orient);
        var (pHi, _) = Horner(flows, hi, orient);
        var inRange = Vector.LessThan(pLo, Vector<double>.Zero) & Vector.GreaterThan(pHi, Vector<double>.Zero) & active;
        if (inRange == Vector<long>.Zero)
        {
            return new Vector<double>(double.NaN);
        }

        return Refine(flows, orient, lo, hi, inRange);
    }

    /// <summary>
    /// <see cref="SafeguardedNewton"/> on orient·P(δ) in [lo, hi] per active lane (negative at lo, positive at hi),
    /// from 1 % a month. Returns the annual rate; NaN in inactive lanes.
    /// </summary>
    private static Vector<double> Refine(ReadOnlySpan<Vector<double>> flows, Vector<double> orient, Vector<double> lo, Vector<double> hi, Vector<long> active)
    {
        var start = Vector.Min(Vector.Max(new Vector<double>(1 / 1.01), lo), hi); // start at 1 % a month, inside the bracket
        var x = SafeguardedNewton(flows, orient, lo, hi, active, start, scaled: false);
        return Vector.ConditionalSelect(active, ToAnnual(x), new Vector<double>(double.NaN));
    }

    /// <summary>
    /// <see cref="Refine"/> on the scaled polynomial Q(y) = δ^−H·P(δ) = Σ CF_t·y^(H − t) in y = 1 + r = 1/δ, for brackets
    /// with r near −100 % where δ^H overflows: Q has P's roots, and with y ≤ 1 no term exceeds |CF_t|. orient·Q is
    /// negative at <paramref name="lo"/> and positive at <paramref name="hi"/>. Returns the annual rate y¹² − 1.
    /// </summary>
    private static Vector<double> RefineScaled(ReadOnlySpan<Vector<double>> flows, Vector<double> orient, Vector<double> lo, Vector<double> hi, Vector<long> active)
    {
        var x = SafeguardedNewton(flows, orient, lo, hi, active, Vector.SquareRoot(lo * hi), scaled: true);
        var y2 = x * x;
        var y4 = y2 * y2;
        return Vector.ConditionalSelect(active, (y4 * y4 * y4) - Vector<double>.One, new Vector<double>(double.NaN));
    }

    /// <summary>
    /// Safeguarded Newton, the iteration both refinements share, from <paramref name="x"/> in [lo, hi]: on orient·P(δ)
    /// by <see cref="Horner"/>, or on the scaled orient·Q(y) by <see cref="Scaled"/> when <paramref name="scaled"/>. A
    /// Newton step that leaves the bracket, or that is not half as long as the step before last, is replaced by the
    /// bracket's geometric midpoint. Returns the root per lane (the variable of that polynomial); inactive lanes keep
    /// their start.
    /// </summary>
    private static Vector<double> SafeguardedNewton(ReadOnlySpan<Vector<double>> flows, Vector<double> orient, Vector<double> lo, Vector<double> hi, Vector<long> active, Vector<double> x, bool scaled)
    {
        var open = active;
        var lastStep = hi - lo;
        var stepBefore = lastStep;
        for (int i = 0; i < MaxIterations && open != Vector<long>.Zero; i++)
        {
            var (p, dp) = scaled ? Scaled(flows, x, orient) : Horner(flows, x, orient);
            var negative = Vector.LessThan(p, Vector<double>.Zero);
            lo = Vector.ConditionalSelect(negative, x, lo);
            hi = Vector.ConditionalSelect(negative, hi, x);
            var newton = x - (p / dp);
            var inside = Vector.GreaterThanOrEqual(newton, lo) & Vector.LessThanOrEqual(newton, hi); // false for NaN

            // A Newton step at least twice as long as the step before last is not converging (far out on a long horizon's
            // δ^H it moves by δ/H a step): bisect instead (rtsafe's rule), so the bracket keeps shrinking.
            var slow = Vector.GreaterThan(Vector.Abs(newton - x) * 2, stepBefore);
            var next = Vector.ConditionalSelect(inside & ~slow, newton, Vector.SquareRoot(lo * hi));
            var exact = Vector.Equals(p, Vector<double>.Zero);
            next = Vector.ConditionalSelect(exact, x, next);
            var done = exact | Vector.LessThanOrEqual(Vector.Abs(next - x), x * Tolerance) | Vector.LessThanOrEqual(hi - lo, hi * Tolerance);
            stepBefore = lastStep;
            lastStep = Vector.Abs(next - x);
            x = Vector.ConditionalSelect(open, next, x);
            open = Vector.AndNot(open, done);
        }

        return x;
    }

    /// <summary>orient·Q(y) = orient·Σ CF_t·y^(H − t) and its derivative by Horner's rule (the flows in ascending t).</summary>
    private static (Vector<double> P, Vector<double> Dp) Scaled(ReadOnlySpan<Vector<double>> flows, Vector<double> y, Vector<double> orient)
    {
        var p = Vector<double>.Zero;
        var dp = Vector<double>.Zero;
        foreach (var c in flows)
        {
            dp = (dp * y) + p;
            p = (p * y) + c;
        }

        return (p * orient, dp * orient);
    }

    /// <summary>P at several points at once (Horner, one chain per point).</summary>
    private static void HornerMany(ReadOnlySpan<Vector<double>> flows, ReadOnlySpan<Vector<double>> x, Span<Vector<double>> p)
    {
        if (x.Length == Batch)
        {
            Vector<double> a0 = default, a1 = default, a2 = default, a3 = default;
            var x0 = x[0];
            var x1 = x[1];
            var x2 = x[2];
            var x3 = x[3];
            for (int t = flows.Length - 1; t >= 0; t--)
            {
                var c = flows[t];
                a0 = (a0 * x0) + c;
                a1 = (a1 * x1) + c;
                a2 = (a2 * x2) + c;
                a3 = (a3 * x3) + c;
            }

            p[0] = a0;
            p[1] = a1;
            p[2] = a2;
            p[3] = a3;
            return;
        }

        for (int j = 0; j < x.Length; j++)
        {
            (p[j], _) = Horner(flows, x[j], Vector<double>.One);
        }
    }

    /// <summary>orient·P(δ) and its derivative by Horner's rule.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (Vector<double> P, Vector<double> Dp) Horner(ReadOnlySpan<Vector<double>> flows, Vector<double> x, Vector<double> orient)
    {
        var p = Vector<double>.Zero;
        var dp = Vector<double>.Zero;
        for (int t = flows.Length - 1; t >= 0; t--)
        {
            dp = (dp * x) + p;
            p = (p * x) + flows[t];
        }

        return (p * orient, dp * orient);
    }
}
