using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>
/// The large scratch arrays of one run (block buffers, sampler workspaces, candidate lists, pilot columns), taken
/// from a process-wide pool and given back to it when the run ends, so that the runs after the first in a process
/// (BenchmarkDotNet's iterations, <c>--until-stable</c>, several configs) reuse memory the system has already
/// mapped.
/// </summary>
/// <remarks>
/// <para>
/// A fresh array costs a page fault per 4 KB the first time it is written: about 15,000 faults and 45–65 ms
/// of system time for a 10 M-trial run on the 2-core benchmark machine, 2–3 % of its CPU time.
/// </para>
/// Arrays come back uninitialized, exactly as <see cref="GC.AllocateUninitializedArray{T}(int, bool)"/> gives them:
/// they may hold a previous run's values, and every user writes an element before it reads it (the same contract the
/// engine's scratch memory already had). An array is matched by element type and exact length. The pool keeps at most
/// <see cref="MaxPooledBytes"/>: when a run's arrays do not fit beside those it holds, it drops the older ones, and
/// what still does not fit is left to the garbage collector. Thread-safe: workers
/// rent their buffers concurrently, and concurrent runs take distinct arrays.
/// </remarks>
internal sealed class ScratchArena : IDisposable
{
    /// <summary>Most bytes the pool holds between runs (256 MB): a 10 M-trial run rents about 60 MB.</summary>
    internal const long MaxPooledBytes = 256L << 20;

    private static readonly Dictionary<(Type, int), Stack<Array>> Pool = [];
    private static readonly Lock PoolGate = new();
    private static long _pooledBytes;

    private readonly List<Array> _rented = [];
    private readonly Lock _gate = new();
    private bool _disposed;

    /// <summary>Bytes the pool holds now (for tests).</summary>
    internal static long PooledBytes
    {
        get
        {
            lock (PoolGate)
            {
                return _pooledBytes;
            }
        }
    }

    /// <summary>Empties the pool: its arrays are left to the garbage collector (for a process that runs no more simulations soon).</summary>
    internal static void Clear()
    {
        lock (PoolGate)
        {
            Pool.Clear();
            _pooledBytes = 0;
        }
    }

    /// <summary>An uninitialized array of exactly <paramref name="length"/> elements, returned to the pool when the arena is disposed.</summary>
    public T[] Rent<T>(int length)
        where T : unmanaged
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        T[]? array = null;
        lock (PoolGate)
        {
            if (Pool.TryGetValue((typeof(T), length), out var stack) && stack.Count > 0)
            {
                array = (T[])stack.Pop();
                _pooledBytes -= Bytes(array);
            }
        }

        array ??= GC.AllocateUninitializedArray<T>(length);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _rented.Add(array);
        }

        return array;
    }

    /// <summary>An uninitialized array of <paramref name="length"/> elements: rented from <paramref name="arena"/>, or freshly allocated when there is none.</summary>
    public static T[] RentOrAllocate<T>(ScratchArena? arena, int length)
        where T : unmanaged => arena is null ? GC.AllocateUninitializedArray<T>(length) : arena.Rent<T>(length);

    /// <summary>Gives every rented array back to the pool (up to <see cref="MaxPooledBytes"/>). The arrays must not be used afterwards.</summary>
    public void Dispose()
    {
        Array[] rented;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            rented = [.. _rented];
            _rented.Clear();
        }

        lock (PoolGate)
        {
            // The newest run's arrays are the likeliest to be asked for again: when they do not fit beside the pool's,
            // the pool lets go of the older ones.
            long incoming = rented.Sum(Bytes);
            if (_pooledBytes + incoming > MaxPooledBytes)
            {
                Pool.Clear();
                _pooledBytes = 0;
            }

            foreach (var array in rented)
            {
                long bytes = Bytes(array);
                if (_pooledBytes + bytes > MaxPooledBytes)
                {
                    continue;
                }

                var key = (array.GetType().GetElementType()!, array.Length);
                if (!Pool.TryGetValue(key, out var stack))
                {
                    Pool[key] = stack = new Stack<Array>();
                }

                stack.Push(array);
                _pooledBytes += bytes;
            }
        }
    }

    private static long Bytes(Array array) => Buffer.ByteLength(array);
}
