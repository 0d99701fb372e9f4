using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RiskSim.Core.Distributions;

/// <summary>
/// Beta on [Min, Max] with shape parameters Alpha, Beta &gt; 0.
/// </summary>
/// <remarks>
/// The PERT distribution is this with α = 1 + λ(mode − min)/(max − min), β = 1 + λ(max − mode)/(max − min).
/// Bulk quantiles use cubic Hermite interpolation of the exact inverse CDF (MathNet), with slopes
/// 1/pdf: on a uniform grid of 4,096 cells in u for the body (built lazily, on first bulk use), and on grids in log₂ u (left tail) and
/// log₂(1 − u) (right tail, steps of 1/16) for the 64 cells at each end, where the quantile behaves like a power of u
/// and a uniform grid would lose accuracy. The body stores each cell's interpolant as the coefficients of a cubic in the
/// position t in the cell, evaluated by Horner's rule. Tests bound the error against MathNet at 1e-9 of the range.
/// </remarks>
public record BetaDistribution : Distribution
{
    private const int Cells = 4096;
    private const int EndCells = 64;
    private const double TailEdgeLog2 = -6; // log₂(EndCells / Cells)
    private const double TailMinLog2 = -70; // below the smallest uniform LHS can produce (2⁻⁶⁸)
    private const int TailStepsPerUnit = 16;
    private const int TailNodes = (int)((TailEdgeLog2 - TailMinLog2) * TailStepsPerUnit) + 1;
    private readonly Lazy<Tables> _tables; // built on first bulk use: evaluate and validate never pay for it

    /// <summary>Beta(α, β) scaled to [<paramref name="min"/>, <paramref name="max"/>].</summary>
    public BetaDistribution(double alpha, double beta, double min, double max)
    {
        Alpha = alpha;
        Beta = beta;
        Min = min;
        Max = max;
        _tables = new Lazy<Tables>(() => Build(alpha, beta, min, max - min), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <param name="Body">
    /// Per body cell k, the four coefficients (C0, C1, C2, C3) of x(t) = C0 + t·(C1 + t·(C2 + t·C3)), t = Cells·u − k in [0, 1):
    /// the cubic Hermite interpolant of the quantile between nodes k and k + 1, already mapped to [Min, Max].
    /// </param>
    /// <param name="Tail">
    /// Per tail cell, the same four coefficients in the position in the cell of the log grid: cells 0 … TailNodes − 2 for the
    /// left tail (L = log₂ u), then as many for the right tail (L = log₂(1 − u), coefficients of Min + w·(1 − z)).
    /// </param>
    private sealed record Tables(double[] Body, double[] Tail);

    /// <summary>
    /// Builds the tables.
    /// </summary>
    /// <remarks>
    /// In the body, with nodes p₀ = z_k, p₁ = z_{k+1} and scaled slopes m₀ = h·z′_k, m₁ = h·z′_{k+1}
    /// (h = 1/Cells, z′ = dz/du = 1/pdf(z)), the cubic Hermite interpolant
    /// z(t) = (2t³ − 3t² + 1)p₀ + (t³ − 2t² + t)m₀ + (−2t³ + 3t²)p₁ + (t³ − t²)m₁
    /// is, collected by powers of t, c₀ + c₁t + c₂t² + c₃t³ with c₀ = p₀, c₁ = m₀, c₂ = 3(p₁ − p₀) − 2m₀ − m₁,
    /// c₃ = 2(p₀ − p₁) + m₀ + m₁; the stored coefficients are those of Min + w·z(t): C₀ = Min + w·c₀, Cᵢ = w·cᵢ (w = Max − Min).
    /// The same function as the Hermite form, up to rounding, evaluated by Horner's rule in three fused multiply–adds.
    /// </remarks>
    private static Tables Build(double alpha, double beta, double min, double w)
    {
        var z = new double[Cells + 1];
        var m = new double[Cells + 1];
        for (int k = EndCells - 1; k <= Cells - EndCells + 1; k++)
        {
            z[k] = StandardQuantile(alpha, beta, (double)k / Cells);
            double pdf = MathNet.Numerics.Distributions.Beta.PDF(alpha, beta, z[k]);
            m[k] = pdf > 0 && double.IsFinite(pdf) ? 1.0 / pdf / Cells : 0;
        }

        var body = new double[4 * Cells];
        for (int k = EndCells - 1; k <= Cells - EndCells; k++)
        {
            double p0 = z[k], p1 = z[k + 1], m0 = m[k], m1 = m[k + 1];
            body[4 * k] = min + (w * p0);
            body[(4 * k) + 1] = w * m0;
            body[(4 * k) + 2] = w * ((3 * (p1 - p0)) - (2 * m0) - m1);
            body[(4 * k) + 3] = w * ((2 * (p0 - p1)) + m0 + m1);
        }

        var tail = new double[8 * (TailNodes - 1)];
        Coefficients(TailTable(alpha, beta), tail.AsSpan(0, 4 * (TailNodes - 1)), min, w);
        Coefficients(TailTable(beta, alpha), tail.AsSpan(4 * (TailNodes - 1)), min + w, -w); // 1 − X ~ Beta(β, α): x = (Min + w) − w·z
        return new Tables(body, tail);
    }

    /// <summary>Cubic coefficients of a + b·z(t) per cell from interleaved Hermite nodes (z, h·z′), as in <see cref="Build"/>.</summary>
    private static void Coefficients(double[] nodes, Span<double> c, double a, double b)
    {
        for (int j = 0; j < c.Length / 4; j++)
        {
            double p0 = nodes[2 * j], m0 = nodes[(2 * j) + 1], p1 = nodes[(2 * j) + 2], m1 = nodes[(2 * j) + 3];
            c[4 * j] = a + (b * p0);
            c[(4 * j) + 1] = b * m0;
            c[(4 * j) + 2] = b * ((3 * (p1 - p0)) - (2 * m0) - m1);
            c[(4 * j) + 3] = b * ((2 * (p0 - p1)) + m0 + m1);
        }
    }

    /// <summary>Shape α.</summary>
    public double Alpha { get; }
    /// <summary>Shape β.</summary>
    public double Beta { get; }
    /// <summary>Lower end of the support.</summary>
    public double Min { get; }
    /// <summary>Upper end of the support.</summary>
    public double Max { get; }
    /// <inheritdoc/>
    public override string Kind => "beta";
    /// <inheritdoc/>
    public override double Lower => Min;
    /// <inheritdoc/>
    public override double Upper => Max;

    /// <inheritdoc/>
    public override double Quantile(double u) => Min + (Max - Min) * StandardQuantile(Alpha, Beta, u);

    /// <summary>
    /// Quantile of Beta(a, b) on [0, 1]: MathNet's InvCDF (accurate to about 1e-7 in probability)
    /// polished by Newton steps on the regularized incomplete beta function; the upper half is solved as
    /// 1 − Q_{Beta(b, a)}(1 − u) so that tail probabilities near 1 keep their digits.
    /// </summary>
    public static double StandardQuantile(double a, double b, double u)
    {
        if (u > 0.5)
        {
            return 1 - StandardQuantile(b, a, 1 - u);
        }

        // Start from the better of MathNet's inverse and the left-tail expansion (u·a·B(a, b))^(1/a).
        double z = MathNet.Numerics.Distributions.Beta.InvCDF(a, b, u);
        double z0 = Math.Exp((Math.Log(u * a) + MathNet.Numerics.SpecialFunctions.BetaLn(a, b)) / a);
        if (z0 > 0 && z0 < 1 && (!(z > 0 && z < 1) || Math.Abs(Math.Log(MathNet.Numerics.Distributions.Beta.CDF(a, b, z0) / u)) < Math.Abs(Math.Log(MathNet.Numerics.Distributions.Beta.CDF(a, b, z) / u))))
        {
            z = z0;
        }

        // Safeguarded Newton on log F(z) − log u, keeping a bracket [lo, hi].
        double lo = 0, hi = 1, logU = Math.Log(u);
        for (int i = 0; i < 60; i++)
        {
            double f = MathNet.Numerics.Distributions.Beta.CDF(a, b, z);
            if (f == u)
            {
                break;
            }

            if (f < u)
            {
                lo = z;
            }
            else
            {
                hi = z;
            }

            double pdf = MathNet.Numerics.Distributions.Beta.PDF(a, b, z);
            double next = f > 0 && pdf > 0 && double.IsFinite(pdf) ? z - (Math.Log(f) - logU) * f / pdf : double.NaN;
            if (!(next > lo && next < hi))
            {
                next = lo > 0 ? Math.Sqrt(lo * hi) : 0.5 * (lo + hi);
            }

            if (Math.Abs(next - z) <= 1e-16 * z)
            {
                z = next;
                break;
            }

            z = next;
        }

        return z;
    }

    /// <summary>
    /// Bulk quantiles by the tables.
    /// </summary>
    /// <remarks>
    /// In the body, with s = Cells·u, k = ⌊s⌋ and t = s − k, x = C0 + t·(C1 + t·(C2 + t·C3)) as three fused
    /// multiply–adds (one rounding each). With AVX and FMA the body runs
    /// four lanes at a time (each lane's four coefficients are one 32-byte load, transposed in registers; when all four lanes
    /// fall in one cell, as for ascending uniforms such as the Latin hypercube strata, that row's four coefficients are
    /// broadcast instead, the same values without the transpose); the scalar
    /// loop does the same fused operations in the same order (<see cref="Math.FusedMultiplyAdd"/>, exact on every machine),
    /// so the two paths are bit-identical. The few lanes in the tails (≈ 3 %) are listed and redone four at a time by the
    /// vector tail formula, whose log₂ is computed here (not by the C runtime) so that the scalar twin matches it bit for bit.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public override void QuantileBlock(ReadOnlySpan<double> u, Span<double> x)
    {
        if (x.Length < u.Length)
        {
            throw new ArgumentException("output shorter than input", nameof(x));
        }

        var tables = _tables.Value;
        ref double tb = ref MemoryMarshal.GetArrayDataReference(tables.Body);
        ref double ur = ref MemoryMarshal.GetReference(u);
        ref double xr = ref MemoryMarshal.GetReference(x);
        int n = u.Length;
        int i = 0;
        ref double tt = ref MemoryMarshal.GetArrayDataReference(tables.Tail);
        if (Avx2.IsSupported && Fma.IsSupported)
        {
            var cells = Vector256.Create((double)Cells);
            var lo = Vector256.Create((double)EndCells);
            var hi = Vector256.Create((double)(Cells - EndCells));
            var kLo = Vector128.Create(EndCells);
            var kHi = Vector128.Create(Cells - EndCells - 1);
            const int Chunk = 256;
            Span<int> tails = stackalloc int[Chunk];
            while (i <= n - 4)
            {
                int end = Math.Min(i + Chunk, n - 3);
                int nt = 0;
                for (; i < end; i += 4)
                {
                    var sv = Vector256.LoadUnsafe(ref ur, (nuint)i) * cells;
                    var kv = Avx.ConvertToVector128Int32WithTruncation(sv); // s ≥ 0: truncation = floor
                    var t = sv - Avx.RoundToZero(sv);
                    var tail = Vector256.LessThan(sv, lo) | Vector256.GreaterThanOrEqual(sv, hi);
                    var kc = Sse41.Max(Sse41.Min(kv, kHi), kLo); // tail lanes read a valid body cell, then are redone below
                    int k0 = kc.ToScalar();
                    Vector256<double> c0, c1, c2, c3;
                    if (Sse2.MoveMask(Sse2.CompareEqual(kc, Vector128.Create(k0)).AsSingle()) == 0xF)
                    {
                        // All four lanes in one cell (the rule for ascending uniforms, as LHS evaluates them): broadcast its row.
                        ref double row = ref Unsafe.Add(ref tb, 4 * k0);
                        c0 = Vector256.Create(row);
                        c1 = Vector256.Create(Unsafe.Add(ref row, 1));
                        c2 = Vector256.Create(Unsafe.Add(ref row, 2));
                        c3 = Vector256.Create(Unsafe.Add(ref row, 3));
                    }
                    else
                    {
                        var r0 = Vector256.LoadUnsafe(ref tb, (nuint)(4 * k0));
                        var r1 = Vector256.LoadUnsafe(ref tb, (nuint)(4 * kc.GetElement(1)));
                        var r2 = Vector256.LoadUnsafe(ref tb, (nuint)(4 * kc.GetElement(2)));
                        var r3 = Vector256.LoadUnsafe(ref tb, (nuint)(4 * kc.GetElement(3)));
                        var a0 = Avx.UnpackLow(r0, r1);   // C0 of lanes 0,1 | C2 of lanes 0,1
                        var a1 = Avx.UnpackHigh(r0, r1);  // C1 | C3
                        var a2 = Avx.UnpackLow(r2, r3);
                        var a3 = Avx.UnpackHigh(r2, r3);
                        c0 = Avx.Permute2x128(a0, a2, 0x20);
                        c2 = Avx.Permute2x128(a0, a2, 0x31);
                        c1 = Avx.Permute2x128(a1, a3, 0x20);
                        c3 = Avx.Permute2x128(a1, a3, 0x31);
                    }

                    Fma.MultiplyAdd(Fma.MultiplyAdd(Fma.MultiplyAdd(c3, t, c2), t, c1), t, c0).StoreUnsafe(ref xr, (nuint)i);

                    // Branch-free list of the tail lanes: write all four candidates, advance by the number that are tails.
                    uint mask = tail.ExtractMostSignificantBits();
                    if (mask != 0)
                    {
                        for (int l = 0; l < 4; l++)
                        {
                            tails[nt] = i + l;
                            nt += (int)((mask >> l) & 1);
                        }
                    }
                }

                // The tail lanes, four at a time (the last group padded by repeating its last lane).
                for (int q = 0; q < nt; q += 4)
                {
                    int l0 = tails[q], l1 = tails[Math.Min(q + 1, nt - 1)], l2 = tails[Math.Min(q + 2, nt - 1)], l3 = tails[Math.Min(q + 3, nt - 1)];
                    var xv = TailQuantile(ref tt, Vector256.Create(Unsafe.Add(ref ur, l0), Unsafe.Add(ref ur, l1), Unsafe.Add(ref ur, l2), Unsafe.Add(ref ur, l3)));
                    Unsafe.Add(ref xr, l0) = xv.GetElement(0);
                    Unsafe.Add(ref xr, l1) = xv.GetElement(1);
                    Unsafe.Add(ref xr, l2) = xv.GetElement(2);
                    Unsafe.Add(ref xr, l3) = xv.GetElement(3);
                }
            }
        }

        for (; i < n; i++)
        {
            double ui = Unsafe.Add(ref ur, i);
            double s = ui * Cells;
            int k = (int)s;
            Unsafe.Add(ref xr, i) = k >= EndCells && k < Cells - EndCells ? Horner(ref tb, 4 * k, s - k) : TailQuantile(ref tt, ui);
        }
    }

    /// <summary>
    /// A tail lane: v = u (left, Cells·u &lt; EndCells) or 1 − u (right), L = log₂ max(v, 2^TailMinLog2), position p =
    /// (L − TailMinLog2)·TailStepsPerUnit on the log grid, cell j = min(⌊p⌋, TailNodes − 2), t = p − j, and x = C0 +
    /// t·(C1 + t·(C2 + t·C3)) with the cell's coefficients.
    /// </summary>
    /// <remarks>
    /// The same operations, in the same order, as the vector <see cref="TailQuantile(ref double, Vector256{double})"/>.
    /// </remarks>
    private static double TailQuantile(ref double tt, double ui)
    {
        bool left = ui * Cells < EndCells;
        double v = Math.Max(left ? ui : 1 - ui, TailMin);
        double pos = (Log2(v) - TailMinLog2) * TailStepsPerUnit;
        int j = Math.Min((int)pos, TailNodes - 2);
        return Horner(ref tt, 4 * (j + (left ? 0 : TailNodes - 1)), pos - j);
    }

    /// <summary>Four tail lanes at once; see <see cref="TailQuantile(ref double, double)"/>.</summary>
    private static Vector256<double> TailQuantile(ref double tt, Vector256<double> u)
    {
        var left = Vector256.LessThan(u * Cells, Vector256.Create((double)EndCells));
        var v = Vector256.Max(Vector256.ConditionalSelect(left, u, Vector256<double>.One - u), Vector256.Create(TailMin));
        var pos = (Log2(v) - Vector256.Create(TailMinLog2)) * Vector256.Create((double)TailStepsPerUnit);
        var j = Vector256.Min(Avx.RoundToZero(pos), Vector256.Create((double)(TailNodes - 2))); // pos ≥ 0: ⌊pos⌋
        var t = pos - j;
        var row = Avx.ConvertToVector128Int32WithTruncation(j + Vector256.AndNot(Vector256.Create((double)(TailNodes - 1)), left)) * 4;
        var r0 = Vector256.LoadUnsafe(ref tt, (nuint)row.GetElement(0));
        var r1 = Vector256.LoadUnsafe(ref tt, (nuint)row.GetElement(1));
        var r2 = Vector256.LoadUnsafe(ref tt, (nuint)row.GetElement(2));
        var r3 = Vector256.LoadUnsafe(ref tt, (nuint)row.GetElement(3));
        var a0 = Avx.UnpackLow(r0, r1);
        var a1 = Avx.UnpackHigh(r0, r1);
        var a2 = Avx.UnpackLow(r2, r3);
        var a3 = Avx.UnpackHigh(r2, r3);
        return Fma.MultiplyAdd(Fma.MultiplyAdd(Fma.MultiplyAdd(Avx.Permute2x128(a1, a3, 0x31), t, Avx.Permute2x128(a0, a2, 0x31)), t, Avx.Permute2x128(a1, a3, 0x20)), t, Avx.Permute2x128(a0, a2, 0x20));
    }

    /// <summary>
    /// log₂ v for normal v &gt; 0, to about an ulp: v = 2^e·m with m in [√½, √2), f = (m − 1)/(m + 1) (m − 1 is exact),
    /// log₂ m = (2/ln 2)·atanh f = Σ_{k≥0} (2/ln 2)·f^(2k+1)/(2k + 1), |f| ≤ 0.1716, summed to k = 12 by Horner in f²
    /// (fused multiply–adds), and log₂ v = e + log₂ m. Exact (0) at m = 1, so exact at powers of two.
    /// </summary>
    private static double Log2(double v)
    {
        long bits = BitConverter.DoubleToInt64Bits(v);
        double e = BitConverter.Int64BitsToDouble((long)((ulong)bits >> 52) | ExpMagic) - ExpBias;
        double m = BitConverter.Int64BitsToDouble((bits & MantissaMask) | OneBits);
        bool big = m > Sqrt2;
        m = big ? m * 0.5 : m;
        e = big ? e + 1 : e;
        double f = (m - 1) / (m + 1);
        double f2 = f * f;
        double p = Math.FusedMultiplyAdd(S12, f2, S11);
        p = Math.FusedMultiplyAdd(p, f2, S10);
        p = Math.FusedMultiplyAdd(p, f2, S9);
        p = Math.FusedMultiplyAdd(p, f2, S8);
        p = Math.FusedMultiplyAdd(p, f2, S7);
        p = Math.FusedMultiplyAdd(p, f2, S6);
        p = Math.FusedMultiplyAdd(p, f2, S5);
        p = Math.FusedMultiplyAdd(p, f2, S4);
        p = Math.FusedMultiplyAdd(p, f2, S3);
        p = Math.FusedMultiplyAdd(p, f2, S2);
        p = Math.FusedMultiplyAdd(p, f2, S1);
        p = Math.FusedMultiplyAdd(p, f2, S0);
        return Math.FusedMultiplyAdd(p, f, e);
    }

    /// <summary>Four lanes of <see cref="Log2(double)"/>, the same operations.</summary>
    private static Vector256<double> Log2(Vector256<double> v)
    {
        var bits = v.AsInt64();
        var e = (Vector256.ShiftRightLogical(bits, 52) | Vector256.Create(ExpMagic)).AsDouble() - Vector256.Create(ExpBias);
        var m = ((bits & Vector256.Create(MantissaMask)) | Vector256.Create(OneBits)).AsDouble();
        var big = Vector256.GreaterThan(m, Vector256.Create(Sqrt2));
        m = Vector256.ConditionalSelect(big, m * 0.5, m);
        e = Vector256.ConditionalSelect(big, e + Vector256<double>.One, e);
        var f = (m - Vector256<double>.One) / (m + Vector256<double>.One);
        var f2 = f * f;
        var p = Fma.MultiplyAdd(Vector256.Create(S12), f2, Vector256.Create(S11));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S10));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S9));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S8));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S7));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S6));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S5));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S4));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S3));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S2));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S1));
        p = Fma.MultiplyAdd(p, f2, Vector256.Create(S0));
        return Fma.MultiplyAdd(p, f, e);
    }

    private const long ExpMagic = 0x4330000000000000; // 2⁵²: the bits of 2⁵² + n for an integer n < 2⁵²
    private const double ExpBias = 4503599627370496.0 + 1023; // 2⁵² + exponent bias
    private const long MantissaMask = 0x000FFFFFFFFFFFFF;
    private const long OneBits = 0x3FF0000000000000;
    private const double Sqrt2 = 1.4142135623730951;
    private const double TailMin = 8.470329472543003e-22; // 2^TailMinLog2 = 2⁻⁷⁰

    // The series coefficients S_k = (2/ln 2)/(2k + 1), k = 0 … 12 (constant-folded by the compiler).
    private const double S0 = 2.8853900817779268; // 2/ln 2, correctly rounded
    private const double S1 = S0 / 3;
    private const double S2 = S0 / 5;
    private const double S3 = S0 / 7;
    private const double S4 = S0 / 9;
    private const double S5 = S0 / 11;
    private const double S6 = S0 / 13;
    private const double S7 = S0 / 15;
    private const double S8 = S0 / 17;
    private const double S9 = S0 / 19;
    private const double S10 = S0 / 21;
    private const double S11 = S0 / 23;
    private const double S12 = S0 / 25;

    /// <inheritdoc/>
    public override string Describe() => $"beta(α {F(Alpha)}, β {F(Beta)}) on [{F(Min)}, {F(Max)}]";

    /// <inheritdoc/>
    public override void Prepare() => _ = _tables.Value;

    /// <inheritdoc/>
    public virtual bool Equals(BetaDistribution? other) =>
        other is not null && Alpha == other.Alpha && Beta == other.Beta && Min == other.Min && Max == other.Max;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Alpha, Beta, Min, Max);

    /// <summary>C0 + t·(C1 + t·(C2 + t·C3)) in fused multiply–adds, the same operations as the vector path.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static double Horner(ref double tb, int j, double t) =>
        Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Math.FusedMultiplyAdd(Unsafe.Add(ref tb, j + 3), t, Unsafe.Add(ref tb, j + 2)), t, Unsafe.Add(ref tb, j + 1)), t, Unsafe.Add(ref tb, j));

    /// <summary>Nodes of X ~ Beta(a, b) at u = 2^L, L from −70 to −8 in steps of 1/16, with h·dx/dL = h·u·ln 2 / pdf(x).</summary>
    private static double[] TailTable(double a, double b)
    {
        var t = new double[2 * TailNodes];
        const double h = 1.0 / TailStepsPerUnit;
        double logB = MathNet.Numerics.SpecialFunctions.BetaLn(a, b);
        for (int j = 0; j < TailNodes; j++)
        {
            double l = TailMinLog2 + (double)j / TailStepsPerUnit;
            double u = Math.Pow(2, l);
            double z = StandardQuantile(a, b, u);
            if (!(z > 0) || !double.IsFinite(z))
            {
                z = Math.Exp((Math.Log(u * a) + logB) / a); // leading term of the left-tail expansion
            }

            double pdf = MathNet.Numerics.Distributions.Beta.PDF(a, b, z);
            t[2 * j] = z;
            t[(2 * j) + 1] = pdf > 0 && double.IsFinite(pdf) ? h * u * Math.Log(2) / pdf : 0;
        }

        return t;
    }
}
