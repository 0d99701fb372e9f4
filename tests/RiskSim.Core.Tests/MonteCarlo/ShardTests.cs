using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.Model;

namespace RiskSim.Core.Tests.MonteCarlo;

/// <summary>
/// Sharded runs in process: the shards' partial results, merged, give the statistics (every bit), the kept trials and
/// the percentile method of a single-process run with the same spec, seed and trials, whatever the shard count, the
/// threads, and whether the pilot's windows hold the wanted ranks or the merge must simulate again.
/// </summary>
public sealed class ShardTests
{
    private const ulong Seed = 20251028;
    private const string Version = "test-1";

    private static byte[] RunShard(SimulationSpec spec, RunOptions options, int shard, int shards)
    {
        using var ms = new MemoryStream();
        MonteCarloEngine.RunShard(spec, options, shard, shards, new ShardWriter(Version, "flagship.json"), ms);
        return ms.ToArray();
    }

    private static ShardPartial Partial(byte[] bytes, string source) => ShardPartial.Read(source, () => new MemoryStream(bytes, writable: false));

    private static SimulationResult Merge(SimulationSpec spec, RunOptions options, int shards, int mergeThreads = 2)
    {
        var parts = Enumerable.Range(0, shards).Select(i => Partial(RunShard(spec, options with { Threads = 1 + (i % 2) }, i, shards), $"shard-{i}")).Reverse().ToList();
        var ordered = ShardSet.Validate(parts, Version);
        var merged = ShardSet.SpecOf(ordered[0]);
        Assert.Equal(spec.ConfigHash, merged.ConfigHash);
        return MonteCarloEngine.MergeShards(ordered, merged, ShardSet.OptionsOf(ordered[0].Header, mergeThreads));
    }

    private static void AssertSame(SimulationResult expected, SimulationResult actual)
    {
        Assert.Equal(ReproducibilityTests.Flatten(expected), ReproducibilityTests.Flatten(actual));
        Assert.Equal(expected.Trials, actual.Trials);
        Assert.Equal(expected.KeptTrials, actual.KeptTrials);
        Assert.Equal(expected.PercentileMethod, actual.PercentileMethod);
        Assert.False(actual.Partial);
        Assert.Equal(expected.Kpis.Length, actual.Kpis.Length);
        for (int k = 0; k < expected.Kpis.Length; k++)
        {
            Assert.Equal(expected.Kpis[k].AsSpan(0, (int)expected.KeptTrials).ToArray().Select(BitConverter.DoubleToInt64Bits), actual.Kpis[k].AsSpan(0, (int)actual.KeptTrials).ToArray().Select(BitConverter.DoubleToInt64Bits));
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)] // one block per shard
    public void In_memory_size_merges_to_the_single_process_run(int shards)
    {
        var spec = TestConfigs.Flagship();
        var options = new RunOptions((6 * BlockSampler.BlockSize) + 977, Seed, spec.Simulation.Sampling, 2);
        Assert.False(MonteCarloEngine.ShardsTakeOnePass(options));
        var single = MonteCarloEngine.Run(spec, options);
        Assert.Equal("exact, in memory", single.PercentileMethod);
        AssertSame(single, Merge(spec, options, shards));
    }

    public static TheoryData<string, string[]> Configs => new()
    {
        { "flagship", [] },
        { "flagship-mc-irr", ["simulation.sampling=mc", "simulation.irr=true"] },
        { "payback-often-never", KernelParityTests.PaybackOftenNever },
        { "rate-mode-all-null-roi", KernelParityTests.RateMode },
    };

    [Theory]
    [MemberData(nameof(Configs))]
    public void One_pass_size_merges_to_the_single_process_run_with_windows_that_hold_and_that_miss(string name, string[] overrides)
    {
        var spec = TestConfigs.Flagship(overrides);
        // 21 blocks and a partial one: the pilot (16 blocks) ends inside shard 1 of 3 and covers all of shard 0.
        var options = new RunOptions((21 * BlockSampler.BlockSize) + 4_321, Seed, spec.Simulation.Sampling, 2) { OnePassAbove = MonteCarloEngine.KeptTrials };
        Assert.True(MonteCarloEngine.ShardsTakeOnePass(options));
        var single = MonteCarloEngine.Run(spec, options);
        Assert.Equal("exact, one pass", single.PercentileMethod);
        foreach (int shards in name == "flagship" ? new[] { 1, 3, 22 } : [3]) // 22: one block a shard, each simulating the 16-block pilot
        {
            AssertSame(single, Merge(spec, options, shards));
        }

        // Windows so narrow that wanted ranks fall outside them: the merge simulates again and stays exact.
        var narrow = options with { WindowSigmas = 0 };
        var missed = MonteCarloEngine.Run(spec, narrow);
        Assert.Equal("exact, one pass + second pass", missed.PercentileMethod);
        Assert.Equal(ReproducibilityTests.Flatten(single), ReproducibilityTests.Flatten(missed));
        AssertSame(missed, Merge(spec, narrow, 4, mergeThreads: 1));
    }

    [Fact]
    public void Blocks_are_split_into_contiguous_ranges_that_cover_the_run_once()
    {
        foreach (long blocks in new long[] { 1, 2, 7, 16, 61_036, 122_071 })
        {
            foreach (int shards in new[] { 1, 2, 3, 4, 16, 100 }.Where(n => n <= blocks))
            {
                long next = 0;
                for (int i = 0; i < shards; i++)
                {
                    var (first, end) = ShardSet.Blocks(i, shards, blocks);
                    Assert.Equal(next, first);
                    long size = end - first;
                    Assert.InRange(size, blocks / shards, (blocks / shards) + 1); // balanced within one block
                    next = end;
                }

                Assert.Equal(blocks, next);
            }
        }

        // Hand-computed: 61 blocks in 4 shards: ⌊61·i/4⌋ = 0, 15, 30, 45, 61.
        Assert.Equal((0L, 15L), ShardSet.Blocks(0, 4, 61));
        Assert.Equal((15L, 30L), ShardSet.Blocks(1, 4, 61));
        Assert.Equal((30L, 45L), ShardSet.Blocks(2, 4, 61));
        Assert.Equal((45L, 61L), ShardSet.Blocks(3, 4, 61));
    }

    [Fact]
    public void A_set_with_a_missing_duplicated_or_foreign_shard_is_refused_naming_it()
    {
        var spec = TestConfigs.Flagship();
        var options = new RunOptions(3 * BlockSampler.BlockSize, Seed, spec.Simulation.Sampling, 1);
        var bytes = Enumerable.Range(0, 3).Select(i => RunShard(spec, options, i, 3)).ToArray();
        ShardPartial P(int i, string? name = null) => Partial(bytes[i], name ?? $"s{i}.rspart");

        var missing = Assert.Throws<ShardException>(() => ShardSet.Validate([P(0), P(2)], Version));
        Assert.Contains("shard 1 of 3 is missing", missing.Message, StringComparison.Ordinal);

        var twice = Assert.Throws<ShardException>(() => ShardSet.Validate([P(0), P(1), P(1, "copy.rspart"), P(2)], Version));
        Assert.Contains("shard 1 of 3 appears 2 times: s1.rspart, copy.rspart", twice.Message, StringComparison.Ordinal);

        var otherSeed = Partial(RunShard(spec, options with { Seed = Seed + 1 }, 1, 3), "seed.rspart");
        var seed = Assert.Throws<ShardException>(() => ShardSet.Validate([P(0), otherSeed, P(2)], Version));
        Assert.Contains("seed.rspart (shard 1 of 3) has seed", seed.Message, StringComparison.Ordinal);

        var otherConfig = Partial(RunShard(TestConfigs.Flagship("drivers.utilization=0.7"), options, 1, 3), "config.rspart");
        var config = Assert.Throws<ShardException>(() => ShardSet.Validate([P(0), otherConfig, P(2)], Version));
        Assert.Contains("config.rspart (shard 1 of 3) has config sha256", config.Message, StringComparison.Ordinal);

        var otherTrials = Partial(RunShard(spec, options with { Trials = options.Trials + 1 }, 1, 3), "trials.rspart");
        Assert.Contains("trials.rspart (shard 1 of 3) has trials 49153, but s0.rspart (shard 0 of 3) has 49152", Assert.Throws<ShardException>(() => ShardSet.Validate([P(0), otherTrials, P(2)], Version)).Message, StringComparison.Ordinal);

        var version = Assert.Throws<ShardException>(() => ShardSet.Validate([P(0), P(1), P(2)], "test-2"));
        Assert.Contains("s1.rspart (shard 1 of 3) was written by RiskSim test-1; this is RiskSim test-2", version.Message, StringComparison.Ordinal);

        Assert.Equal(3, ShardSet.Validate([P(2), P(0), P(1)], Version).Count);
    }

    [Fact]
    public void An_unfinished_or_damaged_file_is_refused_naming_it()
    {
        var spec = TestConfigs.Flagship();
        var options = new RunOptions(2 * BlockSampler.BlockSize, Seed, spec.Simulation.Sampling, 1);
        var bytes = RunShard(spec, options, 0, 2);
        Assert.Equal(0, Partial(bytes, "ok").Header.Shard);

        // Cut short anywhere (a copy that stopped, a writer killed without the atomic rename): no end marker.
        foreach (int length in new[] { 0, 10, bytes.Length / 2, bytes.Length - 1 })
        {
            var ex = Assert.Throws<ShardException>(() => Partial(bytes[..length], "cut.rspart"));
            Assert.StartsWith("cut.rspart: not a finished RiskSim partial result", ex.Message, StringComparison.Ordinal);
        }

        var flipped = (byte[])bytes.Clone();
        flipped[bytes.Length / 2] ^= 1;
        Assert.Contains("checksum does not match", Assert.Throws<ShardException>(() => Partial(flipped, "flip.rspart")).Message, StringComparison.Ordinal);
    }
}
