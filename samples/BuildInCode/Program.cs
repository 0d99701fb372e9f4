using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Samples.BuildInCode;

// Build the decision in code, run it, print P10/P50/P90 of the headline KPIs and the gates.
RiskSim.Core.Spec.SimulationSpec spec;
try
{
    spec = SampleDecision.Spec();
}
catch (ConfigException ex)
{
    Console.Error.WriteLine(ex.Message); // every error with its JSON path, the bad value and what is allowed
    return 2;
}

long trials = args.Length > 0 ? long.Parse(args[0], System.Globalization.CultureInfo.InvariantCulture) : spec.Simulation.Trials;
var result = MonteCarloEngine.Run(spec, new RunOptions(trials, spec.Simulation.Seed, spec.Simulation.Sampling, Environment.ProcessorCount));

Console.WriteLine($"{spec.Name}: {result.Trials:N0} trials, seed {result.Options.Seed}");
Console.WriteLine($"{"KPI",-22}{"P10",16}{"P50",16}{"P90",16}");
foreach (string key in new[] { "npv_usd", "net_roi", "payback_months" })
{
    var s = result[key];
    string F(double? v) => v is { } x ? x.ToString(s.Kpi.Unit == "USD" ? "#,0" : "0.00", System.Globalization.CultureInfo.InvariantCulture) : "n/a";
    Console.WriteLine($"{key,-22}{F(s[0.1].Value),16}{F(s[0.5].Value),16}{F(s[0.9].Value),16}");
}

Console.WriteLine("Pxx = xx-th percentile (P10: 10 % of trials at or below).");
foreach (var g in Gates.Evaluate(result))
{
    Console.WriteLine($"gate {(g.Passed ? "PASS" : "FAIL")}: {g.Gate.Text} (actual {g.Actual:G6})");
}

return 0;
