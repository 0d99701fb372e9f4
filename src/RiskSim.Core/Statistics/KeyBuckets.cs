using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Statistics;

/// <summary>
/// A monotone map of doubles onto at most a given number of histogram buckets, the first step of an exact selection by
/// counting (<see cref="KeyHistogram"/>, <see cref="RankSelection"/>).
/// </summary>
/// <remarks>
/// A value is clamped to [<see cref="Low"/>, <see cref="High"/>]; its sign-magnitude bit pattern, less a dead zone, is
/// taken relative to that of <see cref="Low"/>, and the top bits of the difference are the bucket. Within one binade
/// the map is linear in the value, across binades it is logarithmic, so heavy tails and wide ranges keep resolution
/// where the values are. When the range contains 0, magnitudes below 2⁻²⁰ of the larger end share the bucket of zero,
/// so a sign change does not spend the buckets on the ~2000 empty binades around zero. −0 and +0 always share a bucket,
/// so a run of buckets is a closed interval of values (<see cref="ValueRange"/>). Values outside the range land in the
/// first or last bucket: the map is exact for any input; a range that misses the data only makes those buckets larger.
/// NaN has no bucket.
/// </remarks>
internal readonly struct KeyBuckets : IEquatable<KeyBuckets>
{
    /// <summary>Buckets used by default for large inputs (2¹⁴: the histogram stays in the L2 cache).</summary>
    public const int DefaultCount = 1 << 14;

    /// <summary>Values sampled (strided) by <see cref="FromSample"/> to choose the range.</summary>
    public const int SampleSize = 4096;

    private const int DeadZoneBits = 20;

    private readonly long _origin; // Scaled(Low)
    private readonly long _dead; // magnitude bit patterns at or below this map to 0
    private readonly int _shift;

    private KeyBuckets(double low, double high, long origin, long dead, int shift, int count)
    {
        Low = low;
        High = high;
        _origin = origin;
        _dead = dead;
        _shift = shift;
        Count = count;
    }

    /// <summary>Lower end of the resolved range: smaller values share bucket 0.</summary>
    public double Low { get; }

    /// <summary>Upper end of the resolved range: larger values share the last bucket.</summary>
    public double High { get; }

    /// <summary>Number of buckets (1 … the maximum asked for).</summary>
    public int Count { get; }

    /// <summary>Buckets over [low, high] (NaN ends count as 0; the ends are swapped if inverted), at most <paramref name="maxBuckets"/> of them.</summary>
    public static KeyBuckets ForRange(double low, double high, int maxBuckets = DefaultCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBuckets, 1);
        low = double.IsNaN(low) ? 0 : low;
        high = double.IsNaN(high) ? 0 : high;
        if (low > high)
        {
            (low, high) = (high, low);
        }

        long dead = 0;
        if (low <= 0 && high >= 0)
        {
            double top = Math.Min(Math.Max(-low, high), double.MaxValue);
            dead = BitConverter.DoubleToInt64Bits(Math.ScaleB(top, -DeadZoneBits));
        }

        long origin = Scaled(low, dead);
        ulong span = (ulong)(Scaled(high, dead) - origin);
        int shift = 0;
        while ((span >> shift) >= (ulong)maxBuckets)
        {
            shift++;
        }

        return new KeyBuckets(low, high, origin, dead, shift, (int)(span >> shift) + 1);
    }

    /// <summary>
    /// Buckets over the range of a strided sample of about <see cref="SampleSize"/> finite values of
    /// <paramref name="data"/> (NaN and infinities skipped; none: the range [0, 0]). The sample only sets
    /// the resolution; results built on the buckets are exact whatever it finds.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static KeyBuckets FromSample(ReadOnlySpan<double> data, int maxBuckets = DefaultCount)
    {
        int stride = Math.Max(1, data.Length / SampleSize);
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        for (int i = stride / 2; i < data.Length; i += stride)
        {
            double v = data[i];
            if (double.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        return min <= max ? ForRange(min, max, maxBuckets) : ForRange(0, 0, maxBuckets);
    }

    /// <summary>
    /// Buckets over the central part of a strided sample of about <see cref="SampleSize"/> finite values of
    /// <paramref name="data"/>: from its <paramref name="tail"/> quantile to its 1 − <paramref name="tail"/> quantile, so
    /// that the buckets resolve where the percentiles of interest lie rather than spreading over the extremes (values beyond
    /// the range share the outer buckets; none: the range [0, 0]). Only the resolution depends on the sample; results built
    /// on the buckets are exact whatever it finds.
    /// </summary>
    public static KeyBuckets FromSampleCentral(ReadOnlySpan<double> data, double tail, int maxBuckets = DefaultCount)
    {
        int stride = Math.Max(1, data.Length / SampleSize);
        var sample = new List<double>(SampleSize + 1);
        for (int i = stride / 2; i < data.Length; i += stride)
        {
            if (double.IsFinite(data[i]))
            {
                sample.Add(data[i]);
            }
        }

        if (sample.Count == 0)
        {
            return ForRange(0, 0, maxBuckets);
        }

        sample.Sort();
        int skip = (int)(tail * sample.Count);
        return ForRange(sample[skip], sample[sample.Count - 1 - skip], maxBuckets);
    }

    /// <summary>Bucket count suited to an input of <paramref name="n"/> values: about n/16, between 64 and <see cref="DefaultCount"/>.</summary>
    public static int CountFor(long n) => (int)Math.Clamp(System.Numerics.BitOperations.RoundUpToPowerOf2((ulong)Math.Max(1, n / 16)), 64, DefaultCount);

    /// <summary>Bucket of a value (−1 for NaN). Monotone: a ≤ b implies Of(a) ≤ Of(b).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Of(double value)
    {
        if (double.IsNaN(value))
        {
            return -1;
        }

        double c = Math.Min(Math.Max(value, Low), High);
        return (int)((ulong)(Scaled(c, _dead) - _origin) >> _shift);
    }

    /// <summary>
    /// The closed interval of values in buckets <paramref name="first"/> … <paramref name="last"/>: a
    /// non-NaN v has first ≤ Of(v) ≤ last exactly when Low ≤ v ≤ High (infinite at the outer buckets).
    /// </summary>
    public (double Low, double High) ValueRange(int first, int last)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfLessThan(last, first);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(last, Count);
        double lo = first == 0 ? double.NegativeInfinity : OrderStatistics.FromKey(FirstKeyAtLeast(first));
        double hi = last == Count - 1 ? double.PositiveInfinity : OrderStatistics.FromKey(FirstKeyAtLeast(last + 1) - 1);
        return (lo, hi);
    }

    /// <summary>Smallest order-preserving key whose value lies in a bucket ≥ b (1 ≤ b &lt; Count). Never the key of +0: ±0 share a bucket.</summary>
    private ulong FirstKeyAtLeast(int b)
    {
        ulong lo = OrderStatistics.Key(double.NegativeInfinity); // bucket 0 < b
        ulong hi = OrderStatistics.Key(double.PositiveInfinity); // bucket Count − 1 ≥ b
        while (lo + 1 < hi)
        {
            ulong mid = lo + ((hi - lo) / 2);
            if (Of(OrderStatistics.FromKey(mid)) >= b)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        return hi;
    }

    /// <summary>Sign-magnitude bit pattern less the dead zone: monotone in the value, 0 for ±0 and |v| in the dead zone.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static long Scaled(double c, long dead)
    {
        long bits = BitConverter.DoubleToInt64Bits(c);
        long m = Math.Max((bits & long.MaxValue) - dead, 0);
        return bits < 0 ? -m : m;
    }

    /// <summary>
    /// Adds the bucket of every value to <paramref name="counts"/> (length ≥ <see cref="Count"/> + 4:
    /// NaN lanes go to the four slots after the buckets, one per lane, so long NaN runs do not serialize
    /// on one counter). Vectorized with AVX2 (4 lanes) where available.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Accumulate(ReadOnlySpan<double> values, Span<long> counts)
    {
        if (counts.Length < Count + 4)
        {
            throw new ArgumentException("histogram too short", nameof(counts));
        }

        int i = 0;
        if (Vector256.IsHardwareAccelerated && values.Length >= 4)
        {
            // One loop per sign of the range, so each computes only what its values need.
            i = Low > 0 ? Accumulate<Positive>(values, counts)
                : High < 0 ? Accumulate<Negative>(values, counts)
                : Accumulate<Crossing>(values, counts);
        }

        for (; i < values.Length; i++)
        {
            int b = Of(values[i]);
            counts[b < 0 ? Count : b]++;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int Accumulate<TSign>(ReadOnlySpan<double> values, Span<long> counts)
        where TSign : struct, ISign
    {
        ref long c0 = ref MemoryMarshal.GetReference(counts);
        ref double v0 = ref MemoryMarshal.GetReference(values);
        var low = Vector256.Create(Low);
        var high = Vector256.Create(High);
        var dead = Vector256.Create(_dead);
        var origin = Vector256.Create(_origin);
        var nanSlot = Vector256.Create((long)Count, Count + 1, Count + 2, Count + 3);
        int shift = _shift;
        Span<long> lanes = stackalloc long[4]; // a store and four loads beat four lane extracts
        ref long l0 = ref MemoryMarshal.GetReference(lanes);
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            var v = Vector256.LoadUnsafe(ref v0, (nuint)i);
            var bits = Vector256.MinNative(Vector256.MaxNative(v, low), high).AsInt64(); // NaN → Low; masked below
            var idx = Vector256.ShiftRightLogical(TSign.Offset(bits, dead, origin), shift);
            Vector256.ConditionalSelect(Vector256.Equals(v, v).AsInt64(), idx, nanSlot).StoreUnsafe(ref l0);
            Unsafe.Add(ref c0, (nint)l0)++;
            Unsafe.Add(ref c0, (nint)Unsafe.Add(ref l0, 1))++;
            Unsafe.Add(ref c0, (nint)Unsafe.Add(ref l0, 2))++;
            Unsafe.Add(ref c0, (nint)Unsafe.Add(ref l0, 3))++;
        }

        return i;
    }

    /// <summary>
    /// <see cref="Accumulate(ReadOnlySpan{double}, Span{long})"/> and, in the same loop, a split of the values by a
    /// per-bucket flag (<paramref name="flags"/>, length ≥ <see cref="Count"/> + 4, zero for the NaN slots): bit 0 appends
    /// the value to <paramref name="inside"/>, bit 1 to <paramref name="beyond"/>, each branch-free (every lane is stored,
    /// the position advances by the flag). Both lists need room for <paramref name="values"/>.Length + 4 more values.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void AccumulateSplit(ReadOnlySpan<double> values, Span<long> counts, ReadOnlySpan<byte> flags, Span<double> inside, ref int insideCount, Span<double> beyond, ref int beyondCount) =>
        AccumulateSplit(values, counts, flags, inside, ref insideCount, beyond, ref beyondCount, 0, out _);

    /// <summary>
    /// <see cref="AccumulateSplit(ReadOnlySpan{double}, Span{long}, ReadOnlySpan{byte}, Span{double}, ref int, Span{double}, ref int)"/>,
    /// and in the same loop the lane sums of the moments over the vector part of <paramref name="values"/>, exactly as
    /// <see cref="Statistics.KpiStatistics.Moments"/> adds them (see <see cref="LaneMoments"/>): one pass over a block
    /// instead of two. <paramref name="lanes"/>.End tells where the vector part ends (0 without AVX2).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void AccumulateSplit(ReadOnlySpan<double> values, Span<long> counts, ReadOnlySpan<byte> flags, Span<double> inside, ref int insideCount, Span<double> beyond, ref int beyondCount, double center, out LaneMoments lanes)
    {
        lanes = LaneMoments.Empty; // not default: with fewer than four values there is no vector part, and lanes at 0 would be a minimum of 0
        if (counts.Length < Count + 4 || flags.Length < Count + 4)
        {
            throw new ArgumentException("histogram or flags too short", nameof(counts));
        }

        if (inside.Length - insideCount < values.Length + 4 || beyond.Length - beyondCount < values.Length + 4)
        {
            throw new ArgumentException("no room for the split", nameof(inside));
        }

        int i = 0;
        if (Vector512.IsHardwareAccelerated && Avx512F.IsSupported && values.Length >= 8) // where 512-bit vectors run at full speed
        {
            i = Low > 0 ? AccumulateSplit512<Positive>(values, counts, flags, inside, ref insideCount, beyond, ref beyondCount, center, out lanes)
                : High < 0 ? AccumulateSplit512<Negative>(values, counts, flags, inside, ref insideCount, beyond, ref beyondCount, center, out lanes)
                : AccumulateSplit512<Crossing>(values, counts, flags, inside, ref insideCount, beyond, ref beyondCount, center, out lanes);
        }
        else if (Avx2.IsSupported && values.Length >= 4)
        {
            i = Low > 0 ? AccumulateSplit<Positive>(values, counts, flags, inside, ref insideCount, beyond, ref beyondCount, center, out lanes)
                : High < 0 ? AccumulateSplit<Negative>(values, counts, flags, inside, ref insideCount, beyond, ref beyondCount, center, out lanes)
                : AccumulateSplit<Crossing>(values, counts, flags, inside, ref insideCount, beyond, ref beyondCount, center, out lanes);
        }

        for (; i < values.Length; i++)
        {
            int b = Of(values[i]);
            int slot = b < 0 ? Count : b;
            counts[slot]++;
            int f = flags[slot];
            inside[insideCount] = values[i];
            insideCount += f & 1;
            beyond[beyondCount] = values[i];
            beyondCount += f >> 1;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AccumulateSplit<TSign>(ReadOnlySpan<double> values, Span<long> counts, ReadOnlySpan<byte> flags, Span<double> inside, ref int insideCount, Span<double> beyond, ref int beyondCount, double center, out LaneMoments moments)
        where TSign : struct, ISign
    {
        ref long c0 = ref MemoryMarshal.GetReference(counts);
        ref byte f0 = ref MemoryMarshal.GetReference(flags);
        ref double v0 = ref MemoryMarshal.GetReference(values);
        ref double in0 = ref MemoryMarshal.GetReference(inside);
        ref double out0 = ref MemoryMarshal.GetReference(beyond);
        // The slot computation restates Accumulate's on purpose: moved into a shared struct helper, the JIT kept its five
        // vectors in memory and counting measured 40–80 % slower (0.98–1.27 → 1.5–1.9 ns a value).
        var low = Vector256.Create(Low);
        var high = Vector256.Create(High);
        var dead = Vector256.Create(_dead);
        var origin = Vector256.Create(_origin);
        var nanSlot = Vector256.Create((long)Count, Count + 1, Count + 2, Count + 3);
        var shift = Vector128.CreateScalar((long)_shift); // a count in a vector register: no general register and no masking per step
        ref double inAt = ref Unsafe.Add(ref in0, insideCount); // write cursors rather than base and count: two general registers fewer
        ref double outAt = ref Unsafe.Add(ref out0, beyondCount);
        ref var front = ref MemoryMarshal.GetArrayDataReference(FrontLanes);
        ref byte masks = ref MemoryMarshal.GetArrayDataReference(SplitMasks);
        var c = Vector256.Create(center);
        var sum = Vector256<double>.Zero; // the moments' virtual lanes 0–3 (positions 8k … 8k + 3) and 4–7, swapped after each step
        var sumNext = Vector256<double>.Zero;
        var squares = Vector256<double>.Zero;
        var squaresNext = Vector256<double>.Zero;
        var min = Vector256.Create(double.PositiveInfinity);
        var max = Vector256.Create(double.NegativeInfinity);
        var count = Vector256<long>.Zero;
        var negative = Vector256<long>.Zero;
        int i = 0;
        for (; i + 4 <= values.Length; i += 4)
        {
            var v = Vector256.LoadUnsafe(ref v0, (nuint)i);
            var ok = Vector256.Equals(v, v); // false for NaN
            var d = (v - c) & ok;
            var added = sum + d;
            sum = sumNext;
            sumNext = added;
            var addedSquares = squares + (d * d);
            squares = squaresNext;
            squaresNext = addedSquares;
            count -= ok.AsInt64();
            min = Vector256.MinNative(v, min);
            max = Vector256.MaxNative(v, max);
            negative -= Vector256.LessThan(v, Vector256<double>.Zero).AsInt64();
            var bits = Vector256.MinNative(Vector256.MaxNative(v, low), high).AsInt64(); // NaN → Low; masked below
            var idx = Avx2.ShiftRightLogical(TSign.Offset(bits, dead, origin), shift);
            var slots = Vector256.ConditionalSelect(ok.AsInt64(), idx, nanSlot);

            // The four flags packed two bits a lane, split by a table into an inside mask and a beyond mask; each
            // mask's lanes are moved to the front of the vector (in lane order) and the whole vector stored at the
            // end of its buffer, which advances by the lanes taken (the slack after it takes the rest).
            // The slots by lane extraction (vmovq, vpextrq) rather than a store and four loads: those waited on store
            // forwarding, and the whole chain up to the next cursor hung on them (the counting measured about 6 % faster).
            var low4 = slots.GetLower();
            var high4 = slots.GetUpper();
            nint s0 = (nint)low4.ToScalar(), s1 = (nint)low4.GetElement(1), s2 = (nint)high4.ToScalar(), s3 = (nint)high4.GetElement(1);

            Unsafe.Add(ref c0, s0)++;
            Unsafe.Add(ref c0, s1)++;
            Unsafe.Add(ref c0, s2)++;
            Unsafe.Add(ref c0, s3)++;
            uint f = Unsafe.Add(ref f0, s0) | ((uint)Unsafe.Add(ref f0, s1) << 2) | ((uint)Unsafe.Add(ref f0, s2) << 4) | ((uint)Unsafe.Add(ref f0, s3) << 6);
            uint mIn = Unsafe.Add(ref masks, (nint)f) & 15u;
            uint mOut = (uint)Unsafe.Add(ref masks, (nint)f) >> 4;
            Avx2.PermuteVar8x32(v.AsInt32(), Unsafe.Add(ref front, (nint)mIn)).AsDouble().StoreUnsafe(ref inAt);
            inAt = ref Unsafe.Add(ref inAt, BitOperations.PopCount(mIn));
            Avx2.PermuteVar8x32(v.AsInt32(), Unsafe.Add(ref front, (nint)mOut)).AsDouble().StoreUnsafe(ref outAt);
            outAt = ref Unsafe.Add(ref outAt, BitOperations.PopCount(mOut));
        }

        insideCount = (int)(Unsafe.ByteOffset(ref in0, ref inAt) / sizeof(double));
        beyondCount = (int)(Unsafe.ByteOffset(ref out0, ref outAt) / sizeof(double));
        bool even = (i & 4) == 0; // an even number of steps: sum holds lanes 0–3 again
        moments = new LaneMoments(i, even ? sum : sumNext, even ? sumNext : sum, even ? squares : squaresNext, even ? squaresNext : squares, min, max, count, negative);
        return i;
    }

    /// <summary>
    /// <see cref="AccumulateSplit{TSign}"/> eight values a step (AVX-512): the moments' virtual lane l is lane l of one
    /// 512-bit sum (positions 8k + l, added in index order, as the four-lane version adds them in two alternating
    /// halves), so the sums are the same bits; min, max and the counts are exact whatever the grouping; the lanes
    /// inside and beyond are appended in lane order by vcompresspd (the same lists).
    /// </summary>
    /// <remarks>
    /// Ends at a multiple of eight: the caller takes the rest one by one, as it takes the four-lane version's.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private int AccumulateSplit512<TSign>(ReadOnlySpan<double> values, Span<long> counts, ReadOnlySpan<byte> flags, Span<double> inside, ref int insideCount, Span<double> beyond, ref int beyondCount, double center, out LaneMoments moments)
        where TSign : struct, ISign
    {
        ref long c0 = ref MemoryMarshal.GetReference(counts);
        ref byte f0 = ref MemoryMarshal.GetReference(flags);
        ref double v0 = ref MemoryMarshal.GetReference(values);
        ref double in0 = ref MemoryMarshal.GetReference(inside);
        ref double out0 = ref MemoryMarshal.GetReference(beyond);
        var low = Vector512.Create(Low);
        var high = Vector512.Create(High);
        var dead = Vector512.Create(_dead);
        var origin = Vector512.Create(_origin);
        var nanSlot = Vector512.Create((long)Count, Count + 1, Count + 2, Count + 3, Count, Count + 1, Count + 2, Count + 3);
        var shift = Vector128.CreateScalar((long)_shift);
        var laneBits = Vector512.Create(1L, 2, 4, 8, 16, 32, 64, 128);
        ref double inAt = ref Unsafe.Add(ref in0, insideCount);
        ref double outAt = ref Unsafe.Add(ref out0, beyondCount);
        ref byte masks = ref MemoryMarshal.GetArrayDataReference(SplitMasks);
        var c = Vector512.Create(center);
        var sum = Vector512<double>.Zero; // virtual lanes 0–7
        var squares = Vector512<double>.Zero;
        var min = Vector512.Create(double.PositiveInfinity);
        var max = Vector512.Create(double.NegativeInfinity);
        var count = Vector512<long>.Zero;
        var negative = Vector512<long>.Zero;
        int i = 0;
        for (; i + 8 <= values.Length; i += 8)
        {
            var v = Vector512.LoadUnsafe(ref v0, (nuint)i);
            var ok = Vector512.Equals(v, v); // false for NaN
            var d = (v - c) & ok;
            sum += d;
            squares += d * d;
            count -= ok.AsInt64();
            min = Vector512.MinNative(v, min);
            max = Vector512.MaxNative(v, max);
            negative -= Vector512.LessThan(v, Vector512<double>.Zero).AsInt64();
            var bits = Vector512.MinNative(Vector512.MaxNative(v, low), high).AsInt64(); // NaN → Low; masked below
            var idx = Avx512F.ShiftRightLogical(TSign.Offset(bits, dead, origin), shift);
            var slots = Vector512.ConditionalSelect(ok.AsInt64(), idx, nanSlot);

            var lo4 = slots.GetLower();
            var hi4 = slots.GetUpper();
            var q0 = lo4.GetLower();
            var q1 = lo4.GetUpper();
            var q2 = hi4.GetLower();
            var q3 = hi4.GetUpper();
            nint s0 = (nint)q0.ToScalar(), s1 = (nint)q0.GetElement(1), s2 = (nint)q1.ToScalar(), s3 = (nint)q1.GetElement(1);
            nint s4 = (nint)q2.ToScalar(), s5 = (nint)q2.GetElement(1), s6 = (nint)q3.ToScalar(), s7 = (nint)q3.GetElement(1);
            Unsafe.Add(ref c0, s0)++;
            Unsafe.Add(ref c0, s1)++;
            Unsafe.Add(ref c0, s2)++;
            Unsafe.Add(ref c0, s3)++;
            Unsafe.Add(ref c0, s4)++;
            Unsafe.Add(ref c0, s5)++;
            Unsafe.Add(ref c0, s6)++;
            Unsafe.Add(ref c0, s7)++;
            uint fa = Unsafe.Add(ref f0, s0) | ((uint)Unsafe.Add(ref f0, s1) << 2) | ((uint)Unsafe.Add(ref f0, s2) << 4) | ((uint)Unsafe.Add(ref f0, s3) << 6);
            uint fb = Unsafe.Add(ref f0, s4) | ((uint)Unsafe.Add(ref f0, s5) << 2) | ((uint)Unsafe.Add(ref f0, s6) << 4) | ((uint)Unsafe.Add(ref f0, s7) << 6);
            uint ma = Unsafe.Add(ref masks, (nint)fa);
            uint mb = Unsafe.Add(ref masks, (nint)fb);
            uint mIn = (ma & 15u) | ((mb & 15u) << 4);
            uint mOut = (ma >> 4) | ((mb >> 4) << 4);
            var takeIn = Vector512.GreaterThan(laneBits & Vector512.Create((long)mIn), Vector512<long>.Zero).AsDouble();
            var takeOut = Vector512.GreaterThan(laneBits & Vector512.Create((long)mOut), Vector512<long>.Zero).AsDouble();
            Avx512F.Compress(v, takeIn, v).StoreUnsafe(ref inAt);
            inAt = ref Unsafe.Add(ref inAt, BitOperations.PopCount(mIn));
            Avx512F.Compress(v, takeOut, v).StoreUnsafe(ref outAt);
            outAt = ref Unsafe.Add(ref outAt, BitOperations.PopCount(mOut));
        }

        insideCount = (int)(Unsafe.ByteOffset(ref in0, ref inAt) / sizeof(double));
        beyondCount = (int)(Unsafe.ByteOffset(ref out0, ref outAt) / sizeof(double));
        moments = new LaneMoments(
            i, sum.GetLower(), sum.GetUpper(), squares.GetLower(), squares.GetUpper(),
            Vector256.Min(min.GetLower(), min.GetUpper()), Vector256.Max(max.GetLower(), max.GetUpper()), // never NaN (MinNative keeps the running value), so exact
            count.GetLower() + count.GetUpper(), negative.GetLower() + negative.GetUpper());
        return i;
    }

    /// <summary>
    /// For each 4-bit lane mask, the vpermd indices that move the masked 64-bit lanes to the front of a vector in lane
    /// order (the other positions repeat lane 0: written past the end, then overwritten or unused).
    /// </summary>
    private static readonly Vector256<int>[] FrontLanes = BuildFrontLanes();

    /// <summary>
    /// For four lanes' flags packed two bits a lane (bit 0 inside, bit 1 beyond), the inside lanes' mask in the low
    /// nibble and the beyond lanes' in the high one (a table rather than BMI2's pext, which is microcoded and slow on
    /// AMD processors before Zen 3).
    /// </summary>
    private static readonly byte[] SplitMasks = BuildSplitMasks();

    private static byte[] BuildSplitMasks()
    {
        var table = new byte[256];
        for (int f = 0; f < 256; f++)
        {
            int inside = 0, beyond = 0;
            for (int l = 0; l < 4; l++)
            {
                inside |= ((f >> (2 * l)) & 1) << l;
                beyond |= ((f >> ((2 * l) + 1)) & 1) << l;
            }

            table[f] = (byte)(inside | (beyond << 4));
        }

        return table;
    }

    private static Vector256<int>[] BuildFrontLanes()
    {
        var table = new Vector256<int>[16];
        Span<int> e = stackalloc int[8];
        for (int m = 0; m < 16; m++)
        {
            e.Clear();
            int k = 0;
            for (int l = 0; l < 4; l++)
            {
                if (((m >> l) & 1) != 0)
                {
                    e[2 * k] = 2 * l;
                    e[(2 * k) + 1] = (2 * l) + 1;
                    k++;
                }
            }

            for (; k < 4; k++)
            {
                e[(2 * k) + 1] = 1;
            }

            table[m] = Vector256.Create<int>(e);
        }

        return table;
    }

    /// <summary>Scaled(c) − origin for the bit patterns of clamped values, by the sign of the range.</summary>
    private interface ISign
    {
        static abstract Vector256<long> Offset(Vector256<long> bits, Vector256<long> dead, Vector256<long> origin);

        static abstract Vector512<long> Offset(Vector512<long> bits, Vector512<long> dead, Vector512<long> origin);
    }

    /// <summary>Low &gt; 0: no dead zone, the bit pattern is the scale.</summary>
    private readonly struct Positive : ISign
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<long> Offset(Vector256<long> bits, Vector256<long> dead, Vector256<long> origin) => bits - origin;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<long> Offset(Vector512<long> bits, Vector512<long> dead, Vector512<long> origin) => bits - origin;
    }

    /// <summary>High &lt; 0: no dead zone, minus the magnitude.</summary>
    private readonly struct Negative : ISign
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<long> Offset(Vector256<long> bits, Vector256<long> dead, Vector256<long> origin) =>
            -origin - (bits & Vector256.Create(long.MaxValue));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<long> Offset(Vector512<long> bits, Vector512<long> dead, Vector512<long> origin) =>
            -origin - (bits & Vector512.Create(long.MaxValue));
    }

    /// <summary>The range contains 0: signed magnitude less the dead zone.</summary>
    private readonly struct Crossing : ISign
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<long> Offset(Vector256<long> bits, Vector256<long> dead, Vector256<long> origin)
        {
            var m = (bits & Vector256.Create(long.MaxValue)) - dead;
            m = Vector256.AndNot(m, Vector256.GreaterThan(Vector256<long>.Zero, m)); // max(m, 0)
            var neg = Vector256.GreaterThan(Vector256<long>.Zero, bits);
            return ((m ^ neg) - neg) - origin;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<long> Offset(Vector512<long> bits, Vector512<long> dead, Vector512<long> origin)
        {
            var m = (bits & Vector512.Create(long.MaxValue)) - dead;
            m = Vector512.AndNot(m, Vector512.GreaterThan(Vector512<long>.Zero, m)); // max(m, 0)
            var neg = Vector512.GreaterThan(Vector512<long>.Zero, bits);
            return ((m ^ neg) - neg) - origin;
        }
    }

    public bool Equals(KeyBuckets other) =>
        Low.Equals(other.Low) && High.Equals(other.High) && _origin == other._origin && _dead == other._dead && _shift == other._shift && Count == other.Count;

    public override bool Equals(object? obj) => obj is KeyBuckets other && Equals(other);

    public override int GetHashCode() => HashCode.Combine(Low, High, _shift, Count);

    public static bool operator ==(KeyBuckets left, KeyBuckets right) => left.Equals(right);

    public static bool operator !=(KeyBuckets left, KeyBuckets right) => !left.Equals(right);
}

/// <summary>
/// The moment sums of values 0 … <see cref="End"/> − 1 of a block in the eight virtual lanes of
/// <see cref="Statistics.KpiStatistics.Moments"/> (lane l holds the values at positions ≡ l (mod 8), each added in
/// index order; NaN adds nothing): lanes 0–3 in <see cref="Sum"/> and <see cref="Squares"/>, 4–7 in
/// <see cref="SumHigh"/> and <see cref="SquaresHigh"/>.
/// </summary>
/// <remarks>
/// Min, max and the counts are per 256-bit lane (their order does not matter).
/// </remarks>
internal readonly record struct LaneMoments(int End, Vector256<double> Sum, Vector256<double> SumHigh, Vector256<double> Squares, Vector256<double> SquaresHigh, Vector256<double> Min, Vector256<double> Max, Vector256<long> Count, Vector256<long> Negative)
{
    /// <summary>No values yet: sums and counts 0, min +∞, max −∞.</summary>
    public static LaneMoments Empty { get; } = new(0, Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero, Vector256<double>.Zero, Vector256.Create(double.PositiveInfinity), Vector256.Create(double.NegativeInfinity), Vector256<long>.Zero, Vector256<long>.Zero);
}
