using System.Collections.Immutable;
using System.Globalization;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Sensitivity;

/// <summary>
/// One entry of a one-at-a-time analysis: a single uncertain input, or a group of inputs moved together
/// (the software curve m(t): ceiling M and time constant τ).
/// </summary>
/// <param name="Key">Input path (e.g. "drivers.utilization") or group key (<see cref="Tornado.SoftwareCurveKey"/>).</param>
/// <param name="Label">Display label.</param>
/// <param name="Members">The inputs moved (one, or several for a group).</param>
public sealed record SensitivityInput(string Key, string Label, ImmutableArray<InputSpec> Members)
{
    /// <summary>True when several inputs move together.</summary>
    public bool IsGroup => Members.Length > 1;
}

/// <summary>
/// One tornado bar: the KPI with the input at its low end (P10) and its high end (P90), every other
/// input at its base (median). For a group, "low" is every member at the end (P10 or P90) that lowers
/// the KPI and "high" every member at the end that raises it.
/// </summary>
/// <param name="Input">What moved.</param>
/// <param name="LowText">The input value(s) at the low end, as text (groups list each member).</param>
/// <param name="HighText">The input value(s) at the high end.</param>
/// <param name="LowValues">Member values at the low end (same order as <see cref="SensitivityInput.Members"/>).</param>
/// <param name="HighValues">Member values at the high end.</param>
/// <param name="KpiAtLow">KPI at the low end; NaN when it does not exist (payback: never within the horizon).</param>
/// <param name="KpiAtHigh">KPI at the high end; NaN when it does not exist.</param>
/// <param name="SwingLow">KPI at the low end as used for the swing (payback never = the horizon).</param>
/// <param name="SwingHigh">KPI at the high end as used for the swing.</param>
public sealed record TornadoBarResult(
    SensitivityInput Input,
    string LowText,
    string HighText,
    ImmutableArray<double> LowValues,
    ImmutableArray<double> HighValues,
    double KpiAtLow,
    double KpiAtHigh,
    double SwingLow,
    double SwingHigh)
{
    /// <summary>|SwingHigh − SwingLow|: the ranking measure.</summary>
    public double Swing => Math.Abs(SwingHigh - SwingLow);
}

/// <summary>A tornado of one KPI; bars sorted by swing, largest first (ties by key, ordinal).</summary>
/// <param name="KpiColumn">KPI column (<see cref="TrialKpis"/>).</param>
/// <param name="Kpi">The KPI.</param>
/// <param name="BaseValue">KPI with every input at its median; NaN when it does not exist.</param>
/// <param name="SwingBaseValue">Base value as used on the swing axis (payback never = the horizon).</param>
/// <param name="LowPercentile">Low end of each input (0.1 = P10).</param>
/// <param name="HighPercentile">High end (0.9 = P90).</param>
/// <param name="Bars">Bars, largest swing first.</param>
/// <param name="Note">Caveat for readers (e.g. how "never" payback is drawn), or null.</param>
/// <param name="Exists">False when the KPI does not exist in this spec at all (e.g. ROI in rate mode): no bars.</param>
public sealed record TornadoResult(
    int KpiColumn,
    TrialKpi Kpi,
    double BaseValue,
    double SwingBaseValue,
    double LowPercentile,
    double HighPercentile,
    ImmutableArray<TornadoBarResult> Bars,
    string? Note,
    bool Exists);

/// <summary>One spider line: the KPI as one input (or group) moves through its percentiles, the others at base.</summary>
/// <param name="Input">What moved.</param>
/// <param name="InputValues">Per percentile, the member values (for a group: member order, one array per percentile).</param>
/// <param name="KpiValues">KPI per percentile (payback never = the horizon).</param>
public sealed record SpiderLineResult(SensitivityInput Input, ImmutableArray<ImmutableArray<double>> InputValues, ImmutableArray<double> KpiValues);

/// <summary>A spider analysis of one KPI over the input percentiles 10, 20, …, 90 %.</summary>
public sealed record SpiderResult(int KpiColumn, TrialKpi Kpi, double BaseValue, ImmutableArray<double> Percentiles, ImmutableArray<SpiderLineResult> Lines);

/// <summary>Options of the one-at-a-time analyses.</summary>
/// <param name="GroupSoftwareCurve">Move the software curve's ceiling and time constant together as one bar.</param>
/// <param name="LowPercentile">Low end (default P10).</param>
/// <param name="HighPercentile">High end (default P90).</param>
public sealed record TornadoOptions(bool GroupSoftwareCurve = true, double LowPercentile = 0.1, double HighPercentile = 0.9)
{
    /// <summary>Software curve grouped, P10 to P90.</summary>
    public static readonly TornadoOptions Default = new();
}

/// <summary>
/// One-at-a-time sensitivity (spec §7): each uncertain input (or group) from its P10 to its P90 with every other input
/// at its base (median), evaluated with the scalar <see cref="ReferenceModel"/>.
/// </summary>
/// <remarks>
/// Correlations between inputs are ignored here by construction; the global measures (<see cref="GlobalSensitivity"/>)
/// are computed from the correlated trials themselves.
/// </remarks>
public static class Tornado
{
    /// <summary>Key of the software-curve group.</summary>
    public const string SoftwareCurveKey = "software_curve";

    /// <summary>Label of the software-curve group.</summary>
    public const string SoftwareCurveLabel = "software curve m(t)";

    /// <summary>The KPIs the tornado supports: NPV, net ROI, payback.</summary>
    public static readonly ImmutableArray<int> SupportedKpis = [TrialKpis.Npv, TrialKpis.NetRoi, TrialKpis.Payback];

    /// <summary>The entries of the analysis: every uncertain input, with the software curve grouped when both its inputs are uncertain.</summary>
    public static ImmutableArray<SensitivityInput> Entries(SimulationSpec spec, bool groupSoftwareCurve = true)
    {
        var uncertain = spec.UncertainInputs;
        bool group = groupSoftwareCurve
            && uncertain.Any(i => i.Param == Param.SoftwareCeiling)
            && uncertain.Any(i => i.Param == Param.SoftwareTimeConstantMonths);
        var list = new List<SensitivityInput>();
        foreach (var i in uncertain)
        {
            if (group && i.Param == Param.SoftwareTimeConstantMonths)
            {
                continue;
            }

            if (group && i.Param == Param.SoftwareCeiling)
            {
                list.Add(new SensitivityInput(SoftwareCurveKey, SoftwareCurveLabel, [spec[Param.SoftwareCeiling], spec[Param.SoftwareTimeConstantMonths]]));
                continue;
            }

            list.Add(new SensitivityInput(i.Path, InputLabels.Of(i), [i]));
        }

        return [.. list];
    }

    /// <summary>Evaluates one KPI with the given parameter values; payback never = NaN.</summary>
    internal static double Kpi(ModelContext ctx, ReadOnlySpan<double> p, int kpiColumn) => ReferenceModel.Evaluate(ctx, p).Kpi(kpiColumn);

    /// <summary>Computes the tornado of one KPI (<see cref="TrialKpis.Npv"/>, <see cref="TrialKpis.NetRoi"/> or <see cref="TrialKpis.Payback"/>; any core KPI works).</summary>
    public static TornadoResult Compute(SimulationSpec spec, int kpiColumn, TornadoOptions? options = null)
    {
        options ??= TornadoOptions.Default;
        ArgumentOutOfRangeException.ThrowIfNegative(kpiColumn);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(kpiColumn, TrialKpis.CoreCount);
        var ctx = new ModelContext(spec);
        var kpi = TrialKpis.All[kpiColumn];
        var baseValues = spec.BaseValues();
        double horizon = spec.HorizonMonths;
        bool isPayback = kpiColumn is TrialKpis.Payback or TrialKpis.DiscountedPayback;
        double SwingValue(double v) => isPayback && double.IsNaN(v) ? horizon : v;

        double baseKpi = Kpi(ctx, baseValues, kpiColumn);
        bool exists = !(spec.CostMode == CostMode.Rate && kpiColumn is TrialKpis.NetRoi or TrialKpis.RevenueMultiple or TrialKpis.Payback or TrialKpis.DiscountedPayback);
        if (!exists)
        {
            return new TornadoResult(kpiColumn, kpi, double.NaN, double.NaN, options.LowPercentile, options.HighPercentile, [], $"{kpi.Title} does not exist in this config: {MonteCarlo.MonteCarloEngine.NullReason(spec, kpiColumn)}.", false);
        }

        var bars = new List<TornadoBarResult>();
        foreach (var entry in Entries(spec, options.GroupSoftwareCurve))
        {
            var p = (double[])baseValues.Clone();
            int k = entry.Members.Length;
            var low = new double[k];
            var high = new double[k];
            for (int j = 0; j < k; j++)
            {
                var m = entry.Members[j];
                double q10 = m.Distribution.Quantile(options.LowPercentile);
                double q90 = m.Distribution.Quantile(options.HighPercentile);
                if (k == 1)
                {
                    low[j] = q10;
                    high[j] = q90;
                    continue;
                }

                // Group member: find which end lowers the KPI (others at base).
                p[(int)m.Param] = q10;
                double at10 = SwingValue(Kpi(ctx, p, kpiColumn));
                p[(int)m.Param] = q90;
                double at90 = SwingValue(Kpi(ctx, p, kpiColumn));
                p[(int)m.Param] = baseValues[(int)m.Param];
                bool raisesWithValue = at90 > at10 || (at90 == at10 && NaturalDirectionUp(m.Param));
                low[j] = raisesWithValue ? q10 : q90;
                high[j] = raisesWithValue ? q90 : q10;
            }

            double kLow = EvaluateAt(ctx, baseValues, entry, low, kpiColumn);
            double kHigh = EvaluateAt(ctx, baseValues, entry, high, kpiColumn);
            bars.Add(new TornadoBarResult(entry, Describe(entry, low, options.LowPercentile, options.HighPercentile, high), Describe(entry, high, options.LowPercentile, options.HighPercentile, low), [.. low], [.. high], kLow, kHigh, SwingValue(kLow), SwingValue(kHigh)));
        }

        var sorted = bars.OrderByDescending(b => b.Swing).ThenBy(b => b.Input.Key, StringComparer.Ordinal).ToImmutableArray();
        string? note = null;
        if (isPayback)
        {
            note = $"Payback that never happens within the horizon is labelled \"never\" and counted as {spec.HorizonMonths} months (the horizon) for the swing, so such swings are lower bounds.";
        }

        bool anyGroup = sorted.Any(b => b.Input.IsGroup);
        if (anyGroup)
        {
            string g = $"\"{SoftwareCurveLabel}\" moves the ceiling M and the time constant τ together, each to the end (P10 or P90) that lowers (low) or raises (high) {kpi.Title}.";
            note = note is null ? g : note + " " + g;
        }

        return new TornadoResult(kpiColumn, kpi, baseKpi, SwingValue(baseKpi), options.LowPercentile, options.HighPercentile, sorted, note, true);
    }

    /// <summary>
    /// Spider: the KPI at input percentiles 10, 20, …, 90 % for the top <paramref name="top"/> entries of
    /// <paramref name="tornado"/>. A group moves each member from its KPI-lowering end (10 %) to its
    /// KPI-raising end (90 %), so its line rises by construction.
    /// </summary>
    public static SpiderResult Spider(SimulationSpec spec, TornadoResult tornado, int top = 5)
    {
        var ctx = new ModelContext(spec);
        var baseValues = spec.BaseValues();
        double horizon = spec.HorizonMonths;
        bool isPayback = tornado.KpiColumn is TrialKpis.Payback or TrialKpis.DiscountedPayback;
        ImmutableArray<double> levels = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];
        var lines = new List<SpiderLineResult>();
        foreach (var bar in tornado.Bars.Take(top))
        {
            var entry = bar.Input;
            var inputs = new List<ImmutableArray<double>>();
            var kpis = new List<double>();
            foreach (double q in levels)
            {
                var values = new double[entry.Members.Length];
                for (int j = 0; j < values.Length; j++)
                {
                    var d = entry.Members[j].Distribution;
                    bool up = !entry.IsGroup || bar.HighValues[j] >= bar.LowValues[j];
                    values[j] = d.Quantile(up ? q : 1 - q);
                }

                double v = EvaluateAt(ctx, baseValues, entry, values, tornado.KpiColumn);
                inputs.Add([.. values]);
                kpis.Add(isPayback && double.IsNaN(v) ? horizon : v);
            }

            lines.Add(new SpiderLineResult(entry, [.. inputs], [.. kpis]));
        }

        return new SpiderResult(tornado.KpiColumn, tornado.Kpi, tornado.SwingBaseValue, levels, [.. lines]);
    }

    private static double EvaluateAt(ModelContext ctx, double[] baseValues, SensitivityInput entry, double[] values, int kpiColumn)
    {
        var p = (double[])baseValues.Clone();
        for (int j = 0; j < values.Length; j++)
        {
            p[(int)entry.Members[j].Param] = values[j];
        }

        return Kpi(ctx, p, kpiColumn);
    }

    private static bool NaturalDirectionUp(Param p) => p != Param.SoftwareTimeConstantMonths;

    private static string Describe(SensitivityInput entry, double[] values, double lowP, double highP, double[] other)
    {
        if (!entry.IsGroup)
        {
            return N(values[0]);
        }

        var parts = new List<string>();
        for (int j = 0; j < values.Length; j++)
        {
            var m = entry.Members[j];
            string sym = m.Param switch
            {
                Param.SoftwareCeiling => "M",
                Param.SoftwareTimeConstantMonths => "τ",
                _ => InputLabels.Of(m),
            };
            double pct = (values[j] <= other[j] ? lowP : highP) * 100;
            parts.Add($"{sym} {N(values[j])} (P{pct.ToString("0", CultureInfo.InvariantCulture)})");
        }

        return string.Join(", ", parts);
    }

    /// <summary>Compact invariant number for input values.</summary>
    public static string N(double v) =>
        !double.IsFinite(v) ? "n/a"
        : Math.Abs(v) >= 1e4 && Math.Abs(v) < 1e15 ? v.ToString("#,0", CultureInfo.InvariantCulture)
        : v.ToString("G4", CultureInfo.InvariantCulture);
}

/// <summary>Short display labels of model inputs.</summary>
public static class InputLabels
{
    /// <summary>A label for an input: a readable name for the common drivers, else the path's last part.</summary>
    public static string Of(InputSpec input) => input.Param switch
    {
        Param.Utilization => "utilization",
        Param.Availability => "availability",
        Param.PriceErosionAnnual => "price erosion (annual)",
        Param.PriceUsdPerMillionOutputTokens => "output price ($/Mtok)",
        Param.PriceUsdPerMillionInputTokens => "input price ($/Mtok)",
        Param.PriceUsdPerMillionCachedInputTokens => "cached input price ($/Mtok)",
        Param.CachedInputShare => "cached input share",
        Param.ElectricityUsdPerKwh => "electricity ($/kWh)",
        Param.ElectricityEscalationAnnual => "electricity escalation (annual)",
        Param.SoftwareCeiling => "software ceiling M",
        Param.SoftwareTimeConstantMonths => "software time constant τ",
        Param.OutputTokensPerSPerGpu => "throughput (output tok/s/GPU)",
        Param.CapexUsdPerGpu => "capex",
        Param.CapexOverrun => "capex overrun",
        Param.SalvagePctOfCapex => "salvage (share of capex)",
        Param.Pue => "PUE",
        Param.CostRateUsdPerGpuHour => "all-in rate ($/GPU-hour)",
        Param.DiscountRateAnnual => "discount rate (WACC)",
        Param.TaxRate => "tax rate",
        Param.DemandCapOutputTokensPerS => "demand cap",
        _ => input.Path[(input.Path.IndexOf('.', StringComparison.Ordinal) + 1)..].Replace('_', ' '),
    };
}
