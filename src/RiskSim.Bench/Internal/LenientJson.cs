using System.Text.Json;

namespace RiskSim.Bench.Internal;

/// <summary>Bad input found while reading a file: where (line/byte, row, JSON path) and what.</summary>
internal sealed class BenchInputException : Exception
{
    public BenchInputException(string? locator, string message)
        : base(message) => Locator = locator;

    public BenchInputException()
    {
    }

    public BenchInputException(string message)
        : base(message)
    {
    }

    public BenchInputException(string message, Exception inner)
        : base(message, inner)
    {
    }

    public string? Locator { get; }
}

/// <summary>One top-level JSON value of a file, with the 1-based line it starts on.</summary>
internal sealed record JsonValueAt(JsonElement Root, int Line, int Index);

/// <summary>
/// JSON as Python writes it: strict JSON plus the bare tokens <c>Infinity</c>, <c>-Infinity</c> and <c>NaN</c>
/// (SGLang writes <c>"request_rate": Infinity</c>), and several values one after another (JSONL, vLLM
/// <c>--append-result</c>).
/// </summary>
/// <remarks>
/// The bare tokens are rewritten to the strings "Infinity", "-Infinity", "NaN" outside string
/// literals only, so a string that contains those words is untouched; the number readers accept those strings.
/// </remarks>
internal static class LenientJson
{
    private static readonly byte[] Infinity = "Infinity"u8.ToArray();
    private static readonly byte[] NaN = "NaN"u8.ToArray();

    /// <summary>
    /// Returns a copy of <paramref name="src"/> with bare Infinity/-Infinity/NaN quoted, or null when there are none.
    /// <paramref name="insertions"/> receives the offsets, in the returned buffer, of each inserted quote.
    /// </summary>
    public static byte[]? QuoteNonFinite(ReadOnlySpan<byte> src, out List<int>? insertions)
    {
        insertions = null;
        List<byte>? outBuf = null;
        int copiedUpTo = 0;
        bool inString = false;
        for (int i = 0; i < src.Length; i++)
        {
            byte b = src[i];
            if (inString)
            {
                if (b == (byte)'\\')
                {
                    i++;
                }
                else if (b == (byte)'"')
                {
                    inString = false;
                }

                continue;
            }

            if (b == (byte)'"')
            {
                inString = true;
                continue;
            }

            int len = 0;
            if (b == (byte)'I' && src[i..].StartsWith(Infinity))
            {
                len = Infinity.Length;
            }
            else if (b == (byte)'N' && src[i..].StartsWith(NaN))
            {
                len = NaN.Length;
            }
            else if (b == (byte)'-' && i + 1 < src.Length && src[(i + 1)..].StartsWith(Infinity))
            {
                len = Infinity.Length + 1;
            }

            if (len == 0)
            {
                continue;
            }

            outBuf ??= new List<byte>(src.Length + 16);
            insertions ??= [];
            for (int k = copiedUpTo; k < i; k++)
            {
                outBuf.Add(src[k]);
            }

            insertions.Add(outBuf.Count);
            outBuf.Add((byte)'"');
            for (int k = i; k < i + len; k++)
            {
                outBuf.Add(src[k]);
            }

            insertions.Add(outBuf.Count);
            outBuf.Add((byte)'"');
            copiedUpTo = i + len;
            i += len - 1;
        }

        if (outBuf is null)
        {
            return null;
        }

        for (int k = copiedUpTo; k < src.Length; k++)
        {
            outBuf.Add(src[k]);
        }

        return [.. outBuf];
    }

    /// <summary>Strips a UTF-8 byte order mark.</summary>
    public static ReadOnlySpan<byte> SkipBom(ReadOnlySpan<byte> s) =>
        s.Length >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF ? s[3..] : s;

    /// <summary>
    /// Parses every top-level value of a whole file. Throws <see cref="BenchInputException"/> naming the line and byte
    /// (1-based, in the original file) of invalid JSON.
    /// </summary>
    public static List<JsonValueAt> ParseAll(byte[] file)
    {
        var original = SkipBom(file);
        int bom = file.Length - original.Length;
        var sanitized = QuoteNonFinite(original, out var insertions);
        byte[] buf = sanitized ?? original.ToArray();
        var values = new List<JsonValueAt>();
        var reader = new Utf8JsonReader(buf, new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Disallow });
        int line = 1;
        long counted = 0;
        try
        {
            while (reader.Read())
            {
                long start = reader.TokenStartIndex;
                line += buf.AsSpan((int)counted, (int)(start - counted)).Count((byte)'\n');
                counted = start;
                using var doc = JsonDocument.ParseValue(ref reader);
                values.Add(new JsonValueAt(doc.RootElement.Clone(), line, values.Count));
            }
        }
        catch (JsonException ex)
        {
            throw new BenchInputException(Position(buf, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0, insertions, bom), Describe(ex, buf));
        }

        return values;
    }

    /// <summary>The message for invalid JSON; a file that stops inside a value says it looks truncated.</summary>
    public static string Describe(JsonException ex, ReadOnlySpan<byte> buf)
    {
        long line0 = ex.LineNumber ?? 0;
        long lineStart = 0;
        for (long l = 0; l < line0; l++)
        {
            int nl = buf[(int)lineStart..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                break;
            }

            lineStart += nl + 1;
        }

        long abs = lineStart + (ex.BytePositionInLine ?? 0);
        bool atEnd = buf[(int)Math.Min(abs, buf.Length)..].Trim(" \t\r\n"u8).Length <= 1;
        return atEnd
            ? "invalid JSON: the file ends inside a JSON value (truncated?): " + Clean(ex.Message)
            : "invalid JSON: " + Clean(ex.Message);
    }

    /// <summary>"line L, byte B" (1-based, original file) for a reader position in a possibly rewritten buffer.</summary>
    public static string Position(ReadOnlySpan<byte> buf, long line0, long bytePos0, List<int>? insertions, int bomBytes = 0)
    {
        long b = bytePos0;
        if (insertions is { Count: > 0 })
        {
            // Absolute offset of the error in the rewritten buffer, then drop the quotes inserted on that line before it.
            long lineStart = 0;
            for (long l = 0; l < line0; l++)
            {
                int nl = buf[(int)lineStart..].IndexOf((byte)'\n');
                if (nl < 0)
                {
                    break;
                }

                lineStart += nl + 1;
            }

            long abs = lineStart + bytePos0;
            b -= insertions.Count(o => o >= lineStart && o < abs);
        }

        if (line0 == 0)
        {
            b += bomBytes;
        }

        return $"line {line0 + 1}, byte {b + 1}";
    }

    /// <summary>The reader's message without its own (rewritten-buffer) position, which we replace.</summary>
    public static string Clean(string message)
    {
        int i = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        return (i > 0 ? message[..i] : message).TrimEnd('.', ' ');
    }
}
