namespace RiskSim.Core.Distributions;

/// <summary>
/// An input that takes, in every trial, the value drawn for another input (e.g. the cached-input price
/// defaulting to the input price). Sampled as fixed at that input's base value; the models read the
/// other input's column instead.
/// </summary>
public sealed record SameDrawDistribution(string OtherPath, double BaseValue) : Distribution
{
    /// <inheritdoc/>
    public override string Kind => "same_as";
    /// <inheritdoc/>
    public override double Lower => BaseValue;
    /// <inheritdoc/>
    public override double Upper => BaseValue;
    /// <inheritdoc/>
    public override bool IsFixed => true;
    /// <inheritdoc/>
    public override double Quantile(double u) => BaseValue;
    /// <inheritdoc/>
    public override void QuantileBlock(ReadOnlySpan<double> u, Span<double> x) => x[..u.Length].Fill(BaseValue);
    /// <inheritdoc/>
    public override string Describe() => $"same draw as {OtherPath}";
}
