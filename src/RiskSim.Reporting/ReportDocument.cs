using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace RiskSim.Reporting;

/// <summary>A block of a report: rendered both as Markdown and as self-contained HTML.</summary>
public abstract record ReportBlock;

/// <summary>A heading (level 1–3).</summary>
public sealed record HeadingBlock(int Level, string Text) : ReportBlock;

/// <summary>A paragraph. Inline `code` and **bold** are rendered in both formats.</summary>
public sealed record ParagraphBlock(string Text) : ReportBlock;

/// <summary>A bullet list.</summary>
public sealed record BulletsBlock(IReadOnlyList<string> Items) : ReportBlock;

/// <summary>A table; <paramref name="Align"/> has one character per column: 'l' or 'r'.</summary>
public sealed record TableBlock(IReadOnlyList<string> Header, string Align, IReadOnlyList<IReadOnlyList<string>> Rows) : ReportBlock;

/// <summary>Preformatted text.</summary>
public sealed record PreBlock(string Text) : ReportBlock;

/// <summary>An image file of the run folder (Markdown links it; HTML embeds it as a data: URI).</summary>
public sealed record ImageBlock(string FileName, string Alt, string Caption) : ReportBlock;

/// <summary>Renders report blocks. Output is deterministic and uses "\n" line ends.</summary>
public static partial class ReportDocument
{
    /// <summary>Markdown (GitHub flavour).</summary>
    public static string Markdown(IEnumerable<ReportBlock> blocks)
    {
        var sb = new StringBuilder();
        foreach (var b in blocks)
        {
            switch (b)
            {
                case HeadingBlock h:
                    sb.Append('#', h.Level).Append(' ').Append(Md(h.Text)).Append("\n\n");
                    break;
                case ParagraphBlock p:
                    sb.Append(Md(p.Text)).Append("\n\n");
                    break;
                case BulletsBlock l:
                    foreach (var i in l.Items)
                    {
                        sb.Append("- ").Append(Md(i)).Append('\n');
                    }

                    sb.Append('\n');
                    break;
                case TableBlock t:
                    sb.Append("| ").Append(string.Join(" | ", t.Header.Select(c => Md(Fmt.Md(c))))).Append(" |\n|");
                    for (int c = 0; c < t.Header.Count; c++)
                    {
                        sb.Append(Al(t, c) == 'r' ? "---:|" : "---|");
                    }

                    sb.Append('\n');
                    foreach (var r in t.Rows)
                    {
                        sb.Append("| ").Append(string.Join(" | ", r.Select(c => Md(Fmt.Md(c))))).Append(" |\n");
                    }

                    sb.Append('\n');
                    break;
                case PreBlock pre:
                    sb.Append("```text\n").Append(pre.Text.TrimEnd('\n')).Append("\n```\n\n");
                    break;
                case ImageBlock img:
                    sb.Append("![").Append(img.Alt).Append("](").Append(img.FileName).Append(")\n\n*").Append(Md(img.Caption)).Append("*\n\n");
                    break;
            }
        }

        return sb.ToString().TrimEnd('\n') + "\n";
    }

    /// <summary>
    /// Self-contained HTML: inline CSS (print-friendly), all text HTML-encoded, images embedded as
    /// base64 data: URIs read from <paramref name="imageDirectory"/> (skipped when absent), no external
    /// references. XHTML-compatible (every element closed) so it parses as XML.
    /// </summary>
    public static string Html(string title, IEnumerable<ReportBlock> blocks, string? imageDirectory)
    {
        var sb = new StringBuilder();
        sb.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\" />\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\" />\n<title>")
          .Append(E(title)).Append("</title>\n<style>\n").Append(Css).Append("</style>\n</head>\n<body>\n<main>\n");
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
                    sb.Append("<pre>").Append(E(pre.Text.TrimEnd('\n'))).Append("</pre>\n");
                    break;
                case ImageBlock img:
                    string? path = imageDirectory is null ? null : Path.Combine(imageDirectory, img.FileName);
                    sb.Append("<figure>\n");
                    if (path is not null && File.Exists(path))
                    {
                        sb.Append("<img alt=\"").Append(E(img.Alt)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(File.ReadAllBytes(path))).Append("\" />\n");
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

    /// <summary>Escapes "$" outside code spans so GitHub does not read amounts such as "$4.6 M … $5.1 M" as inline math.</summary>
    private static string Md(string text)
    {
        if (!text.Contains('$', StringComparison.Ordinal))
        {
            return text;
        }

        var parts = text.Split('`');
        for (int i = 0; i < parts.Length; i += 2)
        {
            parts[i] = parts[i].Replace("$", "\\$", StringComparison.Ordinal);
        }

        return string.Join('`', parts);
    }

    private static char Al(TableBlock t, int c) => c < t.Align.Length ? t.Align[c] : 'l';

    private static string Inline(string text)
    {
        string s = E(text).Replace("\\|", "|", StringComparison.Ordinal);
        s = CodeSpan().Replace(s, "<code>$1</code>");
        s = Bold().Replace(s, "<strong>$1</strong>");
        return s;
    }

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
