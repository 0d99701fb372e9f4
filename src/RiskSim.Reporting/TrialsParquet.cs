using System.Text.Json;
using Parquet;
using Parquet.Schema;
using RiskSim.Core.Configuration;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Reporting;

/// <summary>
/// trials.parquet: one row per trial with named, typed columns: <c>trial</c> (int64), <c>block</c> (int64), every
/// sampled input by its config path (double, in the config's units), every trial KPI by its key (double, null where it
/// does not exist) with a companion <c>{kpi}_null_reason</c> (string code, null where the KPI exists).
/// </summary>
/// <remarks>
/// The file's key-value metadata holds the seed, the config's SHA-256, the trial count, sampling, version, the units of
/// every column and the meaning of every null-reason code. The trials are simulated again block by block
/// (<see cref="MonteCarloEngine.ReplayBlocks(SimulationResult, Action{TrialBlock}, CancellationToken)"/>) and written
/// in row groups of <see cref="RowGroupTrials"/>, so memory stays bounded however many trials.
/// </remarks>
public static class TrialsParquet
{
    /// <summary>Trials per row group: four blocks (about 20 MB of column buffers for the flagship).</summary>
    public const int RowGroupTrials = 4 * SimulationSettings.BlockSize;

    /// <summary>Suffix of a KPI's null-reason column: <c>payback_months_null_reason</c>.</summary>
    public const string NullReasonSuffix = "_null_reason";

    /// <summary>The column names in file order: trial, block, the sampled inputs' config paths, then each KPI and its null-reason column.</summary>
    public static IReadOnlyList<string> ColumnNames(SimulationSpec spec) =>
        [.. Layout.For(spec).Fields.Select(f => f.Name)];

    /// <summary>Writes the run's trials to <paramref name="path"/> (replaced if it exists); <paramref name="cancellation"/> is checked between blocks.</summary>
    public static void Write(SimulationResult result, string path, CancellationToken cancellation = default)
    {
        using var stream = File.Create(path);
        WriteAsync(result, stream, cancellation).GetAwaiter().GetResult();
    }

    /// <summary>Writes the run's trials as Parquet to a writable, seekable stream.</summary>
    public static async Task WriteAsync(SimulationResult result, Stream output, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(result);
        var spec = result.Spec;
        var layout = Layout.For(spec);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(layout.Fields), output, new ParquetOptions { CompressionMethod = CompressionMethod.Snappy }, cancellationToken: cancellation).ConfigureAwait(false);
        writer.CustomMetadata = Metadata(result, layout);

        var group = new RowGroup(layout, RowGroupTrials);
        MonteCarloEngine.ReplayBlocks(result, block =>
        {
            group.Add(block, layout);
            if (group.Count == RowGroupTrials)
            {
                group.WriteAsync(writer, layout, cancellation).GetAwaiter().GetResult();
                group.Clear();
            }
        }, cancellation);
        if (group.Count > 0)
        {
            await group.WriteAsync(writer, layout, cancellation).ConfigureAwait(false);
        }
    }

    /// <summary>JSON in the metadata as people write it (×, quotes), not \u-escaped: no HTML around it.</summary>
    private static readonly JsonSerializerOptions Readable = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static Dictionary<string, string> Metadata(SimulationResult r, Layout layout)
    {
        var spec = r.Spec;
        var units = new Dictionary<string, string> { ["trial"] = "", ["block"] = "" };
        foreach (var i in layout.Inputs)
        {
            units[i.Column] = i.Unit;
        }

        foreach (int k in layout.Kpis)
        {
            units[TrialKpis.All[k].Key] = TrialKpis.All[k].Unit;
        }

        var reasons = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (int k in layout.Kpis)
        {
            reasons[MonteCarloEngine.NullReasonCode(spec, k)] = MonteCarloEngine.NullReason(spec, k);
        }

        return new Dictionary<string, string>
        {
            ["risksim_version"] = Provenance.Version,
            ["name"] = spec.Name,
            ["config_sha256"] = spec.ConfigHash,
            ["seed"] = r.Options.Seed.ToString(Fmt.Inv),
            ["trials"] = r.Trials.ToString(Fmt.Inv),
            ["sampling"] = r.Options.Sampling == SamplingMethod.LatinHypercube ? "lhs" : "mc",
            ["block_size"] = SimulationSettings.BlockSize.ToString(Fmt.Inv),
            ["units"] = JsonSerializer.Serialize(units, Readable),
            ["null_reasons"] = JsonSerializer.Serialize(reasons, Readable),
            ["description"] = "One row per trial: trial index, block, every sampled input by its config path (in the config's units), every trial KPI (null where it does not exist; the reason's code in {kpi}_null_reason, explained in null_reasons).",
        };
    }

    /// <summary>The columns of a spec's file and how to fill them.</summary>
    private sealed class Layout
    {
        private Layout(List<Field> fields, List<InputColumn> inputs, List<int> kpis, string[] codes)
        {
            Fields = fields;
            Inputs = inputs;
            Kpis = kpis;
            Codes = codes;
        }

        public List<Field> Fields { get; }
        public List<InputColumn> Inputs { get; }
        public List<int> Kpis { get; }

        /// <summary>The null-reason code of each KPI column.</summary>
        public string[] Codes { get; }

        public DataField<long> Trial { get; } = new("trial");
        public DataField<long> Block { get; } = new("block");

        public static Layout For(SimulationSpec spec)
        {
            var fields = new List<Field>();
            var inputs = new List<InputColumn>();
            var uncertain = spec.UncertainInputs; // the sampler's inputs, in its order
            for (int j = 0; j < uncertain.Length; j++)
            {
                var input = uncertain[j];
                // A field given in other units than the model's (capex per unit, scaled to per GPU) is written back in the config's units.
                double factor = input.Distribution is ScaledDistribution s ? s.Factor : 1;
                string unit = factor != 1 && ConfigSchema.ByPath.TryGetValue(input.Path, out var def) ? def.Unit : input.Unit;
                inputs.Add(new InputColumn(j, input.Path, unit, factor, new DataField<double>(input.Path)));
            }

            var kpis = Enumerable.Range(0, spec.Simulation.KpiColumns).ToList();
            var layout = new Layout(fields, inputs, kpis, [.. kpis.Select(k => MonteCarloEngine.NullReasonCode(spec, k))]);
            fields.Add(layout.Trial);
            fields.Add(layout.Block);
            fields.AddRange(inputs.Select(i => i.Field));
            foreach (int k in kpis)
            {
                layout.KpiFields.Add(new DataField<double?>(TrialKpis.All[k].Key));
                layout.ReasonFields.Add(new DataField<string>(TrialKpis.All[k].Key + NullReasonSuffix, nullable: true));
                fields.Add(layout.KpiFields[^1]);
                fields.Add(layout.ReasonFields[^1]);
            }

            return layout;
        }

        public List<DataField<double?>> KpiFields { get; } = [];
        public List<DataField<string>> ReasonFields { get; } = [];
    }

    private sealed record InputColumn(int Index, string Column, string Unit, double Factor, DataField<double> Field);

    /// <summary>The column buffers of one row group, filled block by block.</summary>
    private sealed class RowGroup
    {
        private readonly long[] _trial;
        private readonly long[] _block;
        private readonly double[][] _inputs;
        private readonly double?[][] _kpis;
        private readonly string?[][] _reasons;

        public RowGroup(Layout layout, int capacity)
        {
            _trial = new long[capacity];
            _block = new long[capacity];
            _inputs = [.. layout.Inputs.Select(_ => new double[capacity])];
            _kpis = [.. layout.Kpis.Select(_ => new double?[capacity])];
            _reasons = [.. layout.Kpis.Select(_ => new string?[capacity])];
        }

        public int Count { get; private set; }

        public void Clear() => Count = 0;

        public void Add(TrialBlock block, Layout layout)
        {
            int at = Count;
            int n = block.Count;
            for (int i = 0; i < n; i++)
            {
                _trial[at + i] = block.FirstTrial + i;
                _block[at + i] = block.Index;
            }

            for (int j = 0; j < layout.Inputs.Count; j++)
            {
                var c = layout.Inputs[j];
                var src = block.Input(c.Index);
                var dst = _inputs[j].AsSpan(at, n);
                if (c.Factor == 1)
                {
                    src.CopyTo(dst);
                }
                else
                {
                    for (int i = 0; i < n; i++)
                    {
                        dst[i] = src[i] / c.Factor;
                    }
                }
            }

            for (int k = 0; k < layout.Kpis.Count; k++)
            {
                var src = block.Kpi(layout.Kpis[k]);
                var values = _kpis[k];
                var reasons = _reasons[k];
                string code = layout.Codes[k];
                for (int i = 0; i < n; i++)
                {
                    double v = src[i];
                    bool exists = double.IsFinite(v);
                    values[at + i] = exists ? v : null;
                    reasons[at + i] = exists ? null : code;
                }
            }

            Count = at + n;
        }

        public async Task WriteAsync(ParquetWriter writer, Layout layout, CancellationToken cancellation)
        {
            using var g = writer.CreateRowGroup();
            int n = Count;
            await g.WriteAsync(layout.Trial, new ReadOnlyMemory<long>(_trial, 0, n), cancellationToken: cancellation).ConfigureAwait(false);
            await g.WriteAsync(layout.Block, new ReadOnlyMemory<long>(_block, 0, n), cancellationToken: cancellation).ConfigureAwait(false);
            for (int j = 0; j < layout.Inputs.Count; j++)
            {
                await g.WriteAsync(layout.Inputs[j].Field, new ReadOnlyMemory<double>(_inputs[j], 0, n), cancellationToken: cancellation).ConfigureAwait(false);
            }

            for (int k = 0; k < layout.Kpis.Count; k++)
            {
                await g.WriteAsync(layout.KpiFields[k], new ReadOnlyMemory<double?>(_kpis[k], 0, n), cancellationToken: cancellation).ConfigureAwait(false);
                await g.WriteAsync(layout.ReasonFields[k], new ArraySegment<string?>(_reasons[k], 0, n)!).ConfigureAwait(false);
            }

            g.CompleteValidate();
        }
    }
}
