using System.Text.Json;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Samples.BuildInCode;

/// <summary>
/// A decision built in code: two HGX B200 servers serving a 70B model at an illustrative operating point (made-up but
/// plausible numbers; see configs/ for sourced ones). RiskSim has no typed builder yet, so the decision is written as C#
/// objects in the config's shape and goes through the same loader and validation as a JSON file: a mistake gets the same
/// error (JSON path, bad value, what is allowed).
/// </summary>
public static class SampleDecision
{
    /// <summary>Seed of the sample's run (any seed gives bit-identical results on any thread count).</summary>
    public const ulong Seed = 7;

    /// <summary>A PERT distribution object.</summary>
    private static object Pert(double min, double mode, double max) => new { dist = "pert", min, mode, max };

    /// <summary>The decision as the config's sections.</summary>
    public static object Decision(double utilizationMode = 0.6) => new
    {
        schema_version = 1,
        name = "b200-70b-in-code",
        description = "Two HGX B200 servers serving a 70B model, built in code (illustrative numbers).",
        deployment = new { accelerator = "B200 (HGX, 8 per server)", gpus_per_unit = 8, units = 2 },
        cost = new
        {
            mode = "build_up",
            capex_usd_per_unit = 450_000,
            capex_overrun = Pert(0.95, 1.0, 1.15),
            salvage_pct_of_capex = Pert(0.0, 0.1, 0.25),
            economic_life_months = 48,
            gpu_power_active_w = Pert(700, 850, 1000),
            gpu_power_idle_w = 140,
            energy_boundary = "accelerator",
            pue = Pert(1.15, 1.3, 1.5),
            electricity_usd_per_kwh = Pert(0.06, 0.09, 0.15),
            hosting_usd_per_kw_month = 150,
            provisioned_kw_per_gpu = 1.8,
            maintenance_pct_of_capex_per_year = 0.05,
        },
        operating_point = new
        {
            source = "Illustrative: a 70B model in FP8 at a moderate-interactivity batch.",
            output_tokens_per_s_per_gpu = Pert(2000, 2800, 3500),
            input_tokens_per_request = 1000,
            output_tokens_per_request = 300,
        },
        market = new
        {
            price_usd_per_million_input_tokens = 0.4,
            price_usd_per_million_output_tokens = 0.6,
            price_erosion_annual = Pert(0.2, 0.4, 0.7),
        },
        drivers = new
        {
            utilization = Pert(0.3, utilizationMode, 0.85),
            utilization_ramp_months = 3,
            availability = Pert(0.95, 0.98, 0.995),
            software_multiplier_ceiling = Pert(1.0, 1.5, 2.5),
        },
        finance = new { horizon_months = 48, discount_rate_annual = 0.10, tax_rate = 0.21 },
        simulation = new { trials = 100_000, seed = Seed },
        correlations = new[] { new { inputs = new[] { "drivers.utilization", "market.price_erosion_annual" }, rank_correlation = -0.3 } },
        gates = new[] { new { metric = "npv_usd.p10", op = ">=", value = 0.0, label = "P10 NPV is not a loss" } },
    };

    /// <summary>The validated spec: the loader's rules and defaults, exactly as for a config file.</summary>
    public static SimulationSpec Spec(double utilizationMode = 0.6) =>
        ConfigLoader.Load(JsonSerializer.Serialize(Decision(utilizationMode)), "SampleDecision.cs");
}
