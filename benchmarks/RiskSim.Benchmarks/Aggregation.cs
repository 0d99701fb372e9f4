using BenchmarkDotNet.Attributes;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Benchmarks;

/// <summary>
/// The statistics stage of a run alone: MonteCarloEngine.Aggregate over the 8 KPI columns of a finished
/// flagship run (mean, sd, exact percentiles with their intervals, es10, payback probabilities).
/// </summary>
[Config(typeof(TrialsConfig))]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
public class Aggregation
{
    private SimulationSpec _spec = null!;
    private double[][] _kpis = null!;

    [Params(1_000_000)]
    public int Trials { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _spec = Flagship.Load();
        _kpis = MonteCarloEngine.Run(_spec, new RunOptions(Trials, _spec.Simulation.Seed, SamplingMethod.LatinHypercube, Environment.ProcessorCount) { KeepAllTrials = true }).Kpis;
    }

    [Benchmark(Description = "MonteCarloEngine.Aggregate (all cores)")]
    public int Aggregate() => MonteCarloEngine.Aggregate(_spec, _kpis, Trials, Environment.ProcessorCount).Length;

    [Benchmark(Description = "MonteCarloEngine.Aggregate (1 thread)")]
    public int AggregateOneThread() => MonteCarloEngine.Aggregate(_spec, _kpis, Trials, 1).Length;
}
