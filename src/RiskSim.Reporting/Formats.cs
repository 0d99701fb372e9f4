using System.Globalization;
using System.Text;
using System.Text.Json;

namespace RiskSim.Reporting;

/// <summary>Invariant-culture number formatting shared by every exporter. Never emits NaN or infinity.</summary>
public static class Fmt
{
    /// <summary>The invariant culture every machine format is written in.</summary>
    public static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Round-trippable number for machine formats (JSON, CSV); "" for non-finite.</summary>
    public static string Raw(double v) => double.IsFinite(v) ? v.ToString("R", Inv) : "";

    /// <summary>Human number with thousands separators and sensible precision for the magnitude.</summary>
    public static string Human(double? value, string unit = "")
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return "n/a";
        }

        double a = Math.Abs(v);
        string s = unit switch
        {
            "USD" when a >= 1e6 => (v / 1e6).ToString("#,0.00", Inv) + " M",
            "USD" => v.ToString("#,0", Inv),
            "%" => v.ToString("0.0", Inv),
            "fraction/year" or "fraction" => (v * 100).ToString("0.0", Inv) + " %",
            _ when a >= 1000 => v.ToString("#,0", Inv),
            _ when a >= 10 => v.ToString("#,0.0", Inv),
            _ when a >= 0.1 => v.ToString("0.000", Inv),
            _ when a == 0 => "0",
            _ when a >= 1e-5 => v.ToString("0.#######", Inv),
            _ => v.ToString("0.000e+0", Inv),
        };
        return unit switch
        {
            "USD" => v < 0 ? "-$" + s.TrimStart('-') : "$" + s,
            "fraction/year" or "fraction" or "" => s,
            "%" => s + " %",
            "×" => s + "×",
            _ => s + " " + unit,
        };
    }

    /// <summary>Writes a number, or null for NaN/∞ (outputs never contain NaN).</summary>
    public static void NumberOrNull(Utf8JsonWriter w, string name, double? v)
    {
        if (v is { } x && double.IsFinite(x))
        {
            w.WriteNumber(name, x);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    /// <summary>CSV field with RFC 4180 quoting.</summary>
    public static string Csv(string s) =>
        s.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    /// <summary>Markdown table cell: pipes escaped.</summary>
    public static string Md(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);

    /// <summary>A UTF-8 JSON writer over a buffer with indentation; returns the text.</summary>
    public static string Json(Action<Utf8JsonWriter> write)
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            write(w);
        }

        return Encoding.UTF8.GetString(ms.ToArray()) + "\n";
    }
}
