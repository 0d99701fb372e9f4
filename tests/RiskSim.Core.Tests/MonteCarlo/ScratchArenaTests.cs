using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.MonteCarlo;

/// <summary>
/// The scratch arrays a run takes from the process's pool: they come back for the next run, the pool stays under its
/// cap, and a run on arrays left full of garbage by another gives the same bits (every element is written before it
/// is read). The pool is the process's: these tests run alone (<see cref="ScratchPoolTests"/>), so no other
/// test's run takes or drops an array between two steps.
/// </summary>
[Collection(nameof(ScratchPoolTests))]
public sealed class ScratchArenaTests
{
    [Fact]
    public void An_array_given_back_is_the_one_the_next_arena_gets()
    {
        const int length = 12_347; // a length no run asks for
        double[] first;
        using (var a = new ScratchArena())
        {
            first = a.Rent<double>(length);
            Assert.Equal(length, first.Length);
        }

        using var b = new ScratchArena();
        Assert.Same(first, b.Rent<double>(length));
        Assert.NotSame(first, b.Rent<double>(length)); // the pool had one
    }

    [Fact]
    public void A_disposed_arena_lends_nothing()
    {
        var a = new ScratchArena();
        a.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.Rent<int>(16));
        a.Dispose(); // twice: no effect
    }

    [Fact]
    public void The_pool_holds_no_more_than_its_cap()
    {
        int length = (int)(ScratchArena.MaxPooledBytes / sizeof(double) * 3 / 5); // 60 % of the cap each: two do not fit (never written: no memory touched)
        double[] x, y;
        using (var a = new ScratchArena())
        {
            x = a.Rent<double>(length);
            y = a.Rent<double>(length);
        }

        Assert.InRange(ScratchArena.PooledBytes, Buffer.ByteLength(x), ScratchArena.MaxPooledBytes);
        using var b = new ScratchArena();
        Assert.Same(x, b.Rent<double>(length)); // the first fitted
        var z = b.Rent<double>(length); // the second was left to the garbage collector: a new array
        Assert.NotSame(x, z);
        Assert.NotSame(y, z);
    }

    [Fact]
    public void A_run_leaves_its_arrays_in_the_pool_until_they_are_released()
    {
        var spec = TestConfigs.Flagship();
        MonteCarloEngine.ReleaseScratch();
        Assert.Equal(0, ScratchArena.PooledBytes);
        _ = MonteCarloEngine.Run(spec, new RunOptions((5 * BlockSampler.BlockSize) + 1_234, 7, SamplingMethod.LatinHypercube, 2) { OnePassAbove = MonteCarloEngine.KeptTrials });
        Assert.InRange(ScratchArena.PooledBytes, 2L * 20 * BlockSampler.BlockSize * sizeof(double), ScratchArena.MaxPooledBytes); // two workers' buffers at least
        MonteCarloEngine.ReleaseScratch();
        Assert.Equal(0, ScratchArena.PooledBytes);
    }

    [Theory]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(2, true)]
    public void A_run_on_scratch_memory_full_of_garbage_gives_the_same_bits(int threads, bool twoPass)
    {
        const long trials = (5 * BlockSampler.BlockSize) + 1_234; // one pass: a pilot of five blocks, one of them a partial block
        var spec = TestConfigs.Flagship();
        var options = new RunOptions(trials, 20251028, spec.Simulation.Sampling, threads) { OnePassAbove = MonteCarloEngine.KeptTrials, TwoPass = twoPass };
        var memory = MonteCarloEngine.Run(spec, options with { KeepAllTrials = true, TwoPass = false });
        var expected = ReproducibilityTests.Flatten(memory);

        Poison();
        var run = MonteCarloEngine.Run(spec, options);
        Assert.Equal(twoPass ? "exact, two passes" : "exact, one pass", run.PercentileMethod);
        Assert.Equal(expected, ReproducibilityTests.Flatten(run));
        for (int k = 0; k < run.Kpis.Length; k++)
        {
            Assert.Equal(memory.Kpis[k].AsSpan(0, MonteCarloEngine.KeptTrials).ToArray(), run.Kpis[k]);
        }
    }

    /// <summary>
    /// Fills the pool with arrays of the lengths a run asks for (block buffers, workspaces, the beyond lists), full of
    /// NaN and extreme integers: a run that read one before writing it would produce different statistics.
    /// </summary>
    private static void Poison()
    {
        const int b = BlockSampler.BlockSize;
        using var arena = new ScratchArena();
        for (int i = 0; i < 200; i++)
        {
            arena.Rent<double>(b).AsSpan().Fill(double.NaN);
        }

        for (int i = 0; i < 48; i++)
        {
            arena.Rent<double>(b + 4).AsSpan().Fill(double.NaN);
            arena.Rent<ushort>(b).AsSpan().Fill(ushort.MaxValue);
        }

        for (int i = 0; i < 16; i++)
        {
            arena.Rent<int>(b).AsSpan().Fill(int.MinValue);
            arena.Rent<ulong>(b).AsSpan().Fill(ulong.MaxValue);
        }
    }
}

/// <summary>Tests that use the process's scratch pool step by step: run alone, after the parallel tests.</summary>
[CollectionDefinition(nameof(ScratchPoolTests), DisableParallelization = true)]
public sealed class ScratchPoolTests;
