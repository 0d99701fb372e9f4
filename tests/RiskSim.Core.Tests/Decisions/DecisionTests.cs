using System.Globalization;
using System.Text;
using RiskSim.Core.Configuration;
using RiskSim.Core.Decisions;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Decisions;

/// <summary>
/// A decision built in code (<see cref="Decision"/>) is the same decision as its config file: the same spec, the same
/// statistics to the bit, the same errors (path, message, value, allowed) for the same mistake; runs report progress
/// and stop on cancellation.
/// </summary>
public sealed class DecisionTests
{
    /// <summary>Every kind of input: PERT with λ, triangular, uniform, truncated normal and lognormal, scaled beta, discrete, fixed.</summary>
    private static Decision InCode() => new()
    {
        Name = "h100-rental-typed",
        Description = "A rented H100 fleet, typed.",
        Deployment = new() { Accelerator = "H100 SXM", GpusPerUnit = 8, Units = 4, Notes = "rented" },
        Cost = new()
        {
            Mode = CostMode.Rate,
            AllInUsdPerGpuHour = Uncertain.Triangular(1.9, 2.2, 2.8),
            RateSource = "illustrative",
            GpuPowerActiveW = Uncertain.Normal(650, 40, 500, 800),
            GpuPowerIdleW = 90,
            EnergyBoundary = EnergyBoundary.It,
            Pue = Uncertain.Uniform(1.2, 1.4),
            ElectricityUsdPerKwh = Uncertain.Lognormal(0.08, 0.2, 0.03, 0.3),
            StaffUsdPerYear = 120_000,
        },
        OperatingPoint = new()
        {
            OutputTokensPerSPerGpu = Uncertain.Pert(1500, 1900, 2300, lambda: 6),
            InputTokensPerRequest = Uncertain.Discrete([800, 1200, 2000], [0.5, 0.3, 0.2]),
            OutputTokensPerRequest = 250,
            TtftS = 0.4,
        },
        Market = new()
        {
            PriceUsdPerMillionInputTokens = 0.5,
            PriceUsdPerMillionOutputTokens = Uncertain.Uniform(1.2, 2.0),
            CachedInputShare = Uncertain.Beta(2, 5, 0, 0.6),
            PriceErosionAnnual = 0.3,
        },
        Drivers = new() { Utilization = Uncertain.Pert(0.4, 0.65, 0.85), Availability = 0.98 },
        Finance = new() { HorizonMonths = 36, DiscountRateAnnual = 0.1, TaxRate = 0.25, TaxDepreciation = TaxDepreciation.StraightLine, TaxDepreciationMonths = 36 },
        Simulation = new() { Trials = 20_000, Seed = 11, Sampling = SamplingMethod.MonteCarlo, PaybackWithinMonths = [12, 6] },
        Correlations = [new("drivers.utilization", "market.price_usd_per_million_output_tokens", 0.4)],
        Gates = [new("npv_usd.p50", GateOp.GreaterOrEqual, -1e9, "")],
    };

    // The same decision written by hand as a config file (other key order, other number spellings).
    private const string AsFile = """
        {
          "name": "h100-rental-typed",
          "description": "A rented H100 fleet, typed.",
          "deployment": { "units": 4, "gpus_per_unit": 8, "accelerator": "H100 SXM", "notes": "rented" },
          "cost": {
            "mode": "rate", "rate_source": "illustrative",
            "all_in_usd_per_gpu_hour": { "dist": "triangular", "min": 1.90, "mode": 2.2, "max": 2.8 },
            "gpu_power_active_w": { "dist": "normal", "mean": 650, "sd": 4e1, "min": 500, "max": 800 },
            "gpu_power_idle_w": 90, "energy_boundary": "it",
            "pue": { "dist": "uniform", "min": 1.2, "max": 1.4 },
            "electricity_usd_per_kwh": { "dist": "lognormal", "median": 0.08, "sigma": 0.2, "min": 0.03, "max": 0.3 },
            "staff_usd_per_year": 120000
          },
          "operating_point": {
            "output_tokens_per_s_per_gpu": { "dist": "pert", "min": 1500, "mode": 1900, "max": 2300, "lambda": 6 },
            "input_tokens_per_request": { "dist": "discrete", "values": [800, 1200, 2000], "probabilities": [0.5, 0.3, 0.2] },
            "output_tokens_per_request": 250, "ttft_s": 0.4
          },
          "market": {
            "price_usd_per_million_input_tokens": 0.5,
            "price_usd_per_million_output_tokens": { "dist": "uniform", "min": 1.2, "max": 2 },
            "cached_input_share": { "dist": "beta", "alpha": 2, "beta": 5, "min": 0, "max": 0.6 },
            "price_erosion_annual": 0.3
          },
          "drivers": { "utilization": { "dist": "pert", "min": 0.4, "mode": 0.65, "max": 0.85 }, "availability": 0.98 },
          "finance": { "horizon_months": 36, "discount_rate_annual": 0.1, "tax_rate": 0.25, "tax_depreciation": "straight_line", "tax_depreciation_months": 36 },
          "simulation": { "trials": 20000, "seed": 11, "sampling": "mc", "payback_within_months": [6, 12] },
          "correlations": [{ "inputs": ["drivers.utilization", "market.price_usd_per_million_output_tokens"], "rank_correlation": 0.4 }],
          "gates": [{ "metric": "npv_usd.p50", "op": ">=", "value": -1000000000 }]
        }
        """;

    [Fact]
    public void A_decision_built_in_code_is_the_same_spec_as_its_config_file()
    {
        var fromCode = InCode().ToSpec();
        var fromFile = ConfigLoader.Load(AsFile, "h100.json");
        Assert.Equal(Fingerprint(fromFile), Fingerprint(fromCode));

        // Its own config file loads to the same spec, hash included.
        var reloaded = ConfigLoader.Load(InCode().ToJson(indented: true), "saved.json");
        Assert.Equal(fromCode.ConfigHash, reloaded.ConfigHash);
        Assert.Equal(Fingerprint(fromCode), Fingerprint(reloaded));
    }

    public static TheoryData<string> BundledConfigs() => [.. Directory.GetFiles(RepoPaths.Configs, "*.json").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    [Theory]
    [MemberData(nameof(BundledConfigs))]
    public void Every_bundled_config_read_into_a_decision_and_back_is_the_same_spec(string file)
    {
        // Benchmark-based configs are read with their operating point filled in, as risksim does.
        string path = Path.Combine(RepoPaths.Configs, file);
        string json = ResolvingLoader.Resolve(File.ReadAllText(path), path).Json;
        var loaded = ConfigLoader.Load(json, file);
        var decision = Decision.FromJson(json, file);
        Assert.Equal(Fingerprint(loaded), Fingerprint(decision.ToSpec()));

        // A change in code is the same change as in the file.
        var changed = decision with { Drivers = decision.Drivers with { Availability = 0.9 } };
        var set = ConfigLoader.Load(json, file, ["drivers.availability=0.9"]);
        Assert.Equal(Fingerprint(set), Fingerprint(changed.ToSpec()));
    }

    [Fact]
    public void Reading_a_bad_config_into_a_decision_gives_the_loaders_errors()
    {
        string bad = AsFile.Replace("\"availability\": 0.98", "\"availability\": 1.5", StringComparison.Ordinal);
        var ex = Assert.Throws<ConfigException>(() => Decision.FromJson(bad, "bad.json"));
        Assert.Equal(ConfigLoader.TryLoad(bad).Errors, ex.Errors);
        Assert.StartsWith("bad.json: drivers.availability: out of range (got 1.5;", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_decision_built_in_code_gives_the_same_statistics_to_the_bit_as_its_config_file()
    {
        var settings = new RunSettings { Threads = 2 };
        var fromCode = InCode().Run(settings);
        var fromFile = MonteCarloEngine.Run(ConfigLoader.Load(AsFile, "h100.json"), new RunOptions(20_000, 11, SamplingMethod.MonteCarlo, 1));
        Assert.Equal(20_000, fromCode.Trials);
        Assert.False(fromCode.Partial);
        foreach (var s in fromFile.Statistics)
        {
            Assert.Equal(Bits(s), Bits(fromCode.Statistics[s.Kpi.Key]));
        }

        // Typed access: percentiles by KPI and level, the gates, every trial's KPIs (20,000 ≤ the in-memory limit).
        Assert.Equal(fromFile["npv_usd"][0.1].Value, fromCode.Percentile("npv_usd", 0.1));
        var gate = Assert.Single(fromCode.Gates);
        Assert.True(gate.Passed);
        Assert.True(fromCode.GatesPassed);
        Assert.NotNull(fromCode.TrialColumns);
        Assert.Equal(fromFile.Kpis[TrialKpis.Npv].AsSpan(0, 20_000), fromCode.TrialColumns["npv_usd"].Span);
    }

    [Fact]
    public void The_base_case_of_a_decision_built_in_code_is_the_config_files()
    {
        var a = InCode().Evaluate();
        var b = Evaluation.Evaluate(ConfigLoader.Load(AsFile, "h100.json"));
        Assert.Equal(b.Kpis.Select(k => (k.Key, k.Value, k.Reason)), a.Kpis.Select(k => (k.Key, k.Value, k.Reason)));

        // Utilization × availability at the medians: the PERT(0.4, 0.65, 0.85) median × the fixed 0.98.
        Assert.Equal(new Core.Distributions.PertDistribution(0.4, 0.65, 0.85, 4).Median * 0.98, a.ServingShare);
    }

    public static TheoryData<string, Func<Decision, Decision>, string, string> Mistakes() => new()
    {
        { "cost.pue", d => d with { Cost = d.Cost with { Pue = 0.5 } }, "\"pue\": { \"dist\": \"uniform\", \"min\": 1.2, \"max\": 1.4 }", "\"pue\": 0.5" },
        { "drivers.utilization", d => d with { Drivers = d.Drivers with { Utilization = Uncertain.Pert(0.4, 0.65, 1.4) } }, "\"min\": 0.4, \"mode\": 0.65, \"max\": 0.85", "\"min\": 0.4, \"mode\": 0.65, \"max\": 1.4" },
        { "drivers.utilization", d => d with { Drivers = d.Drivers with { Utilization = Uncertain.Pert(0.7, 0.65, 0.85) } }, "\"min\": 0.4, \"mode\": 0.65, \"max\": 0.85", "\"min\": 0.7, \"mode\": 0.65, \"max\": 0.85" },
        { "operating_point.input_tokens_per_request.probabilities", d => d with { OperatingPoint = d.OperatingPoint with { InputTokensPerRequest = Uncertain.Discrete([800, 1200, 2000], [0.5, 0.3, 0.3]) } }, "[0.5, 0.3, 0.2]", "[0.5, 0.3, 0.3]" },
        { "finance.horizon_months", d => d with { Finance = d.Finance with { HorizonMonths = 601 } }, "\"horizon_months\": 36", "\"horizon_months\": 601" },
        { "correlations[0].inputs[1]", d => d with { Correlations = [new("drivers.utilization", "drivers.availability", 0.4)] }, "\"market.price_usd_per_million_output_tokens\"], \"rank_correlation\"", "\"drivers.availability\"], \"rank_correlation\"" },
        { "gates[0].metric", d => d with { Gates = [new("npv_usd.p11", GateOp.GreaterOrEqual, -1e9, "")] }, "npv_usd.p50", "npv_usd.p11" },
        { "cost.capex_usd_per_gpu", d => d with { Cost = d.Cost with { CapexUsdPerGpu = 30_000 } }, "\"staff_usd_per_year\": 120000", "\"staff_usd_per_year\": 120000, \"capex_usd_per_gpu\": 30000" },
    };

    [Theory]
    [MemberData(nameof(Mistakes))]
    public void A_mistake_in_code_gets_the_loaders_error_for_the_same_mistake_in_a_file(string path, Func<Decision, Decision> mistake, string good, string bad)
    {
        Assert.Contains(good, AsFile, StringComparison.Ordinal);
        var (_, fileErrors) = ConfigLoader.TryLoad(AsFile.Replace(good, bad, StringComparison.Ordinal));
        var (spec, codeErrors) = mistake(InCode()).TryToSpec();
        Assert.Null(spec);
        Assert.Contains(fileErrors, e => e.Path == path);
        Assert.Equal(fileErrors, codeErrors);

        var ex = Assert.Throws<ConfigException>(() => mistake(InCode()).Run());
        Assert.StartsWith($"{Decision.Origin}: {path}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_required_value_is_named_by_its_path()
    {
        var d = InCode() with { Drivers = new() { Utilization = null! } };
        var ex = Assert.Throws<ConfigException>(d.ToSpec);
        var e = Assert.Single(ex.Errors);
        Assert.Equal(("drivers.utilization", "required field is missing"), (e.Path, e.Message));
    }

    [Fact]
    public void A_value_that_is_not_a_number_is_an_error_not_a_crash()
    {
        var d = InCode() with { Cost = InCode().Cost with { Pue = double.NaN } };
        var e = Assert.Single(d.TryToSpec().Errors);
        Assert.Equal(("cost.pue", "expected a number", "\"NaN\""), (e.Path, e.Message, e.Value));
    }

    [Fact]
    public void Progress_ends_with_every_trial_done()
    {
        var reports = new List<RunProgress>();
        var result = InCode().Run(new RunSettings { Trials = 50_000, Threads = 1 }, new Recorder(reports));
        Assert.NotEmpty(reports);
        Assert.Equal((50_000L, 50_000L), (reports[^1].Done, reports[^1].Total));
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.First.Done <= p.Second.Done));
        Assert.Equal(50_000, result.Trials);
    }

    [Fact]
    public void A_run_cancelled_before_it_starts_throws_OperationCanceledException()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => InCode().Run(new RunSettings { Trials = 50_000, Threads = 1 }, cancellation: cts.Token));
    }

    [Fact]
    public void A_run_cancelled_midway_is_the_run_of_the_trials_it_finished()
    {
        // Cancelled at its first progress report: wherever that falls, the result is either complete or a partial run
        // whose statistics are those of a run of exactly the trials it finished (whole blocks, in order).
        using var cts = new CancellationTokenSource();
        var d = InCode();
        DecisionResult r;
        try
        {
            r = d.Run(new RunSettings { Trials = 400_000, Threads = 1 }, new Cancel(cts), cts.Token);
        }
        catch (OperationCanceledException)
        {
            return; // cancelled before the first block finished: nothing to compare
        }

        Assert.Equal(r.Trials < 400_000, r.Partial);
        var same = d.Run(new RunSettings { Trials = r.Trials, Threads = 1 });
        Assert.Equal(Bits(same.Statistics["npv_usd"]), Bits(r.Statistics["npv_usd"]));
    }

    private sealed class Recorder(List<RunProgress> reports) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => reports.Add(value);
    }

    private sealed class Cancel(CancellationTokenSource cts) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => cts.Cancel();
    }

    /// <summary>Everything a spec says except its JSON text and hash, with every distribution's quantiles as bits.</summary>
    private static string Fingerprint(SimulationSpec s)
    {
        var sb = new StringBuilder();
        sb.AppendLine(CultureInfo.InvariantCulture, $"{s.Name}|{s.Description}|{s.Accelerator}|{s.GpusPerUnit}|{s.Units}|{s.CostMode}|{s.EnergyBoundary}|{s.PowerFromJoules}|{s.HasPower}|{s.HasDemandCap}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{s.HorizonMonths}|{s.UtilizationRampMonths}|{s.EconomicLifeMonths}|{s.TaxDepreciation}|{s.TaxLifeMonths}|{s.RepairCorrelation}");
        sb.AppendLine(CultureInfo.InvariantCulture, $"{s.Simulation.Trials}|{s.Simulation.Seed}|{s.Simulation.Sampling}|{string.Join(",", s.Simulation.PaybackWithinMonths)}|{s.Simulation.Irr}");
        foreach (var i in s.Inputs)
        {
            string q = string.Join(",", new[] { 0, 1e-9, 0.1, 0.5, 0.9, 1 - 1e-9, 1 }.Select(u => BitConverter.DoubleToInt64Bits(i.Distribution.Quantile(u))));
            sb.AppendLine(CultureInfo.InvariantCulture, $"{i.Param}|{i.Path}|{i.Unit}|{i.Defaulted}|{i.Distribution.GetType().Name}|{i.Distribution.Describe()}|{q}");
        }

        sb.AppendLine(string.Join(";", s.Correlations.Select(c => $"{c.A}~{c.B}={BitConverter.DoubleToInt64Bits(c.RankCorrelation)}")));
        sb.AppendLine(string.Join(";", s.Gates.Select(g => $"{g.Metric}{g.Op}{BitConverter.DoubleToInt64Bits(g.Threshold)}{g.Label}")));
        sb.AppendLine(string.Join(";", s.Notes.OrderBy(n => n.Key, StringComparer.Ordinal).Select(n => $"{n.Key}={n.Value}")));
        return sb.ToString();
    }

    private static string Bits(KpiStatistics s)
    {
        static string B(double? v) => v is { } x ? BitConverter.DoubleToInt64Bits(x).ToString(CultureInfo.InvariantCulture) : "null";
        return $"{s.Trials}|{s.Nulls}|{B(s.Mean)}|{B(s.Sd)}|{B(s.Min)}|{B(s.Max)}|{B(s.ExpectedShortfall10)}|{B(s.ProbNegative)}|"
            + string.Join(",", s.Percentiles.Select(p => $"{B(p.Value)}/{B(p.CiLow)}/{B(p.CiHigh)}"))
            + "|" + string.Join(",", s.ProbWithin.Select(p => $"{p.Key}:{B(p.Value)}"));
    }
}
