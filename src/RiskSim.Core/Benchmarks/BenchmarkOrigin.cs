using System.Collections.Immutable;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Benchmarks;

/// <summary>A benchmark file a config's operating point was read from.</summary>
/// <param name="Path">The path as the config gives it (relative to the config file).</param>
/// <param name="Sha256">SHA-256 of the file's bytes, lower-case hex.</param>
/// <param name="Format">The reader that read it (e.g. "vllm-json", "risksim-csv").</param>
/// <param name="Points">Points it contributed to the frontier (after the filter).</param>
public sealed record BenchmarkFile(string Path, string Sha256, string Format, int Points);

/// <summary>One operating-point field filled from benchmark files.</summary>
/// <param name="Field">Config path, e.g. "operating_point.output_tokens_per_s_per_gpu".</param>
/// <param name="Value">The value written (the base value when the field became a distribution).</param>
/// <param name="Unit">Unit, e.g. "tok/s/GPU".</param>
/// <param name="From">Where it came from in words: the rows, measured or interpolated, the statistic.</param>
/// <param name="OverriddenBy">When a --set replaced it: the override text; else null.</param>
public sealed record OperatingPointFigure(string Field, double Value, string Unit, string From, string? OverriddenBy = null);

/// <summary>
/// Where a config's operating point came from when it starts from benchmark files
/// (<c>operating_point.from_benchmarks</c>): the files with their SHA-256, the frontier and SLA choice, each figure
/// written and how the throughput spread was set.
/// </summary>
/// <remarks>
/// Carried by <see cref="Spec.SimulationSpec.Benchmarks"/> into every report. Immutable.
/// </remarks>
/// <param name="Files">Every file read, in the config's order.</param>
/// <param name="Group">What the points have in common, e.g. "model gpt-oss-120b, hardware mi355x, tool vllm".</param>
/// <param name="GpuCount">GPUs per measured point and where that came from, e.g. "16 (from the files)".</param>
/// <param name="Frontier">The frontier and the choice at the SLA (its <see cref="FrontierResult.Choice"/> is not null).</param>
/// <param name="Figures">Every operating-point field written from the files.</param>
/// <param name="Spread">How the throughput's uncertainty was set, in words (empirical over runs, stated in the config, or none).</param>
/// <param name="Warnings">Warnings from reading the files and building the frontier (partial failures, mixed profiles …).</param>
public sealed record BenchmarkOrigin(
    ImmutableArray<BenchmarkFile> Files,
    string Group,
    string GpuCount,
    FrontierResult Frontier,
    ImmutableArray<OperatingPointFigure> Figures,
    string Spread,
    ImmutableArray<string> Warnings)
{
    /// <summary>The chosen point.</summary>
    public FrontierChoice Choice => Frontier.Choice ?? throw new InvalidOperationException("a benchmark origin always has a choice");

    /// <summary>The binding SLA constraint(s) in words.</summary>
    public string Binding => Choice.BindingText;
}
