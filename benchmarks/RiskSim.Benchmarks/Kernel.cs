using BenchmarkDotNet.Attributes;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Benchmarks;

/// <summary>
/// The model evaluation alone on one sampled block (16,384 trials, one thread): the SIMD kernel vs the
/// scalar reference per trial. Mean is per trial (OperationsPerInvoke = block size).
/// </summary>
[Config(typeof(TrialsConfig))]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
public class Kernel
{
    private const int B = BlockSampler.BlockSize;
    private ModelContext _ctx = null!;
    private SimdKernel _kernel = null!;
    private double[]?[] _columns = null!;
    private double[] _constants = null!;
    private double[][] _kpis = null!;
    private double[][] _trialParams = null!;

    [GlobalSetup]
    public void Setup()
    {
        var spec = Flagship.Load();
        _ctx = new ModelContext(spec);
        _kernel = new SimdKernel(_ctx);
        var sampler = new BlockSampler(spec, spec.Simulation.Seed, spec.Simulation.Sampling);
        var sampled = sampler.Inputs.Select(_ => new double[B]).ToArray();
        sampler.Sample(0, B, sampler.CreateWorkspace(), sampled);
        _constants = spec.BaseValues();
        _columns = new double[]?[ParamCount.Value];
        for (int j = 0; j < sampled.Length; j++)
        {
            _columns[(int)sampler.Inputs[j].Param] = sampled[j];
        }

        _kpis = [.. Enumerable.Range(0, TrialKpis.CoreCount).Select(_ => new double[B])];
        _trialParams = new double[B][];
        for (int i = 0; i < B; i++)
        {
            var p = (double[])_constants.Clone();
            for (int j = 0; j < sampled.Length; j++)
            {
                p[(int)sampler.Inputs[j].Param] = sampled[j][i];
            }

            _trialParams[i] = p;
        }
    }

    [Benchmark(Description = "SimdKernel.Evaluate (block)", OperationsPerInvoke = B)]
    [TrialsPerOp(Count = 1)]
    public void Simd() => _kernel.Evaluate(B, _columns, _constants, _kpis, 0);

    [Benchmark(Baseline = true, Description = "ReferenceModel.Evaluate × block", OperationsPerInvoke = B)]
    [TrialsPerOp(Count = 1)]
    public void Reference()
    {
        for (int i = 0; i < B; i++)
        {
            var o = ReferenceModel.Evaluate(_ctx, _trialParams[i]);
            for (int k = 0; k < TrialKpis.CoreCount; k++)
            {
                _kpis[k][i] = o.Kpi(k);
            }
        }
    }
}
