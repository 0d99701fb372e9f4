using RiskSim.Reporting;
using ScottPlot;

namespace RiskSim.Charts;

/// <summary>
/// Histogram of one KPI's trial values as a share of all trials, with P10/P50/P90 marked.
/// With <c>nullBar</c> (payback), trials without a value get their own distinct bar labelled with <see cref="DistributionData.NullLabel"/>.
/// </summary>
public sealed class HistogramChart : ChartBase
{
    internal static readonly Color BarColor = Color.FromHex("#5B8DB8");
    internal static readonly Color NullColor = Color.FromHex("#B03A2E");
    internal static readonly Color PercentileColor = Color.FromHex("#222222");

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

        var percentiles = new (string Name, double? Value)[]
        {
            ("P10", ChartText.FiniteOrNull(d.P10)), ("P50", ChartText.FiniteOrNull(d.P50)), ("P90", ChartText.FiniteOrNull(d.P90)),
        };
        var fmt = ValueFormat.For(d.Unit, values.Concat(percentiles.Where(p => p.Value.HasValue).Select(p => p.Value!.Value)));
        string trialsText = trials > 0 ? $"{trials.ToString("#,0", ChartText.Inv)} trials" : "no trials";
        SetTitle(plot, values.Length == 0 && nulls == 0
            ? $"{title}: no trials to show"
            : _nullBar || percentiles.All(p => p.Value is null)
            ? $"{title}: distribution over {trialsText}"
            : $"{title}: distribution over {trialsText} with P10 / P50 / P90", width);
        plot.XLabel(fmt.AxisLabel(title));
        plot.YLabel(d.FromFirstTrials > 0 ? $"share of all trials (%), bars from the first {d.FromFirstTrials.ToString("#,0", ChartText.Inv)}" : "share of all trials (%)");
        FormatTicks(plot.Axes.Left, v => v.ToString("#,0.#", ChartText.Inv) + " %");

        if (values.Length == 0 && (!_nullBar || nulls == 0))
        {
            AddNoDataNote(plot, "No finite values to show");
            return;
        }

        var (min, max) = values.Length > 0 ? ChartText.Range(values) : (0.0, 1.0);
        double binWidth = BinWidth(values, min, max, _nullBar);
        double start = _nullBar ? Math.Floor(min / binWidth) * binWidth : min;
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
        if (_nullBar)
        {
            double step = ChartText.NiceStep(xMax - xMin, 8);
            for (double t = Math.Ceiling(xMin / step) * step; t <= xMax + 1e-9; t += step)
            {
                ticks.Add((t, fmt.Format(t)));
            }

            if (nulls > 0)
            {
                double nullWidth = Math.Max(binWidth * 3, (xMax - xMin) * 0.06);
                double nullX = xMax + nullWidth;
                double nullValue = 100.0 * nullShare;
                rects.Add(new Bar
                {
                    Position = nullX,
                    Value = nullValue,
                    Size = nullWidth,
                    FillColor = NullColor,
                    LineWidth = 0,
                });
                var label = plot.Add.Text($"{nullValue.ToString("0.#", ChartText.Inv)} % of trials", nullX, nullValue);
                label.LabelFontSize = AnnotationSize;
                label.LabelBold = true;
                label.LabelFontColor = NullColor;
                label.LabelAlignment = Alignment.LowerCenter;
                label.LabelOffsetY = -3;
                ticks.Add((nullX, ChartText.Wrap(string.IsNullOrWhiteSpace(d.NullLabel) ? "never" : d.NullLabel, 14)));
                xMax = nullX + nullWidth * 0.75;
                yMax = Math.Max(yMax, nullValue);
            }
        }

        if (rects.Count > 0)
        {
            plot.Add.Bars(rects);
        }

        if (yMax <= 0)
        {
            yMax = 1;
        }

        AddPercentileLines(plot, percentiles, fmt, yMax, xMin, xMax);
        plot.Axes.SetLimits(xMin - (xMax - xMin) * 0.03, xMax + (xMax - xMin) * 0.03, 0, yMax * 1.32);
        if (_nullBar)
        {
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks.Select(t => t.Item1).ToArray(), ticks.Select(t => t.Item2).ToArray());
        }
        else
        {
            FormatTicks(plot.Axes.Bottom, fmt.Format);
        }

        plot.Grid.XAxisStyle.MajorLineStyle.Width = 0;
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

    private static void AddPercentileLines(Plot plot, (string Name, double? Value)[] percentiles, ValueFormat fmt, double yMax, double xMin, double xMax)
    {
        // Labels at staggered heights so close percentiles do not overlap.
        double[] heights = [1.26, 1.17, 1.08];
        for (int i = 0; i < percentiles.Length; i++)
        {
            if (percentiles[i].Value is not { } x)
            {
                continue;
            }

            var line = plot.Add.VerticalLine(x, 2f, PercentileColor, i == 1 ? LinePattern.Solid : LinePattern.Dashed);
            line.ExcludeFromLegend = true;
            var t = plot.Add.Text($"{percentiles[i].Name} {fmt.WithUnit(x)}", x, yMax * heights[i]);
            t.LabelFontSize = AnnotationSize;
            t.LabelBold = true;
            t.LabelFontColor = PercentileColor;
            t.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
            // P10 to the left of its line, P50/P90 to the right, unless that runs off the plot.
            double at = xMax > xMin ? (x - xMin) / (xMax - xMin) : 0.5;
            bool left = i == 0 ? at > 0.25 : at > 0.75;
            t.LabelAlignment = left ? Alignment.MiddleRight : Alignment.MiddleLeft;
            t.LabelOffsetX = left ? -5 : 5;
        }
    }
}
