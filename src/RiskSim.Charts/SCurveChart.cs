using System.Collections.Immutable;
using ScottPlot;
using RiskSim.Reporting;

namespace RiskSim.Charts;

/// <summary>S-curves: the empirical cumulative distribution of one KPI, one line per series (config), with P10/P50/P90 guides.</summary>
internal sealed class SCurveChart(SCurveData data) : ChartBase
{
    private const int MaxPoints = 1000;

    /// <inheritdoc />
    public override string FileStem => ChartText.Stem("s-curve", data.KpiKey);

    /// <inheritdoc />
    protected override bool ShowsPercentiles => true;

    /// <inheritdoc />
    protected override void Draw(Plot plot, int width, int height)
    {
        string title = string.IsNullOrWhiteSpace(data.Title) ? data.KpiKey ?? "KPI" : data.Title;
        var series = ChartText.OrEmpty(data.Series)
            .Where(s => s is not null)
            .Select(s => (Label: s.Label ?? "", Values: ChartText.Finite(s.SortedValues).Order().ToArray(), Marks: ChartText.OrEmpty(s.Marks)))
            .Where(s => s.Values.Length > 0)
            .ToArray();
        var fmt = ValueFormat.For(data.Unit, series.SelectMany(s => s.Values));
        SetTitle(plot, series.Length > 1
            ? $"{title}: share of trials at or below each value, {series.Length} configurations"
            : $"{title}: share of trials at or below each value", width);
        string? from = data.CurveFrom ?? (data.FromFirstTrials > 0 ? $"the run's first {data.FromFirstTrials.ToString("#,0", ChartText.Inv)} trials" : null);
        if (from is not null)
        {
            AddFootnote(series.Length == 1 && !series[0].Marks.IsEmpty
                ? $"Curve drawn from {from}; the marked P10, P50 and P90 are exact over all trials."
                : $"Curves drawn from {from}.");
        }
        plot.XLabel(fmt.AxisLabel(title));
        plot.YLabel("share of trials ≤ x");
        if (series.Length == 0)
        {
            AddNoDataNote(plot, "No finite values to show");
            return;
        }

        foreach (var (label, values, marks) in series)
        {
            var (xs, ys) = Cdf(values);
            var line = plot.Add.Scatter(xs, ys);
            line.ConnectStyle = ConnectStyle.StepHorizontal;
            line.LineWidth = 2.5f;
            line.MarkerSize = xs.Length <= 3 ? 8 : 0;
            line.LegendText = label;
            if (series.Length == 1)
            {
                AddPercentileValues(plot, values, marks, fmt, line.LineColor, values[0], values[^1]);
            }
        }

        string[] names = ["P10", "P50", "P90"];
        double[] levels = [0.1, 0.5, 0.9];
        for (int i = 0; i < levels.Length; i++)
        {
            var guide = plot.Add.HorizontalLine(levels[i], 1f, Colors.Gray, LinePattern.Dashed);
            guide.Text = names[i];
            guide.LabelFontSize = AnnotationSize;
            guide.LabelOppositeAxis = true;
            guide.ExcludeFromLegend = true;
        }

        var (min, max) = ChartText.Range(series.SelectMany(s => s.Values));
        double pad = (max - min) * 0.04;
        plot.Axes.SetLimits(min - pad, max + pad, 0, 1.03);
        FormatTicks(plot.Axes.Bottom, fmt.Format);
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1], ["0 %", "10 %", "25 %", "50 %", "75 %", "90 %", "100 %"]);
        if (series.Length > 1 || series[0].Label.Length > 0)
        {
            plot.Legend.FontSize = AnnotationSize;
            plot.ShowLegend(Alignment.LowerRight);
        }
    }

    /// <summary>Step points of the empirical CDF, thinned to at most <see cref="MaxPoints"/> steps.</summary>
    private static (double[] Xs, double[] Ys) Cdf(double[] sorted)
    {
        int n = sorted.Length;
        int count = Math.Min(n, MaxPoints);
        var xs = new double[count + 1];
        var ys = new double[count + 1];
        xs[0] = sorted[0];
        ys[0] = 0;
        for (int k = 1; k <= count; k++)
        {
            int i = (int)Math.Round((double)k * n / count) - 1;
            xs[k] = sorted[i];
            ys[k] = (i + 1.0) / n;
        }

        return (xs, ys);
    }

    /// <summary>Marks P10/P50/P90 on the curve: the run's exact statistics with the report's text when given, else read off the curve.</summary>
    private static void AddPercentileValues(Plot plot, double[] sorted, ImmutableArray<StatMark> marks, ValueFormat fmt, Color color, double min, double max)
    {
        string[] names = ["P10", "P50", "P90"];
        double[] levels = [0.1, 0.5, 0.9];
        for (int i = 0; i < levels.Length; i++)
        {
            var given = marks.FirstOrDefault(m => m?.Name == names[i]);
            if (given is not null && !double.IsFinite(given.Value))
            {
                continue;
            }

            double x = given?.Value ?? Quantile(sorted, levels[i]);
            string text = given?.Text ?? fmt.WithUnit(x);
            plot.Add.Marker(x, levels[i], MarkerShape.FilledCircle, 7, color);
            var t = plot.Add.Text($"{names[i]} {text}", x, levels[i]);
            t.LabelFontSize = AnnotationSize;
            t.LabelBold = true;
            bool left = max > min && (x - min) / (max - min) > 0.3;
            t.LabelAlignment = left ? Alignment.LowerRight : Alignment.UpperLeft;
            t.LabelOffsetX = left ? -6 : 6;
            t.LabelOffsetY = left ? -3 : 3;
            t.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
        }
    }

    /// <summary>Type-7 (linear interpolation) quantile of sorted values.</summary>
    internal static double Quantile(double[] sorted, double p)
    {
        if (sorted.Length == 1)
        {
            return sorted[0];
        }

        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
