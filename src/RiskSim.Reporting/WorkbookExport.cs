using System.Globalization;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using Kind = RiskSim.Reporting.XlsxWriter.CellKind;

namespace RiskSim.Reporting;

/// <summary>
/// One Excel workbook per run, for finance readers: Summary (P10/P50/P90 with 95 % confidence intervals of every KPI,
/// the gates, the percentile convention, the run's identity), Percentiles (every statistic, as percentiles.csv),
/// Tornado, Sensitivity, Assumptions (every input, its distribution and base value, defaults marked) and Charts (the
/// run's PNG charts).
/// </summary>
/// <remarks>
/// Numbers are numbers with Excel number formats, headers are frozen, and units are in the headers (or, where a column
/// mixes KPIs, in a unit column beside the values). A value that does not exist is never a number: Summary says "n/a"
/// or "never", the data sheets leave the cell empty and give the reason.
/// </remarks>
public static class WorkbookExport
{
    /// <summary>Sheet names, in order.</summary>
    public static readonly IReadOnlyList<string> SheetNames = ["Summary", "Percentiles", "Tornado", "Sensitivity", "Assumptions", "Charts"];

    /// <summary>Writes the workbook to <paramref name="path"/> (replaced if it exists).</summary>
    /// <param name="path">The .xlsx file.</param>
    /// <param name="data">The run's report data (<see cref="ReportData.Compute"/>).</param>
    /// <param name="charts">The run's chart images (in memory); the PNGs among them go into the Charts sheet.</param>
    public static void Write(string path, ReportData data, IEnumerable<ChartImage> charts)
    {
        using var stream = File.Create(path);
        Write(stream, data, charts);
    }

    /// <summary>Writes the workbook to a stream.</summary>
    public static void Write(Stream output, ReportData data, IEnumerable<ChartImage> charts)
    {
        ArgumentNullException.ThrowIfNull(data);
        var r = data.Result;
        using var book = new XlsxWriter(output, $"{r.Spec.Name}: RiskSim results");
        Summary(book.AddSheet("Summary"), data);
        Percentiles(book.AddSheet("Percentiles"), r);
        Tornado(book.AddSheet("Tornado"), data);
        Sensitivity(book.AddSheet("Sensitivity"), data.Global);
        Assumptions(book.AddSheet("Assumptions"), r.Spec);
        Charts(book.AddSheet("Charts"), r, charts);
    }

    /// <summary>The Excel number format for values in <paramref name="unit"/>.</summary>
    public static string NumberFormat(string unit) => unit switch
    {
        "USD" or "USD/GPU" or "USD/unit" or "USD/GPU-year" or "USD/year" or "USD/kW-month" => "\"$\"#,##0;-\"$\"#,##0",
        "USD/GPU-hour" => "\"$\"#,##0.00;-\"$\"#,##0.00",
        "USD/Mtok" => "\"$\"#,##0.000;-\"$\"#,##0.000",
        "USD/kWh" => "\"$\"0.0000;-\"$\"0.0000",
        "USD/USD" => "0.0000",
        "fraction" or "fraction/year" or "fraction of GPU power" or "probability" => "0.0%",
        "%" or "months" => "0.0",
        "×" or "multiplier" or "ratio" or "J/token" or "kW/GPU" or "s" => "0.000",
        "W" or "tok/s/GPU" or "tok/s/user" or "tokens" or "tok/s (fleet)" or "trials" => "#,##0",
        _ => "General",
    };

    private const string Probability = "0.0%";

    private static string Header(TrialKpi k) => $"{k.Title} ({k.Unit})";

    private static void Summary(XlsxSheet sh, ReportData d)
    {
        var r = d.Result;
        var s = r.Spec;
        var stats = r.Statistics;
        sh.Row(1).Text(1, $"{s.Name}: RiskSim Monte Carlo results", Kind.Title);
        sh.Row(2).Text(1, ChartCaptions.PercentileConvention + " Pxx is the order statistic of rank ceil(xx/100 × trials); trials where a KPI does not exist rank as its worst outcome. 95 % CI: the order-statistic confidence interval of the percentile.", Kind.Note);
        sh.Row(3).Text(1, $"{s.Accelerator} × {s.TotalGpus.ToString("#,0", CultureInfo.InvariantCulture)} GPUs, {s.HorizonMonths}-month horizon; {r.Trials.ToString("#,0", CultureInfo.InvariantCulture)} trials, seed {r.Options.Seed.ToString(CultureInfo.InvariantCulture)}" + (r.Partial ? $"; PARTIAL: cancelled after {r.Trials:N0} of {r.Options.Trials:N0} trials" : ""), Kind.Note);

        // Statistics as rows, one column per KPI with its unit in the header; the KPI keys of summary.json below.
        sh.Row(4).Text(1, "Statistic", Kind.Header);
        for (int k = 0; k < stats.Length; k++)
        {
            sh.Text(k + 2, Header(stats[k].Kpi), Kind.Header);
        }

        sh.Row(5).Text(1, "summary.json key", Kind.Header);
        for (int k = 0; k < stats.Length; k++)
        {
            sh.Text(k + 2, stats[k].Kpi.Key, Kind.Header);
        }

        sh.Freeze(5, 1).Width(1, 34);
        for (int k = 0; k < stats.Length; k++)
        {
            sh.Width(k + 2, 18);
        }

        string Missing(KpiStatistics st) => st.Kpi.Key.Contains("payback", StringComparison.Ordinal) && s.CostMode == CostMode.BuildUp ? "never" : "n/a";
        void Values(string label, Func<KpiStatistics, double?> value, bool probability = false, bool bold = false)
        {
            sh.NextRow().Text(1, label, bold ? Kind.Bold : Kind.Plain);
            for (int k = 0; k < stats.Length; k++)
            {
                var st = stats[k];
                sh.Number(k + 2, value(st), probability ? Probability : NumberFormat(st.Kpi.Unit), bold ? Kind.Bold : Kind.Plain, Missing(st));
            }
        }

        foreach (double p in new[] { 0.1, 0.5, 0.9 })
        {
            string name = $"P{p * 100:0}";
            Values(name, st => st[p].Value, bold: true);
            Values($"{name} 95 % CI low", st => st[p].CiLow);
            Values($"{name} 95 % CI high", st => st[p].CiHigh);
        }

        Values("Mean", st => st.Mean, bold: true);
        Values("Mean 95 % CI low", st => st.Mean - (1.96 * st.StandardError));
        Values("Mean 95 % CI high", st => st.Mean + (1.96 * st.StandardError));
        Values("Expected shortfall (mean of worst 10 %)", st => st.ExpectedShortfall10);
        Values("P(KPI < 0)", st => st.ProbNegative, probability: true);
        foreach (int m in stats.SelectMany(st => st.ProbWithin.Keys).Distinct().Order())
        {
            sh.NextRow().Text(1, $"P(≤ {m} months)");
            for (int k = 0; k < stats.Length; k++)
            {
                sh.Number(k + 2, stats[k].ProbWithin.TryGetValue(m, out double v) ? v : null, Probability);
            }
        }

        Values("Share of trials where the KPI does not exist", st => st.NullShare, probability: true);
        sh.NextRow().Text(1, "Why a KPI may not exist");
        for (int k = 0; k < stats.Length; k++)
        {
            sh.Text(k + 2, stats[k].Nulls > 0 ? stats[k].NullReason : null, Kind.Note);
        }

        // Gates.
        sh.NextRow(1).Text(1, "Risk gates", Kind.Title);
        sh.NextRow().Headers("Gate (summary.json key)", "Operator", "Threshold", "Actual", "Passed", "Label", "Explanation");
        foreach (var g in d.Gates)
        {
            string unitFormat = GateFormat(g.Gate.Metric, r);
            sh.NextRow().Text(1, g.Gate.Metric).Text(2, g.Gate.Op == GateOp.GreaterOrEqual ? ">=" : "<=").Number(3, g.Gate.Threshold, unitFormat)
              .Number(4, g.Actual, unitFormat, missing: "n/a").Boolean(5, g.Passed).Text(6, g.Gate.Label).Text(7, g.Explanation);
        }

        if (d.Gates.Count == 0)
        {
            sh.NextRow().Text(1, "The config has no gates.", Kind.Note);
        }
        else
        {
            sh.NextRow().Text(1, d.Gates.All(g => g.Passed) ? "All gates passed." : "At least one gate FAILED (risksim exits with code 3).", Kind.Bold);
        }

        // Identity of the run.
        sh.NextRow(1).Text(1, "Run", Kind.Title);
        sh.NextRow().Headers("Item", "Value");
        sh.NextRow().Text(1, "Config file").Text(2, d.ConfigFile);
        sh.NextRow().Text(1, "Config SHA-256").Text(2, s.ConfigHash);
        sh.NextRow().Text(1, "Seed").Number(2, r.Options.Seed, "0");
        sh.NextRow().Text(1, "Trials").Number(2, r.Trials, "#,##0");
        sh.NextRow().Text(1, "Sampling").Text(2, r.Options.Sampling == SamplingMethod.LatinHypercube ? "Latin hypercube (lhs)" : "plain Monte Carlo (mc)");
        sh.NextRow().Text(1, "Percentile method").Text(2, r.PercentileMethod);
        sh.NextRow().Text(1, "Partial (cancelled)").Boolean(2, r.Partial);
        sh.NextRow().Text(1, "RiskSim version").Text(2, Provenance.Version);
        sh.Save();
    }

    private static string GateFormat(string metric, SimulationResult r)
    {
        int dot = metric.IndexOf('.', StringComparison.Ordinal);
        string stat = metric[(dot + 1)..];
        return stat.StartsWith("prob_", StringComparison.Ordinal) || stat == "null_share" ? Probability : NumberFormat(r[metric[..dot]].Kpi.Unit);
    }

    private static void Percentiles(XlsxSheet sh, SimulationResult r)
    {
        sh.Row(1).Headers("KPI (summary.json key)", "Statistic", "Value", "95 % CI low", "95 % CI high", "Unit of value and CI", "Why the value does not exist");
        sh.Freeze(1).Width(1, 44).Width(2, 18).Width(3, 16).Width(4, 16).Width(5, 16).Width(6, 14).Width(7, 50);
        foreach (var s in r.Statistics)
        {
            string format = NumberFormat(s.Kpi.Unit);
            foreach (var p in s.Percentiles)
            {
                sh.NextRow().Text(1, s.Kpi.Key).Text(2, $"p{(p.P * 100).ToString("0", CultureInfo.InvariantCulture)}").Number(3, p.Value, format)
                  .Number(4, p.CiLow, format).Number(5, p.CiHigh, format).Text(6, s.Kpi.Unit).Text(7, p.NullReason);
            }

            foreach (var (name, value) in RunExport.Flat(s).Where(f => !f.Name.StartsWith('p') || f.Name.StartsWith("prob", StringComparison.Ordinal)))
            {
                bool probability = name.StartsWith("prob", StringComparison.Ordinal) || name == "null_share";
                sh.NextRow().Text(1, s.Kpi.Key).Text(2, name);
                if (name == "mean" && s.Mean is { } m && s.StandardError is { } se)
                {
                    sh.Number(3, value, format).Number(4, m - (1.96 * se), format).Number(5, m + (1.96 * se), format).Text(6, s.Kpi.Unit);
                }
                else
                {
                    sh.Number(3, value, probability ? Probability : format).Text(6, probability ? "probability" : s.Kpi.Unit);
                }

                if (value is null && s.Nulls > 0)
                {
                    sh.Text(7, $"{s.NullReason} in every trial");
                }
            }
        }

        sh.Save();
    }

    private static void Tornado(XlsxSheet sh, ReportData d)
    {
        sh.Row(1).Headers("KPI (summary.json key)", "Rank", "Input", "Config path", "Input low (P10)", "Input high (P90)", "Input unit", "KPI with input low", "KPI with input high", "Swing", "KPI base case (all inputs at median)", "KPI unit");
        sh.Freeze(1).Width(1, 30).Width(2, 6).Width(3, 34).Width(4, 40).Width(5, 18).Width(6, 18).Width(7, 12).Width(8, 18).Width(9, 18).Width(10, 16).Width(11, 20).Width(12, 10);
        foreach (var t in d.Tornados)
        {
            if (!t.Exists)
            {
                sh.NextRow().Text(1, t.Kpi.Key).Text(3, t.Note, Kind.Note);
                continue;
            }

            string kpiFormat = NumberFormat(t.Kpi.Unit);
            string missing = t.Kpi.Key.Contains("payback", StringComparison.Ordinal) ? "never" : "n/a";
            int rank = 1;
            foreach (var b in t.Bars)
            {
                sh.NextRow().Text(1, t.Kpi.Key).Number(2, rank++, "0").Text(3, b.Input.Label).Text(4, b.Input.Key);
                if (b.Input.IsGroup)
                {
                    sh.Text(5, b.LowText).Text(6, b.HighText);
                }
                else
                {
                    string unit = b.Input.Members[0].Unit;
                    sh.Number(5, b.LowValues[0], NumberFormat(unit)).Number(6, b.HighValues[0], NumberFormat(unit)).Text(7, unit);
                }

                sh.Number(8, b.KpiAtLow, kpiFormat, missing: missing).Number(9, b.KpiAtHigh, kpiFormat, missing: missing).Number(10, b.Swing, kpiFormat)
                  .Number(11, t.BaseValue, kpiFormat, missing: missing).Text(12, t.Kpi.Unit);
            }

            if (t.Note is { Length: > 0 } note)
            {
                sh.NextRow().Text(1, t.Kpi.Key).Text(3, note, Kind.Note);
            }
        }

        sh.NextRow(1).Text(1, "One input at a time from its P10 to its P90, every other input at its median (correlations ignored by construction; the Sensitivity sheet measures them on the trials). Bars ranked by swing.", Kind.Note);
        sh.Save();
    }

    private static void Sensitivity(XlsxSheet sh, GlobalSensitivityResult g)
    {
        sh.Row(1).Headers("KPI (summary.json key)", "Input", "Config path", "Spearman rank correlation (−1 … 1)", "Standardized regression coefficient (SRC)", "SRC² (share of variance)", "R² of the KPI's linear regression", "Trials used", "Note");
        sh.Freeze(1).Width(1, 30).Width(2, 34).Width(3, 40).Width(4, 18).Width(5, 18).Width(6, 14).Width(7, 14).Width(8, 12).Width(9, 40);
        foreach (var k in g.Kpis)
        {
            if (k.Measures.Length == 0)
            {
                sh.NextRow().Text(1, k.Kpi.Key).Text(9, k.Note, Kind.Note);
                continue;
            }

            foreach (var m in k.Measures)
            {
                sh.NextRow().Text(1, k.Kpi.Key).Text(2, m.Label).Text(3, m.Path).Number(4, m.Spearman, "0.000").Number(5, m.Src, "0.000").Number(6, m.SrcSquared, "0.0%")
                  .Number(7, k.RSquared, "0.000").Number(8, k.TrialsUsed, "#,##0").Text(9, k.Note);
            }
        }

        sh.NextRow(1).Text(1, $"From the run's first {g.TrialsAnalysed.ToString("#,0", CultureInfo.InvariantCulture)} of {g.TrialsInRun.ToString("#,0", CultureInfo.InvariantCulture)} trials, with their correlations.", Kind.Note);
        sh.Save();
    }

    private static void Assumptions(XlsxSheet sh, SimulationSpec s)
    {
        sh.Row(1).Headers("Input (config path)", "Unit", "Base value (median)", "Distribution", "Uncertain", "Value source", "Meaning");
        sh.Freeze(1).Width(1, 46).Width(2, 16).Width(3, 18).Width(4, 48).Width(5, 10).Width(6, 16).Width(7, 80);
        foreach (var i in s.Inputs.Where(i => Provenance.Relevant(s, i.Param)))
        {
            string meaning = ConfigSchema.ByPath.TryGetValue(i.Path, out var def) ? def.Description : "";
            sh.NextRow().Text(1, i.Path).Text(2, i.Unit).Number(3, i.BaseValue, NumberFormat(i.Unit), missing: "n/a").Text(4, i.Distribution.Describe())
              .Boolean(5, i.IsUncertain).Text(6, i.Defaulted ? "default" : "config").Text(7, meaning);
        }

        sh.NextRow(1).Text(1, "Model switches", Kind.Title);
        sh.NextRow().Headers("Item", "Value");
        sh.NextRow().Text(1, "accelerator").Text(2, s.Accelerator);
        sh.NextRow().Text(1, "GPUs").Number(2, s.TotalGpus, "#,##0");
        sh.NextRow().Text(1, "cost mode").Text(2, s.CostMode == CostMode.Rate ? "rate" : "build_up");
        sh.NextRow().Text(1, "energy boundary").Text(2, s.EnergyBoundary.ToString().ToLowerInvariant());
        sh.NextRow().Text(1, "demand").Text(2, s.HasDemandCap ? "capped" : "supply-limited");
        sh.NextRow().Text(1, "horizon (months)").Number(2, s.HorizonMonths, "0");
        sh.NextRow().Text(1, "utilization ramp (months)").Number(2, s.UtilizationRampMonths, "0");
        sh.NextRow().Text(1, "economic life (months)").Number(2, s.EconomicLifeMonths, "0");
        sh.NextRow().Text(1, "tax depreciation").Text(2, s.TaxDepreciation == TaxDepreciation.Macrs5 ? "macrs5" : $"straight_line over {s.TaxLifeMonths} months");
        if (s.Correlations.Length > 0)
        {
            sh.NextRow(1).Text(1, "Rank correlations", Kind.Title);
            sh.NextRow().Headers("Input A", "Input B", "Spearman ρ");
            foreach (var c in s.Correlations)
            {
                sh.NextRow().Text(1, c.A).Text(2, c.B).Number(3, c.RankCorrelation, "0.00");
            }
        }

        sh.NextRow(1).Text(1, "\"default\": the config does not give the field and RiskSim's documented default was used ('risksim schema --format markdown').", Kind.Note);
        sh.Save();
    }

    private static void Charts(XlsxSheet sh, SimulationResult r, IEnumerable<ChartImage> charts)
    {
        sh.Row(1).Text(1, $"{r.Spec.Name}: charts", Kind.Title);
        sh.Row(2).Text(1, ChartCaptions.PercentileConvention, Kind.Note);
        int row = 4;
        foreach (var png in Order(charts.Where(c => c.IsPng)))
        {
            var (_, h) = XlsxSheet.PngSize(png.Bytes);
            string name = Path.GetFileNameWithoutExtension(png.FileName);
            sh.Row(row).Text(1, name, Kind.Bold);
            sh.Image(row + 1, 1, png.Bytes, name);
            // Default rows are 20 px high; leave the image's height (scaled) and a gap.
            row += 3 + (int)Math.Ceiling(h * 0.6 / 20);
        }

        sh.Save();
    }

    /// <summary>The answer's charts first (NPV tornado, S-curve, histogram, payback), then the rest by name.</summary>
    private static IEnumerable<ChartImage> Order(IEnumerable<ChartImage> pngs)
    {
        string[] first = ["tornado-npv", "s-curve-npv", "histogram-npv", "payback", "tornado-roi", "s-curve-roi", "histogram-roi", "tornado-payback", "fan-cash-flow", "spider-npv"];
        return pngs.OrderBy(p =>
        {
            int i = Array.IndexOf(first, Path.GetFileNameWithoutExtension(p.FileName));
            return i < 0 ? first.Length : i;
        }).ThenBy(p => p.FileName, StringComparer.Ordinal);
    }
}
