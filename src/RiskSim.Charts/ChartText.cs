using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace RiskSim.Charts;

/// <summary>Text and data helpers: wrapping, file-name stems, finite filtering, nice tick steps.</summary>
internal static class ChartText
{
    internal static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Roughly how many characters of a font size fit across an image of this width.</summary>
    internal static int CharsPerLine(int width, float fontSize) =>
        Math.Max(30, (int)((width - 60) / (fontSize * 0.58)));

    /// <summary>Word-wraps text at spaces so no line is longer than <paramref name="max"/> (unless a word is).</summary>
    internal static string Wrap(string? text, int max)
    {
        if (string.IsNullOrEmpty(text) || text.Length <= max)
        {
            return text ?? "";
        }

        var sb = new StringBuilder();
        int lineLength = 0;
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (lineLength > 0 && lineLength + 1 + word.Length > max)
            {
                sb.Append('\n');
                lineLength = 0;
            }
            else if (lineLength > 0)
            {
                sb.Append(' ');
                lineLength++;
            }

            sb.Append(word);
            lineLength += word.Length;
        }

        return sb.ToString();
    }

    /// <summary>Width in pixels of the widest line of <paramref name="text"/> in the charts' font.</summary>
    internal static float WidthPx(string? text, float fontSize, bool bold = false)
    {
        if (string.IsNullOrEmpty(text))
        {
            return 0;
        }

        using var font = new SkiaSharp.SKFont(ScottPlot.Fonts.GetTypeface(ChartBase.FontName, bold, false), fontSize);
        return text.Split('\n').Max(line => font.MeasureText(line));
    }

    /// <summary>Word-wraps text at spaces so no line is wider than <paramref name="maxPx"/> pixels (unless a word is).</summary>
    internal static string WrapPx(string? text, float maxPx, float fontSize)
    {
        if (string.IsNullOrEmpty(text) || WidthPx(text, fontSize) <= maxPx)
        {
            return text ?? "";
        }

        var lines = new List<string>();
        string line = "";
        foreach (string word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = line.Length == 0 ? word : line + " " + word;
            if (line.Length > 0 && WidthPx(candidate, fontSize) > maxPx)
            {
                lines.Add(line);
                line = word;
            }
            else
            {
                line = candidate;
            }
        }

        lines.Add(line);
        return string.Join("\n", lines);
    }

    /// <summary>A file-name-safe stem: lower case, only [a-z0-9_-]; "chart" if nothing is left.</summary>
    internal static string Stem(string prefix, string? key)
    {
        var sb = new StringBuilder();
        foreach (char c in (key ?? "").Trim().ToLowerInvariant())
        {
            sb.Append(c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-' ? c : '-');
        }

        string k = sb.ToString().Trim('-');
        return prefix.Length == 0 ? (k.Length == 0 ? "chart" : k) : (k.Length == 0 ? prefix : prefix + "-" + k);
    }

    /// <summary>The finite values of an array (a default array counts as empty).</summary>
    internal static double[] Finite(ImmutableArray<double> values) =>
        values.IsDefaultOrEmpty ? [] : values.Where(double.IsFinite).ToArray();

    /// <summary>A default array counts as empty.</summary>
    internal static ImmutableArray<T> OrEmpty<T>(ImmutableArray<T> values) => values.IsDefault ? [] : values;

    /// <summary>Finite or null.</summary>
    internal static double? FiniteOrNull(double v) => double.IsFinite(v) ? v : null;

    /// <summary>A 1/2/5×10^k step giving about <paramref name="target"/> intervals over the span.</summary>
    internal static double NiceStep(double span, int target)
    {
        if (!(span > 0) || !double.IsFinite(span))
        {
            return 1;
        }

        double raw = span / Math.Max(1, target);
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double f = raw / mag;
        double nice = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
        return nice * mag;
    }

    /// <summary>(min, max) of finite values, widened when all equal; (0, 1) when empty.</summary>
    internal static (double Min, double Max) Range(IEnumerable<double> values)
    {
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        foreach (double v in values)
        {
            if (double.IsFinite(v))
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
        }

        if (min > max)
        {
            return (0, 1);
        }

        if (max - min <= Math.Abs(max) * 1e-12)
        {
            double pad = max == 0 ? 1 : Math.Abs(max) * 0.1;
            return (min - pad, max + pad);
        }

        return (min, max);
    }
}
