using System.Text;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>Exports of the sensitivity analyses: tornado.csv, sensitivity.csv, and the tornado command's table and JSON.</summary>
public static class SensitivityExport
{
    /// <summary>
    /// tornado.csv: one row per KPI and bar. low_input/high_input are the input values (round-trip numbers; for a
    /// group, "M 1.56 (P10), τ 11.3 (P90)").
    /// </summary>
    /// <remarks>
    /// An empty kpi_at_low/kpi_at_high means the KPI does not exist there (payback: never within the horizon);
    /// swing_low/swing_high then hold the horizon, as used for the swing.
    /// </remarks>
    public static string TornadoCsv(IEnumerable<TornadoResult> tornados)
    {
        var sb = new StringBuilder("kpi,rank,input,label,low_input,high_input,kpi_at_low,kpi_at_high,swing,base,swing_low,swing_high\n");
        foreach (var t in tornados.Where(t => t.Exists))
        {
            int rank = 1;
            foreach (var b in t.Bars)
            {
                sb.Append(t.Kpi.Key).Append(',').Append(rank++.ToString(Fmt.Inv)).Append(',').Append(Fmt.Csv(b.Input.Key)).Append(',')
                  .Append(Fmt.Csv(b.Input.Label)).Append(',').Append(Fmt.Csv(b.Input.IsGroup ? b.LowText : Fmt.Raw(b.LowValues[0]))).Append(',')
                  .Append(Fmt.Csv(b.Input.IsGroup ? b.HighText : Fmt.Raw(b.HighValues[0]))).Append(',')
                  .Append(Fmt.Raw(b.KpiAtLow)).Append(',').Append(Fmt.Raw(b.KpiAtHigh)).Append(',').Append(Fmt.Raw(b.Swing)).Append(',')
                  .Append(Fmt.Raw(t.BaseValue)).Append(',').Append(Fmt.Raw(b.SwingLow)).Append(',').Append(Fmt.Raw(b.SwingHigh)).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>sensitivity.csv: global measures per KPI and input.</summary>
    public static string SensitivityCsv(GlobalSensitivityResult g)
    {
        var sb = new StringBuilder("kpi,input,label,spearman,src,src_squared,r_squared,trials_used,trials_in_run\n");
        foreach (var k in g.Kpis)
        {
            foreach (var m in k.Measures)
            {
                sb.Append(k.Kpi.Key).Append(',').Append(Fmt.Csv(m.Path)).Append(',').Append(Fmt.Csv(m.Label)).Append(',')
                  .Append(Fmt.Raw(m.Spearman)).Append(',').Append(Fmt.Raw(m.Src)).Append(',').Append(Fmt.Raw(m.SrcSquared)).Append(',')
                  .Append(Fmt.Raw(k.RSquared)).Append(',').Append(k.TrialsUsed.ToString(Fmt.Inv)).Append(',').Append(g.TrialsInRun.ToString(Fmt.Inv)).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>A KPI value as text: "never" for payback that does not happen, "n/a" for other missing values.</summary>
    public static string KpiText(double v, TrialKpi kpi) =>
        double.IsNaN(v) ? (kpi.Key.Contains("payback", StringComparison.Ordinal) ? "never" : "n/a") : Fmt.Human(v, kpi.Unit);

    /// <summary>Plain-text tornado for the console.</summary>
    public static string TornadoTable(TornadoResult t, SimulationSpec spec)
    {
        var sb = new StringBuilder();
        sb.Append(spec.Name).Append(": tornado of ").Append(t.Kpi.Title).Append(" (").Append(t.Kpi.Key).Append("), each input from its P")
          .Append((t.LowPercentile * 100).ToString("0", Fmt.Inv)).Append(" to its P").Append((t.HighPercentile * 100).ToString("0", Fmt.Inv))
          .Append(", every other input at its median\n");
        if (!t.Exists)
        {
            sb.Append("  ").Append(t.Note).Append('\n');
            return sb.ToString();
        }

        sb.Append("  base case: ").Append(KpiText(t.BaseValue, t.Kpi)).Append('\n');
        var rows = t.Bars.Select((b, i) => new[]
        {
            (i + 1).ToString(Fmt.Inv), b.Input.Label, b.LowText, b.HighText, KpiText(b.KpiAtLow, t.Kpi), KpiText(b.KpiAtHigh, t.Kpi), Fmt.Human(b.Swing, t.Kpi.Unit),
        }).ToList();
        string[] header = ["#", "input", "low (P10)", "high (P90)", "KPI at low", "KPI at high", "swing"];
        var widths = header.Select((h, c) => Math.Max(h.Length, rows.Count == 0 ? 0 : rows.Max(r => r[c].Length))).ToArray();
        sb.Append("  ").Append(string.Join("  ", header.Select((h, c) => h.PadRight(widths[c]))).TrimEnd()).Append('\n');
        foreach (var r in rows)
        {
            sb.Append("  ").Append(string.Join("  ", r.Select((x, c) => c >= 4 ? x.PadLeft(widths[c]) : x.PadRight(widths[c]))).TrimEnd()).Append('\n');
        }

        if (t.Note is not null)
        {
            sb.Append("  ").Append(t.Note).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>JSON of one tornado (null for a KPI that does not exist at that end).</summary>
    public static string TornadoJson(TornadoResult t, SimulationSpec spec, string configFile) => Fmt.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "tornado");
        w.WriteString("name", spec.Name);
        w.WriteString("config_file", configFile);
        w.WriteString("config_sha256", spec.ConfigHash);
        w.WriteString("kpi", t.Kpi.Key);
        w.WriteString("unit", t.Kpi.Unit);
        w.WriteBoolean("exists", t.Exists);
        w.WriteNumber("low_percentile", t.LowPercentile);
        w.WriteNumber("high_percentile", t.HighPercentile);
        Fmt.NumberOrNull(w, "base", t.BaseValue);
        if (t.Note is not null)
        {
            w.WriteString("note", t.Note);
        }

        w.WriteStartArray("bars");
        foreach (var b in t.Bars)
        {
            w.WriteStartObject();
            w.WriteString("input", b.Input.Key);
            w.WriteString("label", b.Input.Label);
            w.WriteStartArray("members");
            foreach (var m in b.Input.Members)
            {
                w.WriteStringValue(m.Path);
            }

            w.WriteEndArray();
            w.WriteStartArray("low_values");
            foreach (double v in b.LowValues)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            w.WriteStartArray("high_values");
            foreach (double v in b.HighValues)
            {
                w.WriteNumberValue(v);
            }

            w.WriteEndArray();
            Fmt.NumberOrNull(w, "kpi_at_low", b.KpiAtLow);
            Fmt.NumberOrNull(w, "kpi_at_high", b.KpiAtHigh);
            w.WriteNumber("swing", b.Swing);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
    });
}
