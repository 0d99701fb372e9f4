namespace RiskSim.Core.Distributions;

/// <summary>
/// An input that takes, in every trial, the value drawn for another input (e.g. the cached-input price
/// defaulting to the input price). Sampled as fixed at that input's base value; the models read the
/// other input's column instead.
/// </summary>
public sealed record SameDrawDistribution(string OtherPath, double BaseValue) : Distribution
{
    public override string Kind => "same_as";
    public override double Lower => BaseValue;
    public override double Upper => BaseValue;
    public override bool IsFixed => true;
    public override double Quantile(double u) => BaseValue;
    public override void QuantileBlock(ReadOnlySpan<double> u, Span<double> x) => x[..u.Length].Fill(BaseValue);
    public override string Describe() => $"same draw as {OtherPath}";
}
