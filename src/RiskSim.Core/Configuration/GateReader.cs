using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using RiskSim.Core.Model;
using RiskSim.Core.Spec;
using static RiskSim.Core.Configuration.ConfigJson;

namespace RiskSim.Core.Configuration;

/// <summary>
/// Reads <c>gates</c>: each a statistic of the run (a key of <c>summary.json</c>), a comparison and a finite threshold.
/// Every problem is an error with its JSON path.
/// </summary>
internal sealed class GateReader(ConfigReadContext c)
{
    /// <summary>Index in the config's gates array of each gate read (for the paths of later errors).</summary>
    public List<int> JsonIndex { get; } = [];

    /// <summary>Reads every valid gate, in order.</summary>
    public ImmutableArray<GateSpec> Read()
    {
        var gates = ImmutableArray.CreateBuilder<GateSpec>();
        if (c.Root["gates"] is not JsonNode gn)
        {
            return gates.ToImmutable();
        }

        const string shape = "{\"metric\": \"npv_usd.p10\", \"op\": \">=\", \"value\": 0, \"label\": \"…\"}";
        if (gn is not JsonArray arr)
        {
            Err("gates", "must be an array", Show(gn), "[" + shape + ", …]");
            return gates.ToImmutable();
        }

        for (int i = 0; i < arr.Count; i++)
        {
            string p = $"gates[{i}]";
            if (arr[i] is not JsonObject o)
            {
                Err(p, "must be an object", Show(arr[i]), shape);
                continue;
            }

            foreach (var (k, v) in o)
            {
                if (k is not ("metric" or "op" or "value" or "label"))
                {
                    Err($"{p}.{k}", "unknown field", Show(v), "metric, op, value, label");
                }
                else if (k == "label" && v is null)
                {
                    Err($"{p}.{k}", NullMessage, "null", "a string, or no label");
                }
            }

            string? metric = Str(o["metric"]);
            string? op = Str(o["op"]);
            double? value = Num(o["value"]);
            string label = Str(o["label"]) ?? "";
            bool ok = true;
            if (o["label"] is { } labelNode && Str(labelNode) is null)
            {
                Err($"{p}.label", "expected a string", Show(labelNode), "a string (text shown in reports)");
                ok = false;
            }

            if (metric is null || !IsValidMetric(metric))
            {
                Err($"{p}.metric", "unknown metric", Show(o["metric"]), "KPI.STAT with KPI one of " + string.Join(", ", TrialKpis.All.Select(k => k.Key)) + " and STAT one of " + string.Join(", ", TrialKpis.Statistics) + ", or payback_months.prob_within_N / discounted_payback_months.prob_within_N");
                ok = false;
            }

            if (op is not (">=" or "<="))
            {
                Err($"{p}.op", "unknown comparison", Show(o["op"]), "\">=\" or \"<=\"");
                ok = false;
            }

            if (value is not { } v2 || !double.IsFinite(v2))
            {
                Err($"{p}.value", "must be a number", Show(o["value"]), "a finite number");
                ok = false;
            }

            if (ok)
            {
                gates.Add(new GateSpec(metric!, op == ">=" ? GateOp.GreaterOrEqual : GateOp.LessOrEqual, value!.Value, label));
                JsonIndex.Add(i);
            }
        }

        return gates.ToImmutable();
    }

    /// <summary>True for KPI.STAT names that summary.json contains.</summary>
    internal static bool IsValidMetric(string metric)
    {
        int dot = metric.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0)
        {
            return false;
        }

        string kpi = metric[..dot];
        string stat = metric[(dot + 1)..];
        if (TrialKpis.IndexOf(kpi) < 0)
        {
            return false;
        }

        if (stat.StartsWith("prob_within_", StringComparison.Ordinal))
        {
            return kpi is "payback_months" or "discounted_payback_months"
                && int.TryParse(stat[12..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n is >= 1 and <= 600
                && stat[12] != '0'; // as summary.json writes it: prob_within_24, not prob_within_024
        }

        return TrialKpis.Statistics.Contains(stat);
    }

    private void Err(string path, string message, string value, string allowed) => c.Err(path, message, value, allowed);
}
