using System.Collections.Immutable;
using System.Text.Json.Nodes;

namespace RiskSim.Core.Decisions;

/// <summary>
/// A model input as a decision states it: a number, or a distribution of its possible values.
/// </summary>
/// <remarks>
/// A plain <see cref="double"/> converts to a fixed value, so <c>Pue = 1.3</c> and <c>Pue = Uncertain.Pert(1.15, 1.3,
/// 1.5)</c> both work. The parameters are checked when the decision is turned into a spec, by the same rules and with
/// the same messages as a config file (e.g. <c>drivers.utilization.max</c>).
/// </remarks>
public abstract record Uncertain
{
    private protected Uncertain()
    {
    }

    /// <summary>A fixed value.</summary>
    public static implicit operator Uncertain(double value) => new FixedInput(value);

    /// <summary>A fixed value (the same as the number itself).</summary>
    public static Uncertain Fixed(double value) => new FixedInput(value);

    /// <summary>PERT (modified beta) on [min, max] with the given mode; λ = 4 is the classic PERT.</summary>
    public static Uncertain Pert(double min, double mode, double max, double lambda = 4) => new PertInput(min, mode, max, lambda);

    /// <summary>Triangular on [min, max] with the given mode.</summary>
    public static Uncertain Triangular(double min, double mode, double max) => new TriangularInput(min, mode, max);

    /// <summary>Uniform on [min, max].</summary>
    public static Uncertain Uniform(double min, double max) => new UniformInput(min, max);

    /// <summary>Normal with mean and standard deviation, optionally truncated to [min, max].</summary>
    public static Uncertain Normal(double mean, double sd, double? min = null, double? max = null) => new NormalInput(mean, sd, min, max);

    /// <summary>Lognormal with median and σ of ln X, optionally truncated to [min, max] (min defaults to 0).</summary>
    public static Uncertain Lognormal(double median, double sigma, double? min = null, double? max = null) => new LognormalInput(median, sigma, min, max);

    /// <summary>Beta(α, β) scaled to [min, max] (default [0, 1]).</summary>
    public static Uncertain Beta(double alpha, double beta, double? min = null, double? max = null) => new BetaInput(alpha, beta, min, max);

    /// <summary>Discrete values with probabilities (equal weights when none are given: an empirical sample).</summary>
    public static Uncertain Discrete(IEnumerable<double> values, IEnumerable<double>? probabilities = null) =>
        new DiscreteInput([.. values], probabilities is null ? null : [.. probabilities]);

    /// <summary>The input as a config writes it: a number or a distribution object.</summary>
    internal abstract JsonNode ToJson();

    /// <summary>A JSON number; a value that is not finite becomes a string, which the loader reports as not a number.</summary>
    internal static JsonNode Number(double v) =>
        double.IsFinite(v) ? JsonValue.Create(v) : JsonValue.Create(v.ToString(System.Globalization.CultureInfo.InvariantCulture));

    internal static JsonObject Dist(string kind, params (string Key, double? Value)[] parameters)
    {
        var o = new JsonObject { ["dist"] = kind };
        foreach (var (key, value) in parameters)
        {
            if (value is { } v)
            {
                o[key] = Number(v);
            }
        }

        return o;
    }
}

/// <summary>A fixed value.</summary>
public sealed record FixedInput(double Value) : Uncertain
{
    internal override JsonNode ToJson() => Number(Value);
}

/// <summary>PERT (modified beta) on [Min, Max] with the given mode and shape λ.</summary>
public sealed record PertInput(double Min, double Mode, double Max, double Lambda = 4) : Uncertain
{
    internal override JsonNode ToJson() => Dist("pert", ("min", Min), ("mode", Mode), ("max", Max), ("lambda", Lambda == 4 ? null : Lambda));
}

/// <summary>Triangular on [Min, Max] with the given mode.</summary>
public sealed record TriangularInput(double Min, double Mode, double Max) : Uncertain
{
    internal override JsonNode ToJson() => Dist("triangular", ("min", Min), ("mode", Mode), ("max", Max));
}

/// <summary>Uniform on [Min, Max].</summary>
public sealed record UniformInput(double Min, double Max) : Uncertain
{
    internal override JsonNode ToJson() => Dist("uniform", ("min", Min), ("max", Max));
}

/// <summary>Normal, optionally truncated to [Min, Max].</summary>
public sealed record NormalInput(double Mean, double Sd, double? Min = null, double? Max = null) : Uncertain
{
    internal override JsonNode ToJson() => Dist("normal", ("mean", Mean), ("sd", Sd), ("min", Min), ("max", Max));
}

/// <summary>Lognormal with median and σ of ln X, optionally truncated to [Min, Max].</summary>
public sealed record LognormalInput(double Median, double Sigma, double? Min = null, double? Max = null) : Uncertain
{
    internal override JsonNode ToJson() => Dist("lognormal", ("median", Median), ("sigma", Sigma), ("min", Min), ("max", Max));
}

/// <summary>Beta(α, β) scaled to [Min, Max].</summary>
public sealed record BetaInput(double Alpha, double BetaShape, double? Min = null, double? Max = null) : Uncertain
{
    internal override JsonNode ToJson() => Dist("beta", ("alpha", Alpha), ("beta", BetaShape), ("min", Min), ("max", Max));
}

/// <summary>Discrete values with probabilities (null: equal weights).</summary>
public sealed record DiscreteInput(ImmutableArray<double> Values, ImmutableArray<double>? Probabilities = null) : Uncertain
{
    /// <inheritdoc/>
    public bool Equals(DiscreteInput? other) =>
        other is not null && Values.SequenceEqual(other.Values) && (Probabilities is { } p ? other.Probabilities is { } q && p.SequenceEqual(q) : other.Probabilities is null);

    /// <inheritdoc/>
    public override int GetHashCode() => Values.Aggregate(Values.Length, HashCode.Combine);

    internal override JsonNode ToJson()
    {
        var o = new JsonObject { ["dist"] = "discrete", ["values"] = new JsonArray([.. (Values.IsDefault ? [] : Values).Select(Number)]) };
        if (Probabilities is { } p)
        {
            o["probabilities"] = new JsonArray([.. p.Select(Number)]);
        }

        return o;
    }
}
