namespace RiskSim.Core.Distributions;

/// <summary>PERT (Vose's modified PERT with λ, default 4) on [Min, Max] with the given Mode.</summary>
public sealed record PertDistribution : BetaDistribution
{
    /// <summary>PERT on [<paramref name="min"/>, <paramref name="max"/>] with the given mode; shapes 1 + λ·(mode − min)/(max − min) and 1 + λ·(max − mode)/(max − min).</summary>
    public PertDistribution(double min, double mode, double max, double lambda = 4)
        : base(1 + lambda * (mode - min) / (max - min), 1 + lambda * (max - mode) / (max - min), min, max)
    {
        Mode = mode;
        Lambda = lambda;
    }

    /// <summary>Most likely value.</summary>
    public double Mode { get; }
    /// <summary>Shape λ (4 is the classic PERT).</summary>
    public double Lambda { get; }
    /// <inheritdoc/>
    public override string Kind => "pert";
    /// <inheritdoc/>
    public override string Describe() =>
        $"PERT(min {F(Min)}, mode {F(Mode)}, max {F(Max)}{(Lambda == 4 ? "" : $", λ {F(Lambda)}")})";
}
