using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// MLPerf Inference <c>summary_results.json</c> (the output of <c>tools/submission/generate_final_report.py</c>): a list of
/// rows, one per system × model × scenario, with <c>Performance_Result</c>/<c>Performance_Units</c> and, where the
/// submission measured power, <c>Power_Result</c>/<c>Power_Units</c> (merged into the row) — or a separate row whose
/// units are Watts / millijoules.
/// </summary>
/// <remarks>
/// LLM rows are in <c>Tokens/s</c> (output tokens); other units (Samples/s, Queries/s,
/// latency) are not LLM operating points and are rejected with that reason. GPU count = <c>a#</c> (accelerators per
/// node) × <c>Nodes</c>. Mean output tokens per request = <c>TOKENS_PER_SAMPLE</c> in the <c>Accuracy</c> text.
/// Power is whole-system wall power under the MLPerf power rules: J/token = W / (tokens/s), or mJ per query / 1000 /
/// tokens per sample. No TTFT/TPOT: the Server/Interactive latency bounds are in the rules, not the file.
/// </remarks>
internal sealed partial class MlPerfReader : BenchReader
{
    public override string Format => BenchmarkFormats.MlPerfSummary;

    public override string Tool => BenchmarkTools.MlPerf;

    public override string LooksFor => "a JSON list of rows with Performance_Result/Performance_Units (or Result/Units) and Submitter, Model, Scenario";

    public override bool Detect(Probe p) =>
        p.IsJson && p.RootIsArray && p.HasAny("Performance_Units", "Units") && p.HasAny("Performance_Result", "Result") && p.HasAny("Scenario", "Submitter");

    public override void Read(ReadContext ctx)
    {
        foreach (var v in ctx.Values)
        {
            if (v.Root.ValueKind != JsonValueKind.Array)
            {
                throw new BenchInputException(ctx.ValueLocator(v), "expected a JSON list of result rows");
            }

            var rows = v.Root.EnumerateArray().ToList();

            // Separate power rows (not merged by the report generator) attach to the performance row they belong to.
            var powerRows = new Dictionary<string, (double Value, string Units, int Index)>(StringComparer.Ordinal);
            for (int i = 0; i < rows.Count; i++)
            {
                var (value, units) = Result(rows[i]);
                if (units is "Watts" or "millijoules" && value is double pv)
                {
                    powerRows[Key(rows[i])] = (pv, units, i);
                }
            }

            for (int i = 0; i < rows.Count; i++)
            {
                ReadRow(ctx, rows[i], i, powerRows);
            }

            foreach (var (_, (_, units, i)) in powerRows)
            {
                ctx.Note(DiagnosticSeverity.Rejected, RowLocator(rows[i], i), $"a power row ({units}) without a Tokens/s row for the same system, model and scenario");
            }
        }
    }

    private void ReadRow(ReadContext ctx, JsonElement row, int i, Dictionary<string, (double Value, string Units, int Index)> powerRows)
    {
        string loc = RowLocator(row, i);
        var (result, units) = Result(row);
        if (units is "Watts" or "millijoules")
        {
            return;
        }

        if (units != "Tokens/s")
        {
            ctx.Note(DiagnosticSeverity.Rejected, loc, $"Performance_Units is '{units ?? "(none)"}', not an LLM token rate (Tokens/s): not an operating point RiskSim can use");
            return;
        }

        var f = new FieldReader(row);
        double? power = f.Num("Power_Result");
        string? powerUnits = f.Str("Power_Units");
        if (power is null && powerRows.Remove(Key(row), out var pr))
        {
            (power, powerUnits) = (pr.Value, pr.Units);
        }

        int? perNode = row.Get("a#").RawNumber() is double a && double.IsFinite(a) && a >= 1 ? (int)a : null;
        int nodes = row.Get("Nodes").RawNumber() is double n && double.IsFinite(n) && n >= 1 ? (int)n : 1;
        double? tokensPerSample = TokensPerSample(f.Str("Accuracy"));
        double? tps = result is double r && double.IsFinite(r) && r >= 0 ? r : null;

        var p = new BenchmarkPoint
        {
            Tool = Tool,
            ToolVersion = f.Str("version"),
            Backend = f.Str("Software"),
            Model = f.Str("Model") is string m && f.Str("UsedModel") is string um && um != m ? $"{m} ({um})" : f.Str("Model") ?? f.Str("UsedModel"),
            Hardware = f.Str("Accelerator") ?? f.Str("Platform"),
            Precision = f.Str("weight_data_types"),
            Scenario = f.Str("Scenario"),
            GpuCount = perNode * nodes,
            GpuCountSource = perNode is null ? GpuCountSource.Unknown : GpuCountSource.File,
            MeanOutputTokens = tokensPerSample,
            OutputTokensPerSecond = tps,
            RequestsPerSecond = tps is double t && tokensPerSample is double k && k > 0 ? t / k : null,
            Source = ctx.Source(loc, i, origin: f.Str("Details")),
        };

        if (power is double w && w > 0 && tps is double tp && tp > 0)
        {
            string boundary = $"whole-system wall power (MLPerf power measurement), {nodes} node(s) of {f.Str("System") ?? "the system"}";
            if (powerUnits == "Watts")
            {
                p = p with { AveragePowerWatts = w, JoulesPerOutputToken = w / tp, EnergyBoundary = boundary };
            }
            else if (powerUnits == "millijoules" && tokensPerSample is double k2 && k2 > 0)
            {
                p = p with { JoulesPerOutputToken = w / 1000.0 / k2, EnergyBoundary = boundary + ", energy per query / tokens per sample" };
            }
            else
            {
                f.Warnings.Add($"power result in '{powerUnits}' cannot be turned into J per output token here; left empty");
            }
        }

        ctx.Add(p with { Warnings = f.Warnings });
    }

    private static (double? Value, string? Units) Result(JsonElement row)
    {
        var units = row.Get("Performance_Units").Str() ?? row.Get("Units").Str();
        var value = row.Get("Performance_Result").RawNumber() ?? row.Get("Result").RawNumber();
        return (value, units);
    }

    private static string Key(JsonElement row) =>
        string.Join("|", new[] { "ID", "Submitter", "System", "Platform", "UsedModel", "Model", "Scenario" }.Select(k => row.Get(k).Str() ?? string.Empty));

    private static string RowLocator(JsonElement row, int i) =>
        $"[{i}] {row.Get("ID").Str() ?? "?"} {row.Get("Model").Str() ?? row.Get("UsedModel").Str() ?? "?"} {row.Get("Scenario").Str() ?? "?"}";

    internal static double? TokensPerSample(string? accuracy)
    {
        if (accuracy is null)
        {
            return null;
        }

        var m = TokensPerSampleRegex().Match(accuracy);
        return m.Success && double.TryParse(m.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var d) && d > 0 ? d : null;
    }

    [GeneratedRegex(@"TOKENS_PER_SAMPLE:\s*([0-9]+(?:\.[0-9]+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex TokensPerSampleRegex();
}
