using System.Globalization;

namespace RiskSim.Charts;

/// <summary>
/// Formats values of one unit for tick labels and annotations: invariant culture, thousands separators,
/// money in millions ("$12.3 M") when the chart's values reach a million, fractions as percent.
/// </summary>
internal sealed class ValueFormat
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly string _unit;
    private readonly bool _money;
    private readonly bool _millions;
    private readonly bool _fraction;
    private readonly double _zero;

    /// <summary>Formatter for <paramref name="unit"/> (e.g. "USD", "fraction", "%", "months") given the largest magnitude shown.</summary>
    public ValueFormat(string? unit, double maxAbs)
    {
        _unit = (unit ?? "").Trim();
        _money = IsMoney(_unit);
        _fraction = _unit is "fraction" or "fraction/year";
        maxAbs = double.IsFinite(maxAbs) ? Math.Abs(maxAbs) : 0;
        _millions = _money && maxAbs >= 1e6;
        _zero = Math.Max(maxAbs, 1e-300) * 1e-9;
    }

    /// <summary>Formatter for a unit, scaled for the given values (non-finite ones ignored).</summary>
    public static ValueFormat For(string? unit, IEnumerable<double> values)
    {
        double maxAbs = 0;
        foreach (double v in values)
        {
            if (double.IsFinite(v))
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(v));
            }
        }

        return new ValueFormat(unit, maxAbs);
    }

    /// <summary>True for USD, $ and USD/… units.</summary>
    public static bool IsMoney(string unit) =>
        unit.StartsWith("USD", StringComparison.OrdinalIgnoreCase) || unit.Contains('$', StringComparison.Ordinal);

    /// <summary>Unit text for an axis label, e.g. "USD", "%", "months"; "" when unitless.</summary>
    public string AxisUnit => _unit switch
    {
        "fraction" => "%",
        "fraction/year" => "% per year",
        _ => _unit,
    };

    /// <summary>"title (unit)" or just the title when unitless.</summary>
    public string AxisLabel(string title) => AxisUnit.Length == 0 ? title : $"{title} ({AxisUnit})";

    /// <summary>A value with its unit for annotations, e.g. "24 months", "$11.4 M", "45 %".</summary>
    public string WithUnit(double v)
    {
        string s = Format(v);
        return _money || _fraction || _unit is "" or "%" || !double.IsFinite(v) ? s : s + " " + _unit;
    }

    /// <summary>A tick label or annotation for one value.</summary>
    public string Format(double v)
    {
        if (!double.IsFinite(v))
        {
            return "n/a";
        }

        if (Math.Abs(v) < _zero)
        {
            v = 0;
        }

        if (_money)
        {
            string sign = v < 0 ? "-" : "";
            double a = Math.Abs(v);
            return _millions
                ? sign + "$" + (a / 1e6).ToString("#,0.##", Inv) + " M"
                : sign + "$" + a.ToString(a >= 100 ? "#,0" : "#,0.###", Inv);
        }

        if (_fraction)
        {
            return (v * 100).ToString("#,0.##", Inv) + " %";
        }

        string s = Math.Abs(v) >= 1000 ? v.ToString("#,0.#", Inv) : v.ToString("#,0.####", Inv);
        return _unit == "%" ? s + " %" : s;
    }
}
