using RiskSim.Core.Decisions;

namespace RiskSim.Core.Tests;

/// <summary>
/// The engine's internals are not part of RiskSim.Core's public API (the full surface is declared in
/// src/RiskSim.Core/PublicAPI.*.txt and checked by the PublicApiAnalyzers at build time).
/// </summary>
public sealed class PublicApiTests
{
    [Theory]
    [InlineData("RiskSim.Core.Model.SimdKernel")]
    [InlineData("RiskSim.Core.Model.DetMath")]
    [InlineData("RiskSim.Core.Model.ModelContext")]
    [InlineData("RiskSim.Core.Model.ReferenceModel")]
    [InlineData("RiskSim.Core.Sampling.BlockSampler")]
    [InlineData("RiskSim.Core.Sampling.SamplerWorkspace")]
    [InlineData("RiskSim.Core.Sampling.Xoshiro256")]
    [InlineData("RiskSim.Core.Sampling.Xoshiro256x4")]
    [InlineData("RiskSim.Core.Finance.IrrSolver")]
    [InlineData("RiskSim.Core.Statistics.KeyBuckets")]
    [InlineData("RiskSim.Core.Statistics.KeyHistogram")]
    [InlineData("RiskSim.Core.Statistics.RankSort")]
    [InlineData("RiskSim.Core.Statistics.RankSelection")]
    [InlineData("RiskSim.Core.Statistics.TailCollector")]
    [InlineData("RiskSim.Core.Statistics.ExactSum")]
    [InlineData("RiskSim.Core.MonteCarlo.ScratchArena")]
    [InlineData("RiskSim.Core.Configuration.SpecBuilder")]
    public void An_engine_internal_is_not_public(string name)
    {
        var type = typeof(Decision).Assembly.GetType(name);
        Assert.NotNull(type);
        Assert.False(type.IsVisible, $"{name} is public");
    }
}
