using RiskSim.Core.Finance;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Model;

/// <summary>
/// What a trial's evaluation needs beyond its parameter values: the time-only schedules (utilization
/// ramp, tax depreciation) and the structural switches of the spec. Built once per spec; immutable.
/// </summary>
internal sealed class ModelContext
{
    public ModelContext(SimulationSpec spec)
    {
        Spec = spec;
        Horizon = spec.HorizonMonths;
        Gpus = spec.TotalGpus;
        Ramp = new double[Horizon + 1];
        TaxDepreciationFraction = new double[Horizon + 1];
        for (int t = 1; t <= Horizon; t++)
        {
            Ramp[t] = spec.UtilizationRampMonths == 0 ? 1 : Math.Min(1.0, (double)t / spec.UtilizationRampMonths);
            TaxDepreciationFraction[t] = TaxFraction(spec, t);
        }

        double used = 0;
        for (int t = 1; t <= Horizon; t++)
        {
            used += TaxDepreciationFraction[t];
        }

        TaxDepreciationTotal = used;
        RemainingTaxBasisFraction = Math.Max(0, 1 - used);
        BookMonths = Math.Min(Horizon, spec.EconomicLifeMonths);
    }

    public SimulationSpec Spec { get; }

    /// <summary>Months H.</summary>
    public int Horizon { get; }

    /// <summary>Total GPUs.</summary>
    public long Gpus { get; }

    /// <summary>Ramp factor per month t (index 0 unused): min(1, t / ramp months), 1 without a ramp.</summary>
    public double[] Ramp { get; }

    /// <summary>Fraction of capex deducted for tax in month t (index 0 unused).</summary>
    public double[] TaxDepreciationFraction { get; }

    /// <summary>Σ_t of <see cref="TaxDepreciationFraction"/> over the horizon: the share of capex deducted by then.</summary>
    public double TaxDepreciationTotal { get; }

    /// <summary>Fraction of capex still undepreciated for tax at the horizon.</summary>
    public double RemainingTaxBasisFraction { get; }

    /// <summary>Months of book depreciation within the horizon: min(H, economic life).</summary>
    public int BookMonths { get; }


    /// <summary>Boundary multiplier from the given power to facility power: (1 + host)·PUE, PUE, or 1.</summary>
    public double EnergyMultiplierOf(double hostOverhead, double pue) => Spec.EnergyBoundary.FacilityMultiplier(hostOverhead, pue);

    private static double TaxFraction(SimulationSpec spec, int month)
    {
        if (spec.TaxDepreciation == TaxDepreciation.Macrs5)
        {
            int year = (month - 1) / 12;
            return year < FinanceMath.Macrs5.Length ? FinanceMath.Macrs5[year] / 12 : 0;
        }

        return month <= spec.TaxLifeMonths ? 1.0 / spec.TaxLifeMonths : 0;
    }
}
