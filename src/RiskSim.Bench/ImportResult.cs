namespace RiskSim.Bench;

/// <summary>Options of <see cref="BenchmarkImporter.Import"/>. Immutable.</summary>
public sealed record BenchmarkImportOptions
{
    /// <summary>
    /// GPU count for points whose file does not record one (from <c>--gpus N</c> or a config); null = none given.
    /// A file's own count wins; a different value given here is a warning.
    /// </summary>
    public int? Gpus { get; init; }

    /// <summary>Where <see cref="Gpus"/> came from (command line or config), for provenance and error wording.</summary>
    public GpuCountSource GpusSource { get; init; } = GpuCountSource.CommandLine;

    /// <summary>"auto" (detect from content) or a tool name of <see cref="BenchmarkTools"/> / a format name of <see cref="BenchmarkFormats"/>.</summary>
    public string Format { get; init; } = "auto";

    /// <summary>When true, a point whose GPU count is unknown is an error (per-GPU figures are needed, e.g. by the frontier).</summary>
    public bool RequireGpuCount { get; init; }

    /// <summary>Keep per-request TTFT/TPOT samples of per-request files in <see cref="BenchmarkPoint.Samples"/>.</summary>
    public bool KeepRequestSamples { get; init; } = true;

    /// <summary>How to tell the user to give a GPU count, used in the "GPU count unknown" error (the CLI says "--gpus N", a config its field).</summary>
    public string GpusHint { get; init; } = "pass --gpus N";
}

/// <summary>How serious a diagnostic is.</summary>
public enum DiagnosticSeverity
{
    /// <summary>Something the user may want to know (e.g. a GPU count taken from a file name).</summary>
    Info = 0,

    /// <summary>The point was read but a figure is doubtful (partial failure above 1 %, a derived figure …).</summary>
    Warning = 1,

    /// <summary>A run in the file was not turned into a point (e.g. every request failed), with the reason.</summary>
    Rejected = 2,

    /// <summary>The file could not be read (unknown format, invalid JSON/CSV/YAML, missing GPU count when required): exit code 2.</summary>
    Error = 3,
}

/// <summary>One message about an input file, with where in it.</summary>
/// <param name="Severity">How serious.</param>
/// <param name="Path">The file (or folder) as given.</param>
/// <param name="Locator">Where in it ("line 3, byte 17", "benchmarks[2]", "row 4"), or null for the whole file.</param>
/// <param name="Message">What is wrong and, for errors, what is allowed or how to fix it.</param>
public sealed record ImportDiagnostic(DiagnosticSeverity Severity, string Path, string? Locator, string Message)
{
    /// <inheritdoc/>
    public override string ToString()
    {
        string where = Locator is null ? Path : $"{Path} ({Locator})";
        string kind = Severity switch
        {
            DiagnosticSeverity.Error => "error",
            DiagnosticSeverity.Rejected => "rejected",
            DiagnosticSeverity.Warning => "warning",
            _ => "note",
        };
        return $"{kind}: {where}: {Message}";
    }
}

/// <summary>What an import produced: the points read and every diagnostic, in input order.</summary>
/// <param name="Points">Normalized points, in the order of the inputs and, within a file, of the file.</param>
/// <param name="Diagnostics">Notes, warnings, rejected runs and errors.</param>
public sealed record ImportResult(IReadOnlyList<BenchmarkPoint> Points, IReadOnlyList<ImportDiagnostic> Diagnostics)
{
    /// <summary>True when any diagnostic is an <see cref="DiagnosticSeverity.Error"/> (the CLI exits 2).</summary>
    public bool HasErrors => Diagnostics.Any(d => d.Severity == DiagnosticSeverity.Error);

    /// <summary>The errors.</summary>
    public IEnumerable<ImportDiagnostic> Errors => Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error);
}
