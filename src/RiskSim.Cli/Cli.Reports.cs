using System.CommandLine;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;

namespace RiskSim.Cli;

public static partial class Cli
{
    /// <summary>
    /// <c>RISKSIM_TIMING=1</c>: a trace of the report's steps on stderr, each with the milliseconds since the reports
    /// began (cumulative); otherwise null.
    /// </summary>
    private static class Timing
    {
        public static Action<string>? Lap()
        {
            if (Environment.GetEnvironmentVariable("RISKSIM_TIMING") != "1")
            {
                return null;
            }

            var clock = System.Diagnostics.Stopwatch.StartNew();
            return what => Console.Error.WriteLine($"[timing] {what}: {clock.Elapsed.TotalMilliseconds:0} ms");
        }
    }

    private static Command TornadoCommand(TextWriter output, TextWriter errors)
    {
        var kpi = new Option<string>("--kpi") { Description = "KPI: npv_usd, net_roi or payback_months.", DefaultValueFactory = _ => "npv_usd" };
        kpi.AcceptOnlyFromAmong("npv_usd", "net_roi", "payback_months");
        var format = new Option<string>("--format") { Description = "table, csv or json.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "csv", "json");
        var ungroup = new Option<bool>("--ungroup") { Description = "Show the software curve's ceiling and time constant as separate bars instead of one \"software curve m(t)\" bar." };
        var set = SetOption();
        var cmd = new Command("tornado", "One-at-a-time sensitivity: each uncertain input from its P10 to its P90, the others at their medians; bars sorted by the KPI's swing.")
        {
            ConfigArg, kpi, format, ungroup, set,
        };
        cmd.SetAction(r =>
        {
            string file = r.GetValue(ConfigArg)!;
            var spec = LoadSpec(file, r.GetValue(set) ?? []);
            int column = TrialKpis.IndexOf(r.GetValue(kpi)!);
            var t = Tornado.Compute(spec, column, new TornadoOptions(GroupSoftwareCurve: !r.GetValue(ungroup)));
            output.Write(r.GetValue(format) switch
            {
                "csv" => SensitivityExport.TornadoCsv([t]),
                "json" => SensitivityExport.TornadoJson(t, spec, file),
                _ => SensitivityExport.TornadoTable(t, spec),
            });
            if (!t.Exists)
            {
                errors.WriteLine($"note: {t.Note}");
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }
}
