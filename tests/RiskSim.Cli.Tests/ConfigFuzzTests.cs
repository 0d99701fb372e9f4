using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CsCheck;
using RiskSim.Core.Configuration;

namespace RiskSim.Cli.Tests;

/// <summary>
/// Property-based config fuzzing (issue 16): every bundled config, mutated (keys deleted, wrong types, values at and
/// past the documented bounds, tiny and huge numbers such as 1e-300, 5e-324 and 1e300, random distributions,
/// duplicate keys, hostile strings, horizons 1…600, gates and correlations), is given to <c>validate</c>,
/// <c>evaluate</c>, <c>explain</c> and, for a share of the cases, <c>run</c> in process. Properties: they agree on
/// whether the config is valid; the exit code is 0, 2 or 3 (3 only from run); no exception escapes; nothing says NaN
/// or Infinity; nothing is written on exit 2; and the published JSON Schema accepts every config the loader accepts.
/// </summary>
/// <remarks>
/// CI runs <see cref="DefaultCases"/> validate cases and <see cref="DefaultRunCases"/> run cases (2,000 trials each).
/// Run longer with <c>RISKSIM_FUZZ_CASES=20000 dotnet test tests/RiskSim.Cli.Tests --filter ConfigFuzzTests</c>
/// (run cases scale with it: one in 40). A failure prints CsCheck's seed; <c>RISKSIM_FUZZ_SEED=&lt;seed&gt;</c>
/// replays that case first.
/// </remarks>
public sealed class ConfigFuzzTests : IDisposable
{
    /// <summary>Validate/evaluate/explain cases per test run unless RISKSIM_FUZZ_CASES says otherwise.</summary>
    public const int DefaultCases = 1200;

    /// <summary>Cases that also run the simulation (2,000 trials) unless RISKSIM_FUZZ_CASES says otherwise.</summary>
    public const int DefaultRunCases = 24;

    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-fuzz-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    // Resolved as the CLI does: a config that starts from benchmark files is fuzzed with its operating point filled in
    // (the mutated copy is written elsewhere, where its relative benchmark paths would not be found).
    private static readonly string[] ConfigTexts = [.. Directory.GetFiles(RepoPaths.Configs, "*.json").Order(StringComparer.Ordinal).Select(f => ResolvingLoader.Resolve(File.ReadAllText(f), f).Json)];

    private static int Cases => int.TryParse(Environment.GetEnvironmentVariable("RISKSIM_FUZZ_CASES"), out int n) && n > 0 ? n : DefaultCases;

    private static int RunCases => Environment.GetEnvironmentVariable("RISKSIM_FUZZ_CASES") is null ? DefaultRunCases : Math.Max(1, Cases / 40);

    private static string? Seed => Environment.GetEnvironmentVariable("RISKSIM_FUZZ_SEED") is { Length: > 0 } s ? s : null;

    [Fact]
    public void Validate_evaluate_and_explain_agree_and_never_crash()
    {
        Mutated.Sample(c => Check(c, withRun: false), seed: Seed, iter: Cases, threads: 1, print: c => c.Describe());
    }

    [Fact]
    public void Run_agrees_with_validate_and_writes_no_nan_or_infinity()
    {
        Mutated.Sample(c => Check(c, withRun: true), seed: Seed, iter: RunCases, threads: 1, print: c => c.Describe());
    }

    private void Check(FuzzCase c, bool withRun)
    {
        string dir = Path.Combine(_tmp, Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        string file = Path.Combine(dir, "config.json");
        File.WriteAllText(file, c.Text);
        try
        {
            var validate = CliHarness.Run("validate", file);
            Assert.True(validate.Code is 0 or 2, $"validate exit {validate.Code}: {validate.Err}");
            bool valid = validate.Code == 0;

            var evaluate = CliHarness.Run("evaluate", file, "--format", "json");
            Assert.True(evaluate.Code == validate.Code, $"validate exit {validate.Code} but evaluate exit {evaluate.Code}: {evaluate.Err}");
            var explain = CliHarness.Run("explain", file);
            Assert.True(explain.Code == validate.Code, $"validate exit {validate.Code} but explain exit {explain.Code}: {explain.Err}");
            foreach (var (verb, text) in new[] { ("validate", validate.Out + validate.Err), ("evaluate", evaluate.Out + evaluate.Err), ("explain", explain.Out + explain.Err) })
            {
                NoStackTrace(verb, text);
            }

            if (valid)
            {
                NoNanOrInfinity("evaluate --format json", evaluate.Out);
                JsonDocument.Parse(evaluate.Out).Dispose();
                NoNanOrInfinity("explain", explain.Out);
            }

            if (valid && c.SchemaComparable)
            {
                // Only this way round: the schema cannot say everything the loader checks (min < max, PSD matrices …).
                Assert.True(SchemaAgreementTests.SchemaAccepts(c.Text, out string why), $"the loader accepts the config but the published schema rejects it: {why}");
            }

            if (withRun)
            {
                string outDir = Path.Combine(dir, "out");
                var run = CliHarness.Run("run", file, "--trials", "2000", "--out", outDir, "--quiet", "--threads", "2");
                NoStackTrace("run", run.Out + run.Err);
                Assert.True(run.Code is 0 or 2 or 3, $"run exit {run.Code}: {run.Err}");
                Assert.True((run.Code == 2) == !valid, $"validate exit {validate.Code} but run exit {run.Code}: {run.Err}");
                if (run.Code == 2)
                {
                    Assert.False(Directory.Exists(outDir) && Directory.EnumerateFileSystemEntries(outDir).Any(), "exit 2 wrote into the output folder");
                }
                else
                {
                    NoNanOrInfinity("run console", run.Out);
                    var files = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories);
                    Assert.Contains(files, f => Path.GetFileName(f) == "summary.json");
                    foreach (string f in files.Where(f => Path.GetExtension(f) is ".json" or ".csv" or ".md" or ".html"))
                    {
                        NoNanOrInfinity(Path.GetFileName(f), Strip(File.ReadAllText(f)));
                    }
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void NoStackTrace(string verb, string text) =>
        Assert.False(text.Contains("   at ", StringComparison.Ordinal) || text.Contains("Unhandled exception", StringComparison.Ordinal), $"{verb} printed a stack trace: {text}");

    private static void NoNanOrInfinity(string what, string text)
    {
        foreach (string bad in new[] { "NaN", "Infinity", "∞" })
        {
            int at = text.IndexOf(bad, StringComparison.Ordinal);
            Assert.True(at < 0, $"{what} contains {bad}: …{text[Math.Max(0, at - 120)..Math.Min(text.Length, at + 40)]}…");
        }
    }

    /// <summary>Embedded images (base64 can spell anything) left out of the text checked.</summary>
    private static string Strip(string text) => System.Text.RegularExpressions.Regex.Replace(text, "data:[a-z/+]+;base64,[A-Za-z0-9+/=]+", "data:");

    // ---------------------------------------------------------------------------------------------------------------
    // The generator: a bundled config and one to three mutations, each drawn as plain numbers so that CsCheck can
    // shrink a failure towards fewer, simpler mutations.

    /// <summary>A mutated config: its text, the mutations in words, and whether the schema check applies.</summary>
    internal sealed record FuzzCase(string Text, IReadOnlyList<string> Mutations, bool SchemaComparable)
    {
        public string Describe() => $"mutations: {string.Join("; ", Mutations)}\nconfig: {Text}";
    }

    private static readonly double[] SpecialNumbers =
    [
        0, -0.0, 1e-300, -1e-300, 5e-324, -5e-324, 1e300, -1e300, double.MaxValue, 1e-9, 1e9, 0.5, 1, -1, 2, 12, 600, 601,
        2147483648, 9007199254740993, 1e20, 0.999, 1.0000001,
    ];

    private static readonly string[] HostileStrings =
    [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "[link](javascript:alert(1))", "\n# APPROVED BY COMMITTEE\n",
        "\u001b[2J\u001b[31mRED", "team a/b", "team a:b", "comparison", "..", ".", "", " ", new string('x', 255), "\u202eevil",
        "💥🚀 ünïcödé 漢字", "%s%n{0}", "CON", "'; DROP TABLE x; --", "\\", "\"quoted\"", "|a|b|", "`code`", "\t\r\n", LoneSurrogate,
    ];

    private const string LoneSurrogate = "__LONE_SURROGATE__"; // written as \ud800 in the JSON text

    private static readonly string[] WrongTypes = ["\"x\"", "true", "null", "[]", "{}", "[1, 2]", "42", "-1", "\"1\"", "{\"dist\": \"pert\"}"];

    private static readonly string[] DistKinds = ["pert", "triangular", "uniform", "normal", "lognormal", "beta", "discrete", "fixed", "bogus"];

    private static readonly string[] GateMetrics =
    [
        "npv_usd.p10", "net_roi.p50", "payback_months.prob_within_24", "payback_months.prob_within_600", "payback_months.prob_within_601",
        "irr_annual.p50", "levelized_cost_per_million_output_tokens_usd.p90", "horizon_energy_cost_per_revenue_dollar.mean",
        "horizon_gross_margin_pct.es10", "discounted_payback_months.null_share", "npv_usd.p11", "bogus.p10", "revenue_multiple.sd",
    ];

    private static readonly FieldDef[] NumericFields = [.. ConfigSchema.Fields.Where(f => f.Kind is FieldKind.Number or FieldKind.WholeNumber)];

    private static readonly FieldDef[] TextFields = [.. ConfigSchema.Fields.Where(f => f.Kind == FieldKind.Text)];

    private const int Kinds = 12;

    private static readonly Gen<(int Kind, uint A, uint B, uint C)> Mutation = Gen.Select(Gen.Int[0, Kinds - 1], Gen.UInt, Gen.UInt, Gen.UInt);

    internal static readonly Gen<FuzzCase> Mutated =
        Gen.Select(Gen.Int[0, ConfigTexts.Length - 1], Mutation.Array[1, 3]).Select(x => Apply(ConfigTexts[x.Item1], x.Item2));

    private static FuzzCase Apply(string configText, (int Kind, uint A, uint B, uint C)[] mutations)
    {
        var root = JsonNode.Parse(configText)!.AsObject();
        var said = new List<string>();
        string? duplicate = null;
        bool schemaComparable = true;
        foreach (var (kind, a, b, c) in mutations)
        {
            switch (kind)
            {
                case 0: // delete a key anywhere
                    {
                        var (parent, key) = PickProperty(root, a);
                        if (parent is not null)
                        {
                            parent.Remove(key);
                            said.Add($"delete {key}");
                        }

                        break;
                    }

                case 1: // a value of the wrong type anywhere
                    {
                        var (parent, key) = PickProperty(root, a);
                        if (parent is not null)
                        {
                            string v = WrongTypes[b % WrongTypes.Length];
                            parent[key] = JsonNode.Parse(v);
                            said.Add($"{key} = {v}");
                        }

                        break;
                    }

                case 2: // a special number in a numeric leaf
                    {
                        var leaves = Leaves(root).Where(l => l.Parent[l.Key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number).ToList();
                        if (leaves.Count > 0)
                        {
                            var (p, k) = leaves[(int)(a % (uint)leaves.Count)];
                            double v = SpecialNumbers[b % SpecialNumbers.Length];
                            p[k] = v;
                            said.Add($"{k} = {G(v)}");
                        }

                        break;
                    }

                case 3: // a field at, inside or just past its documented bounds
                    {
                        var f = NumericFields[a % NumericFields.Length];
                        double v = BoundValue(f, b);
                        Section(root, f.Section)[f.Name] = f.Kind == FieldKind.WholeNumber && v == Math.Floor(v) && Math.Abs(v) < 1e15 ? JsonValue.Create((long)v) : JsonValue.Create(v);
                        said.Add($"{f.Path} = {G(v)}");
                        break;
                    }

                case 4: // a distribution in a field
                    {
                        var f = NumericFields[a % NumericFields.Length];
                        var d = Distribution(f, b, c);
                        Section(root, f.Section)[f.Name] = d;
                        said.Add($"{f.Path} = {d.ToJsonString()}");
                        break;
                    }

                case 5: // a key twice in one object
                    {
                        var (parent, key) = PickProperty(root, a);
                        if (parent is not null)
                        {
                            var value = parent[key]?.DeepClone();
                            parent.Remove(key);
                            parent["__DUPLICATE__" + key] = value;
                            duplicate = key;
                            said.Add($"duplicate {key}");
                            schemaComparable = false; // a JSON Schema sees one of the two values
                        }

                        break;
                    }

                case 6: // a hostile string in a text field or a gate label
                    {
                        string s = HostileStrings[b % HostileStrings.Length];
                        if (a % 3 == 0 && root["gates"] is JsonArray { Count: > 0 } gates && gates[(int)(c % (uint)gates.Count)] is JsonObject g)
                        {
                            g["label"] = s;
                            said.Add($"gate label = {Quote(s)}");
                        }
                        else if (a % 3 == 1)
                        {
                            root[a % 2 == 0 ? "name" : "description"] = s;
                            said.Add($"name/description = {Quote(s)}");
                        }
                        else
                        {
                            var f = TextFields[c % TextFields.Length];
                            Section(root, f.Section)[f.Name] = s;
                            said.Add($"{f.Path} = {Quote(s)}");
                        }

                        if (s == LoneSurrogate)
                        {
                            schemaComparable = false; // not valid Unicode: the schema library cannot read it
                        }

                        break;
                    }

                case 7: // odd horizons, lives, ramps and tax lives in 0…601
                    {
                        string[] paths = ["finance.horizon_months", "finance.horizon_months", "cost.economic_life_months", "drivers.utilization_ramp_months", "finance.tax_depreciation_months"];
                        string path = paths[a % (uint)paths.Length];
                        long months = b % 602;
                        Section(root, path.Split('.')[0])[path.Split('.')[1]] = months;
                        said.Add($"{path} = {months}");
                        break;
                    }

                case 8: // a gate
                    {
                        var gate = new JsonObject
                        {
                            ["metric"] = GateMetrics[a % GateMetrics.Length],
                            ["op"] = (b % 3) switch { 0 => ">=", 1 => "<=", _ => ">" },
                            ["value"] = SpecialNumbers[c % SpecialNumbers.Length],
                        };
                        if (root["gates"] is not JsonArray list)
                        {
                            list = [];
                            root["gates"] = list;
                        }

                        list.Add(gate);
                        said.Add($"gate {gate.ToJsonString()}");
                        break;
                    }

                case 9: // a correlation between two inputs
                    {
                        var x = NumericFields[a % NumericFields.Length];
                        var y = NumericFields[b % NumericFields.Length];
                        double rho = new[] { -1, -0.5, 0, 0.3, 0.99, 1, 1.5 }[c % 7];
                        if (root["correlations"] is not JsonArray list)
                        {
                            list = [];
                            root["correlations"] = list;
                        }

                        list.Add(new JsonObject { ["inputs"] = new JsonArray(x.Path, y.Path), ["rank_correlation"] = rho });
                        said.Add($"correlate {x.Path} {y.Path} {G(rho)}");
                        break;
                    }

                case 10: // schema_version and the seed
                    {
                        string[] versions = ["1", "\"1\"", "2", "1.0", "0"];
                        if (a % 2 == 0)
                        {
                            string v = versions[b % (uint)versions.Length];
                            root["schema_version"] = JsonNode.Parse(v);
                            said.Add($"schema_version = {v}");
                        }
                        else
                        {
                            double seed = new[] { 0, -5, 1.5, 9007199254740991, 9007199254740992, 1e300 }[b % 6];
                            Section(root, "simulation")["seed"] = seed;
                            said.Add($"seed = {G(seed)}");
                        }

                        break;
                    }

                default: // a switch flipped: cost mode, sampling, boundary, tax depreciation, IRR
                    {
                        (string Path, string Value)[] flips =
                        [
                            ("cost.mode", "\"rate\""), ("cost.mode", "\"build_up\""), ("simulation.sampling", "\"mc\""), ("cost.energy_boundary", "\"facility\""),
                            ("cost.energy_boundary", "\"it\""), ("finance.tax_depreciation", "\"straight_line\""), ("simulation.irr", "true"),
                            ("cost.all_in_usd_per_gpu_hour", "2.5"), ("drivers.demand_cap_output_tokens_per_s", "50000"),
                        ];
                        var (path, v) = flips[a % (uint)flips.Length];
                        Section(root, path.Split('.')[0])[path.Split('.')[1]] = JsonNode.Parse(v);
                        said.Add($"{path} = {v}");
                        break;
                    }
            }
        }

        string text = root.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true });
        if (duplicate is not null)
        {
            // The key appears twice: first with a number, then with its own value.
            text = text.Replace($"\"__DUPLICATE__{duplicate}\":", $"\"{duplicate}\": 1, \"{duplicate}\":", StringComparison.Ordinal);
        }

        text = text.Replace(LoneSurrogate, "\\ud800", StringComparison.Ordinal);
        return new FuzzCase(text, said, schemaComparable);
    }

    private static double BoundValue(FieldDef f, uint pick)
    {
        double span = double.IsFinite(f.Max - f.Min) ? f.Max - f.Min : 1;
        return (pick % 9) switch
        {
            0 => f.Min,
            1 => f.Max,
            2 => f.Min - (1e-9 * Math.Max(1, Math.Abs(f.Min))),
            3 => f.Max * 1.000001,
            4 => Math.BitIncrement(f.Min),
            5 => f.Min == 0 ? 1e-300 : f.Min + (span * 1e-12),
            6 => f.Min == 0 ? 5e-324 : f.Max - (span * 1e-12),
            7 => f.Min + (span / 2),
            _ => f.Min + (span * (pick % 1000) / 1000.0),
        };
    }

    private static JsonObject Distribution(FieldDef f, uint pick, uint shape)
    {
        string kind = DistKinds[pick % (uint)DistKinds.Length];
        double lo = f.MinExclusive ? Math.BitIncrement(f.Min) : f.Min;
        double hi = f.Max;
        double span = hi - lo;
        double P(uint k) => (k % 5) switch
        {
            0 => lo,
            1 => hi,
            2 => lo + (span * 1e-300),
            3 => lo + (span * 0.5),
            _ => lo + (span * ((k >> 3) % 1000) / 1000.0),
        };
        double a = P(shape), b = P(shape >> 3), m = P(shape >> 6);
        double x = Math.Min(a, b), y = Math.Max(a, b);
        return kind switch
        {
            "pert" => new JsonObject { ["dist"] = kind, ["min"] = x, ["mode"] = Math.Clamp(m, x, y), ["max"] = y, ["lambda"] = (shape % 3) + 0.5 },
            "triangular" => new JsonObject { ["dist"] = kind, ["min"] = x, ["mode"] = m, ["max"] = y },
            "uniform" => new JsonObject { ["dist"] = kind, ["min"] = x, ["max"] = y },
            "normal" => new JsonObject { ["dist"] = kind, ["mean"] = m, ["sd"] = (span / 10) + 1e-300, ["min"] = lo, ["max"] = hi },
            "lognormal" => new JsonObject { ["dist"] = kind, ["median"] = Math.Max(m, 1e-300), ["sigma"] = new[] { 0.01, 0.5, 3, 1e-300 }[shape % 4], ["min"] = Math.Max(lo, 0), ["max"] = hi },
            "beta" => new JsonObject { ["dist"] = kind, ["alpha"] = new[] { 0.5, 2, 1e-3, 50 }[shape % 4], ["beta"] = new[] { 0.5, 2, 1e3, 1e-300 }[(shape >> 2) % 4], ["min"] = x, ["max"] = y },
            "discrete" => new JsonObject { ["dist"] = kind, ["values"] = new JsonArray(a, b, m) },
            "fixed" => new JsonObject { ["dist"] = kind, ["value"] = m },
            _ => new JsonObject { ["dist"] = kind, ["min"] = x },
        };
    }

    private static JsonObject Section(JsonObject root, string name)
    {
        if (root[name] is JsonObject s)
        {
            return s;
        }

        var created = new JsonObject();
        root[name] = created;
        return created;
    }

    /// <summary>Every (object, key) in the tree, depth first.</summary>
    private static List<(JsonObject Parent, string Key)> Leaves(JsonNode node)
    {
        var list = new List<(JsonObject, string)>();
        void Walk(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                foreach (var (k, v) in o)
                {
                    list.Add((o, k));
                    Walk(v);
                }
            }
            else if (n is JsonArray arr)
            {
                foreach (var e in arr)
                {
                    Walk(e);
                }
            }
        }

        Walk(node);
        return list;
    }

    private static (JsonObject? Parent, string Key) PickProperty(JsonObject root, uint pick)
    {
        var all = Leaves(root);
        return all.Count == 0 ? (null, "") : all[(int)(pick % (uint)all.Count)];
    }

    private static string G(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string Quote(string s)
    {
        var sb = new StringBuilder("\"");
        foreach (char ch in s.Length > 40 ? s[..40] + "…" : s)
        {
            sb.Append(char.IsControl(ch) ? $"\\u{(int)ch:x4}" : ch.ToString());
        }

        return sb.Append('"').ToString();
    }
}
