using System.Globalization;
using System.Text;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench;

/// <summary>
/// RiskSim's normalized points table: one row per <see cref="BenchmarkPoint"/>, units in the column names, invariant
/// culture, RFC 4180 quoting, shortest round-trip numbers (a written table reads back to the same doubles), an empty
/// field for a figure that does not exist.
/// </summary>
/// <remarks>
/// Lines starting with '#' are comments; a <c># source: …</c> line names where
/// the measurements come from (tool, run, where published) and travels with every row read back.
/// <c>request_rate_per_s</c> is "inf" for an unbounded rate. Written by <c>risksim bench import --format-out csv</c>,
/// read back like any other format.
/// </remarks>
public static class BenchmarkCsv
{
    /// <summary>The comment prefix of a provenance line.</summary>
    public const string SourcePrefix = "# source:";

    private static readonly Column[] ColumnList =
    [
        new("tool", p => p.Tool, (p, s) => p with { Tool = s }),
        new("tool_version", p => p.ToolVersion, (p, s) => p with { ToolVersion = s }),
        new("backend", p => p.Backend, (p, s) => p with { Backend = s }),
        new("model", p => p.Model, (p, s) => p with { Model = s }),
        new("hardware", p => p.Hardware, (p, s) => p with { Hardware = s }),
        new("precision", p => p.Precision, (p, s) => p with { Precision = s }),
        new("scenario", p => p.Scenario, (p, s) => p with { Scenario = s }),
        new("gpu_count", p => I(p.GpuCount), (p, s) => p with { GpuCount = (int?)Long(s, "gpu_count", 1) }),
        new("gpu_count_source", p => p.GpuCount is null ? null : p.GpuCountSource.ToString().ToLowerInvariant(), (p, s) => p with { GpuCountSource = Enum.TryParse<GpuCountSource>(s, true, out var g) ? g : throw Bad("gpu_count_source", s, "file, commandline, config or unknown") }),
        new("concurrency", p => D(p.Concurrency), (p, s) => p with { Concurrency = Num(s, "concurrency") }),
        new("measured_concurrency", p => D(p.MeasuredConcurrency), (p, s) => p with { MeasuredConcurrency = Num(s, "measured_concurrency") }),
        new("request_rate_per_s", p => p.RequestRateUnbounded ? "inf" : D(p.RequestRatePerSecond), (p, s) => s.Trim().ToLowerInvariant() is "inf" or "infinity" ? p with { RequestRateUnbounded = true } : p with { RequestRatePerSecond = Num(s, "request_rate_per_s") }),
        new("mean_input_tokens", p => D(p.MeanInputTokens), (p, s) => p with { MeanInputTokens = Num(s, "mean_input_tokens") }),
        new("mean_output_tokens", p => D(p.MeanOutputTokens), (p, s) => p with { MeanOutputTokens = Num(s, "mean_output_tokens") }),
        new("duration_s", p => D(p.DurationSeconds), (p, s) => p with { DurationSeconds = Num(s, "duration_s") }),
        new("total_tokens_per_s", p => D(p.TotalTokensPerSecond), (p, s) => p with { TotalTokensPerSecond = Num(s, "total_tokens_per_s") }),
        new("output_tokens_per_s", p => D(p.OutputTokensPerSecond), (p, s) => p with { OutputTokensPerSecond = Num(s, "output_tokens_per_s") }),
        new("requests_per_s", p => D(p.RequestsPerSecond), (p, s) => p with { RequestsPerSecond = Num(s, "requests_per_s") }),
        new("goodput_requests_per_s", p => D(p.GoodputRequestsPerSecond), (p, s) => p with { GoodputRequestsPerSecond = Num(s, "goodput_requests_per_s") }),
        new("ttft_mean_s", p => D(p.TtftMeanSeconds), (p, s) => p with { TtftMeanSeconds = Num(s, "ttft_mean_s") }),
        new("ttft_median_s", p => D(p.TtftMedianSeconds), (p, s) => p with { TtftMedianSeconds = Num(s, "ttft_median_s") }),
        new("ttft_p99_s", p => D(p.TtftP99Seconds), (p, s) => p with { TtftP99Seconds = Num(s, "ttft_p99_s") }),
        new("tpot_mean_s", p => D(p.TpotMeanSeconds), (p, s) => p with { TpotMeanSeconds = Num(s, "tpot_mean_s") }),
        new("tpot_median_s", p => D(p.TpotMedianSeconds), (p, s) => p with { TpotMedianSeconds = Num(s, "tpot_median_s") }),
        new("tpot_p99_s", p => D(p.TpotP99Seconds), (p, s) => p with { TpotP99Seconds = Num(s, "tpot_p99_s") }),
        new("itl_median_s", p => D(p.ItlMedianSeconds), (p, s) => p with { ItlMedianSeconds = Num(s, "itl_median_s") }),
        new("itl_p99_s", p => D(p.ItlP99Seconds), (p, s) => p with { ItlP99Seconds = Num(s, "itl_p99_s") }),
        new("tokens_per_s_per_user", p => D(p.TokensPerSecondPerUser), (p, s) => p with { TokensPerSecondPerUser = Num(s, "tokens_per_s_per_user") }),
        new("tokens_per_s_per_user_basis", p => p.TokensPerSecondPerUserBasis, (p, s) => p with { TokensPerSecondPerUserBasis = s }),
        new("completed_requests", p => L(p.CompletedRequests), (p, s) => p with { CompletedRequests = Long(s, "completed_requests", 0) }),
        new("failed_requests", p => L(p.FailedRequests), (p, s) => p with { FailedRequests = Long(s, "failed_requests", 0) }),
        new("joules_per_output_token", p => D(p.JoulesPerOutputToken), (p, s) => p with { JoulesPerOutputToken = Num(s, "joules_per_output_token") }),
        new("average_power_w", p => D(p.AveragePowerWatts), (p, s) => p with { AveragePowerWatts = Num(s, "average_power_w") }),
        new("energy_boundary", p => p.EnergyBoundary, (p, s) => p with { EnergyBoundary = s }),
        new("output_tokens_per_s_per_gpu", p => D(p.OutputTokensPerSecondPerGpu), (p, s) => p with { OutputTokensPerSecondPerGpu = Num(s, "output_tokens_per_s_per_gpu") }),
        new("total_tokens_per_s_per_gpu", p => D(p.TotalTokensPerSecondPerGpu), (p, s) => p with { TotalTokensPerSecondPerGpu = Num(s, "total_tokens_per_s_per_gpu") }),
        new("source_path", p => p.Source.Origin is null ? p.Source.Path : null, null),
        new("source_sha256", p => p.Source.Origin is null ? p.Source.Sha256 : null, null),
        new("source_locator", p => p.Source.Origin is null ? p.Source.Locator : null, null),
        new("source_format", p => p.Source.Origin is null ? p.Source.Format : null, null),
        new("source_origin", p => p.Source.Origin, null),
        new("warnings", p => p.Warnings.Count == 0 ? null : string.Join(" | ", p.Warnings), (p, s) => p with { Warnings = s.Split(" | ", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) }),
    ];

    /// <summary>The column names, in order.</summary>
    public static IReadOnlyList<string> Columns { get; } = ColumnList.Select(c => c.Name).ToArray();

    /// <summary>
    /// Writes the table. <paramref name="sourceLines"/> become <c># source:</c> comment lines (one per line); when null,
    /// one is written per distinct input file (path and SHA-256). Rows read from a RiskSim CSV keep their origin in
    /// <c>source_origin</c> instead of the source_* columns.
    /// </summary>
    public static void Write(IEnumerable<BenchmarkPoint> points, TextWriter writer, IEnumerable<string>? sourceLines = null)
    {
        var list = points.ToList();
        writer.Write("# RiskSim normalized benchmark points (risksim bench import --format-out csv); units in column names; empty = not in the source\n");
        var sources = sourceLines?.ToList() ?? list
            .Select(p => p.Source.Origin ?? $"{p.Tool} {p.Source.Format}: {p.Source.Path} sha256 {p.Source.Sha256}")
            .Distinct(StringComparer.Ordinal)
            .ToList();
        foreach (var s in sources)
        {
            writer.Write(SourcePrefix + " " + s.ReplaceLineEndings(" ") + "\n");
        }

        writer.Write(string.Join(",", Columns) + "\n");
        foreach (var p in list)
        {
            writer.Write(string.Join(",", ColumnList.Select(c => Csv.Quote(c.Get(p) ?? string.Empty))) + "\n");
        }
    }

    /// <summary>The table as a string (see <see cref="Write"/>).</summary>
    public static string ToCsv(IEnumerable<BenchmarkPoint> points, IEnumerable<string>? sourceLines = null)
    {
        using var w = new StringWriter(CultureInfo.InvariantCulture);
        Write(points, w, sourceLines);
        return w.ToString();
    }

    /// <summary>Parses the rows of a table (the reader behind format risksim-csv).</summary>
    internal static IEnumerable<(BenchmarkPoint Point, string Locator, int Index)> Parse(string text, Func<string, int, string?, BenchmarkSource> source)
    {
        var lines = text.Split('\n');
        var comments = lines.TakeWhile(l => l.TrimStart().StartsWith('#') || l.Trim().Length == 0).ToList();
        var sourceLines = comments.Where(l => l.TrimStart().StartsWith(SourcePrefix, StringComparison.Ordinal))
            .Select(l => l.TrimStart()[SourcePrefix.Length..].Trim())
            .ToList();
        var records = Csv.Parse(text).Where(r => r.Fields.Length > 0 && !r.Fields[0].TrimStart().StartsWith('#')).ToList();
        if (records.Count == 0)
        {
            throw new BenchInputException(null, "no header row");
        }

        var header = records[0].Fields.Select(h => h.Trim()).ToArray();
        var index = new Column?[header.Length];
        for (int i = 0; i < header.Length; i++)
        {
            index[i] = ColumnList.FirstOrDefault(c => c.Name == header[i]);
        }

        if (!header.Contains("tool") || !(header.Contains("output_tokens_per_s") || header.Contains("output_tokens_per_s_per_gpu")))
        {
            throw new BenchInputException($"line {records[0].Line}", "the header must have 'tool' and 'output_tokens_per_s' or 'output_tokens_per_s_per_gpu'");
        }

        for (int r = 1; r < records.Count; r++)
        {
            var rec = records[r];
            string loc = $"row {r} (line {rec.Line})";
            if (rec.Fields.Length != header.Length)
            {
                throw new BenchInputException($"line {rec.Line}", $"{rec.Fields.Length} fields where the header has {header.Length}");
            }

            var row = Enumerable.Range(0, header.Length).ToDictionary(i => header[i], i => rec.Fields[i], StringComparer.Ordinal);
            string? origin = BuildOrigin(sourceLines, row);
            var p = new BenchmarkPoint { Tool = "?", Source = source(loc, r - 1, origin) };
            for (int i = 0; i < header.Length; i++)
            {
                string value = rec.Fields[i];
                if (index[i]?.Set is not { } set || value.Trim().Length == 0)
                {
                    continue;
                }

                try
                {
                    p = set(p, value.Trim());
                }
                catch (FormatException ex)
                {
                    throw new BenchInputException($"line {rec.Line}, column {header[i]}", ex.Message);
                }
            }

            if (p.Tool == "?")
            {
                throw new BenchInputException($"line {rec.Line}, column tool", "the tool is empty");
            }

            if (p.GpuCount is null)
            {
                p = p with { GpuCountSource = GpuCountSource.Unknown };
            }
            else if (!row.TryGetValue("gpu_count_source", out var gs) || gs.Trim().Length == 0)
            {
                p = p with { GpuCountSource = GpuCountSource.File };
            }

            yield return (p, loc, r - 1);
        }
    }

    private static string? BuildOrigin(List<string> sourceLines, Dictionary<string, string> row)
    {
        var parts = new List<string>(sourceLines);
        if (row.TryGetValue("source_origin", out var o) && o.Trim().Length > 0)
        {
            parts.Add(o.Trim());
        }
        else if (row.TryGetValue("source_path", out var path) && path.Trim().Length > 0)
        {
            string sha = row.TryGetValue("source_sha256", out var s) && s.Trim().Length > 0 ? $" sha256 {s.Trim()}" : string.Empty;
            string at = row.TryGetValue("source_locator", out var l) && l.Trim().Length > 0 ? $" ({l.Trim()})" : string.Empty;
            string fmt = row.TryGetValue("source_format", out var f) && f.Trim().Length > 0 ? $"{f.Trim()}: " : string.Empty;
            string line = $"{fmt}{path.Trim()}{at}{sha}";
            if (!parts.Any(x => x.Contains(path.Trim(), StringComparison.Ordinal)))
            {
                parts.Add(line);
            }
            else
            {
                parts.Add($"{path.Trim()}{at}");
            }
        }

        return parts.Count == 0 ? null : string.Join("; ", parts.Distinct(StringComparer.Ordinal));
    }

    private static string? D(double? v) => v?.ToString("R", CultureInfo.InvariantCulture);

    private static string? I(int? v) => v?.ToString(CultureInfo.InvariantCulture);

    private static string? L(long? v) => v?.ToString(CultureInfo.InvariantCulture);

    private static double Num(string s, string column)
    {
        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && double.IsFinite(d) && d >= 0)
        {
            return d;
        }

        throw Bad(column, s, "a finite number ≥ 0, or empty");
    }

    private static long Long(string s, string column, long min)
    {
        if (long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) && l >= min)
        {
            return l;
        }

        throw Bad(column, s, $"a whole number ≥ {min}, or empty");
    }

    private static FormatException Bad(string column, string value, string allowed) =>
        new($"{column} is '{value}'; allowed: {allowed}");

    private sealed record Column(string Name, Func<BenchmarkPoint, string?> Get, Func<BenchmarkPoint, string, BenchmarkPoint>? Set);
}
