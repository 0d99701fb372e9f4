using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Statistics;

/// <summary>
/// Second step of an exact selection by counting: from a complete <see cref="KeyHistogram"/> of the data, the buckets
/// holding the wanted ranks are known; <see cref="Collect"/> keeps just the values in them (the buckets are merged into
/// a few closed value intervals, tested with vector compares), and <see cref="Resolve"/> selects exactly inside each
/// small collection by the order-preserving key (−0 before +0), recursing on finer key bits where a collection is still
/// large (ties, narrow ranges).
/// </summary>
/// <remarks>
/// The values may be fed in any blocks and any order, but each exactly once, and they must be the values the histogram
/// counted.
/// </remarks>
internal sealed class RankSelection
{
    /// <summary>Adjacent wanted buckets with at most this many values between them are collected as one interval (fewer compares per value).</summary>
    private const long MergeGap = 4096;

    private readonly long[] _ranks; // as given
    private readonly long[] _distinct; // sorted distinct ranks
    private readonly int[] _clusterOfDistinct;
    private readonly double[] _lo;
    private readonly double[] _hi;
    private readonly long[] _below; // values in lower buckets than the cluster
    private readonly int[] _offset; // cluster's start in _buffer
    private readonly int[] _size; // values the histogram counted in the cluster
    private readonly int[] _fill; // values collected so far
    private readonly double[] _buffer;

    /// <summary>Plans the collection of the values at <paramref name="ranks"/> (0-based among the histogram's <see cref="KeyHistogram.Total"/> values).</summary>
    public RankSelection(KeyHistogram histogram, ReadOnlySpan<long> ranks)
        : this(histogram, ranks, MergeGap)
    {
    }

    /// <summary>
    /// As <see cref="RankSelection(KeyHistogram, ReadOnlySpan{long})"/>, merging the buckets of two wanted ranks into one
    /// interval only when at most <paramref name="mergeGap"/> values lie between them (0: only adjacent buckets).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public RankSelection(KeyHistogram histogram, ReadOnlySpan<long> ranks, long mergeGap)
    {
        ArgumentNullException.ThrowIfNull(histogram);
        ArgumentOutOfRangeException.ThrowIfNegative(mergeGap);
        var counts = histogram.Counts;
        var cumulative = new long[counts.Length + 1];
        for (int b = 0; b < counts.Length; b++)
        {
            cumulative[b + 1] = cumulative[b] + counts[b];
        }

        long total = cumulative[^1];
        _ranks = ranks.ToArray();
        foreach (long r in _ranks)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(r, nameof(ranks));
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(r, total, nameof(ranks));
        }

        _distinct = [.. _ranks.Distinct().Order()];
        _clusterOfDistinct = new int[_distinct.Length];
        var first = new List<int>();
        var last = new List<int>();
        int bucket = 0;
        for (int d = 0; d < _distinct.Length; d++)
        {
            while (cumulative[bucket + 1] <= _distinct[d])
            {
                bucket++;
            }

            if (first.Count > 0 && cumulative[bucket] - cumulative[last[^1] + 1] <= mergeGap)
            {
                last[^1] = bucket;
            }
            else
            {
                first.Add(bucket);
                last.Add(bucket);
            }

            _clusterOfDistinct[d] = first.Count - 1;
        }

        int clusters = first.Count;
        _lo = new double[clusters];
        _hi = new double[clusters];
        _below = new long[clusters];
        _offset = new int[clusters];
        _size = new int[clusters];
        _fill = new int[clusters];
        long size = 0;
        for (int c = 0; c < clusters; c++)
        {
            (_lo[c], _hi[c]) = histogram.Buckets.ValueRange(first[c], last[c]);
            _below[c] = cumulative[first[c]];
            _offset[c] = (int)size;
            _size[c] = checked((int)(cumulative[last[c] + 1] - cumulative[first[c]]));
            size += _size[c];
        }

        Candidates = size;
        _buffer = GC.AllocateUninitializedArray<double>(checked((int)size));
    }

    /// <summary>The closed value intervals <see cref="Collect"/> keeps (one or more wanted buckets each), in increasing order.</summary>
    public IEnumerable<(double Low, double High)> Ranges => _lo.Zip(_hi);

    /// <summary>Values <see cref="Collect"/> keeps in all.</summary>
    public long Candidates { get; }

    /// <summary>Closed value intervals collected (one or more wanted buckets each).</summary>
    public int Intervals => _lo.Length;

    /// <summary>Keeps the values of <paramref name="values"/> that fall in a wanted bucket (vectorized).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Collect(ReadOnlySpan<double> values)
    {
        const int slice = 2048; // 16 KiB: with more than six intervals the slice is rescanned from L1
        int clusters = _lo.Length;
        if (clusters == 0)
        {
            return;
        }

        for (int s = 0; s < values.Length; s += slice)
        {
            var part = values.Slice(s, Math.Min(slice, values.Length - s));
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (int group = 0; group < clusters; group += 6)
                {
                    i = CollectSix(part, group);
                }
            }

            for (; i < part.Length; i++)
            {
                Take(part[i], 0, clusters);
            }
        }
    }

    /// <summary>Vector scan for intervals group … group + 5 (bounds in registers; missing ones NaN: every compare false); returns where the vector part stopped.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    [SkipLocalsInit] // the hit list is written before it is read
    private int CollectSix(ReadOnlySpan<double> values, int group)
    {
        var l0 = Bound(_lo, group);
        var h0 = Bound(_hi, group);
        var l1 = Bound(_lo, group + 1);
        var h1 = Bound(_hi, group + 1);
        var l2 = Bound(_lo, group + 2);
        var h2 = Bound(_hi, group + 2);
        var l3 = Bound(_lo, group + 3);
        var h3 = Bound(_hi, group + 3);
        var l4 = Bound(_lo, group + 4);
        var h4 = Bound(_hi, group + 4);
        var l5 = Bound(_lo, group + 5);
        var h5 = Bound(_hi, group + 5);
        ref double v0 = ref MemoryMarshal.GetReference(values);
        Span<int> hits = stackalloc int[(values.Length / 4) + 1]; // a slice: at most 512
        ref int hit0 = ref MemoryMarshal.GetReference(hits);
        int nh = 0;
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            var v = Vector256.LoadUnsafe(ref v0, (nuint)i);
            var any = (Vector256.GreaterThanOrEqual(v, l0) & Vector256.LessThanOrEqual(v, h0))
                | (Vector256.GreaterThanOrEqual(v, l1) & Vector256.LessThanOrEqual(v, h1))
                | (Vector256.GreaterThanOrEqual(v, l2) & Vector256.LessThanOrEqual(v, h2))
                | (Vector256.GreaterThanOrEqual(v, l3) & Vector256.LessThanOrEqual(v, h3))
                | (Vector256.GreaterThanOrEqual(v, l4) & Vector256.LessThanOrEqual(v, h4))
                | (Vector256.GreaterThanOrEqual(v, l5) & Vector256.LessThanOrEqual(v, h5));
            // Branch-free list of the vectors with a lane inside, taken after the scan: no call in the loop, so the
            // twelve bounds stay in registers (a call clobbers them all, and the JIT reloaded them every step).
            Unsafe.Add(ref hit0, nh) = i;
            nh += any.ExtractMostSignificantBits() != 0 ? 1 : 0;
        }

        int to = Math.Min(group + 6, _lo.Length);
        for (int h = 0; h < nh; h++)
        {
            TakeFour(Vector256.LoadUnsafe(ref v0, (nuint)hits[h]), group, to);
        }

        return i;

        static Vector256<double> Bound(double[] bounds, int c) => Vector256.Create(c < bounds.Length ? bounds[c] : double.NaN);
    }

    /// <summary>
    /// The lanes of <paramref name="v"/> inside intervals <paramref name="from"/> … <paramref name="to"/> − 1, each appended to its
    /// interval's collection in lane order (the intervals are disjoint: a lane is in one at most). By interval and a lane mask,
    /// not value by value: a hit costs a compare pair per interval, not a loop of scalar tests with their mispredicted branches.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private void TakeFour(Vector256<double> v, int from, int to)
    {
        for (int c = from; c < to; c++)
        {
            uint mask = (Vector256.GreaterThanOrEqual(v, Vector256.Create(_lo[c])) & Vector256.LessThanOrEqual(v, Vector256.Create(_hi[c]))).ExtractMostSignificantBits();
            while (mask != 0)
            {
                Append(c, v.GetElement(System.Numerics.BitOperations.TrailingZeroCount(mask)));
                mask &= mask - 1;
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Append(int c, double v)
    {
        int f = _fill[c]++;
        if (f >= _size[c])
        {
            throw new InvalidOperationException("more values collected than the histogram counted: the data changed or was fed twice");
        }

        _buffer[_offset[c] + f] = v;
    }

    private void Take(double v, int from, int to)
    {
        for (int c = from; c < to; c++)
        {
            if (v >= _lo[c] && v <= _hi[c])
            {
                Append(c, v);
                return;
            }
        }
    }

    /// <summary>The values at the planned ranks, in the order given; call after every value was collected once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double[] Resolve()
    {
        var byDistinct = new double[_distinct.Length];
        int d = 0;
        for (int c = 0; c < _lo.Length; c++)
        {
            if (_fill[c] != _size[c])
            {
                throw new InvalidOperationException("fewer values collected than the histogram counted: some data was not fed");
            }

            int start = d;
            while (d < _distinct.Length && _clusterOfDistinct[d] == c)
            {
                d++;
            }

            var keys = MemoryMarshal.Cast<double, ulong>(_buffer.AsSpan(_offset[c], _size[c]));
            for (int k = 0; k < keys.Length; k++)
            {
                keys[k] = OrderStatistics.Key(BitConverter.UInt64BitsToDouble(keys[k]));
            }

            var local = new long[d - start];
            for (int j = 0; j < local.Length; j++)
            {
                local[j] = _distinct[start + j] - _below[c];
            }

            var found = new ulong[local.Length];
            OrderStatistics.SelectKeys(keys, local, found);
            for (int j = 0; j < local.Length; j++)
            {
                byDistinct[start + j] = OrderStatistics.FromKey(found[j]);
            }
        }

        var result = new double[_ranks.Length];
        for (int r = 0; r < _ranks.Length; r++)
        {
            result[r] = byDistinct[Array.BinarySearch(_distinct, _ranks[r])];
        }

        return result;
    }
}
