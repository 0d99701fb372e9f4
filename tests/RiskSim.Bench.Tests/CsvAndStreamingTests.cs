using System.Globalization;
using System.Text;

namespace RiskSim.Bench.Tests;

/// <summary>RiskSim's points CSV reads back to the same numbers; the per-request reader streams and computes exactly.</summary>
public class CsvAndStreamingTests
{
    [Fact]
    public void Points_csv_round_trips_every_figure_bit_for_bit_with_provenance()
    {
        var original = Fx.Import(new BenchmarkImportOptions { Gpus = 4 }, Fx.P("vllm"), Fx.P("sglang"), Fx.P("aiperf"), Fx.P("guidellm"), Fx.P("llmperf"), Fx.P("inferencemax"));
        Assert.False(original.HasErrors);
        using var tmp = new TempDir();
        string csv = tmp.File("points.csv", BenchmarkCsv.ToCsv(original.Points));
        var back = Fx.Import(csv);
        Assert.False(back.HasErrors, string.Join("\n", back.Errors));
        Assert.Equal(original.Points.Count, back.Points.Count);
        for (int i = 0; i < original.Points.Count; i++)
        {
            var a = original.Points[i];
            var b = back.Points[i];
            Assert.Equal(a.Tool, b.Tool);
            Assert.Equal(a.Model, b.Model);
            Assert.Equal(a.GpuCount, b.GpuCount);
            Assert.Equal(a.GpuCountSource, b.GpuCountSource);
            Assert.Equal(a.RequestRateUnbounded, b.RequestRateUnbounded);
            Assert.Equal(a.RequestRatePerSecond, b.RequestRatePerSecond);
            Assert.Equal(a.OutputTokensPerSecond, b.OutputTokensPerSecond);
            Assert.Equal(a.OutputTokensPerSecondPerGpu, b.OutputTokensPerSecondPerGpu);
            Assert.Equal(a.TotalTokensPerSecond, b.TotalTokensPerSecond);
            Assert.Equal(a.TtftMedianSeconds, b.TtftMedianSeconds);
            Assert.Equal(a.TtftP99Seconds, b.TtftP99Seconds);
            Assert.Equal(a.TpotMedianSeconds, b.TpotMedianSeconds);
            Assert.Equal(a.TokensPerSecondPerUser, b.TokensPerSecondPerUser);
            Assert.Equal(a.TokensPerSecondPerUserBasis, b.TokensPerSecondPerUserBasis);
            Assert.Equal(a.CompletedRequests, b.CompletedRequests);
            Assert.Equal(a.FailedRequests, b.FailedRequests);
            Assert.Equal(a.MeanInputTokens, b.MeanInputTokens);
            Assert.Equal(a.Warnings, b.Warnings);
            Assert.Equal(BenchmarkFormats.RiskSimCsv, b.Source.Format);
            Assert.Contains(a.Source.Path, b.Source.Origin); // the original file …
            Assert.Contains(a.Source.Sha256, b.Source.Origin); // … its hash …
            Assert.Contains(a.Source.Locator, b.Source.Origin); // … and the row in it
        }

        // Written again from the read-back points, the table keeps the original provenance.
        string again = BenchmarkCsv.ToCsv(back.Points);
        Assert.Contains(original.Points[0].Source.Sha256, again);
    }

    [Fact]
    public void Hand_written_csv_with_a_source_line_carries_it_into_every_row()
    {
        using var tmp = new TempDir();
        string f = tmp.File("curated.csv", """
            # source: InferenceX gpt-oss-120b sweep, github.com/SemiAnalysisAI/InferenceX commit 006dbc6, benchmarks/multi_node/results/gpt-oss-120b
            tool,model,hardware,gpu_count,concurrency,request_rate_per_s,output_tokens_per_s,ttft_median_s,tpot_median_s
            vllm,openai/gpt-oss-120b,,16,4,inf,459.2,0.124,0.00839
            vllm,openai/gpt-oss-120b,,16,8,inf,929.0,0.112,0.00848

            """.Replace("\r\n", "\n", StringComparison.Ordinal));
        var r = Fx.Import(f);
        Assert.False(r.HasErrors, string.Join("\n", r.Errors));
        Assert.Equal(2, r.Points.Count);
        var p = r.Points[0];
        Assert.StartsWith("InferenceX gpt-oss-120b sweep", p.Source.Origin);
        Assert.Equal("row 1 (line 3)", p.Source.Locator);
        Assert.Equal(GpuCountSource.File, p.GpuCountSource);
        Assert.True(p.RequestRateUnbounded);
        Fx.Near(459.2 / 16, p.OutputTokensPerSecondPerGpu); // per-GPU derived from the table's gpu_count
        Fx.Near(1 / 0.00839, p.TokensPerSecondPerUser); // 1 / median TPOT s
    }

    [Fact]
    public void Csv_with_a_bad_number_names_the_line_and_column()
    {
        using var tmp = new TempDir();
        string f = tmp.File("bad.csv", "tool,output_tokens_per_s,ttft_median_s\nvllm,100,-1\n");
        var e = Assert.Single(Fx.Import(f).Errors);
        Assert.Equal("line 2, column ttft_median_s", e.Locator);
        Assert.Contains("'-1'", e.Message);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(1001)]
    [InlineData(20_000)]
    public void Per_request_jsonl_figures_match_the_closed_form_of_a_generated_run(int n)
    {
        // Request i (0-based) starts at i ms, lasts 1 s, has TTFT (i + 1) ms, TPOT 5 + (i mod 7) ms, 100 output and
        // 1000 input tokens; every 10th request after the first has an error; one warmup line leads.
        using var tmp = new TempDir();
        var sb = new StringBuilder();
        sb.Append("""{"metadata":{"benchmark_phase":"warmup","request_start_ns":1,"request_end_ns":2},"metrics":{}}""").Append('\n');
        var ttft = new List<double>();
        var tpot = new List<double>();
        int failed = 0;
        long t0 = 1_000_000_000_000;
        for (int i = 0; i < n; i++)
        {
            bool error = i > 0 && i % 10 == 0;
            long start = t0 + (i * 1_000_000L);
            long end = start + 1_000_000_000L;
            string errorPart = error ? ",\"error\":{\"code\":500}" : string.Empty;
            sb.Append(CultureInfo.InvariantCulture, $"{{\"metadata\":{{\"session_num\":{i},\"benchmark_phase\":\"profiling\",\"request_start_ns\":{start},\"request_end_ns\":{end},\"was_cancelled\":false}},")
              .Append(CultureInfo.InvariantCulture, $"\"metrics\":{{\"inter_chunk_latency\":{{\"value\":[1.0,2.0],\"unit\":\"ms\"}},\"time_to_first_token\":{{\"value\":{i + 1},\"unit\":\"ms\"}},")
              .Append(CultureInfo.InvariantCulture, $"\"inter_token_latency\":{{\"unit\":\"ms\",\"value\":{5 + (i % 7)}}},\"output_sequence_length\":{{\"value\":100,\"unit\":\"tokens\"}},\"input_sequence_length\":{{\"value\":1000,\"unit\":\"tokens\"}}}}{errorPart}}}");
            sb.Append(i % 2 == 0 ? "\n" : "\r\n");
            if (error)
            {
                failed++;
            }
            else
            {
                ttft.Add((i + 1) / 1000.0);
                tpot.Add((5 + (i % 7)) / 1000.0);
            }
        }

        string f = tmp.File("profile_export.jsonl", sb.ToString());
        var p = Assert.Single(Fx.Import(f).Points);
        int ok = n - failed;
        double span = ((n - 1) * 1e-3) + 1.0; // first start to last end
        Assert.Equal(ok, p.CompletedRequests);
        Assert.Equal(failed, p.FailedRequests);
        Fx.Near(span, p.DurationSeconds, 1e-9);
        Fx.Near(ok * 100 / span, p.OutputTokensPerSecond, 1e-9);
        Fx.Near(ok * 1100 / span, p.TotalTokensPerSecond, 1e-9);
        Fx.Near(ok * 1.0 / span, p.MeasuredConcurrency, 1e-9); // Σ latency (1 s each) / span
        ttft.Sort();
        tpot.Sort();
        Fx.Near(Linear(ttft, 0.5), p.TtftMedianSeconds, 1e-12);
        Fx.Near(Linear(ttft, 0.99), p.TtftP99Seconds, 1e-12);
        Fx.Near(Linear(tpot, 0.5), p.TpotMedianSeconds, 1e-12);
        Fx.Near(ttft.Average(), p.TtftMeanSeconds, 1e-9);
        Assert.Equal(ok, p.Samples!.Count);
    }

    /// <summary>numpy.percentile's default: h = (n − 1)q, interpolate between floor(h) and floor(h) + 1.</summary>
    private static double Linear(List<double> sorted, double q)
    {
        double h = (sorted.Count - 1) * q;
        int lo = (int)Math.Floor(h);
        int hi = Math.Min(lo + 1, sorted.Count - 1);
        return sorted[lo] + ((h - lo) * (sorted[hi] - sorted[lo]));
    }
}
