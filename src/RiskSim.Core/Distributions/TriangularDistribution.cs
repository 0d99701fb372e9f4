namespace RiskSim.Core.Distributions;

/// <summary>Triangular with Min ≤ Mode ≤ Max, Min &lt; Max.</summary>
public sealed record TriangularDistribution(double Min, double Mode, double Max) : Distribution
{
    /// <inheritdoc/>
    public override string Kind => "triangular";
    /// <inheritdoc/>
    public override double Lower => Min;
    /// <inheritdoc/>
    public override double Upper => Max;

    /// <inheritdoc/>
    public override double Quantile(double u)
    {
        double w = Max - Min;
        double fc = (Mode - Min) / w;
        return u < fc
            ? Min + Math.Sqrt(u * w * (Mode - Min))
            : Max - Math.Sqrt((1 - u) * w * (Max - Mode));
    }

    /// <inheritdoc/>
    public override string Describe() => $"triangular(min {F(Min)}, mode {F(Mode)}, max {F(Max)})";
}
