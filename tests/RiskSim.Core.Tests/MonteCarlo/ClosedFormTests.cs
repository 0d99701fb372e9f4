using MathNet.Numerics.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.MonteCarlo;

/// <summary>
/// A config whose NPV is exactly linear in one normal input: rate mode, no tax, no discounting, no price
/// erosion, no software gain, utilization × availability = 1, no ramp, input price 0. Then every month
/// earns capacity × price − rate, so NPV = a + b × price with a = −H·rate·N·730, b = H·t₀·3600·730·N/10⁶.
/// </summary>
public sealed class ClosedFormTests
{
    private const double Mean = 3.0;
    private const double Sd = 0.5;
    private const double TruncMin = 0.0; // ±6 sd: symmetric, so the mean is exact and the sd shrinks by < 1e-7
    private const double TruncMax = 6.0;
    private const int Horizon = 24;
    private const int Gpus = 8;
    private const double Tokens = 1000; // output tok/s/GPU
    private const double Rate = 2.0; // USD/GPU-hour

    private static readonly string Json = $$"""
        {
          "schema_version": 1,
          "name": "linear-in-price",
          "deployment": { "accelerator": "X", "gpus_per_unit": {{Gpus}}, "units": 1 },
          "cost": { "mode": "rate", "all_in_usd_per_gpu_hour": {{Rate}} },
          "operating_point": { "output_tokens_per_s_per_gpu": {{Tokens}}, "input_tokens_per_request": 1000, "output_tokens_per_request": 1000 },
          "market": {
            "price_usd_per_million_input_tokens": 0,
            "price_usd_per_million_output_tokens": { "dist": "normal", "mean": {{Mean}}, "sd": {{Sd}}, "min": {{TruncMin}}, "max": {{TruncMax}} }
          },
          "drivers": { "utilization": 1, "availability": 1, "software_multiplier_ceiling": 1 },
          "finance": { "horizon_months": {{Horizon}}, "discount_rate_annual": 0, "tax_rate": 0 },
          "simulation": { "trials": 200000, "seed": 7 }
        }
        """;

    private const double A = -Horizon * Rate * Gpus * 730.0;
    private const double B = Horizon * Tokens * 3600 * 730.0 * Gpus / 1e6;

    [Theory]
    [InlineData(SamplingMethod.LatinHypercube, 200_000)]
    [InlineData(SamplingMethod.MonteCarlo, 200_000)]
    public void Npv_is_linear_in_price_and_its_statistics_match_the_closed_form(SamplingMethod sampling, long trials)
    {
        var spec = TestConfigs.FromJson(Json);
        Assert.Single(spec.UncertainInputs);
        const ulong seed = 7;
        var result = MonteCarloEngine.Run(spec, new RunOptions(trials, seed, sampling, 2) { KeepAllTrials = true }); // checked trial by trial
        var npv = result.Kpis[TrialKpis.Npv];

        // 1. Trial by trial: NPV = a + b·price, to rounding (24 monthly sums).
        var blk = new TestConfigs.Block(spec, seed, sampling);
        for (long start = 0, block = 0; start < trials; start += BlockSampler.BlockSize, block++)
        {
            int n = (int)Math.Min(BlockSampler.BlockSize, trials - start);
            blk.Sample(block, n);
            var price = blk.Sampled[0];
            for (int i = 0; i < n; i++)
            {
                double expected = A + B * price[i];
                double tol = 1e-12 * (Math.Abs(A) + Math.Abs(B * price[i]));
                Assert.True(Math.Abs(npv[start + i] - expected) <= tol, $"trial {start + i}: {npv[start + i]:R} vs {expected:R}");
            }
        }

        // 2. Mean and sd within 4 standard errors of a + b·μ and |b|·σ.
        var s = result["npv_usd"];
        double mu = A + B * Mean;
        double sigma = Math.Abs(B) * Sd;
        double seMean = sigma / Math.Sqrt(trials);
        double seSd = sigma / Math.Sqrt(2.0 * (trials - 1));
        Assert.InRange(s.Mean!.Value, mu - 4 * seMean, mu + 4 * seMean);
        Assert.InRange(s.Sd!.Value, sigma - 4 * seSd, sigma + 4 * seSd);
        Assert.Equal(0, s.Nulls);

        // 3. The true quantile of NPV (exact, truncation included) lies in each reported 95 % order-statistic
        //    interval. LHS estimates quantiles far tighter than the distribution-free interval, so it must hold
        //    exactly. Plain MC misses a 95 % interval 1 time in 20 by design (measured: 290 of 300 covered over
        //    60 seeds), so there the interval is widened to 4 standard errors (× 4 / 1.96), as for the mean.
        double widen = sampling == SamplingMethod.LatinHypercube ? 1.0 : 4 / 1.959963984540054;
        double pLo = Normal.CDF(Mean, Sd, TruncMin);
        double pHi = Normal.CDF(Mean, Sd, TruncMax);
        foreach (var p in s.Percentiles)
        {
            double q = A + B * Normal.InvCDF(Mean, Sd, pLo + p.P * (pHi - pLo));
            Assert.NotNull(p.Value);
            double lo = p.Value!.Value - (p.Value.Value - p.CiLow!.Value) * widen;
            double hi = p.Value.Value + (p.CiHigh!.Value - p.Value.Value) * widen;
            Assert.True(lo <= q && q <= hi, $"P{p.P * 100}: true {q:R} not in [{lo:R}, {hi:R}] (estimate {p.Value:R}, 95 % interval [{p.CiLow:R}, {p.CiHigh:R}])");
            Assert.True(p.CiLow <= p.Value && p.Value <= p.CiHigh);
        }
    }
}
