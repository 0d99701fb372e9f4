using System.Collections.Immutable;
using System.Globalization;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>Everything the committee report shows, computed once from a run.</summary>
/// <param name="Result">The Monte Carlo run.</param>
/// <param name="Gates">Gate outcomes.</param>
/// <param name="ConfigFile">Config file name as given.</param>
/// <param name="BaseCase">Deterministic base case (every input at its median).</param>
/// <param name="Tornados">One-at-a-time tornados of NPV, net ROI and payback.</param>
/// <param name="Spider">NPV spider for the top 5 entries of the NPV tornado.</param>
/// <param name="Global">Spearman and SRC from the trials.</param>
/// <param name="Paths">Monthly path bands of a sample of trials.</param>
public sealed record ReportData(
    SimulationResult Result,
    IReadOnlyList<GateResult> Gates,
    string ConfigFile,
    BaseCase BaseCase,
    ImmutableArray<TornadoResult> Tornados,
    SpiderResult? Spider,
    GlobalSensitivityResult Global,
    PathBands Paths)
{
    /// <summary>Tornado of one KPI column.</summary>
    public TornadoResult Tornado(int kpiColumn) => Tornados.First(t => t.KpiColumn == kpiColumn);

    /// <summary>Computes the sensitivity analyses, base case and path bands of a run (deterministic; independent of thread count).</summary>
    public static ReportData Compute(SimulationResult result, IReadOnlyList<GateResult> gates, string configFile)
    {
        var spec = result.Spec;
        // The four analyses are independent: run them on all cores.
        var global = Task.Run(() => GlobalSensitivity.Compute(result));
        var paths = Task.Run(() => TrialPaths.Compute(result));
        var baseCase = Task.Run(() => Evaluation.Evaluate(spec));
        var tornados = Core.Sensitivity.Tornado.SupportedKpis.Select(k => Core.Sensitivity.Tornado.Compute(spec, k)).ToImmutableArray();
        var npv = tornados[0];
        SpiderResult? spider = npv.Bars.Length > 0 ? Core.Sensitivity.Tornado.Spider(spec, npv) : null;
        return new ReportData(result, gates, configFile, baseCase.GetAwaiter().GetResult(), tornados, spider, global.GetAwaiter().GetResult(), paths.GetAwaiter().GetResult());
    }
}

/// <summary>Options of the committee report.</summary>
/// <param name="Deterministic">Omit everything that depends on the machine or the moment (machine, threads, vector width, timings) so the text is a function of config, seed and trials only (golden tests).</param>
/// <param name="Elapsed">The whole run's wall time, shown in the provenance beside the simulation and aggregation times when given.</param>
/// <param name="Images">The run's chart images in memory (as <see cref="IChartRenderer"/> draws them): the PNGs are listed and embedded; null = none.</param>
/// <param name="ChartsNote">A note for the charts section (e.g. why rendering failed), or null.</param>
/// <param name="Charts">The run's chart data when the caller already built it (to draw the charts), so the report does not build it again; null = built when needed.</param>
public sealed record ReportOptions(bool Deterministic = false, TimeSpan? Elapsed = null, IReadOnlyList<ChartImage>? Images = null, string? ChartsNote = null, ChartBundle? Charts = null);

/// <summary>
/// The risk-committee report (report.md and a self-contained report.html): the answer first, then what
/// drives it, the base case, the assumptions, the charts, convergence, conventions and provenance.
/// Text is invariant-culture and deterministic for a given config, seed and trial count.
/// </summary>
public static class CommitteeReport
{
    /// <summary>Tornado image shown in section 2 when present in the run folder.</summary>
    public const string TornadoImage = "tornado-npv.png";

    /// <summary>report.md.</summary>
    public static string Markdown(ReportData d, ReportOptions? options = null) => Invariant(() => ReportDocument.Markdown(Blocks(d, options ?? new ReportOptions())));

    /// <summary>report.html (self-contained).</summary>
    public static string Html(ReportData d, ReportOptions? options = null)
    {
        options ??= new ReportOptions();
        return Invariant(() => ReportDocument.Html(HtmlTitle(d), Blocks(d, options), options.Images));
    }

    /// <summary>report.md and report.html from one build of the report's blocks (the same text as <see cref="Markdown"/> and <see cref="Html"/>).</summary>
    public static (string Markdown, string Html) Both(ReportData d, ReportOptions options) => Invariant(() =>
    {
        var blocks = Blocks(d, options);
        return (ReportDocument.Markdown(blocks), ReportDocument.Html(HtmlTitle(d), blocks, options.Images));
    });

    private static string HtmlTitle(ReportData d) => $"{d.Result.Spec.Name}: risk-committee report";

    /// <summary>The report as blocks (both formats render these).</summary>
    internal static IReadOnlyList<ReportBlock> Blocks(ReportData d, ReportOptions options)
    {
        var r = d.Result;
        var s = r.Spec;
        var b = new List<ReportBlock>();
        var images = Images(options.Images);
        var charts = images.Count > 0 ? (options.Charts ?? ChartBundles.From(d)).Entries : [];

        b.Add(new HeadingBlock(1, $"{L(s.Name)}: risk-committee report"));
        b.Add(new ParagraphBlock($"{L(s.Accelerator)} × {Int(s.TotalGpus)} GPUs, {s.HorizonMonths}-month horizon, cost mode `{(s.CostMode == CostMode.Rate ? "rate" : "build_up")}`. {Int(r.Trials)} Monte Carlo trials ({Sampling(r)}), seed {r.Options.Seed.ToString(CultureInfo.InvariantCulture)}." + (r.Partial ? $" **PARTIAL RUN: cancelled after {Int(r.Trials)} of {Int(r.Options.Trials)} trials.**" : "")));
        if (s.Description.Length > 0)
        {
            b.Add(new ParagraphBlock(L(s.Description)));
        }

        Answer(d, b);
        Drivers(d, b, images, charts);
        BaseCaseWalk(d, b);
        Assumptions(d, b);
        b.AddRange(BenchmarkReport.Blocks(s, images));
        Charts(b, images, charts, options.ChartsNote);
        Convergence(d, b);
        Conventions(d, b);
        ProvenanceSection(d, b, options);
        return b;
    }

    private static void Answer(ReportData d, List<ReportBlock> b)
    {
        var r = d.Result;
        var s = r.Spec;
        b.Add(new HeadingBlock(2, "1. The answer"));
        b.Add(new ParagraphBlock(BottomLine(d)));
        b.Add(new ParagraphBlock("Pxx is the xx-th percentile: xx % of trials are at or below it (P10 is the pessimistic case for NPV and ROI, the optimistic one for payback months). Brackets: 95 % confidence interval of each percentile from the order statistics."));
        var rows = new List<IReadOnlyList<string>>();
        int[] answerKpis = r.Statistics.Length > TrialKpis.Irr ? [TrialKpis.NetRoi, TrialKpis.Npv, TrialKpis.Payback, TrialKpis.Irr] : [TrialKpis.NetRoi, TrialKpis.Npv, TrialKpis.Payback];
        foreach (int k in answerKpis)
        {
            var st = r.Statistics[k];
            var row = new List<string> { $"{st.Kpi.Title} ({st.Kpi.Unit})" };
            foreach (double p in new[] { 0.1, 0.5, 0.9 })
            {
                row.Add(Pct(st[p], st, s));
                row.Add(Ci(st[p], st));
            }

            row.Add(st.Mean is { } m ? H(m, st.Kpi.Unit) : "n/a");
            rows.Add(row);
        }

        b.Add(new TableBlock(["KPI", "P10", "95 % CI", "P50", "95 % CI", "P90", "95 % CI", "mean"], "lrrrrrrr", rows));
        var npv = r.Statistics[TrialKpis.Npv];
        var pb = r.Statistics[TrialKpis.Payback];
        var items = new List<string>
        {
            $"**P(NPV < 0) = {Prob(npv.ProbNegative)}**: the probability of destroying value at the {Prob(s[Param.DiscountRateAnnual].BaseValue)} cost of capital" + (s[Param.DiscountRateAnnual].IsUncertain ? " (median)" : "") + ".",
            $"Expected shortfall of NPV (mean of the worst 10 % of trials): {H(npv.ExpectedShortfall10, "USD")}.",
        };
        if (s.CostMode == CostMode.Rate)
        {
            items.Add("Payback does not exist: cost mode \"rate\" has no up-front capex to pay back.");
        }
        else
        {
            foreach (var (m, p) in pb.ProbWithin)
            {
                items.Add($"P(payback ≤ {m} months) = {Prob(p)}");
            }

            if (pb.Nulls > 0)
            {
                items.Add($"Payback never happens within the {s.HorizonMonths}-month horizon in {Prob(pb.NullShare)} of trials.");
            }
        }

        b.Add(new BulletsBlock(items));
        b.Add(new HeadingBlock(3, "Risk gates"));
        if (d.Gates.Count == 0)
        {
            b.Add(new ParagraphBlock("The config defines no risk gates."));
            return;
        }

        b.Add(new TableBlock(["gate", "meaning", "actual", "result"], "llrl", [.. d.Gates.Select(g => (IReadOnlyList<string>)
            [ReportDocument.CodeLiteral(g.Gate.Text), L(g.Gate.Label), GateActual(g, r), g.Passed ? "pass" : "**FAIL**"])]));
        int failed = d.Gates.Count(g => !g.Passed);
        b.Add(new ParagraphBlock(failed == 0
            ? $"**All {d.Gates.Count} gates pass.**"
            : $"**{failed} of {d.Gates.Count} gates fail:** " + string.Join("; ", d.Gates.Where(g => !g.Passed).Select(g => g.Actual is null ? L(g.Explanation) : $"{ReportDocument.CodeLiteral(g.Gate.Text)} is {GateActual(g, r)}")) + "."));
    }

    /// <summary>One sentence: the range of NPV, the medians, the probability of loss and the gate verdict.</summary>
    public static string BottomLine(ReportData d)
    {
        var r = d.Result;
        var npv = r.Statistics[TrialKpis.Npv];
        var roi = r.Statistics[TrialKpis.NetRoi];
        var pb = r.Statistics[TrialKpis.Payback];
        var parts = new List<string>
        {
            $"NPV between {Pct(npv[0.1], npv, r.Spec)} (P10) and {Pct(npv[0.9], npv, r.Spec)} (P90), median {Pct(npv[0.5], npv, r.Spec)}",
        };
        if (r.Spec.CostMode == CostMode.BuildUp)
        {
            parts.Add($"median net ROI {Pct(roi[0.5], roi, r.Spec)}");
            parts.Add($"median payback {Pct(pb[0.5], pb, r.Spec)}");
        }

        parts.Add($"P(NPV < 0) = {Prob(npv.ProbNegative)}");
        int failed = d.Gates.Count(g => !g.Passed);
        string gates = d.Gates.Count == 0 ? "" : failed == 0 ? $"; all {d.Gates.Count} risk gates pass" : $"; {failed} of {d.Gates.Count} risk gates FAIL";
        return $"**Bottom line:** {string.Join("; ", parts)}{gates}.";
    }

    private static void Drivers(ReportData d, List<ReportBlock> b, IReadOnlyList<string> images, ImmutableArray<ChartEntry> charts)
    {
        var s = d.Result.Spec;
        var t = d.Tornado(TrialKpis.Npv);
        b.Add(new HeadingBlock(2, "2. What drives the result"));
        b.Add(new ParagraphBlock($"Tornado (one at a time): each uncertain input moves from its P10 (low end) to its P90 (high end) while every other input stays at its median; the base case (every input at its median) has NPV {H(t.BaseValue, "USD")}. Correlations between inputs are not applied in this view; the global measures below include them."));
        if (images.Contains(TornadoImage, StringComparer.Ordinal))
        {
            var entry = charts.FirstOrDefault(c => c.FileStem + ".png" == TornadoImage);
            b.Add(new ImageBlock(TornadoImage, "Tornado of NPV", (entry?.Caption ?? "NPV with each input at its P10 and P90, the others at base.") + " " + ChartCaptions.PercentileConvention));
        }

        TornadoTable(t, b);
        b.Add(new ParagraphBlock(Meaning(t)));
        if (d.Spider is { Lines.Length: > 0 } sp)
        {
            b.Add(new HeadingBlock(3, $"Spider: {sp.Kpi.Title} through each top input's percentiles"));
            b.Add(new ParagraphBlock($"{sp.Kpi.Title} with one input at its 10th, 20th … 90th percentile, the others at their medians (a group moves from its {sp.Kpi.Title}-lowering end to its raising end). Steep rows matter; curved rows are non-linear."));
            var header = new List<string> { "input" };
            header.AddRange(sp.Percentiles.Select(q => "P" + (q * 100).ToString("0", CultureInfo.InvariantCulture)));
            b.Add(new TableBlock(header, "l" + new string('r', sp.Percentiles.Length), [.. sp.Lines.Select(l => (IReadOnlyList<string>)[l.Input.Label, .. l.KpiValues.Select(v => H(v, sp.Kpi.Unit))])]));
        }
        foreach (int k in new[] { TrialKpis.NetRoi, TrialKpis.Payback })
        {
            var tk = d.Tornado(k);
            b.Add(new HeadingBlock(3, $"Tornado of {tk.Kpi.Title}"));
            if (!tk.Exists)
            {
                b.Add(new ParagraphBlock(tk.Note ?? "Does not exist."));
                continue;
            }

            b.Add(new ParagraphBlock($"Base case: {KpiText(tk.BaseValue, tk.Kpi, s)}."));
            TornadoTable(tk, b);
        }

        var g = d.Global;
        b.Add(new HeadingBlock(3, "Global measures (from the trials)"));
        b.Add(new ParagraphBlock($"Spearman rank correlation and standardized regression coefficient (SRC: the least-squares slope of the standardized KPI on all standardized inputs at once, b·σ_x/σ_y) of each input, computed on the first {Int(g.TrialsAnalysed)} of the run's {Int(g.TrialsInRun)} trials ({g.Blocks} block{(g.Blocks == 1 ? "" : "s")} of {Int(SimulationSettings.BlockSize)}, re-sampled with the run's seed, so the inputs are exactly those trials' draws, correlations included). At most {Int(GlobalSensitivity.DefaultMaxTrials)} trials are used, for speed; at that size a coefficient's sampling error is about ±{(2 / Math.Sqrt(Math.Max(1, g.TrialsAnalysed))).ToString("0.000", CultureInfo.InvariantCulture)}."));
        var kpis = g.Kpis.Where(k => k.Measures.Length > 0).ToList();
        if (kpis.Count > 0)
        {
            var order = kpis[0].Measures.Select(m => m.Path).ToList();
            var header = new List<string> { "input" };
            foreach (var k in kpis)
            {
                header.Add($"Spearman ρ ({k.Kpi.Title})");
                header.Add($"SRC ({k.Kpi.Title})");
            }

            var rows = order.Select(path =>
            {
                var row = new List<string> { kpis[0].Measures.First(m => m.Path == path).Label };
                foreach (var k in kpis)
                {
                    var m = k.Measures.First(x => x.Path == path);
                    row.Add(Signed(m.Spearman));
                    row.Add(Signed(m.Src));
                }

                return (IReadOnlyList<string>)row;
            }).ToList();
            rows.Add(["R² of the linear fit", .. kpis.SelectMany(k => new[] { "", k.RSquared.ToString("0.000", CultureInfo.InvariantCulture) })]);
            b.Add(new TableBlock(header, "l" + new string('r', header.Count - 1), rows));
            var n = kpis[0];
            string linear = n.RSquared >= 0.9
                ? $"R² = {n.RSquared.ToString("0.00", CultureInfo.InvariantCulture)}: {n.Kpi.Title} is close to linear in the inputs, so SRC² approximates each input's share of its variance"
                : $"R² = {n.RSquared.ToString("0.00", CultureInfo.InvariantCulture)}: a linear fit explains only part of {n.Kpi.Title}'s variance (non-linearity or interactions), so rank by Spearman rather than SRC";
            var top = n.Measures[0];
            string agree = t.Bars.Length > 0 && t.Bars[0].Input.Members.Any(m => m.Path == top.Path)
                ? "agrees with the tornado on the largest driver"
                : t.Bars.Length > 0 ? $"ranks {top.Label} first, while the tornado ranks {t.Bars[0].Input.Label} first (the tornado ignores correlations and interactions)" : "";
            b.Add(new ParagraphBlock($"{linear}. The global ranking {agree}." + (n.Note is null ? "" : " " + n.Note)));
        }

        foreach (var k in g.Kpis.Where(k => k.Measures.Length == 0))
        {
            b.Add(new ParagraphBlock(k.Note ?? $"{k.Kpi.Title}: not analysed."));
        }
    }

    private static void TornadoTable(TornadoResult t, List<ReportBlock> b)
    {
        var s = t.Kpi;
        var rows = t.Bars.Select((x, i) => (IReadOnlyList<string>)
        [
            (i + 1).ToString(CultureInfo.InvariantCulture), x.Input.Label, x.LowText, x.HighText, KpiText(x.KpiAtLow, s, null), KpiText(x.KpiAtHigh, s, null), KpiFormat.Spread(x.Swing, s.Unit),
        ]).ToList();
        b.Add(new TableBlock(["#", "input", "low end", "high end", $"{s.Title} at low end", $"{s.Title} at high end", "swing"], "llllrrr", rows));
        if (t.Note is not null)
        {
            b.Add(new ParagraphBlock(t.Note));
        }
    }

    /// <summary>One paragraph on what the NPV tornado means.</summary>
    public static string Meaning(TornadoResult t)
    {
        if (t.Bars.Length == 0)
        {
            return "No input is uncertain, so nothing moves the result.";
        }

        var u = t.Kpi.Unit;
        var first = t.Bars[0];
        double total = t.Bars.Sum(x => x.Swing * x.Swing);
        var text = new System.Text.StringBuilder();
        text.Append($"**{Cap(first.Input.Label)} matters most**: from its P10 ({first.LowText}) to its P90 ({first.HighText}) {t.Kpi.Title} moves from {H(first.SwingLow, u)} to {H(first.SwingHigh, u)}, a swing of {KpiFormat.Spread(first.Swing, u)}");
        if (t.Bars.Length > 1)
        {
            var second = t.Bars[1];
            string ratio = second.Swing > 0 ? $", {(first.Swing / second.Swing).ToString("0.0", CultureInfo.InvariantCulture)}× that of the next, {second.Input.Label} ({KpiFormat.Spread(second.Swing, u)})" : "";
            text.Append(ratio);
        }

        text.Append('.');
        if (t.Bars.Length > 3 && total > 0)
        {
            double top3 = t.Bars.Take(3).Sum(x => x.Swing * x.Swing) / total;
            text.Append($" The top three inputs carry {Prob(top3)} of the sum of squared swings (a rough share of variance under independence and linearity).");
        }

        if (double.IsFinite(t.BaseValue) && t.BaseValue > 0)
        {
            var flips = t.Bars.Where(x => Math.Min(x.SwingLow, x.SwingHigh) < 0).Select(x => x.Input.Label).ToList();
            text.Append(flips.Count == 0
                ? $" No single input turns {t.Kpi.Title} negative on its own between its P10 and P90."
                : $" On its own, the unfavourable end of {Join(flips)} turns {t.Kpi.Title} negative.");
        }
        else if (double.IsFinite(t.BaseValue))
        {
            var flips = t.Bars.Where(x => Math.Max(x.SwingLow, x.SwingHigh) > 0).Select(x => x.Input.Label).ToList();
            text.Append(flips.Count == 0
                ? $" The base case is not positive and no single input makes {t.Kpi.Title} positive on its own between its P10 and P90."
                : $" The base case is not positive; on its own, the favourable end of {Join(flips)} makes it positive.");
        }

        return text.ToString();
    }

    private static void BaseCaseWalk(ReportData d, List<ReportBlock> b)
    {
        b.Add(new HeadingBlock(2, "3. The base case, step by step"));
        b.Add(new ParagraphBlock("Every uncertain input at its median, evaluated once with the scalar reference model (the specification the Monte Carlo kernel is tested against). The base case is not the P50 of the distribution: the median of a KPI is not the KPI of the medians."));
        b.Add(new PreBlock(EvaluateReport.Explain(d.BaseCase)));
    }

    private static void Assumptions(ReportData d, List<ReportBlock> b)
    {
        var r = d.Result;
        var s = r.Spec;
        b.Add(new HeadingBlock(2, "4. Assumptions"));
        b.Add(new BulletsBlock(
        [
            $"Deployment: {L(s.Accelerator)}, {Int(s.GpusPerUnit)} GPUs per unit × {Int(s.Units)} unit{(s.Units == 1 ? "" : "s")} = {Int(s.TotalGpus)} GPUs.",
            $"Cost mode `{(s.CostMode == CostMode.Rate ? "rate" : "build_up")}`; energy boundary `{s.EnergyBoundary.ToString().ToLowerInvariant()}`; demand {(s.HasDemandCap ? "capped" : "supply-limited (every token produced at the utilization is sold)")}.",
            $"Horizon {s.HorizonMonths} months; utilization ramp {s.UtilizationRampMonths} months; economic life {s.EconomicLifeMonths} months; tax depreciation {(s.TaxDepreciation == TaxDepreciation.Macrs5 ? "MACRS 5-year, half-year convention" : $"straight-line over {s.TaxLifeMonths} months")}.",
        ]));
        b.Add(new ParagraphBlock("Every input the model used, with its distribution; \"default\" marks values not given in the config (shown so they can be challenged). P10/P90 are the input's own percentiles."));
        var rows = s.Inputs.Where(i => Provenance.Relevant(s, i.Param)).Select(i => (IReadOnlyList<string>)
        [
            $"`{i.Path}`", i.Unit, i.Distribution.Describe(), N(i.BaseValue), i.IsUncertain ? N(i.Distribution.Quantile(0.1)) : "", i.IsUncertain ? N(i.Distribution.Quantile(0.9)) : "", BenchmarkReport.SourceOf(s, i.Path) ?? (i.Defaulted ? "**default**" : "config"),
        ]).ToList();
        b.Add(new TableBlock(["input", "unit", "distribution", "base (median)", "P10", "P90", "source"], "lllrrrl", rows));
        b.Add(new HeadingBlock(3, "Correlations"));
        if (s.Correlations.Length == 0)
        {
            b.Add(new ParagraphBlock("None: the uncertain inputs are sampled independently."));
        }
        else
        {
            b.Add(new TableBlock(["input A", "input B", "target rank correlation"], "llr", [.. s.Correlations.Select(c => (IReadOnlyList<string>)[$"`{c.A}`", $"`{c.B}`", Signed(c.RankCorrelation)])]));
            b.Add(new ParagraphBlock(r.RepairDistance is { } dist
                ? $"The correlation matrix was not positive semi-definite and was repaired to the nearest correlation matrix (Frobenius distance {dist.ToString("G4", CultureInfo.InvariantCulture)}); the repaired matrix was induced. Rank correlation is induced with Iman–Conover within each block of {Int(SimulationSettings.BlockSize)} trials."
                : $"The correlation matrix is positive definite; no repair was needed. Rank correlation is induced with Iman–Conover within each block of {Int(SimulationSettings.BlockSize)} trials."));
        }

        if (s.Notes.Count > 0)
        {
            b.Add(new HeadingBlock(3, "Sources and notes from the config"));
            b.Add(new BulletsBlock([.. s.Notes.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => $"{ReportDocument.CodeLiteral(n.Key)}: {L(n.Value)}")]));
        }
    }

    private static void Charts(List<ReportBlock> b, IReadOnlyList<string> images, ImmutableArray<ChartEntry> charts, string? note)
    {
        b.Add(new HeadingBlock(2, "5. Charts"));
        if (note is not null)
        {
            b.Add(new ParagraphBlock(L(note)));
        }

        if (images.Count == 0)
        {
            b.Add(new ParagraphBlock("No chart images were found in the run folder."));
            return;
        }

        bool tornadoAbove = images.Contains(TornadoImage, StringComparer.Ordinal);
        b.Add(new ParagraphBlock($"{images.Count} chart{(images.Count == 1 ? "" : "s")} in the run folder, each also as SVG{(tornadoAbove ? "; the NPV tornado is in section 2" : "")}. {ChartCaptions.PercentileConvention}"));
        var known = new HashSet<string>(StringComparer.Ordinal);
        var said = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in charts)
        {
            string file = c.FileStem + ".png";
            known.Add(file);
            if (!c.Drawn)
            {
                // One sentence per reason: a KPI that does not exist leaves out its tornado, histogram and S-curve at once.
                if (said.Add(c.OmittedReason!))
                {
                    b.Add(new ParagraphBlock(c.OmittedReason!));
                }
            }
            else if (images.Contains(file, StringComparer.Ordinal) && !(tornadoAbove && file == TornadoImage))
            {
                b.Add(new ImageBlock(file, c.Title, c.Caption));
            }
        }

        foreach (var i in images.Where(i => !known.Contains(i)))
        {
            b.Add(new ImageBlock(i, Path.GetFileNameWithoutExtension(i), i));
        }
    }

    private static void Convergence(ReportData d, List<ReportBlock> b)
    {
        var r = d.Result;
        b.Add(new HeadingBlock(2, "6. Convergence"));
        b.Add(new ParagraphBlock($"{Int(r.Trials)} trials ({Sampling(r)}, blocks of {Int(SimulationSettings.BlockSize)}). Each percentile's 95 % interval is distribution-free, from the order statistics (binomial ranks); the mean's is ±1.96 standard errors. The width relative to P90 − P10 says whether the trial count was enough: below 1 % the percentiles are settled for a committee."));
        var rows = new List<IReadOnlyList<string>>();
        foreach (int k in new[] { TrialKpis.Npv, TrialKpis.NetRoi, TrialKpis.Payback })
        {
            var st = r.Statistics[k];
            double spread = (st[0.9].Value ?? double.NaN) - (st[0.1].Value ?? double.NaN);
            foreach (double p in new[] { 0.1, 0.5, 0.9 })
            {
                var x = st[p];
                double w = (x.CiHigh ?? double.NaN) - (x.CiLow ?? double.NaN);
                rows.Add([st.Kpi.Title, $"P{(p * 100).ToString("0", CultureInfo.InvariantCulture)}", Pct(x, st, r.Spec), Ci(x, st), Rel(w, spread)]);
            }

            if (st.Mean is { } m && st.StandardError is { } se)
            {
                rows.Add([st.Kpi.Title, "mean", H(m, st.Kpi.Unit), $"[{H(m - 1.96 * se, st.Kpi.Unit)}, {H(m + 1.96 * se, st.Kpi.Unit)}]", Rel(2 * 1.96 * se, spread)]);
            }
        }

        b.Add(new TableBlock(["KPI", "statistic", "value", "95 % CI", "CI width / (P90 − P10)"], "llrrr", rows));
        b.Add(new TableBlock(["KPI", "mean", "standard deviation", "SE of the mean", "trials where it exists"], "lrrrr", [.. r.Statistics.Select(st => (IReadOnlyList<string>)
            [st.Kpi.Title, H(st.Mean, st.Kpi.Unit), KpiFormat.Spread(st.Sd, st.Kpi.Unit), KpiFormat.Spread(st.StandardError, st.Kpi.Unit), Prob(1 - st.NullShare)])]));
    }

    private static void Conventions(ReportData d, List<ReportBlock> b)
    {
        var s = d.Result.Spec;
        double r = s[Param.DiscountRateAnnual].BaseValue;
        b.Add(new HeadingBlock(2, "7. Conventions"));
        b.Add(new BulletsBlock(
        [
            "Percentiles: " + ChartCaptions.PercentileConvention + " Pxx is the order statistic of rank ceil(xx/100 × trials); trials where a KPI does not exist (payback never within the horizon) rank as its worst outcome.",
            $"Discounting: monthly periods t = 0 … {s.HorizonMonths}; the annual rate r becomes the monthly rate r_m = (1 + r)^(1/12) − 1 (at the base r = {Prob(r)}: r_m = {(FinanceMath.MonthlyRate(r) * 100).ToString("0.0000", CultureInfo.InvariantCulture)} %). NPV = Σ CF_t / (1 + r_m)^t with CF_0 (the capex) undiscounted.",
            $"Excel: `=NPV(r_m, CF1:CF{s.HorizonMonths}) + CF0` reproduces the NPV (Excel's NPV() discounts its first argument one period, so CF0 is added outside).",
            "Payback: the first month in which cumulative cash flow reaches 0, interpolated linearly within that month (month index − 1 + the share of the month's cash flow needed); \"never\" when not within the horizon. Discounted payback does the same on discounted flows.",
            "Net ROI = (Σ cash flows over the horizon, capex included as a negative) / capex: 0 = money back, 1 = doubled. The revenue multiple = gross token revenue / capex is the vendor-style \"ROI\" (\"$5M generates $75M = 15×\"): a multiple of revenue, not a return.",
            "Tornado: one input at a time from its P10 to its P90, the others at their medians; the software curve m(t) = 1 + (M − 1)(1 − e^(−(t−1)/τ)) in month t moves its ceiling M and time constant τ together as one bar.",
        ]));
    }

    private static void ProvenanceSection(ReportData d, List<ReportBlock> b, ReportOptions o)
    {
        var r = d.Result;
        var s = r.Spec;
        b.Add(new HeadingBlock(2, "8. Provenance"));
        var rows = new List<IReadOnlyList<string>>
        {
            new[] { "RiskSim version", Provenance.Version },
            new[] { "config file", ReportDocument.CodeLiteral(d.ConfigFile) },
            new[] { "config sha256", $"`{s.ConfigHash}`" },
            new[] { "seed", r.Options.Seed.ToString(CultureInfo.InvariantCulture) },
            new[] { "trials", Int(r.Trials) + (r.Partial ? $" of {Int(r.Options.Trials)} requested (PARTIAL)" : "") },
            new[] { "sampling", Sampling(r) },
            new[] { "block size", Int(SimulationSettings.BlockSize) },
        };
        if (!o.Deterministic)
        {
            rows.Add(["vector width", $"{System.Numerics.Vector<double>.Count} doubles"]);
            rows.Add(["threads", r.Options.Threads.ToString(CultureInfo.InvariantCulture)]);
            rows.Add(["machine", Provenance.Machine]);
            string sim = $"simulation {Seconds(r.SimulationTime)}, aggregation {Seconds(r.AggregationTime)}";
            rows.Add(["timings", o.Elapsed is { } whole
                ? $"{sim}, whole run {Seconds(whole)} (reports and charts included)"
                : $"{sim}; the whole run, reports and charts included, is summary.json's whole_run_s and the console's \"whole run\""]);
        }

        b.Add(new TableBlock(["item", "value"], "ll", rows));
        b.Add(new ParagraphBlock(o.Deterministic
            ? "Machine, threads, vector width and timings are omitted from this deterministic variant. Results are bit-identical for any thread count with the same seed, config and trials."
            : "Results are bit-identical for any thread count with the same seed, config and trials."));
    }

    // ---- formatting helpers (invariant culture) ----

    /// <summary>Text from the config or the command line, shown literally (see <see cref="ReportDocument.Literal"/>).</summary>
    private static string L(string text) => ReportDocument.Literal(text);

    private static string Int(long v) => v.ToString("#,0", CultureInfo.InvariantCulture);

    private static string Seconds(TimeSpan t) => t.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture) + " s";

    private static string N(double v) => Core.Sensitivity.Tornado.N(v);

    /// <summary>A KPI value in the one format per KPI shared with the console and summary.json (<see cref="KpiFormat"/>).</summary>
    private static string H(double? v, string unit) => KpiFormat.Value(v, unit);

    private static string Prob(double p) => KpiFormat.Probability(p);

    private static string Signed(double v) => double.IsFinite(v) ? v.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture) : "n/a";

    private static string Rel(double w, double spread) => double.IsFinite(w) && double.IsFinite(spread) && spread > 0 ? Prob(w / spread) : "n/a";

    private static string Sampling(SimulationResult r) => r.Options.Sampling == SamplingMethod.LatinHypercube ? "Latin hypercube" : "plain Monte Carlo";

    private static string Cap(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];

    private static string Join(List<string> items) => items.Count switch
    {
        0 => "",
        1 => items[0],
        _ => string.Join(", ", items.Take(items.Count - 1)) + " or " + items[^1],
    };

    private static string KpiText(double v, TrialKpi kpi, SimulationSpec? spec) =>
        double.IsNaN(v) ? (kpi.Key.Contains("payback", StringComparison.Ordinal) ? (spec is null ? "never" : $"never (not within {spec.HorizonMonths} months)") : "n/a") : H(v, kpi.Unit);

    private static string Pct(Percentile p, KpiStatistics st, SimulationSpec s) =>
        p.Value is { } v ? H(v, st.Kpi.Unit)
        : st.Kpi.Key.Contains("payback", StringComparison.Ordinal) && s.CostMode == CostMode.BuildUp ? $"never (> {s.HorizonMonths})" : "n/a";

    private static string Ci(Percentile p, KpiStatistics st) =>
        p.CiLow is null && p.CiHigh is null ? "n/a" : $"[{(p.CiLow is { } lo ? H(lo, st.Kpi.Unit) : "never")}, {(p.CiHigh is { } hi ? H(hi, st.Kpi.Unit) : "never")}]";

    private static string GateActual(GateResult g, SimulationResult r) => KpiFormat.GateActual(g, r);

    /// <summary>File names of the PNG images, in ordinal order (the order the report lists charts it has no entry for).</summary>
    private static IReadOnlyList<string> Images(IReadOnlyList<ChartImage>? images) =>
        images is null ? [] : [.. images.Where(i => i.IsPng).Select(i => i.FileName).Order(StringComparer.Ordinal)];

    private static T Invariant<T>(Func<T> f)
    {
        var c = CultureInfo.CurrentCulture;
        var ui = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
            CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
            return f();
        }
        finally
        {
            CultureInfo.CurrentCulture = c;
            CultureInfo.CurrentUICulture = ui;
        }
    }
}
