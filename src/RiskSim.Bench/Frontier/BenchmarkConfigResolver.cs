using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using RiskSim.Core.Benchmarks;
using RiskSim.Core.Configuration;

namespace RiskSim.Bench;

/// <summary>A config with its benchmark-filled operating point.</summary>
/// <param name="Json">The config text to load: unchanged when it has no <c>operating_point.from_benchmarks</c>, else with the
/// object replaced by the fields it fills.</param>
/// <param name="Origin">Where the figures came from; null when the config does not start from files.</param>
/// <param name="Overrides">The <c>--set</c> overrides still to apply (those inside <c>from_benchmarks</c> were applied here).</param>
public sealed record ResolvedConfig(string Json, BenchmarkOrigin? Origin, IReadOnlyList<string> Overrides);

/// <summary>
/// The pre-load step for configs that start from benchmark files (<c>operating_point.from_benchmarks</c>): reads the
/// files, builds the frontier, picks the SLA point and writes the operating-point fields into the config before
/// <see cref="ConfigLoader"/> validates it. Reads files (so it lives outside RiskSim.Core); thread-safe.
/// </summary>
/// <remarks>
/// A field the files fill that is also typed by hand is an error naming it: the operating point comes from one place.
/// A <c>--set</c> on such a field is a deliberate what-if and wins; the report marks the figure as overridden.
/// </remarks>
public static class BenchmarkConfigResolver
{
    private const string Prefix = FromBenchmarksSchema.Path;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly JsonDocumentOptions DocOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, AllowDuplicateProperties = false };
    private static readonly string[] ScaledKeys = ["min", "mode", "max", "mean", "sd", "median", "value"];

    /// <summary>Resolves <paramref name="json"/> read from <paramref name="configPath"/>.</summary>
    /// <param name="json">The config text.</param>
    /// <param name="configPath">The config file; benchmark paths are relative to its folder.</param>
    /// <param name="overrides">The CLI's <c>--set path=value</c> overrides.</param>
    /// <exception cref="ConfigException">Every problem found, with its JSON path.</exception>
    public static ResolvedConfig Resolve(string json, string configPath, IReadOnlyList<string>? overrides = null)
    {
        overrides ??= [];
        JsonObject? root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: DocOptions) as JsonObject;
        }
        catch (JsonException)
        {
            root = null; // the loader reports it (a duplicate key too), with line and byte
        }

        var inner = overrides.Where(o => o.TrimStart().StartsWith(Prefix + ".", StringComparison.Ordinal)).ToList();
        var rest = overrides.Except(inner).ToList();
        if (root?["operating_point"] is not JsonObject op || op["from_benchmarks"] is not JsonNode fbNode)
        {
            return new ResolvedConfig(json, null, overrides);
        }

        var errors = new List<ConfigError>();
        if (fbNode is not JsonObject fb)
        {
            throw new ConfigException(configPath, [new ConfigError(Prefix, "must be an object", Show(fbNode), "{ \"files\": [...], \"sla\": \"...\" }")]);
        }

        fb = (JsonObject)fb.DeepClone();
        foreach (var o in inner)
        {
            ApplyOverride(fb, o, errors);
        }

        var spec = ReadSettings(fb, errors);
        if (errors.Count > 0 || spec is null)
        {
            throw new ConfigException(configPath, errors);
        }

        // Read the files.
        string baseDir = Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? ".";
        var paths = new List<string>();
        for (int i = 0; i < spec.Files.Length; i++)
        {
            string full = Path.GetFullPath(Path.Combine(baseDir, spec.Files[i]));
            if (!File.Exists(full) && !Directory.Exists(full))
            {
                errors.Add(new ConfigError($"{Prefix}.files[{i}]", "file or folder not found (paths are relative to the config file)", spec.Files[i], full));
            }

            paths.Add(full);
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(configPath, errors);
        }

        var import = BenchmarkImporter.Import(paths, new BenchmarkImportOptions
        {
            Gpus = spec.Gpus,
            GpusSource = GpuCountSource.Config,
            RequireGpuCount = true,
            GpusHint = $"give {Prefix}.gpus",
        });
        string Rel(string p) => Path.GetRelativePath(baseDir, p).Replace('\\', '/');
        foreach (var d in import.Errors)
        {
            errors.Add(new ConfigError($"{Prefix}.files", $"{Rel(d.Path)}{(d.Locator is null ? "" : $" ({d.Locator})")}: {d.Message}", "", ""));
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(configPath, errors);
        }

        var points = import.Points.Select(p => p with { Source = p.Source with { Path = Rel(p.Source.Path) } }).ToList();
        var set = BenchmarkFrontier.Build(points, spec.Sla, [], spec.Filter);
        if (set.Errors.Length > 0)
        {
            throw new ConfigException(configPath, [.. set.Errors.Select(e => new ConfigError(spec.Filter.IsEmpty ? $"{Prefix}.files" : $"{Prefix}.filter", e, "", ""))]);
        }

        var group = set.Groups[0];
        var result = group.Result;
        if (result.Choice is not { } choice)
        {
            throw new ConfigException(configPath, [new ConfigError($"{Prefix}.sla", result.Miss!.Text, spec.Sla.Text, "an SLA some measured point (or a point between two on the frontier) meets")]);
        }

        var warnings = new List<string>(group.Warnings);
        warnings.AddRange(import.Diagnostics
            .Where(d => d.Severity is DiagnosticSeverity.Warning or DiagnosticSeverity.Rejected && !group.Warnings.Any(w => w.EndsWith(d.Message, StringComparison.Ordinal)))
            .GroupBy(d => d.Message, StringComparer.Ordinal)
            .Select(g => g.Count() == 1 ? $"{Rel(g.First().Path)}{(g.First().Locator is null ? "" : $" {g.First().Locator}")}: {g.Key}" : $"{g.Count()} runs in {string.Join(", ", g.Select(d => Rel(d.Path)).Distinct())}: {g.Key}"));

        // The fields the files fill, and how each was obtained.
        var p = choice.Point;
        string at = choice.Interpolated ? $"interpolated {p.Id}" : $"measured at {p.Name}";
        var figures = new List<(string Field, JsonNode Value, double Base, string Unit, string From)>();
        var (throughput, spreadText) = Spread(choice, spec.Spread, errors);
        if (throughput is not null)
        {
            figures.Add(("output_tokens_per_s_per_gpu", throughput, p.OutputTokensPerSPerGpu, "tok/s/GPU", $"{at}; {spreadText}"));
        }

        figures.Add(("tokens_per_s_per_user", JsonValue.Create(p.TokensPerSPerUser), p.TokensPerSPerUser, "tok/s/user", $"{at}; {First(group, choice)?.TokensPerSecondPerUserBasis ?? "1000 / median TPOT ms"}"));
        if (p.InputTokensPerRequest is { } isl)
        {
            figures.Add(("input_tokens_per_request", JsonValue.Create(isl), isl, "tokens", $"{at}; mean prompt tokens per completed request"));
        }

        if (p.OutputTokensPerRequest is { } osl)
        {
            figures.Add(("output_tokens_per_request", JsonValue.Create(osl), osl, "tokens", $"{at}; mean generated tokens per completed request"));
        }

        if (p.Value("ttft_p50_s") is { } ttft)
        {
            string p99 = p.Value("ttft_p99_s") is { } t99 ? $", p99 {t99.ToString("G4", Inv)} s" : "";
            string n = p.LatencySampleSize is { } ns ? $", from {ns.ToString("#,0", Inv)} requests" : "";
            figures.Add(("ttft_s", JsonValue.Create(ttft), ttft, "s", $"{at}; median TTFT{p99}{n}"));
        }

        if (p.JoulesPerOutputToken is { } joules)
        {
            string configBoundary = (root["cost"] as JsonObject)?["energy_boundary"]?.GetValue<string>() ?? "accelerator";
            string measured = BoundaryOf(p.EnergyBoundary);
            if ((root["cost"] as JsonObject)?["gpu_power_active_w"] is not null)
            {
                warnings.Add($"the files measure {joules.ToString("G4", Inv)} J per output token ({p.EnergyBoundary}), not used: the config gives cost.gpu_power_active_w");
            }
            else if (measured != configBoundary)
            {
                warnings.Add($"the files measure {joules.ToString("G4", Inv)} J per output token at the {measured} boundary ({p.EnergyBoundary}), not used: cost.energy_boundary is \"{configBoundary}\"; set it to \"{measured}\" to use the measurement");
            }
            else
            {
                figures.Add(("joules_per_output_token", JsonValue.Create(joules), joules, "J/token", $"{at}; energy boundary: {p.EnergyBoundary}"));
            }
        }

        foreach (var f in figures.Where(f => op[f.Field] is not null))
        {
            errors.Add(new ConfigError($"operating_point.{f.Field}", $"given both by hand and by {Prefix} (the files give {f.Base.ToString("G6", Inv)} {f.Unit}, {f.From.Split(';')[0]}); remove the hand-typed value, or drop from_benchmarks to type the whole operating point (a --set overrides either for a what-if)", Show(op[f.Field]), "one source per field"));
        }

        if (errors.Count > 0)
        {
            throw new ConfigException(configPath, errors);
        }

        // Write the resolved operating point.
        var resolved = (JsonObject)root.DeepClone();
        var rop = (JsonObject)resolved["operating_point"]!;
        rop.Remove("from_benchmarks");
        foreach (var f in figures)
        {
            rop[f.Field] = f.Value.DeepClone();
        }

        var files = import.Points.Select(x => x.Source).GroupBy(s => s.Path, StringComparer.Ordinal)
            .Select(g => new BenchmarkFile(Rel(g.Key), g.First().Sha256, g.First().Format, group.Members.Sum(m => m.Count(b => b.Source.Path == Rel(g.Key)))))
            .ToImmutableArray();
        string gpus = string.Join("; ", group.Members.SelectMany(m => m).GroupBy(b => b.GpuCountSource)
            .Select(g => $"{string.Join(", ", g.Select(b => b.GpuCount).Distinct().Order())} ({(g.Key == GpuCountSource.File ? "from the files" : $"{Prefix}.gpus")})"));
        string source = $"Measured: {group.Group}; {result.Points.Length} point{(result.Points.Length == 1 ? "" : "s")} from {files.Length} file{(files.Length == 1 ? "" : "s")} ({string.Join(", ", files.Select(f => f.Path))}), {gpus} GPUs per point. SLA {spec.Sla.Text}: {(choice.Interpolated ? "interpolated" : "measured")} {p.OutputTokensPerSPerGpu.ToString("#,0.#", Inv)} output tok/s per GPU at {p.TokensPerSPerUser.ToString("0.##", Inv)} tok/s per user; {choice.BindingText}.";
        if (rop["source"] is null)
        {
            rop["source"] = source;
        }

        var figureList = figures.Select(f =>
        {
            string? overridden = rest.FirstOrDefault(o => o.Split('=')[0].Trim() == $"operating_point.{f.Field}");
            return new OperatingPointFigure($"operating_point.{f.Field}", f.Base, f.Unit, f.From, overridden is null ? null : $"--set {overridden}");
        }).ToImmutableArray();
        var origin = new BenchmarkOrigin(files, group.Group, gpus, result, figureList, spreadText, [.. warnings.Distinct(StringComparer.Ordinal)]);
        return new ResolvedConfig(resolved.ToJsonString(), origin, rest);
    }

    private sealed record Settings(ImmutableArray<string> Files, Sla Sla, int? Gpus, BenchmarkFilter Filter, JsonNode? Spread);

    private static Settings? ReadSettings(JsonObject fb, List<ConfigError> errors)
    {
        string[] allowed = [.. FromBenchmarksSchema.Keys.Select(k => k.Name)];
        foreach (var (k, v) in fb)
        {
            if (!allowed.Contains(k))
            {
                errors.Add(new ConfigError($"{Prefix}.{k}", "unknown key", Show(v), string.Join(", ", allowed)));
            }
        }

        var files = new List<string>();
        if (fb["files"] is JsonArray fa && fa.Count > 0)
        {
            for (int i = 0; i < fa.Count; i++)
            {
                if (Str(fa[i]) is { Length: > 0 } s)
                {
                    files.Add(s);
                }
                else
                {
                    errors.Add(new ConfigError($"{Prefix}.files[{i}]", "expected a path (string)", Show(fa[i]), "a file or folder relative to the config"));
                }
            }
        }
        else if (Str(fb["files"]) is { Length: > 0 } one)
        {
            files.Add(one);
        }
        else
        {
            errors.Add(new ConfigError($"{Prefix}.files", fb["files"] is null ? "required" : "expected a non-empty list of paths", Show(fb["files"]), "[\"benchmarks/run.csv\", …] relative to the config"));
        }

        Sla? sla = null;
        var slaParts = fb["sla"] is JsonArray sa ? sa.Select(Str).ToList() : [Str(fb["sla"])];
        if (fb["sla"] is null || slaParts.Any(s => s is null))
        {
            errors.Add(new ConfigError($"{Prefix}.sla", fb["sla"] is null ? "required" : "expected a string or a list of strings", Show(fb["sla"]), $"e.g. \"{Sla.Example}\"; metrics: {Sla.Allowed}"));
        }
        else
        {
            var (parsed, slaErrors) = Sla.TryParse(slaParts!);
            sla = parsed;
            errors.AddRange(slaErrors.Select(e => new ConfigError($"{Prefix}.sla", e, "", "")));
        }

        int? gpus = null;
        if (fb["gpus"] is JsonNode g)
        {
            if (g is JsonValue gv && gv.TryGetValue(out double d) && d == Math.Floor(d) && d >= 1 && d <= 100_000)
            {
                gpus = (int)d;
            }
            else
            {
                errors.Add(new ConfigError($"{Prefix}.gpus", "expected a whole number of GPUs", Show(g), "a whole number in [1, 100000]"));
            }
        }

        var filter = new BenchmarkFilter();
        if (fb["filter"] is JsonNode fnode)
        {
            if (fnode is not JsonObject fo)
            {
                errors.Add(new ConfigError($"{Prefix}.filter", "must be an object", Show(fnode), "{ \"hardware\": \"…\", \"model\": \"…\", \"tool\": \"…\" }"));
            }
            else
            {
                foreach (var (k, v) in fo)
                {
                    if (!FromBenchmarksSchema.FilterKeys.Contains(k))
                    {
                        errors.Add(new ConfigError($"{Prefix}.filter.{k}", "unknown filter key", Show(v), string.Join(", ", FromBenchmarksSchema.FilterKeys)));
                    }
                    else if (Str(v) is not { Length: > 0 })
                    {
                        errors.Add(new ConfigError($"{Prefix}.filter.{k}", "expected a non-empty string", Show(v), "text the field must contain (case-insensitive)"));
                    }
                }

                filter = new BenchmarkFilter(Str(fo["hardware"]), Str(fo["model"]), Str(fo["tool"]));
            }
        }

        var spread = fb["spread"];
        if (spread is not null && !(Str(spread) is "runs" or "fixed") && spread is not JsonObject)
        {
            errors.Add(new ConfigError($"{Prefix}.spread", "unknown spread", Show(spread), "\"runs\", \"fixed\", or a distribution object of a multiplier, e.g. {\"dist\": \"pert\", \"min\": 0.85, \"mode\": 1, \"max\": 1.05}"));
        }
        else if (spread is JsonObject so)
        {
            if (Str(so["dist"]) is null)
            {
                errors.Add(new ConfigError($"{Prefix}.spread.dist", "a spread distribution needs \"dist\"", Show(so["dist"]), "pert, triangular, uniform, normal, lognormal, beta, discrete, fixed"));
            }

            foreach (var k in ScaledKeys.Where(k => so[k] is JsonNode n && !(n is JsonValue nv && nv.TryGetValue(out double _))))
            {
                errors.Add(new ConfigError($"{Prefix}.spread.{k}", "expected a number (a multiplier of the measured throughput)", Show(so[k]), "a number, e.g. 0.9"));
            }
        }

        return errors.Count > 0 || sla is null ? null : new Settings([.. files], sla, gpus, filter, spread);
    }

    /// <summary>The throughput field's JSON (a number or a distribution object) and how its spread was set.</summary>
    private static (JsonNode? Value, string Text) Spread(FrontierChoice choice, JsonNode? spread, List<ConfigError> errors)
    {
        var p = choice.Point;
        double t = p.OutputTokensPerSPerGpu;

        // Runs behind the point: its own, or, interpolated, both ends' runs as ratios to their own mean, scaled to t.
        var ends = choice.Interpolated ? new[] { choice.From!, choice.To! } : [p];
        var ratios = ends.Where(e => e.Runs >= 2).SelectMany(e => e.RunOutputTokensPerSPerGpu.Select(r => r / e.OutputTokensPerSPerGpu)).ToList();
        string runsWhere = string.Join(" and ", ends.Select(e => $"{e.Runs} run{(e.Runs == 1 ? "" : "s")} at {e.Name}"));
        string? mode = Str(spread);
        if (spread is null)
        {
            if (ratios.Count >= 3)
            {
                mode = "runs";
            }
            else
            {
                errors.Add(new ConfigError($"{Prefix}.spread", $"the chosen point has too few repeated runs for an empirical spread ({runsWhere}; at least 3 are needed), so the config must state the spread of the measured throughput", "", "\"fixed\" (the measured value as is), or a multiplier distribution, e.g. {\"dist\": \"pert\", \"min\": 0.85, \"mode\": 1, \"max\": 1.05}"));
                return (null, "");
            }
        }

        if (mode == "runs")
        {
            if (ratios.Count < 3)
            {
                errors.Add(new ConfigError($"{Prefix}.spread", $"\"runs\" needs at least 3 repeated runs behind the chosen point; it has {runsWhere}", "\"runs\"", "\"fixed\", or a multiplier distribution"));
                return (null, "");
            }

            var values = new JsonArray([.. ratios.Select(r => (JsonNode)JsonValue.Create(r * t))]);
            string how = choice.Interpolated
                ? $"empirical: a discrete distribution over {ratios.Count} repeated runs ({runsWhere}), each run's throughput as a ratio to its point's mean, times the interpolated {t.ToString("#,0.#", Inv)}"
                : $"empirical: a discrete distribution over the {ratios.Count} repeated runs at this point (equal weights)";
            return (new JsonObject { ["dist"] = "discrete", ["values"] = values }, how);
        }

        if (mode == "fixed")
        {
            return (JsonValue.Create(t), $"fixed at the measured value (the config says \"spread\": \"fixed\"; {runsWhere})");
        }

        // A multiplier distribution: scale its location and scale parameters by t.
        var d = (JsonObject)spread!.DeepClone();
        foreach (var k in ScaledKeys)
        {
            if (d[k] is JsonValue v && v.TryGetValue(out double x))
            {
                d[k] = x * t;
            }
        }

        if (d["values"] is JsonArray va)
        {
            d["values"] = new JsonArray([.. va.Select(v => v is JsonValue jv && jv.TryGetValue(out double x) ? (JsonNode)JsonValue.Create(x * t) : v?.DeepClone())]);
        }

        return (d, $"stated in the config: {spread.ToJsonString()} times the measured {t.ToString("#,0.#", Inv)} ({runsWhere})");
    }

    private static BenchmarkPoint? First(BenchmarkFrontierGroup g, FrontierChoice c) =>
        c.MeasuredIndex is { } i ? g.Members[i][0] : c.From is { } f ? g.Members[g.Result.Points.IndexOf(f)][0] : null;

    /// <summary>The config boundary a measured energy figure belongs to: whole-system wall power is "it", board or GPU power "accelerator".</summary>
    internal static string BoundaryOf(string? measured)
    {
        string m = (measured ?? "").ToLowerInvariant();
        return m.Contains("system", StringComparison.Ordinal) || m.Contains("wall", StringComparison.Ordinal) || m.Contains("node", StringComparison.Ordinal) ? "it"
            : m.Contains("facility", StringComparison.Ordinal) ? "facility"
            : "accelerator";
    }

    private static void ApplyOverride(JsonObject fb, string assignment, List<ConfigError> errors)
    {
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        string path = assignment[..eq].Trim();
        string raw = assignment[(eq + 1)..].Trim();
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            value = JsonValue.Create(raw);
        }

        string[] parts = path[(Prefix.Length + 1)..].Split('.');
        JsonObject cur = fb;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (cur[parts[i]] is JsonObject next)
            {
                cur = next;
            }
            else if (cur[parts[i]] is null)
            {
                var created = new JsonObject();
                cur[parts[i]] = created;
                cur = created;
            }
            else
            {
                errors.Add(new ConfigError(path, "cannot override inside a value that is not an object", assignment, $"a dotted path such as {Prefix}.sla"));
                return;
            }
        }

        cur[parts[^1]] = value;
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string Show(JsonNode? n) => n is null ? "null" : n.ToJsonString() is { Length: > 60 } s ? s[..57] + "..." : n.ToJsonString();
}
