using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace RiskSim.Bench.Internal;

/// <summary>
/// Converts a YAML file (GuideLLM writes its report as YAML too) to JSON, so the JSON readers read it. Plain scalars are
/// typed as YAML 1.2 core schema does (null, true/false, numbers including .inf/.nan); quoted scalars stay strings.
/// Several documents become several top-level JSON values.
/// </summary>
internal static class YamlToJson
{
    public static byte[] Convert(string yaml)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException ex)
        {
            throw new BenchInputException($"line {ex.Start.Line}, column {ex.Start.Column}", LenientJson.Clean(ex.Message));
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner sometimes fails without a position; find the last place it parsed cleanly.
            throw new BenchInputException(LastGoodMark(yaml), "the YAML parser stopped here (unbalanced brackets or bad indentation?)");
        }

        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms))
        {
            foreach (var doc in stream.Documents)
            {
                Write(w, doc.RootNode);
                w.Flush();
                ms.WriteByte((byte)'\n');
                w.Reset();
            }
        }

        return ms.ToArray();
    }

    private static string LastGoodMark(string yaml)
    {
        var parser = new Parser(new StringReader(yaml));
        Mark last = Mark.Empty;
        try
        {
            while (parser.MoveNext())
            {
                if (parser.Current is { } e)
                {
                    last = e.End;
                }
            }
        }
        catch (Exception ex) when (ex is YamlException or InvalidOperationException)
        {
            if (ex is YamlException y)
            {
                return $"line {y.Start.Line}, column {y.Start.Column}";
            }
        }

        return $"after line {last.Line}, column {last.Column}";
    }

    private static void Write(Utf8JsonWriter w, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                w.WriteStartObject();
                foreach (var (k, v) in map.Children)
                {
                    w.WritePropertyName(k is YamlScalarNode ks ? ks.Value ?? string.Empty : k.ToString());
                    Write(w, v);
                }

                w.WriteEndObject();
                break;
            case YamlSequenceNode seq:
                w.WriteStartArray();
                foreach (var c in seq.Children)
                {
                    Write(w, c);
                }

                w.WriteEndArray();
                break;
            case YamlScalarNode s:
                WriteScalar(w, s);
                break;
            default:
                w.WriteNullValue();
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter w, YamlScalarNode s)
    {
        string v = s.Value ?? string.Empty;
        if (s.Style != ScalarStyle.Plain)
        {
            w.WriteStringValue(v);
            return;
        }

        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                w.WriteNullValue();
                return;
            case "true" or "True" or "TRUE":
                w.WriteBooleanValue(true);
                return;
            case "false" or "False" or "FALSE":
                w.WriteBooleanValue(false);
                return;
            case ".inf" or ".Inf" or ".INF" or "+.inf" or "+.Inf" or "+.INF":
                w.WriteStringValue("Infinity");
                return;
            case "-.inf" or "-.Inf" or "-.INF":
                w.WriteStringValue("-Infinity");
                return;
            case ".nan" or ".NaN" or ".NAN":
                w.WriteStringValue("NaN");
                return;
        }

        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long l))
        {
            w.WriteNumberValue(l);
        }
        else if (LooksNumeric(v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && double.IsFinite(d))
        {
            w.WriteNumberValue(d);
        }
        else
        {
            w.WriteStringValue(v);
        }
    }

    private static bool LooksNumeric(string v) =>
        v.Length > 0 && (char.IsAsciiDigit(v[0]) || ((v[0] is '-' or '+' or '.') && v.Length > 1 && (char.IsAsciiDigit(v[1]) || v[1] == '.')));
}
