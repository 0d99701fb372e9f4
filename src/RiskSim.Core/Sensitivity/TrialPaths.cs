using System.Collections.Immutable;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Sensitivity;

/// <summary>P10/P50/P90 of one monthly path over months 1…H.</summary>
/// <param name="Key">Stable key, e.g. "cumulative_cash_flow".</param>
/// <param name="Title">Chart title.</param>
/// <param name="Unit">Unit of the values.</param>
/// <param name="P10">10th percentile per month (index 0 = month 1).</param>
/// <param name="P50">Median per month.</param>
/// <param name="P90">90th percentile per month.</param>
public sealed record PathBand(string Key, string Title, string Unit, ImmutableArray<double> P10, ImmutableArray<double> P50, ImmutableArray<double> P90);

/// <summary>Percentile bands of the monthly paths of a sample of trials.</summary>
/// <param name="Trials">Trials re-evaluated.</param>
/// <param name="Months">1…H.</param>
/// <param name="Bands">Cumulative cash flow, price per Mtok, electricity $/kWh, software multiplier m(t), utilization.</param>
public sealed record PathBands(int Trials, ImmutableArray<double> Months, ImmutableArray<PathBand> Bands)
{
    /// <summary>A band by key (<see cref="TrialPaths.CumulativeCashFlow"/> …).</summary>
    public PathBand this[string key] => Bands.First(b => b.Key == key);
}

/// <summary>
/// Monthly paths of a sample of the run's own trials: block 0 is re-sampled with the run's seed and
/// sampling (the same draws as trials 0…n − 1), its first trials re-evaluated with the scalar
/// <see cref="ReferenceModel"/>, and each month's P10/P50/P90 taken across them (Pxx = order statistic of
/// rank ceil(xx/100 · n), as everywhere).
/// </summary>
public static class TrialPaths
{
    /// <summary>Default number of trials re-evaluated.</summary>
    public const int DefaultTrials = 4096;

    /// <summary>Key of the cumulative cash flow band, USD.</summary>
    public const string CumulativeCashFlow = "cumulative_cash_flow";
    /// <summary>Key of the output price band, USD per million tokens.</summary>
    public const string Price = "price_per_million_output_tokens";
    /// <summary>Key of the electricity price band, USD/kWh.</summary>
    public const string Electricity = "electricity_usd_per_kwh";
    /// <summary>Key of the software multiplier m(t) band.</summary>
    public const string SoftwareMultiplier = "software_multiplier";
    /// <summary>Key of the utilization band (ramp included).</summary>
    public const string Utilization = "utilization";

    /// <summary>Bands for a run.</summary>
    public static PathBands Compute(SimulationResult result, int maxTrials = DefaultTrials) =>
        Compute(result.Spec, result.Options.Seed, result.Options.Sampling, result.Trials, maxTrials);

    /// <summary>Bands for the first trials of a run of <paramref name="runTrials"/> trials with this seed and sampling.</summary>
    public static PathBands Compute(SimulationSpec spec, ulong seed, SamplingMethod sampling, long runTrials, int maxTrials = DefaultTrials)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(runTrials, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrials, 1);
        var sampler = new BlockSampler(spec, seed, sampling);
        int blockTrials = (int)Math.Min(BlockSampler.BlockSize, runTrials);
        var cols = sampler.Inputs.Select(_ => new double[BlockSampler.BlockSize]).ToArray();
        sampler.Sample(0, blockTrials, sampler.CreateWorkspace(), cols);
        int n = Math.Min(blockTrials, maxTrials);
        int h = spec.HorizonMonths;
        var ctx = new ModelContext(spec);
        var baseValues = spec.BaseValues();
        var idx = sampler.Inputs.Select(i => (int)i.Param).ToArray();
        const int paths = 5;
        var values = new double[paths][][];
        for (int k = 0; k < paths; k++)
        {
            values[k] = new double[h][];
            for (int t = 0; t < h; t++)
            {
                values[k][t] = new double[n];
            }
        }

        var months = new MonthDetail[h + 1];
        var p = new double[baseValues.Length];
        for (int i = 0; i < n; i++)
        {
            Array.Copy(baseValues, p, p.Length);
            for (int j = 0; j < idx.Length; j++)
            {
                p[idx[j]] = cols[j][i];
            }

            ReferenceModel.Evaluate(ctx, p, default, months);
            for (int t = 1; t <= h; t++)
            {
                var m = months[t];
                values[0][t - 1][i] = m.CumulativeCashFlow;
                values[1][t - 1][i] = m.PricePerMillionOutput;
                values[2][t - 1][i] = m.ElectricityUsdPerKwh;
                values[3][t - 1][i] = m.SoftwareMultiplier;
                values[4][t - 1][i] = m.Utilization;
            }
        }

        (string Key, string Title, string Unit)[] meta =
        [
            (CumulativeCashFlow, "Cumulative cash flow", "USD"),
            (Price, "Blended price per million output tokens", "USD/Mtok"),
            (Electricity, "Electricity price", "USD/kWh"),
            (SoftwareMultiplier, "Software multiplier m(t)", "×"),
            (Utilization, "Utilization (busy share of provisioned hours)", "fraction"),
        ];
        long r10 = OrderStatistics.RankOf(0.1, n), r50 = OrderStatistics.RankOf(0.5, n), r90 = OrderStatistics.RankOf(0.9, n);
        var bands = new List<PathBand>();
        for (int k = 0; k < paths; k++)
        {
            var p10 = new double[h];
            var p50 = new double[h];
            var p90 = new double[h];
            for (int t = 0; t < h; t++)
            {
                var v = values[k][t];
                Array.Sort(v);
                p10[t] = v[r10];
                p50[t] = v[r50];
                p90[t] = v[r90];
            }

            bands.Add(new PathBand(meta[k].Key, meta[k].Title, meta[k].Unit, [.. p10], [.. p50], [.. p90]));
        }

        return new PathBands(n, [.. Enumerable.Range(1, h).Select(t => (double)t)], [.. bands]);
    }
}
