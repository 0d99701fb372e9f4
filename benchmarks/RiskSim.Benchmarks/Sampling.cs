using BenchmarkDotNet.Attributes;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Benchmarks;

/// <summary>
/// BlockSampler.Sample on one full block (16,384 trials, one thread) of the flagship: 12 uncertain inputs,
/// LHS, Iman–Conover over 3 correlated inputs. "no-correlation" drops the correlations to isolate Iman–Conover.
/// Mean is per trial (OperationsPerInvoke = block size).
/// </summary>
[Config(typeof(TrialsConfig))]
[SimpleJob(warmupCount: 2, iterationCount: 5)]
[MemoryDiagnoser]
public class Sampling
{
    private const int B = BlockSampler.BlockSize;
    private BlockSampler _sampler = null!;
    private SamplerWorkspace _ws = null!;
    private double[][] _out = null!;
    private long _block;

    [Params("flagship", "no-correlation", "flagship-mc")]
    public string Variant { get; set; } = "flagship";

    [GlobalSetup]
    public void Setup()
    {
        var spec = Variant == "no-correlation" ? Flagship.Load("correlations=[]") : Flagship.Load();
        var method = Variant == "flagship-mc" ? SamplingMethod.MonteCarlo : SamplingMethod.LatinHypercube;
        _sampler = new BlockSampler(spec, spec.Simulation.Seed, method);
        _ws = _sampler.CreateWorkspace();
        _out = [.. _sampler.Inputs.Select(_ => new double[B])];
    }

    [Benchmark(Description = "BlockSampler.Sample (block)", OperationsPerInvoke = B)]
    [TrialsPerOp(Count = 1)]
    public void Sample() => _sampler.Sample(_block++ & 63, B, _ws, _out);
}
