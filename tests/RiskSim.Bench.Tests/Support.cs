using RiskSim.Tests.Shared;

namespace RiskSim.Bench.Tests;

/// <summary>Where the shared fixtures are (never copied into the repo) and small helpers.</summary>
internal static class Fx
{
    public static string Root { get; } = Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "fixtures"));

    public static string P(params string[] parts) => Path.Combine([Root, .. parts]);

    public static string VllmSweepDir => P("vllm", "vllm_sweep_v0.25.1", "SERVE--max_num_seqs=4-BENCH--max_concurrency=2-num_prompts=8");

    public static ImportResult Import(params string[] paths) => BenchmarkImporter.Import(paths);

    public static ImportResult Import(BenchmarkImportOptions options, params string[] paths) => BenchmarkImporter.Import(paths, options);

    /// <summary>Asserts a relative closeness of 1e-12 (the figure is the file's value, or a short computation on it).</summary>
    public static void Near(double expected, double? actual, double rel = 1e-12)
    {
        Assert.NotNull(actual);
        Assert.True(Math.Abs(expected - actual!.Value) <= rel * Math.Max(1e-300, Math.Abs(expected)), $"expected {expected:R}, got {actual:R}");
    }
}

/// <summary>A temporary folder deleted at the end of a test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);

    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "risksim-bench-" + Guid.NewGuid().ToString("N"));

    public string File(string name, string content)
    {
        string p = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(p)!);
        System.IO.File.WriteAllText(p, content);
        return p;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
