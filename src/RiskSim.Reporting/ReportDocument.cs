using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace RiskSim.Reporting;

/// <summary>A block of a report: rendered both as Markdown and as self-contained HTML.</summary>
internal abstract record ReportBlock;

/// <summary>A heading (level 1–3).</summary>
internal sealed record HeadingBlock(int Level, string Text) : ReportBlock;

/// <summary>A paragraph. Inline `code` and **bold** are rendered in both formats.</summary>
internal sealed record ParagraphBlock(string Text) : ReportBlock;

/// <summary>A bullet list.</summary>
internal sealed record BulletsBlock(IReadOnlyList<string> Items) : ReportBlock;

/// <summary>A table; <paramref name="Align"/> has one character per column: 'l' or 'r'.</summary>
internal sealed record TableBlock(IReadOnlyList<string> Header, string Align, IReadOnlyList<IReadOnlyList<string>> Rows) : ReportBlock;

/// <summary>Preformatted text.</summary>
internal sealed record PreBlock(string Text) : ReportBlock;

/// <summary>An image file of the run folder (Markdown links it; HTML embeds it as a data: URI).</summary>
internal sealed record ImageBlock(string FileName, string Alt, string Caption) : ReportBlock;

/// <summary>Renders report blocks. Output is deterministic and uses "\n" line ends.</summary>
internal static partial class ReportDocument
{
    /// <summary>
    /// Marks text that comes from the config or the command line (a name, description, gate label, note, file name)
    /// inside a block's text: both renderers show it literally, whatever it contains.
    /// </summary>
    /// <remarks>
    /// In Markdown its punctuation that could start markup (HTML tags, links, images, emphasis, headings, lists, code)
    /// is backslash-escaped; in HTML it is encoded and never read as <c>`code`</c> or <c>**bold**</c>. Control
    /// characters become spaces, so the text stays on its line (a description line "# APPROVED" cannot become a
    /// heading); leading and trailing spaces are dropped.
    /// </remarks>
    public static string Literal(string text) => LiteralStart + Clean(text).Trim() + LiteralEnd;

    /// <summary>Like <see cref="Literal"/>, shown as a code span (a file name, say); a code span of its own in both formats.</summary>
    public static string CodeLiteral(string text) => CodeStart + Clean(text).Trim() + CodeEnd;

    /// <summary>
    /// One line of Markdown from block text (markup with <see cref="Literal"/> parts), for documents assembled line by
    /// line; <paramref name="tableCell"/> escapes "|" everywhere.
    /// </summary>
    public static string MarkdownInline(string text, bool tableCell = false) => MdInline(text, tableCell);

    /// <summary>Markdown (GitHub flavour).</summary>
    public static string Markdown(IEnumerable<ReportBlock> blocks)
    {
        var sb = new StringBuilder();
        foreach (var b in blocks)
        {
            switch (b)
            {
                case HeadingBlock h:
                    sb.Append('#', h.Level).Append(' ').Append(MdInline(h.Text)).Append("\n\n");
                    break;
                case ParagraphBlock p:
                    sb.Append(MdInline(p.Text)).Append("\n\n");
                    break;
                case BulletsBlock l:
                    foreach (var i in l.Items)
                    {
                        sb.Append("- ").Append(MdInline(i)).Append('\n');
                    }

                    sb.Append('\n');
                    break;
                case TableBlock t:
                    sb.Append("| ").Append(string.Join(" | ", t.Header.Select(c => MdInline(c, table: true)))).Append(" |\n|");
                    for (int c = 0; c < t.Header.Count; c++)
                    {
                        sb.Append(Al(t, c) == 'r' ? "---:|" : "---|");
                    }

                    sb.Append('\n');
                    foreach (var r in t.Rows)
                    {
                        sb.Append("| ").Append(string.Join(" | ", r.Select(c => MdInline(c, table: true)))).Append(" |\n");
                    }

                    sb.Append('\n');
                    break;
                case PreBlock pre:
                    string text = CleanMultiline(pre.Text).TrimEnd('\n');
                    string fence = new('`', Math.Max(3, LongestRun(text, '`') + 1));
                    sb.Append(fence).Append("text\n").Append(text).Append('\n').Append(fence).Append("\n\n");
                    break;
                case ImageBlock img:
                    sb.Append("![").Append(MdLiteral(Clean(img.Alt), atStart: false, escapeDollar: true, escapeTilde: true)).Append("](").Append(Uri.EscapeDataString(img.FileName)).Append(")\n\n*").Append(MdInline(img.Caption)).Append("*\n\n");
                    break;
            }
        }

        return sb.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>
    /// Self-contained HTML: inline CSS (print-friendly), all text HTML-encoded, images embedded as
    /// base64 data: URIs from <paramref name="images"/> (PNG, by file name; "image not found" when absent), no external
    /// references. XHTML-compatible (every element closed) so it parses as XML.
    /// </summary>
    public static string Html(string title, IEnumerable<ReportBlock> blocks, IReadOnlyList<ChartImage>? images)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n<title>")
          .Append(E(Clean(title))).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");
        foreach (var b in blocks)
        {
            switch (b)
            {
                case HeadingBlock h:
                    sb.Append("<h").Append(h.Level).Append('>').Append(Inline(h.Text)).Append("</h").Append(h.Level).Append(">\n");
                    break;
                case ParagraphBlock p:
                    sb.Append("<p>").Append(Inline(p.Text)).Append("</p>\n");
                    break;
                case BulletsBlock l:
                    sb.Append("<ul>\n");
                    foreach (var i in l.Items)
                    {
                        sb.Append("<li>").Append(Inline(i)).Append("</li>\n");
                    }

                    sb.Append("</ul>\n");
                    break;
                case TableBlock t:
                    sb.Append("<table>\n<thead>\n<tr>");
                    for (int c = 0; c < t.Header.Count; c++)
                    {
                        sb.Append(Al(t, c) == 'r' ? "<th class=\"num\">" : "<th>").Append(Inline(t.Header[c])).Append("</th>");
                    }

                    sb.Append("</tr>\n</thead>\n<tbody>\n");
                    foreach (var r in t.Rows)
                    {
                        sb.Append("<tr>");
                        for (int c = 0; c < r.Count; c++)
                        {
                            sb.Append(Al(t, c) == 'r' ? "<td class=\"num\">" : "<td>").Append(Inline(r[c])).Append("</td>");
                        }

                        sb.Append("</tr>\n");
                    }

                    sb.Append("</tbody>\n</table>\n");
                    break;
                case PreBlock pre:
                    sb.Append("<pre>").Append(E(CleanMultiline(pre.Text).TrimEnd('\n'))).Append("</pre>\n");
                    break;
                case ImageBlock img:
                    var png = images?.FirstOrDefault(i => i.FileName == img.FileName);
                    sb.Append("<figure>\n");
                    if (png is not null)
                    {
                        sb.Append("<img alt=\"").Append(E(img.Alt)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png.Bytes)).Append("\" />\n");
                    }
                    else
                    {
                        sb.Append("<p class=\"missing\">").Append(E(img.FileName)).Append(" (image not found)</p>\n");
                    }

                    sb.Append("<figcaption>").Append(Inline(img.Caption)).Append("</figcaption>\n</figure>\n");
                    break;
            }
        }

        sb.Append("</main>\n</body>\n</html>\n");
        return sb.ToString();
    }

    /// <summary>HTML-encodes text (ampersand, angle brackets, quotes; non-ASCII as numeric references).</summary>
    /// <remarks>"://" is written as ":&amp;#47;&amp;#47;" (renders identically) so that no URL appears literally in the file: the report references nothing outside itself.</remarks>
    public static string E(string s) => WebUtility.HtmlEncode(s).Replace("://", ":&#47;&#47;", StringComparison.Ordinal);

    private const char LiteralStart = '\uE000';
    private const char LiteralEnd = '\uE001';
    private const char CodeStart = '\uE002';
    private const char CodeEnd = '\uE003';
    private const char SlotStart = '\uE004';
    private const char SlotEnd = '\uE005';

    private enum Kind
    {
        Markup,
        Literal,
        Code,
    }

    /// <summary>Splits block text into report markup and the <see cref="Literal"/> / <see cref="CodeLiteral"/> parts.</summary>
    private static List<(Kind Kind, string Text)> Segments(string text)
    {
        var list = new List<(Kind, string)>();
        int i = 0;
        while (i < text.Length)
        {
            int open = text.IndexOfAny([LiteralStart, CodeStart], i);
            if (open < 0)
            {
                list.Add((Kind.Markup, text[i..]));
                break;
            }

            if (open > i)
            {
                list.Add((Kind.Markup, text[i..open]));
            }

            bool code = text[open] == CodeStart;
            int close = text.IndexOf(code ? CodeEnd : LiteralEnd, open + 1);
            if (close < 0)
            {
                close = text.Length;
            }

            list.Add((code ? Kind.Code : Kind.Literal, text[(open + 1)..close]));
            i = close + 1;
        }

        return list;
    }

    /// <summary>
    /// One line of Markdown from block text: report markup as written (its `code` and **bold**), literal parts
    /// escaped. "$" is escaped only where a pair could be read as inline math (see <see cref="MathRisk"/>), so
    /// amounts read as plain text; in table cells "|" is escaped everywhere.
    /// </summary>
    private static string MdInline(string text, bool table = false)
    {
        var segments = Segments(text);
        bool escapeDollar = MathRisk(segments);
        bool escapeTilde = segments.Sum(x => x.Text.Count(c => c == '~')) > 1; // GFM strikethrough needs a pair
        var sb = new StringBuilder();
        bool inCode = false;
        foreach (var (kind, part) in segments)
        {
            bool atStart = sb.Length == 0;
            switch (kind)
            {
                case Kind.Markup:
                    foreach (char c in part)
                    {
                        if (c == '`')
                        {
                            inCode = !inCode;
                        }

                        if ((c == '$' && escapeDollar && !inCode) || (c == '|' && table))
                        {
                            sb.Append('\\');
                        }

                        sb.Append(c);
                    }

                    break;
                case Kind.Literal when inCode:
                    // Literal text inside a code span of the markup: shown as code; a backtick would end the span.
                    sb.Append(table ? part.Replace('`', '\'').Replace("|", "\\|", StringComparison.Ordinal) : part.Replace('`', '\''));
                    break;
                case Kind.Literal:
                    sb.Append(MdLiteral(part, atStart, escapeDollar, escapeTilde));
                    break;
                case Kind.Code:
                    sb.Append(MdCodeSpan(part, table));
                    break;
            }
        }

        return sb.ToString();
    }

    /// <summary>
    /// True when some "$" could open inline math and a later one close it: GitHub (like pandoc and commonmark-hs) reads
    /// <c>$…$</c> as math when the opening "$" is followed by a non-space and the closing one preceded by one.
    /// </summary>
    /// <remarks>
    /// "$4.68 M (P10) and $25.84 M" has no closer (a space precedes the second "$") and stays as written; "[-$1.2 M,
    /// -$0.4 M]" has one, so its dollars are escaped. Code spans are not scanned.
    /// </remarks>
    private static bool MathRisk(List<(Kind Kind, string Text)> segments)
    {
        var plain = new StringBuilder();
        bool inCode = false;
        foreach (var (kind, part) in segments)
        {
            if (kind == Kind.Code)
            {
                plain.Append(' ');
                continue;
            }

            foreach (char c in part)
            {
                if (kind == Kind.Markup && c == '`')
                {
                    inCode = !inCode;
                    plain.Append(' ');
                    continue;
                }

                plain.Append(inCode ? ' ' : c);
            }
        }

        return MayPairAsMath(plain.ToString());
    }

    /// <summary>
    /// True when two "$" of <paramref name="text"/> could be read as inline math: an opening "$" followed by a non-space
    /// and a later one preceded by a non-space (GitHub, pandoc, commonmark-hs), or "$ … $" with spaces inside both
    /// (Markdig also reads that as math).
    /// </summary>
    public static bool MayPairAsMath(string text)
    {
        bool opened = false, openedBySpace = false;
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '$')
            {
                continue;
            }

            bool spaceBefore = i == 0 || char.IsWhiteSpace(text[i - 1]);
            bool spaceAfter = i + 1 >= text.Length || char.IsWhiteSpace(text[i + 1]);
            if ((opened && !spaceBefore) || (openedBySpace && spaceBefore && i > 0))
            {
                return true;
            }

            opened |= !spaceAfter;
            openedBySpace |= spaceAfter && i + 1 < text.Length;
        }

        return false;
    }

    /// <summary>
    /// Escapes literal text for Markdown with a backslash before each character that could start markup here:
    /// <c>\ ` * [ ] &lt; |</c> always ("|" is needed in table cells, harmless elsewhere); "~" when the line holds two (a strikethrough pair); "_" unless inside a word (snake_case stays readable); "#" at the start or after
    /// a space (a heading, or a heading's closing sequence); "&amp;" before an entity name; "$" when
    /// <paramref name="escapeDollar"/>; and at the start of the line, a list, quote or rule marker ("- ", "+ ", "---",
    /// "&gt;", "1. " and "1) "; "-5 %" and "1.5 GPUs" stay as they are). Line breaks never reach here (<see cref="Clean"/>),
    /// so a setext underline cannot form. Links cannot form: not "[text](url)", "![image](url)" or "&lt;url&gt;", and not GitHub's bare
    /// autolinks either (the ":" of "://", "mailto:" and "xmpp:", the "." of "www." and the "@" of an address are escaped),
    /// so an address in a note reads as text, as in report.html. Plain words, numbers, spaces and most punctuation are left
    /// as they are.
    /// </summary>
    private static string MdLiteral(string s, bool atStart, bool escapeDollar, bool escapeTilde)
    {
        if (atStart)
        {
            s = s.TrimStart();
        }

        var sb = new StringBuilder(s.Length + 8);
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool escape = c switch
            {
                '\\' or '`' or '*' or '[' or ']' or '<' or '|' => true,
                '~' => escapeTilde,
                '_' => !(i > 0 && i + 1 < s.Length && char.IsLetterOrDigit(s[i - 1]) && char.IsLetterOrDigit(s[i + 1])),
                '#' => i == 0 || char.IsWhiteSpace(s[i - 1]),
                '&' => EntityLike(s, i),
                '$' => escapeDollar,
                '>' => atStart && i == 0,
                '-' => atStart && i == 0 && (SpaceOrEnd(s, i + 1) || s[i + 1] == '-'), // a list item or a rule ("---")
                '+' => atStart && i == 0 && SpaceOrEnd(s, i + 1),
                '.' => (atStart && i > 0 && AllDigits(s, i) && SpaceOrEnd(s, i + 1)) || EndsWithWord(s, i, "www"),
                ')' => atStart && i > 0 && AllDigits(s, i) && SpaceOrEnd(s, i + 1),
                ':' => (i + 2 < s.Length && s[i + 1] == '/' && s[i + 2] == '/') || EndsWithWord(s, i, "mailto") || EndsWithWord(s, i, "xmpp"),
                '@' => i > 0 && (char.IsLetterOrDigit(s[i - 1]) || s[i - 1] is '.' or '-' or '_' or '+'),
                _ => false,
            };
            if (escape)
            {
                sb.Append('\\');
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    /// <summary>True when <paramref name="word"/> (any case) ends just before <paramref name="end"/> and starts a word.</summary>
    private static bool EndsWithWord(string s, int end, string word)
    {
        int start = end - word.Length;
        return start >= 0 && s.AsSpan(start, word.Length).Equals(word, StringComparison.OrdinalIgnoreCase) && (start == 0 || !char.IsLetterOrDigit(s[start - 1]));
    }

    private static bool SpaceOrEnd(string s, int i) => i >= s.Length || char.IsWhiteSpace(s[i]);

    private static bool AllDigits(string s, int end)
    {
        for (int k = 0; k < end; k++)
        {
            if (!char.IsAsciiDigit(s[k]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool EntityLike(string s, int amp)
    {
        int k = amp + 1;
        if (k < s.Length && s[k] == '#')
        {
            k++;
        }

        int start = k;
        while (k < s.Length && char.IsAsciiLetterOrDigit(s[k]))
        {
            k++;
        }

        return k > start && k < s.Length && s[k] == ';';
    }

    /// <summary>A code span whose fence is longer than any run of backticks inside it (CommonMark), pipes escaped in tables.</summary>
    private static string MdCodeSpan(string s, bool table)
    {
        if (s.Length == 0)
        {
            return "";
        }

        string fence = new('`', LongestRun(s, '`') + 1);
        string pad = s[0] == '`' || s[^1] == '`' || s[0] == ' ' || s[^1] == ' ' ? " " : "";
        string body = table ? s.Replace("|", "\\|", StringComparison.Ordinal) : s;
        return fence + pad + body + pad + fence;
    }

    private static int LongestRun(string s, char c)
    {
        int best = 0, run = 0;
        foreach (char x in s)
        {
            run = x == c ? run + 1 : 0;
            best = Math.Max(best, run);
        }

        return best;
    }

    /// <summary>Control characters become spaces (so literal text stays on its line); bidirectional overrides and the literal markers are dropped.</summary>
    private static string Clean(string s)
    {
        var sb = new StringBuilder(s.Length);
        foreach (char c in s)
        {
            if (char.IsControl(c))
            {
                sb.Append(' ');
            }
            else if (!IsDropped(c))
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }

    /// <summary>As <see cref="Clean"/>, keeping line breaks (preformatted text).</summary>
    private static string CleanMultiline(string s) => string.Join('\n', s.ReplaceLineEndings("\n").Split('\n').Select(Clean));

    private static bool IsDropped(char c) => c is (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or (>= LiteralStart and <= SlotEnd);

    private static char Al(TableBlock t, int c) => c < t.Align.Length ? t.Align[c] : 'l';

    /// <summary>HTML of block text: markup's `code` and **bold** rendered, literal parts only encoded.</summary>
    private static string Inline(string text)
    {
        var slots = new List<string>();
        var sb = new StringBuilder();
        foreach (var (kind, part) in Segments(text))
        {
            switch (kind)
            {
                case Kind.Markup:
                    sb.Append(E(part).Replace("\\|", "|", StringComparison.Ordinal));
                    break;
                default:
                    sb.Append(SlotStart).Append(slots.Count.ToString(CultureInfo.InvariantCulture)).Append(SlotEnd);
                    slots.Add(kind == Kind.Code ? "<code>" + E(part) + "</code>" : E(part));
                    break;
            }
        }

        string s = CodeSpan().Replace(sb.ToString(), "<code>$1</code>");
        s = Bold().Replace(s, "<strong>$1</strong>");
        return slots.Count == 0 ? s : Slot().Replace(s, m => slots[int.Parse(m.Groups[1].ValueSpan, CultureInfo.InvariantCulture)]);
    }

    [GeneratedRegex("\uE004([0-9]+)\uE005")]
    private static partial Regex Slot();

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"\*\*(.+?)\*\*")]
    private static partial Regex Bold();

    private const string Css = """
        body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: #1a1a1a; line-height: 1.45; margin: 0; background: #fff; }
        main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; }
        h1 { font-size: 1.6rem; border-bottom: 2px solid #333; padding-bottom: .3rem; }
        h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #bbb; padding-bottom: .2rem; }
        h3 { font-size: 1.05rem; margin-top: 1.4rem; }
        table { border-collapse: collapse; margin: .6rem 0 1rem; font-size: .88rem; }
        th, td { border: 1px solid #bbb; padding: .25rem .5rem; vertical-align: top; }
        th { background: #eee; text-align: left; }
        .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
        code { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: .9em; background: #f3f3f3; padding: 0 .2em; }
        pre { font-family: Consolas, "DejaVu Sans Mono", monospace; font-size: .8rem; background: #f6f6f6; border: 1px solid #ddd; padding: .6rem; overflow-x: auto; white-space: pre-wrap; }
        figure { margin: 1rem 0; page-break-inside: avoid; break-inside: avoid; }
        figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
        figcaption { font-size: .85rem; color: #444; }
        .missing { color: #a00; }
        @media print {
          body { font-size: 10pt; }
          main { max-width: none; padding: 0; }
          h2 { page-break-after: avoid; break-after: avoid; }
          table, pre { page-break-inside: avoid; break-inside: avoid; }
          pre { white-space: pre-wrap; }
        }

        """;
}
