using RiskSim.Bench;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Tests.Shared;

/// <summary>
/// Loads a config the way the risksim command does (compiled into the test projects that load bundled configs):
/// a config that starts from benchmark files (<c>operating_point.from_benchmarks</c>) is resolved by
/// <see cref="BenchmarkConfigResolver"/> first, then validated by <see cref="ConfigLoader"/>.
/// </summary>
internal static class ResolvingLoader
{
    /// <summary>Loads the config file at <paramref name="path"/> (benchmark paths are relative to its folder).</summary>
    /// <param name="path">The config file.</param>
    /// <param name="overrides"><c>--set</c> overrides.</param>
    /// <param name="sourceName">The name errors quote; the path when null.</param>
    public static SimulationSpec Load(string path, IReadOnlyList<string>? overrides = null, string? sourceName = null) =>
        Load(File.ReadAllText(path), path, overrides, sourceName);

    /// <summary>Loads <paramref name="json"/> as if read from <paramref name="path"/>.</summary>
    public static SimulationSpec Load(string json, string path, IReadOnlyList<string>? overrides, string? sourceName = null)
    {
        var resolved = Resolve(json, path, overrides, sourceName);
        var spec = ConfigLoader.Load(resolved.Json, sourceName ?? path, resolved.Overrides);
        return resolved.Origin is null ? spec : spec with { Benchmarks = resolved.Origin };
    }

    /// <summary>The resolver's step alone: the config text the loader sees, with the overrides still to apply.</summary>
    public static ResolvedConfig Resolve(string json, string path, IReadOnlyList<string>? overrides = null, string? sourceName = null)
    {
        try
        {
            return BenchmarkConfigResolver.Resolve(json, path, overrides);
        }
        catch (ConfigException ex) when (sourceName is not null)
        {
            throw new ConfigException(sourceName, ex.Errors);
        }
    }
}
