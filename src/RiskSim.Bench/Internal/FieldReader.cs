using System.Text.Json;

namespace RiskSim.Bench.Internal;

/// <summary>
/// Reads the figures of one record. Absent and null keys read as null; a non-finite or negative figure reads as null
/// and leaves a warning naming the key (a KPI that does not exist is null with a reason, never NaN).
/// </summary>
internal sealed class FieldReader
{
    public FieldReader(JsonElement root) => Root = root;

    public JsonElement Root { get; }

    public List<string> Warnings { get; } = [];

    /// <summary>A finite, non-negative number at the dotted path, else null (with a warning if present but unusable).</summary>
    public double? Num(string path)
    {
        var e = Root.Path(path);
        double? d = e.RawNumber();
        if (d is not double v)
        {
            if (e is { ValueKind: JsonValueKind.String } s)
            {
                Warnings.Add($"{path} is \"{s.GetString()}\", not a number; left empty");
            }

            return null;
        }

        if (!double.IsFinite(v))
        {
            Warnings.Add($"{path} is {(double.IsNaN(v) ? "NaN" : "infinite")} in the file; left empty");
            return null;
        }

        if (v < 0)
        {
            Warnings.Add($"{path} is negative ({v}); left empty");
            return null;
        }

        return v;
    }

    /// <summary>The first of several paths that has a usable number.</summary>
    public double? First(params string[] paths)
    {
        foreach (var p in paths)
        {
            if (Root.Path(p) is not null)
            {
                return Num(p);
            }
        }

        return null;
    }

    /// <summary>A value in milliseconds converted to seconds.</summary>
    public double? MsToS(string path) => Num(path) / 1000.0;

    /// <summary>A count (rounded; counts are written as 66.0 by some tools).</summary>
    public long? Count(string path) => Num(path) is double d ? (long)Math.Round(d) : null;

    public string? Str(string path) => Root.Path(path).Str();

    /// <summary>The raw number at a path including non-finite values (for request rates where Infinity means unbounded).</summary>
    public double? Raw(string path) => Root.Path(path).RawNumber();
}
