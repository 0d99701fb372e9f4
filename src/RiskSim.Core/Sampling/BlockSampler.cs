using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using MathNet.Numerics.LinearAlgebra;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Sampling;

/// <summary>
/// Samples every uncertain input for one fixed block of trials.
/// </summary>
/// <remarks>
/// Each input draws from its own stream, keyed by (seed, input path, block index), so a block's draws do not depend on
/// threads, on the other inputs, or on their order in the config; two configs that share an input path and distribution
/// share its draws (common random numbers). Latin hypercube stratifies each input within the block. Rank correlation is
/// induced by Iman–Conover (1982) within the block, with the Cholesky factors through MathNet's linear algebra.
/// Thread-safe; per-worker state lives in <see cref="SamplerWorkspace"/>.
/// </remarks>
internal sealed class BlockSampler
{
    /// <summary>Trials per block; the unit of reproducibility and of LHS stratification.</summary>
    public const int BlockSize = 16384;

    /// <summary>Blocks smaller than this skip Iman–Conover (too few trials to reorder meaningfully).</summary>
    public const int MinCorrelatedBlock = 64;

    /// <summary>The largest double below 1.</summary>
    internal const double OneBelow = 1.0 - (1.0 / (1UL << 53));

    private readonly InputSpec[] _uncertain;
    private readonly int[] _correlated; // indices into _uncertain
    private readonly Matrix<double>? _targetCholesky;
    private readonly double[] _scores; // van der Waerden scores for a full block
    private readonly double _scoreSquares; // Σ_r a_r² over them

    public BlockSampler(SimulationSpec spec, ulong seed, SamplingMethod sampling)
    {
        Seed = seed;
        Sampling = sampling;
        _uncertain = [.. spec.UncertainInputs];
        var names = spec.Correlations.SelectMany(c => new[] { c.A, c.B }).Distinct().ToList();
        _correlated = [.. names.Select(n => Array.FindIndex(_uncertain, u => u.Path == n))];
        _scores = Scores(BlockSize);
        _scoreSquares = SumOfSquares(_scores);
        if (names.Count > 0)
        {
            // Iman–Conover works on normal scores, whose Pearson correlation ρ gives the rank correlation
            // (6/π)·arcsin(ρ/2); so the configured rank correlations ρs become ρ = 2·sin(π·ρs/6).
            var target = Correlation.BuildMatrix(names, spec.Correlations.Select(c => c with { RankCorrelation = 2 * DetMath.SinSmall(Math.PI * c.RankCorrelation / 6) })); // RiskSim's sine: the same target on every machine
            if (Correlation.MinEigenvalue(target) < 1e-12)
            {
                var (repaired, distance) = Correlation.NearestCorrelation(target);
                target = repaired;
                RepairDistance = distance;
            }

            TargetCorrelation = target;
            CorrelatedNames = [.. names];
            _targetCholesky = Matrix<double>.Build.DenseOfArray(target).Cholesky().Factor;
        }
    }

    public ulong Seed { get; }

    public SamplingMethod Sampling { get; }

    /// <summary>The uncertain inputs, in the order of the sampled columns.</summary>
    public IReadOnlyList<InputSpec> Inputs => _uncertain;

    /// <summary>The target Pearson correlation of the normal scores (converted from the configured rank correlations, repaired if needed), over <see cref="CorrelatedNames"/>.</summary>
    public double[,]? TargetCorrelation { get; }

    public IReadOnlyList<string> CorrelatedNames { get; } = [];

    /// <summary>Frobenius distance of the nearest-PSD repair, or null when no repair was needed.</summary>
    public double? RepairDistance { get; }

    /// <summary>Creates per-worker scratch space.</summary>
    public SamplerWorkspace CreateWorkspace() => new(_uncertain.Length, _correlated.Length, null);

    /// <summary>Creates per-worker scratch space from a run's arena (reused by the runs after it).</summary>
    internal SamplerWorkspace CreateWorkspace(ScratchArena arena) => new(_uncertain.Length, _correlated.Length, arena);

    /// <summary>
    /// Samples block <paramref name="block"/> of <paramref name="n"/> ≤ <see cref="BlockSize"/> trials; column j of
    /// <paramref name="output"/> receives the values of uncertain input j (see <see cref="Inputs"/>).
    /// </summary>
    /// <remarks>
    /// Latin hypercube works in stratum order: the input's stream gives a random permutation perm (trial i falls in
    /// stratum perm[i]) and one jitter U_r per stratum r, the stratum's draw is u_r = (r + U_r)/n, and the quantiles
    /// x_r = Q(u_r) are evaluated for r = 0…n−1 in order (ascending u: the quantile table is walked in order, each
    /// body cell serving consecutive strata). Then trial i gets x_{perm[i]}. For a column that Iman–Conover reorders,
    /// trial i gets instead x_r for r the rank of trial i in T's column: only the ranks change, never the set of
    /// draws, so every stratum still holds exactly one draw. Correlated Monte Carlo columns take the same route with
    /// the uniforms sorted (perm = their ranks); plain Monte Carlo columns evaluate their uniforms in trial order.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    public void Sample(long block, int n, SamplerWorkspace ws, double[][] output)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(n, BlockSize);
        bool correlate = _targetCholesky is not null && n >= MinCorrelatedBlock;
        bool lhs = Sampling == SamplingMethod.LatinHypercube;
        double[] scores = !correlate ? _scores : n == BlockSize ? _scores : Scores(n);
        for (int j = 0; j < _uncertain.Length; j++)
        {
            var rng = Xoshiro256.ForStream(Seed, _uncertain[j].Path, block);
            var dist = _uncertain[j].Distribution;
            var u = ws.Uniforms[j].AsSpan(0, n);
            var perm = ws.Perm[j].AsSpan(0, n);
            var x = output[j].AsSpan(0, n);
            int ci = correlate ? Array.IndexOf(_correlated, j) : -1;
            ws.Stratified[j] = lhs || ci >= 0;
            ws.Shuffled[j] = lhs && ci <= 0;
            if (lhs && ci <= 0)
            {
                // Not reordered by Iman–Conover (or the first correlated column, whose order T's column 0 keeps, see
                // ImanConover): no permutation is needed, only its effect. The quantiles are evaluated in stratum order and
                // the Fisher–Yates swaps move them straight into trial order (the same swaps Latin would apply to 0…n−1, so
                // x[i] = Q(strata[perm[i]]) bit for bit); no gather pass. The first correlated column's scores,
                // S[i] = a[perm[i]], ride on the same swaps. The strata go to one scratch span shared by these columns
                // (it stays in the core's cache); UniformsOf draws them again from the jitters' state.
                var (jitter, swaps) = rng.LatinStreams();
                ws.Jitters[j] = jitter;
                ws.Swaps[j] = swaps; // the generators' states before use: UniformsOf replays them
                var strata = ws.Sorted.AsSpan(0, n);
                jitter.FillStrata(strata, OneBelow);
                dist.QuantileBlock(strata, x);
                if (ci < 0)
                {
                    swaps.Shuffle(x);
                }
                else
                {
                    var s = ws.ScoreMatrix[0].AsSpan(0, n);
                    scores.AsSpan(0, n).CopyTo(s);
                    swaps.Shuffle(x, s);
                }

                continue;
            }

            if (lhs && ci >= 1)
            {
                // A column Iman–Conover reorders by T's ranks (all but the first): its permutation only ever picks its
                // scores, S[i] = a[perm[i]], so the swaps move a copy of the scores instead (the same values, no gather).
                var (jitter, swaps) = rng.LatinStreams();
                jitter.FillStrata(u, OneBelow);
                dist.QuantileBlock(u, ws.Quantiles[ci].AsSpan(0, n)); // placed after Iman–Conover
                var s = ws.ScoreMatrix[ci].AsSpan(0, n);
                scores.AsSpan(0, n).CopyTo(s);
                swaps.Shuffle(s);
                continue;
            }

            // Plain Monte Carlo (every Latin column was taken above).
            if (ci < 0)
            {
                rng.Fill(u);
                dist.QuantileBlock(u, x);
                continue;
            }

            // A correlated column: its uniforms sorted (perm = their ranks) and its draws by rank, placed by Iman–Conover.
            var raw = ws.Sorted.AsSpan(0, n);
            rng.Fill(raw);
            SortedRanks(raw, perm, u, ws);
            dist.QuantileBlock(u, ws.Quantiles[ci].AsSpan(0, n));
        }

        if (correlate)
        {
            ImanConover(n, ws, output, scores, scoresPlaced: lhs);
        }
    }

    /// <summary>scores[i] = a[perm[i]] and x[i] = xs[perm[i]], in one pass over the permutation.</summary>
    private static void PlaceBoth(ReadOnlySpan<double> a, ReadOnlySpan<double> xs, ReadOnlySpan<ushort> perm, Span<double> scores, Span<double> x)
    {
        ref double a0 = ref MemoryMarshal.GetReference(a);
        ref double s0 = ref MemoryMarshal.GetReference(xs);
        ref double c0 = ref MemoryMarshal.GetReference(scores);
        ref double d0 = ref MemoryMarshal.GetReference(x);
        ref ushort p0 = ref MemoryMarshal.GetReference(perm);
        int topA = a.Length - 1, topX = xs.Length - 1;
        for (int i = 0; i < x.Length; i++)
        {
            int r = Unsafe.Add(ref p0, i); // a permutation of 0…n−1; the clamps only guard memory (a division would cost more)
            Unsafe.Add(ref c0, i) = Unsafe.Add(ref a0, Math.Min(r, topA));
            Unsafe.Add(ref d0, i) = Unsafe.Add(ref s0, Math.Min(r, topX));
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private void ImanConover(int n, SamplerWorkspace ws, double[][] output, double[] a, bool scoresPlaced)
    {
        int k = _correlated.Length;
        var s = ws.ScoreMatrix;
        // Column 0's scores and draws both follow its permutation (T's column 0 has the ranks the block already has, see
        // below): Latin columns were moved into place by Sample's swaps; Monte Carlo ones are placed here, both in one
        // pass. Columns c ≥ 1 take their scores by rank too unless Sample shuffled them.
        if (!scoresPlaced)
        {
            PlaceBoth(a, ws.Quantiles[0].AsSpan(0, n), ws.Perm[_correlated[0]].AsSpan(0, n), s[0].AsSpan(0, n), output[_correlated[0]].AsSpan(0, n));
        }

        for (int c = 1; c < (scoresPlaced ? 1 : k); c++) // placed: every column shuffled its scores in Sample
        {
            var rank = ws.Perm[_correlated[c]].AsSpan(0, n);
            var col = s[c].AsSpan(0, n);
            ref double a0 = ref MemoryMarshal.GetArrayDataReference(a);
            int top = a.Length - 1;
            for (int i = 0; i < col.Length; i++)
            {
                col[i] = Unsafe.Add(ref a0, Math.Min(rank[i], top)); // ranks are a permutation of 0…n−1; the clamp only guards memory
            }
        }

        // E = corr(S); T = S·M with M = (F_E⁻¹)ᵀ·F_Pᵀ has (approximately) the target correlation. Every column of S is
        // a permutation of the scores, so each diagonal sum Σᵢ s_p[i]² is Σ_r a_r² (summed once, in rank order).
        var e = Matrix<double>.Build.Dense(k, k);
        DotProducts(s, k, n, e);
        double squares = n == BlockSize ? _scoreSquares : SumOfSquares(a);
        for (int p = 0; p < k; p++)
        {
            e[p, p] = squares;
        }

        var diag = Enumerable.Range(0, k).Select(i => Math.Sqrt(e[i, i])).ToArray();
        for (int p = 0; p < k; p++)
        {
            for (int q = 0; q < k; q++)
            {
                e[p, q] /= diag[p] * diag[q];
            }
        }

        var m = ws.Mix;
        MixingMatrix(e.Cholesky().Factor, _targetCholesky!, m);
        var words = ws.Words.AsSpan(0, n);
        var bucket = ws.Bucket.AsSpan(0, n);
        var sortedWords = ws.SortedWords.AsSpan(0, n);
        var map = new BucketMap(n, KeyShape.StandardNormal);
        var w = ws.Weights;

        // M is upper triangular with M[0, 0] > 0, so T's column 0 is S's column 0 times a positive constant: its
        // ranks are the ranks the block already has (the scores are distinct well above the 32-bit key's
        // resolution), and the reorder would leave it as it is. Columns c ≥ 1 need only S's columns 0…c.
        for (int c = 1; c < k; c++)
        {
            for (int p = 0; p <= c; p++)
            {
                w[p] = m[p, c];
            }

            // Column c of T, straight into sort words and buckets: t = ((0 + s₀w₀) + s₁w₁) + … + s_c·w_c. The terms
            // below the diagonal of M would add exact zeros, and a sum that starts from +0 is never −0, so
            // leaving them out changes no bit.
            int i = 0;
            if (BucketMap.IsVectorized)
            {
                for (; i <= n - 4; i += 4)
                {
                    var t = Vector256<double>.Zero;
                    for (int p = 0; p <= c; p++)
                    {
                        t += Vector256.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(s[p]), (nuint)i) * Vector256.Create(w[p]);
                    }

                    map.Classify4(t, i, words, bucket);
                }
            }

            for (; i < n; i++)
            {
                double t = 0;
                for (int p = 0; p <= c; p++)
                {
                    t += s[p][i] * w[p];
                }

                words[i] = RankSort.Word(t, i);
                bucket[i] = map.Of(t);
            }

            RankSort.Sort(words, bucket, ws.Count, sortedWords);

            // The trial of T-rank r gets the draw of stratum (or uniform rank) r; its perm entry becomes r.
            var xs = ws.Quantiles[c].AsSpan(0, n);
            var x = output[_correlated[c]].AsSpan(0, n);
            var perm = ws.Perm[_correlated[c]].AsSpan(0, n);
            ref double xr = ref MemoryMarshal.GetReference(x);
            ref ushort pr = ref MemoryMarshal.GetReference(perm);
            for (int r = 0; r < xs.Length; r++)
            {
                uint trial = Math.Min((uint)sortedWords[r], (uint)n - 1); // the low word is the trial index; the clamp only guards memory
                Unsafe.Add(ref xr, trial) = xs[r];
                Unsafe.Add(ref pr, trial) = (ushort)r;
            }
        }
    }

    /// <summary>
    /// The Iman–Conover mixing matrix M = (F_E⁻¹)ᵀ·F_Pᵀ, from the lower Cholesky factors F_E of the scores' correlation
    /// E and F_P of the target P: T = S·M has correlation Mᵀ·E·M = F_P·F_E⁻¹·F_E·F_Eᵀ·(F_E⁻¹)ᵀ·F_Pᵀ = P.
    /// </summary>
    /// <remarks>
    /// M solves F_Eᵀ·M = F_Pᵀ, an upper triangular system with an upper triangular right-hand side, by back
    /// substitution column by column: M[i, c] = (F_P[c, i] − Σ_{j &gt; i} F_E[j, i]·M[j, c]) / F_E[i, i]. Below the
    /// diagonal (i &gt; c) every term is an exact zero, so M is exactly upper triangular, and M[c, c] = F_P[c, c] /
    /// F_E[c, c] &gt; 0.
    /// </remarks>
    internal static void MixingMatrix(Matrix<double> fe, Matrix<double> fp, double[,] m)
    {
        int k = fe.RowCount;
        for (int c = 0; c < k; c++)
        {
            for (int i = k - 1; i >= 0; i--)
            {
                if (i > c)
                {
                    m[i, c] = 0;
                    continue;
                }

                double x = fp[c, i];
                for (int j = i + 1; j <= c; j++)
                {
                    x -= fe[j, i] * m[j, c];
                }

                m[i, c] = x / fe[i, i];
            }
        }
    }

    /// <summary>Σ_r a_r², in index order.</summary>
    private static double SumOfSquares(double[] a)
    {
        double sum = 0;
        foreach (double x in a)
        {
            sum += x * x;
        }

        return sum;
    }

    /// <summary>e[p, q] = e[q, p] = Σᵢ s_p[i]·s_q[i] for p &lt; q, each sum in index order; four sums share one pass (independent chains).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void DotProducts(double[][] s, int k, int n, Matrix<double> e)
    {
        int pairs = k * (k - 1) / 2;
        Span<int> pp = stackalloc int[4];
        Span<int> qq = stackalloc int[4];
        int g = 0;
        for (int p = 0, q = 1; g < pairs; g += 4)
        {
            int live = Math.Min(4, pairs - g);
            for (int l = 0; l < 4; l++)
            {
                if (l < live)
                {
                    pp[l] = p;
                    qq[l] = q;
                    if (++q == k)
                    {
                        p++;
                        q = p + 1;
                    }
                }
                else
                {
                    pp[l] = pp[0];
                    qq[l] = qq[0];
                }
            }

            var x0 = s[pp[0]].AsSpan(0, n);
            var y0 = s[qq[0]].AsSpan(0, n);
            var x1 = s[pp[1]].AsSpan(0, n);
            var y1 = s[qq[1]].AsSpan(0, n);
            var x2 = s[pp[2]].AsSpan(0, n);
            var y2 = s[qq[2]].AsSpan(0, n);
            var x3 = s[pp[3]].AsSpan(0, n);
            var y3 = s[qq[3]].AsSpan(0, n);
            double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
            for (int i = 0; i < n; i++)
            {
                s0 += x0[i] * y0[i];
                s1 += x1[i] * y1[i];
                s2 += x2[i] * y2[i];
                s3 += x3[i] * y3[i];
            }

            ReadOnlySpan<double> sums = [s0, s1, s2, s3];
            for (int l = 0; l < live; l++)
            {
                e[pp[l], qq[l]] = sums[l];
                e[qq[l], pp[l]] = sums[l];
            }
        }
    }

    /// <summary>rank[i] = rank of u[i] (<see cref="RankSort.ArgSort"/> order); sorted[r] = the u of rank r.</summary>
    private static void SortedRanks(ReadOnlySpan<double> u, Span<ushort> rank, Span<double> sorted, SamplerWorkspace ws)
    {
        var order = ws.Order.AsSpan(0, u.Length);
        RankSort.ArgSort(u, order, ws, KeyShape.Uniform);
        for (int r = 0; r < order.Length; r++)
        {
            int i = order[r];
            rank[i] = (ushort)r;
            sorted[r] = u[i];
        }
    }

    private static double[] Scores(int n)
    {
        var a = new double[n];
        for (int r = 0; r < n; r++)
        {
            a[r] = NormalQuantile.Evaluate((r + 1.0) / (n + 1.0));
        }

        return a;
    }
}

/// <summary>Per-worker scratch space of <see cref="BlockSampler"/>. Not thread-safe.</summary>
internal sealed class SamplerWorkspace
{
    internal SamplerWorkspace(int inputs, int correlated, ScratchArena? arena = null)
    {
        // Uninitialized (megabytes a worker, every run; from the run's arena when it has one): each array is written
        // before it is read in a block, and Count is cleared by the sort that uses it.
        const int b = BlockSampler.BlockSize;
        T[] Scratch<T>()
            where T : unmanaged => ScratchArena.RentOrAllocate<T>(arena, b);
        Uniforms = [.. Enumerable.Range(0, inputs).Select(_ => Scratch<double>())];
        Perm = [.. Enumerable.Range(0, inputs).Select(_ => Scratch<ushort>())];
        Stratified = new bool[inputs];
        Shuffled = new bool[inputs];
        Swaps = new Xoshiro256x4[inputs];
        Jitters = new Xoshiro256x4[inputs];
        Quantiles = [.. Enumerable.Range(0, correlated).Select(_ => Scratch<double>())];
        ScoreMatrix = [.. Enumerable.Range(0, correlated).Select(_ => Scratch<double>())];
        Order = Scratch<int>();
        Sorted = Scratch<double>();
        Bucket = Scratch<int>();
        Count = Scratch<int>();
        Words = Scratch<ulong>();
        SortedWords = Scratch<ulong>();
        Weights = new double[correlated];
        Mix = new double[correlated, correlated];
    }

    /// <summary>Per input: the uniforms in stratum (rank) order when <see cref="Stratified"/>, else in trial order.</summary>
    internal double[][] Uniforms { get; }

    /// <summary>Per input, when <see cref="Stratified"/>: the stratum (rank) of each trial's uniform.</summary>
    internal ushort[][] Perm { get; }

    internal bool[] Stratified { get; }

    /// <summary>
    /// Per input: whether its values were shuffled into trial order (no <see cref="Perm"/>, and its strata not kept in
    /// <see cref="Uniforms"/>), and the jitter and swap generators' states before.
    /// </summary>
    internal bool[] Shuffled { get; }

    internal Xoshiro256x4[] Swaps { get; }

    internal Xoshiro256x4[] Jitters { get; }

    /// <summary>Per correlated input: the quantiles of its uniforms in stratum (rank) order.</summary>
    internal double[][] Quantiles { get; }

    internal double[][] ScoreMatrix { get; }
    internal int[] Order { get; }
    internal double[] Sorted { get; }
    internal int[] Bucket { get; }
    internal int[] Count { get; }
    internal ulong[] Words { get; }
    internal ulong[] SortedWords { get; }
    internal double[] Weights { get; }
    internal double[,] Mix { get; }

    /// <summary>
    /// The uniforms of the last sampled block, per uncertain input, in trial order: the value of trial i was drawn as
    /// the quantile of this uniform (for tests of LHS strata and rank correlation; builds a new array).
    /// </summary>
    public ReadOnlySpan<double> UniformsOf(int input, int n)
    {
        var u = Uniforms[input].AsSpan(0, n);
        if (!Stratified[input])
        {
            return u.ToArray();
        }

        if (Shuffled[input])
        {
            var shuffled = new double[n];
            var jitter = Jitters[input];
            jitter.FillStrata(shuffled, BlockSampler.OneBelow);
            var swaps = Swaps[input];
            swaps.Shuffle(shuffled.AsSpan());
            return shuffled;
        }

        var perm = Perm[input].AsSpan(0, n);
        var t = new double[n];
        for (int i = 0; i < n; i++)
        {
            t[i] = u[perm[i]];
        }

        return t;
    }
}
