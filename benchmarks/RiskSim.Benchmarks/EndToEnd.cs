using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Benchmarks;

/// <summary>Columns shared by the benchmarks that simulate trials.</summary>
public sealed class TrialsConfig : ManualConfig
{
    public TrialsConfig()
    {
        AddColumn(new TrialsPerSecondColumn(), new PerTrialSpeedupColumn());
        HideColumns("Ratio", "RatioSD", "Alloc Ratio"); // BDN's ratios compare Mean per operation, unfair when trial counts differ
    }
}

/// <summary>
/// The whole flagship run: MonteCarloEngine.Run (sampling, kernel, exact statistics; one pass by default, or
/// keeping every trial's KPIs in memory as --keep-trials does) on all cores, against
/// a naive scalar Monte Carlo on one thread that runs Trials / 50 trials (compare Trials/s, not Mean).
/// </summary>
[Config(typeof(TrialsConfig))]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
public class EndToEnd
{
    private const int BaselineDivisor = 50;
    private SimulationSpec _spec = null!;
    private ScalarBaseline _baseline = null!;

    [Params(1_000_000, 10_000_000)]
    public int Trials { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _spec = Flagship.Load();
        _baseline = new ScalarBaseline(_spec, 20251028);
    }

    [Benchmark(Description = "MonteCarloEngine.Run (all cores)")]
    public double Engine()
    {
        var r = MonteCarloEngine.Run(_spec, new RunOptions(Trials, _spec.Simulation.Seed, SamplingMethod.LatinHypercube, Environment.ProcessorCount));
        return r.Statistics[0].Mean ?? 0;
    }

    [Benchmark(Description = "MonteCarloEngine.Run keeping every trial's KPIs (all cores)")]
    public double EngineKeepAll()
    {
        var r = MonteCarloEngine.Run(_spec, new RunOptions(Trials, _spec.Simulation.Seed, SamplingMethod.LatinHypercube, Environment.ProcessorCount) { KeepAllTrials = true });
        return r.Statistics[0].Mean ?? 0;
    }

    [Benchmark(Description = "MonteCarloEngine.Run with per-trial IRR (all cores)")]
    public double EngineWithIrr()
    {
        var spec = _spec with { Simulation = _spec.Simulation with { Irr = true } };
        var r = MonteCarloEngine.Run(spec, new RunOptions(Trials, _spec.Simulation.Seed, SamplingMethod.LatinHypercube, Environment.ProcessorCount));
        return r.Statistics[TrialKpis.Irr].Mean ?? 0;
    }

    [Benchmark(Baseline = true, Description = "Scalar MathNet + ReferenceModel + Array.Sort (1 thread, Trials/50)")]
    [TrialsPerOp(Divisor = BaselineDivisor)]
    public double ScalarLoop() => _baseline.Run(Trials / BaselineDivisor);
}
