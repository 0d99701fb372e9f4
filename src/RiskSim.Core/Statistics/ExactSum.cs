using System.Numerics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Statistics;

/// <summary>
/// The exact sum of finite doubles, rounded once (to nearest, ties to even) when read: the result does not depend on
/// the order of the additions nor on how they were split between accumulators, so statistics built on it are the same
/// for any partition of the trials (blocks, workers, one or two passes).
/// </summary>
/// <remarks>
/// Each value m·2^(e − 1075) (m the signed 53-bit significand, e the biased exponent) is added to an Int128 bin for e;
/// a bin overflows only after 2⁷³ additions. Reading combines the bins in a <see cref="BigInteger"/>. Not thread-safe:
/// one accumulator per worker, merged with <see cref="Add(ExactSum)"/>.
/// </remarks>
internal sealed partial class ExactSum
{
    private const int Bins = 2047; // biased exponents 0 … 2046 (2047 is infinity and NaN)
    private readonly Int128[] _bins = new Int128[Bins];
    private Int128[]? _odd; // AddRange's second set of bins (allocated on first use), folded in when read or merged
    private int _lowest = Bins;
    private int _highest = -1;

    /// <summary>Values added.</summary>
    public long Count { get; private set; }

    /// <summary>Adds a finite value exactly.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is NaN or infinite.</exception>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public void Add(double value) => Add(_bins, value);

    /// <summary>
    /// Adds every value exactly, as <see cref="Add(double)"/> one by one. Values alternate between two sets of bins, so
    /// that consecutive values of one exponent do not wait on each other's read–add–write of the same bin.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void AddRange(ReadOnlySpan<double> values)
    {
        var odd = _odd ??= new Int128[Bins];
        int i = 0;
        for (; i + 2 <= values.Length; i += 2)
        {
            Add(_bins, values[i]);
            Add(odd, values[i + 1]);
        }

        if (i < values.Length)
        {
            Add(_bins, values[i]);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void Add(Int128[] bins, double value)
    {
        ulong bits = BitConverter.DoubleToUInt64Bits(value);
        int e = (int)((bits >> 52) & 0x7FF);
        if (e == 0x7FF)
        {
            ThrowNotFinite(value);
        }

        long m = (long)(bits & 0xF_FFFF_FFFF_FFFFUL);
        if (e != 0)
        {
            m |= 1L << 52;
        }
        else
        {
            e = 1; // subnormals: m·2^(1 − 1075)
        }

        bins[e] += (long)bits < 0 ? -m : m;
        _lowest = Math.Min(_lowest, e);
        _highest = Math.Max(_highest, e);
        Count++;
    }

    private static void ThrowNotFinite(double value) => throw new ArgumentOutOfRangeException(nameof(value), value, "only finite values can be summed exactly");

    /// <summary>Adds every value of another accumulator (exactly).</summary>
    public void Add(ExactSum other)
    {
        ArgumentNullException.ThrowIfNull(other);
        other.Fold();
        for (int e = other._lowest; e <= other._highest; e++)
        {
            _bins[e] += other._bins[e];
        }

        _lowest = Math.Min(_lowest, other._lowest);
        _highest = Math.Max(_highest, other._highest);
        Count += other.Count;
    }

    /// <summary>The sum, correctly rounded to the nearest double (ties to even); 0 when empty.</summary>
    public double Value
    {
        get
        {
            // N = Σ bin[e]·2^(e − 1) in units of 2⁻¹⁰⁷⁴, the smallest subnormal.
            Fold();
            var n = BigInteger.Zero;
            for (int e = _highest; e >= _lowest; e--)
            {
                n = (n << 1) + (BigInteger)_bins[e]; // Horner in powers of two, from the top
            }

            if (_lowest <= _highest && _lowest > 1)
            {
                n <<= _lowest - 1;
            }

            return ToDouble(n, -1074);
        }
    }

    /// <summary>Adds <see cref="AddRange"/>'s second set of bins into the first (exact) and clears it.</summary>
    private void Fold()
    {
        if (_odd is null || _lowest > _highest)
        {
            return;
        }

        for (int e = _lowest; e <= _highest; e++)
        {
            _bins[e] += _odd[e];
            _odd[e] = 0;
        }
    }

    /// <summary>n·2^scale rounded to the nearest double, ties to even.</summary>
    internal static double ToDouble(BigInteger n, int scale)
    {
        if (n.IsZero)
        {
            return 0;
        }

        bool negative = n.Sign < 0;
        var a = BigInteger.Abs(n);
        long length = (long)a.GetBitLength();
        double result;
        if (length <= 53)
        {
            result = Math.ScaleB((double)(ulong)a, scale); // exact: the significand fits and the scale is representable here
        }
        else
        {
            int shift = (int)(length - 53);
            var q = a >> shift;
            var rest = a - (q << shift);
            var half = BigInteger.One << (shift - 1);
            if (rest > half || (rest == half && !q.IsEven))
            {
                q += 1;
            }

            result = Math.ScaleB((double)(ulong)q, shift + scale); // q ≤ 2⁵³: exact as a double
        }

        return negative ? -result : result;
    }
}
