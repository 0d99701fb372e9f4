using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Sensitivity;

/// <summary>Configs whose sensitivities are known in closed form.</summary>
internal static class TestConfigs
{
    /// <summary>
    /// Rate mode, no tax, zero discount rate, no erosion, no software improvement, no ramp, 8 GPUs, 12 months,
    /// 1,000 output tok/s/GPU, input tokens free. Then NPV = 12 · 8 · 730 · (3.6 · ρ · P − c) with ρ the
    /// utilization, P the output price ($/Mtok) and c the rate ($/GPU-hour): linear in each.
    /// ρ ~ U(0.4, 0.8), P ~ U(1, 3), c ~ U(1.5, 2.5).
    /// </summary>
    public const string Linear = """
        {
          "schema_version": 1,
          "name": "linear-closed-form",
          "description": "NPV linear in utilization, price and rate",
          "deployment": { "accelerator": "Test GPU", "gpus_per_unit": 8, "units": 1 },
          "cost": { "mode": "rate", "all_in_usd_per_gpu_hour": { "dist": "uniform", "min": 1.5, "max": 2.5 } },
          "operating_point": { "output_tokens_per_s_per_gpu": 1000, "input_tokens_per_request": 0, "output_tokens_per_request": 100 },
          "market": { "price_usd_per_million_input_tokens": 0, "price_usd_per_million_output_tokens": { "dist": "uniform", "min": 1, "max": 3 } },
          "drivers": { "utilization": { "dist": "uniform", "min": 0.4, "max": 0.8 }SOFTWARE },
          "finance": { "horizon_months": 12, "discount_rate_annual": 0, "tax_rate": 0 },
          "simulation": { "trials": 20000, "seed": 7, "sampling": "SAMPLING" }CORRELATIONS
        }
        """;

    /// <summary>NPV slope factor 12 · 8 · 730.</summary>
    public const double K = 12 * 8 * 730;

    public static double Npv(double rho, double price, double rate) => K * (3.6 * rho * price - rate);

    public static SimulationSpec Load(bool software = false, string sampling = "lhs", bool correlated = false)
    {
        string json = Linear
            .Replace("SOFTWARE", software ? ", \"software_multiplier_ceiling\": { \"dist\": \"uniform\", \"min\": 1, \"max\": 3 }, \"software_time_constant_months\": { \"dist\": \"uniform\", \"min\": 2, \"max\": 10 }" : "", StringComparison.Ordinal)
            .Replace("SAMPLING", sampling, StringComparison.Ordinal)
            .Replace("CORRELATIONS", correlated ? ", \"correlations\": [ { \"inputs\": [\"drivers.utilization\", \"market.price_usd_per_million_output_tokens\"], \"rank_correlation\": 0.5 } ]" : "", StringComparison.Ordinal);
        return ConfigLoader.Load(json, "linear.json");
    }
}
