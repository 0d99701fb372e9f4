using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Configuration;

/// <summary>One problem in a config: where, what, the bad value and what is allowed.</summary>
public sealed record ConfigError(string Path, string Message, string Value, string Allowed)
{
    /// <summary>"file: path: message (got value; allowed: ...)".</summary>
    public string Format(string file) =>
        $"{file}: {(Path.Length == 0 ? "(root)" : Path)}: {Message}" +
        (Value.Length > 0 ? $" (got {Value}" + (Allowed.Length > 0 ? $"; allowed: {Allowed})" : ")") : Allowed.Length > 0 ? $" (allowed: {Allowed})" : "");
}

/// <summary>Thrown when a config is invalid; carries every error found.</summary>
public sealed class ConfigException : Exception
{
    public ConfigException(string file, IReadOnlyList<ConfigError> errors)
        : base(string.Join(Environment.NewLine, errors.Select(e => e.Format(file))))
    {
        File = file;
        Errors = errors;
    }

    public ConfigException()
        : this("(config)", [])
    {
    }

    public ConfigException(string message)
        : base(message)
    {
        File = "(config)";
        Errors = [];
    }

    public ConfigException(string message, Exception inner)
        : base(message, inner)
    {
        File = "(config)";
        Errors = [];
    }

    public string File { get; } = "(config)";

    public IReadOnlyList<ConfigError> Errors { get; } = [];
}

/// <summary>
/// Reads a config (JSON text, no I/O) into a validated <see cref="SimulationSpec"/>. Every error is
/// collected and reported together with its JSON path, the bad value and what is allowed.
/// </summary>
public static class ConfigLoader
{
    private static readonly JsonDocumentOptions DocOptions = new() { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip };

    private static readonly ImmutableArray<string> TopLevel =
        ["schema_version", "name", "description", "deployment", "cost", "operating_point", "market", "drivers", "finance", "simulation", "correlations", "correlation_matrix", "correlation_repair", "gates"];

    private static readonly ImmutableArray<string> DistKinds = ["pert", "triangular", "uniform", "normal", "lognormal", "beta", "discrete", "fixed"];

    /// <summary>Parses and validates; throws <see cref="ConfigException"/> listing every error.</summary>
    /// <param name="json">Config text.</param>
    /// <param name="file">File name for messages.</param>
    /// <param name="overrides">"path=value" overrides (value parsed as JSON, else taken as a string; "path=null" removes the field).</param>
    public static SimulationSpec Load(string json, string file, IReadOnlyList<string>? overrides = null)
    {
        var (spec, errors) = TryLoad(json, overrides);
        return spec ?? throw new ConfigException(file, errors);
    }

    /// <summary>Parses and validates; returns the spec, or null and every error.</summary>
    public static (SimulationSpec? Spec, IReadOnlyList<ConfigError> Errors) TryLoad(string json, IReadOnlyList<string>? overrides = null)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return (null, [new ConfigError("", "the file is empty", "", "a JSON object; see `risksim schema`")]);
        }

        JsonNode? root;
        List<ConfigError> duplicates;
        try
        {
            duplicates = DuplicateKeys(json); // before JsonNode, which throws on a duplicate key or a lone surrogate without saying where
            root = duplicates.Count > 0 ? null : JsonNode.Parse(json, documentOptions: DocOptions);
        }
        catch (JsonException ex)
        {
            return (null, [new ConfigError("", $"not valid JSON: {ex.Message.Split(" Path:")[0].Split(" LineNumber:")[0].TrimEnd('.', ' ')} (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1})", "", "")]);
        }

        if (duplicates.Count > 0)
        {
            return (null, duplicates);
        }

        if (root is not JsonObject obj)
        {
            return (null, [new ConfigError("", "the config must be a JSON object", Show(root), "{ \"deployment\": …, \"cost\": …, … }")]);
        }

        var errors = new List<ConfigError>();
        foreach (var o in overrides ?? [])
        {
            ApplyOverride(obj, o, errors);
        }

        if (errors.Count > 0)
        {
            return (null, errors);
        }

        var overridden = (overrides ?? []).Select(o => o.Split('=')[0].Trim()).ToHashSet(StringComparer.Ordinal);
        var reader = new Reader(obj, errors, overridden);
        var spec = reader.Build();
        return errors.Count > 0 ? (null, errors) : (spec, errors);
    }

    private static void ApplyOverride(JsonObject root, string assignment, List<ConfigError> errors)
    {
        int eq = assignment.IndexOf('=', StringComparison.Ordinal);
        if (eq <= 0)
        {
            errors.Add(new ConfigError("--set", "an override must look like path=value", assignment, "e.g. --set drivers.utilization=0.6"));
            return;
        }

        string path = assignment[..eq].Trim();
        string raw = assignment[(eq + 1)..].Trim();
        JsonNode? value;
        try
        {
            value = JsonNode.Parse(raw);
        }
        catch (JsonException)
        {
            value = JsonValue.Create(raw);
        }

        string[] parts = path.Split('.');
        JsonObject cur = root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (cur[parts[i]] is JsonObject next)
            {
                cur = next;
            }
            else if (cur[parts[i]] is null)
            {
                var created = new JsonObject();
                cur[parts[i]] = created;
                cur = created;
            }
            else
            {
                errors.Add(new ConfigError(path, "cannot override inside a value that is not an object", assignment, "a dotted path to a field, e.g. market.price_erosion_annual"));
                return;
            }
        }

        if (value is null)
        {
            cur.Remove(parts[^1]); // path=null leaves the field out: its default applies
        }
        else
        {
            cur[parts[^1]] = value;
        }
    }

    // Messages quote the user's JSON as written: ">" stays ">", not "\u003E" (control characters are still escaped).
    private static readonly JsonSerializerOptions ShowOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    internal static string Show(JsonNode? n)
    {
        string s = n is null ? "null" : n.ToJsonString(ShowOptions);
        return s.Length > 60 ? s[..57] + "..." : s;
    }

    /// <summary>
    /// Every key that appears twice in one object, with its JSON path. JsonNode would throw on the first one when the
    /// object is read (the last value silently winning would be worse: the file says two things).
    /// </summary>
    internal static List<ConfigError> DuplicateKeys(string json)
    {
        var errors = new List<ConfigError>();
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });

        // One frame per open object or array: the object's keys so far, or the array's next index; and the frame's path.
        var frames = new Stack<(HashSet<string>? Keys, int Index, string Path)>();
        string pending = ""; // path of the value about to be read
        void Enter(JsonTokenType t)
        {
            frames.Push(t == JsonTokenType.StartObject ? (new HashSet<string>(StringComparer.Ordinal), 0, pending) : (null, 0, pending));
        }

        void BeforeValue()
        {
            if (frames.Count > 0 && frames.Peek() is { Keys: null } array)
            {
                frames.Pop();
                pending = $"{array.Path}[{array.Index}]";
                frames.Push(array with { Index = array.Index + 1 });
            }
        }

        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    BeforeValue();
                    Enter(reader.TokenType);
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.Pop();
                    break;
                case JsonTokenType.PropertyName:
                    {
                        var (keys, _, path) = frames.Peek();
                        if (!TryGetString(ref reader, out string key))
                        {
                            errors.Add(new ConfigError(path, InvalidText, "", ValidText));
                            break;
                        }

                        pending = path.Length == 0 ? key : $"{path}.{key}";
                        if (!keys!.Add(key))
                        {
                            errors.Add(new ConfigError(pending, "duplicate key: it appears more than once in the same object, so which value is meant is not clear", $"\"{key}\"", "each key once per object"));
                        }

                        break;
                    }

                default:
                    BeforeValue();
                    if (reader.TokenType == JsonTokenType.String && !TryGetString(ref reader, out _))
                    {
                        errors.Add(new ConfigError(pending, InvalidText, "", ValidText));
                    }

                    break;
            }
        }

        return errors;
    }

    private const string InvalidText = "a string is not valid Unicode (an escape such as \\ud800 is half of a surrogate pair)";
    private const string ValidText = "text whose \\uXXXX escapes form whole characters";

    private static bool TryGetString(ref Utf8JsonReader reader, out string value)
    {
        try
        {
            value = reader.GetString()!;
            return true;
        }
        catch (InvalidOperationException)
        {
            value = "";
            return false;
        }
    }

    private const double MinBetaShape = 0.01;
    private const double MaxBetaShape = 10_000;

    private static readonly double[] ProbeLevels = [0, 1e-12, 1e-6, 0.01, 0.25, 0.5, 0.75, 0.99, 1 - 1e-6, 1 - 1e-12, 1];

    private const string NullMessage = "null is not a value here: leave the key out for its default";

    private sealed class Reader(JsonObject root, List<ConfigError> errors, HashSet<string> overridden)
    {
        private readonly Dictionary<string, string> _notes = [];
        private readonly List<int> _gateIndex = []; // index in the config's gates array of each gate read

        public SimulationSpec? Build()
        {
            foreach (var (key, value) in root)
            {
                if (!TopLevel.Contains(key))
                {
                    Err(key, "unknown top-level key", Show(value), string.Join(", ", TopLevel));
                }
                else if (value is null)
                {
                    Err(key, NullMessage, "null", "a value, or no key at all");
                }
            }

            if (root["schema_version"] is JsonNode sv && !(sv is JsonValue v && v.TryGetValue(out double d) && d == ConfigSchema.SchemaVersion))
            {
                Err("schema_version", "unsupported schema version", Show(sv), ConfigSchema.SchemaVersion.ToString(CultureInfo.InvariantCulture));
            }

            string name = Text("name", required: false) ?? "unnamed";
            if (root["name"] is not null && NameProblem(name) is { } nameProblem)
            {
                Err("name", nameProblem, Show(root["name"]), ConfigSchema.NameAllowedText);
            }

            string description = Text("description", required: false) ?? "";

            var sections = new Dictionary<string, JsonObject>();
            foreach (var (sec, _) in ConfigSchema.Sections)
            {
                var node = root[sec];
                if (node is null)
                {
                    if (!root.ContainsKey(sec) && sec is "deployment" or "cost" or "operating_point" or "market" or "drivers" or "finance")
                    {
                        Err(sec, "missing section", "", "an object with the fields of `risksim schema`");
                    }

                    sections[sec] = [];
                    continue;
                }

                if (node is not JsonObject so)
                {
                    Err(sec, "must be an object", Show(node), "an object");
                    sections[sec] = [];
                    continue;
                }

                sections[sec] = so;
                var allowed = ConfigSchema.Fields.Where(f => f.Section == sec).Select(f => f.Name).ToList();
                foreach (var (k, val) in so)
                {
                    if (!allowed.Contains(k))
                    {
                        Err($"{sec}.{k}", "unknown field", Show(val), string.Join(", ", allowed));
                    }
                    else if (val is null)
                    {
                        Err($"{sec}.{k}", NullMessage, "null", ConfigSchema.ByPath[$"{sec}.{k}"].AllowedText + ", or no key at all");
                    }
                }
            }

            // Scalar fields
            var values = new Dictionary<string, object?>();
            foreach (var f in ConfigSchema.Fields)
            {
                var node = sections[f.Section][f.Name];
                values[f.Path] = node is null ? null : ReadField(f, node);
            }

            T? Get<T>(string path) where T : class => values[path] as T;
            double? GetNum(string path) => values[path] is double d ? d : null;

            string accelerator = Get<string>("deployment.accelerator") ?? RequiredMissing("deployment.accelerator", "");
            int gpusPerUnit = (int)(GetNum("deployment.gpus_per_unit") ?? RequiredMissingNum("deployment.gpus_per_unit"));
            int units = (int)(GetNum("deployment.units") ?? RequiredMissingNum("deployment.units"));
            string modeText = Get<string>("cost.mode") ?? RequiredMissing("cost.mode", "build_up");
            var mode = modeText == "rate" ? CostMode.Rate : CostMode.BuildUp;
            string boundaryText = Get<string>("cost.energy_boundary") ?? "accelerator";
            var boundary = boundaryText switch { "it" => EnergyBoundary.It, "facility" => EnergyBoundary.Facility, _ => EnergyBoundary.Accelerator };
            int horizon = (int)(GetNum("finance.horizon_months") ?? 60);
            int ramp = (int)(GetNum("drivers.utilization_ramp_months") ?? 0);
            int life = (int)(GetNum("cost.economic_life_months") ?? horizon);
            var taxDep = (Get<string>("finance.tax_depreciation") ?? "macrs5") == "straight_line" ? TaxDepreciation.StraightLine : TaxDepreciation.Macrs5;
            int taxLife = (int)(GetNum("finance.tax_depreciation_months") ?? 60);

            var inputs = new InputSpec[ParamCount.Value];
            foreach (var f in ConfigSchema.Fields.Where(f => f.Param is { } p && (int)p >= 0))
            {
                var p = f.Param!.Value;
                if (values[f.Path] is Distribution dist)
                {
                    inputs[(int)p] = new InputSpec(p, f.Path, dist, f.Unit, false);
                }
                else if (f.Default is double def)
                {
                    inputs[(int)p] = new InputSpec(p, f.Path, new FixedDistribution(def), f.Unit, true);
                }
            }

            void Derive(Param p, double value, bool defaulted = true)
            {
                var f = ConfigSchema.ForParam(p);
                inputs[(int)p] = new InputSpec(p, f.Path, new FixedDistribution(value), f.Unit, defaulted);
            }

            bool Has(Param p) => inputs[(int)p] is not null;

            // Capex: per GPU, or per unit scaled.
            if (values["cost.capex_usd_per_unit"] is Distribution perUnit)
            {
                if (Has(Param.CapexUsdPerGpu))
                {
                    Err("cost.capex_usd_per_unit", "give capex per GPU or per unit, not both", Show(sections["cost"]["capex_usd_per_unit"]), "one of capex_usd_per_gpu, capex_usd_per_unit");
                }
                else if (gpusPerUnit > 0)
                {
                    inputs[(int)Param.CapexUsdPerGpu] = new InputSpec(Param.CapexUsdPerGpu, "cost.capex_usd_per_unit", new ScaledDistribution(perUnit, 1.0 / gpusPerUnit), "USD/GPU", false);
                }
            }

            bool hasActive = Has(Param.GpuPowerActiveW);
            bool hasJoules = Has(Param.JoulesPerOutputToken);
            bool hasPower = hasActive || hasJoules;
            if (hasActive && hasJoules)
            {
                Err("operating_point.joules_per_output_token", "give either cost.gpu_power_active_w or operating_point.joules_per_output_token, not both", Show(sections["operating_point"]["joules_per_output_token"]), "one of the two");
            }

            if (mode == CostMode.Rate)
            {
                if (!Has(Param.CostRateUsdPerGpuHour))
                {
                    Err("cost.all_in_usd_per_gpu_hour", "required when cost.mode is \"rate\"", "", ConfigSchema.ByPath["cost.all_in_usd_per_gpu_hour"].AllowedText);
                }

                foreach (var k in new[] { "capex_usd_per_gpu", "capex_usd_per_unit" })
                {
                    if (sections["cost"][k] is not null)
                    {
                        Err($"cost.{k}", "capex is not used with cost.mode \"rate\" (the rate is all-in); use mode \"build_up\"", Show(sections["cost"][k]), "absent");
                    }
                }

                Derive(Param.CapexUsdPerGpu, 0);
            }
            else
            {
                if (!Has(Param.CapexUsdPerGpu) && !errors.Any(e => e.Path.StartsWith("cost.capex_usd_per_", StringComparison.Ordinal)))
                {
                    Err("cost.capex_usd_per_gpu", "build_up needs capex_usd_per_gpu or capex_usd_per_unit", "", ConfigSchema.ByPath["cost.capex_usd_per_gpu"].AllowedText);
                }

                if (!hasPower && !errors.Any(e => e.Path.StartsWith("cost.gpu_power_active_w", StringComparison.Ordinal) || e.Path.StartsWith("operating_point.joules_per_output_token", StringComparison.Ordinal)))
                {
                    Err("cost.gpu_power_active_w", "build_up needs power: cost.gpu_power_active_w or operating_point.joules_per_output_token", "", ConfigSchema.ByPath["cost.gpu_power_active_w"].AllowedText);
                }

                if (sections["cost"]["all_in_usd_per_gpu_hour"] is not null)
                {
                    Err("cost.all_in_usd_per_gpu_hour", "a given rate is not used with cost.mode \"build_up\"", Show(sections["cost"]["all_in_usd_per_gpu_hour"]), "absent, or cost.mode \"rate\"");
                }

                Derive(Param.CostRateUsdPerGpuHour, 0);
            }

            if (hasPower)
            {
                if (!Has(Param.GpuPowerIdleW))
                {
                    Err("cost.gpu_power_idle_w", "required when power is given (idle hours still draw power)", "", ConfigSchema.ByPath["cost.gpu_power_idle_w"].AllowedText);
                }

                if (!Has(Param.ElectricityUsdPerKwh))
                {
                    Err("cost.electricity_usd_per_kwh", "required when power is given", "", ConfigSchema.ByPath["cost.electricity_usd_per_kwh"].AllowedText);
                }
            }

            if (!hasActive)
            {
                Derive(Param.GpuPowerActiveW, 0);
            }

            if (!hasJoules)
            {
                Derive(Param.JoulesPerOutputToken, 0);
            }

            if (!Has(Param.GpuPowerIdleW))
            {
                Derive(Param.GpuPowerIdleW, 0);
            }

            if (!Has(Param.ElectricityUsdPerKwh))
            {
                Derive(Param.ElectricityUsdPerKwh, 0);
            }

            // Conditional defaults that depend on other inputs' base values.
            if (!Has(Param.ProvisionedKwPerGpu))
            {
                double activeW = hasJoules && Has(Param.OutputTokensPerSPerGpu)
                    ? inputs[(int)Param.JoulesPerOutputToken].BaseValue * inputs[(int)Param.OutputTokensPerSPerGpu].BaseValue
                    : inputs[(int)Param.GpuPowerActiveW].BaseValue;
                double host = inputs[(int)Param.HostOverheadPct].BaseValue;
                double itW = boundary switch
                {
                    EnergyBoundary.Accelerator => activeW * (1 + host),
                    EnergyBoundary.It => activeW,
                    _ => activeW / inputs[(int)Param.Pue].BaseValue,
                };
                Derive(Param.ProvisionedKwPerGpu, itW / 1000);
            }

            if (!Has(Param.InputTokensPerSPerGpu) && Has(Param.OutputTokensPerSPerGpu) && Has(Param.InputTokensPerRequest) && Has(Param.OutputTokensPerRequest))
            {
                Derive(Param.InputTokensPerSPerGpu, inputs[(int)Param.OutputTokensPerSPerGpu].BaseValue * inputs[(int)Param.InputTokensPerRequest].BaseValue / inputs[(int)Param.OutputTokensPerRequest].BaseValue);
            }

            if (!Has(Param.PriceUsdPerMillionCachedInputTokens) && Has(Param.PriceUsdPerMillionInputTokens))
            {
                var input = inputs[(int)Param.PriceUsdPerMillionInputTokens];
                inputs[(int)Param.PriceUsdPerMillionCachedInputTokens] = input with
                {
                    Param = Param.PriceUsdPerMillionCachedInputTokens,
                    Path = "market.price_usd_per_million_cached_input_tokens",
                    Defaulted = true,
                    Distribution = input.IsUncertain ? new SameDrawDistribution(input.Path, input.BaseValue) : input.Distribution,
                };
            }

            bool hasDemand = Has(Param.DemandCapOutputTokensPerS);
            if (!hasDemand)
            {
                Derive(Param.DemandCapOutputTokensPerS, 0);
            }

            foreach (var f in ConfigSchema.Fields.Where(f => f.Param is { } p && (int)p >= 0))
            {
                // Present but invalid fields already have their error: do not also call them missing.
                if (inputs[(int)f.Param!.Value] is null && f.Requirement == "required" && sections[f.Section][f.Name] is null)
                {
                    Err(f.Path, "required field is missing", "", f.AllowedText);
                }
            }

            if (life > 0 && horizon > 0 && values["cost.economic_life_months"] is null)
            {
                life = horizon;
            }

            var sim = ReadSimulation(values);
            var (correlations, repair) = ReadCorrelations(inputs);
            var gates = ReadGates();

            foreach (var (sec, _) in ConfigSchema.Sections)
            {
                foreach (var key in new[] { "notes", "source", "rate_source" })
                {
                    if (values.TryGetValue($"{sec}.{key}", out var n) && n is string s)
                    {
                        _notes[$"{sec}.{key}"] = s;
                    }
                }
            }

            if (errors.Count > 0 || inputs.Any(i => i is null))
            {
                if (errors.Count == 0)
                {
                    Err("", "internal: an input was left undefined", "", "");
                }

                return null;
            }

            // Paths of the gates' payback thresholds are reported too.
            var within = sim.PaybackWithinMonths.ToBuilder();
            foreach (var g in gates)
            {
                int idx = g.Metric.IndexOf(".prob_within_", StringComparison.Ordinal);
                if (idx > 0 && int.TryParse(g.Metric[(idx + 13)..], NumberStyles.None, CultureInfo.InvariantCulture, out int n) && !within.Contains(n))
                {
                    within.Add(n);
                }
            }

            within.Sort();
            string canonical = root.ToJsonString();
            string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

            var spec = new SimulationSpec
            {
                Name = name,
                Description = description,
                Accelerator = accelerator,
                GpusPerUnit = gpusPerUnit,
                Units = units,
                CostMode = mode,
                EnergyBoundary = boundary,
                PowerFromJoules = hasJoules,
                HasPower = hasPower,
                HasDemandCap = hasDemand,
                HorizonMonths = horizon,
                UtilizationRampMonths = ramp,
                EconomicLifeMonths = life,
                TaxDepreciation = taxDep,
                TaxLifeMonths = taxLife,
                Inputs = [.. inputs],
                Correlations = correlations,
                RepairCorrelation = repair,
                Gates = gates,
                Simulation = sim with { PaybackWithinMonths = within.ToImmutable(), Irr = sim.Irr || gates.Any(g => g.Metric.StartsWith("irr_annual.", StringComparison.Ordinal)) },
                Notes = _notes.ToImmutableDictionary(),
                ConfigHash = hash,
                CanonicalJson = canonical,
            };

            // A gate on a KPI that no trial of this config can have would fail every run with "actual n/a".
            for (int i = 0; i < gates.Length; i++)
            {
                string kpi = gates[i].Metric[..gates[i].Metric.IndexOf('.', StringComparison.Ordinal)];
                if (KpiExistence.NeverExists(spec, TrialKpis.IndexOf(kpi)) is { } why)
                {
                    Err($"gates[{_gateIndex[i]}].metric", $"{kpi} does not exist in any trial of this config ({why}): the gate could never be evaluated", $"\"{gates[i].Metric}\"", "a gate on a KPI this config has, or no gate");
                }
            }

            return errors.Count > 0 ? null : spec;
        }

        private SimulationSettings ReadSimulation(Dictionary<string, object?> values)
        {
            long trials = values["simulation.trials"] is double t ? (long)t : 1_000_000;
            ulong seed = values["simulation.seed"] is double s ? (ulong)s : 42;
            var sampling = (values["simulation.sampling"] as string ?? "lhs") == "mc" ? SamplingMethod.MonteCarlo : SamplingMethod.LatinHypercube;
            var within = values["simulation.payback_within_months"] as ImmutableArray<int>? ?? [12, 24, 36];
            return new SimulationSettings(trials, seed, sampling, within, values["simulation.irr"] is true);
        }

        private (ImmutableArray<CorrelationSpec>, bool) ReadCorrelations(InputSpec?[] inputs)
        {
            var list = new List<CorrelationSpec>();
            bool repair = false;
            if (root["correlation_repair"] is JsonNode rep)
            {
                string? r = rep is JsonValue rv && rv.TryGetValue(out string? rs) ? rs : null;
                if (r is not ("reject" or "nearest_psd"))
                {
                    Err("correlation_repair", "unknown repair policy", Show(rep), "\"reject\" (default) or \"nearest_psd\"");
                }

                repair = r == "nearest_psd";
            }

            var uncertainPaths = inputs.Where(i => i is { IsUncertain: true }).Select(i => i!.Path).ToList();

            // Inputs given as distributions that did not load (their own errors are listed) are still named as candidates.
            var invalid = ConfigSchema.Fields.Where(f => f.AcceptsDistribution && !uncertainPaths.Contains(f.Path) && root[f.Section] is JsonObject section && section[f.Name] is JsonObject
                && errors.Any(e => e.Path == f.Path || e.Path.StartsWith(f.Path + ".", StringComparison.Ordinal))).Select(f => f.Path).ToList();
            string allowedNames = (uncertainPaths.Count, invalid.Count) switch
            {
                (0, 0) => "an uncertain input (one given as a distribution); this config has none",
                (_, 0) => string.Join(", ", uncertainPaths),
                _ => string.Join(", ", uncertainPaths.Concat(invalid.Select(x => x + " (once its errors are fixed)"))),
            };

            bool CheckName(string path, string? n)
            {
                if (n is null)
                {
                    Err(path, "expected an input path string", "", allowedNames);
                    return false;
                }

                if (!uncertainPaths.Contains(n))
                {
                    if (errors.Any(e => e.Path == n || e.Path.StartsWith(n + ".", StringComparison.Ordinal)))
                    {
                        return false; // the input itself is invalid and already reported: no second error for its correlation
                    }

                    if (overridden.Contains(n) && ConfigSchema.ByPath.ContainsKey(n))
                    {
                        // A --set fixed this input for a what-if: its correlations no longer apply.
                        _notes[$"correlation.{n}"] = $"correlations of {n} were dropped because --set fixed it";
                        return false;
                    }

                    Err(path, ConfigSchema.ByPath.ContainsKey(n) ? "input is fixed; only uncertain inputs can be correlated" : "unknown input", $"\"{n}\"", allowedNames);
                    return false;
                }

                return true;
            }

            if (root["correlations"] is JsonNode cn)
            {
                if (cn is not JsonArray arr)
                {
                    Err("correlations", "must be an array", Show(cn), "[{\"inputs\": [\"drivers.utilization\", \"market.price_erosion_annual\"], \"rank_correlation\": -0.3}]");
                }
                else
                {
                    for (int i = 0; i < arr.Count; i++)
                    {
                        string p = $"correlations[{i}]";
                        if (arr[i] is not JsonObject o)
                        {
                            Err(p, "must be an object", Show(arr[i]), "{\"inputs\": [A, B], \"rank_correlation\": ρ}");
                            continue;
                        }

                        foreach (var (k, v) in o)
                        {
                            if (k is not ("inputs" or "rank_correlation"))
                            {
                                Err($"{p}.{k}", "unknown field", Show(v), "inputs, rank_correlation");
                            }
                        }

                        if (o["inputs"] is not JsonArray names || names.Count != 2)
                        {
                            Err($"{p}.inputs", "must be an array of two input paths", Show(o["inputs"]), allowedNames);
                            continue;
                        }

                        string? a = Str(names[0]);
                        string? b = Str(names[1]);
                        bool ok = CheckName($"{p}.inputs[0]", a) & CheckName($"{p}.inputs[1]", b);
                        double? rho = Num(o["rank_correlation"]);
                        if (rho is not { } r || double.IsNaN(r) || r < -1 || r > 1)
                        {
                            Err($"{p}.rank_correlation", "must be a number in [-1, 1]", Show(o["rank_correlation"]), "a number in [-1, 1]");
                            continue;
                        }

                        if (ok && a == b)
                        {
                            Err($"{p}.inputs", "an input cannot be correlated with itself", Show(o["inputs"]), "two different inputs");
                            continue;
                        }

                        if (ok && list.Any(c => (c.A == a && c.B == b) || (c.A == b && c.B == a)))
                        {
                            Err($"{p}.inputs", "this pair is already given", Show(o["inputs"]), "each pair once");
                            continue;
                        }

                        if (ok)
                        {
                            list.Add(new CorrelationSpec(a!, b!, r));
                        }
                    }
                }
            }

            if (root["correlation_matrix"] is JsonNode mn)
            {
                ReadMatrix(mn, list, CheckName);
            }

            if (list.Count > 0 && errors.Count == 0)
            {
                var names = list.SelectMany(c => new[] { c.A, c.B }).Distinct().ToList();
                var m = Statistics.Correlation.BuildMatrix(names, list);
                double minEig = Statistics.Correlation.MinEigenvalue(m);
                if (minEig < -1e-10 && !repair)
                {
                    Err(root["correlation_matrix"] is null ? "correlations" : "correlation_matrix", "the correlation matrix is not positive semi-definite", $"smallest eigenvalue {minEig.ToString("G4", CultureInfo.InvariantCulture)}", "a consistent set of correlations, or \"correlation_repair\": \"nearest_psd\" to repair it to the nearest valid matrix (reported)");
                }
            }

            return ([.. list], repair);
        }

        private void ReadMatrix(JsonNode mn, List<CorrelationSpec> list, Func<string, string?, bool> checkName)
        {
            const string shape = "{\"inputs\": [A, B, …], \"matrix\": [[1, ρ], [ρ, 1]]}";
            if (mn is not JsonObject mo || mo["inputs"] is not JsonArray names || mo["matrix"] is not JsonArray rows)
            {
                Err("correlation_matrix", "must be an object with inputs and matrix", Show(mn), shape);
                return;
            }

            var n = new string?[names.Count];
            bool ok = true;
            for (int i = 0; i < names.Count; i++)
            {
                n[i] = Str(names[i]);
                ok &= checkName($"correlation_matrix.inputs[{i}]", n[i]);
            }

            if (rows.Count != names.Count)
            {
                Err("correlation_matrix.matrix", $"must have {names.Count} rows, one per input", rows.Count.ToString(CultureInfo.InvariantCulture), "a square matrix");
                return;
            }

            var m = new double[names.Count, names.Count];
            for (int i = 0; i < rows.Count; i++)
            {
                if (rows[i] is not JsonArray row || row.Count != names.Count)
                {
                    Err($"correlation_matrix.matrix[{i}]", $"must be a row of {names.Count} numbers", Show(rows[i]), "numbers in [-1, 1]");
                    ok = false;
                    continue;
                }

                for (int j = 0; j < row.Count; j++)
                {
                    double? v = Num(row[j]);
                    if (v is not { } x || x < -1 || x > 1)
                    {
                        Err($"correlation_matrix.matrix[{i}][{j}]", "must be a number in [-1, 1]", Show(row[j]), "a number in [-1, 1]");
                        ok = false;
                        continue;
                    }

                    m[i, j] = x;
                }
            }

            if (!ok)
            {
                return;
            }

            for (int i = 0; i < names.Count; i++)
            {
                if (m[i, i] != 1)
                {
                    Err($"correlation_matrix.matrix[{i}][{i}]", "the diagonal must be 1", m[i, i].ToString("G6", CultureInfo.InvariantCulture), "1");
                }

                for (int j = i + 1; j < names.Count; j++)
                {
                    if (m[i, j] != m[j, i])
                    {
                        Err($"correlation_matrix.matrix[{i}][{j}]", $"the matrix must be symmetric: [{i}][{j}] ≠ [{j}][{i}]", $"{m[i, j].ToString("G6", CultureInfo.InvariantCulture)} vs {m[j, i].ToString("G6", CultureInfo.InvariantCulture)}", "equal entries");
                    }
                    else if (m[i, j] != 0 && n[i] != n[j])
                    {
                        if (list.Any(c => (c.A == n[i] && c.B == n[j]) || (c.A == n[j] && c.B == n[i])))
                        {
                            Err("correlation_matrix", $"the pair {n[i]} / {n[j]} is also in correlations", "", "each pair once");
                        }
                        else
                        {
                            list.Add(new CorrelationSpec(n[i]!, n[j]!, m[i, j]));
                        }
                    }
                }
            }

        }

        private ImmutableArray<GateSpec> ReadGates()
        {
            var gates = ImmutableArray.CreateBuilder<GateSpec>();
            if (root["gates"] is not JsonNode gn)
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
                    _gateIndex.Add(i);
                }
            }

            return gates.ToImmutable();
        }

        /// <summary>Why a config name cannot name a result folder, or null when it can (see <see cref="ConfigSchema.NameAllowedText"/>).</summary>
        internal static string? NameProblem(string name)
        {
            int bytes = Encoding.UTF8.GetByteCount(name);
            if (bytes > ConfigSchema.NameMaxBytes)
            {
                return $"too long: {bytes} bytes in UTF-8 (the name becomes a folder name, and compare-A-vs-B folders hold two names, within the file system's 255 bytes)";
            }

            if (!name.Any(char.IsLetterOrDigit))
            {
                return "needs at least one letter or digit (the name becomes a folder name)";
            }

            foreach (var r in name.EnumerateRunes())
            {
                if (Rune.GetUnicodeCategory(r) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned
                    || r == Rune.ReplacementChar)
                {
                    return $"contains the control, invisible or invalid character U+{r.Value:X4} (names are printed on consoles and in reports)";
                }

                if (r.IsAscii && ConfigSchema.NameForbiddenCharacters.Contains((char)r.Value, StringComparison.Ordinal))
                {
                    return $"contains '{r}', which a folder name cannot hold on every system";
                }
            }

            return name.Trim() != name ? "starts or ends with white space" : null;
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

        private object? ReadField(FieldDef f, JsonNode node)
        {
            switch (f.Kind)
            {
                case FieldKind.Text:
                    return Str(node) ?? Bad(f, node, "expected a string");
                case FieldKind.Boolean:
                    return node is JsonValue bv && bv.TryGetValue(out bool flag) ? flag : Bad(f, node, "expected true or false");
                case FieldKind.Choice:
                    {
                        string? s = Str(node);
                        return s is not null && f.Choices.Contains(s) ? s : Bad(f, node, s is null ? "expected a string" : "unknown value");
                    }

                case FieldKind.WholeNumber:
                    {
                        double? d = Num(node);
                        if (d is not { } x || x != Math.Floor(x) || x < f.Min || x > f.Max)
                        {
                            return Bad(f, node, d is null ? "expected a whole number" : "out of range");
                        }

                        return x;
                    }

                case FieldKind.Nested:
                    // Filled before loading by the benchmark resolver (it reads files; the loader does no I/O).
                    return Bad(f, node, "benchmark files are read before the config is loaded: load this config with the risksim command (or RiskSim.Bench's BenchmarkConfigResolver), which replaces the object by the operating point it finds");

                case FieldKind.IntegerList:
                    {
                        if (node is not JsonArray arr || arr.Count == 0)
                        {
                            return Bad(f, node, "expected a non-empty list of whole numbers");
                        }

                        var b = ImmutableArray.CreateBuilder<int>();
                        foreach (var e in arr)
                        {
                            double? d = Num(e);
                            if (d is not { } x || x != Math.Floor(x) || x < f.Min || x > f.Max)
                            {
                                return Bad(f, node, "every entry must be a whole number in range");
                            }

                            if (!b.Contains((int)x))
                            {
                                b.Add((int)x);
                            }
                        }

                        b.Sort();
                        return b.ToImmutable();
                    }

                default:
                    if (node is JsonObject o)
                    {
                        if (!f.AcceptsDistribution)
                        {
                            return Bad(f, node, "expected a number (this field cannot be uncertain)");
                        }

                        return ReadDistribution(f, o);
                    }

                    {
                        double? d = Num(node);
                        if (d is not { } x)
                        {
                            return Bad(f, node, "expected a number");
                        }

                        if (!InRange(f, x))
                        {
                            return Bad(f, node, "out of range");
                        }

                        return f.AcceptsDistribution ? new FixedDistribution(x) : x;
                    }
            }
        }

        private static bool InRange(FieldDef f, double x) =>
            double.IsFinite(x) && (f.MinExclusive ? x > f.Min : x >= f.Min) && x <= f.Max;

        private Distribution? ReadDistribution(FieldDef f, JsonObject o)
        {
            string p = f.Path;
            string? kind = Str(o["dist"]);
            if (kind is null || !DistKinds.Contains(kind))
            {
                Err($"{p}.dist", kind is null ? "a distribution needs \"dist\"" : "unknown distribution", Show(o["dist"]), string.Join(", ", DistKinds));
                return null;
            }

            string[] allowedKeys = kind switch
            {
                "pert" => ["dist", "min", "mode", "max", "lambda"],
                "triangular" => ["dist", "min", "mode", "max"],
                "uniform" => ["dist", "min", "max"],
                "normal" => ["dist", "mean", "sd", "min", "max"],
                "lognormal" => ["dist", "median", "sigma", "min", "max"],
                "beta" => ["dist", "alpha", "beta", "min", "max"],
                "discrete" => ["dist", "values", "probabilities"],
                _ => ["dist", "value"],
            };
            int before = errors.Count;
            foreach (var (k, v) in o)
            {
                if (!allowedKeys.Contains(k))
                {
                    Err($"{p}.{k}", $"unknown parameter for {kind}", Show(v), string.Join(", ", allowedKeys));
                }
            }

            double? Req(string key)
            {
                double? v = Num(o[key]);
                if (v is null || !double.IsFinite(v.Value))
                {
                    Err($"{p}.{key}", o[key] is null ? $"{kind} needs {key}" : "expected a number", Show(o[key]), "a finite number");
                    return null;
                }

                return v;
            }

            double? Opt(string key, double def)
            {
                if (o[key] is null)
                {
                    return def;
                }

                return Req(key);
            }

            Distribution? d = null;
            switch (kind)
            {
                case "fixed":
                    if (Req("value") is { } val)
                    {
                        d = new FixedDistribution(val);
                    }

                    break;
                case "uniform":
                    double? uLo = Req("min"), uHi = Req("max");
                    if (uLo is { } umin && uHi is { } umax)
                    {
                        if (!(umin < umax))
                        {
                            Err($"{p}.max", "uniform needs min < max", $"min {G(umin)}, max {G(umax)}", "min < max");
                        }
                        else
                        {
                            d = new UniformDistribution(umin, umax);
                        }
                    }

                    break;
                case "pert" or "triangular":
                    {
                        double? lo = Req("min"), mo = Req("mode"), hi = Req("max");
                        double lambda = kind == "pert" ? Opt("lambda", 4) ?? 4 : 4;
                        if (lo is { } a && mo is { } m && hi is { } b)
                        {
                            if (!(a <= m && m <= b && a < b))
                            {
                                Err($"{p}", $"{kind} needs min ≤ mode ≤ max and min < max", $"min {G(a)}, mode {G(m)}, max {G(b)}", "min ≤ mode ≤ max, min < max");
                            }
                            else if (!(lambda > 0 && lambda <= MaxBetaShape))
                            {
                                Err($"{p}.lambda", "lambda must be in (0, 10000] (its beta shapes are 1 + λ·(mode − min)/(max − min) and the like)", G(lambda), "0 < λ ≤ 10000 (4 is the classic PERT)");
                            }
                            else
                            {
                                d = kind == "pert" ? new PertDistribution(a, m, b, lambda) : new TriangularDistribution(a, m, b);
                            }
                        }

                        break;
                    }

                case "normal":
                    {
                        double? mean = Req("mean"), sd = Req("sd");
                        double? lo = Opt("min", double.NegativeInfinity), hi = Opt("max", double.PositiveInfinity);
                        if (mean is { } mu && sd is { } s && lo is { } a && hi is { } b)
                        {
                            if (!(s > 0))
                            {
                                Err($"{p}.sd", "sd must be positive", G(s), "σ > 0");
                            }
                            else if (!(a < b))
                            {
                                Err($"{p}.max", "truncation needs min < max", $"min {G(a)}, max {G(b)}", "min < max");
                            }
                            else
                            {
                                var nd = new NormalDistribution(mu, s, a, b);
                                if (nd.KeptMass < 1e-6)
                                {
                                    Err(p, "the truncation keeps almost no probability mass", $"{G(nd.KeptMass)}", "[min, max] around the mean");
                                }
                                else
                                {
                                    d = nd;
                                }
                            }
                        }

                        break;
                    }

                case "lognormal":
                    {
                        double? med = Req("median"), sg = Req("sigma");
                        double? lo = Opt("min", 0), hi = Opt("max", double.PositiveInfinity);
                        if (med is { } m && sg is { } s && lo is { } a && hi is { } b)
                        {
                            if (!(m > 0))
                            {
                                Err($"{p}.median", "median must be positive", G(m), "median > 0");
                            }
                            else if (!(s > 0))
                            {
                                Err($"{p}.sigma", "sigma (sd of ln X) must be positive", G(s), "σ > 0");
                            }
                            else if (!(a >= 0 && a < b))
                            {
                                Err($"{p}.max", "truncation needs 0 ≤ min < max", $"min {G(a)}, max {G(b)}", "0 ≤ min < max");
                            }
                            else
                            {
                                var ld = new LognormalDistribution(m, s, a, b);
                                if (ld.KeptMass < 1e-6)
                                {
                                    Err(p, "the truncation keeps almost no probability mass", G(ld.KeptMass), "[min, max] around the median");
                                }
                                else
                                {
                                    d = ld;
                                }
                            }
                        }

                        break;
                    }

                case "beta":
                    {
                        double? al = Req("alpha"), be = Req("beta");
                        double? lo = Opt("min", 0), hi = Opt("max", 1);
                        if (al is { } a1 && be is { } b1 && lo is { } a && hi is { } b)
                        {
                            if (!(a1 >= MinBetaShape && a1 <= MaxBetaShape && b1 >= MinBetaShape && b1 <= MaxBetaShape))
                            {
                                Err(p, "alpha and beta must be in [0.01, 10000] (outside it the quantiles are not computable in double precision)", $"alpha {G(a1)}, beta {G(b1)}", "0.01 ≤ α ≤ 10000, 0.01 ≤ β ≤ 10000");
                            }
                            else if (!(a < b))
                            {
                                Err($"{p}.max", "beta needs min < max", $"min {G(a)}, max {G(b)}", "min < max");
                            }
                            else
                            {
                                d = new BetaDistribution(a1, b1, a, b);
                            }
                        }

                        break;
                    }

                case "discrete":
                    d = ReadDiscrete(p, o);
                    break;
            }

            if (d is null || errors.Count > before)
            {
                return null;
            }

            double lower = d.Lower, upper = d.Upper;
            bool lowOk = f.MinExclusive ? lower > f.Min : lower >= f.Min;
            if (!lowOk || upper > f.Max)
            {
                string hint = double.IsInfinity(lower) || double.IsInfinity(upper) ? $"; this {kind} is unbounded: give min and max to truncate it" : "";
                Err(p, $"the distribution's range [{G(lower)}, {G(upper)}] goes outside what the field allows{hint}", d.Describe(), f.AllowedText);
                return null;
            }

            // The sampler reads every quantile from 0 to 1: one that is not a number within the support would reach the
            // model as NaN (a beta with extreme shapes, a truncation that keeps a sliver of a wide distribution …).
            foreach (double u in ProbeLevels)
            {
                double q;
                try
                {
                    q = d.Quantile(u);
                }
                catch (Exception ex) when (ex is ArithmeticException or ArgumentException)
                {
                    q = double.NaN;
                }

                double slack = 1e-9 * Math.Max(Math.Abs(d.Lower), Math.Abs(d.Upper)); // Min + (Max − Min)·1 may round past Max
                if (!(double.IsFinite(q) && q >= d.Lower - slack && q <= d.Upper + slack))
                {
                    Err(p, $"this {kind}'s quantiles cannot be computed with these parameters (at probability {G(u)} it gives {G(q)})", d.Describe(), "less extreme parameters");
                    return null;
                }
            }

            return d;
        }

        private DiscreteDistribution? ReadDiscrete(string p, JsonObject o)
        {
            if (o["values"] is not JsonArray va || va.Count == 0)
            {
                Err($"{p}.values", "discrete needs a non-empty array of values", Show(o["values"]), "[v1, v2, …]");
                return null;
            }

            var values = new List<double>();
            for (int i = 0; i < va.Count; i++)
            {
                if (Num(va[i]) is { } v && double.IsFinite(v))
                {
                    values.Add(v);
                }
                else
                {
                    Err($"{p}.values[{i}]", "expected a number", Show(va[i]), "a finite number");
                }
            }

            List<double> probs;
            if (o["probabilities"] is null)
            {
                probs = [.. Enumerable.Repeat(1.0 / va.Count, va.Count)];
            }
            else if (o["probabilities"] is not JsonArray pa || pa.Count != va.Count)
            {
                Err($"{p}.probabilities", "must be an array with one probability per value", Show(o["probabilities"]), $"{va.Count} numbers in [0, 1] summing to 1 (or omit for equal weights: an empirical sample)");
                return null;
            }
            else
            {
                probs = [];
                for (int i = 0; i < pa.Count; i++)
                {
                    if (Num(pa[i]) is { } q && q >= 0 && q <= 1)
                    {
                        probs.Add(q);
                    }
                    else
                    {
                        Err($"{p}.probabilities[{i}]", "must be a number in [0, 1]", Show(pa[i]), "a number in [0, 1]");
                    }
                }

                if (probs.Count == pa.Count && Math.Abs(probs.Sum() - 1) > 1e-9)
                {
                    Err($"{p}.probabilities", "probabilities must sum to 1", G(probs.Sum()), "a sum of 1 (±1e-9)");
                    return null;
                }
            }

            return values.Count == va.Count && probs.Count == va.Count ? new DiscreteDistribution(values, probs) : null;
        }

        private object? Bad(FieldDef f, JsonNode node, string message)
        {
            Err(f.Path, message, Show(node), f.AllowedText);
            return null;
        }

        private string RequiredMissing(string path, string fallback)
        {
            if (!errors.Any(e => e.Path == path))
            {
                Err(path, "required field is missing", "", ConfigSchema.ByPath[path].AllowedText);
            }

            return fallback;
        }

        private double RequiredMissingNum(string path)
        {
            RequiredMissing(path, "");
            return 1;
        }

        private string? Text(string key, bool required)
        {
            var n = root[key];
            if (n is null)
            {
                if (required)
                {
                    Err(key, "required field is missing", "", "a string");
                }

                return null;
            }

            string? s = Str(n);
            if (s is null)
            {
                Err(key, "expected a string", Show(n), "a string");
            }

            return s;
        }

        private void Err(string path, string message, string value, string allowed) => errors.Add(new ConfigError(path, message, value, allowed));

        private static string G(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
    }

    private static string? Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static double? Num(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number ? v.GetValue<double>() : null;
}
