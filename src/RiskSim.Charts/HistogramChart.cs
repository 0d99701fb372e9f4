using ScottPlot;
using RiskSim.Reporting;

namespace RiskSim.Charts;

/// <summary>
/// Histogram of one KPI's trial values as a share of all trials, with P10/P50/P90 marked.
/// With <c>nullBar</c> (payback), trials without a value get their own distinct bar labelled with <see cref="DistributionData.NullLabel"/>.
/// </summary>
internal sealed class HistogramChart : ChartBase
{
    internal static readonly Color BarColor = Color.FromHex("#5B8DB8");
    internal static readonly Color NullColor = Color.FromHex("#B03A2E");
    internal static readonly Color PercentileColor = Color.FromHex("#222222");
    internal static readonly Color LossColor = Color.FromHex("#C0392B");

    private readonly DistributionData _data;
    private readonly bool _nullBar;
    private readonly string _stem;

    /// <summary>A KPI histogram written as histogram-{kpi}.</summary>
    public HistogramChart(DistributionData data)
        : this(data, nullBar: false, ChartText.Stem("histogram", data.KpiKey))
    {
    }

    /// <summary>A histogram with an explicit file stem; <paramref name="nullBar"/> adds the "never" bar.</summary>
    public HistogramChart(DistributionData data, bool nullBar, string fileStem)
    {
        _data = data;
        _nullBar = nullBar;
        _stem = ChartText.Stem("", fileStem);
    }

    /// <inheritdoc />
    public override string FileStem => _stem;

    /// <inheritdoc />
    protected override bool ShowsPercentiles => true;

    /// <inheritdoc />
    protected override void Draw(Plot plot, int width, int height)
    {
        var d = _data;
        string title = string.IsNullOrWhiteSpace(d.Title) ? d.KpiKey ?? "KPI" : d.Title;
        double[] values = ChartText.Finite(d.Values);
        long trials = Math.Max(d.Trials, values.Length + Math.Max(0, d.NullCount));
        long nulls = Math.Clamp(d.NullCount, 0, trials);
        double nullShare = trials > 0 ? (double)nulls / trials : 0;
        double valueShare = trials > 0 ? 1 - nullShare : 1;

        var marks = ChartText.OrEmpty(d.Marks).Where(m => m is not null).ToArray();
        var fmt = ValueFormat.For(d.Unit, values.Concat(marks.Select(m => m.Value)).Concat([d.P10, d.P50, d.P90]));
        if (marks.Length == 0)
        {
            marks = [.. new[] { ("P10", d.P10), ("P50", d.P50), ("P90", d.P90) }.Select(p => new StatMark(p.Item1, p.Item2, fmt.WithUnit(p.Item2)))];
        }

        string allTrials = $"{trials.ToString("#,0", ChartText.Inv)} trials";
        SetTitle(plot, values.Length == 0 && nulls == 0 ? $"{title}: no trials to show" : $"{title}: distribution of {allTrials}", width);
        plot.XLabel(fmt.AxisLabel(title));
        plot.YLabel("share of all trials (%)");
        FormatTicks(plot.Axes.Left, v => v.ToString("#,0.#", ChartText.Inv) + " %");
        string? barsFrom = d.BarsFrom ?? (d.FromFirstTrials > 0 ? $"the run's first {d.FromFirstTrials.ToString("#,0", ChartText.Inv)} trials" : null);
        if (barsFrom is not null)
        {
            AddFootnote($"Bars drawn from {barsFrom}; marked percentiles{(d.ShareBelowZero.HasValue ? " and the share below 0" : "")} exact over all {allTrials}.");
        }

        if (values.Length == 0 && (!_nullBar || nulls == 0))
        {
            AddNoDataNote(plot, "No finite values to show");
            return;
        }

        var (min, max) = values.Length > 0 ? ChartText.Range(values) : (0.0, 1.0);

        // 0 is marked when asked (NPV, ROI): on the axis when it is near the data, otherwise the legend says where it is.
        bool zeroShown = false;
        if (d.ShareBelowZero.HasValue && values.Length > 0)
        {
            double span = max - min;
            zeroShown = (min <= 0 && max >= 0) || (min > 0 && min <= span) || (max < 0 && -max <= span);
            if (zeroShown)
            {
                min = Math.Min(min, 0);
                max = Math.Max(max, 0);
            }
        }

        double binWidth = BinWidth(values, min, max, _nullBar);
        // Payback bins start at whole months; with 0 marked, one bin edge sits at 0 so no bar straddles the loss line.
        double start = _nullBar || zeroShown ? Math.Floor(min / binWidth) * binWidth : min;
        if (values.Length > 0 && values.Min() == values.Max())
        {
            start = values[0] - binWidth / 2;
        }

        int bins = values.Length > 0 && values.Min() == values.Max() ? 1 : Math.Max(1, (int)Math.Ceiling((max - start) / binWidth - 1e-9));
        if (values.Length > 0 && values.Max() >= start + bins * binWidth)
        {
            bins++;
        }

        var counts = new long[bins];
        foreach (double v in values)
        {
            counts[Math.Clamp((int)Math.Floor((v - start) / binWidth), 0, bins - 1)]++;
        }

        double perValue = values.Length > 0 ? 100.0 * valueShare / values.Length : 0;
        var rects = new List<Bar>(bins + 1);
        for (int i = 0; i < bins; i++)
        {
            if (counts[i] == 0)
            {
                continue;
            }

            rects.Add(new Bar
            {
                Position = start + (i + 0.5) * binWidth,
                Value = counts[i] * perValue,
                Size = binWidth * 0.95,
                FillColor = BarColor,
                LineWidth = 0,
            });
        }

        double xMin = start;
        double xMax = start + bins * binWidth;
        double yMax = rects.Count > 0 ? rects.Max(r => r.Value) : 0;
        var ticks = new List<(double, string)>();
        var legend = new List<LegendItem>();
        double nullX = double.NaN, nullHalfWidth = 0;
        if (_nullBar)
        {
            double step = ChartText.NiceStep(xMax - xMin, 8);
            for (double t = Math.Ceiling(xMin / step) * step; t <= xMax + 1e-9; t += step)
            {
                ticks.Add((t, fmt.Format(t)));
            }

            if (nulls > 0)
            {
                double nullWidth = Math.Max(binWidth * 3, (xMax - xMin) * 0.07);
                nullX = xMax + nullWidth * 1.3; // a gap, so its two-line tick label clears the last month's
                nullHalfWidth = nullWidth / 2;
                rects.Add(new Bar
                {
                    Position = nullX,
                    Value = 100.0 * nullShare,
                    Size = nullWidth,
                    FillColor = NullColor,
                    LineWidth = 0,
                });
                ticks.Add((nullX, ChartText.Wrap(string.IsNullOrWhiteSpace(d.NullLabel) ? "never" : d.NullLabel, 14)));
                xMax = nullX + nullWidth * 0.75;
                yMax = Math.Max(yMax, 100.0 * nullShare);
            }
        }

        if (yMax <= 0)
        {
            yMax = 1;
        }

        // Shares of all trials never exceed 100 %: the axis stops there (with a little room above shorter bars).
        double yTop = Math.Min(100, yMax * 1.12);
        double xPad = (xMax - xMin) * 0.03;
        if (zeroShown)
        {
            var loss = plot.Add.HorizontalSpan(xMin - xPad, 0, LossColor.WithAlpha(0.12));
            loss.LineWidth = 0;
        }

        if (rects.Count > 0)
        {
            plot.Add.Bars(rects);
        }

        if (nulls > 0 && _nullBar)
        {
            double nullValue = 100.0 * nullShare;
            // Above the bar, or beside its top (to the left) when the bar reaches the top of the axis.
            bool beside = nullValue + yTop * 0.06 > yTop;
            var label = plot.Add.Text($"{KpiFormat.Probability(nullShare)} of trials", beside ? nullX - nullHalfWidth : nullX, nullValue);
            label.LabelFontSize = AnnotationSize;
            label.LabelBold = true;
            label.LabelFontColor = NullColor;
            label.LabelAlignment = beside ? Alignment.UpperRight : Alignment.LowerCenter;
            label.LabelOffsetY = beside ? 2 : -3;
            label.LabelOffsetX = beside ? -5 : 0;
            label.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        }

        if (d.ShareBelowZero is { } below)
        {
            string share = $"{d.BelowZeroLabel ?? "below 0"}: {KpiFormat.Probability(below)} of trials";
            if (zeroShown)
            {
                var zero = plot.Add.VerticalLine(0, 2f, LossColor, LinePattern.Solid);
                zero.ExcludeFromLegend = true;
                legend.Add(new LegendItem { LabelText = $"{title} = 0", LineColor = LossColor, LineWidth = 2 });
                legend.Add(new LegendItem { LabelText = ChartText.Wrap(share, 30), FillColor = LossColor.WithAlpha(0.12) });
            }
            else
            {
                legend.Add(new LegendItem { LabelText = ChartText.Wrap(share + (min > 0 ? " (0 is far left of the chart)" : " (0 is far right of the chart)"), 30) });
            }
        }

        AddPercentileLines(plot, marks, legend);
        plot.Axes.SetLimits(xMin - xPad, xMax + xPad, 0, yTop);
        if (_nullBar)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => t.Item1).ToArray(), ticks.Select(t => t.Item2).ToArray());
        }
        else
        {
            FormatTicks(plot.Axes.Bottom, fmt.Format);
        }

        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
        if (legend.Count > 0)
        {
            // The legend sits right of the data, so no label ever covers a bar or a marker line.
            plot.Legend.ManualItems.AddRange(legend);
            plot.Legend.FontSize = AnnotationSize;
            plot.ShowLegend(Edge.Right);
            RightPanelPx = LegendOverheadPx + legend.Max(l => ChartText.WidthPx(l.LabelText, AnnotationSize));
        }
    }

    private static double BinWidth(double[] values, double min, double max, bool integerBins)
    {
        if (values.Length == 0 || max <= min)
        {
            return 1;
        }

        int target = Math.Clamp((int)Math.Sqrt(values.Length), 8, 50);
        double w = (max - min) / target;
        if (values.Min() == values.Max())
        {
            w = max - min;
        }

        return integerBins ? Math.Max(1, Math.Ceiling(w)) : w;
    }

    /// <summary>A vertical line per percentile that exists as a number, its value in the legend; percentiles that do not ("never") are listed once, at the red bar's colour.</summary>
    private static void AddPercentileLines(Plot plot, StatMark[] marks, List<LegendItem> legend)
    {
        var never = new List<string>();
        foreach (var m in marks)
        {
            if (!double.IsFinite(m.Value))
            {
                never.Add(m.Name);
                continue;
            }

            var (color, pattern) = MarkStyle(m.Name);
            var line = plot.Add.VerticalLine(m.Value, 2f, color, pattern);
            line.ExcludeFromLegend = true;
            legend.Add(new LegendItem { LabelText = $"{m.Name} {m.Text}", LineColor = color, LineWidth = 2, LinePattern = pattern });
        }

        if (never.Count > 0)
        {
            legend.Add(new LegendItem { LabelText = $"{string.Join(", ", never)}: {marks.First(m => !double.IsFinite(m.Value)).Text}", FillColor = NullColor });
        }
    }

    /// <summary>P10 dashed orange, P50 solid black, P90 dashed blue (the tornado's colours for the two ends).</summary>
    internal static (Color Color, LinePattern Pattern) MarkStyle(string name) => name switch
    {
        "P10" => (Color.FromHex("#B35A1F"), LinePattern.Dashed),
        "P90" => (Color.FromHex("#1F5FA6"), LinePattern.Dashed),
        _ => (PercentileColor, LinePattern.Solid),
    };
}
