using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>
/// The one-pass path's windows, narrowed as the run goes.
/// </summary>
/// <remarks>
/// <para>
/// The pilot's windows hold every wanted rank with a margin of seven sampling errors of the pilot's 262,144 trials:
/// 4–5 % of each KPI's values, which the run keeps in memory (about 300 MB of the flagship's 100 M trials). Once the first E blocks are counted, their histogram predicts the same ranks with the
/// same margin of E·16,384 trials' sampling error, so the windows can shrink as 1/√E, and the values outside them can go.
/// </para>
/// Deterministic: narrowing j happens at block E_j = (pilot blocks)·2^j, from the histogram of exactly the blocks below
/// E_j. Each worker takes blocks in increasing order (the pipeline hands them out so), so its histogram when it first
/// takes a block ≥ E_j covers exactly its blocks below E_j: it adds that to epoch j's sum on its way; when every worker
/// has (and the pilot's histogram is in from the start), epoch j's windows are planned from the sum and published. A worker
/// narrows its collectors to the newest windows before its next block (<see cref="TailCollector.Narrow"/>). Workers that
/// never take a block ≥ E_j (the run ended first) add their final histograms when the run ends, and every pending
/// narrowing is done then, so the final windows are always those of the last E_j below the run's blocks, whatever the
/// timing. New windows are each inside an old one (else the KPI keeps its windows), so nothing they need was dropped,
/// and the selection at the end is exact as before; a miss still falls back to the second pass.
/// </remarks>
public static partial class MonteCarloEngine
{
    /// <summary>One published set of windows: one per KPI, and its generation (0: the pilot's).</summary>
    private sealed record WindowSet(int Generation, PilotWindows[] Windows);

    /// <summary>A one-pass worker: its counting state and how far it has followed the narrowing.</summary>
    private sealed class NarrowingWorker(Pass1Worker inner)
    {
        public Pass1Worker Inner { get; } = inner;

        /// <summary>Index of the next epoch boundary this worker has not passed.</summary>
        public int NextEpoch { get; set; }

        /// <summary>Generation of the windows its collectors hold.</summary>
        public int Generation { get; set; }

        /// <summary>Trials this worker has counted.</summary>
        public long Trials { get; set; }
    }

    private sealed class WindowNarrowing
    {
        private readonly KpiSetup _setup;
        private readonly long[] _boundaries;
        private readonly int _workers;
        private readonly double _sigmas;
        private readonly Pass1Worker _pilot;
        private readonly long _pilotTrials;
        private readonly object _gate = new();
        private readonly long[][]?[] _sums; // per epoch: per KPI, the bucket counts so far (null until the first arrival)
        private readonly long[] _trials;
        private readonly int[] _arrivals;
        private WindowSet _current;

        /// <summary>Narrowing from the pilot's windows and histograms (<paramref name="pilot"/> counted blocks 0 … <paramref name="pilotBlocks"/> − 1) for <paramref name="workers"/> pipeline workers, boundaries below the run's <paramref name="blocks"/>.</summary>
        public WindowNarrowing(KpiSetup setup, PilotWindows[] pilotWindows, Pass1Worker pilot, int pilotBlocks, long blocks, int workers, double sigmas)
        {
            _setup = setup;
            _pilot = pilot;
            _pilotTrials = (long)pilotBlocks * BlockSampler.BlockSize;
            _workers = workers;
            _sigmas = sigmas;
            var boundaries = new List<long>();
            for (long e = 2L * pilotBlocks; e < blocks; e *= 2)
            {
                boundaries.Add(e);
            }

            _boundaries = [.. boundaries];
            _sums = new long[][]?[_boundaries.Length];
            _trials = new long[_boundaries.Length];
            _arrivals = new int[_boundaries.Length];
            _current = new WindowSet(0, pilotWindows);
        }

        /// <summary>The newest windows.</summary>
        public WindowSet Current => Volatile.Read(ref _current);

        /// <summary>Called by a worker before it counts block <paramref name="blk"/>: passes the boundaries at or below it, then narrows its collectors to the newest windows.</summary>
        public void Before(NarrowingWorker w, long blk)
        {
            while (w.NextEpoch < _boundaries.Length && blk >= _boundaries[w.NextEpoch])
            {
                Arrive(w.NextEpoch++, w.Inner, w.Trials);
            }

            Follow(w);
        }

        /// <summary>When the run has ended: the workers that stopped below a boundary arrive with all they counted, every pending narrowing is done, and every collector (the pilot's too) follows the final windows.</summary>
        public WindowSet Finish(IEnumerable<NarrowingWorker> workers, bool complete)
        {
            var all = workers.ToList();
            if (complete)
            {
                foreach (var w in all)
                {
                    while (w.NextEpoch < _boundaries.Length)
                    {
                        Arrive(w.NextEpoch++, w.Inner, w.Trials);
                    }
                }
            }

            foreach (var w in all.Append(new NarrowingWorker(_pilot)))
            {
                Follow(w);
            }

            return Current;
        }

        private void Follow(NarrowingWorker w)
        {
            var set = Current;
            if (set.Generation == w.Generation)
            {
                return;
            }

            for (int k = 0; k < set.Windows.Length; k++)
            {
                var (intervals, cut) = set.Windows[k].Bounds;
                w.Inner.Collectors![k].Narrow(intervals, cut);
            }

            w.Generation = set.Generation;
        }

        private void Arrive(int epoch, Pass1Worker worker, long trials)
        {
            lock (_gate)
            {
                var sums = _sums[epoch];
                if (sums is null)
                {
                    sums = _sums[epoch] = new long[_setup.Buckets.Length][];
                    for (int k = 0; k < sums.Length; k++)
                    {
                        sums[k] = _pilot.Histograms[k].Counts.ToArray();
                    }

                    _trials[epoch] = _pilotTrials;
                }

                for (int k = 0; k < sums.Length; k++)
                {
                    var counts = worker.Histograms[k].Counts;
                    var sum = sums[k];
                    for (int b = 0; b < sum.Length; b++)
                    {
                        sum[b] += counts[b];
                    }
                }

                _trials[epoch] += trials;
                if (++_arrivals[epoch] < _workers)
                {
                    return;
                }

                // Every worker is past the boundary: blocks below it, and only those, are in the sum.
                long expected = _boundaries[epoch] * BlockSampler.BlockSize;
                if (_trials[epoch] != expected)
                {
                    throw new InvalidOperationException($"narrowing at block {_boundaries[epoch]}: {_trials[epoch]} trials counted below it, {expected} expected");
                }

                var current = _current;
                var narrowed = new PilotWindows[current.Windows.Length];
                for (int k = 0; k < narrowed.Length; k++)
                {
                    narrowed[k] = current.Windows[k].Narrow(sums[k], expected, _setup.Buckets[k], _sigmas);
                }

                _sums[epoch] = null;
                Volatile.Write(ref _current, new WindowSet(current.Generation + 1, narrowed));
            }
        }
    }
}
