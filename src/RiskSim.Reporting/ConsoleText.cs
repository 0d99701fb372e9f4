using System.Globalization;
using System.Text;

namespace RiskSim.Reporting;

/// <summary>
/// Makes user text (config names, labels, descriptions, paths in errors) safe to print on a terminal: every
/// control character (C0 but tab and line feed, DEL, C1) and every bidirectional override or isolate is
/// replaced by its visible escape <c>\uXXXX</c>, so a name like <c>"\u001b[2J"</c> cannot clear the screen,
/// move the cursor, recolour the output or reorder what the reader sees.
/// </summary>
/// <remarks>
/// A carriage return is kept only as part of a CR LF line end (a lone one could overwrite the start of the line).
/// </remarks>
public static class ConsoleText
{
    /// <summary>True when <paramref name="c"/> is printed as an escape instead of itself.</summary>
    public static bool IsUnsafe(char c) =>
        (char.IsControl(c) && c is not '\n' and not '\t' and not '\r')
        || c is >= '\u202A' and <= '\u202E' // LRE, RLE, PDF, LRO, RLO
        || c is >= '\u2066' and <= '\u2069'; // LRI, RLI, FSI, PDI

    /// <summary>The text with every unsafe character (see <see cref="ConsoleText"/>) replaced by <c>\uXXXX</c>.</summary>
    public static string Safe(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return text ?? "";
        }

        int first = FirstUnsafe(text);
        if (first < 0)
        {
            return text;
        }

        var sb = new StringBuilder(text.Length + 16);
        sb.Append(text, 0, first);
        for (int i = first; i < text.Length; i++)
        {
            char c = text[i];
            if (IsUnsafe(c) || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                Escape(sb, c);
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>Safe text on one line: line feeds and tabs are escaped too (for table cells and one-line messages).</summary>
    public static string OneLine(string? text)
    {
        string s = Safe(text);
        if (s.AsSpan().IndexOfAny('\n', '\t', '\r') < 0)
        {
            return s;
        }

        var sb = new StringBuilder(s.Length + 8);
        foreach (char c in s)
        {
            if (c is '\n' or '\t' or '\r')
            {
                Escape(sb, c);
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    private static int FirstUnsafe(string text)
    {
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (IsUnsafe(c) || (c == '\r' && (i + 1 >= text.Length || text[i + 1] != '\n')))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Escape(StringBuilder sb, char c) =>
        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
}

/// <summary>
/// A text writer for the console that passes everything through <see cref="ConsoleText.Safe"/>: the CLI wraps its
/// standard output and error in it, so no user text reaches the terminal raw.
/// </summary>
/// <remarks>
/// A single <c>'\r'</c> written with
/// <see cref="Write(char)"/> passes (the progress line returns to the start of its line that way); a carriage
/// return inside a string is escaped unless it ends a line (CR LF).
/// </remarks>
public sealed class ConsoleSafeWriter : TextWriter
{
    private readonly TextWriter inner;

    /// <summary>Wraps <paramref name="inner"/>: what is written through it is made safe for a terminal.</summary>
    public ConsoleSafeWriter(TextWriter inner)
    {
        this.inner = inner;
    }

    /// <inheritdoc/>
    public override Encoding Encoding => inner.Encoding;

    /// <inheritdoc/>
    public override IFormatProvider FormatProvider => inner.FormatProvider;

    /// <inheritdoc/>
    [System.Diagnostics.CodeAnalysis.AllowNull]
    public override string NewLine
    {
        get => inner.NewLine;
        set => inner.NewLine = value;
    }

    /// <summary>The writer underneath (for tests).</summary>
    public TextWriter Inner => inner;

    /// <inheritdoc/>
    public override void Write(char value)
    {
        if (ConsoleText.IsUnsafe(value))
        {
            inner.Write(ConsoleText.Safe(value.ToString()));
        }
        else
        {
            inner.Write(value);
        }
    }

    /// <inheritdoc/>
    public override void Write(string? value) => inner.Write(ConsoleText.Safe(value));

    /// <inheritdoc/>
    public override void Write(char[] buffer, int index, int count) => Write(new string(buffer, index, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<char> buffer) => Write(new string(buffer));

    /// <inheritdoc/>
    public override void WriteLine() => inner.WriteLine();

    /// <inheritdoc/>
    public override void WriteLine(string? value)
    {
        inner.Write(ConsoleText.Safe(value));
        inner.WriteLine();
    }

    /// <inheritdoc/>
    public override void WriteLine(ReadOnlySpan<char> buffer) => WriteLine(new string(buffer));

    /// <inheritdoc/>
    public override void WriteLine(char[] buffer, int index, int count) => WriteLine(new string(buffer, index, count));

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();

    /// <inheritdoc/>
    public override Task FlushAsync() => inner.FlushAsync();
}
