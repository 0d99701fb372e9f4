using System.Globalization;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>
/// The one number format per KPI, used by the console summary, summary.json's display strings (which
/// run.ps1's batch table shows) and the committee report, so a figure reads the same everywhere:
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item>money (USD): <c>$13.05 M</c> from a million up (two decimals of millions), whole dollars below (<c>$366,428</c>);</item>
/// <item>money per unit (<c>USD/Mtok</c>, <c>USD/USD</c>): three significant digits (<c>0.0504 USD/Mtok</c>, <c>1.15 USD/Mtok</c>);</item>
/// <item>ratios (×): three decimals (<c>3.041×</c>);</item>
/// <item>months: one decimal (<c>13.7 months</c>);</item>
/// <item>percent KPIs (%) and annual rates (IRR): one decimal of a percent (<c>45.3 %</c>);</item>
/// <item>probabilities and shares (P(NPV &lt; 0), P(payback ≤ N), null share): one decimal of a percent (<c>81.3 %</c>).</item>
/// </list>
/// Spreads (sd, standard error, tornado swings) are shown with three significant digits in the KPI's unit (money as
/// money), so a small standard error or swing does not round to 0. Never NaN or infinity: a missing value is <c>n/a</c> (or <c>never</c> for a payback
/// not within the horizon).
/// </remarks>
public static class KpiFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A KPI value in its unit (see <see cref="KpiFormat"/>); "n/a" for null or non-finite.</summary>
    public static string Value(double? value, string unit)
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return "n/a";
        }

        return unit switch
        {
            "USD" => Money(v),
            "×" => v.ToString("0.000", Inv) + "×",
            "months" => v.ToString("#,0.0", Inv) + " months",
            "%" => v.ToString("#,0.0", Inv) + " %",
            "fraction" or "fraction/year" => (v * 100).ToString("#,0.0", Inv) + " %",
            _ when unit.StartsWith("USD/", StringComparison.Ordinal) => Significant(v, 3) + " " + unit,
            _ => Fmt.Human(v, unit),
        };
    }

    /// <summary>A spread (sd, standard error, a tornado swing) in the KPI's unit with three significant digits.</summary>
    public static string Spread(double? value, string unit)
    {
        if (value is not { } v || !double.IsFinite(v))
        {
            return "n/a";
        }

        return unit switch
        {
            "USD" => Money(v),
            "fraction" or "fraction/year" => Significant(v * 100, 3) + " %",
            "%" => Significant(v, 3) + " %",
            "×" => Significant(v, 3) + "×",
            "" => Significant(v, 3),
            _ => Significant(v, 3) + " " + unit,
        };
    }

    /// <summary>A probability or share in [0, 1] as a percent with one decimal ("81.3 %").</summary>
    public static string Probability(double? p) =>
        p is { } v && double.IsFinite(v) ? (v * 100).ToString("0.0", Inv) + " %" : "n/a";

    /// <summary>
    /// A summary statistic "kpi.stat" (a gate metric, a summary.json key): probabilities and shares as percents,
    /// sd and standard error as spreads, every other statistic in the KPI's format.
    /// </summary>
    public static string Metric(string stat, double? value, string unit) =>
        stat.StartsWith("prob_", StringComparison.Ordinal) || stat == "null_share" ? Probability(value)
        : stat is "sd" or "se_mean" ? Spread(value, unit)
        : Value(value, unit);

    /// <summary>A gate's actual value in the format of its metric.</summary>
    public static string GateActual(GateResult g, SimulationResult r)
    {
        int dot = g.Gate.Metric.IndexOf('.', StringComparison.Ordinal);
        return g.Actual is null ? "n/a" : Metric(g.Gate.Metric[(dot + 1)..], g.Actual, r[g.Gate.Metric[..dot]].Kpi.Unit);
    }

    /// <summary>
    /// A percentile cell: the value, or, when the KPI does not exist in that many trials, "never" for a payback
    /// not within the horizon and "n/a" otherwise (the reason is given beside the table).
    /// </summary>
    public static string Percentile(Percentile p, KpiStatistics s) =>
        p.Value is { } v ? Value(v, s.Kpi.Unit) : IsNever(s) ? "never" : "n/a";

    /// <summary>True when the KPI's missing values mean "not within the horizon" (payback), shown as "never".</summary>
    public static bool IsNever(KpiStatistics s) => s.NullReason.StartsWith("not within", StringComparison.Ordinal);

    /// <summary>Whole dollars below a million, millions with two decimals from a million up.</summary>
    private static string Money(double v)
    {
        double a = Math.Abs(v);
        string s = a >= 1e6 ? (a / 1e6).ToString("#,0.00", Inv) + " M" : a.ToString("#,0", Inv);
        return (v < 0 && s.Any(c => c is >= '1' and <= '9') ? "-$" : "$") + s;
    }

    /// <summary>
    /// <paramref name="digits"/> significant digits in fixed notation, thousands separated (60,007 → "60,000");
    /// 0 as "0".
    /// </summary>
    private static string Significant(double v, int digits)
    {
        if (v == 0)
        {
            return "0";
        }

        int magnitude = (int)Math.Floor(Math.Log10(Math.Abs(v)));
        if (magnitude < -9)
        {
            return v.ToString("0." + new string('0', digits - 1) + "e+0", Inv);
        }

        if (digits - 1 - magnitude < 0)
        {
            double unit = Math.Pow(10, magnitude - digits + 1); // 60,007 → 60,000
            return (Math.Round(v / unit, MidpointRounding.AwayFromZero) * unit).ToString("#,0", Inv);
        }

        int decimals = digits - 1 - magnitude;
        double rounded = Math.Round(v, decimals, MidpointRounding.AwayFromZero);
        if (rounded != 0 && (int)Math.Floor(Math.Log10(Math.Abs(rounded))) > magnitude)
        {
            decimals = Math.Max(0, decimals - 1); // 9.996 → 10.0, not 10.00
        }

        return v.ToString(decimals == 0 ? "#,0" : "#,0." + new string('0', decimals), Inv);
    }
}
