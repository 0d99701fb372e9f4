using System.Text.Json;
using System.Text.Json.Nodes;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Configuration;

/// <summary>
/// Reads a config (JSON text, no I/O) into a validated <see cref="SimulationSpec"/>. Every error is
/// collected and reported together with its JSON path, the bad value and what is allowed.
/// </summary>
/// <remarks>
/// The JSON is parsed (duplicate keys and broken Unicode found first, with their paths), the <c>--set</c> overrides
/// are applied, then the <see cref="SectionReader"/> reads the top level and every field (with the
/// <see cref="DistributionReader"/>), and the <see cref="SpecBuilder"/> applies the defaults and derivations and reads
/// the correlations (<see cref="CorrelationReader"/>) and gates (<see cref="GateReader"/>) among the inputs.
/// </remarks>
public static class ConfigLoader
{
    /// <summary>Parses and validates; throws <see cref="ConfigException"/> listing every error.</summary>
    /// <param name="json">Config text.</param>
    /// <param name="file">File name for messages.</param>
    /// <param name="overrides">"path=value" overrides (value parsed as JSON, else taken as a string; "path=null" removes the field).</param>
    public static SimulationSpec Load(string json, string file, IReadOnlyList<string>? overrides = null)
    {
        var (spec, errors) = TryLoad(json, overrides);
        return spec ?? throw new ConfigException(file, errors);
    }

    /// <summary>Parses and validates; returns the spec, or null and every error.</summary>
    public static (SimulationSpec? Spec, IReadOnlyList<ConfigError> Errors) TryLoad(string json, IReadOnlyList<string>? overrides = null)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return (null, [new ConfigError("", "the file is empty", "", "a JSON object; see `risksim schema`")]);
        }

        JsonNode? root;
        List<ConfigError> duplicates;
        try
        {
            duplicates = ConfigJson.DuplicateKeys(json); // before JsonNode, which throws on a duplicate key or a lone surrogate without saying where
            root = duplicates.Count > 0 ? null : JsonNode.Parse(json, documentOptions: ConfigJson.DocOptions);
        }
        catch (JsonException ex)
        {
            return (null, [new ConfigError("", $"not valid JSON: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.', ' ')} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})", "", "")]);
        }

        if (duplicates.Count > 0)
        {
            return (null, duplicates);
        }

        if (root is not JsonObject obj)
        {
            return (null, [new ConfigError("", "the config must be a JSON object", ConfigJson.Show(root), "{ \"deployment\": …, \"cost\": …, … }")]);
        }

        var errors = new List<ConfigError>();
        foreach (var o in overrides ?? [])
        {
            ConfigJson.ApplyOverride(obj, o, errors);
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var overridden = (overrides ?? []).Select(o => o.Split('=')[0].Trim()).ToHashSet(StringComparer.Ordinal);
        var context = new ConfigReadContext(obj, errors, overridden);
        var sections = new SectionReader(context).Read();
        var spec = new SpecBuilder(context).Build(sections);
        return errors.Count > 0 ? (null, errors) : (spec, errors);
    }
}
