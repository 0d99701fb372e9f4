using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.MonteCarlo;

/// <summary>Same seed and config give bit-identical per-trial KPIs and statistics on any thread count.</summary>
public sealed class ReproducibilityTests
{
    [Theory]
    [InlineData(SamplingMethod.LatinHypercube)]
    [InlineData(SamplingMethod.MonteCarlo)]
    public void Run_is_bit_identical_for_1_2_and_8_threads(SamplingMethod sampling)
    {
        const long trials = 100_000; // 6 full blocks + a partial block of 1,696
        Assert.NotEqual(0, trials % BlockSampler.BlockSize);
        var spec = TestConfigs.Flagship();
        var runs = new[] { 1, 2, 8 }.Select(t => MonteCarloEngine.Run(spec, new RunOptions(trials, 20251028, sampling, t) { KeepAllTrials = true })).ToArray();
        var first = runs[0];
        Assert.False(first.Partial);
        Assert.Equal(trials, first.Trials);
        foreach (var other in runs.Skip(1))
        {
            for (int k = 0; k < TrialKpis.CoreCount; k++)
            {
                Assert.Equal(first.Kpis[k].Length, other.Kpis[k].Length);
                for (int i = 0; i < trials; i++)
                {
                    long a = BitConverter.DoubleToInt64Bits(first.Kpis[k][i]);
                    long b = BitConverter.DoubleToInt64Bits(other.Kpis[k][i]);
                    if (a != b)
                    {
                        Assert.Fail($"KPI {TrialKpis.All[k].Key} trial {i}: {first.Kpis[k][i]:R} (1 thread) vs {other.Kpis[k][i]:R} ({other.Options.Threads} threads)");
                    }
                }
            }

            Assert.Equal(Flatten(first), Flatten(other));
        }
    }

    /// <summary>Every number of every statistic as raw bits (records holding immutable arrays do not compare by value).</summary>
    internal static List<string> Flatten(SimulationResult r)
    {
        static string B(double? v) => v is { } d ? BitConverter.DoubleToInt64Bits(d).ToString("X16", System.Globalization.CultureInfo.InvariantCulture) : "null";
        var list = new List<string>();
        foreach (var s in r.Statistics)
        {
            list.Add($"{s.Kpi.Key} n={s.Trials} nulls={s.Nulls} mean={B(s.Mean)} sd={B(s.Sd)} se={B(s.StandardError)} min={B(s.Min)} max={B(s.Max)} es10={B(s.ExpectedShortfall10)} neg={B(s.ProbNegative)} reason={s.NullReason}");
            list.AddRange(s.Percentiles.Select(p => $"  p{p.P}: {B(p.Value)} [{B(p.CiLow)}, {B(p.CiHigh)}] {p.NullReason}"));
            list.AddRange(s.ProbWithin.Select(w => $"  within {w.Key}: {B(w.Value)}"));
        }

        return list;
    }
}
