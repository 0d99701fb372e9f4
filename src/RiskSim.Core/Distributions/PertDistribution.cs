namespace RiskSim.Core.Distributions;

/// <summary>PERT (Vose's modified PERT with λ, default 4) on [Min, Max] with the given Mode.</summary>
public sealed record PertDistribution : BetaDistribution
{
    public PertDistribution(double min, double mode, double max, double lambda = 4)
        : base(1 + lambda * (mode - min) / (max - min), 1 + lambda * (max - mode) / (max - min), min, max)
    {
        Mode = mode;
        Lambda = lambda;
    }

    public double Mode { get; }
    public double Lambda { get; }
    public override string Kind => "pert";
    public override string Describe() =>
        $"PERT(min {F(Min)}, mode {F(Mode)}, max {F(Max)}{(Lambda == 4 ? "" : $", λ {F(Lambda)}")})";
}
