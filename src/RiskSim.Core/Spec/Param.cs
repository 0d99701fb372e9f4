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
    CostRateUsdPerGpuHour,
    CapexUsdPerGpu,
    CapexOverrun,
    SalvagePctOfCapex,
    GpuPowerActiveW,
    GpuPowerIdleW,
    JoulesPerOutputToken,
    HostOverheadPct,
    Pue,
    ElectricityUsdPerKwh,
    ElectricityEscalationAnnual,
    HostingUsdPerKwMonth,
    ProvisionedKwPerGpu,
    MaintenancePctOfCapexPerYear,
    SoftwareUsdPerGpuYear,
    StaffUsdPerYear,
    OtherFixedUsdPerYear,
    OutputTokensPerSPerGpu,
    InputTokensPerSPerGpu,
    InputTokensPerRequest,
    OutputTokensPerRequest,
    PriceUsdPerMillionInputTokens,
    PriceUsdPerMillionCachedInputTokens,
    CachedInputShare,
    PriceUsdPerMillionOutputTokens,
    PriceErosionAnnual,
    Utilization,
    Availability,
    SoftwareCeiling,
    SoftwareTimeConstantMonths,
    DemandCapOutputTokensPerS,
    DiscountRateAnnual,
    TaxRate,
}

/// <summary>Number of <see cref="Param"/> values.</summary>
public static class ParamCount
{
    public const int Value = (int)Param.TaxRate + 1;
}
