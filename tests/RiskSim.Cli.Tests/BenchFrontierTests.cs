using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace RiskSim.Cli.Tests;

/// <summary>
/// <c>risksim bench frontier</c> on the InferenceX gpt-oss-120b sweep (../shared/fixtures), and a config built from
/// it run end to end by the real executable, as a new user would. Expected figures come from the fixture files'
/// own numbers (quoted below), not from the program.
/// </summary>
public sealed class BenchFrontierTests : IDisposable
{
    // Fixture values, 16 GPUs per point: c=512 output_throughput 22,534.153728724606 tok/s, median_tpot_ms
    // 22.107187851891105; c=256: 13,975.943487151262 and 17.7608991554098. A floor of 50 tok/s/user lies between
    // them: t = (50 − 1000/22.107…) / (1000/17.760… − 1000/22.107…) = 0.4306, y = 1,408.38 + t (873.50 − 1,408.38).
    private static readonly double X512 = 1000 / 22.107187851891105;
    private static readonly double X256 = 1000 / 17.7608991554098;
    private static readonly double Y512 = 22534.153728724606 / 16;
    private static readonly double Y256 = 13975.943487151262 / 16;
    private static readonly double Expected = Y512 + ((50 - X512) / (X256 - X512) * (Y256 - Y512));

    private const string Sla = "tokens_per_s_per_user>=50,ttft_p50_s<=2,ttft_p99_s<=5";

    private readonly string _tmp = Path.Combine(Path.GetTempPath(), "risksim-frontier-" + Guid.NewGuid().ToString("N"));

    public BenchFrontierTests() => Directory.CreateDirectory(_tmp);

    private static string Fixtures => Path.GetFullPath(Path.Combine(RepoPaths.Root, "..", "shared", "fixtures"));

    private static string GptOss => Path.Combine(Fixtures, "inferencemax", "gpt-oss-120b");

    public void Dispose()
    {
        if (Directory.Exists(_tmp))
        {
            Directory.Delete(_tmp, recursive: true);
        }
    }

    [Fact]
    public void Table_names_the_interpolated_choice_and_the_binding_constraint()
    {
        Assert.InRange(Expected, 1178.0, 1178.2); // the hand computation above, to one decimal
        var (code, output, err) = CliHarness.Run("bench", "frontier", GptOss, "--sla", Sla);
        Assert.True(code == 0, err);
        Assert.Contains($"Chosen: {Expected.ToString("#,0.0", CultureInfo.InvariantCulture)} output tok/s per GPU at 50 tok/s per user, interpolated", output, StringComparison.Ordinal);
        Assert.Contains("(c=512) to concurrency_256_req_rate_inf_gpus_16_ctx_8_gen_8.json (c=256)", output, StringComparison.Ordinal);
        Assert.Contains("Binding: tokens_per_s_per_user>=50 binds", output, StringComparison.Ordinal);
        Assert.Contains("8 points, 8 on the Pareto frontier", output, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_has_every_point_the_choice_and_its_weight()
    {
        var (code, output, err) = CliHarness.Run("bench", "frontier", GptOss, "--sla", Sla, "--format-out", "json");
        Assert.True(code == 0, err);
        using var doc = JsonDocument.Parse(output);
        var g = Assert.Single(doc.RootElement.GetProperty("groups").EnumerateArray());
        Assert.Equal(8, g.GetProperty("points").GetArrayLength());
        var chosen = g.GetProperty("chosen");
        Assert.Equal(Expected, chosen.GetProperty("output_tokens_per_s_per_gpu").GetDouble(), 1e-9);
        Assert.Equal(50, chosen.GetProperty("tokens_per_s_per_user").GetDouble(), 1e-9);
        Assert.Equal((50 - X512) / (X256 - X512), chosen.GetProperty("weight").GetDouble(), 1e-12);
        Assert.Equal("tokens_per_s_per_user>=50", Assert.Single(chosen.GetProperty("binding").EnumerateArray()).GetString());
        Assert.DoesNotContain("NaN", output, StringComparison.Ordinal);
    }

    [Fact]
    public void No_point_meets_the_sla_exits_2_naming_the_closest_point()
    {
        // c=4 is the most interactive point: 1000 / 8.389879373914562 = 119.19 tok/s/user, 20.5 % below 150.
        var (code, _, err) = CliHarness.Run("bench", "frontier", GptOss, "--sla", "tokens_per_s_per_user>=150");
        Assert.Equal(2, code);
        Assert.Contains("the closest is concurrency_4_req_rate_inf_gpus_16_ctx_8_gen_8.json (c=4)", err, StringComparison.Ordinal);
        Assert.Contains("20.5 % below the floor 150", err, StringComparison.Ordinal);
    }

    [Fact]
    public void Mixed_models_are_an_error_unless_grouped()
    {
        string agg = Path.Combine(Fixtures, "inferencemax", "agg");
        var (code, _, err) = CliHarness.Run("bench", "frontier", GptOss, agg, "--sla", "tokens_per_s_per_user>=50");
        Assert.Equal(2, code);
        Assert.Contains("one frontier must hold one model on one hardware", err, StringComparison.Ordinal);
        Assert.Contains("--group-by hardware,model", err, StringComparison.Ordinal);

        // Grouped: two frontiers. Kimi-K2.5 on MI355X meets 50 tok/s/user only at its 1k/1k point (57.49 tok/s/user,
        // output_tput_per_gpu 27.678011491816765), a measured choice; its two 8k/1k points are another request profile.
        var (code2, output, err2) = CliHarness.Run("bench", "frontier", GptOss, agg, "--sla", "tokens_per_s_per_user>=50", "--group-by", "model,hardware");
        Assert.True(code2 == 0, err2);
        Assert.Contains("Frontier of model openai/gpt-oss-120b, hardware not recorded", output, StringComparison.Ordinal);
        Assert.Contains("Frontier of model moonshotai/Kimi-K2.5, hardware mi355x", output, StringComparison.Ordinal);
        Assert.Contains("Chosen: 27.678 output tok/s per GPU", output, StringComparison.Ordinal);
        Assert.Contains("mixes request profiles", output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--sla", "ttft_p99_s>=5", "latency ceiling")]
    [InlineData("--chart", "frontier.jpg", "must name a .png or .svg file")]
    [InlineData("--group-by", "vendor", "unknown group key 'vendor'")]
    public void Bad_options_exit_2_with_what_is_allowed(string option, string value, string expected)
    {
        string[] args = option == "--sla" ? ["bench", "frontier", GptOss, "--sla", value] : ["bench", "frontier", GptOss, "--sla", Sla, option, value];
        var (code, _, err) = CliHarness.Run(args);
        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
    }

    /// <summary>The real executable: bench frontier with a chart, then run and evaluate a config that starts from the same files.</summary>
    [Fact]
    public void A_config_built_from_the_sweep_runs_end_to_end_with_the_frontier_in_its_report()
    {
        string chart = Path.Combine(_tmp, "charts", "frontier.png");
        var (c1, _, e1) = Exe("bench", "frontier", GptOss, "--sla", Sla, "--chart", chart);
        Assert.True(c1 == 0, e1);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, File.ReadAllBytes(chart)[..4]);

        string rel = Path.GetRelativePath(_tmp, GptOss).Replace('\\', '/');
        string config = Path.Combine(_tmp, "gpt-oss-from-sweep.json");
        File.WriteAllText(config, $$"""
            {
              "name": "gpt-oss-from-sweep",
              "deployment": { "accelerator": "16-GPU disaggregated node pair", "gpus_per_unit": 16, "units": 4 },
              "cost": { "mode": "rate", "all_in_usd_per_gpu_hour": 1.48 },
              "operating_point": { "from_benchmarks": { "files": ["{{rel}}"], "sla": "{{Sla}}", "spread": { "dist": "pert", "min": 0.9, "mode": 1, "max": 1.05 } } },
              "market": { "price_usd_per_million_input_tokens": 0.1, "price_usd_per_million_output_tokens": 0.5, "price_erosion_annual": { "dist": "pert", "min": 0.2, "mode": 0.5, "max": 0.8 } },
              "drivers": { "utilization": { "dist": "pert", "min": 0.4, "mode": 0.65, "max": 0.9 } },
              "finance": { "horizon_months": 24, "discount_rate_annual": 0.1 },
              "simulation": { "trials": 20000, "seed": 7 }
            }
            """);
        string outDir = Path.Combine(_tmp, "out");
        var (c2, o2, e2) = Exe("run", config, "--out", outDir, "--quiet");
        Assert.True(c2 == 0, e2 + o2);
        string dir = Path.Combine(outDir, "gpt-oss-from-sweep");
        Assert.True(File.Exists(Path.Combine(dir, "frontier.png")));
        string md = File.ReadAllText(Path.Combine(dir, "report.md"));
        Assert.Contains("### Operating point from benchmark files", md, StringComparison.Ordinal);
        Assert.Contains("![Benchmark frontier](frontier.png)", md, StringComparison.Ordinal);
        Assert.Contains("Binding: tokens_per_s_per_user>=50 binds", md, StringComparison.Ordinal);
        Assert.Contains("| `operating_point.output_tokens_per_s_per_gpu` |", md, StringComparison.Ordinal);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json"))))
        {
            var ob = summary.RootElement.GetProperty("operating_point_from_benchmarks");
            var figure = ob.GetProperty("figures").EnumerateArray().Single(f => f.GetProperty("field").GetString() == "operating_point.output_tokens_per_s_per_gpu");
            Assert.Equal(Expected, figure.GetProperty("value").GetDouble(), 1e-9);
            Assert.Equal(8, ob.GetProperty("files").GetArrayLength());
            Assert.All(ob.GetProperty("rows").EnumerateArray(), r => Assert.Matches("^[0-9a-f]{64}$", r.GetProperty("sha256").GetString()!));
        }

        var (c3, o3, e3) = Exe("explain", config);
        Assert.True(c3 == 0, e3);
        Assert.Contains("From benchmark files (model openai/gpt-oss-120b", o3, StringComparison.Ordinal);
        Assert.Contains("row: concurrency_512", o3.Replace(rel + "/", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    /// <summary>Runs the built risksim executable (as a user would, with its chart hooks) and captures its output.</summary>
    private static (int Code, string Out, string Err) Exe(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "risksim.dll");
        var psi = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stderr = p.StandardError.ReadToEndAsync();
        string stdout = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        return (p.ExitCode, stdout, stderr.Result);
    }
}
