using ScottPlot;
using RiskSim.Reporting;

namespace RiskSim.Charts;

/// <summary>
/// Throughput per GPU against interactivity: every measured point, the Pareto frontier, the SLA's interactivity
/// region shaded, and the chosen operating point marked and labelled.
/// </summary>
internal sealed class FrontierChart(FrontierChartData data) : ChartBase
{
    private static readonly Color FrontierColor = Color.FromHex("#1f77b4");
    private static readonly Color ChosenColor = Color.FromHex("#d62728");
    private static readonly Color SlaColor = Color.FromHex("#2ca02c");

    /// <inheritdoc />
    public override string FileStem => ChartText.Stem("", data.FileStem);

    /// <inheritdoc />
    protected override bool ShowsPercentiles => false;

    /// <inheritdoc />
    protected override void Draw(Plot plot, int width, int height)
    {
        SetTitle(plot, string.IsNullOrWhiteSpace(data.Title) ? "Throughput per GPU vs tokens/s per user" : data.Title, width);
        plot.XLabel("output tokens/s per user (interactivity)");
        plot.YLabel("output tokens/s per GPU");
        var points = ChartText.OrEmpty(data.Points)
            .Where(p => p is not null && double.IsFinite(p.TokensPerSPerUser) && double.IsFinite(p.OutputTokensPerSPerGpu))
            .ToArray();
        if (points.Length == 0)
        {
            AddNoDataNote(plot, "No measured points to show");
            AddFootnote(data.Caption);
            return;
        }

        var xs = points.Select(p => p.TokensPerSPerUser).Append(data.Chosen?.TokensPerSPerUser ?? points[0].TokensPerSPerUser).ToArray();
        var ys = points.Select(p => p.OutputTokensPerSPerGpu).Append(data.Chosen?.OutputTokensPerSPerGpu ?? points[0].OutputTokensPerSPerGpu).ToArray();
        var (xMin, xMax) = ChartText.Range(xs);
        var (_, yMax) = ChartText.Range(ys);
        double xPad = Math.Max((xMax - xMin) * 0.08, Math.Abs(xMax) * 0.05 + 1e-9);
        double left = Math.Max(0, xMin - xPad);
        double right = xMax + xPad;
        double top = yMax * 1.15 + 1e-9;

        if (data.MinTokensPerSPerUser is { } floor && double.IsFinite(floor))
        {
            if (floor >= xMax)
            {
                right = floor + ((floor - left) * 0.3); // the SLA region lies beyond every point: show some of it
            }

            double from = Math.Max(floor, left);
            var span = plot.Add.HorizontalSpan(from, Math.Max(right, from));
            span.FillStyle.Color = SlaColor.WithAlpha(0.12);
            span.LineStyle.Width = 0;
            var edge = plot.Add.VerticalLine(floor, 1.5f, SlaColor, LinePattern.Dashed);
            edge.ExcludeFromLegend = true;
            var label = plot.Add.Text($"SLA: ≥ {V(floor)} tok/s/user", from, 0);
            label.LabelFontSize = AnnotationSize;
            label.LabelBackgroundColor = SlaColor.Darken(0.2);
            label.LabelFontColor = Colors.White;
            label.LabelFontName = FontName;
            label.LabelAlignment = Alignment.LowerLeft;
            label.LabelOffsetX = 4;
            label.LabelOffsetY = -4;
        }

        var frontier = points.Where(p => p.OnFrontier).OrderBy(p => p.TokensPerSPerUser).ToArray();
        if (frontier.Length > 0)
        {
            var line = plot.Add.Scatter(frontier.Select(p => p.TokensPerSPerUser).ToArray(), frontier.Select(p => p.OutputTokensPerSPerGpu).ToArray());
            line.Color = FrontierColor;
            line.LineWidth = 2.5f;
            line.MarkerSize = 0;
            line.LegendText = "Pareto frontier";
        }

        AddPoints(plot, points.Where(p => p.MeetsSla).ToArray(), filled: true, "measured, meets the SLA");
        AddPoints(plot, points.Where(p => !p.MeetsSla).ToArray(), filled: false, "measured, breaks the SLA");
        // Labels: with many points only the frontier's, and none that would sit on top of one already drawn.
        var labelled = new List<(double U, double V)>();
        foreach (var p in points.Where(p => !string.IsNullOrEmpty(p.Label) && (points.Length <= 10 || p.OnFrontier)))
        {
            double u = (p.TokensPerSPerUser - left) / Math.Max(right - left, 1e-12);
            double v = p.OutputTokensPerSPerGpu / Math.Max(top, 1e-12);
            if (labelled.Any(l => Math.Abs(l.U - u) < 0.06 && Math.Abs(l.V - v) < 0.04))
            {
                continue;
            }

            labelled.Add((u, v));
            var t = plot.Add.Text(p.Label, p.TokensPerSPerUser, p.OutputTokensPerSPerGpu);
            t.LabelFontSize = CaptionSize;
            t.LabelFontColor = Colors.DimGray;
            t.LabelFontName = FontName;
            t.LabelAlignment = Alignment.LowerLeft;
            t.LabelOffsetX = 6;
            t.LabelOffsetY = -4;
        }

        if (data.Chosen is { } c && double.IsFinite(c.TokensPerSPerUser) && double.IsFinite(c.OutputTokensPerSPerGpu))
        {
            var m = plot.Add.Marker(c.TokensPerSPerUser, c.OutputTokensPerSPerGpu, MarkerShape.FilledDiamond, 16, ChosenColor);
            m.LegendText = "chosen operating point";
            var t = plot.Add.Text(ChartText.Wrap(data.ChosenLabel, 48), c.TokensPerSPerUser, c.OutputTokensPerSPerGpu);
            t.LabelFontSize = AnnotationSize;
            t.LabelBold = true;
            t.LabelFontColor = ChosenColor.Darken(0.2);
            t.LabelFontName = FontName;
            t.LabelBackgroundColor = Colors.White.WithAlpha(0.85);
            t.LabelBorderColor = ChosenColor;
            bool rightHalf = (c.TokensPerSPerUser - left) / Math.Max(right - left, 1e-12) > 0.5;
            t.LabelAlignment = rightHalf ? Alignment.LowerRight : Alignment.LowerLeft;
            t.LabelOffsetX = rightHalf ? -12 : 12;
            t.LabelOffsetY = -12;
        }

        var corners = CornersByEmptiness(points, data.Chosen, left, right, top);
        if (data.Chosen is null && !string.IsNullOrEmpty(data.ChosenLabel))
        {
            // An upper corner the legend does not use (the SLA label sits at the bottom).
            var where = corners.Skip(1).FirstOrDefault(c => c is Alignment.UpperLeft or Alignment.UpperRight, Alignment.MiddleCenter);
            var note = plot.Add.Annotation(ChartText.Wrap(data.ChosenLabel, ChartText.CharsPerLine(width / 2, AnnotationSize)), where);
            note.LabelFontSize = AnnotationSize;
            note.LabelFontColor = ChosenColor.Darken(0.2);
            note.LabelFontName = FontName;
            note.LabelBackgroundColor = Colors.White.WithAlpha(0.9);
            note.LabelBorderColor = ChosenColor;
        }

        plot.Axes.SetLimits(left, right, 0, top);
        FormatTicks(plot.Axes.Bottom, v => V(v));
        FormatTicks(plot.Axes.Left, v => V(v));
        plot.Legend.FontSize = AnnotationSize;
        plot.ShowLegend(corners[0]);
        AddFootnote(data.Caption);
    }

    /// <summary>The corners of the data area, fewest points near them first (the legend goes to the first); lower left, the dominated corner, first on a tie.</summary>
    private static Alignment[] CornersByEmptiness(FrontierChartPoint[] points, FrontierChartPoint? chosen, double left, double right, double top)
    {
        var all = chosen is null ? points : [.. points, chosen];
        int Count(bool east, bool north) => all.Count(p =>
        {
            double u = (p.TokensPerSPerUser - left) / Math.Max(right - left, 1e-12);
            double v = p.OutputTokensPerSPerGpu / Math.Max(top, 1e-12);
            return (east ? u > 0.6 : u < 0.4) && (north ? v > 0.6 : v < 0.4);
        });
        (Alignment Where, int N)[] corners =
        [
            (Alignment.LowerLeft, Count(false, false)), (Alignment.UpperRight, Count(true, true)),
            (Alignment.LowerRight, Count(true, false)), (Alignment.UpperLeft, Count(false, true)),
        ];
        return [.. corners.OrderBy(c => c.N).Select(c => c.Where)];
    }

    private static void AddPoints(Plot plot, FrontierChartPoint[] points, bool filled, string legend)
    {
        if (points.Length == 0)
        {
            return;
        }

        var s = plot.Add.Scatter(points.Select(p => p.TokensPerSPerUser).ToArray(), points.Select(p => p.OutputTokensPerSPerGpu).ToArray());
        s.LineWidth = 0;
        s.MarkerSize = 10;
        s.MarkerShape = filled ? MarkerShape.FilledCircle : MarkerShape.OpenCircle;
        s.Color = filled ? FrontierColor : Colors.Gray;
        s.MarkerLineWidth = 2;
        s.LegendText = legend;
    }

    private static string V(double v) =>
        Math.Abs(v) >= 1000 ? v.ToString("#,0", ChartText.Inv) : v.ToString("0.##", ChartText.Inv);
}
