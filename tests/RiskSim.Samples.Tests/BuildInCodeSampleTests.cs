using System.Diagnostics;
using System.Globalization;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Samples.BuildInCode;

namespace RiskSim.Samples.Tests;

/// <summary>samples/BuildInCode: built with the solution, run here as a program; what it prints is what the engine computes.</summary>
public sealed class BuildInCodeSampleTests
{
    [Fact]
    public async Task The_sample_prints_the_engines_P10_P50_P90_of_the_decision_it_builds()
    {
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "BuildInCode.dll"));
        psi.ArgumentList.Add("20000");
        using var p = Process.Start(psi)!;
        var stdoutTask = p.StandardOutput.ReadToEndAsync();
        var stderrTask = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(timeout.Token);
        string stdout = await stdoutTask;
        string stderr = await stderrTask;
        Assert.True(p.ExitCode == 0, $"exit {p.ExitCode}\n{stdout}\n{stderr}");

        // The same decision run here: the printed P10/P50/P90 are the engine's (rounded as printed).
        var spec = SampleDecision.Decision().ToSpec();
        var result = MonteCarloEngine.Run(spec, new RunOptions(20000, spec.Simulation.Seed, spec.Simulation.Sampling, 1));
        var lines = stdout.Split('\n', StringSplitOptions.TrimEntries);
        Assert.StartsWith("b200-70b-in-code: 20,000 trials, seed 7", lines[0], StringComparison.Ordinal);
        foreach (string key in new[] { "npv_usd", "net_roi", "payback_months" })
        {
            string[] cells = lines.Single(l => l.StartsWith(key + " ", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var s = result[key];
            string format = key == "npv_usd" ? "#,0" : "0.00";
            Assert.Equal([key, .. new[] { 0.1, 0.5, 0.9 }.Select(q => s[q].Value!.Value.ToString(format, CultureInfo.InvariantCulture))], cells);
        }

        Assert.Contains("gate PASS: npv_usd.p10 >= 0", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decision_built_in_code_gets_the_loaders_validation()
    {
        // Utilization's mode outside [0, 1]: the same error as in a config file, with the JSON path and what is allowed.
        var ex = Assert.Throws<ConfigException>(() => SampleDecision.Decision(utilizationMode: 1.4).ToSpec());
        Assert.Contains("drivers.utilization", ex.Message, StringComparison.Ordinal);
    }
}
