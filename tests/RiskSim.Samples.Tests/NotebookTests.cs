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
/// samples/risksim.ipynb is executed, not only compiled: its C# cells run in order as one Roslyn script session (what the
/// .NET Interactive C# kernel does), against the RiskSim assemblies these tests are built with, in samples/ as the
/// current directory. Its <c>#i</c>/<c>#r "nuget: …"</c> line names the packages `dotnet pack` makes, at the repository's version.
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

        // The package directives: kept out of the script (the assemblies are referenced below), but they must name the
        // repository's packages and version, or a reader's notebook would not restore.
        string version = VersionRegex().Match(await File.ReadAllTextAsync(Path.Combine(RepoPaths.Root, "Directory.Build.props"))).Groups[1].Value;
        var directives = cells.SelectMany(c => c.Split('\n')).Where(l => l.TrimStart().StartsWith('#')).Select(l => l.Trim()).ToList();
        Assert.Contains("#i \"nuget: ../artifacts/packages\"", directives);
        Assert.Contains($"#r \"nuget: RiskSim.Charts, {version}\"", directives);
        Assert.All(directives, d => Assert.Matches("^#[ri] \"nuget: ", d));

        var options = ScriptOptions.Default
            .AddReferences(typeof(Core.Configuration.ConfigLoader).Assembly, typeof(Reporting.RunExport).Assembly, typeof(Charts.ChartRenderer).Assembly)
            .AddImports("System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Text", "System.Threading.Tasks");
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

    [GeneratedRegex("<Version>([^<]+)</Version>")]
    private static partial Regex VersionRegex();

    [GeneratedRegex("<img src=\"data:image/png;base64,([A-Za-z0-9+/=]+)\"")]
    private static partial Regex ImageRegex();
}
