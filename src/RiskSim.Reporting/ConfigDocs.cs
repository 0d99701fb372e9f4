using System.Text;
using System.Text.Json;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>The JSON Schema and the Markdown config reference, both generated from <see cref="ConfigSchema"/>.</summary>
public static class ConfigDocs
{
    private static readonly string[] DistributionKinds = ["pert", "triangular", "uniform", "normal", "lognormal", "beta", "discrete", "fixed"];

    /// <summary>JSON Schema (draft 2020-12) of a config.</summary>
    public static string JsonSchema() => Fmt.Json(w =>
    {
        w.WriteStartObject();
        w.WriteString("$schema", "https://json-schema.org/draft/2020-12/schema");
        w.WriteString("title", $"RiskSim config, schema version {ConfigSchema.SchemaVersion}");
        w.WriteString("type", "object");
        w.WriteBoolean("additionalProperties", false);
        w.WriteStartArray("required");
        foreach (var s in new[] { "deployment", "cost", "operating_point", "market", "drivers", "finance" })
        {
            w.WriteStringValue(s);
        }

        w.WriteEndArray();
        w.WriteStartObject("properties");
        w.WriteStartObject("schema_version");
        w.WriteString("description", "Version of the config format: the number 1.");
        w.WriteNumber("const", ConfigSchema.SchemaVersion);
        w.WriteEndObject();
        w.WriteStartObject("name");
        w.WriteString("type", "string");
        w.WriteString("description", $"Short name of the decision; names its result folder. Allowed: {ConfigSchema.NameAllowedText}.");
        w.WriteNumber("minLength", 1);
        w.WriteNumber("maxLength", ConfigSchema.NameMaxBytes); // the byte limit is the loader's; characters are the most a schema can count
        w.WriteString("pattern", NamePattern);
        w.WriteEndObject();
        WriteType(w, "description", "string", "What decision this config supports.");
        foreach (var (sec, desc) in ConfigSchema.Sections)
        {
            w.WriteStartObject(sec);
            w.WriteString("type", "object");
            w.WriteString("description", desc);
            w.WriteBoolean("additionalProperties", false);
            var req = ConfigSchema.Fields.Where(f => f.Section == sec && f.Requirement == "required").ToList();
            if (req.Count > 0 && sec == "operating_point")
            {
                // Either the figures by hand, or from_benchmarks, which fills the ones it measures.
                w.WriteStartArray("anyOf");
                w.WriteStartObject();
                WriteRequired(w, req.Select(f => f.Name));
                w.WriteEndObject();
                w.WriteStartObject();
                WriteRequired(w, ["from_benchmarks"]);
                w.WriteEndObject();
                w.WriteEndArray();
            }
            else if (req.Count > 0)
            {
                WriteRequired(w, req.Select(f => f.Name));
            }

            w.WriteStartObject("properties");
            foreach (var f in ConfigSchema.Fields.Where(f => f.Section == sec))
            {
                w.WriteStartObject(f.Name);
                w.WriteString("description", $"{f.Description}{(f.Unit.Length > 0 ? $" Unit: {f.Unit}." : "")} {Capital(f.Requirement)}.{(f.Default is { } d ? $" Default {FieldDef.N(d)}." : "")}");
                switch (f.Kind)
                {
                    case FieldKind.Text:
                        w.WriteString("type", "string");
                        break;
                    case FieldKind.Boolean:
                        w.WriteString("type", "boolean");
                        break;
                    case FieldKind.Choice:
                        w.WriteStartArray("enum");
                        foreach (var c in f.Choices)
                        {
                            w.WriteStringValue(c);
                        }

                        w.WriteEndArray();
                        break;
                    case FieldKind.WholeNumber:
                        w.WriteString("type", "integer");
                        w.WriteNumber("minimum", f.Min);
                        w.WriteNumber("maximum", f.Max);
                        break;
                    case FieldKind.Nested:
                        WriteFromBenchmarks(w);
                        break;
                    case FieldKind.IntegerList:
                        w.WriteString("type", "array");
                        w.WriteNumber("minItems", 1);
                        w.WriteStartObject("items");
                        w.WriteString("type", "integer");
                        w.WriteNumber("minimum", f.Min);
                        w.WriteNumber("maximum", f.Max);
                        w.WriteEndObject();
                        break;
                    default:
                        if (f.AcceptsDistribution)
                        {
                            w.WriteStartArray("oneOf");
                            w.WriteStartObject();
                            WriteNumberBounds(w, f);
                            w.WriteEndObject();
                            w.WriteStartObject();
                            w.WriteString("$ref", "#/$defs/distribution");
                            w.WriteEndObject();
                            w.WriteEndArray();
                        }
                        else
                        {
                            WriteNumberBounds(w, f);
                        }

                        break;
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteStartObject("correlations");
        w.WriteString("type", "array");
        w.WriteString("description", "Target rank (Spearman) correlations between pairs of uncertain inputs, induced by Iman–Conover.");
        w.WriteStartObject("items");
        w.WriteString("type", "object");
        w.WriteBoolean("additionalProperties", false);
        w.WriteStartArray("required");
        w.WriteStringValue("inputs");
        w.WriteStringValue("rank_correlation");
        w.WriteEndArray();
        w.WriteStartObject("properties");
        w.WriteStartObject("inputs");
        w.WriteString("type", "array");
        w.WriteNumber("minItems", 2);
        w.WriteNumber("maxItems", 2);
        w.WriteStartObject("items");
        w.WriteString("type", "string");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("rank_correlation");
        w.WriteString("type", "number");
        w.WriteNumber("minimum", -1);
        w.WriteNumber("maximum", 1);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartObject("correlation_matrix");
        w.WriteString("type", "object");
        w.WriteString("description", "Alternative to correlations: {inputs: [...], matrix: [[...]]}, symmetric with unit diagonal.");
        w.WriteStartArray("required");
        w.WriteStringValue("inputs");
        w.WriteStringValue("matrix");
        w.WriteEndArray();
        w.WriteStartObject("properties");
        w.WriteStartObject("inputs");
        w.WriteString("type", "array");
        w.WriteStartObject("items");
        w.WriteString("type", "string");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("matrix");
        w.WriteString("type", "array");
        w.WriteStartObject("items");
        w.WriteString("type", "array");
        w.WriteStartObject("items");
        w.WriteString("type", "number");
        w.WriteNumber("minimum", -1);
        w.WriteNumber("maximum", 1);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("correlation_repair");
        w.WriteStartArray("enum");
        w.WriteStringValue("reject");
        w.WriteStringValue("nearest_psd");
        w.WriteEndArray();
        w.WriteEndObject();

        w.WriteStartObject("gates");
        w.WriteString("type", "array");
        w.WriteString("description", "Risk gates: metric (a summary key such as npv_usd.p10 or payback_months.prob_within_24), op (>= or <=), value, optional label.");
        w.WriteStartObject("items");
        w.WriteString("type", "object");
        w.WriteBoolean("additionalProperties", false);
        w.WriteStartArray("required");
        w.WriteStringValue("metric");
        w.WriteStringValue("op");
        w.WriteStringValue("value");
        w.WriteEndArray();
        w.WriteStartObject("properties");
        w.WriteStartObject("metric");
        w.WriteString("type", "string");
        w.WriteString("description", "KPI.STAT, e.g. npv_usd.p10, net_roi.p50, npv_usd.prob_negative, payback_months.prob_within_24 (N in 1…600). A KPI this config cannot have (ROI or payback in rate mode) is refused.");
        w.WriteString("pattern", MetricPattern);
        w.WriteEndObject();
        w.WriteStartObject("op");
        w.WriteStartArray("enum");
        w.WriteStringValue(">=");
        w.WriteStringValue("<=");
        w.WriteEndArray();
        w.WriteEndObject();
        WriteType(w, "value", "number", "Threshold.");
        WriteType(w, "label", "string", "Text shown in reports.");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();

        w.WriteStartObject("$defs");
        w.WriteStartObject("distribution");
        w.WriteString("type", "object");
        w.WriteString("description", "pert {min, mode, max, lambda=4}; triangular {min, mode, max}; uniform {min, max}; normal {mean, sd, min?, max?}; lognormal {median, sigma, min?, max?}; beta {alpha, beta, min=0, max=1}; discrete {values, probabilities?}; fixed {value}.");
        w.WriteStartArray("required");
        w.WriteStringValue("dist");
        w.WriteEndArray();
        w.WriteStartObject("properties");
        w.WriteStartObject("dist");
        w.WriteStartArray("enum");
        foreach (var k in DistributionKinds)
        {
            w.WriteStringValue(k);
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();

        // Each kind: its parameters, which are required, and nothing else (as the loader reads them).
        w.WriteStartArray("oneOf");
        foreach (var (kind, required, optional) in DistributionParameters)
        {
            w.WriteStartObject();
            w.WriteBoolean("additionalProperties", false);
            w.WriteStartArray("required");
            w.WriteStringValue("dist");
            foreach (var r in required)
            {
                w.WriteStringValue(r);
            }

            w.WriteEndArray();
            w.WriteStartObject("properties");
            w.WriteStartObject("dist");
            w.WriteString("const", kind);
            w.WriteEndObject();
            foreach (var param in required.Concat(optional))
            {
                w.WriteStartObject(param);
                if (param is "values" or "probabilities")
                {
                    w.WriteString("type", "array");
                    w.WriteNumber("minItems", 1);
                    w.WriteStartObject("items");
                    w.WriteString("type", "number");
                    if (param == "probabilities")
                    {
                        w.WriteNumber("minimum", 0);
                        w.WriteNumber("maximum", 1);
                    }

                    w.WriteEndObject();
                }
                else
                {
                    w.WriteString("type", "number");
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    });

    /// <summary>Each distribution kind with its required and optional parameters, as <see cref="ConfigLoader"/> reads them.</summary>
    private static readonly (string Kind, string[] Required, string[] Optional)[] DistributionParameters =
    [
        ("pert", ["min", "mode", "max"], ["lambda"]),
        ("triangular", ["min", "mode", "max"], []),
        ("uniform", ["min", "max"], []),
        ("normal", ["mean", "sd"], ["min", "max"]),
        ("lognormal", ["median", "sigma"], ["min", "max"]),
        ("beta", ["alpha", "beta"], ["min", "max"]),
        ("discrete", ["values"], ["probabilities"]),
        ("fixed", ["value"], []),
    ];

    // A name: no control character, none of / \ : * ? " < > |, no white space at either end (the loader also counts
    // UTF-8 bytes and wants a letter or digit, which a schema pattern cannot say portably).
    private const string NameCharacter = "[^\\u0000-\\u001f\\u007f-\\u009f/\\\\:*?\"<>|]";
    private const string NameEnd = "[^\\s\\u0000-\\u001f\\u007f-\\u009f/\\\\:*?\"<>|]";
    private static readonly string NamePattern = $"^{NameEnd}(?:{NameCharacter}*{NameEnd})?$";

    /// <summary>KPI.STAT or a payback's prob_within_N with N in 1…600, as the loader accepts gate metrics.</summary>
    private static readonly string MetricPattern =
        $"^(?:(?:{string.Join("|", TrialKpis.All.Select(k => k.Key))})\\.(?:{string.Join("|", TrialKpis.Statistics)})"
        + "|(?:payback_months|discounted_payback_months)\\.prob_within_(?:[1-9]|[1-9][0-9]|[1-5][0-9][0-9]|600))$";

    /// <summary>The config reference as Markdown tables, one per section.</summary>
    public static string Markdown()
    {
        var sb = new StringBuilder();
        sb.Append("<!-- generated by `risksim schema --format markdown`; a test fails when it is out of date -->\n");
        foreach (var (sec, desc) in ConfigSchema.Sections)
        {
            sb.Append($"\n### `{sec}`\n\n{desc}\n\n| field | unit | allowed | default / required | meaning |\n|---|---|---|---|---|\n");
            foreach (var f in ConfigSchema.Fields.Where(f => f.Section == sec))
            {
                sb.Append($"| `{f.Name}` | {Fmt.Md(f.Unit)} | {Fmt.Md(f.AllowedText)} | {Fmt.Md(f.Default is { } d ? FieldDef.N(d) : f.Requirement)} | {Fmt.Md(f.Description)} |\n");
            }
        }

        sb.Append($"\n### `{FromBenchmarksSchema.Path}`\n\nStart the operating point from benchmark result files instead of typing it: at load time RiskSim reads the files, builds the Pareto frontier of output tok/s per GPU against tok/s per user, and takes the point that meets the SLA with the most throughput per GPU. It writes ");
        sb.Append(string.Join(", ", FromBenchmarksSchema.FilledFields.Select(f => $"`{f}`")));
        sb.Append(" (J/token only where the files measure energy); a field given both by hand and by the files is an error naming it (use `--set` for a what-if). Every report shows where each figure came from: file, SHA-256, row, and the SLA constraint that binds.\n\n| key | allowed | default / required | meaning |\n|---|---|---|---|\n");
        foreach (var (name, allowed, requirement, description) in FromBenchmarksSchema.Keys)
        {
            sb.Append($"| `{name}` | {Fmt.Md(allowed)} | {Fmt.Md(requirement)} | {Fmt.Md(description)} |\n");
        }

        sb.Append("\n### Distributions\n\nAny field whose allowed values say \"or a distribution object\" takes one of these instead of a number. Its base value (used by `evaluate` and as the tornado's axis) is the median.\n\n");
        sb.Append("| `dist` | parameters | notes |\n|---|---|---|\n");
        sb.Append("| `pert` | `min`, `mode`, `max`, `lambda` (default 4) | Beta-PERT; min ≤ mode ≤ max, min < max; 0 < lambda ≤ 10000 |\n");
        sb.Append("| `triangular` | `min`, `mode`, `max` | min ≤ mode ≤ max, min < max |\n");
        sb.Append("| `uniform` | `min`, `max` | min < max |\n");
        sb.Append("| `normal` | `mean`, `sd`, optional `min`, `max` | sd > 0; truncated to [min, max] when given (required where the field is bounded) |\n");
        sb.Append("| `lognormal` | `median`, `sigma`, optional `min`, `max` | ln X ~ Normal(ln median, sigma); sigma > 0 |\n");
        sb.Append("| `beta` | `alpha`, `beta`, `min` (0), `max` (1) | 0.01 ≤ α, β ≤ 10000 |\n");
        sb.Append("| `discrete` | `values`, optional `probabilities` | probabilities sum to 1; omitted = equal weights (an empirical sample, e.g. repeated benchmark runs) |\n");
        sb.Append("| `fixed` | `value` | same as a plain number |\n");
        sb.Append("\n### `correlations`, `correlation_matrix`, `correlation_repair`\n\n`\"correlations\": [{\"inputs\": [\"drivers.utilization\", \"market.price_erosion_annual\"], \"rank_correlation\": -0.3}]` sets target Spearman rank correlations between uncertain inputs (or give `correlation_matrix`: `{\"inputs\": [...], \"matrix\": [[...]]}`). The matrix must be positive semi-definite; `\"correlation_repair\": \"nearest_psd\"` repairs it to the nearest valid correlation matrix (Higham) and the report says so.\n");
        sb.Append("\n### `gates`\n\n`\"gates\": [{\"metric\": \"npv_usd.p10\", \"op\": \">=\", \"value\": 0, \"label\": \"P10 NPV is not a loss\"}]`. A metric is `KPI.STAT` with KPI one of ");
        sb.Append(string.Join(", ", TrialKpis.All.Select(k => $"`{k.Key}`")));
        sb.Append(" and STAT one of ").Append(string.Join(", ", TrialKpis.Statistics.Select(s => $"`{s}`")));
        sb.Append(", or `payback_months.prob_within_N` / `discounted_payback_months.prob_within_N`.\n");
        return sb.ToString();
    }

    /// <summary>The shape of operating_point.from_benchmarks (what the benchmark resolver accepts).</summary>
    private static void WriteFromBenchmarks(Utf8JsonWriter w)
    {
        w.WriteString("type", "object");
        w.WriteBoolean("additionalProperties", false);
        WriteRequired(w, ["files", "sla"]);
        w.WriteStartObject("properties");
        w.WriteStartObject("files");
        w.WriteStartArray("oneOf");
        w.WriteStartObject();
        w.WriteString("type", "string");
        w.WriteNumber("minLength", 1);
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("type", "array");
        w.WriteNumber("minItems", 1);
        w.WriteStartObject("items");
        w.WriteString("type", "string");
        w.WriteNumber("minLength", 1);
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("sla");
        w.WriteStartArray("oneOf");
        w.WriteStartObject();
        w.WriteString("type", "string");
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("type", "array");
        w.WriteStartObject("items");
        w.WriteString("type", "string");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject("gpus");
        w.WriteString("type", "integer");
        w.WriteNumber("minimum", 1);
        w.WriteNumber("maximum", 100_000);
        w.WriteEndObject();
        w.WriteStartObject("filter");
        w.WriteString("type", "object");
        w.WriteBoolean("additionalProperties", false);
        w.WriteStartObject("properties");
        foreach (var k in FromBenchmarksSchema.FilterKeys)
        {
            w.WriteStartObject(k);
            w.WriteString("type", "string");
            w.WriteNumber("minLength", 1);
            w.WriteEndObject();
        }

        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteStartObject("spread");
        w.WriteStartArray("oneOf");
        w.WriteStartObject();
        w.WriteStartArray("enum");
        w.WriteStringValue("runs");
        w.WriteStringValue("fixed");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartObject();
        w.WriteString("type", "object");
        w.WriteStartArray("required");
        w.WriteStringValue("dist");
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteRequired(Utf8JsonWriter w, IEnumerable<string> names)
    {
        w.WriteStartArray("required");
        foreach (var n in names)
        {
            w.WriteStringValue(n);
        }

        w.WriteEndArray();
    }

    private static void WriteNumberBounds(Utf8JsonWriter w, FieldDef f)
    {
        w.WriteString("type", "number");
        if (double.IsFinite(f.Min))
        {
            w.WriteNumber(f.MinExclusive ? "exclusiveMinimum" : "minimum", f.Min);
        }

        if (double.IsFinite(f.Max))
        {
            w.WriteNumber("maximum", f.Max);
        }
    }

    private static void WriteType(Utf8JsonWriter w, string name, string type, string description)
    {
        w.WriteStartObject(name);
        w.WriteString("type", type);
        w.WriteString("description", description);
        w.WriteEndObject();
    }

    private static string Capital(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
