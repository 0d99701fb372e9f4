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
/// One worker's share of what exact percentiles and the expected shortfall need from a KPI, gathered block by
/// block while the block is in cache: the values inside a few closed value intervals (the candidates for the
/// wanted ranks), and the exact sum (<see cref="ExactSum"/>) of the values strictly beyond a cut on the worse
/// side (below it when higher is better).
/// </summary>
/// <remarks>
/// With the cut at the worse edge of the interval that holds the shortfall threshold t, Σ(values beyond t) = Σ(beyond
/// the cut) + Σ(candidates between the cut and t), exactly.
/// </remarks>
internal sealed class TailCollector
{
    private double[] _lo;
    private double[] _hi;
    private double _cut;
    private readonly bool _below;
    private readonly KeyBuckets? _buckets;
    private double[] _buffer;
    private double[] _beyond = []; // one block's values beyond the cut, before their exact sum
    private int _count;

    /// <param name="intervals">Disjoint closed intervals, increasing (at most <see cref="MaxIntervals"/>).</param>
    /// <param name="cut">Values strictly beyond it are summed exactly (±∞ or NaN: none).</param>
    /// <param name="below">True when "beyond" is below (the KPI is better when higher).</param>
    /// <param name="capacity">Expected candidates (the buffer grows when needed).</param>
    /// <param name="buckets">When given, <see cref="CollectCounted(ReadOnlySpan{double}, KeyHistogram)"/> can split by bucket (the intervals must be whole buckets, the cut a bucket edge).</param>
    /// <param name="arena">When given, the candidate and beyond lists come from it (and go back to the pool with it).</param>
    public TailCollector(IReadOnlyList<(double Low, double High)> intervals, double cut, bool below, int capacity, KeyBuckets? buckets = null, ScratchArena? arena = null)
    {
        if (intervals.Count > MaxIntervals)
        {
            throw new ArgumentOutOfRangeException(nameof(intervals), intervals.Count, $"at most {MaxIntervals} intervals");
        }

        _lo = [.. intervals.Select(x => x.Low)];
        _hi = [.. intervals.Select(x => x.High)];
        _cut = cut;
        _below = below;
        _arena = arena;
        _buffer = NewArray(Math.Max(16, capacity)); // written before read
        _buckets = buckets;
        if (buckets is { } kb)
        {
            _flags = new byte[kb.Count + 4];
            SetFlags(kb, intervals);
        }
    }

    /// <summary>Per-bucket flags: bit 0 inside an interval, bit 1 beyond the cut (the NaN slots after the buckets stay 0).</summary>
    private void SetFlags(KeyBuckets kb, IReadOnlyList<(double Low, double High)> intervals)
    {
        var flags = _flags!;
        flags.AsSpan().Clear();
        foreach (var (lo, hi) in intervals)
        {
            flags.AsSpan(kb.Of(lo), kb.Of(hi) - kb.Of(lo) + 1).Fill(1);
        }

        if (!double.IsNaN(_cut) && !double.IsInfinity(_cut))
        {
            int edge = kb.Of(_cut);
            for (int b = 0; b < kb.Count; b++)
            {
                if (_below ? b < edge : b > edge)
                {
                    flags[b] |= 2;
                }
            }
        }
    }

    /// <summary>
    /// Narrows the collector to new intervals, each inside one of the current ones, and a cut at or inside the current one
    /// (<see cref="MonteCarloEngine"/>'s one-pass windows, narrowed as the run goes): the candidates outside the new
    /// intervals are dropped, and those beyond the new cut but not the old one join the exact sum beyond it, so the
    /// collector holds what it would hold had it been built with the new intervals and cut from the start.
    /// </summary>
    public void Narrow(IReadOnlyList<(double Low, double High)> intervals, double cut)
    {
        if (intervals.Count > MaxIntervals)
        {
            throw new ArgumentOutOfRangeException(nameof(intervals), intervals.Count, $"at most {MaxIntervals} intervals");
        }

        double[] lo = [.. intervals.Select(x => x.Low)], hi = [.. intervals.Select(x => x.High)];
        double oldCut = _cut;
        bool Beyond(double v, double c) => _below ? v < c : v > c; // false for a NaN cut
        int kept = 0;
        for (int i = 0; i < _count; i++)
        {
            double v = _buffer[i];
            if (Beyond(v, cut) && !Beyond(v, oldCut))
            {
                this.Beyond.Add(v);
            }

            bool inside = false;
            for (int c = 0; c < lo.Length; c++)
            {
                inside |= v >= lo[c] && v <= hi[c];
            }

            if (inside)
            {
                _buffer[kept++] = v;
            }
        }

        _count = kept;
        _lo = lo;
        _hi = hi;
        _cut = cut;
        if (_buckets is { } kb)
        {
            SetFlags(kb, intervals);
        }
    }

    private readonly byte[]? _flags;
    private readonly ScratchArena? _arena;

    /// <summary>An uninitialized array, from the arena if there is one.</summary>
    private double[] NewArray(int length) => ScratchArena.RentOrAllocate<double>(_arena, length);

    /// <summary>Makes room for <paramref name="more"/> candidates: the buffer at least doubles, its values copied.</summary>
    private void Reserve(int more)
    {
        if (_buffer.Length - _count < more)
        {
            var bigger = NewArray(Math.Max(_buffer.Length * 2, _count + more));
            _buffer.AsSpan(0, _count).CopyTo(bigger);
            _buffer = bigger;
        }
    }

    /// <summary>Most intervals one collector tests (one vector compare pair each).</summary>
    public const int MaxIntervals = 8;

    /// <summary>The exact sum and count of the values beyond the cut.</summary>
    public ExactSum Beyond { get; } = new();

    /// <summary>The values collected inside the intervals, in the order met.</summary>
    public ReadOnlySpan<double> Candidates => _buffer.AsSpan(0, _count);

    /// <summary>
    /// Counts one block's values in <paramref name="histogram"/> and takes them as <see cref="Collect"/> would, in
    /// the same loop: the bucket each value is counted in says, by a flag table, whether it is inside an interval or
    /// beyond the cut (a value is in the buckets first … last exactly when it lies in their closed value range).
    /// </summary>
    public void CollectCounted(ReadOnlySpan<double> values, KeyHistogram histogram) => _ = Split(values, histogram, 0);

    /// <summary>
    /// <see cref="CollectCounted(ReadOnlySpan{double}, KeyHistogram)"/> and the block's <see cref="KpiStatistics.Moments"/>
    /// (no histogram; the same bits), gathered in the same loop (<see cref="KpiStatistics.FromLanes"/>).
    /// </summary>
    public KpiStatistics.Pass CollectCounted(ReadOnlySpan<double> values, KeyHistogram histogram, double center, double[] thresholds) =>
        KpiStatistics.FromLanes(Split(values, histogram, center), values, center, thresholds);

    private LaneMoments Split(ReadOnlySpan<double> values, KeyHistogram histogram, double center)
    {
        if (_flags is null)
        {
            throw new InvalidOperationException("constructed without buckets");
        }

        Reserve(values.Length + 4);
        if (_beyond.Length < values.Length + 4)
        {
            _beyond = NewArray(values.Length + 4);
        }

        int beyondCount = 0;
        histogram.Buckets.AccumulateSplit(values, histogram.RawCounts, _flags, _buffer, ref _count, _beyond, ref beyondCount, center, out var lanes);
        Beyond.AddRange(_beyond.AsSpan(0, beyondCount));

        return lanes;
    }

    /// <summary>Takes one block's values (NaN is never taken): vector compares, a branch-free append of the lanes inside, exact adds of the lanes beyond.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Collect(ReadOnlySpan<double> values)
    {
        Reserve(values.Length + 4);
        int k = _lo.Length;
        Span<Vector256<double>> lo = stackalloc Vector256<double>[MaxIntervals];
        Span<Vector256<double>> hi = stackalloc Vector256<double>[MaxIntervals];
        for (int c = 0; c < k; c++)
        {
            lo[c] = Vector256.Create(_lo[c]);
            hi[c] = Vector256.Create(_hi[c]);
        }

        var cut = Vector256.Create(_cut);
        ref double v0 = ref MemoryMarshal.GetReference(values);
        ref double dst = ref MemoryMarshal.GetArrayDataReference(_buffer);
        if (_beyond.Length < values.Length + 4)
        {
            _beyond = NewArray(values.Length + 4);
        }

        ref double far = ref MemoryMarshal.GetArrayDataReference(_beyond);
        int beyondCount = 0;
        int count = _count;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 4 <= values.Length; i += 4)
            {
                var v = Vector256.LoadUnsafe(ref v0, (nuint)i);
                var inside = Vector256<double>.Zero;
                for (int c = 0; c < k; c++)
                {
                    inside |= Vector256.GreaterThanOrEqual(v, lo[c]) & Vector256.LessThanOrEqual(v, hi[c]);
                }

                uint beyond = (_below ? Vector256.LessThan(v, cut) : Vector256.GreaterThan(v, cut)).ExtractMostSignificantBits(); // NaN cut: none
                uint @in = inside.ExtractMostSignificantBits();

                // Branch-free: store every lane in both lists, advance each by the lanes that belong (capacity checked above).
                for (int l = 0; l < 4; l++)
                {
                    double x = Unsafe.Add(ref v0, i + l);
                    Unsafe.Add(ref dst, count) = x;
                    Unsafe.Add(ref far, beyondCount) = x;
                    count += (int)((@in >> l) & 1);
                    beyondCount += (int)((beyond >> l) & 1);
                }
            }
        }

        for (int j = 0; j < beyondCount; j++)
        {
            Beyond.Add(Unsafe.Add(ref far, j)); // a tight loop: no unpredictable branch per value
        }

        _count = count;
        for (; i < values.Length; i++)
        {
            Take(values[i]);
        }
    }

    private void Take(double v)
    {
        if (_below ? v < _cut : v > _cut)
        {
            Beyond.Add(v);
        }

        for (int c = 0; c < _lo.Length; c++)
        {
            if (v >= _lo[c] && v <= _hi[c])
            {
                _buffer[_count++] = v; // capacity checked in Collect
                return;
            }
        }
    }

    /// <summary>
    /// The expected shortfall from the collectors of all workers, whose cut is the worse edge of the closed
    /// interval [<paramref name="low"/>, <paramref name="high"/>] that holds the threshold <paramref name="t"/>:
    /// every value strictly beyond t is beyond the cut or a candidate between the cut and t (summed exactly).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static double Shortfall(KpiStatistics.RankPlan plan, double t, IEnumerable<TailCollector> collectors, double low, double high)
    {
        var sum = new ExactSum();
        bool below = plan.HigherBetter;
        foreach (var c in collectors)
        {
            sum.Add(c.Beyond);
            if (below)
            {
                AddBetween(c.Candidates, low, t, lowOpen: false, sum); // [low, t)
            }
            else
            {
                AddBetween(c.Candidates, t, high, lowOpen: true, sum); // (t, high]
            }
        }

        return KpiStatistics.ExpectedShortfall(plan, t, sum.Value, sum.Count);
    }

    /// <summary>Adds the values in [lo, hi) (or (lo, hi] when <paramref name="lowOpen"/>) to an exact sum: vector compares, scalar adds of the lanes inside.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void AddBetween(ReadOnlySpan<double> values, double lo, double hi, bool lowOpen, ExactSum sum)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var vlo = Vector256.Create(lo);
            var vhi = Vector256.Create(hi);
            ref double v0 = ref MemoryMarshal.GetReference(values);
            for (; i + 4 <= values.Length; i += 4)
            {
                var v = Vector256.LoadUnsafe(ref v0, (nuint)i);
                var inside = lowOpen
                    ? Vector256.GreaterThan(v, vlo) & Vector256.LessThanOrEqual(v, vhi)
                    : Vector256.GreaterThanOrEqual(v, vlo) & Vector256.LessThan(v, vhi);
                uint mask = inside.ExtractMostSignificantBits();
                while (mask != 0)
                {
                    sum.Add(Unsafe.Add(ref v0, i + System.Numerics.BitOperations.TrailingZeroCount(mask)));
                    mask &= mask - 1;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            double v = values[i];
            if (lowOpen ? v > lo && v <= hi : v >= lo && v < hi)
            {
                sum.Add(v);
            }
        }
    }
}
