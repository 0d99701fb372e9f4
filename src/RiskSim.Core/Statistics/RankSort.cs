using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Statistics;

/// <summary>The rough distribution of the keys handed to <see cref="RankSort.ArgSort"/>; it only steers the speed, never the order.</summary>
internal enum KeyShape
{
    /// <summary>Keys in (0, 1), roughly uniform (Monte Carlo uniforms).</summary>
    Uniform,

    /// <summary>Keys roughly standard normal (the columns of Iman–Conover's T).</summary>
    StandardNormal,
}

/// <summary>
/// Arg-sorts of doubles for the sampler.
/// </summary>
/// <remarks>
/// The order is defined as: ascending by the top 32 bits of the order-preserving key of each double, ties in those bits
/// by index (what a stable LSD radix sort on that
/// key gives). Each key becomes a distinct 64-bit word (those 32 bits, then the index), so the order is the
/// order of the words. <see cref="Sort"/> sorts them by distribution: each word goes to one of n buckets by a
/// cheap monotone approximation of its key's CDF (<see cref="BucketMap"/>; counting pass + stable scatter),
/// and an insertion sort over the whole array then removes the few inversions left within buckets. The
/// insertion sort alone makes the order exact whatever the buckets; the bucket function only decides how
/// much work it has. If the buckets come out too uneven (keys far from the assumed shape), or n is small,
/// it sorts the words with <see cref="MemoryExtensions.Sort{T}(Span{T})"/> instead (same order: the words are distinct).
/// </remarks>
internal static class RankSort
{
    /// <summary>Below this many keys the library sort is used (fixed costs dominate either way).</summary>
    private const int MinBucketSort = 64;

    /// <summary>Work bound: above Σ count² &gt; this × n the buckets are too uneven and the library sort runs instead.</summary>
    private const int MaxSquaresPerKey = 8;

    /// <summary>The top 32 bits of the order-preserving key of <paramref name="x"/> (negative doubles reversed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Key32(double x)
    {
        ulong b = (ulong)BitConverter.DoubleToInt64Bits(x);
        b ^= (ulong)((long)b >> 63) | 0x8000000000000000UL;
        return (uint)(b >> 32);
    }

    /// <summary>The sort word of key <paramref name="x"/> at index <paramref name="i"/>: <see cref="Key32"/> above, the index below.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Word(double x, int i) => ((ulong)Key32(x) << 32) | (uint)i;

    /// <summary><paramref name="order"/>[r] = index of the key of rank r (see the class remarks for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ArgSort(ReadOnlySpan<double> keys, Span<int> order, SamplerWorkspace ws, KeyShape shape)
    {
        int n = keys.Length;
        var words = ws.Words.AsSpan(0, n);
        var bucket = ws.Bucket.AsSpan(0, n);
        var map = new BucketMap(n, shape);
        ref double k0 = ref MemoryMarshal.GetReference(keys);
        int i = 0;
        if (BucketMap.IsVectorized)
        {
            for (; i <= n - 4; i += 4)
            {
                map.Classify4(Vector256.LoadUnsafe(ref k0, (nuint)i), i, words, bucket);
            }
        }

        for (; i < n; i++)
        {
            words[i] = Word(keys[i], i);
            bucket[i] = map.Of(keys[i]);
        }

        var sorted = ws.SortedWords.AsSpan(0, n);
        Sort(words, bucket, ws.Count, sorted);
        order = order[..n];
        for (int r = 0; r < order.Length; r++)
        {
            order[r] = (int)(uint)sorted[r];
        }
    }

    /// <summary>
    /// <paramref name="sorted"/> = the distinct <paramref name="words"/> in ascending order, where
    /// <paramref name="bucket"/>[i] in [0, n) is (ideally) a non-decreasing function of words[i] that spreads them evenly.
    /// <paramref name="bucket"/> is overwritten (with each word's place after the scatter).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void Sort(ReadOnlySpan<ulong> words, Span<int> bucket, Span<int> count, Span<ulong> sorted)
    {
        int n = words.Length;
        sorted = sorted[..n];
        bucket = bucket[..n];
        if (n < MinBucketSort)
        {
            words.CopyTo(sorted);
            sorted.Sort();
            return;
        }

        count = count[..n];
        count.Clear();
        ref int c0 = ref MemoryMarshal.GetReference(count);
        uint top = (uint)n - 1;
        for (int i = 0; i < bucket.Length; i++)
        {
            Unsafe.Add(ref c0, Math.Min((uint)bucket[i], top))++; // in range by construction; the clamp only guards memory (a remainder would be a division)
        }

        long squares = 0;
        int sum = 0;
        for (int b = 0; b < count.Length; b++)
        {
            int c = count[b];
            squares += (long)c * c;
            count[b] = sum;
            sum += c;
        }

        if (squares > (long)MaxSquaresPerKey * n)
        {
            words.CopyTo(sorted);
            sorted.Sort();
            return;
        }

        // Stable scatter by bucket, in two loops: each word's place first (kept in its bucket slot), then the words. Fused,
        // the counter updates and the stores into a 128 KB array (mostly L1 misses) held each other up: about 15 % slower.
        ref int b0 = ref MemoryMarshal.GetReference(bucket);
        for (int i = 0; i < n; i++)
        {
            ref int slot = ref Unsafe.Add(ref b0, i);
            slot = Unsafe.Add(ref c0, Math.Min((uint)slot, top))++;
        }

        ref ulong p0 = ref MemoryMarshal.GetReference(sorted);
        for (int i = 0; i < n; i++)
        {
            Unsafe.Add(ref p0, Math.Min((uint)Unsafe.Add(ref b0, i), top)) = words[i]; // places are a permutation of 0…n−1; the clamp only guards memory
        }

        // The buckets are in key order, so only words within a bucket are out of order, a few per word. The
        // insertion sort runs over the whole array, so the result is exactly sorted in any case.
        for (int r = 1; r < n; r++)
        {
            ulong v = Unsafe.Add(ref p0, r);
            int j = r - 1;
            if (Unsafe.Add(ref p0, j) <= v)
            {
                continue;
            }

            do
            {
                Unsafe.Add(ref p0, j + 1) = Unsafe.Add(ref p0, j);
                j--;
            }
            while (j >= 0 && Unsafe.Add(ref p0, j) > v);
            Unsafe.Add(ref p0, j + 1) = v;
        }
    }
}

/// <summary>
/// Maps a key to one of n buckets by a monotone approximation of its CDF, and builds sort words.
/// </summary>
/// <remarks>
/// Standard normal: Φ(t) ≈ ½ + ½·y/√(1 + y²) with y = A·t + B·t³, close enough to Φ that n buckets hold
/// Σcount² ≈ 1.04 n standard normal keys (1 n would be perfect), evaluated in single precision (rounding can only
/// nudge a key into a neighbouring bucket, which the sort's insertion pass absorbs). Uniform: n·u.
/// </remarks>
internal readonly struct BucketMap(int n, KeyShape shape)
{
    private const float Af = 0.82f;
    private const float Bf = 0.06f;
    private readonly double _n = n;
    private readonly float _hf = 0.5f * n;
    private readonly float _topf = n - 1;
    private readonly int _top = n - 1;
    private readonly bool _normal = shape == KeyShape.StandardNormal;

    public static bool IsVectorized => Avx2.IsSupported;

    /// <summary>
    /// The bucket of key <paramref name="t"/>, in [0, n); NaN goes to 0. The normal map runs in single precision (t rounded
    /// to float, then y, the square root and the quotient each correctly rounded, in the same order as
    /// <see cref="Classify4"/>): the bucket only steers the sort's work, and float square roots and divisions cost half as much.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Of(double t)
    {
        if (_normal)
        {
            float tf = (float)t;
            float y = tf * (Af + (Bf * tf * tf));
            float g = _hf + (_hf * y / MathF.Sqrt(1 + (y * y)));
            return g >= 0 ? (int)MathF.Min(g, _topf) : 0;
        }

        double f = t * _n;
        return f >= 0 ? (int)Math.Min(f, _top) : 0;
    }

    /// <summary>Words and buckets of keys i…i+3 (AVX2 only): the same values as <see cref="RankSort.Word"/> and <see cref="Of"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Classify4(Vector256<double> t, int i, Span<ulong> words, Span<int> bucket)
    {
        var bits = t.AsUInt64();
        var flip = Avx2.CompareGreaterThan(Vector256<long>.Zero, bits.AsInt64()).AsUInt64() | Vector256.Create(0x8000000000000000UL);
        var word = ((bits ^ flip) & Vector256.Create(0xFFFFFFFF00000000UL)) | (Vector256.Create((ulong)(uint)i) + Vector256.Create(0UL, 1UL, 2UL, 3UL));
        word.StoreUnsafe(ref MemoryMarshal.GetReference(words), (nuint)i);

        Vector128<int> b;
        if (_normal)
        {
            var tf = Avx.ConvertToVector128Single(t);
            var y = tf * (Vector128.Create(Af) + (Vector128.Create(Bf) * tf * tf));
            var h = Vector128.Create(_hf);
            var g = h + (h * y / Vector128.Sqrt(Vector128<float>.One + (y * y)));
            g = Sse.Min(Vector128.Create(_topf), g); // NaN stays NaN (second operand); NaN and g ≤ −1 truncate to int.MinValue, clamped to 0 below
            b = Sse2.ConvertToVector128Int32WithTruncation(g);
        }
        else
        {
            var f = Avx.Min(Vector256.Create((double)_top), t * Vector256.Create(_n)); // as above
            b = Avx.ConvertToVector128Int32WithTruncation(f);
        }

        Sse41.Max(b, Vector128<int>.Zero).StoreUnsafe(ref MemoryMarshal.GetReference(bucket), (nuint)i);
    }
}
