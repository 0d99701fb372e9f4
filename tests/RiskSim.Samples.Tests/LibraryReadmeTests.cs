using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;
using RiskSim.Core.Decisions;

namespace RiskSim.Samples.Tests;

/// <summary>The RiskSim.Core package README's code: the decision built in code compiles and runs as written.</summary>
public sealed partial class LibraryReadmeTests
{
    [Fact]
    public async Task The_package_READMEs_decision_in_code_runs_as_written()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "src", "RiskSim.Core", "README.md"));
        string code = CSharpBlock().Matches(readme).Select(m => m.Groups[1].Value).First(b => b.Contains("new Decision", StringComparison.Ordinal));
        var options = ScriptOptions.Default.AddReferences(typeof(Decision).Assembly).AddImports("System");
        var state = await CSharpScript.RunAsync(code, options);

        var run = (DecisionResult)state.GetVariable("run").Value;
        Assert.Equal(100_000, run.Trials);
        Assert.NotNull(run.Percentile("npv_usd", 0.1));
        Assert.Single(run.Gates);
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
