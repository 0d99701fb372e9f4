using System.Globalization;
using System.Text;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Tests.Shared;

namespace RiskSim.Core.Tests.Golden;

/// <summary>
/// Every bundled config's statistics and tornado, bit for bit, against golden files recorded before the code was
/// reshaped: a refactor that moves a single bit of a single statistic fails here. The files are text (one statistic a
/// line as raw bits), so a deliberate change shows up in review as the lines it moves.
/// Regenerate only for a change meant to move numbers (say why in the commit): <c>RISKSIM_UPDATE_GOLDEN=1 dotnet test
/// --filter StatisticsGoldenTests</c>.
/// </summary>
public sealed class StatisticsGoldenTests
{
    /// <summary>Three full blocks of 16,384 trials and a partial one: the in-memory path, every kept trial.</summary>
    private const long Trials = 3 * 16_384 + 1_000;

    private static readonly string Folder = Path.Combine(RepoPaths.Root, "tests", "RiskSim.Core.Tests", "Golden", "statistics");

    public static TheoryData<string> Configs()
    {
        var data = new TheoryData<string>();
        foreach (string f in Directory.GetFiles(Path.Combine(RepoPaths.Root, "configs"), "*.json").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Configs))]
    public void Statistics_and_tornado_are_the_recorded_bits(string config)
    {
        var spec = ResolvingLoader.Load(Path.Combine(RepoPaths.Root, "configs", config));
        var s = spec.Simulation;
        var result = MonteCarloEngine.Run(spec, new RunOptions(Trials, s.Seed, s.Sampling, 2));
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"# {config}: {Trials:N0} trials, seed {s.Seed}, {s.Sampling}, 2 threads\n");
        foreach (string line in RiskSim.Core.Tests.MonteCarlo.ReproducibilityTests.Flatten(result))
        {
            text.Append(line).Append('\n');
        }

        foreach (int kpi in Tornado.SupportedKpis)
        {
            var t = Tornado.Compute(spec, kpi);
            text.Append(CultureInfo.InvariantCulture, $"tornado {TrialKpis.All[kpi].Key} base={Bits(t.BaseValue)}\n");
            foreach (var bar in t.Bars)
            {
                text.Append(CultureInfo.InvariantCulture, $"  {bar.Input.Key}: at low={Bits(bar.KpiAtLow)} at high={Bits(bar.KpiAtHigh)} swing={Bits(bar.SwingLow)}..{Bits(bar.SwingHigh)}\n");
            }
        }

        string path = Path.Combine(Folder, Path.ChangeExtension(config, ".txt"));
        if (Environment.GetEnvironmentVariable("RISKSIM_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Folder);
            File.WriteAllText(path, text.ToString());
        }

        Assert.True(File.Exists(path), $"no golden file {path}: record it with RISKSIM_UPDATE_GOLDEN=1");
        string[] expected = File.ReadAllText(path).Split('\n');
        string[] actual = text.ToString().Split('\n');
        for (int i = 0; i < Math.Min(expected.Length, actual.Length); i++)
        {
            Assert.True(expected[i] == actual[i], $"{config}, line {i + 1} moved:\n  golden: {expected[i]}\n  now:    {actual[i]}");
        }

        Assert.Equal(expected.Length, actual.Length);
    }

    private static string Bits(double v) =>
        v.ToString("R", CultureInfo.InvariantCulture) + "/" + BitConverter.DoubleToInt64Bits(v).ToString("X16", CultureInfo.InvariantCulture);
}
