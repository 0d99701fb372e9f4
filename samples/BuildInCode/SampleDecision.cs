using RiskSim.Core.Decisions;
using RiskSim.Core.Spec;

namespace RiskSim.Samples.BuildInCode;

/// <summary>
/// A decision built in code: two HGX B200 servers serving a 70B model at an illustrative operating point (made-up but
/// plausible numbers; see configs/ for sourced ones). The typed records go through the config loader's rules: a
/// mistake gets the same error as in a file (JSON path, bad value, what is allowed).
/// </summary>
public static class SampleDecision
{
    /// <summary>Seed of the sample's run (any seed gives bit-identical results on any thread count).</summary>
    public const ulong Seed = 7;

    /// <summary>The decision, with utilization's most likely value as a parameter.</summary>
    public static Decision Decision(double utilizationMode = 0.6) => new()
    {
        Name = "b200-70b-in-code",
        Description = "Two HGX B200 servers serving a 70B model, built in code (illustrative numbers).",
        Deployment = new() { Accelerator = "B200 (HGX, 8 per server)", GpusPerUnit = 8, Units = 2 },
        Cost = new()
        {
            Mode = CostMode.BuildUp,
            CapexUsdPerUnit = 450_000,
            CapexOverrun = Uncertain.Pert(0.95, 1.0, 1.15),
            SalvagePctOfCapex = Uncertain.Pert(0.0, 0.1, 0.25),
            EconomicLifeMonths = 48,
            GpuPowerActiveW = Uncertain.Pert(700, 850, 1000),
            GpuPowerIdleW = 140,
            EnergyBoundary = EnergyBoundary.Accelerator,
            Pue = Uncertain.Pert(1.15, 1.3, 1.5),
            ElectricityUsdPerKwh = Uncertain.Pert(0.06, 0.09, 0.15),
            HostingUsdPerKwMonth = 150,
            ProvisionedKwPerGpu = 1.8,
            MaintenancePctOfCapexPerYear = 0.05,
        },
        OperatingPoint = new()
        {
            Source = "Illustrative: a 70B model in FP8 at a moderate-interactivity batch.",
            OutputTokensPerSPerGpu = Uncertain.Pert(2000, 2800, 3500),
            InputTokensPerRequest = 1000,
            OutputTokensPerRequest = 300,
        },
        Market = new()
        {
            PriceUsdPerMillionInputTokens = 0.4,
            PriceUsdPerMillionOutputTokens = 0.6,
            PriceErosionAnnual = Uncertain.Pert(0.2, 0.4, 0.7),
        },
        Drivers = new()
        {
            Utilization = Uncertain.Pert(0.3, utilizationMode, 0.85),
            UtilizationRampMonths = 3,
            Availability = Uncertain.Pert(0.95, 0.98, 0.995),
            SoftwareMultiplierCeiling = Uncertain.Pert(1.0, 1.5, 2.5),
        },
        Finance = new() { HorizonMonths = 48, DiscountRateAnnual = 0.10, TaxRate = 0.21 },
        Simulation = new() { Trials = 100_000, Seed = Seed },
        Correlations = [new("drivers.utilization", "market.price_erosion_annual", -0.3)],
        Gates = [new("npv_usd.p10", GateOp.GreaterOrEqual, 0, "P10 NPV is not a loss")],
    };
}
