namespace RiskSim.Core.Distributions;

/// <summary>Normal(Mean, Sd), optionally truncated to [TruncMin, TruncMax].</summary>
public sealed record NormalDistribution : Distribution
{
    private readonly NormalTruncation _truncation;

    /// <summary>Normal(μ, σ), truncated to [<paramref name="truncMin"/>, <paramref name="truncMax"/>] (unbounded by default).</summary>
    public NormalDistribution(double mean, double sd, double truncMin = double.NegativeInfinity, double truncMax = double.PositiveInfinity)
    {
        Mean = mean;
        Sd = sd;
        TruncMin = truncMin;
        TruncMax = truncMax;
        _truncation = new NormalTruncation(mean, sd, truncMin, truncMax);
    }

    /// <summary>Mean μ before truncation.</summary>
    public double Mean { get; }
    /// <summary>Standard deviation σ before truncation.</summary>
    public double Sd { get; }
    /// <summary>Lower truncation point.</summary>
    public double TruncMin { get; }
    /// <summary>Upper truncation point.</summary>
    public double TruncMax { get; }
    /// <inheritdoc/>
    public override string Kind => "normal";
    /// <inheritdoc/>
    public override double Lower => TruncMin;
    /// <inheritdoc/>
    public override double Upper => TruncMax;

    /// <summary>Probability mass kept by the truncation (1 when untruncated).</summary>
    public double KeptMass => _truncation.KeptMass;

    /// <inheritdoc/>
    public override double Quantile(double u)
    {
        double v = Mean + Sd * _truncation.StandardScore(u);
        return Math.Clamp(v, TruncMin, TruncMax);
    }

    /// <inheritdoc/>
    public override string Describe() => $"normal(mean {F(Mean)}, sd {F(Sd)}){NormalTruncation.Describe(TruncMin, TruncMax)}";

    /// <inheritdoc/>
    public bool Equals(NormalDistribution? other) =>
        other is not null && Mean == other.Mean && Sd == other.Sd && TruncMin == other.TruncMin && TruncMax == other.TruncMax;

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Mean, Sd, TruncMin, TruncMax);
}
