using System.Collections.Immutable;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sensitivity;

namespace RiskSim.Reporting;

/// <summary>
/// Everything a chart renderer needs for one run, independent of the plotting library. Members are
/// null when the KPI does not exist in the config (e.g. net ROI and payback in cost mode "rate").
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
/// <param name="DriverFans">P10/P50/P90 of the driver paths: price per Mtok, electricity $/kWh, m(t), utilization.</param>
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
    /// <summary>The benchmark frontier with the chosen operating point, when the config starts from benchmark files; else null.</summary>
    public FrontierChartData? Frontier { get; init; }
}

/// <summary>Builds chart data from a run and its sensitivity analyses.</summary>
public static class ChartBundles
{
    /// <summary>Largest number of values handed to a histogram or S-curve (a strided subsample of the trials).</summary>
    public const int MaxChartValues = 100_000;

    /// <summary>The bundle of a report's data.</summary>
    public static ChartBundle From(ReportData d)
    {
        var r = d.Result;
        TornadoResult? T(int k) => d.Tornados.FirstOrDefault(t => t.KpiColumn == k);
        var p = d.Paths;
        FanData Fan(string key, string stem, double? reference, string? referenceLabel)
        {
            var b = p[key];
            return new FanData(stem, $"{b.Title}: P10/P50/P90 of {p.Trials.ToString("#,0", Fmt.Inv)} trials", b.Unit, p.Months, b.P10, b.P50, b.P90, reference, referenceLabel);
        }

        return new ChartBundle(
            r.Spec.Name,
            ToTornadoData(T(TrialKpis.Npv), r.Spec),
            ToTornadoData(T(TrialKpis.NetRoi), r.Spec),
            ToTornadoData(T(TrialKpis.Payback), r.Spec),
            Distribution(r, TrialKpis.Npv),
            Distribution(r, TrialKpis.NetRoi),
            Distribution(r, TrialKpis.Payback),
            SCurve(r, TrialKpis.Npv),
            SCurve(r, TrialKpis.NetRoi),
            Fan(TrialPaths.CumulativeCashFlow, "fan-cash-flow", 0, "break-even (cumulative cash flow = 0)"),
            [
                Fan(TrialPaths.Price, "fan-price", null, null),
                Fan(TrialPaths.Electricity, "fan-electricity", null, null),
                Fan(TrialPaths.SoftwareMultiplier, "fan-software-multiplier", 1, "no improvement (m = 1)"),
                Fan(TrialPaths.Utilization, "fan-utilization", null, null),
            ],
            d.Spider is { } s ? ToSpiderData(s) : null)
        {
            Frontier = BenchmarkReport.Chart(r.Spec),
        };
    }

    /// <summary>Library-independent tornado data (all values finite: payback never = the horizon, marked in the label); null when the KPI does not exist.</summary>
    public static TornadoData? ToTornadoData(TornadoResult? t, SimulationSpec spec)
    {
        if (t is null || !t.Exists || !double.IsFinite(t.SwingBaseValue))
        {
            return null;
        }

        var bars = t.Bars.Select(b =>
        {
            string label = b.Input.Label;
            bool lowNever = double.IsNaN(b.KpiAtLow);
            bool highNever = double.IsNaN(b.KpiAtHigh);
            if (lowNever || highNever)
            {
                label += $" (never pays back at {(lowNever && highNever ? "both ends" : lowNever ? "P10" : "P90")})";
            }

            return new TornadoBar(b.Input.Key, label, b.LowText, b.HighText, b.SwingLow, b.SwingHigh);
        }).Where(b => double.IsFinite(b.KpiAtLow) && double.IsFinite(b.KpiAtHigh)).ToImmutableArray();
        string title = t.KpiColumn == TrialKpis.Payback ? $"{t.Kpi.Title} (never = {spec.HorizonMonths} months)" : t.Kpi.Title;
        return new TornadoData(t.Kpi.Key, title, t.Kpi.Unit, t.SwingBaseValue, bars);
    }

    /// <summary>Library-independent spider data (input percentiles in %, 10…90).</summary>
    public static SpiderData ToSpiderData(SpiderResult s) =>
        new(s.Kpi.Key, s.Kpi.Title, s.Kpi.Unit, s.BaseValue, [.. s.Lines.Select(l => new SpiderLine(l.Input.Label, [.. s.Percentiles.Select(q => Math.Round(q * 100, 6))], l.KpiValues))]);

    /// <summary>Histogram data of one KPI column; null when the KPI never exists.</summary>
    public static DistributionData? Distribution(SimulationResult r, int column)
    {
        var st = r.Statistics[column];
        if (st.Nulls == st.Trials)
        {
            return null;
        }

        bool payback = column is TrialKpis.Payback or TrialKpis.DiscountedPayback;
        double horizon = r.Spec.HorizonMonths;
        double P(double q) => st[q].Value ?? (payback ? horizon : double.NaN);
        var values = Subsample(r.Kpis[column], r.KeptTrials);
        if (!double.IsFinite(P(0.1)) || !double.IsFinite(P(0.5)) || !double.IsFinite(P(0.9)))
        {
            return null;
        }

        return new DistributionData(st.Kpi.Key, st.Kpi.Title, st.Kpi.Unit, [.. values], P(0.1), P(0.5), P(0.9), st.Trials, st.Nulls,
            payback ? $"never within {r.Spec.HorizonMonths} months" : "does not exist")
        {
            FromFirstTrials = r.KeptTrials < r.Trials ? r.KeptTrials : 0,
        };
    }

    /// <summary>S-curve of one KPI column (sorted strided subsample); null when the KPI never exists.</summary>
    public static SCurveData? SCurve(SimulationResult r, int column)
    {
        var st = r.Statistics[column];
        if (st.Nulls == st.Trials)
        {
            return null;
        }

        var values = Subsample(r.Kpis[column], r.KeptTrials);
        Array.Sort(values);
        return new SCurveData(st.Kpi.Key, st.Kpi.Title, st.Kpi.Unit, [new SCurveSeries(r.Spec.Name, [.. values])])
        {
            FromFirstTrials = r.KeptTrials < r.Trials ? r.KeptTrials : 0,
        };
    }

    /// <summary>Finite values of a column, strided down to at most <see cref="MaxChartValues"/> (deterministic).</summary>
    public static double[] Subsample(double[] column, long trials)
    {
        long stride = Math.Max(1, (trials + MaxChartValues - 1) / MaxChartValues);
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
}
