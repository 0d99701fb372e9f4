using MathNet.Numerics.Distributions;

namespace RiskSim.Core.Distributions;

/// <summary>
/// A normal N(μ, σ) truncated to [lo, hi] on its own scale, sampled by inverse transform on the kept mass:
/// u in (0, 1) maps to the standard score Φ⁻¹(Φ_lo + u·(Φ_hi − Φ_lo)). The one truncation rule of the normal
/// (on x) and the lognormal (on ln x).
/// </summary>
internal readonly struct NormalTruncation
{
    private readonly double _pLo;

    /// <param name="mu">Mean of the normal.</param>
    /// <param name="sigma">Standard deviation of the normal.</param>
    /// <param name="lo">Lower bound on the normal's scale; −∞ for none.</param>
    /// <param name="hi">Upper bound on the normal's scale; +∞ for none.</param>
    public NormalTruncation(double mu, double sigma, double lo, double hi)
    {
        _pLo = double.IsNegativeInfinity(lo) ? 0 : Normal.CDF(mu, sigma, lo);
        double pHi = double.IsPositiveInfinity(hi) ? 1 : Normal.CDF(mu, sigma, hi);
        KeptMass = pHi - _pLo;
    }

    /// <summary>Probability mass kept by the truncation (1 when untruncated).</summary>
    public double KeptMass { get; }

    /// <summary>The standard normal score of the draw at u: Φ⁻¹(Φ_lo + u·<see cref="KeptMass"/>).</summary>
    public double StandardScore(double u) => NormalQuantile.Evaluate(_pLo + u * KeptMass);

    /// <summary>The description suffix " truncated to [lo, hi]" (bounds as the user gave them), or "" when both are infinite.</summary>
    public static string Describe(double lo, double hi) =>
        double.IsInfinity(lo) && double.IsInfinity(hi) ? "" : $" truncated to [{Distribution.F(lo)}, {Distribution.F(hi)}]";
}
