using System.Globalization;
using RiskSim.Core.Configuration;
using RiskSim.Core.Decisions;
using RiskSim.Samples.BuildInCode;

// Build the decision in code, run it, print P10/P50/P90 of the headline KPIs and the gates.
var decision = SampleDecision.Decision();
long? trials = args.Length > 0 ? long.Parse(args[0], CultureInfo.InvariantCulture) : null;
DecisionResult result;
try
{
    result = decision.Run(new RunSettings { Trials = trials });
}
catch (ConfigException ex)
{
    Console.Error.WriteLine(ex.Message); // every error with its JSON path, the bad value and what is allowed
    return 2;
}

Console.WriteLine($"{decision.Name}: {result.Trials:N0} trials, seed {result.Engine.Options.Seed}");
Console.WriteLine($"{"KPI",-22}{"P10",16}{"P50",16}{"P90",16}");
foreach (string key in new[] { "npv_usd", "net_roi", "payback_months" })
{
    string format = result.Statistics[key].Kpi.Unit == "USD" ? "#,0" : "0.00";
    string F(double p) => result.Percentile(key, p) is { } x ? x.ToString(format, CultureInfo.InvariantCulture) : "n/a";
    Console.WriteLine($"{key,-22}{F(0.1),16}{F(0.5),16}{F(0.9),16}");
}

Console.WriteLine("Pxx = xx-th percentile (P10: 10 % of trials at or below).");
foreach (var g in result.Gates)
{
    Console.WriteLine($"gate {(g.Passed ? "PASS" : "FAIL")}: {g.Gate.Text} (actual {g.Actual:G6})");
}

return result.GatesPassed ? 0 : 3;
