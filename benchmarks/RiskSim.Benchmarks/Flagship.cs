using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Benchmarks;

/// <summary>Loads configs/gb200-nvl72-deepseek-r1.json, found by walking up from the working directory or the binaries.</summary>
internal static class Flagship
{
    public const string File = "gb200-nvl72-deepseek-r1.json";

    public static SimulationSpec Load(params string[] overrides)
    {
        string path = Find();
        return ConfigLoader.Load(System.IO.File.ReadAllText(path), path, overrides);
    }

    private static string Find()
    {
        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            var dir = new DirectoryInfo(start);
            while (dir is not null)
            {
                string candidate = Path.Combine(dir.FullName, "configs", File);
                if (System.IO.File.Exists(candidate))
                {
                    return candidate;
                }

                dir = dir.Parent;
            }
        }

        throw new FileNotFoundException($"configs/{File} not found above {Environment.CurrentDirectory} or {AppContext.BaseDirectory}");
    }
}
