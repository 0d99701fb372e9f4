namespace RiskSim.Core.Distributions;

/// <summary>Uniform on [Min, Max].</summary>
public sealed record UniformDistribution(double Min, double Max) : Distribution
{
    /// <inheritdoc/>
    public override string Kind => "uniform";
    /// <inheritdoc/>
    public override double Lower => Min;
    /// <inheritdoc/>
    public override double Upper => Max;
    /// <inheritdoc/>
    public override double Quantile(double u) => Min + u * (Max - Min);

    /// <inheritdoc/>
    public override void QuantileBlock(ReadOnlySpan<double> u, Span<double> x)
    {
        double w = Max - Min;
        for (int i = 0; i < u.Length; i++)
        {
            x[i] = Min + u[i] * w;
        }
    }

    /// <inheritdoc/>
    public override string Describe() => $"uniform({F(Min)}, {F(Max)})";
}
