namespace RiskSim.Core.Distributions;

/// <summary>
/// Discrete / empirical: Values with Probabilities (summing to 1). Quantile is the smallest value whose
/// cumulative probability reaches u (the left-continuous inverse), so the median is the lower median.
/// </summary>
public sealed record DiscreteDistribution : Distribution
{
    private readonly double[] _sorted;
    private readonly double[] _cum;

    /// <summary>Values with their probabilities (summing to 1).</summary>
    public DiscreteDistribution(IReadOnlyList<double> values, IReadOnlyList<double> probabilities)
    {
        var idx = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        _sorted = idx.Select(i => values[i]).ToArray();
        _cum = new double[idx.Length];
        double c = 0;
        for (int k = 0; k < idx.Length; k++)
        {
            c += probabilities[idx[k]];
            _cum[k] = c;
        }

        _cum[^1] = 1.0;
        Values = _sorted.ToArray();
        Probabilities = idx.Select(i => probabilities[i]).ToArray();
    }

    /// <summary>The values, as given.</summary>
    public IReadOnlyList<double> Values { get; }
    /// <summary>Probability of each value.</summary>
    public IReadOnlyList<double> Probabilities { get; }
    /// <inheritdoc/>
    public override string Kind => "discrete";
    /// <inheritdoc/>
    public override double Lower => _sorted[0];
    /// <inheritdoc/>
    public override double Upper => _sorted[^1];

    /// <inheritdoc/>
    public override double Quantile(double u)
    {
        int lo = 0;
        int hi = _cum.Length - 1;
        while (lo < hi)
        {
            int mid = (lo + hi) >> 1;
            if (_cum[mid] >= u)
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }

        return _sorted[lo];
    }

    /// <inheritdoc/>
    public override string Describe() =>
        $"discrete({string.Join(", ", Values.Select((v, i) => $"{F(v)}:{F(Probabilities[i])}"))})";

    /// <inheritdoc/>
    public bool Equals(DiscreteDistribution? other) =>
        other is not null && Values.SequenceEqual(other.Values) && Probabilities.SequenceEqual(other.Probabilities);

    /// <inheritdoc/>
    public override int GetHashCode() => Values.Count;
}
