using System.Collections.Concurrent;
using System.Diagnostics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.MonteCarlo;

/// <summary>
/// The channel pipeline that hands blocks to the workers: every block from the first to the last runs exactly once,
/// on one of the workers, whatever the counts of blocks and threads (fewer blocks than the index channel holds
/// included), progress ends at the total, and a cancellation leaves no block run twice and no block marked done that
/// did not run.
/// </summary>
public sealed class PipelineTests
{
    [Theory]
    [InlineData(0, 0, 1)]
    [InlineData(0, 1, 2)]
    [InlineData(0, 3, 2)] // fewer blocks than the channel's four slots
    [InlineData(2, 3, 4)] // one block, eight slots
    [InlineData(7, 7, 3)] // nothing left after the pilot's blocks
    [InlineData(5, 100, 2)]
    [InlineData(0, 1_000, 8)]
    public void Every_block_runs_once(long first, long blocks, int threads)
    {
        var runs = new int[blocks];
        var done = new bool[blocks];
        var reports = new ConcurrentQueue<RunProgress>();
        var states = Finish(() => MonteCarloEngine.Pipeline(
            first,
            blocks,
            threads,
            () => new List<long>(),
            (mine, blk) =>
            {
                Interlocked.Increment(ref runs[blk]);
                mine.Add(blk);
                return 10;
            },
            done,
            first * 10,
            blocks * 10,
            new SyncProgress(reports.Enqueue),
            Stopwatch.StartNew(),
            CancellationToken.None));

        for (long b = 0; b < blocks; b++)
        {
            Assert.Equal(b < first ? 0 : 1, runs[b]);
            Assert.Equal(b >= first, done[b]);
        }

        Assert.Equal(threads, states.Length);
        Assert.Equal(blocks - first, states.Sum(s => s.Count));
        Assert.Equal(blocks * 10, reports.Last().Done);
    }

    [Fact]
    public void A_cancelled_pipeline_stops_and_runs_no_block_twice()
    {
        const long blocks = 10_000;
        var runs = new int[blocks];
        var done = new bool[blocks];
        using var cts = new CancellationTokenSource();
        int started = 0;
        Finish(() => MonteCarloEngine.Pipeline(
            0,
            blocks,
            2,
            () => 0,
            (_, blk) =>
            {
                Interlocked.Increment(ref runs[blk]);
                if (Interlocked.Increment(ref started) == 50)
                {
                    cts.Cancel();
                }

                return 1;
            },
            done,
            0,
            blocks,
            null,
            Stopwatch.StartNew(),
            cts.Token));

        Assert.All(runs, r => Assert.InRange(r, 0, 1));
        long ran = runs.Sum();
        Assert.InRange(ran, 50, 60); // the workers stop within the blocks already taken
        for (long b = 0; b < blocks; b++)
        {
            Assert.True(!done[b] || runs[b] == 1, $"block {b} marked done without running");
        }
    }

    /// <summary>Runs a pipeline, failing rather than hanging if it never ends (a lost block leaves its channel open).</summary>
    private static T Finish<T>(Func<T> pipeline)
    {
        var run = Task.Run(pipeline);
        Assert.True(run.Wait(TimeSpan.FromMinutes(1)), "the pipeline did not finish within a minute");
        return run.Result;
    }

    /// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }
}
