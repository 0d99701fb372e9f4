using MathNet.Numerics.Distributions;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Benchmarks;

/// <summary>
/// The naive Monte Carlo the engine is measured against: one thread, one trial at a time.
/// </summary>
/// <remarks>
/// Each uncertain input draws with MathNet's distribution objects' Sample() (each on its own System.Random), the trial
/// is evaluated by the scalar <see cref="ReferenceModel"/> (Math.Pow per month), and percentiles come from
/// Array.Sort of each KPI column. Plain MC: no LHS, no correlation.
/// </remarks>
internal sealed class ScalarBaseline
{
    private readonly ModelContext _ctx;
    private readonly double[] _constants;
    private readonly Param[] _params;
    private readonly Func<double>[] _draw;

    public ScalarBaseline(SimulationSpec spec, int seed)
    {
        _ctx = new ModelContext(spec);
        _constants = spec.BaseValues();
        var inputs = spec.UncertainInputs;
        _params = [.. inputs.Select(i => i.Param)];
        _draw = [.. inputs.Select((input, j) => Sampler(input.Distribution, new Random(seed + j)))];
    }

    /// <summary>Simulates <paramref name="trials"/> trials and returns a checksum of the statistics.</summary>
    public double Run(int trials)
    {
        var kpis = new double[TrialKpis.CoreCount][];
        for (int k = 0; k < kpis.Length; k++)
        {
            kpis[k] = new double[trials];
        }

        var p = (double[])_constants.Clone();
        for (int i = 0; i < trials; i++)
        {
            for (int j = 0; j < _params.Length; j++)
            {
                p[(int)_params[j]] = _draw[j]();
            }

            var o = ReferenceModel.Evaluate(_ctx, p);
            for (int k = 0; k < kpis.Length; k++)
            {
                kpis[k][i] = o.Kpi(k);
            }
        }

        double checksum = 0;
        foreach (var col in kpis)
        {
            Array.Sort(col); // NaN sorts first
            int nan = 0;
            while (nan < col.Length && double.IsNaN(col[nan]))
            {
                nan++;
            }

            int finite = col.Length - nan;
            if (finite == 0)
            {
                continue;
            }

            double sum = 0;
            for (int i = nan; i < col.Length; i++)
            {
                sum += col[i];
            }

            checksum += sum / finite;
            foreach (double level in KpiStatistics.Levels)
            {
                checksum += col[nan + OrderStatistics.RankOf(level, finite)];
            }
        }

        return checksum;
    }

    private static Func<double> Sampler(Distribution d, Random rng)
    {
        switch (d)
        {
            case ScaledDistribution s:
                var inner = Sampler(s.Inner, rng);
                double f = s.Factor;
                return () => inner() * f;
            case BetaDistribution b: // includes PERT
                var beta = new Beta(b.Alpha, b.Beta, rng);
                double lo = b.Min, w = b.Max - b.Min;
                return () => lo + w * beta.Sample();
            case NormalDistribution n:
                var normal = new Normal(n.Mean, n.Sd, rng);
                return Truncated(normal.Sample, n.TruncMin, n.TruncMax);
            case LognormalDistribution l:
                var logNormal = new LogNormal(Math.Log(l.MedianParameter), l.Sigma, rng);
                return Truncated(logNormal.Sample, l.TruncMin, l.TruncMax);
            case UniformDistribution u:
                var uniform = new ContinuousUniform(u.Min, u.Max, rng);
                return uniform.Sample;
            case TriangularDistribution t:
                var triangular = new Triangular(t.Min, t.Max, t.Mode, rng);
                return triangular.Sample;
            case DiscreteDistribution c:
                var categorical = new Categorical([.. c.Probabilities], rng);
                var values = c.Values.ToArray();
                return () => values[categorical.Sample()];
            default:
                throw new NotSupportedException(d.Kind);
        }
    }

    private static Func<double> Truncated(Func<double> sample, double lo, double hi) => () =>
    {
        while (true)
        {
            double v = sample();
            if (v >= lo && v <= hi)
            {
                return v;
            }
        }
    };
}
