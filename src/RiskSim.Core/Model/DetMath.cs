using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using RiskSim.Core.Finance;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Model;

/// <summary>
/// exp and log that give the same bits on every machine, for <see cref="Vector{T}"/> of any width and for scalars:
/// they use only IEEE 754 operations that are correctly rounded everywhere (addition, multiplication, division,
/// min/max, and explicit fused multiply–adds, <see cref="Vector.FusedMultiplyAdd(Vector{double}, Vector{double}, Vector{double})"/>
/// and <see cref="Math.FusedMultiplyAdd"/>, which round once whether the hardware fuses or software emulates),
/// integer bit operations and selects, in the same order in the vector and the scalar version. The JIT does not contract
/// a·b + c into a fused operation on its own (that would change results; dotnet/runtime#8289), so no path fuses what
/// another rounds twice.
/// <para>
/// .NET's own <see cref="Vector.Exp(Vector{double})"/> and <see cref="Vector.Log(Vector{double})"/> are not like that:
/// they fuse where the hardware has FMA and round twice where it does not (128-bit vectors on x64 without AVX2), and
/// fall back to the C runtime's <see cref="Math.Exp"/> when vectors are not accelerated, so their bits depend on the
/// processor (measured on Zen 4 for 65,536 arguments of exp: 256- and 512-bit agree, 128-bit without FMA differs from
/// them in 1 % of the results, the scalar fallback in 39 %). <see cref="Math.Exp"/> and <see cref="Math.Log(double)"/> come from the C runtime (glibc, the Windows
/// CRT, …), whose last bit is not specified. These are accurate to about 1 ulp (tests compare them with the C runtime).
/// </para>
/// </summary>
internal static class DetMath
{
    // exp: x = n·ln 2 + r, n = round(x·log₂e), r reduced in two parts (Cody–Waite: n·Ln2Hi is exact for |n| < 2²⁰,
    // Ln2Hi having 32 trailing zero bits), e^r by its Taylor series to r¹³ (|r| ≤ ln2/2: the next term is below 5e-18),
    // and the result scaled by 2^n in two factors, so that each is a normal power of two even when e^x is subnormal.
    private const double Log2E = 1.4426950408889634;
    private const double Ln2Hi = 6.93147180369123816490e-01; // 0x3FE62E42FEE00000
    private const double Ln2Lo = 1.90821492927058770002e-10; // 0x3DEA39EF35793C76
    private const double Shifter = 6755399441055744.0; // 1.5·2⁵²: t = x·log₂e + Shifter holds round(x·log₂e) in its low bits
    private const long ShifterBits = 0x4338000000000000;
    private const double ExpMax = 710; // e^710 overflows; clamping keeps n in [−1077, 1025]
    private const double ExpMin = -746; // e^−746 underflows to 0

    private const double E2 = 1.0 / 2;
    private const double E3 = 1.0 / 6;
    private const double E4 = 1.0 / 24;
    private const double E5 = 1.0 / 120;
    private const double E6 = 1.0 / 720;
    private const double E7 = 1.0 / 5040;
    private const double E8 = 1.0 / 40320;
    private const double E9 = 1.0 / 362880;
    private const double E10 = 1.0 / 3628800;
    private const double E11 = 1.0 / 39916800;
    private const double E12 = 1.0 / 479001600;
    private const double E13 = 1.0 / 6227020800;

    // log (fdlibm's e_log.c, by Sun, freely usable): x = m·2^e with m in [√½, √2), f = m − 1 (exact), s = f/(2 + f),
    // log(1 + f) = f − f²/2 + s·(f²/2 + R(s²)), R a minimax polynomial; then e·ln 2 in two parts. Error below 1 ulp.
    private const double Lg1 = 6.666666666666735130e-01;
    private const double Lg2 = 3.999999999940941908e-01;
    private const double Lg3 = 2.857142874366239149e-01;
    private const double Lg4 = 2.222219843214978396e-01;
    private const double Lg5 = 1.818357216161805012e-01;
    private const double Lg6 = 1.531383769920937332e-01;
    private const double Lg7 = 1.479819860511658591e-01;
    private const double Sqrt2 = 1.4142135623730951;
    private const long MantissaMask = 0x000F_FFFF_FFFF_FFFF;
    private const long OneBits = 0x3FF0_0000_0000_0000;
    private const double MinNormal = 2.2250738585072014e-308;
    private const double TwoTo54 = 18014398509481984.0;
    private const long ExpMagic = 0x4330_0000_0000_0000; // 2⁵²
    private const double ExpBias = 4503599627370496.0 + 1023; // 2⁵² + the exponent bias

    /// <summary>e^x in every lane; NaN gives NaN, large arguments +∞ or 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Exp(Vector<double> x)
    {
        x = Vector.Min(Vector.Max(x, new Vector<double>(ExpMin)), new Vector<double>(ExpMax)); // IEEE min/max: NaN stays NaN
        var t = Vector.FusedMultiplyAdd(x, new Vector<double>(Log2E), new Vector<double>(Shifter));
        var n = t - new Vector<double>(Shifter);
        var r = Vector.FusedMultiplyAdd(n, new Vector<double>(-Ln2Hi), x);
        r = Vector.FusedMultiplyAdd(n, new Vector<double>(-Ln2Lo), r);
        var p = Vector.FusedMultiplyAdd(new Vector<double>(E13), r, new Vector<double>(E12));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E11));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E10));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E9));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E8));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E7));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E6));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E5));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E4));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E3));
        p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(E2));
        p = Vector.FusedMultiplyAdd(p, r, Vector<double>.One);
        p = Vector.FusedMultiplyAdd(p, r, Vector<double>.One);
        var k = Vector.AsVectorInt64(t) - new Vector<long>(ShifterBits); // n as an integer (NaN lanes: any value, the product stays NaN)
        var k1 = Vector.ShiftRightArithmetic(k, 1);
        var k2 = k - k1;
        var s1 = Vector.AsVectorDouble(Vector.ShiftLeft(k1 + new Vector<long>(1023), 52));
        var s2 = Vector.AsVectorDouble(Vector.ShiftLeft(k2 + new Vector<long>(1023), 52));
        return p * s1 * s2;
    }

    /// <summary>e^x in the eight lanes of a 512-bit vector: the same operations as <see cref="Exp(Vector{double})"/>, so the same bits per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Exp(Vector512<double> x)
    {
        x = Vector512.Min(Vector512.Max(x, Vector512.Create(ExpMin)), Vector512.Create(ExpMax)); // IEEE min/max: NaN stays NaN
        var t = Vector512.FusedMultiplyAdd(x, Vector512.Create(Log2E), Vector512.Create(Shifter));
        var n = t - Vector512.Create(Shifter);
        var r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Hi), x);
        r = Vector512.FusedMultiplyAdd(n, Vector512.Create(-Ln2Lo), r);
        var p = Vector512.FusedMultiplyAdd(Vector512.Create(E13), r, Vector512.Create(E12));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E11));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E10));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E9));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E8));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E7));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E6));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E5));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E4));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E3));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512.Create(E2));
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<double>.One);
        p = Vector512.FusedMultiplyAdd(p, r, Vector512<double>.One);
        var k = Vector512.AsInt64(t) - Vector512.Create(ShifterBits); // n as an integer (NaN lanes: any value, the product stays NaN)
        var k1 = Vector512.ShiftRightArithmetic(k, 1);
        var k2 = k - k1;
        var s1 = Vector512.AsDouble(Vector512.ShiftLeft(k1 + Vector512.Create(1023L), 52));
        var s2 = Vector512.AsDouble(Vector512.ShiftLeft(k2 + Vector512.Create(1023L), 52));
        return p * s1 * s2;
    }

    /// <summary>e^x, the same bits as a lane of <see cref="Exp(Vector{double})"/>.</summary>
    public static double Exp(double x)
    {
        x = Math.Min(Math.Max(x, ExpMin), ExpMax);
        double t = Math.FusedMultiplyAdd(x, Log2E, Shifter);
        double n = t - Shifter;
        double r = Math.FusedMultiplyAdd(n, -Ln2Hi, x);
        r = Math.FusedMultiplyAdd(n, -Ln2Lo, r);
        double p = Math.FusedMultiplyAdd(E13, r, E12);
        p = Math.FusedMultiplyAdd(p, r, E11);
        p = Math.FusedMultiplyAdd(p, r, E10);
        p = Math.FusedMultiplyAdd(p, r, E9);
        p = Math.FusedMultiplyAdd(p, r, E8);
        p = Math.FusedMultiplyAdd(p, r, E7);
        p = Math.FusedMultiplyAdd(p, r, E6);
        p = Math.FusedMultiplyAdd(p, r, E5);
        p = Math.FusedMultiplyAdd(p, r, E4);
        p = Math.FusedMultiplyAdd(p, r, E3);
        p = Math.FusedMultiplyAdd(p, r, E2);
        p = Math.FusedMultiplyAdd(p, r, 1);
        p = Math.FusedMultiplyAdd(p, r, 1);
        long k = BitConverter.DoubleToInt64Bits(t) - ShifterBits;
        long k1 = k >> 1;
        long k2 = k - k1;
        double s1 = BitConverter.Int64BitsToDouble((k1 + 1023) << 52);
        double s2 = BitConverter.Int64BitsToDouble((k2 + 1023) << 52);
        return p * s1 * s2;
    }

    /// <summary>The natural logarithm in every lane: −∞ at ±0, NaN below 0 and for NaN, +∞ at +∞.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector<double> Log(Vector<double> x)
    {
        var one = Vector<double>.One;
        var subnormal = Vector.LessThan(x, new Vector<double>(MinNormal));
        var xs = Vector.ConditionalSelect(subnormal, x * TwoTo54, x); // exact; only positive subnormals are kept below
        var bits = Vector.AsVectorInt64(xs);
        // The biased exponent as a double, exactly: the bits of 2⁵² + b are the double 2⁵² + b (no int-to-double conversion, which AVX2 lacks).
        var e = Vector.AsVectorDouble(Vector.ShiftRightLogical(bits, 52) | new Vector<long>(ExpMagic)) - Vector.ConditionalSelect(subnormal, new Vector<double>(ExpBias + 54), new Vector<double>(ExpBias));
        var m = Vector.AsVectorDouble((bits & new Vector<long>(MantissaMask)) | new Vector<long>(OneBits));
        var big = Vector.GreaterThan(m, new Vector<double>(Sqrt2));
        m = Vector.ConditionalSelect(big, m * 0.5, m);
        e = Vector.ConditionalSelect(big, e + one, e);
        var f = m - one;
        var sr = f / (new Vector<double>(2) + f);
        var z = sr * sr;
        var w4 = z * z;
        var t1 = w4 * (new Vector<double>(Lg2) + (w4 * (new Vector<double>(Lg4) + (w4 * new Vector<double>(Lg6)))));
        var t2 = z * (new Vector<double>(Lg1) + (w4 * (new Vector<double>(Lg3) + (w4 * (new Vector<double>(Lg5) + (w4 * new Vector<double>(Lg7)))))));
        var rp = t2 + t1;
        var hfsq = new Vector<double>(0.5) * f * f;
        var result = (e * Ln2Hi) - ((hfsq - ((sr * (hfsq + rp)) + (e * Ln2Lo))) - f);

        // The special cases: 0 → −∞, +∞ → +∞, below 0 or NaN → NaN (the compare is false for NaN).
        result = Vector.ConditionalSelect(Vector.Equals(x, Vector<double>.Zero), new Vector<double>(double.NegativeInfinity), result);
        result = Vector.ConditionalSelect(Vector.Equals(x, new Vector<double>(double.PositiveInfinity)), x, result);
        return Vector.ConditionalSelect(Vector.GreaterThanOrEqual(x, Vector<double>.Zero), result, new Vector<double>(double.NaN));
    }

    /// <summary>The natural logarithm in the eight lanes of a 512-bit vector: the same operations as <see cref="Log(Vector{double})"/>, so the same bits per lane.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<double> Log(Vector512<double> x)
    {
        var one = Vector512<double>.One;
        var subnormal = Vector512.LessThan(x, Vector512.Create(MinNormal));
        var xs = Vector512.ConditionalSelect(subnormal, x * TwoTo54, x); // exact; only positive subnormals are kept below
        var bits = Vector512.AsInt64(xs);
        // The biased exponent as a double, exactly: the bits of 2⁵² + b are the double 2⁵² + b (no int-to-double conversion, which AVX2 lacks).
        var e = Vector512.AsDouble(Vector512.ShiftRightLogical(bits, 52) | Vector512.Create(ExpMagic)) - Vector512.ConditionalSelect(subnormal, Vector512.Create(ExpBias + 54), Vector512.Create(ExpBias));
        var m = Vector512.AsDouble((bits & Vector512.Create(MantissaMask)) | Vector512.Create(OneBits));
        var big = Vector512.GreaterThan(m, Vector512.Create(Sqrt2));
        m = Vector512.ConditionalSelect(big, m * 0.5, m);
        e = Vector512.ConditionalSelect(big, e + one, e);
        var f = m - one;
        var sr = f / (Vector512.Create(2.0) + f);
        var z = sr * sr;
        var w4 = z * z;
        var t1 = w4 * (Vector512.Create(Lg2) + (w4 * (Vector512.Create(Lg4) + (w4 * Vector512.Create(Lg6)))));
        var t2 = z * (Vector512.Create(Lg1) + (w4 * (Vector512.Create(Lg3) + (w4 * (Vector512.Create(Lg5) + (w4 * Vector512.Create(Lg7)))))));
        var rp = t2 + t1;
        var hfsq = Vector512.Create(0.5) * f * f;
        var result = (e * Ln2Hi) - ((hfsq - ((sr * (hfsq + rp)) + (e * Ln2Lo))) - f);

        // The special cases: 0 → −∞, +∞ → +∞, below 0 or NaN → NaN (the compare is false for NaN).
        result = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512<double>.Zero), Vector512.Create(double.NegativeInfinity), result);
        result = Vector512.ConditionalSelect(Vector512.Equals(x, Vector512.Create(double.PositiveInfinity)), x, result);
        return Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(x, Vector512<double>.Zero), result, Vector512.Create(double.NaN));
    }

    /// <summary>The natural logarithm, the same bits as a lane of <see cref="Log(Vector{double})"/>.</summary>
    public static double Log(double x)
    {
        bool subnormal = x < MinNormal;
        double xs = subnormal ? x * TwoTo54 : x;
        long bits = BitConverter.DoubleToInt64Bits(xs);
        double e = BitConverter.Int64BitsToDouble((long)((ulong)bits >> 52) | ExpMagic) - (subnormal ? ExpBias + 54 : ExpBias);
        double m = BitConverter.Int64BitsToDouble((bits & MantissaMask) | OneBits);
        bool big = m > Sqrt2;
        m = big ? m * 0.5 : m;
        e = big ? e + 1 : e;
        double f = m - 1;
        double sr = f / (2 + f);
        double z = sr * sr;
        double w4 = z * z;
        double t1 = w4 * (Lg2 + (w4 * (Lg4 + (w4 * Lg6))));
        double t2 = z * (Lg1 + (w4 * (Lg3 + (w4 * (Lg5 + (w4 * Lg7))))));
        double rp = t2 + t1;
        double hfsq = 0.5 * f * f;
        double result = (e * Ln2Hi) - ((hfsq - ((sr * (hfsq + rp)) + (e * Ln2Lo))) - f);
        result = x == 0 ? double.NegativeInfinity : result;
        result = x == double.PositiveInfinity ? x : result;
        return x >= 0 ? result : double.NaN;
    }

    /// <summary>
    /// sin x for |x| ≤ 1 (the rank-to-Pearson correlation conversion's 2·sin(π·ρ/6), |π·ρ/6| ≤ 0.53): the Taylor series to
    /// x¹⁹ by Horner's rule in x² with fused multiply–adds (the next term is below 1e-19 of x for |x| ≤ 1), within about an
    /// ulp, the same bits on every machine.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">|x| &gt; 1 or NaN.</exception>
    public static double SinSmall(double x)
    {
        if (!(Math.Abs(x) <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "SinSmall takes |x| ≤ 1");
        }

        double x2 = x * x;
        double p = -1.0 / 121645100408832000; // −1/19!
        p = Math.FusedMultiplyAdd(p, x2, 1.0 / 355687428096000); // 1/17!
        p = Math.FusedMultiplyAdd(p, x2, -1.0 / 1307674368000); // −1/15!
        p = Math.FusedMultiplyAdd(p, x2, 1.0 / 6227020800); // 1/13!
        p = Math.FusedMultiplyAdd(p, x2, -1.0 / 39916800); // −1/11!
        p = Math.FusedMultiplyAdd(p, x2, 1.0 / 362880); // 1/9!
        p = Math.FusedMultiplyAdd(p, x2, -1.0 / 5040); // −1/7!
        p = Math.FusedMultiplyAdd(p, x2, 1.0 / 120); // 1/5!
        p = Math.FusedMultiplyAdd(p, x2, -1.0 / 6); // −1/3!
        return Math.FusedMultiplyAdd(x * x2, p, x); // x + x³·(−1/6 + x²·(…))
    }
}
