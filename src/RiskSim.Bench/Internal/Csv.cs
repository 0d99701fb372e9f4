using System.Text;

namespace RiskSim.Bench.Internal;

/// <summary>One CSV record: its fields and the 1-based line it starts on.</summary>
internal sealed record CsvRecord(string[] Fields, int Line);

/// <summary>RFC 4180 CSV: comma-separated, double-quoted fields with doubled quotes, CRLF or LF line ends.</summary>
internal static class Csv
{
    /// <summary>
    /// Parses a whole text into records; blank lines come back as empty records (they separate blocks in tool CSVs).
    /// Throws <see cref="BenchInputException"/> with the line and byte of an unterminated quote or a stray quote.
    /// </summary>
    public static List<CsvRecord> Parse(string text)
    {
        var records = new List<CsvRecord>();
        var fields = new List<string>();
        var field = new StringBuilder();
        int line = 1, recordLine = 1, lineStart = 0;
        int i = 0;
        if (text.Length > 0 && text[0] == '\uFEFF')
        {
            i = 1;
            lineStart = 1;
        }

        bool quoted = false, wasQuoted = false;
        int quoteLine = 0, quoteByte = 0;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (quoted)
            {
                if (c == '"')
                {
                    if (i + 1 < text.Length && text[i + 1] == '"')
                    {
                        field.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    if (c == '\n')
                    {
                        line++;
                        lineStart = i + 1;
                    }

                    field.Append(c);
                }

                continue;
            }

            switch (c)
            {
                case '"':
                    if (field.Length > 0 || wasQuoted)
                    {
                        throw new BenchInputException($"line {line}, byte {Bytes(text, lineStart, i) + 1}", "invalid CSV: a quote inside an unquoted field (quote the whole field and double the quote)");
                    }

                    quoted = true;
                    wasQuoted = true;
                    quoteLine = line;
                    quoteByte = Bytes(text, lineStart, i) + 1;
                    break;
                case ',':
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    break;
                case '\r' when i + 1 < text.Length && text[i + 1] == '\n':
                    break;
                case '\n' or '\r':
                    fields.Add(field.ToString());
                    field.Clear();
                    wasQuoted = false;
                    records.Add(new CsvRecord(fields.Count == 1 && fields[0].Length == 0 ? [] : [.. fields], recordLine));
                    fields.Clear();
                    line++;
                    recordLine = line;
                    lineStart = i + 1;
                    break;
                default:
                    if (wasQuoted)
                    {
                        throw new BenchInputException($"line {line}, byte {Bytes(text, lineStart, i) + 1}", "invalid CSV: text after a closing quote (a field is either all quoted or not quoted)");
                    }

                    field.Append(c);
                    break;
            }
        }

        if (quoted)
        {
            throw new BenchInputException($"line {quoteLine}, byte {quoteByte}", "invalid CSV: a quoted field is never closed (missing '\"')");
        }

        if (field.Length > 0 || fields.Count > 0 || wasQuoted)
        {
            fields.Add(field.ToString());
            records.Add(new CsvRecord([.. fields], recordLine));
        }

        return records;
    }

    private static int Bytes(string text, int from, int to) => Encoding.UTF8.GetByteCount(text.AsSpan(from, to - from));

    /// <summary>A field quoted if it needs to be (comma, quote, line break, leading/trailing space).</summary>
    public static string Quote(string s) =>
        s.AsSpan().IndexOfAny(",\"\r\n") >= 0 || (s.Length > 0 && (char.IsWhiteSpace(s[0]) || char.IsWhiteSpace(s[^1])))
            ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : s;
}
