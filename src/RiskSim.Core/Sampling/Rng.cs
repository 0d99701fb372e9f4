using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Sampling;

/// <summary>
/// xoshiro256** (Blackman &amp; Vigna) seeded through SplitMix64. One generator per (master seed, input
/// name, block index): streams never depend on thread count or on other inputs. Not thread-safe; a
/// value type owned by one worker at a time.
/// </summary>
internal struct Xoshiro256
{
    private ulong _s0, _s1, _s2, _s3;

    /// <summary>Seeds from a 64-bit key by SplitMix64.</summary>
    public Xoshiro256(ulong key)
    {
        _s0 = SplitMix(ref key);
        _s1 = SplitMix(ref key);
        _s2 = SplitMix(ref key);
        _s3 = SplitMix(ref key);
    }

    /// <summary>The generator of one input's draws in one block.</summary>
    public static Xoshiro256 ForStream(ulong masterSeed, string streamName, long block) =>
        new(Mix(Mix(masterSeed ^ 0x5851F42D4C957F2DUL) ^ Fnv1a(streamName)) ^ Mix((ulong)block + 0x9E3779B97F4A7C15UL));

    /// <summary>Next 64 random bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>Fills a span with open uniforms (k + ½)·2⁻⁵², from four generators seeded by this one (<see cref="Xoshiro256x4"/>).</summary>
    public void Fill(Span<double> u)
    {
        var g = new Xoshiro256x4(ref this);
        g.FillOpen(u);
    }

    /// <summary>
    /// One Latin hypercube column of n ≤ 65,536 trials, in stratum order. <paramref name="perm"/> = a uniformly random
    /// permutation of 0…n−1 (Fisher–Yates): trial i falls in stratum perm[i]. <paramref name="strata"/>[r] =
    /// min((r + U_r) / n, <paramref name="cap"/>), U_r open uniforms: the one draw of stratum r, so the draw of trial i is
    /// strata[perm[i]] and every stratum [r/n, (r + 1)/n) holds exactly one draw. The strata come out ascending, so a
    /// caller can evaluate a quantile function over them in order and place the results by perm afterwards. The random
    /// bits come from two sets of four generators seeded by this one in turn (<see cref="Xoshiro256x4"/>): the first gives
    /// the n jitters U_0…U_{n−1} (<see cref="Xoshiro256x4.FillStrata(Span{double}, double)"/>), the second the n − 1 swap positions
    /// j_i = ⌊r·(i + 1)/2³²⌋ from the top 32 bits r of each draw, i from n − 1 down to 1 (<see cref="Xoshiro256x4.FillBelow"/>),
    /// drawn as the shuffle goes (<see cref="Xoshiro256x4.Shuffle{T}(Span{T})"/>).
    /// </summary>
    public void Latin(Span<ushort> perm, Span<double> strata, double cap)
    {
        int n = perm.Length;
        if (n > 65536)
        {
            throw new ArgumentOutOfRangeException(nameof(perm), "at most 65,536 trials per Latin hypercube column");
        }

        var (jitter, swaps) = LatinStreams();

        // The shuffle runs on 16-bit positions (32 KB for a full block: in L1).
        int i0 = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var iota = Vector256.Create((ushort)0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
            for (; i0 + 16 <= n; i0 += 16)
            {
                iota.StoreUnsafe(ref MemoryMarshal.GetReference(perm), (nuint)i0);
                iota += Vector256.Create((ushort)16);
            }
        }

        for (; i0 < n; i0++)
        {
            perm[i0] = (ushort)i0;
        }

        jitter.FillStrata(strata[..n], cap);
        swaps.Shuffle(perm);
    }

    /// <summary>
    /// The two sets of four generators <see cref="Latin"/> draws from, seeded by this one in turn: the jitters and the
    /// swap positions.
    /// </summary>
    /// <remarks>
    /// A caller may use them apart: <c>jitter.FillStrata(strata, cap)</c>, then any order-preserving work on the
    /// strata, then <c>swaps.Shuffle(values)</c> moves value r to where stratum r is in <see cref="Latin"/>'s
    /// permutation (the same swaps applied to the values instead of to 0…n−1), so values[i] = f(strata[perm[i]]).
    /// </remarks>
    public (Xoshiro256x4 Jitter, Xoshiro256x4 Swaps) LatinStreams()
    {
        var jitter = new Xoshiro256x4(ref this);
        var swaps = new Xoshiro256x4(ref this);
        return (jitter, swaps);
    }

    /// <summary>SplitMix64 finalizer.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong SplitMix(ref ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        return Mix(x);
    }

    /// <summary>FNV-1a 64 of a name (stable across runs and platforms).</summary>
    public static ulong Fnv1a(string s)
    {
        ulong h = 0xCBF29CE484222325UL;
        foreach (char c in s)
        {
            h ^= c;
            h *= 0x100000001B3UL;
        }

        return h;
    }
}

/// <summary>
/// Four xoshiro256** generators side by side in the lanes of 256-bit vectors (AVX2 when available), seeded by
/// SplitMix64 from four draws of a parent <see cref="Xoshiro256"/>: the bulk source of a stream's uniforms and
/// shuffle positions. Lane l gives draws 4k + l of the output, so results do not depend on the hardware path.
/// </summary>
internal struct Xoshiro256x4
{
    private Vector256<ulong> _s0, _s1, _s2, _s3;

    /// <summary>Seeds the four lanes from the parent generator (which advances by 4 draws).</summary>
    public Xoshiro256x4(ref Xoshiro256 parent)
    {
        Span<ulong> a = stackalloc ulong[16];
        for (int l = 0; l < 4; l++)
        {
            ulong key = parent.NextUInt64();
            for (int k = 0; k < 4; k++)
            {
                key += 0x9E3779B97F4A7C15UL;
                a[(k * 4) + l] = Xoshiro256.Mix(key);
            }
        }

        _s0 = Vector256.Create<ulong>(a[..4]);
        _s1 = Vector256.Create<ulong>(a[4..8]);
        _s2 = Vector256.Create<ulong>(a[8..12]);
        _s3 = Vector256.Create<ulong>(a[12..16]);
    }

    /// <summary>The next four 64-bit draws (one per lane).</summary>
    public Vector256<ulong> Next() => Step(ref _s0, ref _s1, ref _s2, ref _s3);

    /// <summary>One step of the four generators on state the caller keeps in locals (registers).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<ulong> Step(ref Vector256<ulong> s0, ref Vector256<ulong> s1, ref Vector256<ulong> s2, ref Vector256<ulong> s3)
    {
        var x = (s1 << 2) + s1;                  // s1·5
        x = Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(x, 7) : (x << 7) | (x >>> 57); // rotl 7 (one vprolq where AVX-512 has it)
        var result = (x << 3) + x;               // ·9
        var t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = Avx512F.VL.IsSupported ? Avx512F.VL.RotateLeft(s3, 45) : (s3 << 45) | (s3 >>> 19); // rotl 45
        return result;
    }

    /// <summary>Open uniforms (k + ½)·2⁻⁵², k the top 52 bits: exact, never 0 or 1.</summary>
    public void FillOpen(Span<double> u)
    {
        var one = Vector256.Create(0x3FF0000000000000UL);
        var half = Vector256.Create((1.0 / (1UL << 53)) - 1.0);
        int i = 0;
        var (s0, s1, s2, s3) = (_s0, _s1, _s2, _s3);
        ref double dst = ref MemoryMarshal.GetReference(u);
        for (; i + 4 <= u.Length; i += 4)
        {
            // (bits ≫ 12) as the mantissa of a double in [1, 2), minus 1, plus 2⁻⁵³ (both exact).
            var d = ((Step(ref s0, ref s1, ref s2, ref s3) >>> 12) | one).AsDouble() + half;
            d.StoreUnsafe(ref dst, (nuint)i);
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

        if (i < u.Length)
        {
            var d = ((Next() >>> 12) | one).AsDouble() + half;
            for (int l = 0; i < u.Length; i++, l++)
            {
                u[i] = d.GetElement(l);
            }
        }
    }

    /// <summary>
    /// Stratified uniforms u[r] = min((r + U_r)·(1/n), <paramref name="cap"/>), n = u.Length, U_r the open uniforms
    /// <see cref="FillOpen"/> would give (U_r first, then r + U_r, then the product: the same roundings on every path).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void FillStrata(Span<double> u, double cap)
    {
        var one = Vector256.Create(0x3FF0000000000000UL);
        var half = Vector256.Create((1.0 / (1UL << 53)) - 1.0);
        double inv = 1.0 / u.Length;
        var vinv = Vector256.Create(inv);
        var vcap = Vector256.Create(cap);
        var r = Vector256.Create(0.0, 1.0, 2.0, 3.0);
        var four = Vector256.Create(4.0);
        int i = 0;
        var (s0, s1, s2, s3) = (_s0, _s1, _s2, _s3);
        ref double dst = ref MemoryMarshal.GetReference(u);
        for (; i + 4 <= u.Length; i += 4)
        {
            var d = ((Step(ref s0, ref s1, ref s2, ref s3) >>> 12) | one).AsDouble() + half;
            var x = (r + d) * vinv;
            (Avx.IsSupported ? Avx.Min(x, vcap) : Vector256.Min(x, vcap)).StoreUnsafe(ref dst, (nuint)i); // numbers only: the same minimum either way
            r += four;
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

        if (i < u.Length)
        {
            var d = ((Next() >>> 12) | one).AsDouble() + half;
            for (int l = 0; i < u.Length; i++, l++)
            {
                u[i] = Math.Min((i + d.GetElement(l)) * inv, cap);
            }
        }
    }

    /// <summary>
    /// Fisher–Yates on <paramref name="perm"/>: for i from n − 1 down to 1, swap entries i and j_i, with the positions j_i
    /// that <see cref="FillBelow"/> would give (the same draws in the same order), drawn as the shuffle goes: the
    /// generator's arithmetic overlaps the swaps' memory traffic, and no position array is written and read back.
    /// </summary>
    public void Shuffle<T>(Span<T> perm)
        where T : unmanaged
    {
        var one = new OneSpan<T>(perm);
        Shuffle(one, perm.Length);
    }

    /// <summary>
    /// The same Fisher–Yates swaps (<see cref="Shuffle{T}(Span{T})"/>) applied to two spans of one length at once: one set
    /// of draws moves both, as two shuffles from the same state would, at about the cost of one and a half.
    /// </summary>
    public void Shuffle<T>(Span<T> a, Span<T> b)
        where T : unmanaged
    {
        if (a.Length != b.Length)
        {
            throw new ArgumentException("the spans differ in length", nameof(b));
        }

        var two = new TwoSpans<T>(a, b);
        Shuffle(two, a.Length);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Shuffle<TSwaps>(TSwaps entries, int length) // by value: its references stay in registers
        where TSwaps : struct, ISwaps, allows ref struct
    {
        nint i = length - 1;
        if (Avx2.IsSupported && i >= 4)
        {
            var (s0, s1, s2, s3) = (_s0, _s1, _s2, _s3);
            var bound = Vector256.Create((ulong)i + 1, (ulong)i, (ulong)i - 1, (ulong)i - 2);
            var four = Vector256.Create(4UL);
            for (; i >= 4; i -= 4)
            {
                // Lanes hold i, i − 1, i − 2, i − 3: r < 2³², i + 1 ≤ 2¹⁶, so the product is exact in 64 bits. Native-int
                // positions: no sign extension per swap.
                var j = Avx2.Multiply((Step(ref s0, ref s1, ref s2, ref s3) >>> 32).AsUInt32(), bound.AsUInt32()) >>> 32;
                var lo = j.GetLower();
                var hi = j.GetUpper();
                entries.Swap(i, (nint)lo.ToScalar());
                entries.Swap(i - 1, (nint)lo.GetElement(1));
                entries.Swap(i - 2, (nint)hi.ToScalar());
                entries.Swap(i - 3, (nint)hi.GetElement(1));
                bound -= four;
            }

            (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
        }

        while (i > 0)
        {
            // Scalar path, and the last one to three positions (FillBelow's remainder): whole draws of four from position i.
            int m = (int)Math.Min(i, 4);
            var r = Next() >>> 32;
            for (int l = 0; l < m; l++)
            {
                entries.Swap(i - l, (nint)((r.GetElement(l) * (ulong)(i - l + 1)) >> 32)); // positions never depend on the entries
            }

            i -= m;
        }
    }

    /// <summary>What a shuffle swaps: entries of one span, or the same entries of two.</summary>
    private interface ISwaps
    {
        void Swap(nint x, nint y);
    }

    private readonly ref struct OneSpan<T> : ISwaps
        where T : unmanaged
    {
        private readonly ref T _a;

        public OneSpan(Span<T> a) => _a = ref MemoryMarshal.GetReference(a);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Swap(nint x, nint y) => SwapAt(ref Unsafe.Add(ref _a, x), ref Unsafe.Add(ref _a, y));
    }

    private readonly ref struct TwoSpans<T> : ISwaps
        where T : unmanaged
    {
        private readonly ref T _a;
        private readonly ref T _b;

        public TwoSpans(Span<T> a, Span<T> b)
        {
            _a = ref MemoryMarshal.GetReference(a);
            _b = ref MemoryMarshal.GetReference(b);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public void Swap(nint x, nint y)
        {
            SwapAt(ref Unsafe.Add(ref _a, x), ref Unsafe.Add(ref _a, y));
            SwapAt(ref Unsafe.Add(ref _b, x), ref Unsafe.Add(ref _b, y));
        }
    }

    /// <summary>One Fisher–Yates step: swaps the entries <paramref name="a"/> and <paramref name="b"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void SwapAt<T>(ref T a, ref T b)
        where T : unmanaged
    {
        T x = b, y = a; // both loaded before either store: a and b may be the same entry
        a = x;
        b = y;
    }

    /// <summary>swap[i] = ⌊r·(i + 1) / 2³²⌋ ∈ [0, i] for i from n − 1 down to 1, r the top 32 bits of each draw; swap[0] = 0.</summary>
    public void FillBelow(Span<int> swap)
    {
        int n = swap.Length;
        if (n > 0)
        {
            swap[0] = 0;
        }

        int i = n - 1;
        var (s0, s1, s2, s3) = (_s0, _s1, _s2, _s3);
        var bound = Vector256.Create((ulong)i + 1, (ulong)i, (ulong)i - 1, (ulong)i - 2);
        var four = Vector256.Create(4UL);
        ref int dst = ref MemoryMarshal.GetReference(swap);
        for (; i >= 4; i -= 4)
        {
            // Lanes hold i, i − 1, i − 2, i − 3: r < 2³², i + 1 ≤ 2¹⁶, so the product is exact in 64 bits.
            var r = Step(ref s0, ref s1, ref s2, ref s3) >>> 32;
            var j = Avx2.IsSupported
                ? Avx2.Multiply(r.AsUInt32(), bound.AsUInt32()) >>> 32
                : Vector256.Create((r[0] * bound[0]) >> 32, (r[1] * bound[1]) >> 32, (r[2] * bound[2]) >> 32, (r[3] * bound[3]) >> 32);
            if (Avx2.IsSupported)
            {
                // The low halves of the lanes, reversed (i − 3 … i), in one 16-byte store.
                Avx2.PermuteVar8x32(j.AsInt32(), Vector256.Create(6, 4, 2, 0, 6, 4, 2, 0)).GetLower().StoreUnsafe(ref dst, (nuint)(i - 3));
            }
            else
            {
                Unsafe.Add(ref dst, i) = (int)j.GetElement(0);
                Unsafe.Add(ref dst, i - 1) = (int)j.GetElement(1);
                Unsafe.Add(ref dst, i - 2) = (int)j.GetElement(2);
                Unsafe.Add(ref dst, i - 3) = (int)j.GetElement(3);
            }
            bound -= four;
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);

        if (i > 0)
        {
            var r = Next() >>> 32;
            for (int l = 0; i > 0; i--, l++)
            {
                swap[i] = (int)((r.GetElement(l) * (ulong)(i + 1)) >> 32);
            }
        }
    }
}
