namespace RiskSim.Tests.Shared;

/// <summary>Finds files of the repository from a test's output folder (compiled into every test project).</summary>
internal static class RepoPaths
{
    /// <summary>The folder holding RiskSim.sln, found by walking up from the test assembly's folder.</summary>
    public static string Root { get; } = FindRoot();

    public static string Configs => Path.Combine(Root, "configs");

    public static string Flagship => Path.Combine(Configs, "gb200-nvl72-deepseek-r1.json");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "RiskSim.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("RiskSim.sln not found above " + AppContext.BaseDirectory);
    }
}
