namespace RiskSim.Bench.Internal;

/// <summary>Quantiles of sorted samples, by linear interpolation between order statistics (numpy's default, which vLLM, SGLang and AIPerf use).</summary>
internal static class Quantiles
{
    /// <summary>The <paramref name="q"/>-quantile (0 ≤ q ≤ 1) of ascending <paramref name="sorted"/>; null when empty.</summary>
    public static double? Of(ReadOnlySpan<double> sorted, double q)
    {
        if (sorted.IsEmpty)
        {
            return null;
        }

        double h = (sorted.Length - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }

    public static double? Mean(ReadOnlySpan<double> values)
    {
        if (values.IsEmpty)
        {
            return null;
        }

        double s = 0;
        foreach (var v in values)
        {
            s += v;
        }

        return s / values.Length;
    }
}
