using System.Globalization;
using System.Text.Json.Nodes;
using RiskSim.Core.Configuration;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Bench.Tests;

/// <summary>
/// Configs that start from benchmark files: the resolver fills the operating point before the loader, and every
/// problem is a config error with its JSON path. Expected values are computed here from the fixture files' own
/// numbers (quoted in the comments), independently of the readers.
/// </summary>
public sealed class FromBenchmarksTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    /// <summary>A rate-mode config with <paramref name="operatingPoint"/> as its operating_point object.</summary>
    private string Config(string operatingPoint, string name = "c.json") => _tmp.File(name, $$"""
        {
          "name": "from-files",
          "deployment": { "accelerator": "test GPU", "gpus_per_unit": 8, "units": 2 },
          "cost": { "mode": "rate", "all_in_usd_per_gpu_hour": 2.0 },
          "operating_point": {{operatingPoint}},
          "market": { "price_usd_per_million_input_tokens": 0.1, "price_usd_per_million_output_tokens": 0.5 },
          "drivers": { "utilization": 0.6 },
          "finance": { "horizon_months": 12, "discount_rate_annual": 0.1 },
          "simulation": { "trials": 1000 }
        }
        """);

    private string GptOss => Path.GetRelativePath(_tmp.Path, Fx.P("inferencemax", "gpt-oss-120b")).Replace('\\', '/');

    private static SimulationSpec Load(string path, params string[] overrides)
    {
        var r = BenchmarkConfigResolver.Resolve(File.ReadAllText(path), path, overrides);
        var spec = ConfigLoader.Load(r.Json, path, r.Overrides);
        return r.Origin is null ? spec : spec with { Benchmarks = r.Origin };
    }

    private static ConfigException Fails(string path, params string[] overrides) =>
        Assert.Throws<ConfigException>(() => Load(path, overrides));

    [Fact]
    public void A_key_twice_in_one_object_is_a_config_error_not_a_crash()
    {
        // Found by ConfigFuzzTests: the resolver's lazy JsonNode threw ArgumentException on the duplicate.
        string cfg = _tmp.File("dup.json", """{ "deployment": 1, "deployment": { "accelerator": "x", "gpus_per_unit": 8, "units": 1 } }""");
        var ex = Fails(cfg);
        Assert.Contains("deployment: duplicate key", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void InferenceX_sweep_fills_the_operating_point_at_the_interactivity_floor()
    {
        // Fixture figures (16 GPUs per point): c=512 output_throughput 22,534.153728724606 tok/s, median_tpot_ms
        // 22.107187851891105, median_ttft_ms 313.3755950257182; c=256: 13,975.943487151262, 17.7608991554098,
        // 215.23276844527572. Per user: 1000 / median TPOT ms. The floor of 50 lies between them:
        // t = (50 − x512) / (x256 − x512); y = y512 + t (y256 − y512); TTFT the same way.
        double x512 = 1000 / 22.107187851891105, x256 = 1000 / 17.7608991554098;
        double y512 = 22534.153728724606 / 16, y256 = 13975.943487151262 / 16;
        double t = (50 - x512) / (x256 - x512);
        string cfg = Config($$"""{ "from_benchmarks": { "files": ["{{GptOss}}"], "sla": "tokens_per_s_per_user>=50,ttft_p50_s<=2,ttft_p99_s<=5", "spread": "fixed" } }""");
        var spec = Load(cfg);
        Fx.Near(y512 + (t * (y256 - y512)), spec[Param.OutputTokensPerSPerGpu].BaseValue, 1e-9);
        Assert.True(spec[Param.OutputTokensPerSPerGpu].Distribution.IsFixed);
        Fx.Near(1024, spec[Param.InputTokensPerRequest].BaseValue);
        Fx.Near(1024, spec[Param.OutputTokensPerRequest].BaseValue);
        var o = Assert.IsType<RiskSim.Core.Benchmarks.BenchmarkOrigin>(spec.Benchmarks);
        Assert.True(o.Choice.Interpolated);
        Assert.Equal("tokens_per_s_per_user", Assert.Single(o.Choice.Binding).Metric.Key);
        Fx.Near((313.3755950257182 + (t * (215.23276844527572 - 313.3755950257182))) / 1000, o.Figures.Single(f => f.Field == "operating_point.ttft_s").Value, 1e-9);
        Assert.Equal(8, o.Files.Length);
        Assert.All(o.Files, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
        Assert.Contains("fixed at the measured value", o.Spread, StringComparison.Ordinal);
        Assert.Contains(o.Choice.Point.Sources, s => s.File.EndsWith("concurrency_512_req_rate_inf_gpus_16_ctx_8_gen_8.json", StringComparison.Ordinal));
    }

    [Fact]
    public void A_field_given_by_hand_and_by_the_files_is_an_error_naming_it()
    {
        string cfg = Config($$"""{ "from_benchmarks": { "files": ["{{GptOss}}"], "sla": "tokens_per_s_per_user>=50", "spread": "fixed" }, "output_tokens_per_request": 900 }""");
        var ex = Fails(cfg);
        var e = Assert.Single(ex.Errors);
        Assert.Equal("operating_point.output_tokens_per_request", e.Path);
        Assert.Contains("given both by hand and by operating_point.from_benchmarks", e.Message, StringComparison.Ordinal);
        Assert.Contains("1024", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_hand_typed_field_the_files_do_not_give_is_kept()
    {
        // The fixture has no energy: joules per output token can be typed by hand beside from_benchmarks.
        string cfg = Config($$"""{ "from_benchmarks": { "files": ["{{GptOss}}"], "sla": "tokens_per_s_per_user>=50", "spread": "fixed" }, "joules_per_output_token": 0.5 }""");
        File.WriteAllText(cfg, File.ReadAllText(cfg).Replace("\"all_in_usd_per_gpu_hour\": 2.0", "\"all_in_usd_per_gpu_hour\": 2.0, \"gpu_power_idle_w\": 100, \"electricity_usd_per_kwh\": 0.1", StringComparison.Ordinal));
        var spec = Load(cfg);
        Assert.Equal(0.5, spec[Param.JoulesPerOutputToken].BaseValue);
        Assert.DoesNotContain(spec.Benchmarks!.Figures, f => f.Field.EndsWith("joules_per_output_token", StringComparison.Ordinal));
    }

    [Fact]
    public void No_point_meets_the_sla_is_a_config_error_naming_the_closest_point()
    {
        // The most interactive point is c=4: 1000 / 8.389879373914562 = 119.19 tok/s/user, 20.5 % below 150.
        string cfg = Config($$"""{ "from_benchmarks": { "files": ["{{GptOss}}"], "sla": "tokens_per_s_per_user>=150", "spread": "fixed" } }""");
        var e = Assert.Single(Fails(cfg).Errors);
        Assert.Equal("operating_point.from_benchmarks.sla", e.Path);
        Assert.Contains("the closest is ", e.Message, StringComparison.Ordinal);
        Assert.Contains("concurrency_4_req_rate_inf_gpus_16_ctx_8_gen_8.json (c=4)", e.Message, StringComparison.Ordinal);
        Assert.Contains("20.5 % below the floor 150", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Three_repeated_runs_become_an_empirical_distribution_of_the_throughput()
    {
        // RiskSim CSV: three runs at concurrency 8 (400, 420, 440 tok/s per GPU; 50, 51, 52 tok/s/user: mean 420 at 51)
        // and one at concurrency 16 (700 at 30). Floor 40: the choice is on the segment c=16 → c=8, at
        // t = (40 − 30) / (51 − 30) = 10/21, y = 700 − (10/21)·280 = 566.667. The runs' ratios to their mean
        // (400/420, 1, 440/420) times 566.667 are the empirical values; c=16 has one run and adds no ratio.
        string csv = _tmp.File("runs.csv", Csv(("8", 400, 50), ("8", 420, 51), ("8", 440, 52), ("16", 700, 30)));
        string cfg = Config("""{ "from_benchmarks": { "files": ["runs.csv"], "sla": "tokens_per_s_per_user>=40" } }""");
        var spec = Load(cfg);
        var d = Assert.IsType<DiscreteDistribution>(spec[Param.OutputTokensPerSPerGpu].Distribution);
        double y = 700 - (10.0 / 21 * 280);
        var expected = new[] { 400.0 / 420 * y, y, 440.0 / 420 * y };
        Assert.Equal(3, d.Values.Count);
        for (int i = 0; i < 3; i++)
        {
            Fx.Near(expected[i], d.Values[i], 1e-9);
        }

        Assert.Contains("empirical", spec.Benchmarks!.Spread, StringComparison.Ordinal);
        Assert.Contains("3 repeated runs", spec.Benchmarks.Spread, StringComparison.Ordinal);
    }

    [Fact]
    public void At_a_measured_point_with_repeated_runs_the_values_are_the_runs()
    {
        // Floor 51 is c=8's mean interactivity (50, 51, 52): the choice is c=8 itself, and the values its three runs.
        string csv = _tmp.File("runs.csv", Csv(("8", 400, 50), ("8", 420, 51), ("8", 440, 52), ("16", 700, 30)));
        string cfg = Config("""{ "from_benchmarks": { "files": ["runs.csv"], "sla": "tokens_per_s_per_user>=51", "spread": "runs" } }""");
        var d = Assert.IsType<DiscreteDistribution>(Load(cfg)[Param.OutputTokensPerSPerGpu].Distribution);
        Assert.Equal([400.0, 420.0, 440.0], d.Values.Select(v => Math.Round(v, 9)).ToArray());
        _ = csv;
    }

    [Fact]
    public void Per_request_files_give_the_sla_check_its_percentiles_and_sample_size()
    {
        // AIPerf profile_export.jsonl: 66 profiling requests. Their time_to_first_token values (ms), sorted, give the
        // p50 and p99 by linear interpolation between order statistics (computed here from the file, not by the reader).
        var ttft = File.ReadLines(Fx.P("aiperf", "profile_export.jsonl"))
            .Select(l => JsonNode.Parse(l)!)
            .Where(n => n["error"] is null && (string?)n["metadata"]!["benchmark_phase"] == "profiling")
            .Select(n => (double)n["metrics"]!["time_to_first_token"]!["value"]! / 1000)
            .Order()
            .ToArray();
        Assert.Equal(66, ttft.Length);
        static double Q(double[] s, double q)
        {
            double h = (s.Length - 1) * q;
            int lo = (int)Math.Floor(h);
            return s[lo] + ((h - lo) * (s[Math.Min(lo + 1, s.Length - 1)] - s[lo]));
        }

        string file = Path.GetRelativePath(_tmp.Path, Fx.P("aiperf", "profile_export.jsonl"));
        string cfg = Config($$"""{ "from_benchmarks": { "files": ["{{file}}"], "gpus": 1, "sla": "tokens_per_s_per_user>=30,ttft_p99_s<=10", "spread": "fixed" } }""");
        var spec = Load(cfg);
        var p = spec.Benchmarks!.Choice.Point;
        Assert.Equal(66, p.LatencySampleSize);
        Fx.Near(Q(ttft, 0.99), p.Value("ttft_p99_s"), 1e-9);
        Fx.Near(Q(ttft, 0.5), spec.Benchmarks.Figures.Single(f => f.Field == "operating_point.ttft_s").Value, 1e-9);
        Assert.Contains("from 66 requests", spec.Benchmarks.Figures.Single(f => f.Field == "operating_point.ttft_s").From, StringComparison.Ordinal);

        // A tighter p99 limit: no point; the miss states the sample size.
        string strict = Config($$"""{ "from_benchmarks": { "files": ["{{file}}"], "gpus": 1, "sla": "ttft_p99_s<=2", "spread": "fixed" } }""", "strict.json");
        Assert.Contains("latency percentiles from 66 requests", Assert.Single(Fails(strict).Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void One_run_and_no_stated_spread_asks_for_one()
    {
        string cfg = Config($$"""{ "from_benchmarks": { "files": ["{{GptOss}}"], "sla": "tokens_per_s_per_user>=50" } }""");
        var e = Assert.Single(Fails(cfg).Errors);
        Assert.Equal("operating_point.from_benchmarks.spread", e.Path);
        Assert.Contains("too few repeated runs", e.Message, StringComparison.Ordinal);
        Assert.Contains("\"fixed\"", e.Allowed, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stated_spread_multiplies_the_measured_throughput()
    {
        // PERT 0.8 / 1 / 1.1 around the measured c=64 point: a floor at its interactivity, 1000 / 12.51935791408594 =
        // 79.8763…, within the 0.01 % snap of it; y = 5002.605334620647 / 16.
        double y = 5002.605334620647 / 16;
        string cfg = Config($$"""{ "from_benchmarks": { "files": ["{{GptOss}}"], "sla": "tokens_per_s_per_user>=79.8763", "spread": { "dist": "pert", "min": 0.8, "mode": 1, "max": 1.1 } } }""");
        var spec = Load(cfg);
        var pert = spec[Param.OutputTokensPerSPerGpu].Distribution;
        Fx.Near(0.8 * y, pert.Quantile(0), 1e-6);
        Fx.Near(1.1 * y, pert.Quantile(1), 1e-6);
        Assert.Contains("stated in the config", spec.Benchmarks!.Spread, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_gpu_count_names_the_config_field()
    {
        string sglang = Path.GetRelativePath(_tmp.Path, Fx.P("sglang", "llama_3_3_70b_online_output.jsonl"));
        string cfg = Config($$"""{ "from_benchmarks": { "files": ["{{sglang}}"], "sla": "tokens_per_s_per_user>=30", "spread": "fixed" } }""");
        var ex = Fails(cfg);
        Assert.Contains(ex.Errors, e => e.Path == "operating_point.from_benchmarks.files" && e.Message.Contains("operating_point.from_benchmarks.gpus", StringComparison.Ordinal));
    }

    [Fact]
    public void Mixed_models_need_a_filter()
    {
        string kimi = Path.GetRelativePath(_tmp.Path, Fx.P("inferencemax", "agg"));
        string both = Config($$"""{ "from_benchmarks": { "files": ["{{GptOss}}", "{{kimi}}"], "sla": "tokens_per_s_per_user>=40", "spread": "fixed" } }""");
        var errors = Fails(both).Errors;
        Assert.Contains(errors, e => e.Message.Contains("one model on one hardware, but the points hold 2 models", StringComparison.Ordinal));
        string filtered = Config($$"""{ "from_benchmarks": { "files": ["{{GptOss}}", "{{kimi}}"], "filter": { "model": "gpt-oss" }, "sla": "tokens_per_s_per_user>=50", "spread": "fixed" } }""", "f.json");
        Assert.Contains("gpt-oss-120b", Load(filtered).Benchmarks!.Group, StringComparison.Ordinal);
    }

    [Fact]
    public void Bad_settings_are_listed_together_with_their_paths()
    {
        string cfg = Config("""{ "from_benchmarks": { "files": [], "sla": "ttft_p99_s>=5", "gpus": 0, "filter": { "vendor": "x" }, "spread": "wide", "extra": 1 } }""");
        var paths = Fails(cfg).Errors.Select(e => e.Path).ToList();
        Assert.Contains("operating_point.from_benchmarks.files", paths);
        Assert.Contains("operating_point.from_benchmarks.sla", paths);
        Assert.Contains("operating_point.from_benchmarks.gpus", paths);
        Assert.Contains("operating_point.from_benchmarks.filter.vendor", paths);
        Assert.Contains("operating_point.from_benchmarks.spread", paths);
        Assert.Contains("operating_point.from_benchmarks.extra", paths);
    }

    [Fact]
    public void A_missing_file_is_named_with_its_resolved_path()
    {
        string cfg = Config("""{ "from_benchmarks": { "files": ["nope/runs.json"], "sla": "tokens_per_s_per_user>=5", "spread": "fixed" } }""");
        var e = Assert.Single(Fails(cfg).Errors);
        Assert.Equal("operating_point.from_benchmarks.files[0]", e.Path);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Set_overrides_reach_the_sla_and_mark_a_replaced_figure()
    {
        string cfg = Config($$"""{ "from_benchmarks": { "files": ["{{GptOss}}"], "sla": "tokens_per_s_per_user>=50", "spread": "fixed" } }""");

        // A stricter SLA through --set: the floor 100 lies between c=32 (96.40) and c=16 (110.63).
        var stricter = Load(cfg, "operating_point.from_benchmarks.sla=tokens_per_s_per_user>=100");
        Assert.Equal("tokens_per_s_per_user>=100", stricter.Benchmarks!.Frontier.Sla.Text);
        Assert.InRange(stricter[Param.OutputTokensPerSPerGpu].BaseValue, 1725.5812148243967 / 16, 2985.6 / 16);

        var replaced = Load(cfg, "operating_point.output_tokens_per_s_per_gpu=900");
        Assert.Equal(900, replaced[Param.OutputTokensPerSPerGpu].BaseValue);
        Assert.StartsWith("--set", replaced.Benchmarks!.Figures.Single(f => f.Field == "operating_point.output_tokens_per_s_per_gpu").OverriddenBy, StringComparison.Ordinal);
    }

    [Fact]
    public void The_loader_alone_rejects_an_unresolved_from_benchmarks_object()
    {
        string text = File.ReadAllText(Config("""{ "from_benchmarks": { "files": ["x"], "sla": "tokens_per_s_per_user>=5" } }"""));
        var ex = Assert.Throws<ConfigException>(() => ConfigLoader.Load(text, "c.json"));
        Assert.Contains(ex.Errors, e => e.Path == "operating_point.from_benchmarks" && e.Message.Contains("read before the config is loaded", StringComparison.Ordinal));
    }

    [Fact]
    public void A_config_without_from_benchmarks_passes_through_unchanged()
    {
        string text = """{ "operating_point": { "output_tokens_per_s_per_gpu": 5 } }""";
        var r = BenchmarkConfigResolver.Resolve(text, "x.json", ["drivers.utilization=0.5"]);
        Assert.Same(text, r.Json);
        Assert.Null(r.Origin);
        Assert.Equal(["drivers.utilization=0.5"], r.Overrides);
        _ = JsonNode.Parse(r.Json);
    }

    /// <summary>A RiskSim points table: (concurrency, output tok/s per GPU, tok/s per user) per row, 1 GPU, 1,000 in / 200 out.</summary>
    private static string Csv(params (string Conc, double Y, double X)[] rows)
    {
        var inv = CultureInfo.InvariantCulture;
        var lines = new List<string>
        {
            "# source: hand-made test rows",
            "tool,model,hardware,gpu_count,gpu_count_source,concurrency,mean_input_tokens,mean_output_tokens,output_tokens_per_s,tokens_per_s_per_user,output_tokens_per_s_per_gpu,ttft_median_s",
        };
        lines.AddRange(rows.Select(r => string.Create(inv, $"vllm,m,h,1,file,{r.Conc},1000,200,{r.Y},{r.X},{r.Y},0.1")));
        return string.Join("\n", lines) + "\n";
    }
}
