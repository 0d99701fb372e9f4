using System.Collections.Immutable;
using System.Text.Json.Nodes;
using RiskSim.Core.Configuration;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Decisions;

/// <summary>
/// Reads a config the loader accepted into a <see cref="Decision"/>, to change it in code. It runs after the loader, so
/// every value is known to be valid and present where required; the rules stay the loader's.
/// </summary>
internal static class DecisionReader
{
    public static Decision Read(JsonObject root)
    {
        var cost = Section(root, "cost");
        var op = Section(root, "operating_point");
        var market = Section(root, "market");
        var drivers = Section(root, "drivers");
        var finance = Section(root, "finance");
        var deployment = Section(root, "deployment");
        return new Decision
        {
            Name = Text(root["name"]) ?? "unnamed",
            Description = Text(root["description"]),
            Deployment = new()
            {
                Accelerator = Text(deployment["accelerator"])!,
                GpusPerUnit = (int)Number(deployment["gpus_per_unit"])!,
                Units = (int)Number(deployment["units"])!,
                Notes = Text(deployment["notes"]),
            },
            Cost = new()
            {
                Mode = Text(cost["mode"]) == "rate" ? CostMode.Rate : CostMode.BuildUp,
                AllInUsdPerGpuHour = Input(cost["all_in_usd_per_gpu_hour"]),
                RateSource = Text(cost["rate_source"]),
                CapexUsdPerGpu = Input(cost["capex_usd_per_gpu"]),
                CapexUsdPerUnit = Input(cost["capex_usd_per_unit"]),
                CapexOverrun = Input(cost["capex_overrun"]),
                SalvagePctOfCapex = Input(cost["salvage_pct_of_capex"]),
                EconomicLifeMonths = (int?)Number(cost["economic_life_months"]),
                GpuPowerActiveW = Input(cost["gpu_power_active_w"]),
                GpuPowerIdleW = Input(cost["gpu_power_idle_w"]),
                EnergyBoundary = Text(cost["energy_boundary"]) switch { null => null, "it" => EnergyBoundary.It, "facility" => EnergyBoundary.Facility, _ => EnergyBoundary.Accelerator },
                HostOverheadPct = Input(cost["host_overhead_pct"]),
                Pue = Input(cost["pue"]),
                ElectricityUsdPerKwh = Input(cost["electricity_usd_per_kwh"]),
                ElectricityEscalationAnnual = Input(cost["electricity_escalation_annual"]),
                HostingUsdPerKwMonth = Input(cost["hosting_usd_per_kw_month"]),
                ProvisionedKwPerGpu = Input(cost["provisioned_kw_per_gpu"]),
                MaintenancePctOfCapexPerYear = Input(cost["maintenance_pct_of_capex_per_year"]),
                SoftwareUsdPerGpuYear = Input(cost["software_usd_per_gpu_year"]),
                StaffUsdPerYear = Input(cost["staff_usd_per_year"]),
                OtherFixedUsdPerYear = Input(cost["other_fixed_usd_per_year"]),
            },
            OperatingPoint = new()
            {
                Source = Text(op["source"]),
                OutputTokensPerSPerGpu = Input(op["output_tokens_per_s_per_gpu"])!,
                InputTokensPerSPerGpu = Input(op["input_tokens_per_s_per_gpu"]),
                InputTokensPerRequest = Input(op["input_tokens_per_request"])!,
                OutputTokensPerRequest = Input(op["output_tokens_per_request"])!,
                TokensPerSPerUser = Number(op["tokens_per_s_per_user"]),
                TtftS = Number(op["ttft_s"]),
                JoulesPerOutputToken = Input(op["joules_per_output_token"]),
            },
            Market = new()
            {
                Source = Text(market["source"]),
                PriceUsdPerMillionInputTokens = Input(market["price_usd_per_million_input_tokens"])!,
                PriceUsdPerMillionCachedInputTokens = Input(market["price_usd_per_million_cached_input_tokens"]),
                CachedInputShare = Input(market["cached_input_share"]),
                PriceUsdPerMillionOutputTokens = Input(market["price_usd_per_million_output_tokens"])!,
                PriceErosionAnnual = Input(market["price_erosion_annual"]),
            },
            Drivers = new()
            {
                Utilization = Input(drivers["utilization"])!,
                UtilizationRampMonths = (int?)Number(drivers["utilization_ramp_months"]),
                Availability = Input(drivers["availability"]),
                SoftwareMultiplierCeiling = Input(drivers["software_multiplier_ceiling"]),
                SoftwareTimeConstantMonths = Input(drivers["software_time_constant_months"]),
                DemandCapOutputTokensPerS = Input(drivers["demand_cap_output_tokens_per_s"]),
            },
            Finance = new()
            {
                HorizonMonths = (int?)Number(finance["horizon_months"]),
                DiscountRateAnnual = Input(finance["discount_rate_annual"])!,
                TaxRate = Input(finance["tax_rate"]),
                TaxDepreciation = Text(finance["tax_depreciation"]) switch { null => null, "straight_line" => TaxDepreciation.StraightLine, _ => TaxDepreciation.Macrs5 },
                TaxDepreciationMonths = (int?)Number(finance["tax_depreciation_months"]),
            },
            Simulation = root["simulation"] is JsonObject sim ? new()
            {
                Trials = (long?)Number(sim["trials"]),
                Seed = (ulong?)Number(sim["seed"]),
                Sampling = Text(sim["sampling"]) switch { null => null, "mc" => SamplingMethod.MonteCarlo, _ => SamplingMethod.LatinHypercube },
                PaybackWithinMonths = sim["payback_within_months"] is JsonArray w ? [.. w.Select(n => (int)Number(n)!)] : null,
                Irr = sim["irr"] is JsonValue irr ? irr.GetValue<bool>() : null,
            }
            : null,
            Correlations = Correlations(root),
            RepairCorrelations = Text(root["correlation_repair"]) == "nearest_psd",
            Gates = root["gates"] is JsonArray gates
                ? [.. gates.Select(g => new GateSpec(Text(g!["metric"])!, Text(g["op"]) == ">=" ? GateOp.GreaterOrEqual : GateOp.LessOrEqual, (double)Number(g["value"])!, Text(g["label"]) ?? ""))]
                : [],
        };
    }

    /// <summary>The pairs of <c>correlations</c>, then the non-zero pairs above the diagonal of <c>correlation_matrix</c>, in the loader's order.</summary>
    private static ImmutableArray<CorrelationSpec> Correlations(JsonObject root)
    {
        var list = ImmutableArray.CreateBuilder<CorrelationSpec>();
        if (root["correlations"] is JsonArray pairs)
        {
            foreach (var p in pairs)
            {
                var names = p!["inputs"]!.AsArray();
                list.Add(new CorrelationSpec(Text(names[0])!, Text(names[1])!, (double)Number(p["rank_correlation"])!));
            }
        }

        if (root["correlation_matrix"] is JsonObject m)
        {
            var names = m["inputs"]!.AsArray();
            var rows = m["matrix"]!.AsArray();
            for (int i = 0; i < names.Count; i++)
            {
                for (int j = i + 1; j < names.Count; j++)
                {
                    double rho = (double)Number(rows[i]![j])!;
                    if (rho != 0 && Text(names[i]) != Text(names[j]))
                    {
                        list.Add(new CorrelationSpec(Text(names[i])!, Text(names[j])!, rho));
                    }
                }
            }
        }

        return list.ToImmutable();
    }

    private static Uncertain? Input(JsonNode? node)
    {
        if (node is not JsonObject o)
        {
            return Number(node) is { } v ? new FixedInput(v) : null;
        }

        double P(string key) => (double)Number(o[key])!;
        double? Opt(string key) => Number(o[key]);
        return Text(o["dist"]) switch
        {
            "pert" => new PertInput(P("min"), P("mode"), P("max"), Opt("lambda") ?? 4),
            "triangular" => new TriangularInput(P("min"), P("mode"), P("max")),
            "uniform" => new UniformInput(P("min"), P("max")),
            "normal" => new NormalInput(P("mean"), P("sd"), Opt("min"), Opt("max")),
            "lognormal" => new LognormalInput(P("median"), P("sigma"), Opt("min"), Opt("max")),
            "beta" => new BetaInput(P("alpha"), P("beta"), Opt("min"), Opt("max")),
            "discrete" => new DiscreteInput([.. o["values"]!.AsArray().Select(v => (double)Number(v)!)], o["probabilities"] is JsonArray ps ? [.. ps.Select(v => (double)Number(v)!)] : null),
            _ => new FixedInput(P("value")),
        };
    }

    private static JsonObject Section(JsonObject root, string name) => root[name] as JsonObject ?? [];

    private static string? Text(JsonNode? n) => ConfigJson.Str(n);

    private static double? Number(JsonNode? n) => ConfigJson.Num(n);
}
