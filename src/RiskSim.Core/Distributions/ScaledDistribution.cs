namespace RiskSim.Core.Distributions;

/// <summary>An inner distribution times a positive constant (e.g. capex per unit ÷ GPUs per unit).</summary>
public sealed record ScaledDistribution(Distribution Inner, double Factor) : Distribution
{
    public override string Kind => Inner.Kind;
    public override double Lower => Inner.Lower * Factor;
    public override double Upper => Inner.Upper * Factor;
    public override bool IsFixed => Inner.IsFixed;
    public override double Quantile(double u) => Inner.Quantile(u) * Factor;

    public override void QuantileBlock(ReadOnlySpan<double> u, Span<double> x)
    {
        Inner.QuantileBlock(u, x);
        for (int i = 0; i < u.Length; i++)
        {
            x[i] *= Factor;
        }
    }

    public override string Describe() => $"{Inner.Describe()} × {F(Factor)}";

    public override void Prepare() => Inner.Prepare();
}
