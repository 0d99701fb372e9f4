using System.Collections.Immutable;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>
/// The trial-by-trial difference of two runs (challenger − baseline). With the same seed, trial count and
/// sampling, inputs the two configs share (same path, same distribution) got the same draws in every
/// trial — common random numbers — so the difference's spread reflects the platforms, not sampling noise.
/// </summary>
/// <param name="Baseline">Name of the baseline config.</param>
/// <param name="Challenger">Name of the challenger config.</param>
/// <param name="SharedInputs">Uncertain input paths with identical distributions in both (the common random numbers).</param>
/// <param name="Statistics">Statistics of challenger − baseline per KPI.</param>
/// <param name="ProbChallengerBetter">Per KPI: share of trials where the challenger is strictly better (nulls count as worst).</param>
public sealed record Comparison(string Baseline, string Challenger, ImmutableArray<string> SharedInputs, ImmutableArray<KpiStatistics> Statistics, ImmutableDictionary<string, double> ProbChallengerBetter)
{
    /// <summary>KPIs compared (money and ratio KPIs where a difference is meaningful).</summary>
    public static readonly ImmutableArray<int> Kpis = [TrialKpis.Npv, TrialKpis.NetRoi, TrialKpis.Payback, TrialKpis.LevelizedCost];

    /// <summary>Compares two runs of equal trial count, seed and sampling; throws otherwise.</summary>
    public static Comparison Compute(SimulationResult baseline, SimulationResult challenger)
    {
        if (baseline.Trials != challenger.Trials || baseline.Options.Seed != challenger.Options.Seed || baseline.Options.Sampling != challenger.Options.Sampling)
        {
            throw new ArgumentException("runs must have the same trials, seed and sampling to be compared trial by trial");
        }

        if (baseline.KeptTrials < baseline.Trials || challenger.KeptTrials < challenger.Trials)
        {
            throw new ArgumentException("two-pass runs keep only their first trials' KPIs and cannot be compared trial by trial");
        }

        var shared = baseline.Spec.UncertainInputs
            .Where(a => challenger.Spec.UncertainInputs.Any(b => b.Path == a.Path && b.Distribution.Equals(a.Distribution)))
            .Select(a => a.Path).ToImmutableArray();
        int n = (int)baseline.Trials;
        var stats = ImmutableArray.CreateBuilder<KpiStatistics>();
        var better = ImmutableDictionary.CreateBuilder<string, double>();
        var diff = new double[n];
        foreach (int k in Kpis)
        {
            var kpi = TrialKpis.All[k];
            var a = baseline.Kpis[k];
            var b = challenger.Kpis[k];
            long wins = 0;
            bool higher = kpi.Better == Better.Higher;
            for (int i = 0; i < n; i++)
            {
                diff[i] = b[i] - a[i]; // NaN when either does not exist
                bool bn = double.IsNaN(b[i]);
                bool an = double.IsNaN(a[i]);
                if (!bn && (an || (higher ? b[i] > a[i] : b[i] < a[i])))
                {
                    wins++;
                }
            }

            var dk = kpi with { Key = kpi.Key + "_difference", Title = kpi.Title + " difference", Better = kpi.Better };
            stats.Add(KpiStatistics.Compute(dk, diff, [], "does not exist in one of the two runs"));
            better[kpi.Key] = (double)wins / n;
        }

        return new Comparison(baseline.Spec.Name, challenger.Spec.Name, shared, stats.ToImmutable(), better.ToImmutable());
    }
}
