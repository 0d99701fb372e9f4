namespace RiskSim.Core.Distributions;

/// <summary>An inner distribution times a positive constant (e.g. capex per unit ÷ GPUs per unit).</summary>
public sealed record ScaledDistribution(Distribution Inner, double Factor) : Distribution
{
    /// <inheritdoc/>
    public override string Kind => Inner.Kind;
    /// <inheritdoc/>
    public override double Lower => Inner.Lower * Factor;
    /// <inheritdoc/>
    public override double Upper => Inner.Upper * Factor;
    /// <inheritdoc/>
    public override bool IsFixed => Inner.IsFixed;
    /// <inheritdoc/>
    public override double Quantile(double u) => Inner.Quantile(u) * Factor;

    /// <inheritdoc/>
    public override void QuantileBlock(ReadOnlySpan<double> u, Span<double> x)
    {
        Inner.QuantileBlock(u, x);
        for (int i = 0; i < u.Length; i++)
        {
            x[i] *= Factor;
        }
    }

    /// <inheritdoc/>
    public override string Describe() => $"{Inner.Describe()} × {F(Factor)}";

    /// <inheritdoc/>
    public override void Prepare() => Inner.Prepare();
}
