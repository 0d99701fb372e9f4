using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using RiskSim.Bench;
using RiskSim.Core.Benchmarks;
using RiskSim.Reporting;

namespace RiskSim.Cli;

/// <summary><c>risksim bench frontier</c>: the Pareto frontier of benchmark points and the point that meets an SLA.</summary>
public static partial class Cli
{
    private static Command BenchFrontierCommand(TextWriter output, TextWriter errors, IChartRenderer? charts)
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Result files or folders (any format 'risksim bench import' reads).", Arity = ArgumentArity.OneOrMore };
        var sla = new Option<string>("--sla") { Description = $"The SLA: comma-separated constraints metric>=N or metric<=N, e.g. \"{Sla.Example}\". Metrics: {Sla.Allowed}.", Required = true };
        var gpus = new Option<int?>("--gpus") { Description = "GPUs that served each run, for files that do not record it (a file's own count wins). Per-GPU throughput needs it." };
        var groupBy = new Option<string?>("--group-by") { Description = $"Build one frontier per group: comma-separated keys of {string.Join(", ", FrontierGroupKeys.All)} (e.g. hardware,model). Without it, mixed models or hardware are an error." };
        var filter = new Option<string?>("--filter") { Description = "Keep only points whose hardware, model or tool contains the text (case-insensitive), e.g. hardware=b200,model=gpt-oss." };
        var format = new Option<string>("--format") { Description = "Input format: auto (detect from the content) or a tool/format name.", DefaultValueFactory = _ => "auto" };
        var chart = new Option<string?>("--chart") { Description = "Write the frontier chart to this .png or .svg file (with groups: one file per group, the group's name appended)." };
        var formatOut = new Option<string>("--format-out") { Description = "table or json.", DefaultValueFactory = _ => "table" };
        formatOut.AcceptOnlyFromAmong("table", "json");
        var cmd = new Command("frontier", "The Pareto frontier of output tok/s per GPU against tok/s per user, and the point that meets the SLA with the most throughput per GPU: interpolated linearly between adjacent frontier points (TTFT and the other figures with the same weight, and checked), never beyond them; says which constraint binds. Exit 2 when no point meets the SLA (naming the closest point and its misses) or the input is bad.")
        {
            inputs, sla, gpus, groupBy, filter, format, chart, formatOut,
        };
        cmd.SetAction(r =>
        {
            var (parsed, slaErrors) = Sla.TryParse(r.GetValue(sla));
            if (parsed is null)
            {
                throw new UsageException("--sla: " + string.Join("; ", slaErrors));
            }

            string? chartPath = r.GetValue(chart);
            if (chartPath is not null && !(chartPath.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || chartPath.EndsWith(".svg", StringComparison.OrdinalIgnoreCase)))
            {
                throw new UsageException($"--chart must name a .png or .svg file (got {chartPath})");
            }

            if (r.GetValue(gpus) is { } g && (g < 1 || g > 100_000))
            {
                throw new UsageException($"--gpus must be a whole number in [1, 100000] (got {g})");
            }

            var pointFilter = ParseFilter(r.GetValue(filter));
            var keys = (r.GetValue(groupBy) ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(k => k.ToLowerInvariant()).ToList();
            var import = BenchmarkImporter.Import(r.GetValue(inputs)!, new BenchmarkImportOptions
            {
                Gpus = r.GetValue(gpus),
                Format = r.GetValue(format) ?? "auto",
                RequireGpuCount = true,
                GpusHint = "pass --gpus N",
            });
            foreach (var d in import.Diagnostics)
            {
                errors.WriteLine(d.ToString());
            }

            if (import.HasErrors)
            {
                errors.WriteLine($"{import.Errors.Count()} error(s); no frontier built.");
                return ExitCodes.BadInput;
            }

            // Short names in the tables: paths relative to the folder the inputs share.
            string common = CommonFolder(import.Points.Select(p => p.Source.Path));
            var points = import.Points.Select(p => p with { Source = p.Source with { Path = common.Length == 0 ? p.Source.Path : Path.GetRelativePath(common, p.Source.Path) } }).ToList();
            if (common.Length > 0)
            {
                errors.WriteLine($"files under {common}");
            }

            var set = BenchmarkFrontier.Build(points, parsed, keys, pointFilter);
            if (set.Errors.Length > 0)
            {
                foreach (var e in set.Errors)
                {
                    errors.WriteLine($"error: {e}");
                }

                return ExitCodes.BadInput;
            }

            output.Write(r.GetValue(formatOut) == "json" ? FrontierJson(set, parsed) : FrontierTable(set, parsed));
            if (chartPath is not null)
            {
                foreach (var file in WriteFrontierCharts(set, chartPath, charts))
                {
                    errors.WriteLine($"chart: {file}");
                }
            }

            var missed = set.Groups.Where(x => x.Result.Choice is null).ToList();
            foreach (var m in missed)
            {
                errors.WriteLine($"error: {(set.Groups.Length > 1 ? m.Group + ": " : "")}{m.Result.Miss!.Text}");
            }

            return missed.Count > 0 ? ExitCodes.BadInput : ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>Parses --filter key=text,key=text (keys hardware, model, tool).</summary>
    private static BenchmarkFilter ParseFilter(string? text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var part in (text ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = eq > 0 ? part[..eq].Trim().ToLowerInvariant() : "";
            if (eq <= 0 || part[(eq + 1)..].Trim().Length == 0 || !RiskSim.Core.Configuration.FromBenchmarksSchema.FilterKeys.Contains(key))
            {
                throw new UsageException($"--filter: '{part}' is not key=text with key one of {string.Join(", ", RiskSim.Core.Configuration.FromBenchmarksSchema.FilterKeys)} (e.g. --filter hardware=b200,model=gpt-oss)");
            }

            values[key] = part[(eq + 1)..].Trim();
        }

        return new BenchmarkFilter(values.GetValueOrDefault("hardware"), values.GetValueOrDefault("model"), values.GetValueOrDefault("tool"));
    }

    /// <summary>The deepest folder containing every path ("" when they share none, or there is only one file).</summary>
    private static string CommonFolder(IEnumerable<string> paths)
    {
        var dirs = paths.Select(p => Path.GetDirectoryName(Path.GetFullPath(p)) ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (dirs.Count == 0)
        {
            return "";
        }

        string common = dirs[0];
        foreach (var d in dirs.Skip(1))
        {
            while (common.Length > 0 && !(d == common || d.StartsWith(common.TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar, StringComparison.Ordinal)))
            {
                common = Path.GetDirectoryName(common) ?? "";
            }
        }

        return common;
    }

    private static List<string> WriteFrontierCharts(BenchmarkFrontierSet set, string chartPath, IChartRenderer? charts)
    {
        var written = new List<string>();
        if (charts is null)
        {
            return written;
        }

        string ext = Path.GetExtension(chartPath);
        string stemPath = chartPath[..^ext.Length];
        foreach (var g in set.Groups)
        {
            string target = set.Groups.Length == 1 ? chartPath : $"{stemPath}-{SafeName(g.Group.Replace(' ', '-'))}{ext}";
            var data = FrontierChartData.From(g.Result, $"{g.Group}: output tok/s per GPU vs tok/s per user");
            bool svg = target.EndsWith(".svg", StringComparison.OrdinalIgnoreCase);
            written.Add(WriteFileAtomically(target, charts.RenderFrontier(data, svg).Bytes));
        }

        return written;
    }

    private static string FrontierTable(BenchmarkFrontierSet set, Sla sla)
    {
        var sb = new StringBuilder();
        foreach (var g in set.Groups)
        {
            var res = g.Result;
            var onFrontier = res.FrontierIndices.ToHashSet();
            sb.Append($"Frontier of {g.Group}: {res.Points.Length} point{(res.Points.Length == 1 ? "" : "s")}, {res.FrontierIndices.Length} on the Pareto frontier. SLA {sla.Text}.\n");
            var rows = new List<string[]> { new[] { "", "point", "load", "tok/s/user", "out tok/s/GPU", "TTFT p50 s", "TTFT p99 s", "TPOT p50 ms", "runs", "requests", "SLA" } };
            foreach (int i in Enumerable.Range(0, res.Points.Length).OrderBy(i => res.Points[i].TokensPerSPerUser))
            {
                var p = res.Points[i];
                rows.Add(
                [
                    onFrontier.Contains(i) ? "F" : "",
                    p.Id,
                    p.Label,
                    F(p.TokensPerSPerUser),
                    F(p.OutputTokensPerSPerGpu),
                    F(p.Value("ttft_p50_s")),
                    F(p.Value("ttft_p99_s")),
                    F(p.Value("tpot_p50_ms")),
                    p.Runs.ToString(CultureInfo.InvariantCulture),
                    p.LatencySampleSize is { } n ? n.ToString("#,0", CultureInfo.InvariantCulture) : "-",
                    res.MeetsSla[i] ? "meets" : "breaks " + string.Join(", ", sla.Constraints.Where(c => !(p.Value(c.Metric.Key) is { } v && c.IsMet(v))).Select(c => c.Metric.Key)),
                ]);
            }

            int[] widths = [.. Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(row => row[c].Length))];
            foreach (var row in rows)
            {
                sb.Append("  ").Append(string.Join("  ", row.Select((cell, c) => c is >= 3 and <= 9 ? cell.PadLeft(widths[c]) : cell.PadRight(widths[c]))).TrimEnd()).Append('\n');
            }

            sb.Append("  requests: latency percentiles computed from a per-request file's requests (sample size); '-': the tool's own percentiles.\n");
            sb.Append("  F = on the frontier. Interpolation: linear in (tok/s per user, output tok/s per GPU) between adjacent frontier points, latencies and tokens per request with the same weight; never beyond the measured points.\n");
            if (res.Choice is { } c)
            {
                var p = c.Point;
                sb.Append($"Chosen: {F(p.OutputTokensPerSPerGpu)} output tok/s per GPU at {F(p.TokensPerSPerUser)} tok/s per user, {(c.Interpolated ? "interpolated " + p.Id : "measured at " + p.Name)}");
                var lat = new[] { "ttft_p50_s", "ttft_p99_s", "tpot_p50_ms" }.Where(k => p.Value(k) is not null).Select(k => $"{k} {F(p.Value(k))}").ToList();
                sb.Append(lat.Count > 0 ? $" ({string.Join(", ", lat)}{(p.LatencySampleSize is { } n ? $"; latencies from {n:#,0} requests" : "")})" : "").Append(".\n");
                sb.Append($"Binding: {c.BindingText}.\n");
            }
            else
            {
                sb.Append($"No point meets the SLA: {res.Miss!.Text}.\n");
            }

            foreach (var w in g.Warnings)
            {
                sb.Append($"warning: {w}\n");
            }

            sb.Append('\n');
        }

        return sb.ToString();
    }

    private static string FrontierJson(BenchmarkFrontierSet set, Sla sla) => Fmt.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "benchmark_frontier");
        w.WriteString("sla", sla.Text);
        w.WriteString("interpolation", "linear in (tokens_per_s_per_user, output_tokens_per_s_per_gpu) between adjacent frontier points; every other figure with the same weight; never beyond the measured points");
        w.WriteStartArray("groups");
        foreach (var g in set.Groups)
        {
            var res = g.Result;
            w.WriteStartObject();
            w.WriteString("group", g.Group);
            w.WriteStartArray("points");
            for (int i = 0; i < res.Points.Length; i++)
            {
                w.WriteStartObject();
                WritePoint(w, res.Points[i]);
                w.WriteBoolean("on_frontier", res.FrontierIndices.Contains(i));
                w.WriteBoolean("meets_sla", res.MeetsSla[i]);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (res.Choice is { } c)
            {
                w.WriteStartObject("chosen");
                WritePoint(w, c.Point);
                w.WriteBoolean("interpolated", c.Interpolated);
                if (c.Interpolated)
                {
                    w.WriteString("from", c.From!.Name);
                    w.WriteString("to", c.To!.Name);
                    w.WriteNumber("weight", c.Weight);
                }

                w.WriteStartArray("binding");
                foreach (var b in c.Binding)
                {
                    w.WriteStringValue(b.Text);
                }

                w.WriteEndArray();
                w.WriteString("binding_text", c.BindingText);
                w.WriteEndObject();
            }
            else
            {
                w.WriteNull("chosen");
                w.WriteStartObject("miss");
                w.WriteString("closest", res.Miss!.Closest.Name);
                w.WriteString("text", res.Miss.Text);
                w.WriteStartArray("constraints");
                foreach (var m in res.Miss.Misses)
                {
                    w.WriteStartObject();
                    w.WriteString("constraint", m.Constraint.Text);
                    Fmt.NumberOrNull(w, "value", m.Value);
                    Fmt.NumberOrNull(w, "relative_miss", double.IsFinite(m.RelativeMiss) ? m.RelativeMiss : null);
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteStartArray("warnings");
            foreach (var x in g.Warnings)
            {
                w.WriteStringValue(x);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WritePoint(Utf8JsonWriter w, FrontierPoint p)
    {
        w.WriteString("id", p.Id);
        w.WriteString("label", p.Label);
        w.WriteNumber("tokens_per_s_per_user", p.TokensPerSPerUser);
        w.WriteNumber("output_tokens_per_s_per_gpu", p.OutputTokensPerSPerGpu);
        foreach (var m in SlaMetric.All.Where(m => m.Key != SlaMetric.TokensPerSPerUser))
        {
            Fmt.NumberOrNull(w, m.Key, p.Value(m.Key));
        }

        Fmt.NumberOrNull(w, "input_tokens_per_request", p.InputTokensPerRequest);
        Fmt.NumberOrNull(w, "output_tokens_per_request", p.OutputTokensPerRequest);
        Fmt.NumberOrNull(w, "joules_per_output_token", p.JoulesPerOutputToken);
        w.WriteNumber("runs", p.Runs);
        if (p.LatencySampleSize is { } n)
        {
            w.WriteNumber("latency_sample_size", n);
        }

        w.WriteStartArray("sources");
        foreach (var s in p.Sources.IsDefault ? [] : p.Sources)
        {
            w.WriteStartObject();
            w.WriteString("file", s.File);
            w.WriteString("row", s.Row);
            w.WriteString("sha256", s.Sha256);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    }

    private static string F(double? v) => v is not { } x || !double.IsFinite(x) ? "-" : Math.Abs(x) >= 100 ? x.ToString("#,0.0", CultureInfo.InvariantCulture) : x.ToString("0.###", CultureInfo.InvariantCulture);
}
