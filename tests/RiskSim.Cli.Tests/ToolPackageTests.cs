using System.Text.Json;

namespace RiskSim.Cli.Tests;

/// <summary>
/// The risksim .NET tool as a user gets it: `dotnet pack` of RiskSim.Cli, `dotnet tool install` from a folder feed into a
/// temporary tool path (and as a local tool), then the installed `risksim` runs a bundled config, charts included. Takes
/// about a minute; filter it out with <c>--filter Category!=Package</c> while iterating.
/// </summary>
[Trait("Category", "Package")]
public sealed class ToolPackageTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-tool-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public void The_packed_tool_installs_and_runs_a_bundled_config_with_charts()
    {
        string feed = Path.Combine(_tmp, "feed");
        // A version no cache can hold and a NuGet packages folder of its own: the install cannot pick up an older package.
        string version = $"0.0.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";
        var isolated = new Dictionary<string, string> { ["NUGET_PACKAGES"] = Path.Combine(_tmp, "nuget-packages") };

        // --no-build packs the build these tests run on (the test project references RiskSim.Cli).
        string project = Path.Combine(RepoPaths.Root, "src", "RiskSim.Cli", "RiskSim.Cli.csproj");
        var pack = Processes.Run(Processes.Dotnet, ["pack", project, "-c", Processes.Configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}"], RepoPaths.Root);
        Assert.True(pack.Code == 0, Processes.Describe("dotnet pack", pack));
        string nupkg = Path.Combine(feed, $"RiskSim.Cli.{version}.nupkg");
        Assert.True(File.Exists(nupkg), $"{nupkg} missing; the feed has: {string.Join(", ", Directory.GetFiles(feed).Select(Path.GetFileName))}");
        Assert.True(File.Exists(Path.ChangeExtension(nupkg, ".snupkg")), "no symbol package");

        // The package is a DotnetTool and carries SkiaSharp's dependency-free native library for Linux.
        using (var zip = System.IO.Compression.ZipFile.OpenRead(nupkg))
        {
            var entries = zip.Entries.Select(e => e.FullName).ToList();
            Assert.Contains("tools/net10.0/any/DotnetToolSettings.xml", entries);
            Assert.Contains("tools/net10.0/any/runtimes/linux-x64/native/libSkiaSharp.so", entries);
            Assert.Contains("README.md", entries);
            using var nuspec = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            string text = nuspec.ReadToEnd();
            Assert.Contains("<packageType name=\"DotnetTool\"", text, StringComparison.Ordinal);
            Assert.Contains("<license type=\"expression\">MIT</license>", text, StringComparison.Ordinal);
        }

        string tools = Path.Combine(_tmp, "tools");
        var install = Processes.Run(Processes.Dotnet, ["tool", "install", "--tool-path", tools, "--add-source", feed, "RiskSim.Cli", "--version", version], _tmp, isolated);
        Assert.True(install.Code == 0, Processes.Describe("dotnet tool install", install));
        string risksim = Path.Combine(tools, OperatingSystem.IsWindows() ? "risksim.exe" : "risksim");
        Assert.True(File.Exists(risksim), $"{risksim} was not installed");

        // Run the installed tool on the flagship; on Linux, the dynamic loader tells which libSkiaSharp.so it loaded.
        string outDir = Path.Combine(_tmp, "out");
        string ldLog = Path.Combine(_tmp, "ld");
        var env = new Dictionary<string, string>();
        if (OperatingSystem.IsLinux())
        {
            env["LD_DEBUG"] = "files";
            env["LD_DEBUG_OUTPUT"] = ldLog;
        }

        var run = Processes.Run(risksim, ["run", RepoPaths.Flagship, "--trials", "20000", "--out", outDir, "--quiet"], _tmp, env);
        Assert.True(run.Code == 0, Processes.Describe("risksim run", run));
        Assert.Contains("P10", run.Out, StringComparison.Ordinal);
        string dir = Path.Combine(outDir, "gb200-nvl72-deepseek-r1");

        // The installed tool computes what the library computes: the same statistics as an in-process run, bit for bit.
        string reference = Path.Combine(_tmp, "reference");
        Assert.Equal(0, CliHarness.Run("run", RepoPaths.Flagship, "--trials", "20000", "--out", reference, "--quiet").Code);
        using (var tool = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))))
        using (var lib = JsonDocument.Parse(File.ReadAllText(Path.Combine(reference, "gb200-nvl72-deepseek-r1", "summary.json"))))
        {
            Assert.Equal(20000, tool.RootElement.GetProperty("trials").GetInt64());
            Assert.Equal(lib.RootElement.GetProperty("statistics").GetRawText(), tool.RootElement.GetProperty("statistics").GetRawText());
            Assert.True(tool.RootElement.GetProperty("all_gates_passed").GetBoolean());
        }

        // Charts were drawn (real PNG files) and the report does not say they failed.
        foreach (string chart in new[] { "tornado-npv.png", "histogram-npv.png", "s-curve-npv.png", "payback.png" })
        {
            byte[] head = File.ReadAllBytes(Path.Combine(dir, chart)).AsSpan(0, 8).ToArray();
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, head);
        }

        Assert.DoesNotContain("could not be rendered", File.ReadAllText(Path.Combine(dir, "report.md")), StringComparison.Ordinal);
        if (OperatingSystem.IsLinux())
        {
            string loads = string.Concat(Directory.GetFiles(_tmp, "ld.*").Select(File.ReadAllText));
            string packed = Path.Combine(".store", "risksim.cli", version) + "/";
            Assert.Contains(loads.Split('\n'), l => l.Contains("file=", StringComparison.Ordinal) && l.Contains(packed, StringComparison.Ordinal) && l.Contains("runtimes/linux-x64/native/libSkiaSharp.so", StringComparison.Ordinal));
            Assert.DoesNotContain("libfontconfig", loads, StringComparison.Ordinal);
        }

        // As a local tool: a manifest in a fresh folder, `dotnet tool install --local`, then `dotnet risksim`.
        string local = Directory.CreateDirectory(Path.Combine(_tmp, "local")).FullName;
        var manifest = Processes.Run(Processes.Dotnet, ["new", "tool-manifest"], local, isolated);
        Assert.True(manifest.Code == 0, Processes.Describe("dotnet new tool-manifest", manifest));
        var localInstall = Processes.Run(Processes.Dotnet, ["tool", "install", "--local", "--add-source", feed, "RiskSim.Cli", "--version", version], local, isolated);
        Assert.True(localInstall.Code == 0, Processes.Describe("dotnet tool install --local", localInstall));
        var validate = Processes.Run(Processes.Dotnet, ["risksim", "validate", RepoPaths.Flagship], local, isolated);
        Assert.True(validate.Code == 0, Processes.Describe("dotnet risksim validate", validate));
        Assert.Contains(": ok (", validate.Out, StringComparison.Ordinal);
    }
}
