using System.Globalization;
using System.Text;
using System.Text.Json;
using RiskSim.Core.Benchmarks;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>
/// Where a benchmark-filled operating point came from, for every report: each figure with its rows, the files with
/// their SHA-256, the SLA and the constraint that binds, the throughput spread, warnings, and the frontier chart.
/// </summary>
internal static class BenchmarkReport
{
    /// <summary>File name of the frontier chart in a run folder.</summary>
    public const string ChartFile = "frontier.png";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The frontier chart data of a spec that starts from benchmark files, else null.</summary>
    public static FrontierChartData? Chart(SimulationSpec spec) =>
        spec.Benchmarks is { } o ? FrontierChartData.From(o.Frontier, $"{o.Group}: output tok/s per GPU vs tok/s per user") : null;

    /// <summary>The frontier chart's caption in the report: what it shows and the point used.</summary>
    public static string ChartCaption(SimulationSpec spec)
    {
        if (spec.Benchmarks is not { } o)
        {
            return "";
        }

        var c = o.Choice;
        return $"Output tok/s per GPU against tok/s per user for the {o.Frontier.Points.Length} measured points of {o.Group}; the line is the Pareto frontier and the shaded band the interactivity the SLA {o.Frontier.Sla.Text} allows. The diamond is the operating point this run uses: {Num(c.Point.OutputTokensPerSPerGpu)} output tok/s per GPU at {Num(c.Point.TokensPerSPerUser)} tok/s per user, {(c.Interpolated ? "interpolated between two frontier points" : "a measured point")}; {c.BindingText}.";
    }

    /// <summary>Plain-text lines (evaluate's table, explain); empty when the spec does not start from files.</summary>
    public static string Text(SimulationSpec spec, string indent = "")
    {
        if (spec.Benchmarks is not { } o)
        {
            return "";
        }

        var sb = new StringBuilder();
        var c = o.Choice;
        sb.Append($"{indent}From benchmark files ({o.Group}; {o.GpuCount} GPUs per point), SLA {o.Frontier.Sla.Text}:\n");
        sb.Append($"{indent}  {(c.Interpolated ? "interpolated " + c.Point.Id : "measured at " + c.Point.Name)}\n");
        sb.Append($"{indent}  binding: {c.BindingText}\n");
        foreach (var f in o.Figures)
        {
            sb.Append($"{indent}  {f.Field} = {Num(f.Value)} {f.Unit}{(f.OverriddenBy is null ? "" : $" (replaced by {f.OverriddenBy})")}\n");
        }

        sb.Append($"{indent}  throughput spread: {o.Spread}\n");
        foreach (var s in Rows(c))
        {
            sb.Append($"{indent}  row: {s.File} {s.Row}, sha256 {s.Sha256}{(s.Origin is null ? "" : $"; the row's source: {s.Origin}")}\n");
        }

        foreach (var w in o.Warnings)
        {
            sb.Append($"{indent}  warning: {w}\n");
        }

        return sb.ToString();
    }

    /// <summary>Markdown (evaluate --format markdown); empty when the spec does not start from files.</summary>
    public static string Markdown(SimulationSpec spec) =>
        spec.Benchmarks is null ? "" : ReportDocument.Markdown(Blocks(spec, [], 2));

    /// <summary>Report blocks: a heading at <paramref name="level"/>, the figures, files, SLA, spread, warnings and (when in <paramref name="images"/>) the chart.</summary>
    public static IReadOnlyList<ReportBlock> Blocks(SimulationSpec spec, IReadOnlyList<string> images, int level = 3)
    {
        if (spec.Benchmarks is not { } o)
        {
            return [];
        }

        var c = o.Choice;
        var b = new List<ReportBlock>
        {
            new HeadingBlock(level, "Operating point from benchmark files"),
            new ParagraphBlock($"The operating point was read from {o.Files.Length} benchmark file{(o.Files.Length == 1 ? "" : "s")} ({o.Group}; {o.GpuCount} GPUs per point). Of {o.Frontier.Points.Length} measured point{(o.Frontier.Points.Length == 1 ? "" : "s")}, {o.Frontier.FrontierIndices.Length} lie on the Pareto frontier of output tok/s per GPU against tok/s per user. At the SLA `{o.Frontier.Sla.Text}` the point with the most throughput per GPU is {(c.Interpolated ? $"interpolated {c.Point.Id} (linear in both axes; every other figure with the same weight; never beyond the measured points)" : $"measured at {c.Point.Name}")}. Binding: {c.BindingText}."),
            new TableBlock(["field", "value", "unit", "from"], "lrll", [.. o.Figures.Select(f => (IReadOnlyList<string>)[$"`{f.Field}`", Num(f.Value), f.Unit, f.OverriddenBy is null ? f.From : $"{f.From}; **replaced by {f.OverriddenBy}**"])]),
            new ParagraphBlock($"Throughput spread: {o.Spread}."),
            new TableBlock(["file", "format", "points", "SHA-256"], "llrl", [.. o.Files.Select(f => (IReadOnlyList<string>)[$"`{f.Path}`", f.Format, f.Points.ToString(Inv), $"`{f.Sha256}`"])]),
            new BulletsBlock([.. Rows(c).Select(s => $"Row behind the chosen point: `{s.File}` {s.Row}{(s.Origin is null ? "" : $"; its source: {s.Origin}")}")]),
        };
        if (o.Warnings.Length > 0)
        {
            b.Add(new BulletsBlock([.. o.Warnings.Select(w => "Warning: " + w)]));
        }

        if (images.Contains(ChartFile))
        {
            b.Add(new ParagraphBlock($"The frontier chart (`{ChartFile}`) is with the other charts in section 5."));
        }

        return b;
    }

    /// <summary>Writes <c>"operating_point_from_benchmarks": {…}</c> (nothing when the spec does not start from files).</summary>
    public static void WriteJson(Utf8JsonWriter w, SimulationSpec spec)
    {
        if (spec.Benchmarks is not { } o)
        {
            return;
        }

        var c = o.Choice;
        w.WriteStartObject("operating_point_from_benchmarks");
        w.WriteString("group", o.Group);
        w.WriteString("gpus_per_point", o.GpuCount);
        w.WriteString("sla", o.Frontier.Sla.Text);
        w.WriteBoolean("interpolated", c.Interpolated);
        w.WriteString("chosen", c.Interpolated ? c.Point.Id : c.Point.Name);
        w.WriteStartArray("binding");
        foreach (var k in c.Binding)
        {
            w.WriteStringValue(k.Text);
        }

        w.WriteEndArray();
        w.WriteString("binding_text", c.BindingText);
        w.WriteString("interpolation", "linear in (tokens_per_s_per_user, output_tokens_per_s_per_gpu) between adjacent frontier points; other figures with the same weight; never beyond the measured points");
        w.WriteString("throughput_spread", o.Spread);
        w.WriteStartArray("figures");
        foreach (var f in o.Figures)
        {
            w.WriteStartObject();
            w.WriteString("field", f.Field);
            Fmt.NumberOrNull(w, "value", f.Value);
            w.WriteString("unit", f.Unit);
            w.WriteString("from", f.From);
            if (f.OverriddenBy is not null)
            {
                w.WriteString("replaced_by", f.OverriddenBy);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("rows");
        foreach (var s in Rows(c))
        {
            w.WriteStartObject();
            w.WriteString("file", s.File);
            w.WriteString("row", s.Row);
            w.WriteString("sha256", s.Sha256);
            if (s.Origin is not null)
            {
                w.WriteString("origin", s.Origin);
            }

            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("files");
        foreach (var f in o.Files)
        {
            w.WriteStartObject();
            w.WriteString("path", f.Path);
            w.WriteString("sha256", f.Sha256);
            w.WriteString("format", f.Format);
            w.WriteNumber("points", f.Points);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("warnings");
        foreach (var x in o.Warnings)
        {
            w.WriteStringValue(x);
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The source label of an input in report tables: "benchmark files" when the files filled it.</summary>
    public static string? SourceOf(SimulationSpec spec, string path) =>
        spec.Benchmarks?.Figures.FirstOrDefault(f => f.Field == path) is { } f ? (f.OverriddenBy is null ? "benchmark files" : "--set (over benchmark files)") : null;

    private static System.Collections.Immutable.ImmutableArray<PointSource> Rows(FrontierChoice c) => c.Point.Sources.IsDefault ? [] : c.Point.Sources;

    private static string Num(double v) => Math.Abs(v) >= 1000 ? v.ToString("#,0.##", Inv) : v.ToString("0.####", Inv);
}
