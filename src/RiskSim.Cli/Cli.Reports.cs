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
    /// Optional chart renderer: called with the run folder and the chart data before the report is
    /// written, returns the files it wrote (PNG files in the folder are embedded in report.html).
    /// Null: no charts.
    /// </summary>
    public static Func<string, ChartBundle, IReadOnlyList<string>>? ChartRenderer { get; set; }

    /// <summary>
    /// Writes the sensitivity analyses and the committee report of a run into <paramref name="dir"/>:
    /// tornado.csv, sensitivity.csv, the charts (through <see cref="ChartRenderer"/>; not with <c>--report summary</c>),
    /// report.md and report.html; with <c>--report none</c> only an export asked for (<c>--export xlsx</c>).
    /// </summary>
    static partial void WriteReportsImpl(string dir, string configFile, SimulationResult result, IReadOnlyList<GateResult> gates, RunExports exports, ReportLevel level, CancellationToken ct)
    {
        var timing = System.Diagnostics.Stopwatch.StartNew();
        bool trace = Environment.GetEnvironmentVariable("RISKSIM_TIMING") == "1";
        void Lap(string what)
        {
            if (trace)
            {
                Console.Error.WriteLine($"[timing] {what}: {timing.Elapsed.TotalMilliseconds:0} ms");
            }
        }

        if (level == ReportLevel.None && !exports.Xlsx)
        {
            return;
        }

        bool charts = level == ReportLevel.Full;
        var data = ReportData.Compute(result, gates, configFile);
        Lap("report data (tornado, global sensitivity, paths)");
        ct.ThrowIfCancellationRequested();
        if (level == ReportLevel.None)
        {
            WriteWorkbook(dir, data); // --export xlsx was asked for: the workbook, without charts
            Lap("workbook");
            return;
        }

        File.WriteAllText(Path.Combine(dir, "tornado.csv"), SensitivityExport.TornadoCsv(data.Tornados));
        File.WriteAllText(Path.Combine(dir, "sensitivity.csv"), SensitivityExport.SensitivityCsv(data.Global));
        string? chartsNote = charts ? null : "Charts were not rendered (--report summary); run with --report full to get them.";
        ct.ThrowIfCancellationRequested();
        ChartBundle? bundle = null;
        if (ChartRenderer is { } render && charts)
        {
            try
            {
                bundle = ChartBundles.From(data);
                Lap("chart data");
                render(dir, bundle);
                Lap("charts");
            }
#pragma warning disable CA1031 // a chart failure must not lose the run: the report says what happened
            catch (Exception ex)
#pragma warning restore CA1031
            {
                chartsNote = $"Charts could not be rendered: {ex.GetType().Name}: {ex.Message}";
            }
        }

        ct.ThrowIfCancellationRequested();
        var options = new ReportOptions(RunDirectory: dir, ChartsNote: chartsNote, Charts: bundle);
        var (markdown, html) = CommitteeReport.Both(data, options); // one build of the blocks for both formats
        File.WriteAllText(Path.Combine(dir, "report.md"), markdown);
        File.WriteAllText(Path.Combine(dir, "report.html"), html);
        Lap("report.md and report.html");
        if (exports.Xlsx)
        {
            ct.ThrowIfCancellationRequested();
            WriteWorkbook(dir, data);
            Lap("workbook");
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
