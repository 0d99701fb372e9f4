using ScottPlot;
using RiskSim.Reporting;

namespace RiskSim.Charts;

/// <summary>Spider plot: one line per input, the KPI as that input moves through its percentiles with the others at base.</summary>
internal sealed class SpiderChart(SpiderData data) : ChartBase
{
    /// <inheritdoc />
    public override string FileStem => ChartText.Stem("spider", data.KpiKey);

    /// <inheritdoc />
    protected override bool ShowsPercentiles => true;

    /// <inheritdoc />
    protected override void Draw(Plot plot, int width, int height)
    {
        string kpi = string.IsNullOrWhiteSpace(data.KpiTitle) ? data.KpiKey ?? "KPI" : data.KpiTitle;
        var lines = ChartText.OrEmpty(data.Lines)
            .Where(l => l is not null)
            .Select(l =>
            {
                var px = ChartText.OrEmpty(l.InputPercentiles);
                var ky = ChartText.OrEmpty(l.KpiValues);
                var pts = Enumerable.Range(0, Math.Min(px.Length, ky.Length))
                    .Where(i => double.IsFinite(px[i]) && double.IsFinite(ky[i]))
                    .Select(i => (X: px[i], Y: ky[i]))
                    .OrderBy(p => p.X)
                    .ToArray();
                return (Label: l.Label ?? "", Points: pts);
            })
            .Where(l => l.Points.Length > 0)
            .ToArray();
        double? baseValue = ChartText.FiniteOrNull(data.BaseValue);
        var allY = lines.SelectMany(l => l.Points.Select(p => p.Y)).Concat(baseValue.HasValue ? [baseValue.Value] : []).ToArray();
        var fmt = ValueFormat.For(data.Unit, allY);
        SetTitle(plot, $"{kpi} as each input moves through its percentiles (other inputs at their P50)", width);
        plot.XLabel("input percentile");
        plot.YLabel(fmt.AxisLabel(kpi));
        if (lines.Length == 0)
        {
            AddNoDataNote(plot, "No sensitivity lines to show");
            return;
        }

        var (xMin, xMax) = ChartText.Range(lines.SelectMany(l => l.Points.Select(p => p.X)));
        if (baseValue is { } b)
        {
            var baseLine = plot.Add.HorizontalLine(b, 1.5f, Colors.Black, LinePattern.Dashed);
            baseLine.ExcludeFromLegend = true;
            var t = plot.Add.Text("base " + fmt.WithUnit(b), xMax, b);
            t.LabelFontSize = AnnotationSize;
            t.LabelBold = true;
            t.LabelAlignment = Alignment.LowerRight;
            t.LabelOffsetY = -3;
            t.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        }

        foreach (var (label, pts) in lines)
        {
            var s = plot.Add.Scatter(pts.Select(p => p.X).ToArray(), pts.Select(p => p.Y).ToArray());
            s.LineWidth = 2.5f;
            s.MarkerSize = 6;
            s.LegendText = label;
        }

        var (yMin, yMax) = ChartText.Range(allY);
        double yPad = (yMax - yMin) * 0.06;
        plot.Axes.SetLimits(xMin - (xMax - xMin) * 0.03, xMax + (xMax - xMin) * 0.03, yMin - yPad, yMax + yPad);
        FormatTicks(plot.Axes.Left, fmt.Format);
        var ticks = PercentileTicks(xMin, xMax);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks, ticks.Select(t => "P" + t.ToString("0.#", ChartText.Inv)).ToArray());
        plot.Legend.FontSize = AnnotationSize;
        plot.ShowLegend(Edge.Right);
        RightPanelPx = LegendOverheadPx + lines.Max(l => ChartText.WidthPx(l.Label, AnnotationSize));
    }

    private static double[] PercentileTicks(double min, double max)
    {
        double step = ChartText.NiceStep(max - min, 8);
        var ticks = new List<double>();
        for (double t = Math.Ceiling(min / step) * step; t <= max + 1e-9 && ticks.Count < 50; t += step)
        {
            ticks.Add(Math.Round(t, 10));
        }

        return ticks.ToArray();
    }
}
