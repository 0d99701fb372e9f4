using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Sensitivity;

public class TrialPathsTests
{
    [Fact]
    public void Bands_are_ordered_and_cover_every_month()
    {
        var spec = TestConfigs.Load(software: true);
        var b = TrialPaths.Compute(spec, 5, SamplingMethod.LatinHypercube, 20000);
        Assert.Equal(TrialPaths.DefaultTrials, b.Trials);
        Assert.Equal(12, b.Months.Length);
        foreach (var band in b.Bands)
        {
            for (int t = 0; t < 12; t++)
            {
                Assert.True(band.P10[t] <= band.P50[t] && band.P50[t] <= band.P90[t], $"{band.Key} month {t + 1}");
            }
        }

        Assert.All(b[TrialPaths.SoftwareMultiplier].P50, m => Assert.True(m >= 1));
        Assert.Equal(1.0, b[TrialPaths.SoftwareMultiplier].P90[0], 12); // m(1) = 1 at age 0
    }
}
