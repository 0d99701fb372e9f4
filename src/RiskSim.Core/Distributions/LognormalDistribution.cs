namespace RiskSim.Core.Distributions;

/// <summary>Lognormal: ln X ~ Normal(ln Median, Sigma), optionally truncated to [TruncMin, TruncMax].</summary>
public sealed record LognormalDistribution : Distribution
{
    private readonly NormalTruncation _truncation;
    private readonly double _mu;

    /// <summary>Lognormal with the given median and σ of ln X, truncated to [<paramref name="truncMin"/>, <paramref name="truncMax"/>].</summary>
    public LognormalDistribution(double median, double sigma, double truncMin = 0, double truncMax = double.PositiveInfinity)
    {
        MedianParameter = median;
        Sigma = sigma;
        TruncMin = truncMin;
        TruncMax = truncMax;
        _mu = Model.DetMath.Log(median); // RiskSim's log and exp (not the C runtime's): the same draws on every machine
        _truncation = new NormalTruncation(_mu, sigma, truncMin <= 0 ? double.NegativeInfinity : Math.Log(truncMin), Math.Log(truncMax));
    }

    /// <summary>The median of the untruncated lognormal, e^μ.</summary>
    public double MedianParameter { get; }
    /// <summary>Standard deviation of ln X.</summary>
    public double Sigma { get; }
    /// <summary>Lower truncation point.</summary>
    public double TruncMin { get; }
    /// <summary>Upper truncation point.</summary>
    public double TruncMax { get; }
    /// <inheritdoc/>
    public override string Kind => "lognormal";
    /// <inheritdoc/>
    public override double Lower => TruncMin;
    /// <inheritdoc/>
    public override double Upper => TruncMax;

    /// <summary>Probability mass kept by the truncation (1 when untruncated).</summary>
    public double KeptMass => _truncation.KeptMass;

    /// <inheritdoc/>
    public override double Quantile(double u)
    {
        double v = Model.DetMath.Exp(_mu + Sigma * _truncation.StandardScore(u));
        return Math.Clamp(v, TruncMin, TruncMax);
    }

    /// <inheritdoc/>
    public override string Describe() =>
        $"lognormal(median {F(MedianParameter)}, σ(ln) {F(Sigma)}){(TruncMin <= 0 && double.IsPositiveInfinity(TruncMax) ? "" : NormalTruncation.Describe(TruncMin, TruncMax))}";

    /// <inheritdoc/>
    public bool Equals(LognormalDistribution? other) =>
        other is not null && MedianParameter == other.MedianParameter && Sigma == other.Sigma && TruncMin == other.TruncMin && TruncMax == other.TruncMax;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(MedianParameter, Sigma, TruncMin, TruncMax);
}
