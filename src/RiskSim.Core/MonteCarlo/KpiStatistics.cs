using System.Collections.Immutable;
using RiskSim.Core.Model;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>A statistic with its 95 % order-statistic confidence interval.</summary>
public sealed record Percentile(double P, double? Value, double? CiLow, double? CiHigh, string? NullReason);

/// <summary>
/// Summary of one KPI over all trials. Trials where the KPI does not exist (payback never within the
/// horizon, no capex, …) count as the worst outcome for percentiles: a percentile that lands among them
/// is null with a reason. Mean, sd, min, max and es10 are over the trials where the KPI exists.
/// </summary>
public sealed record KpiStatistics(
    TrialKpi Kpi,
    long Trials,
    long Nulls,
    double? Mean,
    double? Sd,
    double? StandardError,
    double? Min,
    double? Max,
    ImmutableArray<Percentile> Percentiles,
    double? ExpectedShortfall10,
    double ProbNegative,
    ImmutableSortedDictionary<int, double> ProbWithin,
    string NullReason)
{
    /// <summary>The percentiles reported: P5, P10, P50, P90, P95.</summary>
    public static readonly ImmutableArray<double> Levels = [0.05, 0.10, 0.50, 0.90, 0.95];

    /// <summary>Percentile by level (0.1 = P10).</summary>
    public Percentile this[double p] => Percentiles.First(x => Math.Abs(x.P - p) < 1e-12);

    /// <summary>Share of trials where the KPI does not exist.</summary>
    public double NullShare => Trials == 0 ? 0 : (double)Nulls / Trials;

    /// <summary>A statistic by summary name (mean, sd, p10, es10, prob_negative, prob_within_24, null_share …).</summary>
    public double? Get(string stat) => stat switch
    {
        "mean" => Mean,
        "sd" => Sd,
        "min" => Min,
        "max" => Max,
        "es10" => ExpectedShortfall10,
        "prob_negative" => ProbNegative,
        "null_share" => NullShare,
        "p5" => this[0.05].Value,
        "p10" => this[0.10].Value,
        "p50" => this[0.50].Value,
        "p90" => this[0.90].Value,
        "p95" => this[0.95].Value,
        _ when stat.StartsWith("prob_within_", StringComparison.Ordinal) && int.TryParse(stat[12..], out int m) =>
            ProbWithin.TryGetValue(m, out double v) ? v : ProbWithinOf(m),
        _ => null,
    };

    private double? ProbWithinOf(int months) => null;

    /// <summary>Computes the statistics of one KPI column; deterministic (sums run in fixed block order).</summary>
    public static KpiStatistics Compute(TrialKpi kpi, ReadOnlySpan<double> values, IReadOnlyList<int> withinMonths, string nullReason)
    {
        long n = values.Length;
        const int chunk = BlockSampler.BlockSize;
        double sum = 0;
        long finite = 0;
        double min = double.PositiveInfinity, max = double.NegativeInfinity;
        long negative = 0;
        var within = new long[withinMonths.Count];
        for (int s = 0; s < n; s += chunk)
        {
            var block = values.Slice(s, (int)Math.Min(chunk, n - s));
            double bs = 0;
            foreach (double v in block)
            {
                if (double.IsNaN(v))
                {
                    continue;
                }

                bs += v;
                finite++;
                min = Math.Min(min, v);
                max = Math.Max(max, v);
                if (v < 0)
                {
                    negative++;
                }

                for (int k = 0; k < within.Length; k++)
                {
                    if (v <= withinMonths[k])
                    {
                        within[k]++;
                    }
                }
            }

            sum += bs;
        }

        long nulls = n - finite;
        double? mean = finite > 0 ? sum / finite : null;
        double? sd = null, se = null;
        if (finite > 1)
        {
            double ss = 0;
            for (int s = 0; s < n; s += chunk)
            {
                double bs = 0;
                foreach (double v in values.Slice(s, (int)Math.Min(chunk, n - s)))
                {
                    if (!double.IsNaN(v))
                    {
                        double d = v - mean!.Value;
                        bs += d * d;
                    }
                }

                ss += bs;
            }

            sd = Math.Sqrt(ss / (finite - 1));
            se = sd / Math.Sqrt(finite);
        }

        // Percentile ranks over all n trials, nulls at the worst end.
        bool higherBetter = kpi.Better == Better.Higher;
        var wanted = new List<long>();
        var plan = new List<(double P, long Rank, long Lo, long Hi)>();
        foreach (double p in Levels)
        {
            long r = OrderStatistics.RankOf(p, n);
            var (lo, hi) = OrderStatistics.ConfidenceRanks(p, n);
            plan.Add((p, r, lo, hi));
        }

        long ToFinite(long r) => higherBetter ? r - nulls : r; // nulls first (worst) when higher is better
        bool IsNull(long r) => higherBetter ? r < nulls : r >= finite;

        foreach (var (_, r, lo, hi) in plan)
        {
            foreach (long x in new[] { r, lo, hi })
            {
                if (!IsNull(x))
                {
                    wanted.Add(ToFinite(x));
                }
            }
        }

        // Expected shortfall: mean of the worst 10 % of finite values.
        long esCount = (long)Math.Ceiling(0.1 * finite);
        if (esCount > 0)
        {
            wanted.Add(higherBetter ? esCount - 1 : finite - esCount);
        }

        var (sel, _) = OrderStatistics.Select(values, wanted.ToArray());
        var lookup = new Dictionary<long, double>();
        for (int i = 0; i < wanted.Count; i++)
        {
            lookup[wanted[i]] = sel[i];
        }

        double? At(long r) => IsNull(r) ? null : lookup[ToFinite(r)];
        var percentiles = plan.Select(x =>
        {
            double? v = At(x.Rank);
            return new Percentile(x.P, v, At(x.Lo), At(x.Hi), v is null ? $"{nullReason} in more than {(1 - x.P) * 100:0} % of trials" : null);
        }).ToImmutableArray();

        double? es = null;
        if (esCount > 0)
        {
            double threshold = lookup[higherBetter ? esCount - 1 : finite - esCount];
            double esSum = 0;
            long below = 0;
            double tieSum = 0;
            for (int s = 0; s < n; s += chunk)
            {
                double bs = 0;
                foreach (double v in values.Slice(s, (int)Math.Min(chunk, n - s)))
                {
                    if (!double.IsNaN(v) && (higherBetter ? v < threshold : v > threshold))
                    {
                        bs += v;
                        below++;
                    }
                }

                esSum += bs;
            }

            tieSum = threshold * (esCount - below); // ties at the threshold fill the remainder
            es = (esSum + tieSum) / esCount;
        }

        var probWithin = ImmutableSortedDictionary.CreateBuilder<int, double>();
        for (int k = 0; k < within.Length; k++)
        {
            probWithin[withinMonths[k]] = n == 0 ? 0 : (double)within[k] / n;
        }

        return new KpiStatistics(kpi, n, nulls, mean, sd, se, finite > 0 ? min : null, finite > 0 ? max : null, percentiles, es, n == 0 ? 0 : (double)negative / n, probWithin.ToImmutable(), nullReason);
    }
}
