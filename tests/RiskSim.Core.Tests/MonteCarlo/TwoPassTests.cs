using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.Model;

namespace RiskSim.Core.Tests.MonteCarlo;

/// <summary>
/// The one-pass path (the default above <see cref="MonteCarloEngine.KeptTrials"/> trials) and the two-pass path
/// (exact statistics without per-trial storage) equal the in-memory path bit for bit.
/// </summary>
public sealed class TwoPassTests
{
    private const long Trials = (5 * BlockSampler.BlockSize) + 1_234; // 5 full blocks + a partial block

    public static TheoryData<string, string[]> Configs => new()
    {
        { "flagship", [] },
        { "flagship-mc-irr", ["simulation.sampling=mc", "simulation.irr=true"] },
        { "payback-often-never", KernelParityTests.PaybackOftenNever },
        { "rate-mode-all-null-roi", KernelParityTests.RateMode }, // ROI and payback null in every trial
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void One_pass_and_two_pass_statistics_equal_in_memory_bit_for_bit_on_1_and_2_threads(string name, string[] overrides)
    {
        var spec = TestConfigs.Flagship(overrides);
        var options = new RunOptions(Trials, 20251028, spec.Simulation.Sampling, 2) { OnePassAbove = MonteCarloEngine.KeptTrials }; // one pass from 65,537 trials
        var memory = MonteCarloEngine.Run(spec, options with { KeepAllTrials = true });
        Assert.False(memory.TwoPass);
        Assert.Equal("exact, in memory", memory.PercentileMethod);
        Assert.Equal(Trials, memory.KeptTrials);
        var expected = ReproducibilityTests.Flatten(memory);
        foreach (int threads in new[] { 1, 2 })
        {
            // One pass, with the pilot's windows as they come, and with windows so narrow they miss (second pass).
            var onePass = MonteCarloEngine.Run(spec, options with { Threads = threads });
            Assert.Equal("exact, one pass", onePass.PercentileMethod);
            Assert.Equal(expected, ReproducibilityTests.Flatten(onePass));
            var missed = MonteCarloEngine.Run(spec, options with { Threads = threads, WindowSigmas = 0 });
            Assert.Equal("exact, one pass + second pass", missed.PercentileMethod);
            Assert.Equal(expected, ReproducibilityTests.Flatten(missed));
            foreach (var r in new[] { onePass, missed })
            {
                Assert.False(r.Partial);
                Assert.Equal(Trials, r.Trials);
                Assert.Equal(MonteCarloEngine.KeptTrials, r.KeptTrials);
                for (int k = 0; k < memory.Kpis.Length; k++)
                {
                    Assert.Equal(memory.Kpis[k].AsSpan(0, MonteCarloEngine.KeptTrials).ToArray(), r.Kpis[k]);
                }
            }

            var streamed = MonteCarloEngine.Run(spec, options with { Threads = threads, TwoPass = true });
            Assert.True(streamed.TwoPass);
            Assert.Equal("exact, two passes", streamed.PercentileMethod);
            Assert.False(streamed.Partial);
            Assert.Equal(Trials, streamed.Trials);
            Assert.Equal(expected, ReproducibilityTests.Flatten(streamed));

            // The kept prefix holds the first trials' KPIs exactly.
            Assert.Equal(MonteCarloEngine.KeptTrials, streamed.KeptTrials);
            Assert.Equal(memory.Kpis.Length, streamed.Kpis.Length);
            for (int k = 0; k < memory.Kpis.Length; k++)
            {
                Assert.Equal(MonteCarloEngine.KeptTrials, streamed.Kpis[k].Length);
                for (int i = 0; i < streamed.KeptTrials; i++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(memory.Kpis[k][i]), BitConverter.DoubleToInt64Bits(streamed.Kpis[k][i]));
                }
            }
        }

        Assert.Contains(memory.Statistics, s => s.Nulls > 0 || name != "payback-often-never");
    }

    [Fact]
    public void One_pass_narrows_its_windows_as_the_blocks_come_in_and_stays_exact_on_1_and_2_threads()
    {
        // 70 full blocks and a partial one: the pilot's 16 blocks, then the windows narrow at blocks 32 and 64, each time to
        // the same seven-sigma margin of the trials counted so far: at 64 blocks, four times the pilot's trials, the
        // margins are half as wide, so the values kept at the end should be well under the pilot's share.
        var spec = TestConfigs.Flagship();
        long trials = (70L * BlockSampler.BlockSize) + 999;
        var options = new RunOptions(trials, 20251028, spec.Simulation.Sampling, 2) { OnePassAbove = MonteCarloEngine.KeptTrials };
        var expected = ReproducibilityTests.Flatten(MonteCarloEngine.Run(spec, options with { KeepAllTrials = true }));
        foreach (int threads in new[] { 1, 2 })
        {
            var onePass = MonteCarloEngine.Run(spec, options with { Threads = threads });
            Assert.Equal("exact, one pass", onePass.PercentileMethod);
            Assert.Equal(expected, ReproducibilityTests.Flatten(onePass));
            Assert.NotNull(onePass.WindowShares);
            foreach (var (pilot, final) in onePass.WindowShares!)
            {
                Assert.InRange(pilot, 0.02, 0.10); // the pilot's windows: 4–5 % of the flagship's trials
                Assert.InRange(final, 0.001, 0.7 * pilot);
            }

            // Windows so narrow they miss, narrowed the same way: the second pass still gives the same bits.
            var missed = MonteCarloEngine.Run(spec, options with { Threads = threads, WindowSigmas = 0 });
            Assert.Equal("exact, one pass + second pass", missed.PercentileMethod);
            Assert.Equal(expected, ReproducibilityTests.Flatten(missed));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void One_pass_equals_in_memory_when_the_last_block_is_shorter_than_a_vector(int tail)
    {
        // A last block of 1–3 trials has no vector part: its lanes must start empty (min +∞, max −∞), not at 0, or
        // every positive KPI's minimum came out 0 (found in a 4,194,305-trial run).
        var spec = TestConfigs.Flagship();
        long trials = (5 * BlockSampler.BlockSize) + tail;
        var options = new RunOptions(trials, 20251028, spec.Simulation.Sampling, 1) { OnePassAbove = MonteCarloEngine.KeptTrials };
        var memory = MonteCarloEngine.Run(spec, options with { KeepAllTrials = true });
        var onePass = MonteCarloEngine.Run(spec, options);
        Assert.Equal("exact, one pass", onePass.PercentileMethod);
        Assert.Equal(ReproducibilityTests.Flatten(memory), ReproducibilityTests.Flatten(onePass));
        Assert.All(onePass.Statistics.Where(s => s.Kpi.Key is "payback_months" or "levelized_cost_per_million_output_tokens_usd"), s => Assert.True(s.Min > 0));
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(5_000L)]
    [InlineData(BlockSampler.BlockSize)]
    public void Two_pass_equals_in_memory_for_runs_within_one_block(long trials)
    {
        var spec = TestConfigs.Flagship();
        var options = new RunOptions(trials, 7, SamplingMethod.LatinHypercube, 2);
        var memory = MonteCarloEngine.Run(spec, options);
        var streamed = MonteCarloEngine.Run(spec, options with { TwoPass = true });
        Assert.Equal(ReproducibilityTests.Flatten(memory), ReproducibilityTests.Flatten(streamed));
        Assert.Equal(trials, streamed.KeptTrials);
    }

    [Fact]
    public void Runs_above_the_in_memory_limit_take_two_passes_and_above_the_schema_bound_are_refused()
    {
        Assert.True(new RunOptions(RunOptions.MaxInMemoryTrials + 1, 1, SamplingMethod.MonteCarlo, 1).UsesTwoPass);
        Assert.False(new RunOptions(RunOptions.MaxInMemoryTrials, 1, SamplingMethod.MonteCarlo, 1).UsesTwoPass);
        var spec = TestConfigs.Flagship();
        Assert.Throws<ArgumentOutOfRangeException>(() => MonteCarloEngine.Run(spec, new RunOptions(RunOptions.MaxTrials + 1, 1, SamplingMethod.MonteCarlo, 1)));
    }

    [Fact]
    public void Which_path_a_run_takes()
    {
        const long above = RunOptions.DefaultOnePassAbove + 1;
        Assert.True(new RunOptions(above, 1, SamplingMethod.MonteCarlo, 1).UsesOnePass);
        Assert.False(new RunOptions(RunOptions.DefaultOnePassAbove, 1, SamplingMethod.MonteCarlo, 1).UsesOnePass); // small enough to keep every trial
        Assert.False(new RunOptions(above, 1, SamplingMethod.MonteCarlo, 1) { KeepAllTrials = true }.UsesOnePass);
        Assert.False(new RunOptions(above, 1, SamplingMethod.MonteCarlo, 1) { TwoPass = true }.UsesOnePass);
        Assert.True(new RunOptions(MonteCarloEngine.KeptTrials + 1, 1, SamplingMethod.MonteCarlo, 1) { OnePassAbove = 0 }.UsesOnePass);
        Assert.False(new RunOptions(MonteCarloEngine.KeptTrials, 1, SamplingMethod.MonteCarlo, 1) { OnePassAbove = 0 }.UsesOnePass); // the pilot needs its kept blocks
    }

    [Fact]
    public void A_cancelled_one_pass_run_is_partial_and_counts_whole_blocks()
    {
        var spec = TestConfigs.Flagship();
        using var cts = new CancellationTokenSource();
        var progress = new SyncProgress(p =>
        {
            if (p.Done > 3 * MonteCarloEngine.KeptTrials)
            {
                cts.Cancel();
            }
        });
        var r = MonteCarloEngine.Run(spec, new RunOptions(50_000_000, 1, SamplingMethod.MonteCarlo, 2), progress, cts.Token);
        Assert.True(r.Partial);
        Assert.True(r.Trials < 50_000_000);
        Assert.Equal(0, r.Trials % BlockSampler.BlockSize);
        Assert.True(r.Trials >= MonteCarloEngine.KeptTrials);
        Assert.All(r.Statistics, s => Assert.Equal(r.Trials, s.Trials));
    }

    /// <summary>An IProgress that reports on the calling thread (Progress&lt;T&gt; posts to the thread pool).</summary>
    private sealed class SyncProgress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }

    [Fact]
    public void A_cancelled_two_pass_run_throws()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        var spec = TestConfigs.Flagship();
        Assert.ThrowsAny<OperationCanceledException>(() => MonteCarloEngine.Run(spec, new RunOptions(100_000, 1, SamplingMethod.MonteCarlo, 2) { TwoPass = true }, cancellation: cts.Token));
    }
}
