using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace RiskSim.Core.Configuration;

/// <summary>JSON helpers shared by the config readers: parsing options, overrides, duplicate keys, values as written.</summary>
internal static class ConfigJson
{
    public static readonly JsonDocumentOptions DocOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    public const string NullMessage = "null is not a value here: leave the key out for its default";

    /// <summary>Applies one "path=value" override (value parsed as JSON, else taken as a string; "path=null" removes the field).</summary>
    public static void ApplyOverride(JsonObject root, string assignment, List<ConfigError> errors)
    {
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            errors.Add(new ConfigError("--set", "an override must look like path=value", assignment, "e.g. --set drivers.utilization=0.6"));
            return;
        }

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

        string[] parts = path.Split('.');
        JsonObject cur = root;
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
                errors.Add(new ConfigError(path, "cannot override inside a value that is not an object", assignment, "a dotted path to a field, e.g. market.price_erosion_annual"));
                return;
            }
        }

        if (value is null)
        {
            cur.Remove(parts[^1]); // path=null leaves the field out: its default applies
        }
        else
        {
            cur[parts[^1]] = value;
        }
    }

    // Messages quote the user's JSON as written: ">" stays ">", not "\u003E" (control characters are still escaped).
    private static readonly JsonSerializerOptions ShowOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Show(JsonNode? n)
    {
        string s = n is null ? "null" : n.ToJsonString(ShowOptions);
        return s.Length > 60 ? s[..57] + "..." : s;
    }

    /// <summary>
    /// Every key that appears twice in one object, with its JSON path. JsonNode would throw on the first one when the
    /// object is read (the last value silently winning would be worse: the file says two things).
    /// </summary>
    public static List<ConfigError> DuplicateKeys(string json)
    {
        var errors = new List<ConfigError>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });

        // One frame per open object or array: the object's keys so far, or the array's next index; and the frame's path.
        var frames = new Stack<(HashSet<string>? Keys, int Index, string Path)>();
        string pending = ""; // path of the value about to be read
        void Enter(JsonTokenType t)
        {
            frames.Push(t == JsonTokenType.StartObject ? (new HashSet<string>(StringComparer.Ordinal), 0, pending) : (null, 0, pending));
        }

        void BeforeValue()
        {
            if (frames.Count > 0 && frames.Peek() is { Keys: null } array)
            {
                frames.Pop();
                pending = $"{array.Path}[{array.Index}]";
                frames.Push(array with { Index = array.Index + 1 });
            }
        }

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    BeforeValue();
                    Enter(reader.TokenType);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    {
                        var (keys, _, path) = frames.Peek();
                        if (!TryGetString(ref reader, out string key))
                        {
                            errors.Add(new ConfigError(path, InvalidText, "", ValidText));
                            break;
                        }

                        pending = path.Length == 0 ? key : $"{path}.{key}";
                        if (!keys!.Add(key))
                        {
                            errors.Add(new ConfigError(pending, "duplicate key: it appears more than once in the same object, so which value is meant is not clear", $"\"{key}\"", "each key once per object"));
                        }

                        break;
                    }

                default:
                    BeforeValue();
                    if (reader.TokenType == JsonTokenType.String && !TryGetString(ref reader, out _))
                    {
                        errors.Add(new ConfigError(pending, InvalidText, "", ValidText));
                    }

                    break;
            }
        }

        return errors;
    }

    private const string InvalidText = "a string is not valid Unicode (an escape such as \\ud800 is half of a surrogate pair)";
    private const string ValidText = "text whose \\uXXXX escapes form whole characters";

    private static bool TryGetString(ref Utf8JsonReader reader, out string value)
    {
        try
        {
            value = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = "";
            return false;
        }
    }

    public static string? Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static double? Num(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;

    /// <summary>A number as messages quote a computed value: six significant digits.</summary>
    public static string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
