using System.Collections.Immutable;
using RiskSim.Reporting;

namespace RiskSim.Charts.Tests;

/// <summary>Realistic synthetic chart data (fixed seed).</summary>
internal static class SampleData
{
    private static double Normal(Random rng, double mean, double sd)
    {
        double u1 = 1 - rng.NextDouble();
        double u2 = rng.NextDouble();
        return mean + sd * Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
    }

    private static double Percentile(double[] sorted, double p)
    {
        double h = (sorted.Length - 1) * p;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    internal static double[] Npv(int seed, int n = 5000, double mean = 11e6, double sd = 7e6)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, n).Select(_ => Math.Clamp(Normal(rng, mean, sd) + 3e6 * Math.Pow(rng.NextDouble(), 3), -5e6, 30e6)).Order().ToArray();
    }

    internal static TornadoData Tornado() => new("npv_usd", "NPV", "USD", 11.4e6,
    [
        new TornadoBar("drivers.utilization", "Utilization", "util 0.45", "0.82", -2.1e6, 24.9e6),
        new TornadoBar("prices.output", "Output price", "$1.10/Mtok", "$2.40/Mtok", 1.8e6, 21.0e6),
        new TornadoBar("hardware.throughput", "Throughput", "1,900 tok/s", "3,100 tok/s", 4.2e6, 17.3e6),
        new TornadoBar("costs.electricity", "Electricity price", "$0.06/kWh", "$0.14/kWh", 13.9e6, 8.1e6),
        new TornadoBar("finance.discount_rate", "Discount rate", "8 %", "14 %", 13.0e6, 9.9e6),
        new TornadoBar("hardware.failure_rate", "GPU failure rate", "1 %", "6 %", 11.9e6, 10.6e6),
        new TornadoBar("ops.staff", "Staff cost", "same", "same", 11.4e6, 11.4e6),
    ]);

    internal static DistributionData NpvDistribution()
    {
        double[] v = Npv(1);
        return new("npv_usd", "NPV", "USD", [.. v], Percentile(v, 0.1), Percentile(v, 0.5), Percentile(v, 0.9), v.Length, 0, "");
    }

    internal static DistributionData Payback()
    {
        var rng = new Random(2);
        const int trials = 5000;
        var all = Enumerable.Range(0, trials).Select(_ => rng.NextDouble() < 0.1 ? double.NaN : Math.Clamp(Math.Round(Normal(rng, 22, 10)), 6, 60)).ToArray();
        double[] v = all.Where(double.IsFinite).Order().ToArray();
        return new("payback_months", "Payback", "months", [.. v], Percentile(v, 0.1), Percentile(v, 0.5), Percentile(v, 0.9), trials, trials - v.Length, "never within 60 months");
    }

    internal static SCurveData SCurve() => new("npv_usd", "NPV", "USD",
    [
        new SCurveSeries("base (8 × H100)", [.. Npv(3)]),
        new SCurveSeries("lease (8 × H100)", [.. Npv(4, mean: 8e6, sd: 4e6)]),
        new SCurveSeries("buy (16 × H200)", [.. Npv(5, mean: 14e6, sd: 10e6)]),
    ]);

    internal static FanData CashFlowFan()
    {
        double[] months = Enumerable.Range(0, 61).Select(m => (double)m).ToArray();
        double[] p50 = months.Select(m => -12e6 + m * 0.55e6).ToArray();
        double[] p10 = months.Select((m, i) => p50[i] - m * 0.18e6).ToArray();
        double[] p90 = months.Select((m, i) => p50[i] + m * 0.2e6).ToArray();
        return new("fan-cash-flow", "Cumulative cash flow by month", "cumulative cash flow (USD)", [.. months], [.. p10], [.. p50], [.. p90], 0, "break-even");
    }

    internal static FanData UtilizationFan()
    {
        double[] months = Enumerable.Range(1, 60).Select(m => (double)m).ToArray();
        double[] p50 = months.Select(m => 0.5 + 0.25 * (1 - Math.Exp(-m / 12))).ToArray();
        return new("fan-utilization", "GPU utilization by month", "utilization (fraction of capacity)", [.. months],
            [.. p50.Select(x => x - 0.12)], [.. p50], [.. p50.Select(x => Math.Min(1, x + 0.1))], null, null);
    }

    internal static SpiderData Spider()
    {
        double[] pct = [10, 20, 30, 40, 50, 60, 70, 80, 90];
        return new("npv_usd", "NPV", "USD", 11.4e6,
        [
            new SpiderLine("Utilization", [.. pct], [.. pct.Select(p => 11.4e6 + (p - 50) * 0.6e6)]),
            new SpiderLine("Output price", [.. pct], [.. pct.Select(p => 11.4e6 + (p - 50) * 0.45e6)]),
            new SpiderLine("Throughput", [.. pct], [.. pct.Select(p => 11.4e6 + (p - 50) * 0.3e6 - Math.Abs(p - 50) * 0.02e6)]),
            new SpiderLine("Electricity price", [.. pct], [.. pct.Select(p => 11.4e6 - (p - 50) * 0.14e6)]),
        ]);
    }
}
