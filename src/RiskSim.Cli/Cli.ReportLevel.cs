using System.CommandLine;
using RiskSim.Reporting;

namespace RiskSim.Cli;

public static partial class Cli
{
    /// <summary>The <c>--report none|summary|full</c> option of <c>risksim run</c>.</summary>
    private static Option<string> ReportOption()
    {
        var option = new Option<string>("--report")
        {
            Description = "What to write besides summary.json and percentiles.csv: none (nothing more, for batch jobs that need only the statistics), summary (also tornado.csv, sensitivity.csv, report.md and report.html, without charts) or full (also the charts).",
            DefaultValueFactory = _ => "full",
        };
        option.AcceptOnlyFromAmong("none", "summary", "full");
        return option;
    }

    private static ReportLevel ParseReportLevel(string? value) => value switch
    {
        "none" => ReportLevel.None,
        "summary" => ReportLevel.Summary,
        _ => ReportLevel.Full,
    };
}
