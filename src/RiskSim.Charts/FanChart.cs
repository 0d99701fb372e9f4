using ScottPlot;
using RiskSim.Reporting;

namespace RiskSim.Charts;

/// <summary>Fan chart over months: P10–P90 band, P50 line and an optional labelled reference line (e.g. break-even).</summary>
internal sealed class FanChart(FanData data) : ChartBase
{
    internal static readonly Color BandColor = Color.FromHex("#3A7DC9");

    /// <inheritdoc />
    public override string FileStem => ChartText.Stem("", data.FileStem);

    /// <inheritdoc />
    protected override bool ShowsPercentiles => true;

    /// <inheritdoc />
    protected override void Draw(Plot plot, int width, int height)
    {
        var months = ChartText.OrEmpty(data.Months);
        var p10 = ChartText.OrEmpty(data.P10);
        var p50 = ChartText.OrEmpty(data.P50);
        var p90 = ChartText.OrEmpty(data.P90);
        int n = new[] { months.Length, p10.Length, p50.Length, p90.Length }.Min();
        var idx = Enumerable.Range(0, n)
            .Where(i => double.IsFinite(months[i]) && double.IsFinite(p10[i]) && double.IsFinite(p50[i]) && double.IsFinite(p90[i]))
            .ToArray();
        double[] xs = idx.Select(i => months[i]).ToArray();
        double[] lo = idx.Select(i => Math.Min(p10[i], p90[i])).ToArray();
        double[] mid = idx.Select(i => p50[i]).ToArray();
        double[] hi = idx.Select(i => Math.Max(p10[i], p90[i])).ToArray();

        string yLabel = data.YLabel ?? "";
        double? reference = data.ReferenceLine is { } r && double.IsFinite(r) ? r : null;
        string unit = data.Unit ?? (ValueFormat.IsMoney(yLabel) || yLabel.Contains("USD", StringComparison.OrdinalIgnoreCase) ? "USD" : "");
        var fmt = ValueFormat.For(unit, lo.Concat(hi).Concat(reference.HasValue ? [reference.Value] : []));
        SetTitle(plot, string.IsNullOrWhiteSpace(data.Title) ? "P10–P90 range by month" : data.Title, width);
        plot.XLabel("month");
        plot.YLabel(data.Unit is null ? yLabel : fmt.AxisLabel(yLabel));
        if (xs.Length == 0)
        {
            AddNoDataNote(plot, "No finite values to show");
            return;
        }

        if (xs.Length >= 2)
        {
            var band = plot.Add.FillY(xs, lo, hi);
            band.FillColor = BandColor.WithAlpha(0.25);
            band.LineWidth = 0;
            band.LegendText = "P10–P90 band (80 % of trials)";
        }
        else
        {
            var bar = plot.Add.Scatter(new[] { xs[0], xs[0] }, new[] { lo[0], hi[0] }, BandColor.WithAlpha(0.5));
            bar.LineWidth = 8;
            bar.MarkerSize = 0;
            bar.LegendText = "P10–P90 range (80 % of trials)";
        }

        var median = plot.Add.Scatter(xs, mid, BandColor.Darken(0.2));
        median.LineWidth = 2.5f;
        median.MarkerSize = xs.Length == 1 ? 8 : 0;
        median.LegendText = "P50 (median)";

        if (reference is { } y)
        {
            var line = plot.Add.HorizontalLine(y, 1.5f, Colors.DarkRed, LinePattern.Dashed);
            line.ExcludeFromLegend = true;
            if (!string.IsNullOrWhiteSpace(data.ReferenceLabel))
            {
                var t = plot.Add.Text(data.ReferenceLabel, xs[0], y);
                t.LabelFontSize = AnnotationSize;
                t.LabelFontColor = Colors.DarkRed;
                t.LabelBold = true;
                t.LabelAlignment = Alignment.LowerLeft;
                t.LabelOffsetY = -3;
                t.LabelOffsetX = 4;
            }
        }

        var (yMin, yMax) = ChartText.Range(lo.Concat(hi).Concat(reference.HasValue ? [reference.Value] : []));
        var (xMin, xMax) = ChartText.Range(xs);
        double yPad = (yMax - yMin) * 0.06;
        plot.Axes.SetLimits(xMin, xMax, yMin - yPad, yMax + yPad);
        FormatTicks(plot.Axes.Left, fmt.Format);
        double[] monthTicks = MonthTicks(xMin, xMax);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(monthTicks, monthTicks.Select(m => m.ToString("#,0.##", ChartText.Inv)).ToArray());
        // The legend sits right of the data: inside it, it covered the band.
        plot.Legend.FontSize = AnnotationSize;
        plot.ShowLegend(Edge.Right);
        RightPanelPx = LegendOverheadPx + ChartText.WidthPx("P10–P90 band (80 % of trials)", AnnotationSize);
    }

    /// <summary>Month ticks every 1, 3, 6, 12, 24… months: at most about 12 of them.</summary>
    private static double[] MonthTicks(double min, double max)
    {
        double span = max - min;
        double step = new[] { 1.0, 3, 6, 12, 24, 60, 120 }.FirstOrDefault(s => span / s <= 12, ChartText.NiceStep(span, 10));
        var ticks = new List<double>();
        for (double t = Math.Ceiling(min / step) * step; t <= max + 1e-9 && ticks.Count < 100; t += step)
        {
            ticks.Add(t);
        }

        return ticks.ToArray();
    }
}
