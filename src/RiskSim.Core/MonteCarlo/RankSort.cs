using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace RiskSim.Core.MonteCarlo;

/// <summary>The rough distribution of the keys handed to <see cref="RankSort.ArgSort"/>; it only steers the speed, never the order.</summary>
internal enum KeyShape
{
    /// <summary>Keys in (0, 1), roughly uniform (Monte Carlo uniforms).</summary>
    Uniform,

    /// <summary>Keys roughly standard normal (the columns of Iman–Conover's T).</summary>
    StandardNormal,
}

/// <summary>
/// Arg-sorts of doubles for the sampler. The order is defined as: ascending by the top 32 bits of the
/// order-preserving key of each double, ties in those bits by index (what a stable LSD radix sort on that
/// key gives). <see cref="ArgSort"/> computes it by a distribution sort: each key goes to one of n buckets
/// by a cheap monotone approximation of its CDF (counting pass + stable scatter of the packed (key, index)
/// words), and an insertion sort over the whole array then removes the few inversions left within buckets.
/// The insertion sort alone makes the order exact whatever the buckets; the bucket function only decides
/// how much work it has. If the buckets come out too uneven (keys far from the assumed shape),
/// it falls back to <see cref="RadixArgSort"/>.
/// </summary>
internal static class RankSort
{
    /// <summary>Below this many keys the radix sort is used (fixed costs dominate either way).</summary>
    private const int MinBucketSort = 64;

    // Φ(t) ≈ ½ + ½·y/√(1 + y²) with y = A·t + B·t³: monotone, and close enough to Φ that n buckets hold
    // Σcount² ≈ 1.04 n keys for standard normal keys (1 n would be perfect).
    private const double A = 0.82;
    private const double B = 0.06;

    /// <summary>Work bound: above Σ count² &gt; this × n the buckets are too uneven and the radix sort runs instead.</summary>
    private const int MaxSquaresPerKey = 8;

    /// <summary>The top 32 bits of the order-preserving key of <paramref name="x"/> (negative doubles reversed).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static uint Key32(double x)
    {
        ulong b = (ulong)BitConverter.DoubleToInt64Bits(x);
        b ^= (ulong)((long)b >> 63) | 0x8000000000000000UL;
        return (uint)(b >> 32);
    }

    /// <summary><paramref name="order"/>[r] = index of the key of rank r (see the class remarks for the order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void ArgSort(ReadOnlySpan<double> keys, Span<int> order, SamplerWorkspace ws, KeyShape shape)
    {
        int n = keys.Length;
        if (n < MinBucketSort)
        {
            RadixArgSort(keys, order, ws);
            return;
        }

        var bucket = ws.Bucket.AsSpan(0, n);
        var count = ws.Count.AsSpan(0, n);
        var packed = ws.Packed.AsSpan(0, n);
        Buckets(keys, bucket, shape);

        count.Clear();
        ref int c0 = ref MemoryMarshal.GetReference(count);
        for (int i = 0; i < bucket.Length; i++)
        {
            Unsafe.Add(ref c0, bucket[i])++; // bucket[i] in [0, n) by construction
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
            RadixArgSort(keys, order, ws);
            return;
        }

        // Stable scatter: within a bucket the indices stay ascending, so equal keys stay in index order.
        ref ulong p0 = ref MemoryMarshal.GetReference(packed);
        for (int i = 0; i < n; i++)
        {
            int d = Unsafe.Add(ref c0, bucket[i])++;
            Unsafe.Add(ref p0, d) = ((ulong)Key32(keys[i]) << 32) | (uint)i;
        }

        // The buckets are in key order, so only keys within a bucket are out of order, a few per key. The
        // insertion sort runs over the whole array, so the result is exactly the (key, index) order of the
        // distinct packed words in any case.
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

        order = order[..n];
        for (int r = 0; r < order.Length; r++)
        {
            order[r] = (int)(uint)packed[r];
        }
    }

    /// <summary>bucket[i] in [0, n): a monotone (non-decreasing) function of keys[i], spreading keys of the given shape evenly.</summary>
    private static void Buckets(ReadOnlySpan<double> keys, Span<int> bucket, KeyShape shape)
    {
        int n = keys.Length;
        double h = 0.5 * n;
        int i = 0;
        if (Avx.IsSupported && Sse41.IsSupported)
        {
            var top = Vector128.Create(n - 1);
            var vn = Vector256.Create((double)n);
            var vh = Vector256.Create(h);
            var va = Vector256.Create(A);
            var vb = Vector256.Create(B);
            var one = Vector256<double>.One;
            ref double k0 = ref MemoryMarshal.GetReference(keys);
            ref int b0 = ref MemoryMarshal.GetReference(bucket);
            for (; i <= n - 4; i += 4)
            {
                var t = Vector256.LoadUnsafe(ref k0, (nuint)i);
                Vector256<double> f;
                if (shape == KeyShape.StandardNormal)
                {
                    var y = t * (va + (vb * t * t));
                    f = vh + (vh * y / Vector256.Sqrt(one + (y * y)));
                }
                else
                {
                    f = t * vn;
                }

                var b = Avx.ConvertToVector128Int32WithTruncation(f); // NaN and out of range give int.MinValue: clamped to 0
                Sse41.Min(Sse41.Max(b, Vector128<int>.Zero), top).StoreUnsafe(ref b0, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            double t = keys[i];
            double f;
            if (shape == KeyShape.StandardNormal)
            {
                double y = t * (A + (B * t * t));
                f = h + (h * y / Math.Sqrt(1 + (y * y)));
            }
            else
            {
                f = t * n;
            }

            bucket[i] = f >= 0 ? (int)Math.Min(f, n - 1) : 0; // NaN goes to 0 too
        }
    }

    /// <summary>Stable LSD radix arg-sort on the top 32 bits of the order-preserving key of each double (the reference order).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void RadixArgSort(ReadOnlySpan<double> keys, Span<int> order, SamplerWorkspace ws)
    {
        int n = keys.Length;
        var k0 = ws.Keys.AsSpan(0, n);
        var k1 = ws.Keys2.AsSpan(0, n);
        var i0 = order;
        var i1 = ws.Idx2.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            k0[i] = Key32(keys[i]);
            i0[i] = i;
        }

        Span<int> count = stackalloc int[256];
        for (int shift = 0; shift < 32; shift += 8)
        {
            count.Clear();
            for (int i = 0; i < n; i++)
            {
                count[(int)((k0[i] >> shift) & 0xFF)]++;
            }

            int sum = 0;
            for (int b = 0; b < 256; b++)
            {
                int c = count[b];
                count[b] = sum;
                sum += c;
            }

            for (int i = 0; i < n; i++)
            {
                int d = count[(int)((k0[i] >> shift) & 0xFF)]++;
                k1[d] = k0[i];
                i1[d] = i0[i];
            }

            var tk = k0;
            k0 = k1;
            k1 = tk;
            var ti = i0;
            i0 = i1;
            i1 = ti;
        }

        // After 4 passes the result is back in the original buffers (even number of swaps).
    }
}
