using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using RiskSim.Bench;

namespace RiskSim.Benchmarks;

/// <summary>
/// Importing a 1,000,000-request AIPerf per-request <c>profile_export.jsonl</c> (target: ≤ 3 s, ≤ 200 MB peak).
/// </summary>
/// <remarks>
/// The file is generated in the setup (not committed): each line has AIPerf's record shape — metadata with phase,
/// start/end ns and cancellation, metrics blocks {value, unit} for TTFT, ITL, output/input length and request latency,
/// and a short inter_chunk_latency list the reader must skip.
/// </remarks>
[SimpleJob(warmupCount: 1, iterationCount: 5)]
[MemoryDiagnoser]
public class BenchImport
{
    private string _path = null!;

    [Params(1_000_000)]
    public int Requests { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _path = Path.Combine(Path.GetTempPath(), $"risksim-bench-import-{Requests}.jsonl");
        Generate(_path, Requests);
        Console.WriteLine($"// generated {_path}: {new FileInfo(_path).Length / 1e6:F1} MB");
    }

    [GlobalCleanup]
    public void Cleanup() => File.Delete(_path);

    [Benchmark(Description = "BenchmarkImporter.Import (per-request JSONL)")]
    public double Import()
    {
        var r = BenchmarkImporter.Import([_path], new BenchmarkImportOptions { Gpus = 8 });
        return r.Points[0].OutputTokensPerSecond ?? throw new InvalidOperationException(string.Join("; ", r.Diagnostics));
    }

    /// <summary>Writes <paramref name="n"/> request lines (deterministic pseudo-random figures).</summary>
    public static void Generate(string path, int n)
    {
        var rng = new Random(42);
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 20);
        long t = 1_780_441_934_164_865_911;
        var sb = new StringBuilder(512);
        for (int i = 0; i < n; i++)
        {
            double ttft = 50 + (rng.NextDouble() * 400);
            double itl = 5 + (rng.NextDouble() * 5);
            int osl = 50 + rng.Next(400);
            int isl = 500 + rng.Next(1500);
            double latency = ttft + (itl * (osl - 1));
            long start = t + (i * 250_000L);
            long end = start + (long)(latency * 1e6);
            sb.Clear();
            sb.Append(CultureInfo.InvariantCulture, $"{{\"metadata\":{{\"session_num\":{i},\"benchmark_phase\":\"profiling\",\"request_start_ns\":{start},\"request_end_ns\":{end},\"was_cancelled\":false}},");
            sb.Append(CultureInfo.InvariantCulture, $"\"metrics\":{{\"request_latency\":{{\"value\":{latency:F3},\"unit\":\"ms\"}},\"time_to_first_token\":{{\"value\":{ttft:F3},\"unit\":\"ms\"}},");
            sb.Append(CultureInfo.InvariantCulture, $"\"inter_chunk_latency\":{{\"value\":[{itl:F2},{itl:F2}],\"unit\":\"ms\"}},\"inter_token_latency\":{{\"value\":{itl:F4},\"unit\":\"ms\"}},");
            sb.Append(CultureInfo.InvariantCulture, $"\"output_sequence_length\":{{\"value\":{osl},\"unit\":\"tokens\"}},\"input_sequence_length\":{{\"value\":{isl},\"unit\":\"tokens\"}}}}}}\n");
            w.Write(sb);
        }
    }
}
