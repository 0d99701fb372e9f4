using System.Diagnostics;

namespace RiskSim.Cli.Tests;

/// <summary>Runs child processes (dotnet pack, dotnet tool install, the installed tool) for the packaging and sample tests.</summary>
internal static class Processes
{
    /// <summary>The dotnet host running the tests (the SDK sets DOTNET_HOST_PATH for its children), else "dotnet" from PATH.</summary>
    public static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : "dotnet";

    /// <summary>The configuration the tests were built in, so that packing and building reuse that build.</summary>
    public const string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>
    /// Runs a program to completion (at most <paramref name="timeout"/>) and returns its exit code and output. The child does not
    /// inherit the MSBuild variables of the test host's `dotnet test` (they point a nested build at the outer one's nodes).
    /// </summary>
    public static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, string workingDirectory, IReadOnlyDictionary<string, string>? env = null, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        foreach (string key in psi.Environment.Keys.Where(k => k.StartsWith("MSBUILD", StringComparison.OrdinalIgnoreCase) || k.StartsWith("VSTEST", StringComparison.OrdinalIgnoreCase)).ToList())
        {
            psi.Environment.Remove(key);
        }

        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["DOTNET_SKIP_FIRST_TIME_EXPERIENCE"] = "1";
        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            psi.Environment[k] = v;
        }

        using var p = Process.Start(psi) ?? throw new InvalidOperationException($"could not start {file}");
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(5)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout ?? TimeSpan.FromMinutes(5)}");
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    /// <summary>Describes a finished process for an assertion message.</summary>
    public static string Describe(string what, (int Code, string Out, string Err) r) => $"{what}: exit {r.Code}\n--- stdout\n{r.Out}\n--- stderr\n{r.Err}";
}
