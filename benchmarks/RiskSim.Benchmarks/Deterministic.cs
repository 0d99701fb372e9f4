using BenchmarkDotNet.Attributes;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Benchmarks;

/// <summary>One deterministic 60-month evaluation of the flagship base case (target ≤ 20 µs).</summary>
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
public class Deterministic
{
    private SimulationSpec _spec = null!;
    private ModelContext _ctx = null!;
    private double[] _p = null!;
    private double[] _cashFlows = null!;

    [GlobalSetup]
    public void Setup()
    {
        _spec = Flagship.Load();
        _ctx = new ModelContext(_spec);
        _p = _spec.BaseValues();
        _cashFlows = new double[_spec.HorizonMonths + 1];
    }

    [Benchmark(Description = "ReferenceModel.Evaluate (60 months)")]
    public double Reference() => ReferenceModel.Evaluate(_ctx, _p).Npv;

    [Benchmark(Description = "ReferenceModel.Evaluate + cash flows")]
    public double ReferenceWithCashFlows() => ReferenceModel.Evaluate(_ctx, _p, _cashFlows).Npv;

    [Benchmark(Description = "Evaluation.Evaluate (base case + break-evens)")]
    public int FullEvaluation() => Evaluation.Evaluate(_spec).Kpis.Length;
}
