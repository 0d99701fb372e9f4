namespace RiskSim.Core.Distributions;

/// <summary>Normal(Mean, Sd), optionally truncated to [TruncMin, TruncMax].</summary>
public sealed record NormalDistribution : Distribution
{
    private readonly NormalTruncation _truncation;

    public NormalDistribution(double mean, double sd, double truncMin = double.NegativeInfinity, double truncMax = double.PositiveInfinity)
    {
        Mean = mean;
        Sd = sd;
        TruncMin = truncMin;
        TruncMax = truncMax;
        _truncation = new NormalTruncation(mean, sd, truncMin, truncMax);
    }

    public double Mean { get; }
    public double Sd { get; }
    public double TruncMin { get; }
    public double TruncMax { get; }
    public override string Kind => "normal";
    public override double Lower => TruncMin;
    public override double Upper => TruncMax;

    /// <summary>Probability mass kept by the truncation (1 when untruncated).</summary>
    public double KeptMass => _truncation.KeptMass;

    public override double Quantile(double u)
    {
        double v = Mean + Sd * _truncation.StandardScore(u);
        return Math.Clamp(v, TruncMin, TruncMax);
    }

    public override string Describe() => $"normal(mean {F(Mean)}, sd {F(Sd)}){NormalTruncation.Describe(TruncMin, TruncMax)}";

    public bool Equals(NormalDistribution? other) =>
        other is not null && Mean == other.Mean && Sd == other.Sd && TruncMin == other.TruncMin && TruncMax == other.TruncMax;

    public override int GetHashCode() => HashCode.Combine(Mean, Sd, TruncMin, TruncMax);
}
