using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using RiskSim.Core.Distributions;
using RiskSim.Core.Model;
using RiskSim.Core.Spec;
using static RiskSim.Core.Configuration.ConfigJson;

namespace RiskSim.Core.Configuration;

/// <summary>
/// Reads the config's top level (known keys, schema version, name, description) and its sections' fields into typed
/// values: a distribution or number for each model input, whole numbers, choices, text.
/// </summary>
/// <remarks>
/// Each value is checked against its field's definition in <see cref="ConfigSchema"/> (kind, range); every problem is
/// an error with its JSON path. Defaults and derivations are the <see cref="SpecBuilder"/>'s.
/// </remarks>
internal sealed class SectionReader(ConfigReadContext c)
{
    private static readonly ImmutableArray<string> TopLevel =
        ["schema_version", "name", "description", "deployment", "cost", "operating_point", "market", "drivers", "finance", "simulation", "correlations", "correlation_matrix", "correlation_repair", "gates"];

    private readonly DistributionReader _distributions = new(c);

    public ConfigSections Read()
    {
        foreach (var (key, value) in c.Root)
        {
            if (!TopLevel.Contains(key))
            {
                Err(key, "unknown top-level key", Show(value), string.Join(", ", TopLevel));
            }
            else if (value is null)
            {
                Err(key, NullMessage, "null", "a value, or no key at all");
            }
        }

        if (c.Root["schema_version"] is JsonNode sv && !(sv is JsonValue v && v.TryGetValue(out double d) && d == ConfigSchema.SchemaVersion))
        {
            Err("schema_version", "unsupported schema version", Show(sv), ConfigSchema.SchemaVersion.ToString(CultureInfo.InvariantCulture));
        }

        string name = Text("name", required: false) ?? "unnamed";
        if (c.Root["name"] is not null && NameProblem(name) is { } nameProblem)
        {
            Err("name", nameProblem, Show(c.Root["name"]), ConfigSchema.NameAllowedText);
        }

        string description = Text("description", required: false) ?? "";

        var sections = new Dictionary<string, JsonObject>();
        foreach (var (sec, _) in ConfigSchema.Sections)
        {
            var node = c.Root[sec];
            if (node is null)
            {
                if (!c.Root.ContainsKey(sec) && sec is "deployment" or "cost" or "operating_point" or "market" or "drivers" or "finance")
                {
                    Err(sec, "missing section", "", "an object with the fields of `risksim schema`");
                }

                sections[sec] = [];
                continue;
            }

            if (node is not JsonObject so)
            {
                Err(sec, "must be an object", Show(node), "an object");
                sections[sec] = [];
                continue;
            }

            sections[sec] = so;
            var allowed = ConfigSchema.Fields.Where(f => f.Section == sec).Select(f => f.Name).ToList();
            foreach (var (k, val) in so)
            {
                if (!allowed.Contains(k))
                {
                    Err($"{sec}.{k}", "unknown field", Show(val), string.Join(", ", allowed));
                }
                else if (val is null)
                {
                    Err($"{sec}.{k}", NullMessage, "null", ConfigSchema.ByPath[$"{sec}.{k}"].AllowedText + ", or no key at all");
                }
            }
        }

        // Scalar fields
        var values = new Dictionary<string, object?>();
        foreach (var f in ConfigSchema.Fields)
        {
            var node = sections[f.Section][f.Name];
            values[f.Path] = node is null ? null : ReadField(f, node);
        }

        return new ConfigSections(name, description, sections, values);
    }

    /// <summary>Why a config name cannot name a result folder, or null when it can (see <see cref="ConfigSchema.NameAllowedText"/>).</summary>
    internal static string? NameProblem(string name)
    {
        int bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > ConfigSchema.NameMaxBytes)
        {
            return $"too long: {bytes} bytes in UTF-8 (the name becomes a folder name, and compare-A-vs-B folders hold two names, within the file system's 255 bytes)";
        }

        if (!name.Any(char.IsLetterOrDigit))
        {
            return "needs at least one letter or digit (the name becomes a folder name)";
        }

        foreach (var r in name.EnumerateRunes())
        {
            if (Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                || r == Rune.ReplacementChar)
            {
                return $"contains the control, invisible or invalid character U+{r.Value:X4} (names are printed on consoles and in reports)";
            }

            if (r.IsAscii && ConfigSchema.NameForbiddenCharacters.Contains((char)r.Value, StringComparison.Ordinal))
            {
                return $"contains '{r}', which a folder name cannot hold on every system";
            }
        }

        return name.Trim() != name ? "starts or ends with white space" : null;
    }

    private object? ReadField(FieldDef f, JsonNode node)
    {
        switch (f.Kind)
        {
            case FieldKind.Text:
                return Str(node) ?? Bad(f, node, "expected a string");
            case FieldKind.Boolean:
                return node is JsonValue bv && bv.TryGetValue(out bool flag) ? flag : Bad(f, node, "expected true or false");
            case FieldKind.Choice:
                {
                    string? s = Str(node);
                    return s is not null && f.Choices.Contains(s) ? s : Bad(f, node, s is null ? "expected a string" : "unknown value");
                }

            case FieldKind.WholeNumber:
                {
                    double? d = Num(node);
                    if (d is not { } x || x != Math.Floor(x) || x < f.Min || x > f.Max)
                    {
                        return Bad(f, node, d is null ? "expected a whole number" : "out of range");
                    }

                    return x;
                }

            case FieldKind.Nested:
                // Filled before loading by the benchmark resolver (it reads files; the loader does no I/O).
                return Bad(f, node, "benchmark files are read before the config is loaded: load this config with the risksim command (or RiskSim.Bench's BenchmarkConfigResolver), which replaces the object by the operating point it finds");

            case FieldKind.IntegerList:
                {
                    if (node is not JsonArray arr || arr.Count == 0)
                    {
                        return Bad(f, node, "expected a non-empty list of whole numbers");
                    }

                    var b = ImmutableArray.CreateBuilder<int>();
                    foreach (var e in arr)
                    {
                        double? d = Num(e);
                        if (d is not { } x || x != Math.Floor(x) || x < f.Min || x > f.Max)
                        {
                            return Bad(f, node, "every entry must be a whole number in range");
                        }

                        if (!b.Contains((int)x))
                        {
                            b.Add((int)x);
                        }
                    }

                    b.Sort();
                    return b.ToImmutable();
                }

            default:
                if (node is JsonObject o)
                {
                    if (!f.AcceptsDistribution)
                    {
                        return Bad(f, node, "expected a number (this field cannot be uncertain)");
                    }

                    return _distributions.Read(f, o);
                }

                {
                    double? d = Num(node);
                    if (d is not { } x)
                    {
                        return Bad(f, node, "expected a number");
                    }

                    if (!InRange(f, x))
                    {
                        return Bad(f, node, "out of range");
                    }

                    return f.AcceptsDistribution ? new FixedDistribution(x) : x;
                }
        }
    }

    private static bool InRange(FieldDef f, double x) =>
        double.IsFinite(x) && (f.MinExclusive ? x > f.Min : x >= f.Min) && x <= f.Max;

    private object? Bad(FieldDef f, JsonNode node, string message)
    {
        Err(f.Path, message, Show(node), f.AllowedText);
        return null;
    }


    private string? Text(string key, bool required)
    {
        var n = c.Root[key];
        if (n is null)
        {
            if (required)
            {
                Err(key, "required field is missing", "", "a string");
            }

            return null;
        }

        string? s = Str(n);
        if (s is null)
        {
            Err(key, "expected a string", Show(n), "a string");
        }

        return s;
    }


    private void Err(string path, string message, string value, string allowed) => c.Err(path, message, value, allowed);
}

/// <summary>
/// What the <see cref="SectionReader"/> read: the name, the description, each section's JSON object (empty when absent
/// or invalid) and each field's typed value by dotted path (null when absent or invalid).
/// </summary>
internal sealed record ConfigSections(string Name, string Description, IReadOnlyDictionary<string, JsonObject> Sections, IReadOnlyDictionary<string, object?> Values)
{
    /// <summary>A text or choice field's value.</summary>
    public string? Text(string path) => Values[path] as string;

    /// <summary>A number or whole-number field's value.</summary>
    public double? Number(string path) => Values[path] is double d ? d : null;

    /// <summary>A model input's value (a number is a fixed distribution).</summary>
    public Distribution? Input(string path) => Values[path] as Distribution;

    /// <summary>The field's JSON as written, for messages.</summary>
    public string Shown(string path)
    {
        int dot = path.IndexOf('.', StringComparison.Ordinal);
        return Show(Sections[path[..dot]][path[(dot + 1)..]]);
    }

    /// <summary>True when the field is in the config (valid or not).</summary>
    public bool IsGiven(string path)
    {
        int dot = path.IndexOf('.', StringComparison.Ordinal);
        return Sections[path[..dot]][path[(dot + 1)..]] is not null;
    }
}
