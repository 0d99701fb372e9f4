using Parquet;
using Parquet.Schema;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.MonteCarlo;
using RiskSim.Reporting;

namespace RiskSim.Core.Tests.Exports;

/// <summary>
/// The per-trial replay (<see cref="MonteCarloEngine.ReplayBlocks(SimulationResult, Action{TrialBlock}, CancellationToken)"/>)
/// and trials.parquet: the replayed trials are the run's trials bit for bit, and each Parquet row's inputs, put through
/// the scalar reference model, give that row's KPIs.
/// </summary>
public sealed class TrialsParquetTests
{
    private static SimulationResult Run(SimulationSpec spec, long trials) =>
        MonteCarloEngine.Run(spec, new RunOptions(trials, spec.Simulation.Seed, spec.Simulation.Sampling, 2) { KeepAllTrials = true });

    [Fact]
    public void Replayed_blocks_are_the_runs_trials_bit_for_bit()
    {
        // Three blocks, the last one short; IRR on, so all nine KPI columns.
        var spec = TestConfigs.Flagship("simulation.irr=true");
        var result = Run(spec, (2 * BlockSampler.BlockSize) + 7232);
        long seen = 0;
        var blocks = new List<long>();
        MonteCarloEngine.ReplayBlocks(result, b =>
        {
            blocks.Add(b.Index);
            Assert.Equal(seen, b.FirstTrial);
            Assert.Equal(9, b.KpiCount);
            Assert.Equal(spec.UncertainInputs.Length, b.Inputs.Count);
            for (int k = 0; k < b.KpiCount; k++)
            {
                var kpi = b.Kpi(k);
                for (int i = 0; i < b.Count; i++)
                {
                    Assert.Equal(BitConverter.DoubleToInt64Bits(result.Kpis[k][seen + i]), BitConverter.DoubleToInt64Bits(kpi[i]));
                }
            }

            seen += b.Count;
        });
        Assert.Equal([0L, 1L, 2L], blocks);
        Assert.Equal(result.Trials, seen);
    }

    [Fact]
    public void A_replay_must_cover_whole_blocks_and_a_partial_run_is_refused()
    {
        var spec = TestConfigs.Flagship();
        var options = new RunOptions(40000, 1, SamplingMethod.LatinHypercube, 1);
        Assert.Throws<ArgumentException>(() => MonteCarloEngine.ReplayBlocks(spec, options, 20000, _ => { }));
        int calls = 0;
        MonteCarloEngine.ReplayBlocks(spec, options, BlockSampler.BlockSize, _ => calls++);
        Assert.Equal(1, calls);

        // A cancelled run counted the blocks that had finished, which need not be the first ones.
        var run = MonteCarloEngine.Run(spec, options);
        var partial = new SimulationResult(spec, options, BlockSampler.BlockSize, true, run.Kpis, run.Statistics, TimeSpan.Zero, TimeSpan.Zero, new BlockSampler(spec, options.Seed, options.Sampling));
        Assert.Throws<ArgumentException>(() => MonteCarloEngine.ReplayBlocks(partial, _ => { }));
    }

    [Fact]
    public async Task Parquet_rows_hold_the_inputs_that_give_their_KPIs()
    {
        // Capex per rack made uncertain: the model samples it per GPU (scaled), the file holds it per rack as in the config.
        var spec = TestConfigs.Flagship("cost.capex_usd_per_unit={\"dist\":\"triangular\",\"min\":3000000,\"mode\":3400000,\"max\":4200000}");
        var scaled = spec.UncertainInputs.Single(i => i.Path == "cost.capex_usd_per_unit");
        var factor = Assert.IsType<ScaledDistribution>(scaled.Distribution).Factor;
        long trials = TrialsParquet.RowGroupTrials + 5000; // two row groups
        var result = Run(spec, trials);
        using var stream = new MemoryStream();
        await TrialsParquet.WriteAsync(result, stream);
        stream.Position = 0;

        await using var reader = await ParquetReader.CreateAsync(stream);
        Assert.Equal(2, reader.RowGroupCount);
        Assert.Equal(spec.ConfigHash, reader.CustomMetadata["config_sha256"]);
        Assert.Equal(spec.Simulation.Seed.ToString(System.Globalization.CultureInfo.InvariantCulture), reader.CustomMetadata["seed"]);
        Assert.Contains("\"cost.capex_usd_per_unit\":\"USD/unit\"", reader.CustomMetadata["units"], StringComparison.Ordinal);
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(TrialsParquet.ColumnNames(spec), fields.Select(f => f.Name));
        var inputs = spec.UncertainInputs;
        var context = new ModelContext(spec);
        int kpiCount = spec.Simulation.KpiColumns;
        long row = 0;
        int checkedRows = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            var rg = reader.OpenRowGroupReader(g);
            int n = (int)rg.RowCount;
            var columns = new List<double[]>();
            foreach (var input in inputs)
            {
                var values = new double[n];
                await rg.ReadAsync(fields.Single(f => f.Name == input.Path), values.AsMemory());
                columns.Add(values);
            }

            var kpis = new List<double?[]>();
            for (int k = 0; k < kpiCount; k++)
            {
                var values = new double?[n];
                await rg.ReadAsync(fields.Single(f => f.Name == TrialKpis.All[k].Key), values.AsMemory());
                kpis.Add(values);
            }

            // Every KPI cell is the run's kept value (null where it does not exist).
            for (int k = 0; k < kpiCount; k++)
            {
                for (int i = 0; i < n; i++)
                {
                    double kept = result.Kpis[k][row + i];
                    Assert.Equal(double.IsNaN(kept) ? null : kept, kpis[k][i]);
                }
            }

            // Every 97th row: the inputs as read back (config units scaled back to the model's), through the scalar reference model.
            for (int i = 0; i < n; i += 97, checkedRows++)
            {
                var p = spec.BaseValues();
                for (int j = 0; j < inputs.Length; j++)
                {
                    p[(int)inputs[j].Param] = inputs[j] == scaled ? columns[j][i] * factor : columns[j][i];
                }

                var outcome = ReferenceModel.Evaluate(context, p);
                for (int k = 0; k < TrialKpis.CoreCount; k++)
                {
                    double expected = outcome.Kpi(k);
                    if (double.IsNaN(expected))
                    {
                        Assert.Null(kpis[k][i]);
                    }
                    else
                    {
                        Assert.NotNull(kpis[k][i]);
                        Assert.True(Math.Abs(expected - kpis[k][i]!.Value) <= 1e-9 * Math.Max(1, Math.Abs(expected)), $"row {row + i}, {TrialKpis.All[k].Key}: model {expected}, file {kpis[k][i]}");
                    }
                }
            }

            // The capex column is per rack: within the triangular's [3.0 M, 4.2 M].
            var capex = columns[inputs.IndexOf(scaled)];
            Assert.All(capex, v => Assert.InRange(v, 3_000_000 * (1 - 1e-12), 4_200_000 * (1 + 1e-12)));
            row += n;
        }

        Assert.Equal(trials, row);
        Assert.True(checkedRows > 700);
    }

    [Fact]
    public async Task A_kpi_that_never_exists_is_null_in_every_row_with_its_reason_code()
    {
        // Rate mode: no up-front capex, so ROI and payback do not exist in any trial.
        var spec = ResolvingLoader.Load(Path.Combine(RepoPaths.Configs, "b200-gpt-oss-120b-rate.json"));
        var result = Run(spec, 3000);
        using var stream = new MemoryStream();
        await TrialsParquet.WriteAsync(result, stream);
        stream.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(stream);
        Assert.Contains("\"no_capex\":", reader.CustomMetadata["null_reasons"], StringComparison.Ordinal);
        var rg = reader.OpenRowGroupReader(0);
        var fields = reader.Schema.GetDataFields();
        var payback = new double?[3000];
        await rg.ReadAsync(fields.Single(f => f.Name == "payback_months"), payback.AsMemory());
        var reason = new string?[3000];
        await rg.ReadAsync(fields.Single(f => f.Name == "payback_months_null_reason"), reason.AsMemory());
        var npvReason = new string?[3000];
        await rg.ReadAsync(fields.Single(f => f.Name == "npv_usd_null_reason"), npvReason.AsMemory());
        Assert.All(payback, v => Assert.Null(v));
        Assert.All(reason, r => Assert.Equal("no_capex", r));
        Assert.All(npvReason, r => Assert.Null(r));
    }
}
