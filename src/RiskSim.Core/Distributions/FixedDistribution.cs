namespace RiskSim.Core.Distributions;

/// <summary>A constant: every trial gets the same value.</summary>
public sealed record FixedDistribution(double Value) : Distribution
{
    public override string Kind => "fixed";
    public override double Lower => Value;
    public override double Upper => Value;
    public override bool IsFixed => true;
    public override double Quantile(double u) => Value;
    public override void QuantileBlock(ReadOnlySpan<double> u, Span<double> x) => x[..u.Length].Fill(Value);
    public override string Describe() => F(Value);
}
