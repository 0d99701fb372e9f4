namespace RiskSim.Core.Distributions;

/// <summary>A constant: every trial gets the same value.</summary>
public sealed record FixedDistribution(double Value) : Distribution
{
    /// <inheritdoc/>
    public override string Kind => "fixed";
    /// <inheritdoc/>
    public override double Lower => Value;
    /// <inheritdoc/>
    public override double Upper => Value;
    /// <inheritdoc/>
    public override bool IsFixed => true;
    /// <inheritdoc/>
    public override double Quantile(double u) => Value;
    /// <inheritdoc/>
    public override void QuantileBlock(ReadOnlySpan<double> u, Span<double> x) => x[..u.Length].Fill(Value);
    /// <inheritdoc/>
    public override string Describe() => F(Value);
}
