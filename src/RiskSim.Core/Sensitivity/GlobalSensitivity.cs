using System.Collections.Immutable;
using MathNet.Numerics.LinearAlgebra;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Sensitivity;

/// <summary>Global measures of one input against one KPI, from the trials themselves.</summary>
/// <param name="Path">Input path.</param>
/// <param name="Label">Display label.</param>
/// <param name="Spearman">Spearman rank correlation of the input with the KPI (ties get average ranks).</param>
/// <param name="Src">Standardized regression coefficient: the OLS slope on standardized input and KPI (b·σ_x/σ_y).</param>
public sealed record GlobalMeasure(string Path, string Label, double Spearman, double Src)
{
    /// <summary>SRC²: the share of the KPI's variance explained by this input alone when the inputs are independent and the model is close to linear.</summary>
    public double SrcSquared => Src * Src;
}

/// <summary>Global measures for one KPI, sorted by |SRC| (largest first).</summary>
/// <param name="Kpi">The KPI.</param>
/// <param name="TrialsUsed">Trials where the KPI exists among those analysed.</param>
/// <param name="RSquared">R² of the linear regression of the standardized KPI on the standardized inputs: how linear the model is.</param>
/// <param name="Measures">One per uncertain input.</param>
/// <param name="Note">Why the KPI is missing or what was dropped, or null.</param>
public sealed record GlobalSensitivityKpi(TrialKpi Kpi, long TrialsUsed, double RSquared, ImmutableArray<GlobalMeasure> Measures, string? Note);

/// <summary>Global sensitivity of a run.</summary>
/// <param name="TrialsAnalysed">Trials re-sampled and analysed (the run's first trials, trial indices 0…m − 1).</param>
/// <param name="Blocks">Blocks of <see cref="BlockSampler.BlockSize"/> re-sampled.</param>
/// <param name="TrialsInRun">Trials of the run.</param>
/// <param name="Kpis">Per KPI.</param>
public sealed record GlobalSensitivityResult(long TrialsAnalysed, int Blocks, long TrialsInRun, ImmutableArray<GlobalSensitivityKpi> Kpis);

/// <summary>
/// Global sensitivity from the Monte Carlo trials themselves (spec §7): Spearman rank correlation and standardized
/// regression coefficients (OLS on standardized values, MathNet QR) of every uncertain input against NPV and net ROI,
/// with R².
/// </summary>
/// <remarks>
/// The inputs of the first blocks are re-sampled with <see cref="BlockSampler"/> with the run's seed and sampling,
/// which reproduces exactly the draws of trial indices 0…m − 1 of the run (block streams are keyed by seed, input and
/// block), so the inputs line up with the stored KPI columns. At most <see cref="DefaultMaxTrials"/> trials (4 blocks)
/// are used for speed.
/// </remarks>
public static class GlobalSensitivity
{
    /// <summary>Default cap on the trials analysed: 4 blocks of 16,384.</summary>
    public const int DefaultMaxTrials = 4 * BlockSampler.BlockSize;

    /// <summary>The KPIs analysed by default: NPV and net ROI.</summary>
    public static readonly ImmutableArray<int> DefaultKpis = [TrialKpis.Npv, TrialKpis.NetRoi];

    /// <summary>Re-samples the inputs of the first trials of <paramref name="result"/>: column j = uncertain input j (spec.UncertainInputs order).</summary>
    public static (double[][] Inputs, int Trials, int Blocks) ResampleInputs(SimulationResult result, int maxTrials = DefaultMaxTrials)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxTrials, 1);
        var sampler = new BlockSampler(result.Spec, result.Options.Seed, result.Options.Sampling);
        const int b = BlockSampler.BlockSize;
        long runTrials = result.KeptTrials; // a two-pass run keeps only its first trials
        int m = (int)Math.Min(runTrials, maxTrials);

        // Whole blocks, each sampled with the size it had in the run (LHS strata depend on it); only when
        // the cap is below one block is block 0 truncated to its first trials.
        int blocks = 0;
        int used = 0;
        while (used < m)
        {
            int n = (int)Math.Min(b, runTrials - (long)blocks * b);
            if (used + n > m)
            {
                if (used == 0)
                {
                    used = m;
                    blocks = 1;
                }

                break;
            }

            used += n;
            blocks++;
        }

        m = used;
        var inputs = sampler.Inputs.Select(_ => new double[m]).ToArray();
        var ws = sampler.CreateWorkspace();
        var scratch = sampler.Inputs.Select(_ => new double[b]).ToArray();
        for (int blk = 0; blk < blocks; blk++)
        {
            int n = (int)Math.Min(b, runTrials - (long)blk * b);
            sampler.Sample(blk, n, ws, scratch);
            for (int j = 0; j < scratch.Length; j++)
            {
                Array.Copy(scratch[j], 0, inputs[j], blk * b, Math.Min(n, m - blk * b));
            }
        }

        return (inputs, m, blocks);
    }

    /// <summary>Computes the global measures of <paramref name="kpiColumns"/> (default NPV and net ROI) on the first trials of a run.</summary>
    public static GlobalSensitivityResult Compute(SimulationResult result, IReadOnlyList<int>? kpiColumns = null, int maxTrials = DefaultMaxTrials)
    {
        kpiColumns ??= DefaultKpis;
        var (inputs, m, blocks) = ResampleInputs(result, maxTrials);
        var specs = result.Spec.UncertainInputs;
        var names = specs.Select(i => i.Path).ToArray();
        var labels = specs.Select(InputLabels.Of).ToArray();
        var list = new List<GlobalSensitivityKpi>();
        foreach (int k in kpiColumns)
        {
            var kpi = TrialKpis.All[k];
            var y = result.Kpis[k];
            var keep = new List<int>(m);
            for (int i = 0; i < m; i++)
            {
                if (double.IsFinite(y[i]))
                {
                    keep.Add(i);
                }
            }

            if (keep.Count < Math.Max(10, names.Length + 2))
            {
                list.Add(new GlobalSensitivityKpi(kpi, keep.Count, double.NaN, [], $"{kpi.Title} exists in too few trials ({keep.Count}) to analyse: {MonteCarloEngine.NullReason(result.Spec, k)}."));
                continue;
            }

            // Every trial kept: the input columns themselves, so each is ranked once for all KPIs (RanksOf caches by array).
            var x = keep.Count == m ? inputs : inputs.Select(col => keep.Select(i => col[i]).ToArray()).ToArray();
            var yy = keep.Select(i => y[i]).ToArray();
            var (measures, r2) = Analyze(names, labels, x, yy);
            string? note = keep.Count < m ? $"{m - keep.Count} of {m} trials where {kpi.Title} does not exist were left out." : null;
            list.Add(new GlobalSensitivityKpi(kpi, keep.Count, r2, measures, note));
        }

        return new GlobalSensitivityResult(m, blocks, result.Trials, [.. list]);
    }

    /// <summary>
    /// Spearman rank correlations and standardized regression coefficients of <paramref name="y"/> on the
    /// columns of <paramref name="x"/>, with the R² of the standardized regression. Columns without
    /// variance get 0 and are left out of the regression. Sorted by |SRC|, then |Spearman|, then path.
    /// </summary>
    public static (ImmutableArray<GlobalMeasure> Measures, double RSquared) Analyze(IReadOnlyList<string> names, IReadOnlyList<string> labels, IReadOnlyList<double[]> x, double[] y)
    {
        int n = y.Length;
        int p = x.Count;
        var (my, sy) = MeanSd(y);
        var spearman = new double[p];
        var src = new double[p];
        var active = new List<int>();
        var zs = new List<double[]>();
        for (int j = 0; j < p; j++)
        {
            var (mx, sx) = MeanSd(x[j]);
            if (!(sx > 0) || !(sy > 0))
            {
                continue;
            }

            spearman[j] = MathNet.Numerics.Statistics.Correlation.Pearson(RanksOf(x[j]), RanksOf(y)); // Spearman = Pearson of average ranks
            var z = new double[n];
            for (int i = 0; i < n; i++)
            {
                z[i] = (x[j][i] - mx) / sx;
            }

            active.Add(j);
            zs.Add(z);
        }

        double r2 = double.NaN;
        if (active.Count > 0 && sy > 0 && n > active.Count + 1)
        {
            var zy = new double[n];
            for (int i = 0; i < n; i++)
            {
                zy[i] = (y[i] - my) / sy;
            }

            var design = Matrix<double>.Build.DenseOfColumnArrays(zs);
            var target = Vector<double>.Build.Dense(zy);
            var beta = design.QR().Solve(target);
            for (int a = 0; a < active.Count; a++)
            {
                src[active[a]] = beta[a];
            }

            var fitted = design * beta;
            double ssRes = 0, ssTot = 0;
            for (int i = 0; i < n; i++)
            {
                double e = zy[i] - fitted[i];
                ssRes += e * e;
                ssTot += zy[i] * zy[i];
            }

            r2 = ssTot > 0 ? 1 - ssRes / ssTot : double.NaN;
        }

        var measures = Enumerable.Range(0, p)
            .Select(j => new GlobalMeasure(names[j], labels[j], spearman[j], src[j]))
            .OrderByDescending(g => Math.Abs(g.Src))
            .ThenByDescending(g => Math.Abs(g.Spearman))
            .ThenBy(g => g.Path, StringComparer.Ordinal)
            .ToImmutableArray();
        return (measures, r2);
    }

    private static (double Mean, double Sd) MeanSd(double[] v)
    {
        if (v.Length < 2)
        {
            return (v.Length == 1 ? v[0] : 0, 0);
        }

        double mean = 0;
        foreach (double a in v)
        {
            mean += a;
        }

        mean /= v.Length;
        double ss = 0;
        foreach (double a in v)
        {
            double d = a - mean;
            ss += d * d;
        }

        return (mean, Math.Sqrt(ss / (v.Length - 1)));
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<double[], double[]> RankCache = [];

    /// <summary>Average ranks (ties share the mean of their positions), cached per array: each input is ranked once for all KPIs.</summary>
    internal static double[] RanksOf(double[] v) => RankCache.GetValue(v, static a =>
    {
        int n = a.Length;
        var keys = (double[])a.Clone();
        var idx = new int[n];
        for (int i = 0; i < n; i++)
        {
            idx[i] = i;
        }

        Array.Sort(keys, idx);
        var ranks = new double[n];
        for (int i = 0; i < n;)
        {
            int j = i;
            while (j + 1 < n && keys[j + 1] == keys[i])
            {
                j++;
            }

            double r = 0.5 * (i + j) + 1;
            for (int k = i; k <= j; k++)
            {
                ranks[idx[k]] = r;
            }

            i = j + 1;
        }

        return ranks;
    });
}
