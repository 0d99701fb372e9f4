using System.Collections.Immutable;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>
/// Everything a chart renderer needs for one run, independent of the plotting library. Members are
/// null when the chart is not drawn: the KPI does not exist in the config (e.g. net ROI and payback in cost
/// mode "rate"), or the chart would be empty or flat; <see cref="Entries"/> says why, in a sentence.
/// </summary>
/// <param name="Name">Config name (for titles).</param>
/// <param name="TornadoNpv">Tornado of NPV.</param>
/// <param name="TornadoRoi">Tornado of net ROI.</param>
/// <param name="TornadoPayback">Tornado of payback months (never = the horizon, marked in the labels).</param>
/// <param name="DistributionNpv">Histogram data of NPV.</param>
/// <param name="DistributionRoi">Histogram data of net ROI.</param>
/// <param name="DistributionPayback">Histogram data of payback months (never counted in NullCount).</param>
/// <param name="SCurveNpv">Empirical CDF of NPV.</param>
/// <param name="SCurveRoi">Empirical CDF of net ROI.</param>
/// <param name="CashFlowFan">P10/P50/P90 of cumulative cash flow per month.</param>
/// <param name="DriverFans">P10/P50/P90 of the driver paths that vary: price per Mtok, electricity $/kWh, m(t), utilization.</param>
/// <param name="SpiderNpv">NPV at input percentiles 10…90 % for the top 5 inputs.</param>
public sealed record ChartBundle(
    string Name,
    TornadoData? TornadoNpv,
    TornadoData? TornadoRoi,
    TornadoData? TornadoPayback,
    DistributionData? DistributionNpv,
    DistributionData? DistributionRoi,
    DistributionData? DistributionPayback,
    SCurveData? SCurveNpv,
    SCurveData? SCurveRoi,
    FanData? CashFlowFan,
    ImmutableArray<FanData> DriverFans,
    SpiderData? SpiderNpv)
{
    /// <summary>Every chart of a run in report order: drawn ones with their caption, left-out ones with the reason.</summary>
    public ImmutableArray<ChartEntry> Entries { get; init; } = [];

    /// <summary>The benchmark frontier with the chosen operating point, when the config starts from benchmark files; else null.</summary>
    public FrontierChartData? Frontier { get; init; }
}

/// <summary>One chart of a run: its file stem, title, and the caption saying what the reader learns from it; or why it is not drawn.</summary>
/// <param name="FileStem">File name without extension, e.g. "histogram-npv".</param>
/// <param name="Title">Short title, e.g. "Distribution of NPV".</param>
/// <param name="Caption">What the chart tells the reader, with the run's numbers as the report writes them.</param>
/// <param name="OmittedReason">Why the chart is not drawn (a sentence), or null when it is drawn.</param>
public sealed record ChartEntry(string FileStem, string Title, string Caption, string? OmittedReason)
{
    /// <summary>True when the chart is drawn.</summary>
    public bool Drawn => OmittedReason is null;
}

/// <summary>Builds chart data from a run and its sensitivity analyses.</summary>
public static class ChartBundles
{
    /// <summary>Largest number of values handed to a histogram or S-curve (a strided subsample of the trials).</summary>
    public const int MaxChartValues = 100_000;

    /// <summary>
    /// Short names for file stems: tornado-npv.png, histogram-roi.png, s-curve-npv.png … The chart data built here
    /// carries them as its KpiKey, so a renderer names its files from the data as it is.
    /// </summary>
    public static string ShortKey(string key) => key switch
    {
        "npv_usd" => "npv",
        "net_roi" => "roi",
        "payback_months" => "payback",
        _ => key,
    };

    /// <summary>The bundle of a report's data.</summary>
    public static ChartBundle From(ReportData d)
    {
        var r = d.Result;
        var s = r.Spec;
        var entries = new List<ChartEntry>();
        void Entry(string stem, string title, object? data, Func<string> caption, Func<string> reason) =>
            entries.Add(data is null ? new ChartEntry(stem, title, "", reason()) : new ChartEntry(stem, title, caption(), null));

        TornadoData? Tornado(int k)
        {
            var t = d.Tornados.FirstOrDefault(x => x.KpiColumn == k);
            var data = ToTornadoData(t, s);
            string kpi = TrialKpis.All[k].Title;
            Entry($"tornado-{ShortKey(TrialKpis.All[k].Key)}", $"Tornado of {kpi}", data, () => TornadoCaption(t!, s), () => TornadoOmitted(t, s, k));
            return data;
        }

        var tornadoNpv = Tornado(TrialKpis.Npv);
        var tornadoRoi = Tornado(TrialKpis.NetRoi);
        var tornadoPayback = Tornado(TrialKpis.Payback);

        DistributionData? Histogram(int k, string stem)
        {
            var data = Distribution(r, k);
            var st = r.Statistics[k];
            Entry(stem, k == TrialKpis.Payback ? "Distribution of payback" : $"Distribution of {st.Kpi.Title}", data, () => DistributionCaption(r, k, data!), () => DoesNotExist(s, k));
            return data;
        }

        var histNpv = Histogram(TrialKpis.Npv, "histogram-npv");
        var histRoi = Histogram(TrialKpis.NetRoi, "histogram-roi");
        var histPayback = Histogram(TrialKpis.Payback, "payback");

        SCurveData? Curve(int k)
        {
            var data = SCurve(r, k);
            var st = r.Statistics[k];
            Entry($"s-curve-{ShortKey(st.Kpi.Key)}", $"S-curve of {st.Kpi.Title}", data, () => SCurveCaption(r, k, data!), () => DoesNotExist(s, k));
            return data;
        }

        var curveNpv = Curve(TrialKpis.Npv);
        var curveRoi = Curve(TrialKpis.NetRoi);

        var p = d.Paths;
        FanData? Fan(string key, string stem, double? reference, string? referenceLabel)
        {
            var b = p[key];
            string? reason = FanOmitted(s, key, b);
            var data = reason is not null ? null : new FanData(stem, $"{b.Title}: P10/P50/P90 of the run's first {Int(p.Trials)} trials", AxisTitle(b), p.Months, b.P10, b.P50, b.P90, reference, referenceLabel) { Unit = b.Unit };
            Entry(stem, $"Fan chart of {Lower(b.Title)}", data, () => FanCaption(d, key, b), () => reason!);
            return data;
        }

        var cashFlow = Fan(TrialPaths.CumulativeCashFlow, "fan-cash-flow", 0, "break-even (cumulative cash flow = 0)");
        var drivers = new[]
        {
            Fan(TrialPaths.Price, "fan-price", null, null),
            Fan(TrialPaths.Electricity, "fan-electricity", null, null),
            Fan(TrialPaths.SoftwareMultiplier, "fan-software-multiplier", 1, "no improvement (m = 1)"),
            Fan(TrialPaths.Utilization, "fan-utilization", null, null),
        };

        var spider = d.Spider is { Lines.Length: > 0 } sp ? ToSpiderData(sp) : null;
        Entry("spider-npv", "Spider of NPV", spider, () => SpiderCaption(d.Spider!), () => "The spider of NPV is not drawn: the config has no uncertain inputs.");

        // Only a config that starts from benchmark files has a frontier; others need no sentence about it.
        var frontier = BenchmarkReport.Chart(s);
        if (frontier is not null)
        {
            entries.Add(new ChartEntry("frontier", "Benchmark frontier", BenchmarkReport.ChartCaption(s), null));
        }

        return new ChartBundle(s.Name, tornadoNpv, tornadoRoi, tornadoPayback, histNpv, histRoi, histPayback, curveNpv, curveRoi, cashFlow, [.. drivers.OfType<FanData>()], spider)
        {
            Entries = [.. entries],
            Frontier = frontier,
        };
    }

    /// <summary>
    /// Library-independent tornado data (all values finite: payback never = the horizon, marked in the label); null when
    /// the KPI does not exist or no input moves it (every bar would have zero length, e.g. payback that never happens).
    /// </summary>
    public static TornadoData? ToTornadoData(TornadoResult? t, SimulationSpec spec)
    {
        if (t is null || !t.Exists || !double.IsFinite(t.SwingBaseValue))
        {
            return null;
        }

        var bars = t.Bars.Select(b =>
        {
            // A group's low end has each member at the end that lowers the KPI; its colour follows the first member (the ceiling M).
            var first = b.Input.Members[0];
            bool lowAtP90 = b.Input.IsGroup && b.LowValues[0] != first.Distribution.Quantile(t.LowPercentile) && b.LowValues[0] == first.Distribution.Quantile(t.HighPercentile);
            string label = b.Input.Label;
            bool lowNever = double.IsNaN(b.KpiAtLow);
            bool highNever = double.IsNaN(b.KpiAtHigh);
            if (lowNever || highNever)
            {
                string end = lowNever && highNever ? "both ends" : lowNever == !lowAtP90 ? "P10" : "P90";
                label += $" (never pays back at {end}{(b.Input.IsGroup && !(lowNever && highNever) ? " of M" : "")})";
            }

            return new TornadoBar(b.Input.Key, label, b.LowText, b.HighText, b.SwingLow, b.SwingHigh)
            {
                LowEnd = lowAtP90 ? InputEnd.P90 : InputEnd.P10,
                IsGroup = b.Input.IsGroup,
            };
        }).Where(b => double.IsFinite(b.KpiAtLow) && double.IsFinite(b.KpiAtHigh)).ToImmutableArray();
        if (!bars.Any(b => b.Swing > 0))
        {
            return null;
        }

        var notes = new List<string>();
        bool payback = t.KpiColumn is TrialKpis.Payback or TrialKpis.DiscountedPayback;
        if (payback && (double.IsNaN(t.BaseValue) || t.Bars.Any(b => double.IsNaN(b.KpiAtLow) || double.IsNaN(b.KpiAtHigh))))
        {
            notes.Add($"\"Never\" (not within {spec.HorizonMonths} months) is drawn at {spec.HorizonMonths} months, so a swing to it is a lower bound.");
        }

        if (bars.Any(b => b.IsGroup))
        {
            notes.Add($"{Tornado.SoftwareCurveLabel}: coloured by its ceiling M; the time constant τ takes the end that helps the same way (both ends in the labels).");
        }

        return new TornadoData(ShortKey(t.Kpi.Key), t.Kpi.Title, t.Kpi.Unit, t.SwingBaseValue, bars)
        {
            Footnote = notes.Count == 0 ? null : string.Join(" ", notes),
            BaseText = KpiText(t.BaseValue, t.KpiColumn, spec),
        };
    }

    /// <summary>Library-independent spider data (input percentiles in %, 10…90).</summary>
    public static SpiderData ToSpiderData(SpiderResult s) =>
        new(ShortKey(s.Kpi.Key), s.Kpi.Title, s.Kpi.Unit, s.BaseValue, [.. s.Lines.Select(l => new SpiderLine(l.Input.Label, [.. s.Percentiles.Select(q => Math.Round(q * 100, 6))], l.KpiValues))]);

    /// <summary>
    /// Histogram data of one KPI column; null when the KPI does not exist in the config. The bars come from a
    /// subsample (<see cref="DistributionData.BarsFrom"/> says which); the marked percentiles and the share below 0
    /// are the run's exact statistics over all trials, with the report's text.
    /// </summary>
    public static DistributionData? Distribution(SimulationResult r, int column)
    {
        var st = r.Statistics[column];
        if (!Exists(r, column))
        {
            return null;
        }

        bool payback = column is TrialKpis.Payback or TrialKpis.DiscountedPayback;
        var values = Subsample(r.Kpis[column], r.KeptTrials);
        var marks = Marks(r, column);
        bool signed = column is TrialKpis.Npv or TrialKpis.NetRoi;
        return new DistributionData(ShortKey(st.Kpi.Key), st.Kpi.Title, st.Kpi.Unit, [.. values], marks[0].Value, marks[1].Value, marks[2].Value, st.Trials, st.Nulls,
            payback ? $"never within {r.Spec.HorizonMonths} months" : "does not exist")
        {
            FromFirstTrials = r.KeptTrials < r.Trials ? r.KeptTrials : 0,
            BarsFrom = SampleText(r),
            Marks = marks,
            ShareBelowZero = signed ? st.ProbNegative : null,
            BelowZeroLabel = column == TrialKpis.Npv ? "loss (NPV < 0)" : column == TrialKpis.NetRoi ? "money not back (net ROI < 0)" : null,
        };
    }

    /// <summary>S-curve of one KPI column (sorted strided subsample, exact percentiles marked); null when the KPI does not exist in the config.</summary>
    public static SCurveData? SCurve(SimulationResult r, int column)
    {
        var st = r.Statistics[column];
        if (!Exists(r, column) || st.Nulls == st.Trials)
        {
            return null;
        }

        var values = Subsample(r.Kpis[column], r.KeptTrials);
        Array.Sort(values);
        return new SCurveData(ShortKey(st.Kpi.Key), st.Kpi.Title, st.Kpi.Unit, [new SCurveSeries(r.Spec.Name, [.. values]) { Marks = Marks(r, column) }])
        {
            FromFirstTrials = r.KeptTrials < r.Trials ? r.KeptTrials : 0,
            CurveFrom = SampleText(r),
        };
    }

    /// <summary>Finite values of a column, strided down to at most <see cref="MaxChartValues"/> (deterministic).</summary>
    public static double[] Subsample(double[] column, long trials)
    {
        long stride = Stride(trials);
        var list = new List<double>((int)Math.Min(trials, MaxChartValues));
        for (long i = 0; i < trials; i += stride)
        {
            double v = column[i];
            if (double.IsFinite(v))
            {
                list.Add(v);
            }
        }

        return [.. list];
    }

    /// <summary>The run's exact P10/P50/P90 of a KPI with the report's text ("never" for payback beyond the horizon).</summary>
    public static ImmutableArray<StatMark> Marks(SimulationResult r, int column)
    {
        var st = r.Statistics[column];
        return [.. new[] { 0.1, 0.5, 0.9 }.Select(q => st[q].Value is { } v
            ? new StatMark("P" + (q * 100).ToString("0", Fmt.Inv), v, KpiFormat.Value(v, st.Kpi.Unit))
            : new StatMark("P" + (q * 100).ToString("0", Fmt.Inv), double.NaN, IsPayback(column) ? "never" : "n/a"))];
    }

    private static long Stride(long trials) => Math.Max(1, (trials + MaxChartValues - 1) / MaxChartValues);

    /// <summary>What a histogram's bars or an S-curve are drawn from; null when from every trial.</summary>
    private static string? SampleText(SimulationResult r)
    {
        long stride = Stride(r.KeptTrials);
        long drawn = (r.KeptTrials + stride - 1) / stride;
        string all = Int(r.Trials);
        string every = stride == 1 ? "" : $"every {Ordinal(stride)} trial ({Int(drawn)}) of ";
        if (r.KeptTrials < r.Trials)
        {
            return $"{every}the run's first {Int(r.KeptTrials)} of {all} trials (a run this large keeps no more)";
        }

        return stride == 1 ? null : $"every {Ordinal(stride)} trial ({Int(drawn)} of {all})";
    }

    private static string Ordinal(long n) => n.ToString("#,0", Fmt.Inv) + ((n % 100) is 11 or 12 or 13 ? "th" : (n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" });

    private static bool IsPayback(int column) => column is TrialKpis.Payback or TrialKpis.DiscountedPayback;

    /// <summary>False when the KPI does not exist in the config at all (ROI and payback in cost mode "rate"); payback that never happens still exists as a chart (the "never" bar).</summary>
    private static bool Exists(SimulationResult r, int column)
    {
        var st = r.Statistics[column];
        if (r.Spec.CostMode == CostMode.Rate && column is TrialKpis.NetRoi or TrialKpis.RevenueMultiple or TrialKpis.Payback or TrialKpis.DiscountedPayback)
        {
            return false;
        }

        return st.Trials > 0 && (st.Nulls < st.Trials || IsPayback(column));
    }

    /// <summary>The one sentence for every chart of a KPI that does not exist in the config (the report prints it once).</summary>
    private static string DoesNotExist(SimulationSpec spec, int column)
    {
        string kpi = Lower(TrialKpis.All[column].Title);
        string which = IsPayback(column) ? "tornado and distribution" : "tornado, distribution and S-curve";
        return $"No {kpi} charts ({which}): {kpi} does not exist in this config, {MonteCarloEngine.NullReason(spec, column)}.";
    }

    /// <summary>A KPI value as the report writes it; payback that never happens is "never".</summary>
    private static string KpiText(double v, int column, SimulationSpec spec) =>
        double.IsNaN(v) && IsPayback(column) ? $"never (not within {spec.HorizonMonths} months)" : KpiFormat.Value(v, TrialKpis.All[column].Unit);

    private static string Lower(string s) => s.Length > 1 && char.IsUpper(s[0]) && !char.IsUpper(s[1]) ? char.ToLowerInvariant(s[0]) + s[1..] : s;

    private static string Int(long n) => n.ToString("#,0", Fmt.Inv);

    private static string AxisTitle(PathBand b) => b.Key switch
    {
        TrialPaths.CumulativeCashFlow => "cumulative cash flow",
        TrialPaths.Price => "price per million output tokens",
        TrialPaths.Electricity => "electricity price",
        TrialPaths.SoftwareMultiplier => "software multiplier m(t)",
        TrialPaths.Utilization => "busy share of provisioned hours",
        _ => Lower(b.Title),
    };

    private static string TornadoCaption(TornadoResult t, SimulationSpec spec)
    {
        string kpi = t.Kpi.Title;
        var top = t.Bars[0];
        string next = t.Bars.Length switch
        {
            1 => "",
            2 => $", then {t.Bars[1].Input.Label}",
            _ => $", then {t.Bars[1].Input.Label} and {t.Bars[2].Input.Label}",
        };
        string ends = top.Input.IsGroup
            ? $"{KpiText(top.KpiAtLow, t.KpiColumn, spec)} with {top.LowText}, {KpiText(top.KpiAtHigh, t.KpiColumn, spec)} with {top.HighText}"
            : $"{KpiText(top.KpiAtLow, t.KpiColumn, spec)} at its P10, {KpiText(top.KpiAtHigh, t.KpiColumn, spec)} at its P90";
        return $"Which inputs move {kpi}, one at a time, the others at their medians: {top.Input.Label} most ({ends}){next}. "
            + $"Bars start at the base case, {KpiText(t.BaseValue, t.KpiColumn, spec)}; orange is an input at its P10, blue at its P90.";
    }

    private static string TornadoOmitted(TornadoResult? t, SimulationSpec spec, int column)
    {
        string kpi = TrialKpis.All[column].Title;
        if (t is null || !t.Exists)
        {
            return DoesNotExist(spec, column);
        }

        if (t.KpiColumn is TrialKpis.Payback or TrialKpis.DiscountedPayback && double.IsNaN(t.BaseValue))
        {
            return $"No tornado of {Lower(kpi)}: payback never happens within the {spec.HorizonMonths}-month horizon in the base case, and no single input between its P10 and its P90 makes it happen, so every bar would be empty (section 2 lists each input).";
        }

        return $"No tornado of {Lower(kpi)}: no single input between its P10 and its P90 moves it.";
    }

    private static string DistributionCaption(SimulationResult r, int column, DistributionData data)
    {
        var st = r.Statistics[column];
        string marks = string.Join(", ", data.Marks.Select(m => $"{m.Name} {m.Text}"));
        string drawn = data.BarsFrom is { } from ? $" The bars are drawn from {from}; the marked percentiles and shares are exact over all {Int(st.Trials)} trials." : "";
        if (IsPayback(column))
        {
            string within = string.Join(", ", st.ProbWithin.Select(kv => $"{KpiFormat.Probability(kv.Value)} within {kv.Key} months"));
            string never = st.Nulls > 0 ? $"; {KpiFormat.Probability(st.NullShare)} never within the {r.Spec.HorizonMonths}-month horizon (the red bar)" : "";
            return $"When the capex comes back, over all {Int(st.Trials)} trials: {marks}; {within}{never}.{drawn}";
        }

        string below = column == TrialKpis.Npv
            ? $"{KpiFormat.Probability(st.ProbNegative)} of trials lose money (NPV below 0, the shaded side)"
            : $"{KpiFormat.Probability(st.ProbNegative)} of trials do not get the money back (net ROI below 0, the shaded side)";
        return $"How {st.Kpi.Title} is spread over all {Int(st.Trials)} trials: {marks}; {below}.{drawn}";
    }

    private static string SCurveCaption(SimulationResult r, int column, SCurveData data)
    {
        var st = r.Statistics[column];
        string marks = string.Join(", ", data.Series[0].Marks.Select(m => $"{m.Name} {m.Text}"));
        string drawn = data.CurveFrom is { } from ? $" The curve is drawn from {from}; the marked percentiles are exact over all {Int(st.Trials)} trials." : "";
        return $"The chance that {st.Kpi.Title} is at or below any value: read a value on the x axis, its probability on the y axis ({marks}; P({st.Kpi.Title} < 0) = {KpiFormat.Probability(st.ProbNegative)}).{drawn}";
    }

    private static string FanCaption(ReportData d, string key, PathBand b)
    {
        var spec = d.Result.Spec;
        int h = b.P50.Length;
        string V(double v) => KpiFormat.Value(v, b.Unit);
        string last = $"in month {h}: P50 {V(b.P50[h - 1])}, P10–P90 {V(b.P10[h - 1])} to {V(b.P90[h - 1])}";
        string from = $" From the run's first {Int(d.Paths.Trials)} trials, re-evaluated month by month.";
        switch (key)
        {
            case TrialPaths.CumulativeCashFlow:
                int Cross(IReadOnlyList<double> path) => Enumerable.Range(0, path.Count).FirstOrDefault(i => path[i] >= 0, -1) + 1;
                string When(int m) => m == 0 ? $"not within {h} months" : $"in month {m}";
                return $"Cumulative cash flow, capex included, month by month: the median path reaches 0 (payback) {When(Cross(b.P50))}, the pessimistic P10 path {When(Cross(b.P10))}, the optimistic P90 path {When(Cross(b.P90))}; {last}.{from}";
            case TrialPaths.Price:
                return $"What a million output tokens sells for (input tokens' revenue included) as prices erode: {V(b.P50[0])} in month 1 at the median; {last}.{from}";
            case TrialPaths.Electricity:
                return $"Electricity price per kWh with its annual escalation{(spec.CostMode == CostMode.Rate ? " (informational in cost mode \"rate\": the rate includes power)" : "")}: {V(b.P50[0])} in month 1 at the median; {last}.{from}";
            case TrialPaths.SoftwareMultiplier:
                int m12 = Math.Min(12, h);
                return $"How much faster the serving software makes each GPU: m(t) = 1 in month 1; in month {m12} the median is {V(b.P50[m12 - 1])}; {last}.{from}";
            default:
                return $"The share of provisioned hours that serve tokens (utilization × availability × ramp); {last}.{from}";
        }
    }

    /// <summary>Why a driver's fan chart is left out (the input is not set, or the path is the same in every trial and month), or null to draw it.</summary>
    private static string? FanOmitted(SimulationSpec spec, string key, PathBand b)
    {
        if (key == TrialPaths.Electricity && !spec.HasPower)
        {
            return "No fan chart of the electricity price: the config gives no power figures, so energy and electricity are not modelled.";
        }

        double first = b.P50.IsDefaultOrEmpty ? double.NaN : b.P50[0];
        bool flat = b.P10.Concat(b.P50).Concat(b.P90).All(v => v == first);
        if (!flat)
        {
            return null;
        }

        return key == TrialPaths.SoftwareMultiplier && first == 1
            ? "No fan chart of the software multiplier: the config sets no software improvement (m(t) = 1 in every month)."
            : $"No fan chart of the {Lower(b.Title)}: it is {KpiFormat.Value(first, b.Unit)} in every month of every trial.";
    }

    private static string SpiderCaption(SpiderResult s)
    {
        var steepest = s.Lines.MaxBy(l => l.KpiValues.Max() - l.KpiValues.Min())!;
        return $"{s.Kpi.Title} as each of the {s.Lines.Length} inputs that move it most goes from its P10 to its P90, the others at their medians: steep lines matter most, curved ones act non-linearly; {steepest.Input.Label} is the steepest ({KpiFormat.Value(steepest.KpiValues.Min(), s.Kpi.Unit)} to {KpiFormat.Value(steepest.KpiValues.Max(), s.Kpi.Unit)}).";
    }
}
