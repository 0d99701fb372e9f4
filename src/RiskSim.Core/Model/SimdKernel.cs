using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using RiskSim.Core.Finance;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Model;

/// <summary>
/// The cash-flow model of <see cref="ReferenceModel"/>, vectorized across trials with
/// <see cref="Vector{T}"/>: each lane is one trial. The horizon sums are geometric series in the monthly ratios
/// (one vector exp/log per trial for each ratio), taken in closed form; the paybacks come from a month scan
/// that stops once every lane has found them; with a demand cap or IRR the model is summed month by month.
/// Nothing is allocated per trial, nor per block but for horizons beyond 510 months (the payback record)
/// or with IRR (the monthly flows). Tests prove it matches the scalar reference trial by trial.
/// Thread-safe: all state is in the arguments.
/// </summary>
/// <remarks>
/// The code is shaped for the JIT's register allocation on AVX2 (16 vector registers): inputs are resolved
/// once per block, the exp/log calls come first in a trial (few live values to save around them), long sums
/// are written one statement per term (the JIT's spill temporaries for a long expression were misaligned, and
/// their reloads stalled), and nothing is stack-allocated in <see cref="Evaluate"/> itself. Each of these was
/// measured; none changes a result bit.
/// </remarks>
internal sealed class SimdKernel
{
    private readonly ModelContext _ctx;
    private readonly double[] _ramp;
    private readonly double[] _taxFrac;

    private readonly int _topBit; // the highest set bit of H (H ≥ 1)
    private readonly double[] _rampShortfall; // 1 − ramp_t for t = 1…R, the months before full utilization
    private readonly int[] _plainEnd; // for R < t < H: the first month after t whose tax fraction differs, or H

    /// <summary>Longest payback record (2 vectors a month, months 0 to H + 1) kept on the stack: 64 KB with AVX2.</summary>
    private const int MaxStackRecord = 2048;

    public SimdKernel(ModelContext ctx)
    {
        _ctx = ctx;
        _ramp = ctx.Ramp;
        _taxFrac = ctx.TaxDepreciationFraction;
        int h = ctx.Horizon;

        _topBit = 31 - System.Numerics.BitOperations.LeadingZeroCount((uint)Math.Max(h, 1));

        int r = h;
        while (r > 0 && ctx.Ramp[r] >= 1)
        {
            r--;
        }

        _rampShortfall = new double[r];
        for (int t = 1; t <= r; t++)
        {
            _rampShortfall[t - 1] = 1 - ctx.Ramp[t];
        }

        _plainEnd = new int[h + 1];
        for (int t = h - 1; t >= 1; t--)
        {
            _plainEnd[t] = t + 1 < h && _taxFrac[t + 1] == _taxFrac[t] ? _plainEnd[t + 1] : t + 1;
        }
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
        var cachedPriceParam = spec.CachedPriceFollowsInput ? Param.PriceUsdPerMillionInputTokens : Param.PriceUsdPerMillionCachedInputTokens;
        var boundary = spec.EnergyBoundary;
        bool hasPower = spec.HasPower;
        double remainingBasis = _ctx.RemainingTaxBasisFraction;
        var one = Vector<double>.One;
        var zero = Vector<double>.Zero;
        var nan = new Vector<double>(double.NaN);
        bool irr = kpis.Length > TrialKpis.Irr;
        Span<Vector<double>> flows = irr ? new Vector<double>[h + 1] : default; // once per block, not per trial
        var record = 2 * (h + 2) <= MaxStackRecord ? default : new Vector<double>[2 * (h + 2)]; // the payback scan's record, on the stack unless the horizon is very long
        var constantTaxPv = TaxPv(Discount(new Vector<double>(constants[(int)Param.DiscountRateAnnual])));

        // Every input as a column or its fixed value, resolved once per block.
        Input In(Param p) => new(columns[(int)p], constants[(int)p]);
        var capexPerGpuIn = In(Param.CapexUsdPerGpu);
        var overrunIn = In(Param.CapexOverrun);
        var salvageIn = In(Param.SalvagePctOfCapex);
        var utilizationIn = In(Param.Utilization);
        var availabilityIn = In(Param.Availability);
        var tokensIn = In(Param.OutputTokensPerSPerGpu);
        var inTokensIn = In(Param.InputTokensPerRequest);
        var outTokensIn = In(Param.OutputTokensPerRequest);
        var cachedIn = In(Param.CachedInputShare);
        var inputPriceIn = In(Param.PriceUsdPerMillionInputTokens);
        var cachedPriceIn = In(cachedPriceParam);
        var outputPriceIn = In(Param.PriceUsdPerMillionOutputTokens);
        var erosionIn = In(Param.PriceErosionAnnual);
        var ceilingIn = In(Param.SoftwareCeiling);
        var tauIn = In(Param.SoftwareTimeConstantMonths);
        var hostIn = In(Param.HostOverheadPct);
        var pueIn = In(Param.Pue);
        var activeIn = In(joules ? Param.JoulesPerOutputToken : Param.GpuPowerActiveW);
        var idleIn = In(Param.GpuPowerIdleW);
        var elecPriceIn = In(Param.ElectricityUsdPerKwh);
        var escalationIn = In(Param.ElectricityEscalationAnnual);
        var costRateIn = In(Param.CostRateUsdPerGpuHour);
        var hostingIn = In(Param.HostingUsdPerKwMonth);
        var provisionedIn = In(Param.ProvisionedKwPerGpu);
        var maintenanceIn = In(Param.MaintenancePctOfCapexPerYear);
        var softwareIn = In(Param.SoftwareUsdPerGpuYear);
        var staffIn = In(Param.StaffUsdPerYear);
        var otherFixedIn = In(Param.OtherFixedUsdPerYear);
        var taxRateIn = In(Param.TaxRate);
        var discountIn = In(Param.DiscountRateAnnual);
        var demandIn = In(Param.DemandCapOutputTokensPerS);

        // Monthly ratios of inputs that do not vary by trial are computed once (exp and log are the costly part of a
        // trial), and so is everything that depends on the discount rate alone when it is fixed.
        var fixedPriceGrowth = MonthlyGrowth(-erosionIn.Fixed);
        var fixedDecayStep = DecayStep(tauIn.Fixed);
        var fixedElecGrowth = MonthlyGrowth(escalationIn.Fixed);
        var fixedDiscount = Discount(discountIn.Fixed);
        bool tokenRatioFixed = inTokensIn.IsFixed && outTokensIn.IsFixed;
        var fixedInPerOut = inTokensIn.Fixed / outTokensIn.Fixed;
        var fixedGeoV = Geometric(fixedDiscount, out var fixedVH);
        var fixedRampV = RampShortfall(fixedDiscount);

        // With four-lane Vector<T> on a processor that accelerates 512-bit vectors, the monthly ratios (their exp and log
        // are about a third of the kernel's time) are computed ahead for a chunk of trials, eight lanes at a time, by the
        // same operations (DetMath's 512-bit twins): the same bits.
        bool ahead = Vector<double>.Count == 4 && Vector512.IsHardwareAccelerated && !(erosionIn.IsFixed && tauIn.IsFixed && escalationIn.IsFixed && discountIn.IsFixed);
        var ratios = ahead ? (t_ratios ??= new double[4 * RatioChunk]) : [];

        for (int i = 0; i < n; i += w)
        {
            // The monthly ratios first: the exp and log calls then have few live values to save around them.
            int at = i & (RatioChunk - 1);
            if (ahead && at == 0)
            {
                RatiosAhead(i, Math.Min(RatioChunk, n - i), erosionIn, tauIn, escalationIn, discountIn, ratios);
            }

            var priceGrowth = erosionIn.IsFixed ? fixedPriceGrowth : ahead ? Ahead(ratios, at) : MonthlyGrowth(-erosionIn.At(i));
            var decayStep = tauIn.IsFixed ? fixedDecayStep : ahead ? Ahead(ratios, RatioChunk + at) : DecayStep(tauIn.At(i));
            var elecGrowth = escalationIn.IsFixed ? fixedElecGrowth : ahead ? Ahead(ratios, (2 * RatioChunk) + at) : MonthlyGrowth(escalationIn.At(i));
            var discount = discountIn.IsFixed ? fixedDiscount : ahead ? Ahead(ratios, (3 * RatioChunk) + at) : Discount(discountIn.At(i));

            // Per-trial constants.
            var capex = capexPerGpuIn.At(i) * overrunIn.At(i) * gpus;
            var salvage = capex * salvageIn.At(i);
            var terminalValue = capex - (capex - salvage) * terminalFrac;
            var bookDep = (capex - salvage) * bookFrac;
            var taxRate = taxRateIn.At(i);
            var terminalGain = terminalValue - capex * remainingBasis; // sale at the horizon, taxed on the gain over the remaining tax basis
            var terminalCf = terminalValue - taxRate * terminalGain;
            var util = utilizationIn.At(i) * availabilityIn.At(i);
            var t0 = tokensIn.At(i);
            var capacity0 = t0 * (3600 * hrs * gpus);
            var inPerOut = tokenRatioFixed ? fixedInPerOut : inTokensIn.At(i) / outTokensIn.At(i);
            var cached = cachedIn.At(i);
            var inputPrice = (one - cached) * inputPriceIn.At(i) + cached * cachedPriceIn.At(i);
            var price = (outputPriceIn.At(i) + inPerOut * inputPrice) * 1e-6;
            var mMinus1 = ceilingIn.At(i) - one;
            var host = hostIn.At(i);
            var pue = pueIn.At(i);
            var mult = boundary switch
            {
                EnergyBoundary.Accelerator => (one + host) * pue,
                EnergyBoundary.It => pue,
                _ => one,
            };
            var active = joules ? activeIn.At(i) * t0 : activeIn.At(i);
            var idle = idleIn.At(i);
            var kwhIdle = idle * mult * (gpus * hrs / 1000);
            var kwhBusySpan = (active - idle) * mult * (gpus * hrs / 1000);
            var elecPrice = elecPriceIn.At(i);
            var fixedOpex = rate
                ? costRateIn.At(i) * (gpus * hrs)
                : hostingIn.At(i) * provisionedIn.At(i) * gpus + capex * maintenanceIn.At(i) * (1.0 / 12);
            fixedOpex += softwareIn.At(i) * (gpus / 12) + (staffIn.At(i) + otherFixedIn.At(i)) * (1.0 / 12);
            var elecCash = rate ? zero : one;
            var demandCap = demand ? demandIn.At(i) * (3600 * hrs) : new Vector<double>(double.PositiveInfinity);
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

            Vector<double> npv, cum, payback, dpayback, sumRev, sumElec, pvElec, pvTokens, sumV, v;
            Unsafe.SkipInit(out ScanTerms months); // set, and used, in the closed form only
            if (demand || irr)
            {
                // The demand cap (a min per month) breaks the geometric structure, and the IRR needs every
                // month's cash flow: sum month by month.
                var decay = one;
                var priceFactor = price;
                var elecFactor = elecPrice;
                v = one;
                npv = -capex;
                cum = -capex;
                payback = nan;
                dpayback = nan;
                sumRev = zero;
                sumElec = zero;
                pvElec = zero;
                pvTokens = zero;
                sumV = zero;
                var notFound = capexPositive;
                var dNotFound = notFound;
                for (int t = 1; t <= h; t++)
                {
                    var m = ceiling - mMinus1 * decay;
                    decay *= decayStep;
                    var sold = Vector.Min(soldBase * m * _ramp[t], demandCap);
                    var electricity = (kwhIdle + sold / (capacity0 * m) * kwhBusySpan) * elecFactor;
                    var revenue = sold * priceFactor;
                    priceFactor *= priceGrowth;
                    elecFactor *= elecGrowth;
                    var cf = afterTax * revenue - elecCashAfterTax * electricity - fixedAfterTax + taxShield * _taxFrac[t];
                    if (t == h)
                    {
                        cf += terminalCf; // sale at the horizon, taxed on the gain over the remaining tax basis
                    }

                    v *= discount;
                    var dcf = cf * v;
                    if (irr)
                    {
                        flows[t] = cf;
                    }

                    Cross(t, cum, cf, ref payback, ref notFound);
                    Cross(t, npv, dcf, ref dpayback, ref dNotFound);
                    cum += cf;
                    npv += dcf;
                    sumRev += revenue;
                    sumElec += electricity;
                    pvElec += electricity * v;
                    pvTokens += sold * v;
                    sumV += v;
                }
            }
            else
            {
                // Closed form: every sum is a geometric series in the monthly ratios, with the ramp's
                // first months subtracted; only the paybacks need a month-by-month scan, which stops
                // as soon as every lane has found both.
                var discountTerms = discountIn.IsFixed ? constantTaxPv : TaxPv(discount);
                var gd = priceGrowth * decayStep;
                var gv = priceGrowth * discount;
                var gdv = gd * discount;
                var qv = elecGrowth * discount;
                var dv = decayStep * discount;

                // The seven horizon sums in two interleaved batches (independent chains overlap).
                Geometric4(priceGrowth, gd, gv, gdv, out var geoG, out var geoGd, out var geoGv, out var geoGdv);
                Geometric4(elecGrowth, qv, dv, dv, out var geoQ, out var geoQv, out var geoDv, out _);
                var revenueBase = soldBase * price;
                sumRev = revenueBase * ((ceiling * (geoG - RampShortfall(priceGrowth))) - (mMinus1 * (geoGd - RampShortfall(gd))));
                sumElec = elecPrice * ((kwhIdle * geoQ) + (busyKwh * (geoQ - RampShortfall(elecGrowth))));
                pvElec = discount * elecPrice * ((kwhIdle * geoQv) + (busyKwh * (geoQv - RampShortfall(qv))));
                var pvRev = discount * revenueBase * ((ceiling * (geoGv - RampShortfall(gv))) - (mMinus1 * (geoGdv - RampShortfall(gdv))));
                Vector<double> geoV, rampV;
                if (discountIn.IsFixed)
                {
                    geoV = fixedGeoV;
                    v = fixedVH;
                    rampV = fixedRampV;
                }
                else
                {
                    geoV = Geometric(discount, out v);
                    rampV = RampShortfall(discount);
                }

                pvTokens = discount * soldBase * ((ceiling * (geoV - rampV)) - (mMinus1 * (geoDv - RampShortfall(dv))));
                sumV = discount * geoV;

                // Sums of five terms, left to right, the products first (in one expression the JIT kept the
                // partial sums in misaligned stack temporaries, whose reloads stalled).
                var npvRevenue = afterTax * pvRev;
                var npvElec = elecCashAfterTax * pvElec;
                var npvFixed = fixedAfterTax * sumV;
                var npvShield = taxShield * discountTerms;
                var npvTerminal = terminalCf * v;
                var cumRevenue = afterTax * sumRev;
                var cumElec = elecCashAfterTax * sumElec;
                var cumFixed = fixedAfterTax * h;
                var cumShield = taxShield * _ctx.TaxDepreciationTotal;
                npv = -capex + npvRevenue;
                npv -= npvElec;
                npv -= npvFixed;
                npv += npvShield;
                npv += npvTerminal;
                cum = -capex + cumRevenue;
                cum -= cumElec;
                cum -= cumFixed;
                cum += cumShield;
                cum += terminalCf;
                payback = nan;
                dpayback = nan;

                // cf_t = ramp_t·(a·g^(t−1) − b·(g·d)^(t−1) − c·q^(t−1)) − e·q^(t−1) − fixed + shield·f_t; the scan
                // runs after the other KPIs are stored, so that little is live across its call.
                var revenueAfterTax = afterTax * revenueBase;
                months = new ScanTerms(
                    revenueAfterTax * ceiling, revenueAfterTax * mMinus1, elecCashAfterTax * busyKwh * elecPrice, elecCashAfterTax * kwhIdle * elecPrice,
                    fixedAfterTax, taxShield, terminalCf, priceGrowth, gd, elecGrowth, discount);
            }

            var sumOpex = fixedOpex * h + elecCash * sumElec;
            var sumCf = cum;
            var pvCost = capex + fixedOpex * sumV + elecCash * pvElec - terminalValue * v;
            var hasInvestment = Vector.GreaterThanOrEqual(capex, new Vector<double>(TrialKpis.MinCapexUsd));
            var roi = Vector.ConditionalSelect(hasInvestment, sumCf / capex, nan);
            var revMult = Vector.ConditionalSelect(hasInvestment, sumRev / capex, nan);
            var hasTokens = Vector.GreaterThanOrEqual(pvTokens, new Vector<double>(TrialKpis.MinPvOutputTokens));
            var lcoe = Vector.ConditionalSelect(hasTokens, pvCost / pvTokens * 1e6, nan);
            var hasRevenue = Vector.GreaterThanOrEqual(sumRev, new Vector<double>(TrialKpis.MinRevenueUsd));
            var energyShare = hasPower ? Vector.ConditionalSelect(hasRevenue, sumElec / sumRev, nan) : nan;
            var margin = Vector.ConditionalSelect(hasRevenue, (sumRev - sumOpex - bookDep) / sumRev * 100, nan);

            int lanes = Math.Min(w, n - i);
            Store(kpis[TrialKpis.Npv], offset + i, npv, lanes);
            Store(kpis[TrialKpis.NetRoi], offset + i, roi, lanes);
            Store(kpis[TrialKpis.RevenueMultiple], offset + i, revMult, lanes);
            Store(kpis[TrialKpis.LevelizedCost], offset + i, lcoe, lanes);
            Store(kpis[TrialKpis.EnergyCostPerRevenueDollar], offset + i, energyShare, lanes);
            Store(kpis[TrialKpis.GrossMargin], offset + i, margin, lanes);
            if (!(demand || irr) && hasCapex)
            {
                Paybacks(h, capex, capexPositive, months, record, out payback, out dpayback);
            }

            Store(kpis[TrialKpis.Payback], offset + i, payback, lanes);
            Store(kpis[TrialKpis.DiscountedPayback], offset + i, dpayback, lanes);
            if (irr)
            {
                flows[0] = -capex;
                // A return on capital needs capital: no IRR without an up-front outlay (rate mode).
                var irrAnnual = hasCapex ? Vector.ConditionalSelect(capexPositive, IrrSolver.Annual(flows[..(h + 1)], lanes), nan) : nan;
                Store(kpis[TrialKpis.Irr], offset + i, irrAnnual, lanes);
            }
        }
    }

    /// <summary>Where the running total first reaches 0 in lanes still searching: payback = (t − 1) + (−before / flow).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Cross(int t, Vector<double> before, Vector<double> flow, ref Vector<double> payback, ref Vector<long> notFound)
    {
        var cross = Vector.GreaterThanOrEqual(before + flow, Vector<double>.Zero) & notFound;
        if (cross != Vector<long>.Zero)
        {
            payback = Vector.ConditionalSelect(cross, new Vector<double>(t - 1) + (-before / flow), payback);
            notFound = Vector.AndNot(notFound, cross);
        }
    }

    /// <summary>The monthly cash flow of a trial as coefficients of its geometric terms (see <see cref="Paybacks"/>).</summary>
    private readonly record struct ScanTerms(
        Vector<double> A, Vector<double> B, Vector<double> C, Vector<double> E, Vector<double> Fixed, Vector<double> Shield, Vector<double> Terminal,
        Vector<double> G, Vector<double> Gd, Vector<double> Q, Vector<double> Discount);

    /// <summary>
    /// The undiscounted and discounted paybacks, scanning the monthly cash flows only until every lane
    /// has found both (the sums themselves come from the closed form); NaN: never. The record of the months is
    /// <paramref name="heapRecord"/> if given (very long horizons), else on this method's stack.
    /// </summary>
    /// <remarks>
    /// The payback is the first month T whose running total reaches 0, interpolated within it:
    /// (T − 1) + (−cum_(T−1) / cf_T), exactly as <see cref="ReferenceModel"/> defines it (a total that later
    /// falls back below 0 does not move it). The scan has no data-dependent branch but its exit: each month
    /// it stores the running totals cum_t and npv_t in its record (two stores), clears a lane's searching mask
    /// once its total reaches 0 (a mask, once cleared, stays clear, so only the first crossing counts) and
    /// adds the mask (−1 while searching) to a counter. After the scan T = 1 − counter, and the quotient is
    /// taken from the totals stored for months T − 1 and T, the month's flow being cum_T − cum_(T−1). So the
    /// crossings cost no mispredicted branches. That difference is the flow to within an ulp or two of the flow
    /// (cum_(T−1) &lt; 0 ≤ cum_T, both no larger than cf_T: no cancellation), so the payback moves by a few ulps at
    /// most against dividing by the flow itself, inside the parity tolerance.
    /// <para>
    /// The month's cash flow is cf_t = ramp_t·(A_t − B_t − C_t) − E_t + (shield·f_t − fixed) with the geometric
    /// terms A_t = a·g^(t−1), B_t = b·(g·d)^(t−1), C_t = c·q^(t−1), E_t = e·q^(t−1) each advanced by one product
    /// a month. After the ramp (ramp_t = 1 exactly for t &gt; R, the length of the ramp's shortfall) E is folded
    /// into C, so a month costs three products for the terms, three additions and the term shield·f_t − fixed,
    /// which changes only with the tax schedule and is recomputed only then. Running products differ from
    /// the reference's Math.Pow by a few ulps per month: relative errors of order t·ε, far inside the parity
    /// tolerance.
    /// </para>
    /// </remarks>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)] // optimized from the first call, as the kernel: no tier-0 or OSR code in a run
    [SkipLocalsInit] // the record is written before it is read, but for month H + 1, read only by lanes that get NaN
    private void Paybacks(int h, Vector<double> capex, Vector<long> capexPositive, in ScanTerms c, Span<Vector<double>> heapRecord, out Vector<double> payback, out Vector<double> dpayback)
    {
        var scratch = heapRecord.IsEmpty ? stackalloc Vector<double>[2 * (h + 2)] : heapRecord;
        if (scratch.Length < 2 * (h + 2))
        {
            throw new ArgumentException("The record must hold 2 vectors per month, months 0 to H + 1.", nameof(heapRecord));
        }

        var notFound = capexPositive;
        var dNotFound = notFound;
        var searching = Vector<long>.Zero; // −(months each lane searched past): the mask is −1 in searching lanes
        var dSearching = Vector<long>.Zero;

        int rampMonths = _rampShortfall.Length; // ramp_t < 1 for t ≤ rampMonths, exactly 1 after

        // The geometric terms of month t, each advanced by its ratio: A = a·g^(t−1), B = b·(g·d)^(t−1),
        // C = c·q^(t−1), E = e·q^(t−1); once the ramp is over (ramp_t = 1) C carries c + e and E is dropped.
        var ta = c.A;
        var tb = c.B;
        var tc = c.C;
        var te = c.E;
        if (rampMonths == 0)
        {
            tc += te;
        }

        var v = Vector<double>.One;
        var cum = -capex;
        var npv = -capex;
        var fixedOut = c.Fixed;
        var shield = c.Shield;
        var zero = Vector<double>.Zero;
        ref double ramp = ref MemoryMarshal.GetArrayDataReference(_ramp); // both of length H + 1
        ref double tax = ref MemoryMarshal.GetArrayDataReference(_taxFrac);
        ref var rec = ref MemoryMarshal.GetReference(scratch); // 2 vectors per month t = 0…: cum_t, npv_t
        rec = cum;
        Unsafe.Add(ref rec, 1) = npv;
        double taxPrev = double.NaN;
        var other = zero; // shield·f_t − fixed, recomputed only when f_t changes
        int t = 1;
        while (t <= h)
        {
            if (t > rampMonths && t < h)
            {
                // A run of plain months (the ramp over, the tax fraction constant, not the last month): the same
                // step without the tests for the ramp, the tax schedule and the horizon.
                int end = _plainEnd[t];
                taxPrev = Unsafe.Add(ref tax, t);
                other = (shield * new Vector<double>(taxPrev)) - fixedOut;
                ref var month = ref Unsafe.Add(ref rec, 2 * t);
                while (true)
                {
                    var flow = (ta - tb - tc) + other;
                    ta *= c.G;
                    tb *= c.Gd;
                    tc *= c.Q;
                    v *= c.Discount;
                    var discounted = flow * v;
                    cum += flow;
                    npv += discounted;
                    month = cum;
                    Unsafe.Add(ref month, 1) = npv;
                    notFound = Vector.AndNot(notFound, Vector.GreaterThanOrEqual(cum, zero));
                    dNotFound = Vector.AndNot(dNotFound, Vector.GreaterThanOrEqual(npv, zero));
                    searching += notFound;
                    dSearching += dNotFound;
                    if ((notFound | dNotFound) == Vector<long>.Zero)
                    {
                        goto Scanned; // both paybacks found in every lane
                    }

                    month = ref Unsafe.Add(ref month, 2);
                    if (++t == end)
                    {
                        break;
                    }
                }

                continue;
            }

            double f = Unsafe.Add(ref tax, t);
            if (f != taxPrev)
            {
                taxPrev = f;
                other = (shield * new Vector<double>(f)) - fixedOut;
            }

            Vector<double> cf;
            if (t <= rampMonths)
            {
                cf = (new Vector<double>(Unsafe.Add(ref ramp, t)) * (ta - tb - tc)) - te + other;
            }
            else
            {
                cf = (ta - tb - tc) + other;
            }

            if (t == h)
            {
                cf += c.Terminal;
            }

            ta *= c.G;
            tb *= c.Gd;
            tc *= c.Q;
            if (t <= rampMonths)
            {
                te *= c.Q;
                if (t == rampMonths)
                {
                    tc += te; // the ramp is over: C = (c + e)·q^t from month t + 1 on
                }
            }

            v *= c.Discount;
            var dcf = cf * v;
            cum += cf;
            npv += dcf;
            ref var at = ref Unsafe.Add(ref rec, 2 * t);
            at = cum;
            Unsafe.Add(ref at, 1) = npv;
            notFound = Vector.AndNot(notFound, Vector.GreaterThanOrEqual(cum, zero));
            dNotFound = Vector.AndNot(dNotFound, Vector.GreaterThanOrEqual(npv, zero));
            searching += notFound;
            dSearching += dNotFound;
            if ((notFound | dNotFound) == Vector<long>.Zero)
            {
                break; // both paybacks found in every lane
            }

            t++;
        }

    Scanned:
        // T = 1 − searching (≤ H + 1; lanes that never crossed read month H + 1, whatever it holds, and get NaN);
        // the quotient from the values stored for month T.
        var found = capexPositive & ~notFound;
        var dFound = capexPositive & ~dNotFound;
        if (Vector<double>.Count == 4)
        {
            // The four values of each lane by scalar loads, which the store buffer forwards (gathers had to wait
            // until the month's stores were written, a third of the scan), instead of a loop over the lanes
            // with scalar divisions.
            ref double record = ref Unsafe.As<Vector<double>, double>(ref MemoryMarshal.GetReference(scratch));
            // Lane k of month t's total is element 8·t + k (cum) or 8·t + 4 + k (npv); T − 1 = −searching.
            var at = ((Vector256<long>.Zero - searching.AsVector256()) << 3) + Vector256.Create(0L, 1, 2, 3);
            var dAt = ((Vector256<long>.Zero - dSearching.AsVector256()) << 3) + Vector256.Create(4L, 5, 6, 7);
            nint a0 = (nint)at.GetElement(0), a1 = (nint)at.GetElement(1), a2 = (nint)at.GetElement(2), a3 = (nint)at.GetElement(3);
            nint d0 = (nint)dAt.GetElement(0), d1 = (nint)dAt.GetElement(1), d2 = (nint)dAt.GetElement(2), d3 = (nint)dAt.GetElement(3);
            var cumBefore = Vector256.Create(Unsafe.Add(ref record, a0), Unsafe.Add(ref record, a1), Unsafe.Add(ref record, a2), Unsafe.Add(ref record, a3));
            var flow = Vector256.Create(Unsafe.Add(ref record, a0 + 8), Unsafe.Add(ref record, a1 + 8), Unsafe.Add(ref record, a2 + 8), Unsafe.Add(ref record, a3 + 8)) - cumBefore;
            var npvBefore = Vector256.Create(Unsafe.Add(ref record, d0), Unsafe.Add(ref record, d1), Unsafe.Add(ref record, d2), Unsafe.Add(ref record, d3));
            var dFlow = Vector256.Create(Unsafe.Add(ref record, d0 + 8), Unsafe.Add(ref record, d1 + 8), Unsafe.Add(ref record, d2 + 8), Unsafe.Add(ref record, d3 + 8)) - npvBefore;

            // T − 1 = −searching as a double, exactly: the bits of 2⁵² plus n are the double 2⁵² + n (0 ≤ n &lt; 2⁵²).
            var twoTo52 = Vector256.Create(4503599627370496.0);
            var before = (twoTo52.AsInt64() - searching.AsVector256()).AsDouble() - twoTo52;
            var dBefore = (twoTo52.AsInt64() - dSearching.AsVector256()).AsDouble() - twoTo52;
            var nan = new Vector<double>(double.NaN);
            payback = Vector.ConditionalSelect(found, (before + (-cumBefore / flow)).AsVector(), nan);
            dpayback = Vector.ConditionalSelect(dFound, (dBefore + (-npvBefore / dFlow)).AsVector(), nan);
            return;
        }

        if (Vector<double>.Count == 8)
        {
            // 512-bit Vector<T> (DOTNET_MaxVectorTBitWidth=512): the same as the four-lane path above, eight lanes.
            ref double record = ref Unsafe.As<Vector<double>, double>(ref MemoryMarshal.GetReference(scratch));
            // Lane k of month t's total is element 16·t + k (cum) or 16·t + 8 + k (npv); T − 1 = −searching.
            var at = ((Vector512<long>.Zero - searching.AsVector512()) << 4) + Vector512.Create(0L, 1, 2, 3, 4, 5, 6, 7);
            var dAt = ((Vector512<long>.Zero - dSearching.AsVector512()) << 4) + Vector512.Create(8L, 9, 10, 11, 12, 13, 14, 15);
            var cumBefore = Gather8(ref record, at, 0);
            var flow = Gather8(ref record, at, 16) - cumBefore;
            var npvBefore = Gather8(ref record, dAt, 0);
            var dFlow = Gather8(ref record, dAt, 16) - npvBefore;
            var twoTo52 = Vector512.Create(4503599627370496.0);
            var before = (twoTo52.AsInt64() - searching.AsVector512()).AsDouble() - twoTo52;
            var dBefore = (twoTo52.AsInt64() - dSearching.AsVector512()).AsDouble() - twoTo52;
            var nan = new Vector<double>(double.NaN);
            payback = Vector.ConditionalSelect(found, (before + (-cumBefore / flow)).AsVector(), nan);
            dpayback = Vector.ConditionalSelect(dFound, (dBefore + (-npvBefore / dFlow)).AsVector(), nan);
            return;
        }

        var flat = MemoryMarshal.Cast<Vector<double>, double>(scratch);
        int w = Vector<double>.Count;
        Span<double> lanes = stackalloc double[2 * w];
        for (int k = 0; k < w; k++)
        {
            int tk = 1 - (int)searching[k];
            int dtk = 1 - (int)dSearching[k];
            double cumBefore = flat[(2 * (tk - 1) * w) + k], npvBefore = flat[(((2 * (dtk - 1)) + 1) * w) + k];
            lanes[k] = found[k] != 0 ? (tk - 1) + (-cumBefore / (flat[(2 * tk * w) + k] - cumBefore)) : double.NaN;
            lanes[w + k] = dFound[k] != 0 ? (dtk - 1) + (-npvBefore / (flat[(((2 * dtk) + 1) * w) + k] - npvBefore)) : double.NaN;
        }

        payback = new Vector<double>(lanes);
        dpayback = new Vector<double>(lanes[w..]);
    }

    /// <summary>The eight elements of the record at the lanes' indices plus <paramref name="offset"/>, by scalar loads (see <see cref="Paybacks"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Gather8(ref double record, Vector512<long> at, nint offset) => Vector512.Create(
        Unsafe.Add(ref record, (nint)at.GetElement(0) + offset), Unsafe.Add(ref record, (nint)at.GetElement(1) + offset),
        Unsafe.Add(ref record, (nint)at.GetElement(2) + offset), Unsafe.Add(ref record, (nint)at.GetElement(3) + offset),
        Unsafe.Add(ref record, (nint)at.GetElement(4) + offset), Unsafe.Add(ref record, (nint)at.GetElement(5) + offset),
        Unsafe.Add(ref record, (nint)at.GetElement(6) + offset), Unsafe.Add(ref record, (nint)at.GetElement(7) + offset));

    // exp and log by DetMath, not .NET's Vector.Exp and Vector.Log, whose bits depend on the vector width and the processor.
    private static Vector<double> MonthlyGrowth(Vector<double> annual) => DetMath.Exp(DetMath.Log(Vector<double>.One + annual) * (1.0 / 12));

    private static Vector<double> Discount(Vector<double> annual) => DetMath.Exp(-DetMath.Log(Vector<double>.One + annual) * (1.0 / 12));

    private static Vector<double> DecayStep(Vector<double> tau) => DetMath.Exp(-Vector<double>.One / tau);

    // The same three in eight lanes, operation for operation.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> MonthlyGrowth(Vector512<double> annual) => DetMath.Exp(DetMath.Log(Vector512<double>.One + annual) * (1.0 / 12));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> Discount(Vector512<double> annual) => DetMath.Exp(-DetMath.Log(Vector512<double>.One + annual) * (1.0 / 12));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector512<double> DecayStep(Vector512<double> tau) => DetMath.Exp(-Vector512<double>.One / tau);

    /// <summary>Trials whose monthly ratios <see cref="RatiosAhead"/> computes at a time (a power of 2).</summary>
    private const int RatioChunk = 256;

    /// <summary>Per thread: the ratios of the current chunk (price growth, decay step, electricity growth, discount; <see cref="RatioChunk"/> each).</summary>
    [ThreadStatic]
    private static double[]? t_ratios;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector<double> Ahead(double[] ratios, int at) => Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(ratios), (nuint)at);

    /// <summary>
    /// The monthly ratios of the uncertain inputs among erosion, decay, escalation and discount for trials
    /// [start, start + count), rounded up to whole four-lane vectors as <see cref="Evaluate"/> reads them: eight lanes at a
    /// time, and the last four by the four-lane functions (the same operations, so the same bits either way).
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static void RatiosAhead(int start, int count, in Input erosion, in Input tau, in Input escalation, in Input discount, double[] ratios)
    {
        int end = (count + 3) & ~3;
        ref double r = ref MemoryMarshal.GetArrayDataReference(ratios);
        int j = 0;
        for (; j + 8 <= end; j += 8)
        {
            if (!erosion.IsFixed)
            {
                MonthlyGrowth(-erosion.At512(start + j)).StoreUnsafe(ref r, (nuint)j);
            }

            if (!tau.IsFixed)
            {
                DecayStep(tau.At512(start + j)).StoreUnsafe(ref r, (nuint)(RatioChunk + j));
            }

            if (!escalation.IsFixed)
            {
                MonthlyGrowth(escalation.At512(start + j)).StoreUnsafe(ref r, (nuint)((2 * RatioChunk) + j));
            }

            if (!discount.IsFixed)
            {
                Discount(discount.At512(start + j)).StoreUnsafe(ref r, (nuint)((3 * RatioChunk) + j));
            }
        }

        if (j < end)
        {
            if (!erosion.IsFixed)
            {
                MonthlyGrowth(-erosion.At(start + j)).StoreUnsafe(ref r, (nuint)j);
            }

            if (!tau.IsFixed)
            {
                DecayStep(tau.At(start + j)).StoreUnsafe(ref r, (nuint)(RatioChunk + j));
            }

            if (!escalation.IsFixed)
            {
                MonthlyGrowth(escalation.At(start + j)).StoreUnsafe(ref r, (nuint)((2 * RatioChunk) + j));
            }

            if (!discount.IsFixed)
            {
                Discount(discount.At(start + j)).StoreUnsafe(ref r, (nuint)((3 * RatioChunk) + j));
            }
        }
    }

    /// <summary>
    /// Σ_{k=0}^{H−1} x^k and xᴴ for x ≥ 0, without a division, by binary doubling over the bits of H (high to low):
    /// S_2n = S_n·(1 + xⁿ), x^2n = xⁿ·xⁿ, and for a set bit S_(n+1) = 1 + x·S_n, x^(n+1) = xⁿ·x.
    /// </summary>
    /// <remarks>
    /// Every term is non-negative, so nothing cancels: each step adds at most one rounding to S plus the relative error
    /// of xⁿ (weighted by xⁿ/(1 + xⁿ) ≤ 1), which is that of repeated squaring, below about 2n·ε. Hence the relative
    /// error of the sum is below about 2H·ε (≈ 3e-14 for H = 60), uniformly in x: no special case near x = 1, where (1
    /// − xᴴ)/(1 − x) would cancel. About 2·log₂H multiply-adds and products, all the lanes alike.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector<double> Geometric(Vector<double> x, out Vector<double> xH)
    {
        var one = Vector<double>.One;
        var s = one; // S_1
        var p = x; // x^1
        int h = _ctx.Horizon;
        for (int bit = _topBit - 1; bit >= 0; bit--)
        {
            s = Vector.FusedMultiplyAdd(s, p, s);
            p *= p;
            if (((h >> bit) & 1) != 0)
            {
                s = Vector.FusedMultiplyAdd(x, s, one);
                p *= x;
            }
        }

        xH = p;
        return s;
    }

    /// <summary>Σ_{t=1}^{R} (1 − ramp_t)·x^(t−1): what the ramp's first months take off a geometric sum.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Vector<double> RampShortfall(Vector<double> x)
    {
        var c = _rampShortfall;
        var acc = Vector<double>.Zero;
        for (int j = c.Length - 1; j >= 0; j--)
        {
            acc = new Vector<double>(c[j]) + (acc * x); // the constant first: the JIT then keeps the product in a register
        }

        return acc;
    }

    /// <summary>
    /// <see cref="Geometric"/> of four ratios at once, without xᴴ: the same operations on each, interleaved so that
    /// the four dependency chains overlap.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Geometric4(
        Vector<double> x0, Vector<double> x1, Vector<double> x2, Vector<double> x3,
        out Vector<double> s0, out Vector<double> s1, out Vector<double> s2, out Vector<double> s3)
    {
        var one = Vector<double>.One;
        Vector<double> a0 = one, a1 = one, a2 = one, a3 = one; // S_1
        Vector<double> p0 = x0, p1 = x1, p2 = x2, p3 = x3; // x^1
        int h = _ctx.Horizon;
        for (int bit = _topBit - 1; bit >= 0; bit--)
        {
            a0 = Vector.FusedMultiplyAdd(a0, p0, a0);
            a1 = Vector.FusedMultiplyAdd(a1, p1, a1);
            a2 = Vector.FusedMultiplyAdd(a2, p2, a2);
            a3 = Vector.FusedMultiplyAdd(a3, p3, a3);
            p0 *= p0;
            p1 *= p1;
            p2 *= p2;
            p3 *= p3;
            if (((h >> bit) & 1) != 0)
            {
                a0 = Vector.FusedMultiplyAdd(x0, a0, one);
                a1 = Vector.FusedMultiplyAdd(x1, a1, one);
                a2 = Vector.FusedMultiplyAdd(x2, a2, one);
                a3 = Vector.FusedMultiplyAdd(x3, a3, one);
                p0 *= x0;
                p1 *= x1;
                p2 *= x2;
                p3 *= x3;
            }
        }

        s0 = a0;
        s1 = a1;
        s2 = a2;
        s3 = a3;
    }

    /// <summary>Σ_{t=1}^{H} f_t·δ^t, the present value of the tax depreciation fractions (Horner).</summary>
    private Vector<double> TaxPv(Vector<double> discount)
    {
        var acc = Vector<double>.Zero;
        for (int t = _ctx.Horizon; t >= 1; t--)
        {
            acc = (acc + new Vector<double>(_taxFrac[t])) * discount;
        }

        return acc;
    }

    /// <summary>One input of a block: its column of per-trial values, or its fixed value.</summary>
    private readonly struct Input(double[]? column, double value)
    {
        private readonly double[]? _column = column;

        /// <summary>The fixed value, broadcast (meaningful when <see cref="IsFixed"/>).</summary>
        public Vector<double> Fixed { get; } = new(value);

        public bool IsFixed => _column is null;

        /// <summary>The values of trials [i, i + W).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<double> At(int i) => _column is null ? Fixed : Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_column), (nuint)i);

        /// <summary>The values of trials [i, i + 8) of a column (not <see cref="IsFixed"/>).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector512<double> At512(int i) => Vector512.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_column!), (nuint)i);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Store(double[] dst, int at, Vector<double> v, int lanes)
    {
        if (lanes == Vector<double>.Count)
        {
            v.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(dst), (nuint)at);
        }
        else
        {
            var part = dst.AsSpan(at, lanes);
            for (int k = 0; k < part.Length; k++)
            {
                part[k] = v[k];
            }
        }
    }
}
