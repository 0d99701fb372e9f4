using ScottPlot;
using RiskSim.Reporting;

namespace RiskSim.Charts;

/// <summary>
/// Tornado: one horizontal bar per input, drawn from the base value (the KPI with every input at its median)
/// to the KPI with that input at its P10 and at its P90; largest swing on top; input values at the bar ends.
/// </summary>
internal sealed class TornadoChart(TornadoData data) : ChartBase
{
    internal static readonly Color LowColor = Color.FromHex("#E07B39");
    internal static readonly Color HighColor = Color.FromHex("#3A7DC9");

    /// <inheritdoc />
    public override string FileStem => ChartText.Stem("tornado", data.KpiKey);

    /// <inheritdoc />
    protected override bool ShowsPercentiles => true;

    /// <inheritdoc />
    protected override void Draw(Plot plot, int width, int height)
    {
        string kpi = string.IsNullOrWhiteSpace(data.KpiTitle) ? data.KpiKey ?? "KPI" : data.KpiTitle;
        SetTitle(plot, $"What moves {kpi}: one input at a time from its P10 to its P90", width);
        var bars = ChartText.OrEmpty(data.Bars)
            .Where(b => b is not null && double.IsFinite(b.KpiAtLow) && double.IsFinite(b.KpiAtHigh))
            .OrderByDescending(b => b.Swing)
            .ToArray();
        double baseValue = double.IsFinite(data.BaseValue) ? data.BaseValue
            : bars.Length > 0 ? bars.Average(b => (b.KpiAtLow + b.KpiAtHigh) / 2) : 0;
        var fmt = ValueFormat.For(data.Unit, bars.SelectMany(b => new[] { b.KpiAtLow, b.KpiAtHigh }).Append(baseValue));
        plot.XLabel($"{fmt.AxisLabel(kpi)}; bars start at the base value {data.BaseText ?? fmt.WithUnit(baseValue)} (all inputs at their P50)");
        AddFootnote(data.Footnote);
        LeftPanelPx = 30 + (bars.Length == 0 ? 40 : bars.Max(b => ChartText.WidthPx(string.IsNullOrWhiteSpace(b.Label) ? b.Input : b.Label, TickSize)));
        if (bars.Length == 0)
        {
            AddNoDataNote(plot, "No sensitivity bars to show");
            return;
        }

        int n = bars.Length;
        var rects = new List<Bar>(2 * n);
        for (int i = 0; i < n; i++)
        {
            var b = bars[i];
            double y = n - 1 - i;
            var low = Segment(y, baseValue, b.KpiAtLow, LowSegmentColor(b));
            var high = Segment(y, baseValue, b.KpiAtHigh, HighSegmentColor(b));

            // The longer segment first, so a shorter one on the same side stays visible on top of it.
            bool lowFirst = Math.Abs(b.KpiAtLow - baseValue) >= Math.Abs(b.KpiAtHigh - baseValue);
            rects.Add(lowFirst ? low : high);
            rects.Add(lowFirst ? high : low);
        }

        var barPlot = plot.Add.Bars(rects);
        barPlot.Horizontal = true;

        var (min, max) = ChartText.Range(bars.SelectMany(b => new[] { b.KpiAtLow, b.KpiAtHigh }).Append(baseValue));
        double span = max - min;
        float leftLabelPx = 0, rightLabelPx = 0;
        for (int i = 0; i < n; i++)
        {
            var b = bars[i];
            double y = n - 1 - i;
            foreach (var (text, left) in AddEndLabels(plot, b, y, baseValue))
            {
                float w = ChartText.WidthPx(text, AnnotationSize);
                leftLabelPx = left ? Math.Max(leftLabelPx, w) : leftLabelPx;
                rightLabelPx = left ? rightLabelPx : Math.Max(rightLabelPx, w);
            }
        }

        var baseLine = plot.Add.VerticalLine(baseValue, 1.5f, Colors.Black);
        baseLine.LinePattern = LinePattern.Solid;

        // Room for the labels at the bar ends: measure their width in pixels and convert to data units.
        double leftPx = leftLabelPx + 12;
        double rightPx = rightLabelPx + 12;
        double plotPx = width - 20 - LeftPanelPx;
        double perPx = span / Math.Max(100, plotPx - leftPx - rightPx);
        plot.Axes.SetLimits(min - Math.Max(leftPx * perPx, 0.03 * span), max + Math.Max(rightPx * perPx, 0.03 * span), -0.7, n - 0.3);
        FormatTicks(plot.Axes.Bottom, fmt.Format);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            Enumerable.Range(0, n).Select(i => (double)(n - 1 - i)).ToArray(),
            bars.Select(b => string.IsNullOrWhiteSpace(b.Label) ? b.Input ?? "" : b.Label).ToArray());
        plot.Axes.Left.MajorTickStyle.Length = 0;
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0;

        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "input at its P10", FillColor = LowColor });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = "input at its P90", FillColor = HighColor });
        plot.Legend.FontSize = AnnotationSize;
        plot.ShowLegend(Alignment.LowerRight);
    }

    /// <summary>Colour of the low segment: orange when the input (a group: its first member) is at its P10 there, blue at its P90.</summary>
    internal static Color LowSegmentColor(TornadoBar b) => b.LowEnd == InputEnd.P10 ? LowColor : HighColor;

    /// <summary>Colour of the high segment: the other end's colour.</summary>
    internal static Color HighSegmentColor(TornadoBar b) => b.LowEnd == InputEnd.P10 ? HighColor : LowColor;

    private static Bar Segment(double y, double baseValue, double value, Color color) => new()
    {
        Position = y,
        ValueBase = baseValue,
        Value = value,
        Size = 0.7,
        FillColor = color,
        LineWidth = 0,
    };

    /// <summary>Adds the input values at the bar ends; returns each label with its side (true = left of its end).</summary>
    private static List<(string Text, bool Left)> AddEndLabels(Plot plot, TornadoBar b, double y, double baseValue)
    {
        string low = b.LowInput ?? "";
        string high = b.HighInput ?? "";
        bool lowLeft = b.KpiAtLow < baseValue || (b.KpiAtLow == baseValue && b.KpiAtHigh >= baseValue);
        bool highLeft = b.KpiAtHigh < baseValue || (b.KpiAtHigh == baseValue && !lowLeft);
        if (lowLeft == highLeft)
        {
            // Both ends on the same side: one label at the far end listing both values.
            double far = Math.Abs(b.KpiAtLow - baseValue) >= Math.Abs(b.KpiAtHigh - baseValue) ? b.KpiAtLow : b.KpiAtHigh;
            string both = b.IsGroup ? $"{low} / {high}" : $"P10 {low} / P90 {high}";
            EndLabel(plot, both, far, y, lowLeft, Colors.Black);
            return [(both, lowLeft)];
        }

        EndLabel(plot, low, b.KpiAtLow, y, lowLeft, LowSegmentColor(b).Darken(0.35));
        EndLabel(plot, high, b.KpiAtHigh, y, highLeft, HighSegmentColor(b).Darken(0.35));
        return [(low, lowLeft), (high, highLeft)];
    }

    private static void EndLabel(Plot plot, string text, double x, double y, bool left, Color color)
    {
        if (text.Length == 0)
        {
            return;
        }

        var t = plot.Add.Text(text, x, y);
        t.LabelFontSize = AnnotationSize;
        t.LabelFontColor = color;
        t.LabelAlignment = left ? Alignment.MiddleRight : Alignment.MiddleLeft;
        t.LabelOffsetX = left ? -4 : 4;
    }
}
