using System.Collections.Immutable;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Configuration;

/// <summary>Kind of a config field.</summary>
public enum FieldKind
{
    /// <summary>A number, or a distribution object when <see cref="FieldDef.Param"/> is set.</summary>
    Number,
    /// <summary>A whole number in a range.</summary>
    WholeNumber,
    /// <summary>Free text.</summary>
    Text,
    /// <summary>One of a few strings (<see cref="FieldDef.Choices"/>).</summary>
    Choice,
    /// <summary>A non-empty list of whole numbers in a range.</summary>
    IntegerList,
    /// <summary>true or false.</summary>
    Boolean,

    /// <summary>A JSON object with its own keys, documented apart (e.g. <c>operating_point.from_benchmarks</c>).</summary>
    Nested,
}

/// <summary>
/// One config field. The loader, the JSON Schema (<c>risksim schema</c>) and the config reference in the
/// docs are all generated from these definitions, so they cannot drift apart.
/// </summary>
/// <param name="Section">Top-level object, e.g. "cost".</param>
/// <param name="Name">Key inside the section.</param>
/// <param name="Kind">Value kind.</param>
/// <param name="Unit">Unit, e.g. "USD/kWh"; "" for none.</param>
/// <param name="Min">Smallest allowed value (numbers; for distributions, the lower end of support).</param>
/// <param name="Max">Largest allowed value.</param>
/// <param name="MinExclusive">True when Min itself is not allowed.</param>
/// <param name="Default">Default when absent; null when required or conditionally required.</param>
/// <param name="Requirement">"required", "optional", or a sentence saying when it is required.</param>
/// <param name="Param">The model parameter the field feeds (uncertain-capable numbers).</param>
/// <param name="Choices">Allowed values for <see cref="FieldKind.Choice"/>.</param>
/// <param name="Description">What it means, for users.</param>
public sealed record FieldDef(
    string Section,
    string Name,
    FieldKind Kind,
    string Unit,
    double Min,
    double Max,
    bool MinExclusive,
    double? Default,
    string Requirement,
    Param? Param,
    ImmutableArray<string> Choices,
    string Description)
{
    /// <summary>Dotted path, e.g. "cost.pue".</summary>
    public string Path => $"{Section}.{Name}";

    /// <summary>True when a distribution object is accepted in place of a number.</summary>
    public bool AcceptsDistribution => Param is not null;

    /// <summary>The allowed range in words, e.g. "a number in [0, 1]".</summary>
    public string AllowedText => Kind switch
    {
        FieldKind.Text => "a string",
        FieldKind.Boolean => "true or false",
        FieldKind.Nested => "an object (see below)",
        FieldKind.Choice => "one of: " + string.Join(", ", Choices.Select(c => $"\"{c}\"")),
        FieldKind.IntegerList => $"a list of whole numbers in [{N(Min)}, {N(Max)}]",
        FieldKind.WholeNumber => $"a whole number in [{N(Min)}, {N(Max)}]",
        _ => $"a number in {(MinExclusive ? "(" : "[")}{N(Min)}, {N(Max)}]{(AcceptsDistribution ? " or a distribution object" : "")}",
    };

    /// <summary>A bound as documents write it: ∞ and −∞ as symbols, other numbers with up to ten significant digits.</summary>
    public static string N(double v) => double.IsPositiveInfinity(v) ? "∞" : double.IsNegativeInfinity(v) ? "−∞" : v.ToString("G10", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>The config sections and their fields.</summary>
public static class ConfigSchema
{
    /// <summary>Version of the config and results schema; bump on breaking change.</summary>
    public const int SchemaVersion = 1;

    private const double Inf = double.PositiveInfinity;

    /// <summary>Longest config name in UTF-8 bytes: a result folder is named after it, and a comparison folder after two.</summary>
    public const int NameMaxBytes = 64;

    /// <summary>Characters a name cannot hold: path separators and what Windows forbids in a folder name.</summary>
    public const string NameForbiddenCharacters = "/\\:*?\"<>|";

    /// <summary>The rule for names, in words.</summary>
    public static string NameAllowedText => $"1 to {NameMaxBytes} bytes in UTF-8 ({NameMaxBytes} ASCII characters; accented or non-Latin letters take 2 to 4 bytes) with at least one letter or digit; no control characters, no leading or trailing spaces, none of / \\ : * ? \" < > |";

    /// <summary>Section descriptions, in document order.</summary>
    public static readonly ImmutableArray<(string Name, string Description)> Sections =
    [
        ("deployment", "What is bought or rented: the accelerator, GPUs per deployment unit (a server or rack), and how many units."),
        ("cost", "What a GPU-hour costs: either a given all-in rate (mode \"rate\") or a build-up from capex, energy, hosting and fixed costs (mode \"build_up\")."),
        ("operating_point", "How fast one GPU serves at the SLA, from benchmarks: throughput per GPU divided by every GPU the deployment occupies."),
        ("market", "What tokens sell for, and how fast that price erodes."),
        ("drivers", "The operating drivers over the horizon: utilization (and its ramp), availability, the software improvement curve m(t), demand."),
        ("finance", "Horizon, cost of capital, tax and depreciation."),
        ("simulation", "Monte Carlo settings: trials, seed, sampling design, payback thresholds reported."),
    ];

    /// <summary>All fields, in document order.</summary>
    public static readonly ImmutableArray<FieldDef> Fields =
    [
        T("deployment", "accelerator", "required", "Accelerator name as it should appear in reports, e.g. \"H100 SXM\", \"GB200 NVL72\"."),
        I("deployment", "gpus_per_unit", 1, 100_000, null, "required", "GPUs in one deployment unit (8 for an HGX server, 72 for an NVL72 rack)."),
        I("deployment", "units", 1, 10_000_000, null, "required", "Number of deployment units bought or rented."),
        T("deployment", "notes", "optional", "Free text shown in the report."),

        C("cost", "mode", ["build_up", "rate"], "required", "\"rate\": a given all-in $/GPU-hour charged for every provisioned hour (no up-front capex, so ROI and payback do not exist); \"build_up\": capex at month 0 plus operating costs."),
        P("cost", "all_in_usd_per_gpu_hour", Spec.Param.CostRateUsdPerGpuHour, "USD/GPU-hour", 0, 1000, true, null, "required when mode is \"rate\"", "All-in cost of one provisioned GPU-hour (e.g. InferenceX's owned-TCO tiers, or a rental rate)."),
        T("cost", "rate_source", "optional", "Where the rate comes from, with its date."),
        P("cost", "capex_usd_per_gpu", Spec.Param.CapexUsdPerGpu, "USD/GPU", 0, 1e8, false, null, "build_up: this or capex_usd_per_unit", "Up-front capital per GPU, all-in (server, network, installation)."),
        P("cost", "capex_usd_per_unit", null, "USD/unit", 0, 1e10, false, null, "build_up: this or capex_usd_per_gpu", "Up-front capital per deployment unit; divided by gpus_per_unit."),
        P("cost", "capex_overrun", Spec.Param.CapexOverrun, "multiplier", 0, 10, true, 1, "optional", "Multiplier on capex (1.1 = 10 % overrun)."),
        P("cost", "salvage_pct_of_capex", Spec.Param.SalvagePctOfCapex, "fraction", 0, 1, false, 0, "optional", "Resale value at the end of the economic life as a fraction of capex; at the horizon the asset is sold at its straight-line book value toward this."),
        I("cost", "economic_life_months", 1, 600, null, "optional (default: the horizon)", "Economic (and book-depreciation) life: straight-line book depreciation to salvage, and the capital recovery period in the cost per GPU-hour."),
        P("cost", "gpu_power_active_w", Spec.Param.GpuPowerActiveW, "W", 0, 100_000, true, null, "build_up: this or operating_point.joules_per_output_token", "Average power per GPU while serving at the operating point, at the energy_boundary."),
        P("cost", "gpu_power_idle_w", Spec.Param.GpuPowerIdleW, "W", 0, 100_000, false, null, "required when any power is given", "Power per GPU in the hours it does not serve (idle capacity still draws power)."),
        C("cost", "energy_boundary", ["accelerator", "it", "facility"], "optional (default \"accelerator\")", "Boundary of the power figures: \"accelerator\" (GPU only; host overhead and PUE added), \"it\" (PUE added), \"facility\" (used as is)."),
        P("cost", "host_overhead_pct", Spec.Param.HostOverheadPct, "fraction of GPU power", 0, 5, false, 0.30, "optional", "Host CPU, DRAM, NIC and switch share added to accelerator power (0.30 = +30 %)."),
        P("cost", "pue", Spec.Param.Pue, "ratio", 1, 5, false, 1.3, "optional", "Power usage effectiveness of the facility."),
        P("cost", "electricity_usd_per_kwh", Spec.Param.ElectricityUsdPerKwh, "USD/kWh", 0, 10, false, null, "required when any power is given", "Electricity price at month 1."),
        P("cost", "electricity_escalation_annual", Spec.Param.ElectricityEscalationAnnual, "fraction/year", -0.5, 2, false, 0, "optional", "Annual escalation of the electricity price (0.03 = +3 %/year), compounded monthly."),
        P("cost", "hosting_usd_per_kw_month", Spec.Param.HostingUsdPerKwMonth, "USD/kW-month", 0, 10_000, false, 0, "optional", "Colocation or facility charge per provisioned kW per month."),
        P("cost", "provisioned_kw_per_gpu", Spec.Param.ProvisionedKwPerGpu, "kW/GPU", 0, 100, true, null, "optional (default: active power × (1 + host overhead) at the IT boundary)", "Provisioned IT power per GPU that hosting is charged on."),
        P("cost", "maintenance_pct_of_capex_per_year", Spec.Param.MaintenancePctOfCapexPerYear, "fraction/year", 0, 1, false, 0, "optional", "Maintenance and support as a fraction of capex per year."),
        P("cost", "software_usd_per_gpu_year", Spec.Param.SoftwareUsdPerGpuYear, "USD/GPU-year", 0, 1e7, false, 0, "optional", "Software licences per GPU per year."),
        P("cost", "staff_usd_per_year", Spec.Param.StaffUsdPerYear, "USD/year", 0, 1e10, false, 0, "optional", "Staff cost attributable to the deployment per year."),
        P("cost", "other_fixed_usd_per_year", Spec.Param.OtherFixedUsdPerYear, "USD/year", 0, 1e10, false, 0, "optional", "Other fixed operating costs per year (insurance, network transit …)."),

        T("operating_point", "source", "optional", "Benchmark the point comes from (tool, version, date, SLA)."),
        new("operating_point", "from_benchmarks", FieldKind.Nested, "", 0, 0, false, null, "optional", null, [], "Fill the operating point from benchmark result files at the SLA: { files, sla, gpus, filter, spread } (see `operating_point.from_benchmarks` below). It writes output_tokens_per_s_per_gpu, input/output_tokens_per_request, tokens_per_s_per_user, ttft_s and, where measured, joules_per_output_token; giving one of those by hand as well is an error."),
        P("operating_point", "output_tokens_per_s_per_gpu", Spec.Param.OutputTokensPerSPerGpu, "tok/s/GPU", 0, 1e7, true, null, "required", "Generated tokens per second per GPU at the SLA point, at month 1 (before software improvement)."),
        P("operating_point", "input_tokens_per_s_per_gpu", Spec.Param.InputTokensPerSPerGpu, "tok/s/GPU", 0, 1e8, false, null, "optional (default: output rate × input/output tokens per request)", "Prompt tokens processed per second per GPU at the same point."),
        P("operating_point", "input_tokens_per_request", Spec.Param.InputTokensPerRequest, "tokens", 0, 1e7, false, null, "required", "Prompt tokens per request in the measured query profile."),
        P("operating_point", "output_tokens_per_request", Spec.Param.OutputTokensPerRequest, "tokens", 1, 1e7, false, null, "required", "Generated tokens per request in the measured query profile; at least 1 (a request generates a token, and the input-to-output ratio divides by this)."),
        N("operating_point", "tokens_per_s_per_user", "tok/s/user", 0, 1e6, true, "optional", "Interactivity at the point (1000 / median TPOT ms): the SLA it was picked for."),
        N("operating_point", "ttft_s", "s", 0, 1e4, false, "optional", "Time to first token at the point (state the statistic in source)."),
        P("operating_point", "joules_per_output_token", Spec.Param.JoulesPerOutputToken, "J/token", 0, 1e6, true, null, "build_up: this or cost.gpu_power_active_w", "Energy per output token at the energy_boundary; active power = J/token × tok/s."),

        T("market", "source", "optional", "Where the prices come from, with date."),
        P("market", "price_usd_per_million_input_tokens", Spec.Param.PriceUsdPerMillionInputTokens, "USD/Mtok", 0, 1e5, false, null, "required", "Price per million uncached input tokens at month 1."),
        P("market", "price_usd_per_million_cached_input_tokens", Spec.Param.PriceUsdPerMillionCachedInputTokens, "USD/Mtok", 0, 1e5, false, null, "optional (default: the input price)", "Price per million cached input tokens at month 1."),
        P("market", "cached_input_share", Spec.Param.CachedInputShare, "fraction", 0, 1, false, 0, "optional", "Share of input tokens billed at the cached price."),
        P("market", "price_usd_per_million_output_tokens", Spec.Param.PriceUsdPerMillionOutputTokens, "USD/Mtok", 0, 1e5, false, null, "required", "Price per million output tokens at month 1."),
        P("market", "price_erosion_annual", Spec.Param.PriceErosionAnnual, "fraction/year", -1, 0.999, false, 0, "optional", "Annual fall of all token prices (0.3 = 30 % cheaper each year), compounded monthly; negative means prices rise."),

        P("drivers", "utilization", Spec.Param.Utilization, "fraction", 0, 1, false, null, "required", "Steady-state share of provisioned GPU-hours serving at the operating point."),
        I("drivers", "utilization_ramp_months", 0, 600, 0, "optional", "Months to ramp linearly to the steady utilization (month t serves at min(1, t / ramp) of it)."),
        P("drivers", "availability", Spec.Param.Availability, "fraction", 0, 1, false, 1, "optional", "Share of hours not lost to failures or maintenance; multiplies utilization."),
        P("drivers", "software_multiplier_ceiling", Spec.Param.SoftwareCeiling, "×", 1, 1000, false, 1, "optional", "M in m(t) = 1 + (M − 1)(1 − e^(−(t−1)/τ)) for month t (m = 1 in month 1): the throughput multiplier the serving stack reaches as it matures."),
        P("drivers", "software_time_constant_months", Spec.Param.SoftwareTimeConstantMonths, "months", 0, 1200, true, 6, "optional", "τ in m(t): months after month 1 to reach 63 % of the improvement."),
        P("drivers", "demand_cap_output_tokens_per_s", Spec.Param.DemandCapOutputTokensPerS, "tok/s (fleet)", 0, 1e12, false, null, "optional (default: supply-limited)", "Fleet-wide demand ceiling: tokens sold = min(demand, capacity × utilization); with a cap, software improvement lowers busy time, not revenue."),

        I("finance", "horizon_months", 1, 600, 60, "optional", "Months of cash flows after the month-0 investment."),
        P("finance", "discount_rate_annual", Spec.Param.DiscountRateAnnual, "fraction/year", 0, 1, false, null, "required", "Annual cost of capital (WACC); monthly rate (1 + r)^(1/12) − 1."),
        P("finance", "tax_rate", Spec.Param.TaxRate, "fraction", 0, 0.9, false, 0, "optional", "Income tax rate; losses are assumed to offset other income (negative tax is a shield)."),
        C("finance", "tax_depreciation", ["macrs5", "straight_line"], "optional (default \"macrs5\")", "Tax depreciation: US MACRS 5-year half-year convention, or straight-line to zero over tax_depreciation_months."),
        I("finance", "tax_depreciation_months", 1, 600, 60, "optional", "Tax life for straight-line tax depreciation."),

        I("simulation", "trials", 1, 2_000_000_000, 1_000_000, "optional", "Monte Carlo trials (the CLI's --trials overrides)."),
        I("simulation", "seed", 0, 9_007_199_254_740_991, 42, "optional", "Master seed; same seed and config give bit-identical results on any thread count."),
        C("simulation", "sampling", ["lhs", "mc"], "optional (default \"lhs\")", "\"lhs\": Latin hypercube within each block of 16,384 trials; \"mc\": plain Monte Carlo."),
        new("simulation", "payback_within_months", FieldKind.IntegerList, "months", 1, 600, false, null, "optional (default [12, 24, 36])", null, [], "Thresholds N for which P(payback ≤ N months) is reported (gate thresholds are added)."),
        new("simulation", "irr", FieldKind.Boolean, "", 0, 1, false, null, "optional (default false; a gate on irr_annual turns it on)", null, [], "Also compute each trial's IRR (irr_annual): costs about as much again as the rest of the model, so it is off unless asked for (or `--irr`)."),
    ];

    /// <summary>Field by dotted path.</summary>
    public static readonly ImmutableDictionary<string, FieldDef> ByPath = Fields.ToImmutableDictionary(f => f.Path);

    /// <summary>Field feeding a parameter.</summary>
    public static FieldDef ForParam(Param p) => Fields.First(f => f.Param == p);

    private static FieldDef P(string s, string n, Param? p, string unit, double min, double max, bool minEx, double? def, string req, string d) =>
        new(s, n, FieldKind.Number, unit, min, max, minEx, def, req, p ?? (Param)(-1), [], d);

    private static FieldDef N(string s, string n, string unit, double min, double max, bool minEx, string req, string d) =>
        new(s, n, FieldKind.Number, unit, min, max, minEx, null, req, null, [], d);

    private static FieldDef I(string s, string n, double min, double max, double? def, string req, string d) =>
        new(s, n, FieldKind.WholeNumber, "", min, max, false, def, req, null, [], d);

    private static FieldDef T(string s, string n, string req, string d) =>
        new(s, n, FieldKind.Text, "", 0, 0, false, null, req, null, [], d);

    private static FieldDef C(string s, string n, ImmutableArray<string> choices, string req, string d) =>
        new(s, n, FieldKind.Choice, "", 0, 0, false, null, req, null, choices, d);
}
