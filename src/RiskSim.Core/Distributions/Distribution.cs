using System.Globalization;

namespace RiskSim.Core.Distributions;

/// <summary>
/// A validated, immutable univariate distribution of one uncertain input.
/// </summary>
/// <remarks>
/// Every distribution is sampled by inverse transform: <see cref="Quantile"/> maps a uniform u in (0,1) to a value, so
/// Latin hypercube strata, Iman–Conover reordering and common random numbers all work on the uniforms.
/// <see cref="Quantile"/> is the exact reference (MathNet where a closed form does not exist);
/// <see cref="QuantileBlock"/> is the bulk path used by the Monte Carlo engine and is tested against it. Instances are
/// thread-safe.
/// </remarks>
public abstract record Distribution
{
    /// <summary>Config name of the family: pert, triangular, uniform, normal, lognormal, beta, discrete, fixed.</summary>
    public abstract string Kind { get; }

    /// <summary>Smallest value a draw can take (may be −∞).</summary>
    public abstract double Lower { get; }

    /// <summary>Largest value a draw can take (may be +∞).</summary>
    public abstract double Upper { get; }

    /// <summary>True when every draw is the same value.</summary>
    public virtual bool IsFixed => false;

    /// <summary>The base value used by deterministic evaluation and tornado: the median, Q(0.5).</summary>
    public double Median => Quantile(0.5);

    /// <summary>Exact quantile (inverse CDF) at u in (0, 1).</summary>
    public abstract double Quantile(double u);

    /// <summary>Bulk quantiles: <paramref name="x"/>[i] = Q(<paramref name="u"/>[i]).</summary>
    public virtual void QuantileBlock(ReadOnlySpan<double> u, Span<double> x)
    {
        if (x.Length < u.Length)
        {
            throw new ArgumentException("output shorter than input", nameof(x));
        }

        for (int i = 0; i < u.Length; i++)
        {
            x[i] = Quantile(u[i]);
        }
    }

    /// <summary>Human-readable description with parameters, invariant culture.</summary>
    public abstract string Describe();

    /// <summary>Builds any lookup tables the bulk path needs (otherwise built on first use). Thread-safe.</summary>
    public virtual void Prepare()
    {
    }

    /// <summary>A parameter as descriptions print it: six significant digits, invariant culture.</summary>
    internal static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
