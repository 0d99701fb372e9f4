using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>
/// One block of a run's trials as the engine simulates it: every uncertain input's sampled values and every trial KPI
/// (NaN where the KPI does not exist). Valid only during the callback of <c>MonteCarloEngine.ReplayBlocks</c>,
/// which reuses its buffers for the next block.
/// </summary>
public sealed class TrialBlock
{
    private readonly double[][] _sampled;
    private readonly double[][] _kpis;

    internal TrialBlock(IReadOnlyList<InputSpec> inputs, double[][] sampled, double[][] kpis)
    {
        Inputs = inputs;
        _sampled = sampled;
        _kpis = kpis;
    }

    /// <summary>Block index: trials <see cref="FirstTrial"/> … <see cref="FirstTrial"/> + <see cref="Count"/> − 1.</summary>
    public long Index { get; internal set; }

    /// <summary>Index of the block's first trial in the run.</summary>
    public long FirstTrial => Index * BlockSampler.BlockSize;

    /// <summary>Trials in the block (<see cref="BlockSampler.BlockSize"/>, fewer in a run's last block).</summary>
    public int Count { get; internal set; }

    /// <summary>The uncertain inputs, in the order of <see cref="Input"/>.</summary>
    public IReadOnlyList<InputSpec> Inputs { get; }

    /// <summary>KPI columns in <see cref="TrialKpis"/> order (8, or 9 with IRR).</summary>
    public int KpiCount => _kpis.Length;

    /// <summary>The sampled values of uncertain input <paramref name="input"/> (index into <see cref="Inputs"/>), in the engine's units.</summary>
    public ReadOnlySpan<double> Input(int input) => _sampled[input].AsSpan(0, Count);

    /// <summary>The values of KPI column <paramref name="kpi"/> (<see cref="TrialKpis"/>); NaN = the KPI does not exist in that trial.</summary>
    public ReadOnlySpan<double> Kpi(int kpi) => _kpis[kpi].AsSpan(0, Count);
}

public static partial class MonteCarloEngine
{
    /// <summary>
    /// Simulates the first <paramref name="trials"/> trials of the run <paramref name="spec"/> and <paramref name="options"/>
    /// describe again, block by block in order, and hands each block's sampled inputs and KPIs to <paramref name="body"/>.
    /// </summary>
    /// <remarks>
    /// Blocks are reproducible, so these are the very values of the run (the same bits as its kept KPIs); memory is one
    /// block's buffers whatever the trial count. For per-trial exports that should not hold every trial in memory.
    /// </remarks>
    /// <param name="spec">The run's spec.</param>
    /// <param name="options">The run's options (seed and sampling; <see cref="RunOptions.Trials"/> fixes the block lengths).</param>
    /// <param name="trials">Trials to replay from the first: a whole number of blocks, or all of <see cref="RunOptions.Trials"/>.</param>
    /// <param name="body">Called once per block, in block order, on the calling thread.</param>
    /// <param name="cancellation">Checked between blocks.</param>
    public static void ReplayBlocks(SimulationSpec spec, RunOptions options, long trials, Action<TrialBlock> body, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentOutOfRangeException.ThrowIfLessThan(trials, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(trials, options.Trials);
        if (trials != options.Trials && trials % BlockSampler.BlockSize != 0)
        {
            throw new ArgumentException($"a replay covers whole blocks of {BlockSampler.BlockSize:N0} trials or the whole run ({options.Trials:N0}); got {trials:N0}", nameof(trials));
        }

        using var run = new RunSetup(spec, options);
        var buffers = run.NewBuffers();
        var block = new TrialBlock(run.Sampler.Inputs, buffers.Sampled, buffers.Kpis);
        long blocks = (trials + BlockSampler.BlockSize - 1) / BlockSampler.BlockSize;
        for (long blk = 0; blk < blocks; blk++)
        {
            cancellation.ThrowIfCancellationRequested();
            int n = run.BlockLength(blk);
            run.Simulate(buffers, blk, n, buffers.Kpis, 0);
            block.Index = blk;
            block.Count = n;
            body(block);
        }
    }

    /// <summary>
    /// Replays the trials of a finished (not partial) run: <see cref="ReplayBlocks(SimulationSpec, RunOptions, long, Action{TrialBlock}, CancellationToken)"/>
    /// over all its <see cref="SimulationResult.Trials"/>.
    /// </summary>
    public static void ReplayBlocks(SimulationResult result, Action<TrialBlock> body, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (result.Partial)
        {
            throw new ArgumentException("a partial (cancelled) run counted the blocks that had finished, which need not be the first ones: it cannot be replayed", nameof(result));
        }

        ReplayBlocks(result.Spec, result.Options, result.Trials, body, cancellation);
    }

    /// <summary>A short, stable code for why a KPI can be null in this spec (the reason of <see cref="NullReason"/>), for per-trial exports.</summary>
    public static string NullReasonCode(SimulationSpec spec, int kpi) => kpi switch
    {
        TrialKpis.Payback or TrialKpis.DiscountedPayback => spec.CostMode == CostMode.Rate ? "no_capex" : "not_within_horizon",
        TrialKpis.NetRoi or TrialKpis.RevenueMultiple => "no_capex",
        TrialKpis.LevelizedCost => "no_tokens_sold",
        TrialKpis.EnergyCostPerRevenueDollar => spec.HasPower ? "no_revenue" : "no_power_figure",
        TrialKpis.Irr => spec.CostMode == CostMode.Rate ? "no_capex" : "no_irr_root",
        _ => "no_revenue",
    };
}
