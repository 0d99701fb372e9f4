using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace RiskSim.Core.MonteCarlo;

/// <summary>
/// xoshiro256** (Blackman &amp; Vigna) seeded through SplitMix64. One generator per (master seed, input
/// name, block index): streams never depend on thread count or on other inputs. Not thread-safe; a
/// value type owned by one worker at a time.
/// </summary>
public struct Xoshiro256
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

    /// <summary>A uniform in the open interval (0, 1): (k + 0.5) · 2⁻⁵³, never 0 or 1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double NextOpen() => ToOpen(NextUInt64());

    /// <summary>Uniform integer in [0, n) by Lemire's multiply-shift (negligible bias for n ≪ 2⁶⁴).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int n) => (int)Math.BigMul(NextUInt64(), (ulong)n, out _);

    /// <summary>Fills a span with open uniforms.</summary>
    public void Fill(Span<double> u)
    {
        // The state lives in locals (registers) for the loop, not behind `this`: same draws, no memory round trip per step.
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        for (int i = 0; i < u.Length; i++)
        {
            u[i] = ToOpen(Step(ref s0, ref s1, ref s2, ref s3));
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>Random permutation of 0…n−1 (Fisher–Yates).</summary>
    public void Permutation(Span<int> perm)
    {
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        ref int p = ref MemoryMarshal.GetReference(perm);
        for (int i = 0; i < perm.Length; i++)
        {
            Unsafe.Add(ref p, i) = i;
        }

        for (int i = perm.Length - 1; i > 0; i--)
        {
            int j = BelowOneMore(Step(ref s0, ref s1, ref s2, ref s3), i); // j ≤ i < perm.Length
            (Unsafe.Add(ref p, i), Unsafe.Add(ref p, j)) = (Unsafe.Add(ref p, j), Unsafe.Add(ref p, i));
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>
    /// One Latin hypercube column: <paramref name="rank"/> = <see cref="Permutation"/>, then
    /// u[i] = min((rank[i] + <see cref="NextOpen"/>) / n, <paramref name="cap"/>), drawing exactly as those calls would in that order.
    /// </summary>
    public void Latin(Span<int> rank, Span<double> u, double cap)
    {
        int n = rank.Length;
        u = u[..n];
        ulong s0 = _s0, s1 = _s1, s2 = _s2, s3 = _s3;
        ref int p = ref MemoryMarshal.GetReference(rank);
        for (int i = 0; i < n; i++)
        {
            Unsafe.Add(ref p, i) = i;
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = BelowOneMore(Step(ref s0, ref s1, ref s2, ref s3), i); // j ≤ i < n
            (Unsafe.Add(ref p, i), Unsafe.Add(ref p, j)) = (Unsafe.Add(ref p, j), Unsafe.Add(ref p, i));
        }

        double inv = 1.0 / n;
        for (int i = 0; i < n; i++)
        {
            u[i] = Math.Min((rank[i] + ToOpen(Step(ref s0, ref s1, ref s2, ref s3))) * inv, cap);
        }

        (_s0, _s1, _s2, _s3) = (s0, s1, s2, s3);
    }

    /// <summary>Lemire's multiply-shift into [0, i]: the same value as <see cref="NextInt"/>(i + 1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BelowOneMore(ulong bits, int i) =>
        Bmi2.X64.IsSupported ? (int)Bmi2.X64.MultiplyNoFlags(bits, (ulong)(i + 1)) : (int)Math.BigMul(bits, (ulong)(i + 1), out _);

    /// <summary>One xoshiro256** step on state held by the caller (identical to <see cref="NextUInt64"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Step(ref ulong s0, ref ulong s1, ref ulong s2, ref ulong s3)
    {
        ulong result = ulong.RotateLeft(s1 * 5, 7) * 9;
        ulong t = s1 << 17;
        s2 ^= s0;
        s3 ^= s1;
        s1 ^= s2;
        s0 ^= s3;
        s2 ^= t;
        s3 = ulong.RotateLeft(s3, 45);
        return result;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static double ToOpen(ulong bits) => ((long)(bits >> 11) + 0.5) * (1.0 / (1UL << 53));

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
