using System.Globalization;
using System.Numerics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.MonteCarlo;

namespace RiskSim.Core.Tests.Model;

/// <summary>
/// The SIMD kernel must reproduce <see cref="ReferenceModel"/> trial by trial. Tolerances: money KPIs
/// (NPV) |kernel − ref| ≤ 1e-12 × (capex + Σ|CF_t|); ratio KPIs relative 1e-12 of the magnitude of the
/// terms they are made of (so a ratio whose numerator cancels is judged against its terms, not against
/// a tiny result). NaN (KPI does not exist, e.g. payback never) must match NaN exactly.
/// </summary>
public sealed class KernelParityTests
{
    private const double Tol = 1e-12;

    /// <summary>Rate mode: no capex, so ROI, payback and IRR are null in every trial.</summary>
    internal static readonly string[] RateMode =
    [
        "cost.mode=rate",
        "cost.capex_usd_per_unit=null",
        "cost.capex_overrun=null",
        "cost.salvage_pct_of_capex=null",
        "cost.all_in_usd_per_gpu_hour={\"dist\":\"lognormal\",\"median\":2.5,\"sigma\":0.2,\"min\":0.1,\"max\":100}",
        "drivers.utilization={\"dist\":\"discrete\",\"values\":[0.3,0.6,0.9],\"probabilities\":[0.2,0.5,0.3]}",
        "gates=null", // the flagship's gates on payback and ROI cannot be evaluated in rate mode
    ];

    /// <summary>Low prices and heavy staff costs: payback often not within the horizon.</summary>
    internal static readonly string[] PaybackOftenNever =
    [
        "market.price_usd_per_million_output_tokens={\"dist\":\"uniform\",\"min\":0.2,\"max\":3}",
        "market.price_usd_per_million_input_tokens=0.05",
        "cost.staff_usd_per_year={\"dist\":\"lognormal\",\"median\":250000,\"sigma\":0.5,\"max\":1e9}",
    ];

    /// <summary>
    /// Steep price erosion and heavy fixed costs: the monthly cash flow turns negative within the horizon, so
    /// in many trials the running total reaches 0 and later falls back below it (payback is the first crossing).
    /// </summary>
    internal static readonly string[] PaybackThenLoss =
    [
        "market.price_erosion_annual={\"dist\":\"uniform\",\"min\":0.8,\"max\":0.97}",
        "drivers.software_multiplier_ceiling={\"dist\":\"uniform\",\"min\":2,\"max\":4}",
        "cost.staff_usd_per_year={\"dist\":\"uniform\",\"min\":1e6,\"max\":4e6}",
        "correlations=[]",
    ];

    /// <summary>Variants of the flagship as --set overrides, covering every structural switch of the model.</summary>
    private static readonly Dictionary<string, string[]> Variants = new()
    {
        ["flagship"] = [],
        ["flagship-mc"] = ["simulation.sampling=mc"],
        ["it-boundary-straight-line-short-horizon"] =
        [
            "cost.energy_boundary=it",
            "finance.tax_depreciation=straight_line",
            "finance.tax_depreciation_months=24",
            "finance.horizon_months=36",
            "cost.economic_life_months=48",
            "drivers.utilization_ramp_months=0",
        ],
        ["long-horizon-life-shorter"] =
        [
            "finance.horizon_months=84",
            "cost.economic_life_months=48",
            "finance.discount_rate_annual={\"dist\":\"pert\",\"min\":0.05,\"mode\":0.1,\"max\":0.2}",
            "finance.tax_rate={\"dist\":\"uniform\",\"min\":0,\"max\":0.35}",
        ],
        ["demand-cap-joules-facility"] =
        [
            "cost.gpu_power_active_w=null",
            "operating_point.joules_per_output_token={\"dist\":\"normal\",\"mean\":1.0,\"sd\":0.2,\"min\":0.3,\"max\":2}",
            "cost.energy_boundary=facility",
            "cost.provisioned_kw_per_gpu=1.6",
            "drivers.demand_cap_output_tokens_per_s={\"dist\":\"uniform\",\"min\":20000,\"max\":160000}",
            "market.price_erosion_annual={\"dist\":\"triangular\",\"min\":-0.1,\"mode\":0.1,\"max\":0.5}",
            "correlations=[]",
        ],
        ["demand-cap-irr"] =
        [
            "simulation.irr=true",
            "drivers.demand_cap_output_tokens_per_s={\"dist\":\"uniform\",\"min\":20000,\"max\":160000}",
            "market.price_erosion_annual={\"dist\":\"triangular\",\"min\":-0.1,\"mode\":0.3,\"max\":0.9}",
            "correlations=[]",
        ],
        ["flagship-irr"] = ["simulation.irr=true"],
        ["rate-mode-irr"] = [.. RateMode, "simulation.irr=true"],
        ["rate-mode"] = RateMode,
        ["payback-then-loss"] = PaybackThenLoss,
        ["ramp-longer-than-horizon"] =
        [
            "drivers.utilization_ramp_months=48",
            "finance.horizon_months=36",
            "cost.economic_life_months=48",
        ],
        ["payback-often-never"] = PaybackOftenNever,
        ["odd-horizon-ramp-straight-line"] =
        [
            // Segment boundaries of the payback scan off the year grid: ramp ends in month 13, tax depreciation in month 30, horizon 47.
            "drivers.utilization_ramp_months=13",
            "finance.tax_depreciation=straight_line",
            "finance.tax_depreciation_months=30",
            "finance.horizon_months=47",
            "market.price_usd_per_million_output_tokens={\"dist\":\"uniform\",\"min\":0.5,\"max\":4}",
        ],
        ["horizon-600-heap-record"] =
        [
            // The longest horizon: the payback scan's record does not fit its stack budget and is allocated per block.
            "finance.horizon_months=600",
            "cost.economic_life_months=120",
            "market.price_usd_per_million_output_tokens={\"dist\":\"uniform\",\"min\":0.2,\"max\":3}",
        ],
        ["paybacks-across-tax-years"] =
        [
            // Paybacks from the first months to the last: they land in every MACRS year and at the ramp.
            "drivers.utilization_ramp_months=5",
            "market.price_usd_per_million_output_tokens={\"dist\":\"uniform\",\"min\":0.3,\"max\":8}",
            "market.price_erosion_annual={\"dist\":\"uniform\",\"min\":0,\"max\":0.5}",
            "correlations=[]",
        ],
        ["payback-then-loss-horizon-120-irr"] =
        [
            // Several sign changes on a long horizon: the IRR scan starts at −99.99 % a month, where δ^H overflows (1e4^120).
            .. PaybackThenLoss,
            "finance.horizon_months=120",
            "cost.economic_life_months=60",
            "simulation.irr=true",
        ],
        ["payback-often-never-irr"] =
        [
            .. PaybackOftenNever,
            "cost.salvage_pct_of_capex={\"dist\":\"uniform\",\"min\":0,\"max\":0.9}",
            "simulation.irr=true",
        ],
    };

    public static TheoryData<string, int, long> Cases()
    {
        var data = new TheoryData<string, int, long>();
        int w = Vector<double>.Count;
        foreach (var name in Variants.Keys)
        {
            for (int n = 0; n <= 3 * w + 1; n++)
            {
                data.Add(name, n, 0);
            }

            data.Add(name, 1000, 3);
            if (!name.EndsWith("-irr", StringComparison.Ordinal)) // the scalar IRR oracle is slow
            {
                data.Add(name, 5003, 11); // partial block (large enough for Iman–Conover)
                data.Add(name, BlockSampler.BlockSize, 2); // full block
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernel_matches_reference_trial_by_trial(string variant, int n, long block)
    {
        var spec = TestConfigs.Flagship(Variants[variant]);
        var blk = new TestConfigs.Block(spec, spec.Simulation.Seed, spec.Simulation.Sampling);
        blk.Sample(block, n);
        var ctx = new ModelContext(spec);
        var kernel = new SimdKernel(ctx);
        int columns = spec.Simulation.KpiColumns;
        var kpis = Enumerable.Range(0, columns).Select(_ => Enumerable.Repeat(-12345.0, n + 1).ToArray()).ToArray();
        kernel.Evaluate(n, blk.Columns, blk.Constants, kpis, 0);

        var cf = new double[spec.HorizonMonths + 1];
        int nanMatched = 0;
        for (int i = 0; i < n; i++)
        {
            var o = ReferenceModel.Evaluate(ctx, blk.ParamsOf(i), cf);
            double scale = o.Capex;
            foreach (double c in cf)
            {
                scale += Math.Abs(c);
            }

            double revOpexCapex = Math.Abs(o.TotalRevenue) + Math.Abs(o.TotalOpex) + Math.Abs(o.Capex);
            for (int k = 0; k < columns; k++)
            {
                double expected = k == TrialKpis.Irr ? (o.Capex > 0 && FinanceMath.Irr(cf) is { } irr ? FinanceMath.AnnualRate(irr) : double.NaN) : o.Kpi(k);
                double actual = kpis[k][i];
                string where = string.Create(CultureInfo.InvariantCulture, $"{variant} n={n} block={block} trial={i} KPI={TrialKpis.All[k].Key}: kernel {actual:R} vs reference {expected:R}");
                if (double.IsNaN(expected) || double.IsNaN(actual))
                {
                    Assert.True(double.IsNaN(expected) && double.IsNaN(actual), where);
                    nanMatched++;
                    continue;
                }

                double tol = k switch
                {
                    TrialKpis.Npv => Tol * scale,
                    TrialKpis.NetRoi => Tol * scale / o.Capex,
                    TrialKpis.RevenueMultiple => Tol * Math.Abs(expected),
                    TrialKpis.GrossMargin => Tol * 100 * revOpexCapex / o.TotalRevenue,
                    TrialKpis.EnergyCostPerRevenueDollar => Tol * Math.Abs(expected),
                    TrialKpis.Irr => 1e-9 * Math.Max(Math.Abs(expected), 1), // the oracle's Brent stops at 1e-14 a month
                    _ => Tol * Math.Max(Math.Abs(expected), 1), // payback months (≥ 1 where it exists), levelized cost
                };
                Assert.True(Math.Abs(actual - expected) <= tol, where + string.Create(CultureInfo.InvariantCulture, $", |diff| {Math.Abs(actual - expected):G3} > tol {tol:G3}"));
            }
        }

        // Nothing is written beyond the n trials of the block.
        for (int k = 0; k < columns; k++)
        {
            Assert.Equal(-12345.0, kpis[k][n]);
        }

        _ = nanMatched;
    }

    [Fact]
    public void Payback_never_is_exercised_by_the_variants()
    {
        // Guards the NaN branch of the parity test: some trials must have no payback within the horizon.
        var spec = TestConfigs.Flagship(Variants["payback-often-never"]);
        var blk = new TestConfigs.Block(spec, spec.Simulation.Seed, spec.Simulation.Sampling);
        blk.Sample(0, 1000);
        var ctx = new ModelContext(spec);
        int never = 0, found = 0;
        for (int i = 0; i < 1000; i++)
        {
            var o = ReferenceModel.Evaluate(ctx, blk.ParamsOf(i));
            if (double.IsNaN(o.PaybackMonths))
            {
                never++;
            }
            else
            {
                found++;
            }
        }

        Assert.InRange(never, 50, 950);
        Assert.InRange(found, 50, 950);
    }

    [Fact]
    public void Payback_then_loss_is_exercised_by_the_variants()
    {
        // Guards the first-crossing rule of the payback scan: some trials must reach 0 and fall back below it.
        var spec = TestConfigs.Flagship(Variants["payback-then-loss"]);
        var blk = new TestConfigs.Block(spec, spec.Simulation.Seed, spec.Simulation.Sampling);
        blk.Sample(0, 1000);
        var ctx = new ModelContext(spec);
        var cf = new double[spec.HorizonMonths + 1];
        int fellBack = 0;
        for (int i = 0; i < 1000; i++)
        {
            _ = ReferenceModel.Evaluate(ctx, blk.ParamsOf(i), cf);
            double cum = 0;
            bool reached = false;
            foreach (double c in cf)
            {
                cum += c;
                reached |= cum >= 0;
                if (reached && cum < 0)
                {
                    fellBack++;
                    break;
                }
            }
        }

        Assert.InRange(fellBack, 50, 1000);
    }
}
