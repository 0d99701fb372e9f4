using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace RiskSim.Benchmarks;

/// <summary>
/// Trials one benchmark operation simulates: a fixed <see cref="Count"/>, or the benchmark's <c>Trials</c>
/// parameter divided by <see cref="Divisor"/> (a baseline that runs fewer trials than the engine).
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class TrialsPerOpAttribute : Attribute
{
    public long Count { get; set; }

    public int Divisor { get; set; } = 1;
}

/// <summary>Shared logic: trials per operation and trials per second of a benchmark case.</summary>
internal static class TrialRates
{
    public static long? TrialsPerOp(BenchmarkCase bc)
    {
        var attr = bc.Descriptor.WorkloadMethod.GetCustomAttribute<TrialsPerOpAttribute>();
        if (attr is { Count: > 0 })
        {
            return attr.Count;
        }

        var p = bc.Parameters.Items.FirstOrDefault(i => i.Name == "Trials");
        if (p?.Value is int t)
        {
            return t / (attr?.Divisor ?? 1);
        }

        return null;
    }

    /// <summary>Trials per second from the mean time of one operation (already per invoke, i.e. divided by OperationsPerInvoke).</summary>
    public static double? PerSecond(Summary summary, BenchmarkCase bc)
    {
        var report = summary[bc];
        var stats = report?.ResultStatistics;
        long? trials = TrialsPerOp(bc);
        if (stats is null || trials is null || stats.Mean <= 0)
        {
            return null;
        }

        return trials.Value / (stats.Mean * 1e-9);
    }

    public static BenchmarkCase? BaselineOf(Summary summary, BenchmarkCase bc) =>
        summary.BenchmarksCases.FirstOrDefault(c =>
            c.Descriptor.Type == bc.Descriptor.Type && c.Descriptor.Baseline && c.Job == bc.Job && c.Parameters.DisplayInfo == bc.Parameters.DisplayInfo);
}

/// <summary>Trials per second, from Mean and the trials one operation simulates.</summary>
public sealed class TrialsPerSecondColumn : IColumn
{
    public string Id => nameof(TrialsPerSecondColumn);
    public string ColumnName => "Trials/s";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 0;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Trials simulated per second: trials per operation / Mean";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) =>
        TrialRates.PerSecond(summary, benchmarkCase) is { } r ? Format(r) : "-";

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => TrialRates.TrialsPerOp(c) is not null);

    internal static string Format(double r) => r >= 1e6
        ? (r / 1e6).ToString("F2", CultureInfo.InvariantCulture) + " M"
        : r >= 1e3 ? (r / 1e3).ToString("F1", CultureInfo.InvariantCulture) + " k" : r.ToString("F0", CultureInfo.InvariantCulture);
}

/// <summary>Per-trial speed-up over the baseline of the same class and parameters (fair when the baseline runs fewer trials).</summary>
public sealed class PerTrialSpeedupColumn : IColumn
{
    public string Id => nameof(PerTrialSpeedupColumn);
    public string ColumnName => "Speed-up/trial";
    public bool AlwaysShow => true;
    public ColumnCategory Category => ColumnCategory.Custom;
    public int PriorityInCategory => 1;
    public bool IsNumeric => true;
    public UnitType UnitType => UnitType.Dimensionless;
    public string Legend => "Trials/s of this benchmark ÷ Trials/s of the baseline in the same class and parameters";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var baseline = TrialRates.BaselineOf(summary, benchmarkCase);
        if (baseline is null || TrialRates.PerSecond(summary, benchmarkCase) is not { } r || TrialRates.PerSecond(summary, baseline) is not { } b)
        {
            return "-";
        }

        return (r / b).ToString("F1", CultureInfo.InvariantCulture) + "×";
    }

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public bool IsAvailable(Summary summary) => summary.BenchmarksCases.Any(c => c.Descriptor.Baseline && TrialRates.TrialsPerOp(c) is not null);
}
