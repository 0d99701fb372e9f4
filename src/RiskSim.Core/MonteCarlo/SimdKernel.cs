using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using RiskSim.Core.Engine;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;

namespace RiskSim.Core.MonteCarlo;

/// <summary>
/// The cash-flow model of <see cref="ReferenceModel"/>, vectorized across trials with
/// <see cref="Vector{T}"/>: each lane is one trial. The monthly paths use recurrences (one vector
/// exp/log per trial for the growth factors, then one multiply per month) instead of Math.Pow per month;
/// nothing is allocated per trial. Tests prove it matches the scalar reference trial by trial.
/// Thread-safe: all state is in the arguments.
/// </summary>
public sealed class SimdKernel
{
    private readonly ModelContext _ctx;
    private readonly double[] _ramp;
    private readonly double[] _taxFrac;

    public SimdKernel(ModelContext ctx)
    {
        _ctx = ctx;
        _ramp = ctx.Ramp;
        _taxFrac = ctx.TaxDepreciationFraction;
    }

    /// <summary>Lanes per vector on this machine.</summary>
    public static int Width => Vector<double>.Count;

    /// <summary>
    /// Evaluates trials [0, n) of a block. <paramref name="columns"/>[p] holds parameter p per trial, or is
    /// null when the parameter is fixed at <paramref name="constants"/>[p]. Columns must have at least
    /// n rounded up to <see cref="Width"/> elements; KPIs are written to <paramref name="kpis"/>[k][offset + i].
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Evaluate(int n, double[]?[] columns, double[] constants, double[][] kpis, int offset)
    {
        var spec = _ctx.Spec;
        int w = Vector<double>.Count;
        int h = _ctx.Horizon;
        double gpus = _ctx.Gpus;
        const double hrs = FinanceMath.HoursPerMonth;
        double bookFrac = (double)_ctx.BookMonths / spec.EconomicLifeMonths;
        double terminalFrac = Math.Min(h, spec.EconomicLifeMonths) / (double)spec.EconomicLifeMonths;
        bool rate = spec.CostMode == CostMode.Rate;
        bool demand = spec.HasDemandCap;
        bool joules = spec.PowerFromJoules;
        double remainingBasis = _ctx.RemainingTaxBasisFraction;
        var one = Vector<double>.One;
        var zero = Vector<double>.Zero;
        var nan = new Vector<double>(double.NaN);
        Span<double> tmp = stackalloc double[Vector<double>.Count];

        for (int i = 0; i < n; i += w)
        {
            Vector<double> P(Param p) => Load(columns, constants, p, i);

            // Per-trial constants.
            var capex = P(Param.CapexUsdPerGpu) * P(Param.CapexOverrun) * gpus;
            var salvage = capex * P(Param.SalvagePctOfCapex);
            var terminalValue = capex - (capex - salvage) * terminalFrac;
            var bookDep = (capex - salvage) * bookFrac;
            var util = P(Param.Utilization) * P(Param.Availability);
            var t0 = P(Param.OutputTokensPerSPerGpu);
            var capacity0 = t0 * (3600 * hrs * gpus);
            var inPerOut = P(Param.InputTokensPerRequest) / P(Param.OutputTokensPerRequest);
            var cached = P(Param.CachedInputShare);
            var inputPrice = (one - cached) * P(Param.PriceUsdPerMillionInputTokens) + cached * P(spec.CachedPriceFollowsInput ? Param.PriceUsdPerMillionInputTokens : Param.PriceUsdPerMillionCachedInputTokens);
            var price = (P(Param.PriceUsdPerMillionOutputTokens) + inPerOut * inputPrice) * 1e-6;
            var priceGrowth = Vector.Exp(Vector.Log(one - P(Param.PriceErosionAnnual)) * (1.0 / 12));
            var mMinus1 = P(Param.SoftwareCeiling) - one;
            var decayStep = Vector.Exp(-one / P(Param.SoftwareTimeConstantMonths));
            var host = P(Param.HostOverheadPct);
            var pue = P(Param.Pue);
            var mult = spec.EnergyBoundary switch
            {
                EnergyBoundary.Accelerator => (one + host) * pue,
                EnergyBoundary.It => pue,
                _ => one,
            };
            var active = joules ? P(Param.JoulesPerOutputToken) * t0 : P(Param.GpuPowerActiveW);
            var idle = P(Param.GpuPowerIdleW);
            var kwhIdle = idle * mult * (gpus * hrs / 1000);
            var kwhBusySpan = (active - idle) * mult * (gpus * hrs / 1000);
            var elecPrice = P(Param.ElectricityUsdPerKwh);
            var elecGrowth = Vector.Exp(Vector.Log(one + P(Param.ElectricityEscalationAnnual)) * (1.0 / 12));
            var fixedOpex = rate
                ? P(Param.CostRateUsdPerGpuHour) * (gpus * hrs)
                : P(Param.HostingUsdPerKwMonth) * P(Param.ProvisionedKwPerGpu) * gpus + capex * P(Param.MaintenancePctOfCapexPerYear) * (1.0 / 12);
            fixedOpex += P(Param.SoftwareUsdPerGpuYear) * (gpus / 12) + (P(Param.StaffUsdPerYear) + P(Param.OtherFixedUsdPerYear)) * (1.0 / 12);
            var elecCash = rate ? zero : one;
            var taxRate = P(Param.TaxRate);
            var discount = Vector.Exp(-Vector.Log(one + P(Param.DiscountRateAnnual)) * (1.0 / 12));
            var demandCap = demand ? P(Param.DemandCapOutputTokensPerS) * (3600 * hrs) : zero;
            bool hasCapex = Vector.GreaterThanAny(capex, zero);
            var capexPositive = Vector.GreaterThan(capex, zero);

            // Loop invariants, folded so the monthly step is a handful of multiply-adds:
            // sold_t = soldBase·ramp_t·m_t; revenue_t = sold_t·price_t;
            // kWh_t = kwhIdle + busy_t·kwhBusySpan; cf_t = (1 − τ)(revenue_t − opex_t) + τ·capex·f_t.
            var soldBase = util * capacity0;
            var busyKwh = util * kwhBusySpan;
            var afterTax = one - taxRate;
            var taxShield = taxRate * capex;
            var elecCashAfterTax = afterTax * elecCash;
            var fixedAfterTax = afterTax * fixedOpex;
            var ceiling = one + mMinus1;

            // State. cum (undiscounted) and npv (discounted) are the running cumulative cash flows.
            var decay = one;
            var priceFactor = price;
            var elecFactor = elecPrice;
            var v = one;
            var npv = -capex;
            var cum = -capex;
            var payback = nan;
            var dpayback = nan;
            var sumRev = zero;
            var sumElec = zero;
            var pvElec = zero;
            var pvTokens = zero;
            var sumV = zero;
            var notFound = capexPositive.As<long, double>();
            var dNotFound = notFound;
            bool searching = hasCapex;

            for (int t = 1; t <= h; t++)
            {
                var m = ceiling - mMinus1 * decay;
                decay *= decayStep;
                double ramp = _ramp[t];
                var sold = soldBase * m * ramp;
                Vector<double> electricity;
                if (demand)
                {
                    var cap = capacity0 * m;
                    sold = Vector.Min(sold, demandCap);
                    electricity = (kwhIdle + sold / cap * kwhBusySpan) * elecFactor;
                }
                else
                {
                    electricity = (kwhIdle + busyKwh * ramp) * elecFactor;
                }

                var revenue = sold * priceFactor;
                priceFactor *= priceGrowth;
                elecFactor *= elecGrowth;
                var cf = afterTax * revenue - elecCashAfterTax * electricity - fixedAfterTax + taxShield * _taxFrac[t];
                if (t == h)
                {
                    // Sale at the horizon, taxed on the gain over the remaining tax basis.
                    cf += terminalValue - taxRate * (terminalValue - capex * remainingBasis);
                }

                v *= discount;
                var dcf = cf * v;

                if (searching)
                {
                    var next = cum + cf;
                    var cross = Vector.BitwiseAnd(Vector.GreaterThanOrEqual(next, zero).As<long, double>(), notFound);
                    if (cross != Vector<double>.Zero)
                    {
                        payback = Vector.ConditionalSelect(cross, new Vector<double>(t - 1) + (-cum / cf), payback);
                        notFound = Vector.AndNot(notFound, cross);
                    }

                    var dnext = npv + dcf;
                    var dcross = Vector.BitwiseAnd(Vector.GreaterThanOrEqual(dnext, zero).As<long, double>(), dNotFound);
                    if (dcross != Vector<double>.Zero)
                    {
                        dpayback = Vector.ConditionalSelect(dcross, new Vector<double>(t - 1) + (-npv / dcf), dpayback);
                        dNotFound = Vector.AndNot(dNotFound, dcross);
                    }

                    cum = next;
                    searching = Vector.BitwiseOr(notFound, dNotFound) != Vector<double>.Zero; // both paybacks found in every lane: stop looking
                }
                else
                {
                    cum += cf;
                }

                npv += dcf;
                sumRev += revenue;
                sumElec += electricity;
                pvElec += electricity * v;
                pvTokens += sold * v;
                sumV += v;
            }

            var sumOpex = fixedOpex * h + elecCash * sumElec;
            var sumCf = cum;
            var pvCost = capex + fixedOpex * sumV + elecCash * pvElec - terminalValue * v;
            var roi = Vector.ConditionalSelect(capexPositive, sumCf / capex, nan);
            var revMult = Vector.ConditionalSelect(capexPositive, sumRev / capex, nan);
            var hasTokens = Vector.GreaterThan(pvTokens, zero);
            var lcoe = Vector.ConditionalSelect(hasTokens, pvCost / pvTokens * 1e6, nan);
            var hasRevenue = Vector.GreaterThan(sumRev, zero);
            var energyShare = spec.HasPower ? Vector.ConditionalSelect(hasRevenue, sumElec / sumRev, nan) : nan;
            var margin = Vector.ConditionalSelect(hasRevenue, (sumRev - sumOpex - bookDep) / sumRev * 100, nan);

            int lanes = Math.Min(w, n - i);
            Store(kpis[TrialKpis.Npv], offset + i, npv, lanes, tmp);
            Store(kpis[TrialKpis.NetRoi], offset + i, roi, lanes, tmp);
            Store(kpis[TrialKpis.RevenueMultiple], offset + i, revMult, lanes, tmp);
            Store(kpis[TrialKpis.Payback], offset + i, payback, lanes, tmp);
            Store(kpis[TrialKpis.DiscountedPayback], offset + i, dpayback, lanes, tmp);
            Store(kpis[TrialKpis.LevelizedCost], offset + i, lcoe, lanes, tmp);
            Store(kpis[TrialKpis.EnergyCostPerRevenueDollar], offset + i, energyShare, lanes, tmp);
            Store(kpis[TrialKpis.GrossMargin], offset + i, margin, lanes, tmp);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Load(double[]?[] columns, double[] constants, Param p, int i)
    {
        var c = columns[(int)p];
        return c is null ? new Vector<double>(constants[(int)p]) : Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(c), (nuint)i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(double[] dst, int at, Vector<double> v, int lanes, Span<double> tmp)
    {
        if (lanes == Vector<double>.Count)
        {
            v.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(dst), (nuint)at);
        }
        else
        {
            v.CopyTo(tmp);
            tmp[..lanes].CopyTo(dst.AsSpan(at, lanes));
        }
    }
}
