using RiskSim.Core.Configuration;
using RiskSim.Core.Engine;
using RiskSim.Core.Model;
using RiskSim.Core.Tests.Support;

namespace RiskSim.Core.Tests;

/// <summary>
/// Docs cannot drift: every config field is described, and every KPI key the engine emits is explained
/// in README.md at the repository root. Fails until README.md lists the keys.
/// </summary>
public class DocsTests
{
    [Fact]
    public void Every_config_field_and_section_has_a_description()
    {
        Assert.All(ConfigSchema.Fields, f => Assert.False(string.IsNullOrWhiteSpace(f.Description), $"{f.Path} has no description"));
        Assert.All(ConfigSchema.Sections, s => Assert.False(string.IsNullOrWhiteSpace(s.Description), $"section {s.Name} has no description"));
        Assert.All(TrialKpis.All, k => Assert.False(string.IsNullOrWhiteSpace(k.Description), $"KPI {k.Key} has no description"));
    }

    [Fact]
    public void Every_kpi_key_appears_in_the_README()
    {
        string readme = Path.Combine(RepoPaths.Root, "README.md");
        Assert.True(File.Exists(readme), "README.md is missing at the repository root");
        string text = File.ReadAllText(readme);

        var keys = TrialKpis.All.Select(k => k.Key)
            .Concat(Evaluation.Evaluate(ConfigLoader.Load(File.ReadAllText(RepoPaths.Flagship), "flagship.json")).Kpis.Select(k => k.Key))
            .Distinct()
            .ToList();
        var missing = keys.Where(k => !text.Contains(k, StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, $"README.md does not mention {missing.Count} KPI key(s): {string.Join(", ", missing)}");
    }
}
