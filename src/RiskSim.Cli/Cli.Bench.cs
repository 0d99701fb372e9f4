using System.CommandLine;
using System.Globalization;
using System.Text;
using RiskSim.Bench;
using RiskSim.Reporting;

namespace RiskSim.Cli;

/// <summary><c>risksim bench</c>: benchmark result files in.</summary>
public static partial class Cli
{
    private static Command BenchCommand(TextWriter output, TextWriter errors, IChartRenderer? charts)
    {
        var bench = new Command("bench", "Read LLM-serving benchmark results (vLLM, SGLang, AIPerf, GenAI-Perf, GuideLLM, LLMPerf, MLPerf, InferenceX, trtllm-bench) into normalized operating points.");
        bench.Subcommands.Add(BenchImportCommand(output, errors));
        bench.Subcommands.Add(BenchFrontierCommand(output, errors, charts));
        return bench;
    }

    private static Command BenchImportCommand(TextWriter output, TextWriter errors)
    {
        var inputs = new Argument<string[]>("inputs") { Description = "Result files or folders (folders are read recursively; files of no known format there are skipped).", Arity = ArgumentArity.OneOrMore };
        var gpus = new Option<int?>("--gpus") { Description = "GPUs that served the runs, for files that do not record it (vLLM, SGLang, GuideLLM, LLMPerf, AIPerf without telemetry). Needed for per-GPU figures; a file's own count wins." };
        var format = new Option<string>("--format") { Description = $"auto (detect from the content) or a tool: {string.Join(", ", BenchmarkTools.All)} (or a format name of one, e.g. aiperf-jsonl).", DefaultValueFactory = _ => "auto", HelpName = "auto|tool" };
        format.AcceptOnlyFromAmong([.. BenchmarkImporter.FormatChoices]);
        var formatOut = new Option<string>("--format-out") { Description = "table, json, or csv (RiskSim's normalized points table, readable back as input).", DefaultValueFactory = _ => "table" };
        formatOut.AcceptOnlyFromAmong("table", "json", "csv");
        var outFile = new Option<string?>("--out") { Description = "Write the output to this file (atomically) instead of the console." };
        var cmd = new Command("import", "One normalized record per measured point, with its source file, row and SHA-256, and the tool detected. Rejected runs (all requests failed) and warnings go to stderr. Exit 2 on unreadable or unknown input, or when no usable point remains.")
        {
            inputs, gpus, format, formatOut, outFile,
        };
        cmd.SetAction(r =>
        {
            var result = BenchmarkImporter.Import(r.GetValue(inputs)!, new BenchmarkImportOptions
            {
                Gpus = r.GetValue(gpus),
                Format = r.GetValue(format) ?? "auto",
            });
            WriteDiagnostics(result.Diagnostics, errors);

            if (result.HasErrors)
            {
                errors.WriteLine($"{result.Errors.Count()} error(s); nothing written.");
                return ExitCodes.BadInput;
            }

            if (result.Points.Count == 0)
            {
                errors.WriteLine("error: no usable benchmark point in the input (see the rejected runs above); nothing written.");
                return ExitCodes.BadInput;
            }

            string text = r.GetValue(formatOut) switch
            {
                "json" => BenchmarkJson.Write(result),
                "csv" => BenchmarkCsv.ToCsv(result.Points),
                _ => BenchTable(result.Points),
            };
            if (r.GetValue(outFile) is string path)
            {
                WriteFileAtomically(path, text);
                errors.WriteLine($"{result.Points.Count} point(s) written to {path}");
            }
            else
            {
                output.Write(text);
            }

            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>
    /// Diagnostics to stderr. The same message for several records of one file is one line listing them; the same
    /// message for several files (e.g. the GPU count taken from each name of a sweep) is one line naming the files.
    /// </summary>
    internal static void WriteDiagnostics(IReadOnlyList<ImportDiagnostic> diagnostics, TextWriter errors)
    {
        foreach (var byMessage in diagnostics.GroupBy(d => (d.Severity, d.Message)))
        {
            var files = byMessage.Select(d => d.Path).Distinct().ToList();
            if (files.Count > 1 && byMessage.Key.Severity is DiagnosticSeverity.Info or DiagnosticSeverity.Warning)
            {
                string kind = byMessage.Key.Severity == DiagnosticSeverity.Warning ? "warning" : "note";
                errors.WriteLine($"{kind}: {files.Count} files ({files[0]} … {Path.GetFileName(files[^1])}): {byMessage.Key.Message}");
                continue;
            }

            foreach (var g in byMessage.GroupBy(d => d.Path))
            {
                var locators = g.Select(d => d.Locator).Where(l => l is not null).Distinct().ToList();
                string? where = locators.Count switch
                {
                    0 => null,
                    <= 4 => string.Join(", ", locators),
                    _ => $"{locators[0]} … {locators[^1]}, {locators.Count} records",
                };
                errors.WriteLine((g.First() with { Locator = where }).ToString());
            }
        }
    }

    /// <summary>Writes a whole file via a temporary sibling moved into place: never half-written.</summary>
    internal static void WriteFileAtomically(string path, string text) => WriteFileAtomically(path, new UTF8Encoding(false).GetBytes(text));

    /// <summary>Writes a whole file via a temporary sibling moved into place (never half-written); returns its full path.</summary>
    internal static string WriteFileAtomically(string path, byte[] bytes)
    {
        string full = Path.GetFullPath(path);
        string dir = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(dir);
        string tmp = Path.Combine(dir, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        try
        {
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, full, overwrite: true);
            return full;
        }
        finally
        {
            if (File.Exists(tmp))
            {
                File.Delete(tmp);
            }
        }
    }

    /// <summary>A fixed-width table of the points: what a reader checks first.</summary>
    internal static string BenchTable(IReadOnlyList<BenchmarkPoint> points)
    {
        string[] head = ["#", "tool", "model", "hardware", "GPUs", "load", "in/out tok", "out tok/s", "out tok/s/GPU", "tok/s/user", "TTFT p50/p99 s", "TPOT p50 ms", "ok/failed", "source"];
        var rows = new List<string[]> { head };
        for (int i = 0; i < points.Count; i++)
        {
            var p = points[i];
            string load = p.Concurrency is double c ? $"conc {N(c)}" : p.RequestRateUnbounded ? "rate inf" : p.RequestRatePerSecond is double rr ? $"{N(rr)} req/s" : p.Scenario ?? "-";
            rows.Add(
            [
                (i + 1).ToString(CultureInfo.InvariantCulture),
                p.Tool,
                Short(p.Model, 36),
                Short(p.Hardware, 20),
                p.GpuCount?.ToString(CultureInfo.InvariantCulture) ?? "?",
                load,
                $"{N(p.MeanInputTokens, "0")}/{N(p.MeanOutputTokens, "0")}",
                N(p.OutputTokensPerSecond),
                N(p.OutputTokensPerSecondPerGpu),
                N(p.TokensPerSecondPerUser),
                $"{N(p.TtftMedianSeconds, "0.000")}/{N(p.TtftP99Seconds, "0.000")}",
                N(p.TpotMedianSeconds * 1000, "0.00"),
                $"{p.CompletedRequests?.ToString(CultureInfo.InvariantCulture) ?? "-"}/{p.FailedRequests?.ToString(CultureInfo.InvariantCulture) ?? "-"}",
                $"{p.Source.Path} ({p.Source.Locator}; {p.Source.Format})",
            ]);
        }

        int[] width = Enumerable.Range(0, head.Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        var sb = new StringBuilder();
        foreach (var r in rows)
        {
            sb.Append(string.Join("  ", r.Select((cell, c) => c == r.Length - 1 ? cell : c is 0 or >= 4 and <= 12 ? cell.PadLeft(width[c]) : cell.PadRight(width[c]))).TrimEnd());
            sb.Append('\n');
        }

        sb.Append("Per-GPU figures need the GPU count ('?': not in the file; pass --gpus N). tok/s/user = 1000 / median TPOT ms. Units: seconds unless stated.\n");
        return sb.ToString();
    }

    private static string N(double? v, string fmt = "0.#") => v is double d ? d.ToString(d >= 100 && fmt == "0.#" ? "0" : fmt, CultureInfo.InvariantCulture) : "-";

    private static string Short(string? s, int max)
    {
        if (string.IsNullOrEmpty(s))
        {
            return "-";
        }

        return s.Length <= max ? s : s[..((max / 2) - 1)] + "…" + s[^((max / 2) - 1)..];
    }
}
