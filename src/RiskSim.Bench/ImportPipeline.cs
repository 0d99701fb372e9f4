using System.Globalization;
using RiskSim.Bench.Internal;
using RiskSim.Bench.Readers;

namespace RiskSim.Bench;

/// <summary>Runs the readers over the inputs: detection, the rules every point obeys, duplicates, GPU counts.</summary>
internal static class ImportPipeline
{
    /// <summary>Every reader, in detection order.</summary>
    internal static readonly BenchReader[] Readers =
    [
        new VllmReader(),
        new SglangReader(),
        new AiPerfJsonReader(),
        new GenAiPerfJsonReader(),
        new AiPerfCsvReader(),
        new AiPerfJsonlReader(),
        new GuideLlmReader(),
        new LlmPerfReader(),
        new MlPerfReader(),
        new InferenceXReader(),
        new TrtllmBenchReader(),
        new RiskSimCsvReader(),
    ];

    /// <summary>The values <c>--format</c> accepts: "auto", every tool name and every format name.</summary>
    public static IReadOnlyList<string> FormatChoices { get; } =
        ["auto", .. BenchmarkTools.All, .. Readers.Select(r => r.Format).Where(f => !BenchmarkTools.All.Contains(f)).Distinct()];

    public static ImportResult Run(IEnumerable<string> paths, BenchmarkImportOptions options, CancellationToken cancellationToken)
    {
        var diags = new List<ImportDiagnostic>();
        var points = new List<BenchmarkPoint>();
        if (!FormatChoices.Contains(options.Format, StringComparer.Ordinal))
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, "--format", null, $"unknown format '{options.Format}'; allowed: {string.Join(", ", FormatChoices)}"));
            return new ImportResult(points, diags);
        }

        if (options.Gpus is < 1)
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, "--gpus", null, $"GPU count {options.Gpus} is not allowed; give a whole number ≥ 1"));
            return new ImportResult(points, diags);
        }

        foreach (var file in Expand(paths, diags))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReadOne(file, options, points, diags, cancellationToken);
        }

        points = Deduplicate(points, diags);
        points = ApplyGpuCounts(points, options, diags);
        return new ImportResult(points, diags);
    }

    private static List<InputFile> Expand(IEnumerable<string> paths, List<ImportDiagnostic> diags)
    {
        var files = new List<InputFile>();
        foreach (var p in paths)
        {
            if (Directory.Exists(p))
            {
                var found = Directory.EnumerateFiles(p, "*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.Hidden | FileAttributes.System })
                    .Where(f => !Path.GetFileName(f).StartsWith('.'))
                    .Order(NaturalOrder.Instance)
                    .ToList();
                if (found.Count == 0)
                {
                    diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, p, null, "the folder holds no files"));
                }

                files.AddRange(found.Select(f => new InputFile(f, fromFolder: true)));
            }
            else if (File.Exists(p))
            {
                files.Add(new InputFile(p, fromFolder: false));
            }
            else
            {
                diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, p, null, "file or folder not found"));
            }
        }

        return files;
    }

    private static void ReadOne(InputFile file, BenchmarkImportOptions options, List<BenchmarkPoint> points, List<ImportDiagnostic> diags, CancellationToken ct)
    {
        Probe probe;
        try
        {
            probe = Probe.Of(file);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, file.Path, null, "cannot read: " + ex.Message));
            return;
        }

        var reader = Choose(file, probe, options, diags);
        if (reader is null)
        {
            return;
        }

        var ctx = new ReadContext(file, probe, reader, options, ct);
        try
        {
            reader.Read(ctx);
        }
        catch (BenchInputException ex)
        {
            diags.AddRange(ctx.Diagnostics);
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, file.Path, ex.Locator, $"{ex.Message} (read as {reader.Format})"));
            return;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, file.Path, null, "cannot read: " + ex.Message));
            return;
        }

        diags.AddRange(ctx.Diagnostics);
        foreach (var p in ctx.Points)
        {
            if (PointRules.Finish(p, diags) is { } ok)
            {
                points.Add(ok);
            }
        }
    }

    private static BenchReader? Choose(InputFile file, Probe probe, BenchmarkImportOptions options, List<ImportDiagnostic> diags)
    {
        if (options.Format != "auto")
        {
            var forced = Readers.Where(r => r.Format == options.Format || r.Tool == options.Format).ToList();
            if (forced.Count == 1)
            {
                return forced[0];
            }

            var detected = forced.Where(r => r.Detect(probe)).ToList();
            if (detected.Count >= 1)
            {
                return detected[0];
            }

            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, file.Path, probe.ParseProblemAt,
                (probe.ParseProblem is null ? string.Empty : probe.ParseProblem + "; ") +
                $"--format {options.Format}: the content is none of {Describe(forced)}"));
            return null;
        }

        var matches = Readers.Where(r => r.Detect(probe)).ToList();
        if (matches.Count == 1)
        {
            return matches[0];
        }

        if (matches.Count > 1)
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, file.Path, null,
                $"ambiguous format: the content matches {string.Join(" and ", matches.Select(m => m.Format))}; pass --format {string.Join(" or --format ", matches.Select(m => m.Tool).Distinct())}"));
            return null;
        }

        if (probe.ParseProblem is not null && (probe.IsJson || probe.IsYaml || probe.ParseProblemAt is not null))
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, file.Path, probe.ParseProblemAt, probe.ParseProblem));
            return null;
        }

        var resembling = Readers.Where(r => r.Resembles(probe)).ToList();
        if (resembling.Count > 1)
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, file.Path, null,
                $"ambiguous format: a serving-benchmark result that could be {string.Join(" or ", resembling.Select(r => r.Tool))}, without the keys that tell them apart ({Describe(resembling)}); pass --format {string.Join(" or --format ", resembling.Select(r => r.Tool))}"));
            return null;
        }

        if (file.FromFolder)
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Info, file.Path, null, "skipped: not a benchmark result file of a known format"));
            return null;
        }

        diags.Add(new ImportDiagnostic(DiagnosticSeverity.Error, file.Path, null,
            (probe.ParseProblem is null ? string.Empty : probe.ParseProblem + "; ") +
            $"unknown format. Tried, by content: {Describe(Readers)}. Pass --format <tool> if you know the tool"));
        return null;
    }

    private static string Describe(IEnumerable<BenchReader> readers) =>
        string.Join("; ", readers.Select(r => $"{r.Format} ({r.LooksFor})"));

    /// <summary>
    /// Drops a point that repeats an earlier one: the same run read twice (a sweep's summary.json repeating run=N.json,
    /// or one AIPerf run exported as JSON, CSV and per-request JSONL in one folder). The richer format is kept and a
    /// per-request file's samples move to it.
    /// </summary>
    private static List<BenchmarkPoint> Deduplicate(List<BenchmarkPoint> points, List<ImportDiagnostic> diags)
    {
        var kept = new List<BenchmarkPoint>();
        foreach (var p in points)
        {
            int i = kept.FindIndex(k => SameRun(k, p));
            if (i < 0)
            {
                kept.Add(p);
                continue;
            }

            var k = kept[i];
            var (keep, drop) = Rank(p.Source.Format) < Rank(k.Source.Format) ? (p, k) : (k, p);
            if (keep.Samples is null && drop.Samples is not null)
            {
                keep = keep with { Samples = drop.Samples };
            }

            kept[i] = keep;
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Info, drop.Source.Path, drop.Source.Locator,
                $"the same run as {keep.Source.Path} ({keep.Source.Locator}); counted once"));
        }

        return kept;
    }

    private static int Rank(string format) => format switch
    {
        BenchmarkFormats.AiPerfJson => 0,
        BenchmarkFormats.AiPerfJsonl => 1,
        BenchmarkFormats.AiPerfCsv => 2,
        _ => 0,
    };

    private static bool SameRun(BenchmarkPoint a, BenchmarkPoint b)
    {
        if (a.Tool != b.Tool || a.CompletedRequests is null || a.CompletedRequests != b.CompletedRequests)
        {
            return false;
        }

        if (a.Source.Format == b.Source.Format)
        {
            // Same format: every figure equal (a real repeat run never matches to the last bit).
            return a.DurationSeconds is not null && a.DurationSeconds == b.DurationSeconds
                && a.OutputTokensPerSecond == b.OutputTokensPerSecond
                && a.TtftMedianSeconds == b.TtftMedianSeconds
                && a.TpotMedianSeconds == b.TpotMedianSeconds
                && a.Model == b.Model;
        }

        // One run exported in several formats of one tool, side by side in a folder (the CSV rounds to 2 decimals).
        return Path.GetDirectoryName(Path.GetFullPath(a.Source.Path)) == Path.GetDirectoryName(Path.GetFullPath(b.Source.Path))
            && Close(a.DurationSeconds, b.DurationSeconds, 0.001)
            && Close(a.OutputTokensPerSecond, b.OutputTokensPerSecond, 0.001);
    }

    private static bool Close(double? a, double? b, double rel) =>
        a is double x && b is double y && Math.Abs(x - y) <= rel * Math.Max(Math.Abs(x), Math.Abs(y)) + 0.005;

    private static List<BenchmarkPoint> ApplyGpuCounts(List<BenchmarkPoint> points, BenchmarkImportOptions options, List<ImportDiagnostic> diags)
    {
        var result = new List<BenchmarkPoint>(points.Count);
        var missing = new Dictionary<string, (int Count, string Tool)>(StringComparer.Ordinal);
        foreach (var p in points)
        {
            if (p.GpuCount is int known)
            {
                if (options.Gpus is int given && given != known)
                {
                    diags.Add(new ImportDiagnostic(DiagnosticSeverity.Warning, p.Source.Path, p.Source.Locator,
                        $"the file records {known} GPU(s); the {Where(options)} {given} is not used for this point"));
                }

                result.Add(p);
            }
            else if (options.Gpus is int gpus)
            {
                result.Add(p.WithGpuCount(gpus, options.GpusSource));
            }
            else
            {
                missing[p.Source.Path] = (missing.GetValueOrDefault(p.Source.Path).Count + 1, p.Tool);
                result.Add(p);
            }
        }

        foreach (var (path, (count, tool)) in missing)
        {
            diags.Add(options.RequireGpuCount
                ? new ImportDiagnostic(DiagnosticSeverity.Error, path, null,
                    $"GPU count unknown for {count} point(s): {tool} result files do not record how many GPUs served the run, and per-GPU figures need it; {options.GpusHint}")
                : new ImportDiagnostic(DiagnosticSeverity.Info, path, null,
                    $"GPU count not recorded in the file: per-GPU figures left empty for {count} point(s); {options.GpusHint} to fill them"));
        }

        return result;
    }

    private static string Where(BenchmarkImportOptions o) => o.GpusSource == GpuCountSource.Config ? "config's GPU count" : "--gpus";

    internal static string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);

    /// <summary>Paths in natural order: digit runs compare as numbers (concurrency_4 before concurrency_16), the rest ordinally.</summary>
    internal sealed class NaturalOrder : IComparer<string>
    {
        public static readonly NaturalOrder Instance = new();

        public int Compare(string? x, string? y)
        {
            if (x is null || y is null)
            {
                return string.CompareOrdinal(x, y);
            }

            int i = 0, j = 0;
            while (i < x.Length && j < y.Length)
            {
                if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
                {
                    int si = i, sj = j;
                    while (i < x.Length && char.IsAsciiDigit(x[i]))
                    {
                        i++;
                    }

                    while (j < y.Length && char.IsAsciiDigit(y[j]))
                    {
                        j++;
                    }

                    var a = x.AsSpan(si, i - si).TrimStart('0');
                    var b = y.AsSpan(sj, j - sj).TrimStart('0');
                    int c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : a.SequenceCompareTo(b);
                    if (c != 0)
                    {
                        return c;
                    }
                }
                else
                {
                    int c = x[i].CompareTo(y[j]);
                    if (c != 0)
                    {
                        return c;
                    }

                    i++;
                    j++;
                }
            }

            int rest = (x.Length - i).CompareTo(y.Length - j);
            return rest != 0 ? rest : string.CompareOrdinal(x, y);
        }
    }
}
