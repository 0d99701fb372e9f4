using System.Runtime.CompilerServices;

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
    public double NextOpen() => ((NextUInt64() >> 11) + 0.5) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, n) by Lemire's multiply-shift (negligible bias for n ≪ 2⁶⁴).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int NextInt(int n) => (int)Math.BigMul(NextUInt64(), (ulong)n, out _);

    /// <summary>Fills a span with open uniforms.</summary>
    public void Fill(Span<double> u)
    {
        for (int i = 0; i < u.Length; i++)
        {
            u[i] = NextOpen();
        }
    }

    /// <summary>Random permutation of 0…n−1 (Fisher–Yates).</summary>
    public void Permutation(Span<int> perm)
    {
        for (int i = 0; i < perm.Length; i++)
        {
            perm[i] = i;
        }

        for (int i = perm.Length - 1; i > 0; i--)
        {
            int j = NextInt(i + 1);
            (perm[i], perm[j]) = (perm[j], perm[i]);
        }
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
