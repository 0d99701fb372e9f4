using System.Text;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>RiskSim's own normalized points table (<see cref="BenchmarkCsv"/>), read back like any other format.</summary>
internal sealed class RiskSimCsvReader : BenchReader
{
    public override string Format => BenchmarkFormats.RiskSimCsv;

    public override string Tool => BenchmarkTools.RiskSimCsv;

    public override string LooksFor => "a CSV (after '#' comment lines) whose header starts with 'tool,' and has output_tokens_per_s, as written by risksim bench import --format-out csv";

    public override bool Detect(Probe p) =>
        !p.IsJson && p.TextLines.Count > 0 && p.TextLines[0].StartsWith("tool,", StringComparison.Ordinal)
        && p.TextLines[0].Contains("output_tokens_per_s", StringComparison.Ordinal);

    public override void Read(ReadContext ctx)
    {
        string text = Encoding.UTF8.GetString(ctx.File.Bytes);
        foreach (var (point, _, _) in BenchmarkCsv.Parse(text, (loc, i, origin) => ctx.Source(loc, i, origin)))
        {
            ctx.Add(point);
        }
    }
}
