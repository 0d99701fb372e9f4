using System.Collections.Immutable;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Spec;

/// <summary>How the all-in cost of a GPU-hour is known.</summary>
public enum CostMode
{
    /// <summary>A given all-in $/GPU-hour (owned-TCO tier or rental rate) charged for every provisioned hour; no up-front capex.</summary>
    Rate,

    /// <summary>Built up from capex, energy, hosting, maintenance, software, staff and other fixed costs.</summary>
    BuildUp,
}

/// <summary>Which boundary the given power or joules-per-token figure was measured at (spec §3).</summary>
public enum EnergyBoundary
{
    /// <summary>Accelerator only (NVML counter): host overhead and PUE are applied on top.</summary>
    Accelerator,

    /// <summary>IT equipment (accelerator + host share): PUE is applied on top.</summary>
    It,

    /// <summary>Facility (all-in): applied as is.</summary>
    Facility,
}

/// <summary>Tax depreciation method.</summary>
public enum TaxDepreciation
{
    /// <summary>Straight-line to zero over the tax life.</summary>
    StraightLine,

    /// <summary>US MACRS 5-year property, half-year convention (IRS Pub. 946 Table A-1).</summary>
    Macrs5,
}

/// <summary>Sampling design.</summary>
public enum SamplingMethod
{
    /// <summary>Plain Monte Carlo: independent uniforms.</summary>
    MonteCarlo,

    /// <summary>Latin hypercube (McKay 1979), stratified within each fixed block of trials.</summary>
    LatinHypercube,
}

/// <summary>One model input: its config path, its distribution (fixed values are a <see cref="FixedDistribution"/>), whether it came from a default.</summary>
public sealed record InputSpec(Param Param, string Path, Distribution Distribution, string Unit, bool Defaulted)
{
    /// <summary>True when the input varies between trials.</summary>
    public bool IsUncertain => !Distribution.IsFixed;

    /// <summary>Base value: the distribution's median.</summary>
    public double BaseValue => Distribution.Median;
}

/// <summary>A target rank (Spearman) correlation between two uncertain inputs.</summary>
public sealed record CorrelationSpec(string A, string B, double RankCorrelation);

/// <summary>Comparison operator of a risk gate.</summary>
public enum GateOp
{
    /// <summary>The statistic must be at least the threshold (<c>&gt;=</c>).</summary>
    GreaterOrEqual,
    /// <summary>The statistic must be at most the threshold (<c>&lt;=</c>).</summary>
    LessOrEqual,
}

/// <summary>
/// A risk gate: a statistic of the run (a key of <c>summary.json</c> such as <c>npv_usd.p10</c> or
/// <c>payback_months.prob_within_24</c>) compared with a threshold.
/// </summary>
public sealed record GateSpec(string Metric, GateOp Op, double Threshold, string Label)
{
    /// <summary>The gate as a sentence, e.g. "npv_usd.p10 ≥ 0".</summary>
    public string Text => $"{Metric} {(Op == GateOp.GreaterOrEqual ? ">=" : "<=")} {Threshold.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)}";
}

/// <summary>Monte Carlo settings from the config (the CLI may override them).</summary>
public sealed record SimulationSettings(long Trials, ulong Seed, SamplingMethod Sampling, ImmutableArray<int> PaybackWithinMonths, bool Irr = false)
{
    /// <summary>
    /// Trials per block: the unit of sampling (Latin hypercube strata and Iman–Conover rank correlation are within a
    /// block), of reproducibility (each block has its own random stream) and of sharding (a shard takes whole blocks).
    /// </summary>
    public const int BlockSize = BlockSampler.BlockSize;

    /// <summary>KPI columns a run computes: the core KPIs, plus IRR when asked.</summary>
    public int KpiColumns => Irr ? TrialKpis.CoreCount + 1 : TrialKpis.CoreCount;
}

/// <summary>
/// The validated, immutable description of one decision: everything the engine accepts. Built only by
/// <see cref="Configuration.ConfigLoader"/>. Thread-safe.
/// </summary>
public sealed record SimulationSpec
{
    /// <summary>Name of the decision (result folders are named after it).</summary>
    public required string Name { get; init; }
    /// <summary>Description for the report ("" when none).</summary>
    public required string Description { get; init; }
    /// <summary>Accelerator name as reports show it.</summary>
    public required string Accelerator { get; init; }
    /// <summary>GPUs per deployment unit.</summary>
    public required int GpusPerUnit { get; init; }
    /// <summary>Deployment units.</summary>
    public required int Units { get; init; }
    /// <summary>Rate or build-up.</summary>
    public required CostMode CostMode { get; init; }
    /// <summary>Boundary the power figures were given at.</summary>
    public required EnergyBoundary EnergyBoundary { get; init; }

    /// <summary>True when active power is derived from joules per output token × throughput.</summary>
    public required bool PowerFromJoules { get; init; }

    /// <summary>True when any power or energy figure was given (energy KPIs exist).</summary>
    public required bool HasPower { get; init; }

    /// <summary>True when a demand cap limits tokens sold (otherwise supply-limited).</summary>
    public required bool HasDemandCap { get; init; }

    /// <summary>Months of cash flows after month 0.</summary>
    public required int HorizonMonths { get; init; }
    /// <summary>Months of the linear utilization ramp (0: none).</summary>
    public required int UtilizationRampMonths { get; init; }
    /// <summary>Economic (book-depreciation) life, months.</summary>
    public required int EconomicLifeMonths { get; init; }
    /// <summary>Tax depreciation method.</summary>
    public required TaxDepreciation TaxDepreciation { get; init; }
    /// <summary>Tax life for straight-line tax depreciation, months.</summary>
    public required int TaxLifeMonths { get; init; }

    /// <summary>One entry per <see cref="Param"/>, in enum order.</summary>
    public required ImmutableArray<InputSpec> Inputs { get; init; }

    /// <summary>Rank correlations between uncertain inputs.</summary>
    public required ImmutableArray<CorrelationSpec> Correlations { get; init; }
    /// <summary>Repair an inconsistent correlation matrix to the nearest valid one instead of rejecting it.</summary>
    public required bool RepairCorrelation { get; init; }
    /// <summary>Risk gates, in config order.</summary>
    public required ImmutableArray<GateSpec> Gates { get; init; }
    /// <summary>Monte Carlo settings.</summary>
    public required SimulationSettings Simulation { get; init; }

    /// <summary>Free-text sources and notes from the config, by section.</summary>
    public required ImmutableDictionary<string, string> Notes { get; init; }

    /// <summary>SHA-256 of the canonical (minified, overrides applied) config JSON.</summary>
    public required string ConfigHash { get; init; }

    /// <summary>The canonical config JSON the hash was taken of.</summary>
    public required string CanonicalJson { get; init; }

    /// <summary>When the operating point was filled from benchmark files (<c>operating_point.from_benchmarks</c>): where each figure came from; else null.</summary>
    public Benchmarks.BenchmarkOrigin? Benchmarks { get; init; }

    /// <summary>True when the cached-input price was not given and takes the input price's draw in every trial.</summary>
    public bool CachedPriceFollowsInput => Inputs[(int)Param.PriceUsdPerMillionCachedInputTokens].Distribution is SameDrawDistribution;

    /// <summary>Total GPUs in the deployment.</summary>
    public long TotalGpus => (long)GpusPerUnit * Units; // up to 10¹² within the fields' ranges: not an int

    /// <summary>The input of one parameter.</summary>
    public InputSpec this[Param p] => Inputs[(int)p];

    /// <summary>Uncertain inputs, in <see cref="Param"/> order.</summary>
    public ImmutableArray<InputSpec> UncertainInputs => Inputs.Where(i => i.IsUncertain).ToImmutableArray();

    /// <summary>Base values (medians) of every parameter, indexed by <see cref="Param"/>.</summary>
    public double[] BaseValues()
    {
        var v = new double[ParamCount.Value];
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = Inputs[i].BaseValue;
        }

        return v;
    }

    /// <summary>A copy with one input replaced (used by break-even and tornado analyses).</summary>
    public SimulationSpec WithInput(Param p, Distribution d) =>
        this with { Inputs = Inputs.SetItem((int)p, Inputs[(int)p] with { Distribution = d }) };
}
