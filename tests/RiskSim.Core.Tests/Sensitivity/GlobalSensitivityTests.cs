using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Sensitivity;

public class GlobalSensitivityTests
{
    private static (double Mean, double Sd) MeanSd(double[] v)
    {
        double m = v.Average();
        return (m, Math.Sqrt(v.Sum(x => (x - m) * (x - m)) / (v.Length - 1)));
    }

    [Fact]
    public void Src_of_an_exact_linear_model_is_b_times_sigma_x_over_sigma_y()
    {
        var rng = new Random(12345);
        const int n = 5000;
        double[] b = [3.0, -1.0, 0.5, 0.0];
        var x = new double[4][];
        x[0] = [.. Enumerable.Range(0, n).Select(_ => 2 * (rng.NextDouble() - 0.5))];
        x[1] = [.. Enumerable.Range(0, n).Select(_ => 10 + 5 * rng.NextDouble())];
        x[2] = [.. Enumerable.Range(0, n).Select(_ => -rng.NextDouble() * rng.NextDouble() * 7)];
        x[3] = [.. Enumerable.Range(0, n).Select(_ => rng.NextDouble())];
        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            y[i] = 4 + b[0] * x[0][i] + b[1] * x[1][i] + b[2] * x[2][i] + b[3] * x[3][i];
        }

        string[] names = ["a", "b", "c", "d"];
        var (measures, r2) = GlobalSensitivity.Analyze(names, names, x, y);
        double sy = MeanSd(y).Sd;
        Assert.Equal(1.0, r2, 9);
        for (int j = 0; j < 4; j++)
        {
            var m = measures.Single(g => g.Path == names[j]);
            Assert.Equal(b[j] * MeanSd(x[j]).Sd / sy, m.Src, 9);
        }

        Assert.Equal(["a", "b", "c", "d"], measures.Select(m => m.Path)); // |SRC|: 3·0.577, 1·1.443, 0.5·…, 0
        Assert.True(measures.Single(m => m.Path == "b").Spearman < -0.5);
    }

    [Fact]
    public void Src_with_noise_is_close_to_theory_and_r2_matches_the_noise_share()
    {
        // y = 2·x1 + x2 + e, x1, x2, e ~ N(0, 1) independent: σ_y² = 6, SRC = 2/√6, 1/√6, R² = 5/6.
        var rng = new Random(7);
        const int n = 60000;
        double Normal() => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
        var x1 = Enumerable.Range(0, n).Select(_ => Normal()).ToArray();
        var x2 = Enumerable.Range(0, n).Select(_ => Normal()).ToArray();
        var y = Enumerable.Range(0, n).Select(i => 2 * x1[i] + x2[i] + Normal()).ToArray();
        var (measures, r2) = GlobalSensitivity.Analyze(["x1", "x2"], ["x1", "x2"], [x1, x2], y);
        Assert.InRange(measures[0].Src - 2 / Math.Sqrt(6), -0.01, 0.01);
        Assert.InRange(measures[1].Src - 1 / Math.Sqrt(6), -0.01, 0.01);
        Assert.InRange(r2 - 5.0 / 6, -0.01, 0.01);
        // Spearman of a normal pair with Pearson ρ: (6/π)·asin(ρ/2).
        Assert.InRange(measures[0].Spearman - 6 / Math.PI * Math.Asin(2 / Math.Sqrt(6) / 2), -0.01, 0.01);
    }

    [Theory]
    [InlineData("lhs", false, 20000)]
    [InlineData("mc", true, 20000)]
    [InlineData("lhs", true, 70000)]
    public void Resampled_inputs_are_the_draws_of_the_run(string sampling, bool correlated, long trials)
    {
        var spec = TestConfigs.Load(software: true, sampling: sampling, correlated: correlated);
        var result = MonteCarloEngine.Run(spec, new RunOptions(trials, 99, spec.Simulation.Sampling, 2));
        var (inputs, m, blocks) = GlobalSensitivity.ResampleInputs(result);
        Assert.Equal((int)Math.Min(trials, GlobalSensitivity.DefaultMaxTrials), m);
        Assert.Equal((m + BlockSampler.BlockSize - 1) / BlockSampler.BlockSize, blocks);
        var ctx = new ModelContext(spec);
        var p = spec.BaseValues();
        var uncertain = spec.UncertainInputs;
        for (int i = 0; i < m; i += 97)
        {
            for (int j = 0; j < uncertain.Length; j++)
            {
                p[(int)uncertain[j].Param] = inputs[j][i];
            }

            double npv = ReferenceModel.Evaluate(ctx, p).Npv;
            Assert.Equal(npv, result.Kpis[TrialKpis.Npv][i], Math.Max(1e-6, Math.Abs(npv) * 1e-9));
        }
    }

    [Fact]
    public void Linear_run_has_r2_near_one_and_price_first()
    {
        var spec = TestConfigs.Load();
        var result = MonteCarloEngine.Run(spec, new RunOptions(20000, 3, SamplingMethod.LatinHypercube, 1));
        var g = GlobalSensitivity.Compute(result);
        Assert.Equal(20000, g.TrialsAnalysed);
        var npv = g.Kpis.Single(k => k.Kpi.Key == "npv_usd");
        Assert.True(npv.RSquared > 0.97, $"R² {npv.RSquared}"); // only the ρ·P interaction is non-linear
        Assert.Equal("market.price_usd_per_million_output_tokens", npv.Measures[0].Path);
        Assert.True(npv.Measures.Single(m => m.Path == "cost.all_in_usd_per_gpu_hour").Src < 0);
        var roi = g.Kpis.Single(k => k.Kpi.Key == "net_roi");
        Assert.Empty(roi.Measures);
        Assert.NotNull(roi.Note);
    }
}
