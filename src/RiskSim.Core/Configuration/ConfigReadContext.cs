using System.Text.Json.Nodes;

namespace RiskSim.Core.Configuration;

/// <summary>
/// One config being read: its JSON (overrides applied), the errors found so far (each with its JSON path), the notes
/// for the report, and the paths a <c>--set</c> override fixed. Shared by the readers and the <see cref="SpecBuilder"/>.
/// </summary>
internal sealed class ConfigReadContext(JsonObject root, List<ConfigError> errors, HashSet<string> overridden)
{
    public JsonObject Root { get; } = root;

    public List<ConfigError> Errors { get; } = errors;

    /// <summary>Paths fixed by a <c>--set</c> override (their correlations are dropped with a note, not an error).</summary>
    public HashSet<string> Overridden { get; } = overridden;

    /// <summary>Free-text notes and sources by section, and notes about dropped correlations.</summary>
    public Dictionary<string, string> Notes { get; } = [];

    public void Err(string path, string message, string value, string allowed) => Errors.Add(new ConfigError(path, message, value, allowed));

    /// <summary>True when an error was reported at this path or inside it.</summary>
    public bool HasErrorAt(string path) => Errors.Any(e => e.Path == path || e.Path.StartsWith(path + ".", StringComparison.Ordinal));
}
