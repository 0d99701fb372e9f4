using System.Text;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>Exporters of the deterministic base case (risksim evaluate): table, JSON, CSV, Markdown.</summary>
public static class EvaluateReport
{
    /// <summary>The base case as a console table.</summary>
    public static string Table(BaseCase b)
    {
        var sb = new StringBuilder();
        sb.Append($"RiskSim {Provenance.Version} · {b.Spec.Name} · {b.Spec.Accelerator} × {b.Spec.TotalGpus:#,0} GPUs · base case (every input at its median) · config sha256 {b.Spec.ConfigHash[..12]}\n");
        sb.Append(BenchmarkReport.Text(b.Spec));
        int w = b.Kpis.Max(k => k.Key.Length);
        foreach (var g in b.Kpis.GroupBy(k => k.Group))
        {
            sb.Append('\n').Append(g.Key).Append('\n');
            foreach (var k in g)
            {
                sb.Append("  ").Append(k.Key.PadRight(w)).Append("  ").Append(k.Value is null ? $"n/a ({k.Reason})" : Fmt.Human(k.Value, k.Unit)).Append('\n');
            }
        }

        return sb.ToString();
    }

    /// <summary>The base case as JSON (evaluate.json), with the provenance of <paramref name="configFile"/>.</summary>
    public static string Json(BaseCase b, string configFile) => Fmt.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("kind", "base_case");
        w.WriteStartObject("kpis");
        foreach (var k in b.Kpis)
        {
            Fmt.NumberOrNull(w, k.Key, k.Value);
        }

        w.WriteEndObject();
        w.WriteStartObject("null_reasons");
        foreach (var k in b.Kpis.Where(k => k.Value is null))
        {
            w.WriteString(k.Key, k.Reason);
        }

        w.WriteEndObject();
        w.WriteStartObject("units");
        foreach (var k in b.Kpis)
        {
            w.WriteString(k.Key, k.Unit);
        }

        w.WriteEndObject();
        w.WriteStartArray("cash_flows_usd");
        foreach (double c in b.CashFlows)
        {
            w.WriteNumberValue(c);
        }

        w.WriteEndArray();
        Provenance.Write(w, b.Spec, configFile);
        w.WriteEndObject();
    });

    /// <summary>The base case as CSV: one row per KPI (key, group, value, unit, null_reason).</summary>
    public static string Csv(BaseCase b)
    {
        var sb = new StringBuilder("key,group,value,unit,null_reason\n");
        foreach (var k in b.Kpis)
        {
            sb.Append(k.Key).Append(',').Append(Fmt.Csv(k.Group)).Append(',').Append(k.Value is { } v ? Fmt.Raw(v) : "").Append(',')
              .Append(Fmt.Csv(k.Unit)).Append(',').Append(Fmt.Csv(k.Reason ?? "")).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>The base case as a Markdown document.</summary>
    public static string Markdown(BaseCase b)
    {
        var sb = new StringBuilder();
        sb.Append("# ").Append(ReportDocument.MarkdownInline($"{ReportDocument.Literal(b.Spec.Name)}: base case")).Append("\n\n")
          .Append(ReportDocument.MarkdownInline($"{ReportDocument.Literal(b.Spec.Accelerator)} × {b.Spec.TotalGpus:#,0} GPUs; every input at its median. RiskSim {Provenance.Version}, config sha256 `{b.Spec.ConfigHash}`.")).Append('\n');
        foreach (var g in b.Kpis.GroupBy(k => k.Group))
        {
            sb.Append($"\n## {g.Key}\n\n| KPI | value | meaning |\n|---|---:|---|\n");
            foreach (var k in g)
            {
                sb.Append($"| `{k.Key}` | {ReportDocument.MarkdownInline(k.Value is null ? "n/a: " + (k.Reason ?? "") : Fmt.Human(k.Value, k.Unit), tableCell: true)} | {ReportDocument.MarkdownInline(k.Description, tableCell: true)} |\n");
            }
        }

        if (b.Spec.Benchmarks is not null)
        {
            sb.Append('\n').Append(BenchmarkReport.Markdown(b.Spec));
        }

        return sb.ToString();
    }

    /// <summary>The walk from benchmark figures to KPIs for a finance reader (risksim explain).</summary>
    public static string Explain(BaseCase b)
    {
        var s = b.Spec;
        var p = b.Parameters;
        double P(Param q) => p[(int)q];
        string H(string key) => b[key] is { Value: { } v } k ? Fmt.Human(v, k.Unit) : $"n/a ({b[key].Reason})";
        double rho = b.ServingShare;
        double t0 = P(Param.OutputTokensPerSPerGpu);
        var sb = new StringBuilder();
        sb.Append($"How RiskSim turns the benchmark into money: {s.Name} ({s.Accelerator} × {s.TotalGpus:#,0} GPUs)\n");
        sb.Append("Every uncertain input is at its median (the base case). Month 1 values; see the README for definitions.\n\n");
        sb.Append("1. Operating point (from the benchmark)\n");
        sb.Append($"   {Fmt.Human(t0)} output tok/s per GPU, {Fmt.Human(P(Param.InputTokensPerRequest))} in / {Fmt.Human(P(Param.OutputTokensPerRequest))} out tokens per request\n");
        sb.Append($"   → {Fmt.Human(t0 / P(Param.OutputTokensPerRequest))} requests/s per GPU at full load\n");
        sb.Append(BenchmarkReport.Text(s, "   "));
        sb.Append($"   Utilization {Fmt.Human(P(Param.Utilization), "fraction")} × availability {Fmt.Human(P(Param.Availability), "fraction")} = {Fmt.Human(rho, "fraction")} of provisioned hours serve\n\n");
        sb.Append("2. Tokens per second → hourly revenue capacity\n");
        sb.Append($"   revenue per query {H("revenue_per_query_usd")} → revenue capacity {H("revenue_capacity_per_gpu_hour_usd")} per GPU-hour at 100 % load\n\n");
        sb.Append("3. Cost per GPU-hour → cost per million tokens → cost of goods per query\n");
        sb.Append($"   all-in cost {H("cost_per_gpu_hour_usd")} per provisioned GPU-hour" + (s.CostMode == CostMode.BuildUp ? $" (capital {H("capital_cost_per_gpu_hour_usd")})" : " (given rate)") + "\n");
        sb.Append($"   ÷ ({Fmt.Human(t0)} tok/s × 3600 × {Fmt.Human(rho, "fraction")}) × 10⁶ = {H("cost_per_million_output_tokens_usd")} per million output tokens\n");
        sb.Append($"   cost per query {H("cost_per_query_usd")} vs revenue per query {H("revenue_per_query_usd")} → gross margin {H("gross_margin_pct")}\n\n");
        sb.Append("4. Joules per token → electricity cost per revenue dollar\n");
        sb.Append($"   {H("energy_kwh_per_million_output_tokens")} per million output tokens at the facility (accelerator only: {H("energy_kwh_per_million_output_tokens_accelerator")})\n");
        sb.Append($"   × electricity {Fmt.Human(P(Param.ElectricityUsdPerKwh), "USD/kWh")} = {H("electricity_cost_per_million_output_tokens_usd")} → {H("energy_cost_per_revenue_dollar")} of electricity per revenue dollar\n\n");
        sb.Append($"5. Cash flows over {s.HorizonMonths} months (WACC {Fmt.Human(P(Param.DiscountRateAnnual), "fraction")}/yr, monthly {Fmt.Human(FinanceMath.MonthlyRate(P(Param.DiscountRateAnnual)), "fraction")}, tax {Fmt.Human(P(Param.TaxRate), "fraction")})\n");
        sb.Append($"   capex {H("total_capex_usd")} at month 0; revenue {H("total_revenue_usd")}; opex {H("total_opex_usd")}; tax {H("total_tax_usd")}; sale at the horizon {H("terminal_value_usd")}\n");
        foreach (int t in new[] { 1, 12, 24, 36, 48, 60 }.Where(t => t <= s.HorizonMonths))
        {
            var m = b.Months[t];
            sb.Append($"   month {t,3}: m(t) {m.SoftwareMultiplier:0.00}×, price {Fmt.Human(m.PricePerMillionOutput, "USD/Mtok")} (blended per output token), revenue {Fmt.Human(m.Revenue, "USD")}, electricity {Fmt.Human(m.Electricity, "USD")}, cash flow {Fmt.Human(m.CashFlow, "USD")}, cumulative {Fmt.Human(m.CumulativeCashFlow, "USD")}\n");
        }

        sb.Append("\n6. Investment KPIs\n");
        sb.Append($"   NPV {H("npv_usd")} (Excel: =NPV(monthly rate, CF1:CF{s.HorizonMonths}) + CF0)\n");
        sb.Append($"   IRR {(b["irr_annual"].Value is null ? H("irr_annual") : H("irr_annual") + "/yr")}; net ROI {H("net_roi")} vs revenue multiple {H("revenue_multiple")} (gross revenue / capex: the vendor-style \"ROI\")\n");
        sb.Append($"   payback {H("payback_months")}, discounted payback {H("discounted_payback_months")}; levelized cost {H("levelized_cost_per_million_output_tokens_usd")}\n\n");
        sb.Append("7. What would have to be true (break-even, NPV = 0)\n");
        sb.Append($"   utilization ≥ {H("break_even_utilization")}; output price ≥ {H("break_even_price_per_million_output_tokens_usd")}; throughput ≥ {H("break_even_output_tokens_per_s_per_gpu")}\n");
        return sb.ToString();
    }
}
