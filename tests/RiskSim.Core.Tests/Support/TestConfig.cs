using System.Text.Json.Nodes;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Support;

/// <summary>
/// Builds a small valid config whose numbers are easy to follow by hand, and lets a test override or
/// remove any field by dotted path. Defaults: 1 GPU, cost mode "rate" at 2 USD/GPU-hour, 1,000 output
/// tok/s/GPU, no input tokens, 10 USD per million output tokens, utilization 1, horizon 2 months, no
/// discounting, no tax, no software improvement (ceiling defaults to 1), no price erosion.
/// </summary>
internal sealed class TestConfig
{
    private readonly JsonObject _root;

    private TestConfig(JsonObject root) => _root = root;

    public static TestConfig Minimal() => new(JsonNode.Parse("""
        {
          "deployment": { "accelerator": "Test GPU", "gpus_per_unit": 1, "units": 1 },
          "cost": { "mode": "rate", "all_in_usd_per_gpu_hour": 2 },
          "operating_point": { "output_tokens_per_s_per_gpu": 1000, "input_tokens_per_request": 0, "output_tokens_per_request": 1000 },
          "market": { "price_usd_per_million_input_tokens": 0, "price_usd_per_million_output_tokens": 10 },
          "drivers": { "utilization": 1 },
          "finance": { "horizon_months": 2, "discount_rate_annual": 0, "tax_rate": 0 }
        }
        """)!.AsObject());

    /// <summary>
    /// Minimal build_up variant: capex 12,000 USD/GPU, 1,000 W active and 0 W idle at the facility
    /// boundary (no multipliers), electricity 0.10 USD/kWh, no hosting/maintenance/software/staff.
    /// </summary>
    public static TestConfig MinimalBuildUp() => Minimal()
        .Remove("cost.all_in_usd_per_gpu_hour")
        .Set("cost.mode", "\"build_up\"")
        .Set("cost.capex_usd_per_gpu", "12000")
        .Set("cost.gpu_power_active_w", "1000")
        .Set("cost.gpu_power_idle_w", "0")
        .Set("cost.energy_boundary", "\"facility\"")
        .Set("cost.electricity_usd_per_kwh", "0.1");

    /// <summary>Sets a field (creating sections as needed) to a raw JSON value, e.g. "0.5", "\"rate\"", "{\"dist\":…}".</summary>
    public TestConfig Set(string path, string rawJson)
    {
        var (parent, key) = Walk(path, create: true);
        parent![key] = JsonNode.Parse(rawJson);
        return this;
    }

    public TestConfig Set(string path, double value) => Set(path, value.ToString("R", System.Globalization.CultureInfo.InvariantCulture));

    public TestConfig Remove(string path)
    {
        var (parent, key) = Walk(path, create: false);
        parent?.Remove(key);
        return this;
    }

    public string Json() => _root.ToJsonString();

    public SimulationSpec Load() => ConfigLoader.Load(Json(), "test.json");

    public IReadOnlyList<ConfigError> Errors()
    {
        var (spec, errors) = ConfigLoader.TryLoad(Json());
        Assert.Null(spec);
        return errors;
    }

    private (JsonObject? Parent, string Key) Walk(string path, bool create)
    {
        string[] parts = path.Split('.');
        JsonObject cur = _root;
        for (int i = 0; i < parts.Length - 1; i++)
        {
            if (cur[parts[i]] is JsonObject next)
            {
                cur = next;
            }
            else if (create)
            {
                var o = new JsonObject();
                cur[parts[i]] = o;
                cur = o;
            }
            else
            {
                return (null, parts[^1]);
            }
        }

        return (cur, parts[^1]);
    }
}
