using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using RiskSim.Core.Distributions;
using RiskSim.Core.Model;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Configuration;

/// <summary>
/// Turns what the readers read into a <see cref="SimulationSpec"/>: the model's defaults (a fixed value for every input
/// left out), its derivations (capex per unit to per GPU, provisioned kW from power at the IT boundary, input rate from
/// the request profile, the cached price following the input price), the rules between fields (rate or build-up,
/// power or joules, what each needs), the correlations and gates among the inputs, and the config hash.
/// </summary>
internal sealed class SpecBuilder(ConfigReadContext c)
{
    /// <summary>The spec, or null when any error was found (every error is in the context).</summary>
    public SimulationSpec? Build(ConfigSections read)
    {
        var gateReader = new GateReader(c);
        string accelerator = read.Text("deployment.accelerator") ?? RequiredMissing("deployment.accelerator", "");
        int gpusPerUnit = (int)(read.Number("deployment.gpus_per_unit") ?? RequiredMissingNum("deployment.gpus_per_unit"));
        int units = (int)(read.Number("deployment.units") ?? RequiredMissingNum("deployment.units"));
        string modeText = read.Text("cost.mode") ?? RequiredMissing("cost.mode", "build_up");
        var mode = modeText == "rate" ? CostMode.Rate : CostMode.BuildUp;
        string boundaryText = read.Text("cost.energy_boundary") ?? "accelerator";
        var boundary = boundaryText switch { "it" => EnergyBoundary.It, "facility" => EnergyBoundary.Facility, _ => EnergyBoundary.Accelerator };
        int horizon = (int)(read.Number("finance.horizon_months") ?? 60);
        int ramp = (int)(read.Number("drivers.utilization_ramp_months") ?? 0);
        int life = (int)(read.Number("cost.economic_life_months") ?? horizon);
        var taxDep = (read.Text("finance.tax_depreciation") ?? "macrs5") == "straight_line" ? TaxDepreciation.StraightLine : TaxDepreciation.Macrs5;
        int taxLife = (int)(read.Number("finance.tax_depreciation_months") ?? 60);

        var inputs = new InputSpec[ParamCount.Value];
        foreach (var f in ConfigSchema.Fields.Where(f => f.Param is { } p && (int)p >= 0))
        {
            var p = f.Param!.Value;
            if (read.Input(f.Path) is { } dist)
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
        if (read.Input("cost.capex_usd_per_unit") is { } perUnit)
        {
            if (Has(Param.CapexUsdPerGpu))
            {
                Err("cost.capex_usd_per_unit", "give capex per GPU or per unit, not both", read.Shown("cost.capex_usd_per_unit"), "one of capex_usd_per_gpu, capex_usd_per_unit");
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
            Err("operating_point.joules_per_output_token", "give either cost.gpu_power_active_w or operating_point.joules_per_output_token, not both", read.Shown("operating_point.joules_per_output_token"), "one of the two");
        }

        if (mode == CostMode.Rate)
        {
            if (!Has(Param.CostRateUsdPerGpuHour))
            {
                Err("cost.all_in_usd_per_gpu_hour", "required when cost.mode is \"rate\"", "", ConfigSchema.ByPath["cost.all_in_usd_per_gpu_hour"].AllowedText);
            }

            foreach (var k in new[] { "capex_usd_per_gpu", "capex_usd_per_unit" })
            {
                if (read.IsGiven($"cost.{k}"))
                {
                    Err($"cost.{k}", "capex is not used with cost.mode \"rate\" (the rate is all-in); use mode \"build_up\"", read.Shown($"cost.{k}"), "absent");
                }
            }

            Derive(Param.CapexUsdPerGpu, 0);
        }
        else
        {
            if (!Has(Param.CapexUsdPerGpu) && !c.Errors.Any(e => e.Path.StartsWith("cost.capex_usd_per_", StringComparison.Ordinal)))
            {
                Err("cost.capex_usd_per_gpu", "build_up needs capex_usd_per_gpu or capex_usd_per_unit", "", ConfigSchema.ByPath["cost.capex_usd_per_gpu"].AllowedText);
            }

            if (!hasPower && !c.Errors.Any(e => e.Path.StartsWith("cost.gpu_power_active_w", StringComparison.Ordinal) || e.Path.StartsWith("operating_point.joules_per_output_token", StringComparison.Ordinal)))
            {
                Err("cost.gpu_power_active_w", "build_up needs power: cost.gpu_power_active_w or operating_point.joules_per_output_token", "", ConfigSchema.ByPath["cost.gpu_power_active_w"].AllowedText);
            }

            if (read.IsGiven("cost.all_in_usd_per_gpu_hour"))
            {
                Err("cost.all_in_usd_per_gpu_hour", "a given rate is not used with cost.mode \"build_up\"", read.Shown("cost.all_in_usd_per_gpu_hour"), "absent, or cost.mode \"rate\"");
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
            double itW = boundary.ItPower(activeW, host, inputs[(int)Param.Pue].BaseValue);
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
            if (inputs[(int)f.Param!.Value] is null && f.Requirement == "required" && !read.IsGiven(f.Path))
            {
                Err(f.Path, "required field is missing", "", f.AllowedText);
            }
        }

        if (life > 0 && horizon > 0 && read.Values["cost.economic_life_months"] is null)
        {
            life = horizon;
        }

        var sim = Settings(read);
        var (correlations, repair) = new CorrelationReader(c).Read(inputs);
        var gates = gateReader.Read();

        foreach (var (sec, _) in ConfigSchema.Sections)
        {
            foreach (var key in new[] { "notes", "source", "rate_source" })
            {
                if (read.Values.TryGetValue($"{sec}.{key}", out var n) && n is string s)
                {
                    c.Notes[$"{sec}.{key}"] = s;
                }
            }
        }

        if (c.Errors.Count > 0 || inputs.Any(i => i is null))
        {
            if (c.Errors.Count == 0)
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
        string canonical = c.Root.ToJsonString();
        string hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));

        var spec = new SimulationSpec
        {
            Name = read.Name,
            Description = read.Description,
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
            Notes = c.Notes.ToImmutableDictionary(),
            ConfigHash = hash,
            CanonicalJson = canonical,
        };

        // A gate on a KPI that no trial of this config can have would fail every run with "actual n/a".
        for (int i = 0; i < gates.Length; i++)
        {
            string kpi = gates[i].Metric[..gates[i].Metric.IndexOf('.', StringComparison.Ordinal)];
            if (KpiExistence.NeverExists(spec, TrialKpis.IndexOf(kpi)) is { } why)
            {
                Err($"gates[{gateReader.JsonIndex[i]}].metric", $"{kpi} does not exist in any trial of this config ({why}): the gate could never be evaluated", $"\"{gates[i].Metric}\"", "a gate on a KPI this config has, or no gate");
            }
        }

        return c.Errors.Count > 0 ? null : spec;
    }

    private SimulationSettings Settings(ConfigSections read)
    {
        long trials = read.Values["simulation.trials"] is double t ? (long)t : 1_000_000;
        ulong seed = read.Values["simulation.seed"] is double s ? (ulong)s : 42;
        var sampling = (read.Values["simulation.sampling"] as string ?? "lhs") == "mc" ? SamplingMethod.MonteCarlo : SamplingMethod.LatinHypercube;
        var within = read.Values["simulation.payback_within_months"] as ImmutableArray<int>? ?? [12, 24, 36];
        return new SimulationSettings(trials, seed, sampling, within, read.Values["simulation.irr"] is true);
    }

    private string RequiredMissing(string path, string fallback)
    {
        if (!c.Errors.Any(e => e.Path == path))
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


    private void Err(string path, string message, string value, string allowed) => c.Err(path, message, value, allowed);
}

