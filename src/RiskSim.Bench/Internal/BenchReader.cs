namespace RiskSim.Bench.Internal;

/// <summary>
/// One reader per result format: how to recognize it from content, and how to turn it into points.
/// Stateless; one instance serves every file.
/// </summary>
internal abstract class BenchReader
{
    /// <summary>The format name (<see cref="BenchmarkFormats"/>).</summary>
    public abstract string Format { get; }

    /// <summary>The tool name (<see cref="BenchmarkTools"/>).</summary>
    public abstract string Tool { get; }

    /// <summary>What detection looks for, for the "unknown format" error.</summary>
    public abstract string LooksFor { get; }

    /// <summary>True when the content has this format's signature.</summary>
    public abstract bool Detect(Probe probe);

    /// <summary>True when the content has this format's general shape but not the keys that single it out (for "ambiguous").</summary>
    public virtual bool Resembles(Probe probe) => false;

    /// <summary>Reads the file into points and diagnostics; throws <see cref="BenchInputException"/> for unreadable input.</summary>
    public abstract void Read(ReadContext ctx);
}

/// <summary>What a reader gets: the file, the options, and where to put points and diagnostics.</summary>
internal sealed class ReadContext
{
    private List<JsonValueAt>? values;

    public ReadContext(InputFile file, Probe probe, BenchReader reader, BenchmarkImportOptions options, CancellationToken cancellationToken)
    {
        File = file;
        Probe = probe;
        Reader = reader;
        Options = options;
        CancellationToken = cancellationToken;
    }

    public InputFile File { get; }

    public Probe Probe { get; }

    public BenchReader Reader { get; }

    public BenchmarkImportOptions Options { get; }

    public CancellationToken CancellationToken { get; }

    public List<BenchmarkPoint> Points { get; } = [];

    public List<ImportDiagnostic> Diagnostics { get; } = [];

    /// <summary>Every top-level JSON value of the file (a YAML file converted), parsed once.</summary>
    public List<JsonValueAt> Values => values ??= LenientJson.ParseAll(Probe.YamlAsJson ?? File.Bytes);

    /// <summary>The provenance of a point at <paramref name="locator"/>.</summary>
    public BenchmarkSource Source(string locator, int index, string? origin = null) =>
        new(File.Path, File.Sha256, locator, index, Probe.IsYaml ? Reader.Format + " (yaml)" : Reader.Format, origin);

    public void Add(BenchmarkPoint p) => Points.Add(p);

    public void Note(DiagnosticSeverity severity, string? locator, string message) =>
        Diagnostics.Add(new ImportDiagnostic(severity, File.Path, locator, message));

    /// <summary>"line N" for a JSONL value, "[i]" for an array element, null for a single object.</summary>
    public string ValueLocator(JsonValueAt v) => Values.Count > 1 ? $"line {v.Line}" : "whole file";
}
