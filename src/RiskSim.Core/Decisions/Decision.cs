using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using RiskSim.Core.Configuration;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Decisions;

/// <summary>
/// A decision built in code: the same sections as a config file, as immutable records. It is checked by the config
/// loader's rules (one rule set): a bad value gives the same message, with the same JSON path (e.g. <c>cost.pue</c>),
/// as in a file. <see cref="ToJson"/> writes it as a config file.
/// </summary>
/// <example>
/// <code>
/// var decision = new Decision { Name = "h100-rental", Deployment = …, Cost = …, … };
/// BaseCase baseCase = decision.Evaluate();
/// DecisionResult run = decision.Run(new RunSettings { Trials = 100_000 });
/// double? p10 = run.Percentile("npv_usd", 0.10);
/// </code>
/// </example>
public sealed record Decision
{
    /// <summary>What messages name a decision built in code by, in place of a file name.</summary>
    public const string Origin = "(decision in code)";

    /// <summary>Name of the decision: reports and result folders are named after it (required).</summary>
    public required string Name { get; init; }

    /// <summary>One or two sentences for the report.</summary>
    public string? Description { get; init; }

    /// <summary>What is bought or rented.</summary>
    public required DeploymentSection Deployment { get; init; }

    /// <summary>What a GPU-hour costs.</summary>
    public required CostSection Cost { get; init; }

    /// <summary>How fast one GPU serves at the SLA.</summary>
    public required OperatingPointSection OperatingPoint { get; init; }

    /// <summary>What tokens sell for.</summary>
    public required MarketSection Market { get; init; }

    /// <summary>Utilization, availability, software improvement, demand.</summary>
    public required DriversSection Drivers { get; init; }

    /// <summary>Horizon, cost of capital, tax.</summary>
    public required FinanceSection Finance { get; init; }

    /// <summary>Monte Carlo settings (trials, seed, sampling); null for the defaults.</summary>
    public SimulationSection? Simulation { get; init; }

    /// <summary>Rank correlations between uncertain inputs, by config path (e.g. "drivers.utilization").</summary>
    public ImmutableArray<CorrelationSpec> Correlations { get; init; } = [];

    /// <summary>Repair an inconsistent correlation set to the nearest valid matrix (reported) instead of rejecting it.</summary>
    public bool RepairCorrelations { get; init; }

    /// <summary>Risk gates: a statistic of the run (e.g. <c>npv_usd.p10</c>) compared with a threshold.</summary>
    public ImmutableArray<GateSpec> Gates { get; init; } = [];

    /// <summary>
    /// Reads a config into a decision, to change it in code (<c>with</c>) and run it: the config is validated by the
    /// loader first, so a bad one throws <see cref="ConfigException"/> with every error.
    /// </summary>
    /// <remarks>
    /// A config that starts from benchmark files is read after their operating point was filled in (<c>risksim</c> does
    /// it; RiskSim.Bench's BenchmarkConfigResolver in code).
    /// </remarks>
    /// <param name="json">Config text.</param>
    /// <param name="file">File name for messages.</param>
    public static Decision FromJson(string json, string file)
    {
        var (_, errors) = ConfigLoader.TryLoad(json);
        if (errors.Count > 0)
        {
            throw new ConfigException(file, errors);
        }

        return DecisionReader.Read(JsonNode.Parse(json, documentOptions: ConfigJson.DocOptions)!.AsObject());
    }

    /// <summary>The config path of a model input, e.g. <c>drivers.utilization</c> for <see cref="Param.Utilization"/> (for correlations).</summary>
    public static string PathOf(Param input) => ConfigSchema.ForParam(input).Path;

    /// <summary>The validated spec the engine runs; throws <see cref="ConfigException"/> listing every error (file name <see cref="Origin"/>).</summary>
    public SimulationSpec ToSpec()
    {
        var (spec, errors) = TryToSpec();
        return spec ?? throw new ConfigException(Origin, errors);
    }

    /// <summary>The validated spec, or null and every error (each with its JSON path, the bad value and what is allowed).</summary>
    public (SimulationSpec? Spec, IReadOnlyList<ConfigError> Errors) TryToSpec() => ConfigLoader.TryLoad(ToJson());

    /// <summary>The base case: every input at its median, evaluated once, with the unit economics and break-evens.</summary>
    public BaseCase Evaluate() => Evaluation.Evaluate(ToSpec());

    /// <summary>
    /// Runs the Monte Carlo simulation. The same decision and seed give bit-identical results on any thread count.
    /// Cancellation stops after the blocks in flight and returns a partial result (<see cref="DecisionResult.Partial"/>);
    /// it throws <see cref="OperationCanceledException"/> when no trial had finished.
    /// </summary>
    /// <param name="settings">Trials, seed, sampling and threads (null: the decision's own settings on every core).</param>
    /// <param name="progress">Receives trials done, at most every 250 ms and once at the end.</param>
    /// <param name="cancellation">Stops the run.</param>
    /// <exception cref="ConfigException">The decision breaks a rule.</exception>
    public DecisionResult Run(RunSettings? settings = null, IProgress<RunProgress>? progress = null, CancellationToken cancellation = default)
    {
        var spec = ToSpec();
        return new DecisionResult(MonteCarloEngine.Run(spec, (settings ?? new RunSettings()).OptionsFor(spec), progress, cancellation));
    }

    /// <summary>The decision as a config file (indented JSON); loading it gives the same spec.</summary>
    public string ToJson(bool indented = false) => ToJsonObject().ToJsonString(new JsonSerializerOptions { WriteIndented = indented });

    private JsonObject ToJsonObject()
    {
        var root = new JsonObject { ["schema_version"] = ConfigSchema.SchemaVersion };
        Put(root, "name", Name);
        Put(root, "description", Description);
        if (Deployment is { } d)
        {
            root["deployment"] = Section(("accelerator", d.Accelerator), ("gpus_per_unit", d.GpusPerUnit), ("units", d.Units), ("notes", d.Notes));
        }

        if (Cost is { } c)
        {
            root["cost"] = Section(
                ("mode", Choice(c.Mode)),
                ("all_in_usd_per_gpu_hour", c.AllInUsdPerGpuHour),
                ("rate_source", c.RateSource),
                ("capex_usd_per_gpu", c.CapexUsdPerGpu),
                ("capex_usd_per_unit", c.CapexUsdPerUnit),
                ("capex_overrun", c.CapexOverrun),
                ("salvage_pct_of_capex", c.SalvagePctOfCapex),
                ("economic_life_months", c.EconomicLifeMonths),
                ("gpu_power_active_w", c.GpuPowerActiveW),
                ("gpu_power_idle_w", c.GpuPowerIdleW),
                ("energy_boundary", c.EnergyBoundary is { } b ? Choice(b) : null),
                ("host_overhead_pct", c.HostOverheadPct),
                ("pue", c.Pue),
                ("electricity_usd_per_kwh", c.ElectricityUsdPerKwh),
                ("electricity_escalation_annual", c.ElectricityEscalationAnnual),
                ("hosting_usd_per_kw_month", c.HostingUsdPerKwMonth),
                ("provisioned_kw_per_gpu", c.ProvisionedKwPerGpu),
                ("maintenance_pct_of_capex_per_year", c.MaintenancePctOfCapexPerYear),
                ("software_usd_per_gpu_year", c.SoftwareUsdPerGpuYear),
                ("staff_usd_per_year", c.StaffUsdPerYear),
                ("other_fixed_usd_per_year", c.OtherFixedUsdPerYear));
        }

        if (OperatingPoint is { } o)
        {
            root["operating_point"] = Section(
                ("source", o.Source),
                ("output_tokens_per_s_per_gpu", o.OutputTokensPerSPerGpu),
                ("input_tokens_per_s_per_gpu", o.InputTokensPerSPerGpu),
                ("input_tokens_per_request", o.InputTokensPerRequest),
                ("output_tokens_per_request", o.OutputTokensPerRequest),
                ("tokens_per_s_per_user", o.TokensPerSPerUser),
                ("ttft_s", o.TtftS),
                ("joules_per_output_token", o.JoulesPerOutputToken));
        }

        if (Market is { } m)
        {
            root["market"] = Section(
                ("source", m.Source),
                ("price_usd_per_million_input_tokens", m.PriceUsdPerMillionInputTokens),
                ("price_usd_per_million_cached_input_tokens", m.PriceUsdPerMillionCachedInputTokens),
                ("cached_input_share", m.CachedInputShare),
                ("price_usd_per_million_output_tokens", m.PriceUsdPerMillionOutputTokens),
                ("price_erosion_annual", m.PriceErosionAnnual));
        }

        if (Drivers is { } dr)
        {
            root["drivers"] = Section(
                ("utilization", dr.Utilization),
                ("utilization_ramp_months", dr.UtilizationRampMonths),
                ("availability", dr.Availability),
                ("software_multiplier_ceiling", dr.SoftwareMultiplierCeiling),
                ("software_time_constant_months", dr.SoftwareTimeConstantMonths),
                ("demand_cap_output_tokens_per_s", dr.DemandCapOutputTokensPerS));
        }

        if (Finance is { } f)
        {
            root["finance"] = Section(
                ("horizon_months", f.HorizonMonths),
                ("discount_rate_annual", f.DiscountRateAnnual),
                ("tax_rate", f.TaxRate),
                ("tax_depreciation", f.TaxDepreciation is { } t ? Choice(t) : null),
                ("tax_depreciation_months", f.TaxDepreciationMonths));
        }

        if (Simulation is { } s)
        {
            root["simulation"] = Section(
                ("trials", s.Trials),
                ("seed", s.Seed),
                ("sampling", s.Sampling is { } sm ? Choice(sm) : null),
                ("payback_within_months", s.PaybackWithinMonths is { } w ? new JsonArray([.. w.Select(n => (JsonNode)n)]) : null),
                ("irr", s.Irr));
        }

        if (!Correlations.IsDefaultOrEmpty)
        {
            root["correlations"] = new JsonArray([.. Correlations.Select(x => x is null ? null : (JsonNode)new JsonObject
            {
                ["inputs"] = new JsonArray(x.A, x.B),
                ["rank_correlation"] = Uncertain.Number(x.RankCorrelation),
            })]);
        }

        if (RepairCorrelations)
        {
            root["correlation_repair"] = "nearest_psd";
        }

        if (!Gates.IsDefaultOrEmpty)
        {
            root["gates"] = new JsonArray([.. Gates.Select(g => g is null ? null : (JsonNode)Section(
                ("metric", g.Metric),
                ("op", g.Op switch { GateOp.GreaterOrEqual => ">=", GateOp.LessOrEqual => "<=", _ => g.Op.ToString() }),
                ("value", Uncertain.Number(g.Threshold)),
                ("label", string.IsNullOrEmpty(g.Label) ? null : g.Label)))]);
        }

        return root;
    }

    private static JsonObject Section(params (string Key, object? Value)[] fields)
    {
        var o = new JsonObject();
        foreach (var (key, value) in fields)
        {
            Put(o, key, value);
        }

        return o;
    }

    private static void Put(JsonObject o, string key, object? value)
    {
        JsonNode? node = value switch
        {
            null => null,
            JsonNode n => n,
            Uncertain u => u.ToJson(),
            string s => s,
            bool b => b,
            int i => i,
            long l => l,
            ulong ul => ul,
            double x => Uncertain.Number(x),
            _ => throw new ArgumentException($"no JSON form for {value.GetType()}", nameof(value)),
        };
        if (node is not null)
        {
            o[key] = node;
        }
    }

    // The config's words for the choices; a value outside the enum is written as its number, which the loader reports.
    private static string Choice(CostMode mode) => mode switch { CostMode.Rate => "rate", CostMode.BuildUp => "build_up", _ => mode.ToString() };

    private static string Choice(EnergyBoundary b) => b switch { EnergyBoundary.Accelerator => "accelerator", EnergyBoundary.It => "it", EnergyBoundary.Facility => "facility", _ => b.ToString() };

    private static string Choice(TaxDepreciation t) => t switch { TaxDepreciation.Macrs5 => "macrs5", TaxDepreciation.StraightLine => "straight_line", _ => t.ToString() };

    private static string Choice(SamplingMethod s) => s switch { SamplingMethod.LatinHypercube => "lhs", SamplingMethod.MonteCarlo => "mc", _ => s.ToString() };

    /// <inheritdoc/>
    public bool Equals(Decision? other) =>
        other is not null && Name == other.Name && Description == other.Description && Deployment == other.Deployment && Cost == other.Cost
        && OperatingPoint == other.OperatingPoint && Market == other.Market && Drivers == other.Drivers && Finance == other.Finance
        && Simulation == other.Simulation && RepairCorrelations == other.RepairCorrelations
        && Correlations.AsSpan().SequenceEqual(other.Correlations.AsSpan()) && Gates.AsSpan().SequenceEqual(other.Gates.AsSpan());

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Name, Deployment, Cost, OperatingPoint, Market, Drivers, Finance);
}

/// <summary>How to run a decision; every setting left null comes from the decision's <see cref="SimulationSection"/>.</summary>
public sealed record RunSettings
{
    /// <summary>Trials (1 … 2,000,000,000).</summary>
    public long? Trials { get; init; }

    /// <summary>Master seed.</summary>
    public ulong? Seed { get; init; }

    /// <summary>Sampling design.</summary>
    public SamplingMethod? Sampling { get; init; }

    /// <summary>Worker threads (default: every core); the results do not depend on it.</summary>
    public int? Threads { get; init; }

    /// <summary>Keep every trial's KPIs in memory (<see cref="DecisionResult.TrialColumns"/>), 8 bytes per KPI and trial.</summary>
    public bool KeepTrials { get; init; }

    /// <summary>The engine's options for this spec.</summary>
    public RunOptions OptionsFor(SimulationSpec spec) =>
        new(Trials ?? spec.Simulation.Trials, Seed ?? spec.Simulation.Seed, Sampling ?? spec.Simulation.Sampling, Threads ?? Environment.ProcessorCount) { KeepAllTrials = KeepTrials };
}

/// <summary>
/// The result of <see cref="Decision.Run"/>: the statistics of every KPI (percentiles with confidence intervals, mean,
/// shortfall, probabilities), the gates, and each trial's KPIs when they were kept.
/// </summary>
public sealed class DecisionResult
{
    internal DecisionResult(SimulationResult result)
    {
        Engine = result;
        Statistics = result.Statistics.ToImmutableDictionary(s => s.Kpi.Key);
        Gates = [.. MonteCarlo.Gates.Evaluate(result)];
        if (result.KeptTrials == result.Trials)
        {
            int n = checked((int)result.Trials);
            TrialColumns = result.Statistics.Select((s, k) => (s.Kpi.Key, Column: new ReadOnlyMemory<double>(result.Kpis[k], 0, n))).ToImmutableDictionary(x => x.Key, x => x.Column);
        }
    }

    /// <summary>The spec that ran.</summary>
    public SimulationSpec Spec => Engine.Spec;

    /// <summary>Trials the statistics cover (fewer than asked only when <see cref="Partial"/>).</summary>
    public long Trials => Engine.Trials;

    /// <summary>True when the run was cancelled: the statistics cover the first <see cref="Trials"/> trials.</summary>
    public bool Partial => Engine.Partial;

    /// <summary>Statistics by KPI key (npv_usd, net_roi, payback_months … as in summary.json).</summary>
    public ImmutableDictionary<string, KpiStatistics> Statistics { get; }

    /// <summary>The risk gates, in the decision's order. A gate whose metric does not exist fails.</summary>
    public ImmutableArray<GateResult> Gates { get; }

    /// <summary>True when every gate passed (or there is none).</summary>
    public bool GatesPassed => Gates.All(g => g.Passed);

    /// <summary>
    /// Each trial's KPIs by KPI key (NaN where the KPI does not exist in that trial) when every trial was kept: runs of up
    /// to <see cref="RunOptions.DefaultOnePassAbove"/> trials, or any run with <see cref="RunSettings.KeepTrials"/>; otherwise null.
    /// </summary>
    public ImmutableDictionary<string, ReadOnlyMemory<double>>? TrialColumns { get; }

    /// <summary>The engine's full result, for reports and exports (RiskSim.Reporting).</summary>
    public SimulationResult Engine { get; }

    /// <summary>A percentile of a KPI (p = 0.05, 0.10, 0.50, 0.90 or 0.95), or null when it does not exist (see <see cref="Percentile.NullReason"/>).</summary>
    public double? Percentile(string kpi, double p) => Statistics[kpi][p].Value;
}
