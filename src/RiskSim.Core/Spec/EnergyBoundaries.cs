namespace RiskSim.Core.Spec;

/// <summary>
/// The energy-boundary rule (spec §3), in one place: what is added on top of a power figure given at a boundary to
/// reach the IT boundary (provisioned kW) or the facility (metered energy). The SIMD kernel applies the same rule
/// lane-wise and is proven equal to the scalar model.
/// </summary>
public static class EnergyBoundaries
{
    /// <summary>Multiplier from the given power to facility power: (1 + host overhead)·PUE, PUE, or 1.</summary>
    public static double FacilityMultiplier(this EnergyBoundary boundary, double hostOverhead, double pue) => boundary switch
    {
        EnergyBoundary.Accelerator => (1 + hostOverhead) * pue,
        EnergyBoundary.It => pue,
        _ => 1,
    };

    /// <summary>The given power at the IT boundary (accelerator and host, before PUE): P·(1 + host overhead), P, or P / PUE.</summary>
    public static double ItPower(this EnergyBoundary boundary, double power, double hostOverhead, double pue) => boundary switch
    {
        EnergyBoundary.Accelerator => power * (1 + hostOverhead),
        EnergyBoundary.It => power,
        _ => power / pue,
    };
}
