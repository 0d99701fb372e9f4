namespace RiskSim.Bench;

/// <summary>Runs the readers over the inputs (detection, GPU counts, diagnostics).</summary>
internal static class ImportPipeline
{
    public static ImportResult Run(IEnumerable<string> paths, BenchmarkImportOptions options, CancellationToken cancellationToken)
    {
        _ = options;
        cancellationToken.ThrowIfCancellationRequested();
        var diags = paths.Select(p => new ImportDiagnostic(DiagnosticSeverity.Error, p, null, "no readers yet")).ToList();
        return new ImportResult([], diags);
    }
}
