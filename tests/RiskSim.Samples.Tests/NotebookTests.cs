using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace RiskSim.Samples.Tests;

/// <summary>What the notebook's <c>display</c> and <c>HTML</c> did (the .NET Interactive C# kernel's globals of those names).</summary>
public sealed class NotebookGlobals
{
    public List<object?> Displayed { get; } = [];

    public object? display(object? value)
    {
        Displayed.Add(value);
        return value;
    }

    public NotebookHtml HTML(string html) => new(html);
}

/// <summary>HTML content displayed by a cell.</summary>
public sealed record NotebookHtml(string Html);

/// <summary>
/// samples/risksim.ipynb is executed twice over. Offline and fast: its C# cells run in order as one Roslyn script session
/// (what the .NET Interactive C# kernel does, with its default imports) against the RiskSim assemblies these tests are
/// built with, in samples/ as the current directory; the cell that points the kernel at the local package feed is the
/// kernel's business and is skipped. For real (Category=Package): the packages are packed, and dotnet-repl (a tool of the
/// repository's manifest) runs the notebook in the .NET Interactive kernel, restoring them from the feed.
/// </summary>
public sealed partial class NotebookTests
{
    private static readonly string Notebook = Path.Combine(RepoPaths.Root, "samples", "risksim.ipynb");

    [Fact]
    public async Task The_notebook_runs_and_shows_the_tornado_and_the_S_curve()
    {
        using var doc = JsonDocument.Parse(await File.ReadAllTextAsync(Notebook));
        Assert.Equal(".net-csharp", doc.RootElement.GetProperty("metadata").GetProperty("kernelspec").GetProperty("name").GetString());
        var cells = doc.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .Select(c => string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())))
            .ToList();
        Assert.True(cells.Count >= 4);

        // The package directive: kept out of the script (the assemblies are referenced below), but it must name the
        // repository's package and version, or a reader's notebook would not restore.
        var directives = cells.SelectMany(c => c.Split('\n')).Where(l => l.TrimStart().StartsWith('#')).Select(l => l.Trim()).ToList();
        Assert.Equal([$"#r \"nuget: RiskSim.Charts, {RepoVersion()}\""], directives);
        Assert.Single(cells, c => c.Contains("Kernel.Root.SendAsync", StringComparison.Ordinal));
        cells = [.. cells.Where(c => !c.Contains("Microsoft.DotNet.Interactive", StringComparison.Ordinal))];

        // The C# kernel's default imports: System.IO is not among them, so the notebook must say `using System.IO;`.
        var options = ScriptOptions.Default
            .AddReferences(typeof(Core.Configuration.ConfigLoader).Assembly, typeof(Reporting.RunExport).Assembly, typeof(Charts.ChartRenderer).Assembly)
            .AddImports("System", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks");
        var globals = new NotebookGlobals();
        string previous = Environment.CurrentDirectory;
        Environment.CurrentDirectory = Path.Combine(RepoPaths.Root, "samples"); // as a notebook kernel runs beside its file
        var results = new List<object?>();
        try
        {
            ScriptState<object>? state = null;
            foreach (string cell in cells)
            {
                string code = string.Join('\n', cell.Split('\n').Select(l => l.TrimStart().StartsWith('#') ? "" : l));
                state = state is null
                    ? await CSharpScript.RunAsync(code, options, globals, typeof(NotebookGlobals))
                    : await state.ContinueWithAsync(code, options);
                results.Add(state.ReturnValue);
            }
        }
        finally
        {
            Environment.CurrentDirectory = previous;
        }

        // The run cell's summary line, the statistics table and the gates were the cells' values.
        Assert.Contains(results, r => r is string s && s.StartsWith("gb200-nvl72-deepseek-r1: 100,000 trials. NPV P10 $", StringComparison.Ordinal));
        Assert.Contains(results, r => r is System.Collections.IList { Count: 8 });

        // Two PNG images displayed inline: the tornado and the S-curve.
        var images = globals.Displayed.OfType<NotebookHtml>().Select(h => ImageRegex().Match(h.Html)).ToList();
        Assert.Equal(2, images.Count);
        foreach (var m in images)
        {
            Assert.True(m.Success);
            byte[] png = Convert.FromBase64String(m.Groups[1].Value);
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png.AsSpan(0, 4).ToArray());
            Assert.True(png.Length > 10_000, "an empty chart");
        }
    }

    [Fact]
    [Trait("Category", "Package")]
    public async Task The_notebook_runs_in_the_dotnet_interactive_kernel_from_the_packed_packages()
    {
        string tmp = Directory.CreateTempSubdirectory("risksim-notebook-").FullName;
        string version = $"{RepoVersion()}-notebook.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}"; // no cached package can answer
        string packages = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } np ? np : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        try
        {
            // The clone's layout in miniature: samples/risksim.ipynb, configs/, artifacts/packages/ (the notebook's relative paths).
            string feed = Directory.CreateDirectory(Path.Combine(tmp, "artifacts", "packages")).FullName;
            string samples = Directory.CreateDirectory(Path.Combine(tmp, "samples")).FullName;
            Directory.CreateDirectory(Path.Combine(tmp, "configs"));
            File.Copy(RepoPaths.Flagship, Path.Combine(tmp, "configs", Path.GetFileName(RepoPaths.Flagship)));
            string text = await File.ReadAllTextAsync(Notebook);
            string directive = $"#r \\\"nuget: RiskSim.Charts, {RepoVersion()}\\\"";
            Assert.Contains(directive, text, StringComparison.Ordinal);
            await File.WriteAllTextAsync(Path.Combine(samples, "risksim.ipynb"), text.Replace(directive, $"#r \\\"nuget: RiskSim.Charts, {version}\\\"", StringComparison.Ordinal));

            foreach (string project in new[] { "RiskSim.Core", "RiskSim.Reporting", "RiskSim.Charts" })
            {
                var pack = Run(Dotnet, ["pack", Path.Combine(RepoPaths.Root, "src", project, project + ".csproj"), "-c", Configuration, "--no-build", "-o", feed, $"-p:PackageVersion={version}"], RepoPaths.Root);
                Assert.True(pack.Code == 0, $"dotnet pack {project}: {pack.Out}\n{pack.Err}");
            }

            var restore = Run(Dotnet, ["tool", "restore"], RepoPaths.Root);
            Assert.True(restore.Code == 0, $"dotnet tool restore: {restore.Out}\n{restore.Err}");
            // The kernel runs in the notebook's folder (as an editor runs it), so the tool manifest goes along for `dotnet tool run`.
            Directory.CreateDirectory(Path.Combine(tmp, ".config"));
            File.Copy(Path.Combine(RepoPaths.Root, ".config", "dotnet-tools.json"), Path.Combine(tmp, ".config", "dotnet-tools.json"));
            string output = Path.Combine(tmp, "out.ipynb");
            var run = Run(Dotnet, ["tool", "run", "dotnet-repl", "--", "--run", Path.Combine(samples, "risksim.ipynb"), "--exit-after-run", "--output-path", output], samples);
            Assert.True(File.Exists(output), $"dotnet-repl wrote no output (exit {run.Code}): {run.Out}\n{run.Err}");

            using var executed = JsonDocument.Parse(await File.ReadAllTextAsync(output));
            var outputs = executed.RootElement.GetProperty("cells").EnumerateArray()
                .Where(c => c.GetProperty("cell_type").GetString() == "code")
                .SelectMany(c => c.GetProperty("outputs").EnumerateArray()).ToList();
            var errors = outputs.Where(o => o.GetProperty("output_type").GetString() == "error").Select(o => o.GetRawText()).ToList();
            Assert.True(errors.Count == 0, string.Join("\n", errors));
            string all = string.Join("\n", outputs.Select(o => o.GetRawText()));
            Assert.Contains($"RiskSim.Charts, {version}", all, StringComparison.Ordinal); // restored from the feed
            Assert.Contains("gb200-nvl72-deepseek-r1: 100,000 trials. NPV P10 $", all, StringComparison.Ordinal);
            Assert.Equal(2, ImageRegex().Count(all.Replace("\\\"", "\"", StringComparison.Ordinal)));
        }
        finally
        {
            Directory.Delete(tmp, recursive: true);
            foreach (string id in new[] { "risksim.core", "risksim.reporting", "risksim.charts" })
            {
                string cached = Path.Combine(packages, id, version);
                if (Directory.Exists(cached))
                {
                    Directory.Delete(cached, recursive: true);
                }
            }
        }
    }

    private static string RepoVersion() => VersionRegex().Match(File.ReadAllText(Path.Combine(RepoPaths.Root, "Directory.Build.props"))).Groups[1].Value;

    private static string Dotnet => Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } p && File.Exists(p) ? p : "dotnet";

    private const string Configuration =
#if DEBUG
        "Debug";
#else
        "Release";
#endif

    /// <summary>Runs a child process (without the test host's MSBuild variables) for at most ten minutes.</summary>
    private static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, string workingDirectory)
    {
        var psi = new System.Diagnostics.ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
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
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
        }

        p.WaitForExit();
        return (p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionRegex();

    [GeneratedRegex("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex ImageRegex();
}
