using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Spec;

/// <summary>
/// Every numeric model input that can be uncertain. One trial is one value per parameter; the scalar
/// reference reads them from a span indexed by this enum, the SIMD kernel from one span per parameter.
/// The config path of each is in <see cref="Configuration.ConfigSchema"/>.
/// </summary>
public enum Param
{
    /// <summary>Config <c>cost.all_in_usd_per_gpu_hour</c>, USD/GPU-hour.</summary>
    CostRateUsdPerGpuHour,
    /// <summary>Config <c>cost.capex_usd_per_gpu</c>, USD/GPU.</summary>
    CapexUsdPerGpu,
    /// <summary>Config <c>cost.capex_overrun</c>, multiplier.</summary>
    CapexOverrun,
    /// <summary>Config <c>cost.salvage_pct_of_capex</c>, fraction.</summary>
    SalvagePctOfCapex,
    /// <summary>Config <c>cost.gpu_power_active_w</c>, W.</summary>
    GpuPowerActiveW,
    /// <summary>Config <c>cost.gpu_power_idle_w</c>, W.</summary>
    GpuPowerIdleW,
    /// <summary>Config <c>operating_point.joules_per_output_token</c>, J/token.</summary>
    JoulesPerOutputToken,
    /// <summary>Config <c>cost.host_overhead_pct</c>, fraction of GPU power.</summary>
    HostOverheadPct,
    /// <summary>Config <c>cost.pue</c>, ratio.</summary>
    Pue,
    /// <summary>Config <c>cost.electricity_usd_per_kwh</c>, USD/kWh.</summary>
    ElectricityUsdPerKwh,
    /// <summary>Config <c>cost.electricity_escalation_annual</c>, fraction/year.</summary>
    ElectricityEscalationAnnual,
    /// <summary>Config <c>cost.hosting_usd_per_kw_month</c>, USD/kW-month.</summary>
    HostingUsdPerKwMonth,
    /// <summary>Config <c>cost.provisioned_kw_per_gpu</c>, kW/GPU.</summary>
    ProvisionedKwPerGpu,
    /// <summary>Config <c>cost.maintenance_pct_of_capex_per_year</c>, fraction/year.</summary>
    MaintenancePctOfCapexPerYear,
    /// <summary>Config <c>cost.software_usd_per_gpu_year</c>, USD/GPU-year.</summary>
    SoftwareUsdPerGpuYear,
    /// <summary>Config <c>cost.staff_usd_per_year</c>, USD/year.</summary>
    StaffUsdPerYear,
    /// <summary>Config <c>cost.other_fixed_usd_per_year</c>, USD/year.</summary>
    OtherFixedUsdPerYear,
    /// <summary>Config <c>operating_point.output_tokens_per_s_per_gpu</c>, tok/s/GPU.</summary>
    OutputTokensPerSPerGpu,
    /// <summary>Config <c>operating_point.input_tokens_per_s_per_gpu</c>, tok/s/GPU.</summary>
    InputTokensPerSPerGpu,
    /// <summary>Config <c>operating_point.input_tokens_per_request</c>, tokens.</summary>
    InputTokensPerRequest,
    /// <summary>Config <c>operating_point.output_tokens_per_request</c>, tokens.</summary>
    OutputTokensPerRequest,
    /// <summary>Config <c>market.price_usd_per_million_input_tokens</c>, USD/Mtok.</summary>
    PriceUsdPerMillionInputTokens,
    /// <summary>Config <c>market.price_usd_per_million_cached_input_tokens</c>, USD/Mtok.</summary>
    PriceUsdPerMillionCachedInputTokens,
    /// <summary>Config <c>market.cached_input_share</c>, fraction.</summary>
    CachedInputShare,
    /// <summary>Config <c>market.price_usd_per_million_output_tokens</c>, USD/Mtok.</summary>
    PriceUsdPerMillionOutputTokens,
    /// <summary>Config <c>market.price_erosion_annual</c>, fraction/year.</summary>
    PriceErosionAnnual,
    /// <summary>Config <c>drivers.utilization</c>, fraction.</summary>
    Utilization,
    /// <summary>Config <c>drivers.availability</c>, fraction.</summary>
    Availability,
    /// <summary>Config <c>drivers.software_multiplier_ceiling</c>, ×.</summary>
    SoftwareCeiling,
    /// <summary>Config <c>drivers.software_time_constant_months</c>, months.</summary>
    SoftwareTimeConstantMonths,
    /// <summary>Config <c>drivers.demand_cap_output_tokens_per_s</c>, tok/s (fleet).</summary>
    DemandCapOutputTokensPerS,
    /// <summary>Config <c>finance.discount_rate_annual</c>, fraction/year.</summary>
    DiscountRateAnnual,
    /// <summary>Config <c>finance.tax_rate</c>, fraction.</summary>
    TaxRate,
}

/// <summary>Number of <see cref="Param"/> values.</summary>
public static class ParamCount
{
    /// <summary>Number of parameters.</summary>
    public const int Value = (int)Param.TaxRate + 1;
}
