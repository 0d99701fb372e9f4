using System.CommandLine;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;

namespace RiskSim.Cli;

/// <summary>The exports of <c>risksim run</c>: <c>--export xlsx</c> and <c>--keep-trials parquet</c>.</summary>
public static partial class Cli
{
    /// <summary>What a run exports besides its standard files.</summary>
    /// <param name="Xlsx">An Excel workbook, <c>{name}.xlsx</c>, in the run folder.</param>
    /// <param name="Parquet">Every trial's inputs and KPIs, <c>trials.parquet</c>, in the run folder.</param>
    internal sealed record RunExports(bool Xlsx, bool Parquet);

    /// <summary>Name of the workbook <c>--export xlsx</c> writes into a run folder.</summary>
    internal static string WorkbookName(string configName) => SafeName(configName) + ".xlsx";

    private static Option<string[]> ExportOption()
    {
        var export = new Option<string[]>("--export")
        {
            Description = "Also write an export into each run folder: xlsx (an Excel workbook <name>.xlsx: Summary, Percentiles, Tornado, Sensitivity, Assumptions, Charts). Repeatable.",
            AllowMultipleArgumentsPerToken = false,
        };
        export.AcceptOnlyFromAmong("xlsx");
        return export;
    }

    /// <summary>The exports asked for. The results folder they go into is checked before anything is simulated (<see cref="ResultStore.Open"/>).</summary>
    private static RunExports Exports(string[]? export, string? keep) => new((export ?? []).Contains("xlsx"), keep == "parquet");

    /// <summary>
    /// <c>--keep-trials parquet</c>: trials.parquet, replayed block by block (a cancelled run's blocks cannot be, so it
    /// gets none). A signal while writing stops it between blocks (<paramref name="ct"/>).
    /// </summary>
    private static void WriteTrialsParquet(string dir, SimulationResult result, TextWriter errors, CancellationToken ct)
    {
        if (result.Partial)
        {
            errors.WriteLine($"note: trials.parquet is not written for a cancelled run ({result.Trials:N0} of {result.Options.Trials:N0} trials counted)");
            return;
        }

        TrialsParquet.Write(result, Path.Combine(dir, "trials.parquet"), ct);
    }
}
