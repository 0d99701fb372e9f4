using System.Globalization;
using System.Text.Json;

namespace RiskSim.Bench.Internal;

/// <summary>Tolerant getters over <see cref="JsonElement"/>: absent, null, and non-numeric values read as null.</summary>
internal static class JsonExt
{
    /// <summary>The property <paramref name="name"/> of an object, or null.</summary>
    public static JsonElement? Get(this JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null ? v : null;

    /// <summary>A dotted path of properties ("a.b.c"), or null.</summary>
    public static JsonElement? Path(this JsonElement e, string path)
    {
        JsonElement? cur = e;
        foreach (var part in path.Split('.'))
        {
            cur = cur?.Get(part);
            if (cur is null)
            {
                return null;
            }
        }

        return cur;
    }

    public static bool Has(this JsonElement e, string name) => e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out _);

    /// <summary>
    /// A number, or a numeric string ("12.5", "inf", "Infinity", "NaN" — the last ones as the non-finite double);
    /// null for anything else.
    /// </summary>
    public static double? RawNumber(this JsonElement? e)
    {
        if (e is not JsonElement v)
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Number)
        {
            return v.GetDouble();
        }

        if (v.ValueKind == JsonValueKind.String)
        {
            return ParseNumber(v.GetString());
        }

        return null;
    }

    public static double? ParseNumber(string? s)
    {
        if (string.IsNullOrWhiteSpace(s))
        {
            return null;
        }

        s = s.Trim();
        switch (s.ToLowerInvariant())
        {
            case "inf" or "+inf" or "infinity" or "+infinity":
                return double.PositiveInfinity;
            case "-inf" or "-infinity":
                return double.NegativeInfinity;
            case "nan":
                return double.NaN;
        }

        return double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) ? d : null;
    }

    public static string? Str(this JsonElement? e) => e switch
    {
        { ValueKind: JsonValueKind.String } v => v.GetString() is { Length: > 0 } s ? s : null,
        { ValueKind: JsonValueKind.Number } v => v.GetRawText(),
        { ValueKind: JsonValueKind.True } => "true",
        { ValueKind: JsonValueKind.False } => "false",
        _ => null,
    };

    public static bool? Bool(this JsonElement? e) => e switch
    {
        { ValueKind: JsonValueKind.True } => true,
        { ValueKind: JsonValueKind.False } => false,
        { ValueKind: JsonValueKind.String } v when bool.TryParse(v.GetString(), out var b) => b,
        _ => null,
    };
}
