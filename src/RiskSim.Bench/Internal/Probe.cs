using System.Text;
using System.Text.Json;

namespace RiskSim.Bench.Internal;

/// <summary>What a file looks like from its first bytes: JSON (and the keys of its first object) or text lines.</summary>
internal sealed class Probe
{
    /// <summary>How much of a file detection reads (the first value of every supported JSON format fits in it).</summary>
    public const int HeadBytes = 1 << 20;

    private Probe(InputFile file) => File = file;

    public InputFile File { get; }

    /// <summary>True when the content is JSON (possibly several values, possibly converted from YAML).</summary>
    public bool IsJson { get; private set; }

    /// <summary>True when the JSON was converted from YAML.</summary>
    public bool IsYaml { get; private set; }

    /// <summary>The YAML converted to JSON (whole file), when <see cref="IsYaml"/>.</summary>
    public byte[]? YamlAsJson { get; private set; }

    /// <summary>The root is an array (the keys are those of its first element).</summary>
    public bool RootIsArray { get; private set; }

    /// <summary>More than one top-level value was seen (JSONL or appended objects).</summary>
    public bool MultipleValues { get; private set; }

    /// <summary>Dotted key paths (depth ≤ 3, not inside arrays) of the first object.</summary>
    public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);

    /// <summary>The first lines of a text file that are not empty and not '#' comments (up to 5).</summary>
    public List<string> TextLines { get; } = [];

    /// <summary>Leading '#' comment lines of a text file.</summary>
    public List<string> CommentLines { get; } = [];

    /// <summary>Why the content is not JSON/YAML, when it looked like it should be (shown if no reader matches).</summary>
    public string? ParseProblem { get; private set; }

    /// <summary>Where <see cref="ParseProblem"/> is.</summary>
    public string? ParseProblemAt { get; private set; }

    public bool Has(string key) => Keys.Contains(key);

    public bool HasAny(params string[] keys) => keys.Any(Keys.Contains);

    public bool HasAll(params string[] keys) => keys.All(Keys.Contains);

    /// <summary>Top-level keys (no dot).</summary>
    public IEnumerable<string> TopKeys => Keys.Where(k => !k.Contains('.', StringComparison.Ordinal));

    public static Probe Of(InputFile file)
    {
        var p = new Probe(file);
        byte[] head = file.Head(HeadBytes);
        bool whole = head.Length >= file.Length;
        var body = LenientJson.SkipBom(head);
        int first = FirstNonSpace(body);
        if (first < 0)
        {
            p.ParseProblem = "the file is empty";
            return p;
        }

        if (body[first] is (byte)'{' or (byte)'[')
        {
            p.IsJson = true;
            p.CollectKeys(body, whole, head.Length - body.Length);
            return p;
        }

        p.ReadTextLines(body);
        if (LooksLikeYaml(p.TextLines))
        {
            try
            {
                p.YamlAsJson = YamlToJson.Convert(Encoding.UTF8.GetString(LenientJson.SkipBom(file.Bytes)));
                p.IsYaml = true;
                p.IsJson = true;
                p.CollectKeys(p.YamlAsJson, true, 0);
            }
            catch (BenchInputException ex)
            {
                p.ParseProblem = "invalid YAML: " + ex.Message;
                p.ParseProblemAt = ex.Locator;
            }
        }

        return p;
    }

    private static int FirstNonSpace(ReadOnlySpan<byte> s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (s[i] is not ((byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n'))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool LooksLikeYaml(List<string> lines)
    {
        if (lines.Count == 0)
        {
            return false;
        }

        string l = lines[0].TrimEnd();
        if (l == "---" || l.StartsWith("--- ", StringComparison.Ordinal))
        {
            return true;
        }

        int colon = l.IndexOf(':', StringComparison.Ordinal);
        int comma = l.IndexOf(',', StringComparison.Ordinal);
        return colon > 0 && (comma < 0 || comma > colon) && (colon == l.Length - 1 || l[colon + 1] == ' ');
    }

    private void ReadTextLines(ReadOnlySpan<byte> body)
    {
        string text = Encoding.UTF8.GetString(body[..Math.Min(body.Length, 64 * 1024)]);
        foreach (var raw in text.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.Trim().Length == 0)
            {
                continue;
            }

            if (line.StartsWith('#') && TextLines.Count == 0)
            {
                CommentLines.Add(line);
                continue;
            }

            TextLines.Add(line);
            if (TextLines.Count >= 5)
            {
                break;
            }
        }
    }

    private void CollectKeys(ReadOnlySpan<byte> head, bool whole, long skipped)
    {
        var sanitized = LenientJson.QuoteNonFinite(head, out var insertions);
        ReadOnlySpan<byte> buf = sanitized ?? head;
        var reader = new Utf8JsonReader(buf, whole, new JsonReaderState(new JsonReaderOptions { AllowMultipleValues = true }));

        // Each open container: the key prefix its properties are recorded under (null: not recorded), whether it is an
        // array, and whether its first element was seen. Keys inside an array's first object read "name[].key".
        var stack = new Stack<Frame>();
        string? pending = null;
        int values = 0;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        {
                            bool isArray = reader.TokenType == JsonTokenType.StartArray;
                            string? prefix;
                            if (stack.Count == 0)
                            {
                                values++;
                                if (values > 1)
                                {
                                    MultipleValues = true;
                                    return;
                                }

                                RootIsArray = isArray;
                                prefix = string.Empty;
                            }
                            else
                            {
                                var parent = stack.Peek();
                                if (parent.IsArray)
                                {
                                    // Only the first element of an array is looked into.
                                    prefix = !parent.FirstSeen && parent.Prefix is not null && !isArray
                                        ? (parent.Prefix.Length == 0 || stack.Count == 1 ? parent.Prefix : parent.Prefix + "[]")
                                        : null;
                                    parent.FirstSeen = true;
                                }
                                else
                                {
                                    prefix = parent.Prefix is not null && pending is not null && stack.Count <= 3
                                        ? (parent.Prefix.Length == 0 ? pending : parent.Prefix + "." + pending)
                                        : null;
                                }
                            }

                            stack.Push(new Frame { Prefix = prefix, IsArray = isArray });
                            pending = null;
                            break;
                        }

                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        stack.Pop();
                        if (RootIsArray && stack.Count == 1 && stack.Peek().FirstSeen)
                        {
                            return;
                        }

                        break;
                    case JsonTokenType.PropertyName:
                        pending = reader.GetString();
                        if (stack.Count > 0 && stack.Peek().Prefix is string pre && pending is not null)
                        {
                            Keys.Add(pre.Length == 0 ? pending : pre + "." + pending);
                        }

                        break;
                    default:
                        if (stack.Count == 0)
                        {
                            values++;
                            if (values > 1)
                            {
                                MultipleValues = true;
                                return;
                            }
                        }
                        else if (stack.Peek().IsArray)
                        {
                            stack.Peek().FirstSeen = true;
                        }

                        pending = null;
                        break;
                }
            }
        }
        catch (JsonException ex)
        {
            ParseProblem = whole ? LenientJson.Describe(ex, buf) : "invalid JSON: " + LenientJson.Clean(ex.Message);
            ParseProblemAt = LenientJson.Position(buf, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0, insertions, (int)Math.Max(0, skipped));
        }
    }

    private sealed class Frame
    {
        public string? Prefix { get; init; }

        public bool IsArray { get; init; }

        public bool FirstSeen { get; set; }
    }
}
