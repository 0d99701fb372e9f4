using System.Collections.Immutable;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Decisions;

/// <summary>What is bought or rented (config section <c>deployment</c>).</summary>
public sealed record DeploymentSection
{
    /// <summary>Accelerator name as reports show it, e.g. "H100 SXM" (required).</summary>
    public required string Accelerator { get; init; }

    /// <summary>GPUs in one deployment unit: 8 for an HGX server, 72 for an NVL72 rack (required).</summary>
    public required int GpusPerUnit { get; init; }

    /// <summary>Deployment units bought or rented (required).</summary>
    public required int Units { get; init; }

    /// <summary>Free text shown in the report.</summary>
    public string? Notes { get; init; }
}

/// <summary>What a GPU-hour costs (config section <c>cost</c>): a given all-in rate, or a build-up.</summary>
public sealed record CostSection
{
    /// <summary>Rate (a given all-in $/GPU-hour, no capex) or build-up (capex plus operating costs) (required).</summary>
    public required CostMode Mode { get; init; }

    /// <summary>All-in USD per provisioned GPU-hour (required in rate mode).</summary>
    public Uncertain? AllInUsdPerGpuHour { get; init; }

    /// <summary>Where the rate comes from, with its date.</summary>
    public string? RateSource { get; init; }

    /// <summary>Up-front capital per GPU, USD (build-up: this or <see cref="CapexUsdPerUnit"/>).</summary>
    public Uncertain? CapexUsdPerGpu { get; init; }

    /// <summary>Up-front capital per deployment unit, USD (build-up: this or <see cref="CapexUsdPerGpu"/>).</summary>
    public Uncertain? CapexUsdPerUnit { get; init; }

    /// <summary>Multiplier on capex (1.1 = 10 % overrun; default 1).</summary>
    public Uncertain? CapexOverrun { get; init; }

    /// <summary>Resale value at the end of the economic life as a fraction of capex (default 0).</summary>
    public Uncertain? SalvagePctOfCapex { get; init; }

    /// <summary>Economic (book-depreciation) life in months (default: the horizon).</summary>
    public int? EconomicLifeMonths { get; init; }

    /// <summary>Power per GPU while serving, W (build-up: this or <see cref="OperatingPointSection.JoulesPerOutputToken"/>).</summary>
    public Uncertain? GpuPowerActiveW { get; init; }

    /// <summary>Power per GPU in the hours it does not serve, W (required when any power is given).</summary>
    public Uncertain? GpuPowerIdleW { get; init; }

    /// <summary>Boundary the power figures were measured at (default accelerator).</summary>
    public EnergyBoundary? EnergyBoundary { get; init; }

    /// <summary>Host share added to accelerator power (0.30 = +30 %; default 0.30).</summary>
    public Uncertain? HostOverheadPct { get; init; }

    /// <summary>Power usage effectiveness of the facility (default 1.3).</summary>
    public Uncertain? Pue { get; init; }

    /// <summary>Electricity price at month 1, USD/kWh (required when any power is given).</summary>
    public Uncertain? ElectricityUsdPerKwh { get; init; }

    /// <summary>Annual escalation of the electricity price (default 0).</summary>
    public Uncertain? ElectricityEscalationAnnual { get; init; }

    /// <summary>Colocation or facility charge per provisioned kW per month, USD (default 0).</summary>
    public Uncertain? HostingUsdPerKwMonth { get; init; }

    /// <summary>Provisioned IT kW per GPU (default: active power at the IT boundary).</summary>
    public Uncertain? ProvisionedKwPerGpu { get; init; }

    /// <summary>Maintenance and support as a fraction of capex per year (default 0).</summary>
    public Uncertain? MaintenancePctOfCapexPerYear { get; init; }

    /// <summary>Software licences per GPU per year, USD (default 0).</summary>
    public Uncertain? SoftwareUsdPerGpuYear { get; init; }

    /// <summary>Staff cost attributable to the deployment per year, USD (default 0).</summary>
    public Uncertain? StaffUsdPerYear { get; init; }

    /// <summary>Other fixed operating costs per year, USD (default 0).</summary>
    public Uncertain? OtherFixedUsdPerYear { get; init; }
}

/// <summary>How fast one GPU serves at the SLA (config section <c>operating_point</c>).</summary>
public sealed record OperatingPointSection
{
    /// <summary>Benchmark the point comes from (tool, version, date, SLA).</summary>
    public string? Source { get; init; }

    /// <summary>Generated tokens per second per GPU at the SLA point (required).</summary>
    public required Uncertain OutputTokensPerSPerGpu { get; init; }

    /// <summary>Prompt tokens per second per GPU (default: output rate × input/output tokens per request).</summary>
    public Uncertain? InputTokensPerSPerGpu { get; init; }

    /// <summary>Prompt tokens per request (required).</summary>
    public required Uncertain InputTokensPerRequest { get; init; }

    /// <summary>Generated tokens per request (required).</summary>
    public required Uncertain OutputTokensPerRequest { get; init; }

    /// <summary>Interactivity at the point, tok/s per user (informational).</summary>
    public double? TokensPerSPerUser { get; init; }

    /// <summary>Time to first token at the point, seconds (informational).</summary>
    public double? TtftS { get; init; }

    /// <summary>Energy per output token, J (build-up: this or <see cref="CostSection.GpuPowerActiveW"/>).</summary>
    public Uncertain? JoulesPerOutputToken { get; init; }
}

/// <summary>What tokens sell for (config section <c>market</c>).</summary>
public sealed record MarketSection
{
    /// <summary>Where the prices come from, with date.</summary>
    public string? Source { get; init; }

    /// <summary>Price per million uncached input tokens at month 1, USD (required).</summary>
    public required Uncertain PriceUsdPerMillionInputTokens { get; init; }

    /// <summary>Price per million cached input tokens, USD (default: the input price, same draw).</summary>
    public Uncertain? PriceUsdPerMillionCachedInputTokens { get; init; }

    /// <summary>Share of input tokens billed at the cached price (default 0).</summary>
    public Uncertain? CachedInputShare { get; init; }

    /// <summary>Price per million output tokens at month 1, USD (required).</summary>
    public required Uncertain PriceUsdPerMillionOutputTokens { get; init; }

    /// <summary>Annual fall of all token prices (0.3 = 30 % cheaper each year; default 0).</summary>
    public Uncertain? PriceErosionAnnual { get; init; }
}

/// <summary>The operating drivers over the horizon (config section <c>drivers</c>).</summary>
public sealed record DriversSection
{
    /// <summary>Steady-state share of provisioned GPU-hours serving (required).</summary>
    public required Uncertain Utilization { get; init; }

    /// <summary>Months to ramp linearly to the steady utilization (default 0).</summary>
    public int? UtilizationRampMonths { get; init; }

    /// <summary>Share of hours not lost to failures or maintenance (default 1).</summary>
    public Uncertain? Availability { get; init; }

    /// <summary>Ceiling M of the software improvement curve m(t) (default 1: none).</summary>
    public Uncertain? SoftwareMultiplierCeiling { get; init; }

    /// <summary>Time constant τ of m(t), months (default 6).</summary>
    public Uncertain? SoftwareTimeConstantMonths { get; init; }

    /// <summary>Fleet-wide demand ceiling, output tok/s (default: supply-limited).</summary>
    public Uncertain? DemandCapOutputTokensPerS { get; init; }
}

/// <summary>Horizon, cost of capital, tax and depreciation (config section <c>finance</c>).</summary>
public sealed record FinanceSection
{
    /// <summary>Months of cash flows after the month-0 investment (default 60).</summary>
    public int? HorizonMonths { get; init; }

    /// <summary>Annual cost of capital (WACC) (required).</summary>
    public required Uncertain DiscountRateAnnual { get; init; }

    /// <summary>Income tax rate (default 0).</summary>
    public Uncertain? TaxRate { get; init; }

    /// <summary>Tax depreciation method (default MACRS 5-year).</summary>
    public TaxDepreciation? TaxDepreciation { get; init; }

    /// <summary>Tax life for straight-line tax depreciation, months (default 60).</summary>
    public int? TaxDepreciationMonths { get; init; }
}

/// <summary>Monte Carlo settings stored with the decision (config section <c>simulation</c>); a run may override them.</summary>
public sealed record SimulationSection
{
    /// <summary>Trials (default 1,000,000).</summary>
    public long? Trials { get; init; }

    /// <summary>Master seed (default 42).</summary>
    public ulong? Seed { get; init; }

    /// <summary>Sampling design (default Latin hypercube).</summary>
    public SamplingMethod? Sampling { get; init; }

    /// <summary>Thresholds N for which P(payback ≤ N months) is reported (default 12, 24, 36).</summary>
    public ImmutableArray<int>? PaybackWithinMonths { get; init; }

    /// <summary>Also compute each trial's IRR (default false; a gate on irr_annual turns it on).</summary>
    public bool? Irr { get; init; }

    /// <inheritdoc/>
    public bool Equals(SimulationSection? other) =>
        other is not null && Trials == other.Trials && Seed == other.Seed && Sampling == other.Sampling && Irr == other.Irr
        && (PaybackWithinMonths is { } a ? other.PaybackWithinMonths is { } b && a.SequenceEqual(b) : other.PaybackWithinMonths is null);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Trials, Seed, Sampling, Irr);
}
