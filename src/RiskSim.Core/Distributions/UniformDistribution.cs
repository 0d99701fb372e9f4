namespace RiskSim.Core.Distributions;

/// <summary>Uniform on [Min, Max].</summary>
public sealed record UniformDistribution(double Min, double Max) : Distribution
{
    public override string Kind => "uniform";
    public override double Lower => Min;
    public override double Upper => Max;
    public override double Quantile(double u) => Min + u * (Max - Min);

    public override void QuantileBlock(ReadOnlySpan<double> u, Span<double> x)
    {
        double w = Max - Min;
        for (int i = 0; i < u.Length; i++)
        {
            x[i] = Min + u[i] * w;
        }
    }

    public override string Describe() => $"uniform({F(Min)}, {F(Max)})";
}
