using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Statistics;

/// <summary>
/// Counts of values per <see cref="KeyBuckets"/> bucket (NaN not counted).
/// </summary>
/// <remarks>
/// Histograms over the same buckets merge by addition, so blocks of a run can be counted separately, in any order, and
/// combined; with the counts, <see cref="RankSelection"/> finds any order statistic exactly from one more pass that
/// collects only the values in the buckets holding the wanted ranks.
/// </remarks>
internal sealed class KeyHistogram
{
    private readonly long[] _counts; // Count + 4: the last four catch NaN lanes

    public KeyHistogram(KeyBuckets buckets)
    {
        Buckets = buckets;
        _counts = new long[buckets.Count + 4];
    }

    public KeyBuckets Buckets { get; }

    /// <summary>Values counted per bucket.</summary>
    public ReadOnlySpan<long> Counts => _counts.AsSpan(0, Buckets.Count);

    /// <summary>Non-NaN values counted.</summary>
    public long Total
    {
        get
        {
            long total = 0;
            foreach (long c in Counts)
            {
                total += c;
            }

            return total;
        }
    }

    /// <summary>Counts the non-NaN values of <paramref name="values"/> (vectorized).</summary>
    public void Add(ReadOnlySpan<double> values) => Buckets.Accumulate(values, _counts);

    /// <summary>The counts with the four NaN slots after the buckets, for <see cref="KeyBuckets.AccumulateSplit(ReadOnlySpan{double}, Span{long}, ReadOnlySpan{byte}, Span{double}, ref int, Span{double}, ref int)"/>.</summary>
    internal Span<long> RawCounts => _counts;

    /// <summary>Adds the counts of another histogram over the same buckets.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Add(KeyHistogram other)
    {
        if (other.Buckets != Buckets)
        {
            throw new ArgumentException("histograms over different buckets", nameof(other));
        }

        for (int b = 0; b < Buckets.Count; b++)
        {
            _counts[b] += other._counts[b];
        }
    }

    /// <summary>Forgets all counts.</summary>
    public void Clear() => Array.Clear(_counts);
}
