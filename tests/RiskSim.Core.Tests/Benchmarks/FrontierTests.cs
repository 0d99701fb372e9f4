using System.Collections.Immutable;
using CsCheck;
using RiskSim.Core.Benchmarks;

namespace RiskSim.Core.Tests.Benchmarks;

/// <summary>
/// The frontier and the SLA choice on hand-computed cases. Points are (tok/s per user, output tok/s per GPU), with
/// p99 TTFT in seconds where given. The worked numbers are in each test's comments.
/// </summary>
public sealed class FrontierTests
{
    private const double Tol = 1e-9;

    private static FrontierPoint P(string id, double x, double y, double? ttft99 = null, double? ttft50 = null)
    {
        var m = ImmutableDictionary<string, double>.Empty;
        if (ttft99 is { } t99)
        {
            m = m.Add("ttft_p99_s", t99);
        }

        if (ttft50 is { } t50)
        {
            m = m.Add("ttft_p50_s", t50);
        }

        return new FrontierPoint(id, x, y) { Metrics = m, InputTokensPerRequest = 1000, OutputTokensPerRequest = x * 10 };
    }

    private static Sla S(string text)
    {
        var (sla, errors) = Sla.TryParse(text);
        Assert.True(sla is not null, string.Join("; ", errors));
        return sla!;
    }

    [Fact]
    public void Pareto_frontier_drops_dominated_points_and_sorts_by_interactivity()
    {
        // C (10, 900) is dominated by A (20, 1000); D (40, 500) by B (40, 600); E ties A exactly and comes later.
        FrontierPoint[] pts = [P("A", 20, 1000), P("B", 40, 600), P("C", 10, 900), P("D", 40, 500), P("E", 20, 1000), P("F", 60, 100)];
        var f = Frontier.ParetoIndices(pts);
        Assert.Equal([0, 1, 5], f.ToArray());
    }

    [Fact]
    public void Interactivity_floor_between_two_points_interpolates_linearly_and_binds()
    {
        // Frontier A (20, 1000, p99 TTFT 6 s) → B (40, 600, 1 s). SLA x ≥ 30, p99 TTFT ≤ 5.
        // x = 20 + 20t ≥ 30 ⇒ t ≥ 0.5; TTFT = 6 − 5t ≤ 5 ⇒ t ≥ 0.2. Best t = 0.5: y = 1000 − 400·0.5 = 800,
        // TTFT 3.5 s, output tokens per request 10·x = 300. The interactivity floor binds.
        var r = Frontier.Select([P("A", 20, 1000, 6), P("B", 40, 600, 1), P("C", 10, 900, 1)], S("tokens_per_s_per_user>=30,ttft_p99_s<=5"));
        var c = Assert.IsType<FrontierChoice>(r.Choice);
        Assert.True(c.Interpolated);
        Assert.Equal(0.5, c.Weight, Tol);
        Assert.Equal(30, c.Point.TokensPerSPerUser, Tol);
        Assert.Equal(800, c.Point.OutputTokensPerSPerGpu, Tol);
        Assert.Equal(3.5, c.Point.Value("ttft_p99_s")!.Value, Tol);
        Assert.Equal(300, c.Point.OutputTokensPerRequest!.Value, Tol);
        Assert.Equal("tokens_per_s_per_user", Assert.Single(c.Binding).Metric.Key);
        Assert.Equal("A", c.From!.Id);
        Assert.Equal("B", c.To!.Id);
        Assert.Contains("50 % of the way from A to B", c.BindingText, StringComparison.Ordinal);
    }

    [Fact]
    public void Ttft_limit_binds_when_it_is_met_later_along_the_segment()
    {
        // Same frontier, SLA x ≥ 25 (t ≥ 0.25), p99 TTFT ≤ 2 (6 − 5t ≤ 2 ⇒ t ≥ 0.8). Best t = 0.8:
        // x = 36, y = 1000 − 320 = 680, TTFT exactly 2. TTFT binds.
        var r = Frontier.Select([P("A", 20, 1000, 6), P("B", 40, 600, 1)], S("tokens_per_s_per_user>=25,ttft_p99_s<=2"));
        var c = r.Choice!;
        Assert.Equal(0.8, c.Weight, Tol);
        Assert.Equal(36, c.Point.TokensPerSPerUser, Tol);
        Assert.Equal(680, c.Point.OutputTokensPerSPerGpu, Tol);
        Assert.Equal(2, c.Point.Value("ttft_p99_s")!.Value, Tol);
        Assert.Equal("ttft_p99_s", Assert.Single(c.Binding).Metric.Key);
    }

    [Fact]
    public void Never_extrapolates_beyond_the_most_interactive_point()
    {
        // B at 40 tok/s/user is the most interactive point; a floor of 50 lies beyond every measurement.
        // The closest point is B: 40 is (50 − 40) / 50 = 20 % below the floor.
        var r = Frontier.Select([P("A", 20, 1000, 1), P("B", 40, 600, 1)], S("tokens_per_s_per_user>=50"));
        Assert.Null(r.Choice);
        var miss = Assert.IsType<SlaMiss>(r.Miss);
        Assert.Equal("B", miss.Closest.Id);
        var m = Assert.Single(miss.Misses);
        Assert.Equal(0.2, m.RelativeMiss, Tol);
        Assert.Contains("the closest is B", miss.Text, StringComparison.Ordinal);
        Assert.Contains("tokens_per_s_per_user 40 tok/s/user, 20 % below the floor 50", miss.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Never_extrapolates_beyond_the_highest_throughput_point()
    {
        // Every point meets a floor of 5 tok/s/user: the choice is A, the highest throughput measured, not a point
        // continued past it; nothing binds.
        var r = Frontier.Select([P("A", 20, 1000, 1), P("B", 40, 600, 1)], S("tokens_per_s_per_user>=5"));
        var c = r.Choice!;
        Assert.False(c.Interpolated);
        Assert.Equal("A", c.Point.Id);
        Assert.Empty(c.Binding);
        Assert.Contains("no SLA constraint binds", c.BindingText, StringComparison.Ordinal);
    }

    [Fact]
    public void Floor_exactly_at_a_measured_point_chooses_it_and_names_the_binding_constraint()
    {
        // Floor 40 = B's interactivity: t = (40 − 20) / 20 = 1, so the choice is B itself, and the floor binds
        // (toward A the interactivity falls below 40 at once).
        var r = Frontier.Select([P("A", 20, 1000, 1), P("B", 40, 600, 1), P("G", 60, 200, 1)], S("tokens_per_s_per_user>=40"));
        var c = r.Choice!;
        Assert.False(c.Interpolated);
        Assert.Equal("B", c.Point.Id);
        Assert.Equal(1, c.MeasuredIndex);
        Assert.Equal("tokens_per_s_per_user", Assert.Single(c.Binding).Metric.Key);
    }

    [Fact]
    public void A_dominated_point_wins_when_every_point_that_dominates_it_breaks_the_ttft_limit()
    {
        // A (20, 1000) and B (40, 600) both have p99 TTFT 6 s > 5: segment A–B is infeasible. C (15, 700, 1 s) is
        // dominated by A but meets the SLA, so it is chosen, and the TTFT limit is what binds.
        var r = Frontier.Select([P("A", 20, 1000, 6), P("B", 40, 600, 6), P("C", 15, 700, 1)], S("tokens_per_s_per_user>=10,ttft_p99_s<=5"));
        var c = r.Choice!;
        Assert.Equal("C", c.Point.Id);
        Assert.Equal("ttft_p99_s", Assert.Single(c.Binding).Metric.Key);
        Assert.Equal([false, false, true], r.MeetsSla.ToArray());
    }

    [Fact]
    public void Interpolated_point_beats_a_dominated_measured_point_with_less_throughput()
    {
        // SLA x ≥ 5, p99 TTFT ≤ 5. A fails (6 s). On A → B, TTFT = 6 − 5t ≤ 5 ⇒ t ≥ 0.2: y = 1000 − 80 = 920,
        // more than C's 900, which meets the SLA on its own.
        var r = Frontier.Select([P("A", 20, 1000, 6), P("B", 40, 600, 1), P("C", 10, 900, 1)], S("tokens_per_s_per_user>=5,ttft_p99_s<=5"));
        var c = r.Choice!;
        Assert.True(c.Interpolated);
        Assert.Equal(920, c.Point.OutputTokensPerSPerGpu, Tol);
        Assert.Equal(24, c.Point.TokensPerSPerUser, Tol);
    }

    [Fact]
    public void A_latency_not_measured_at_one_end_makes_the_segment_unusable()
    {
        // A has no p99 TTFT: it cannot be shown to meet ttft_p99_s ≤ 5, nor can any point between A and B. B is chosen,
        // and the reason given is that the metric is not measured toward A.
        var r = Frontier.Select([P("A", 20, 1000), P("B", 40, 600, 1)], S("tokens_per_s_per_user>=25,ttft_p99_s<=5"));
        var c = r.Choice!;
        Assert.Equal("B", c.Point.Id);
        Assert.Contains("not measured", c.BindingText, StringComparison.Ordinal);
    }

    [Fact]
    public void No_point_meets_the_sla_names_the_closest_point_and_every_miss()
    {
        // SLA x ≥ 45, p99 TTFT ≤ 2. A misses x by 25/45 = 55.6 % (and TTFT by 200 %); B misses x by 5/45 = 11.1 % and
        // TTFT (2.5 s) by 25 %: its worst miss, 25 %, is the smallest, so B is the closest.
        var r = Frontier.Select([P("A", 20, 1000, 6), P("B", 40, 600, 2.5)], S("tokens_per_s_per_user>=45,ttft_p99_s<=2"));
        var miss = r.Miss!;
        Assert.Equal("B", miss.Closest.Id);
        Assert.Equal(2, miss.Misses.Length);
        Assert.Equal(5.0 / 45, miss.Misses[0].RelativeMiss, Tol);
        Assert.Equal(0.25, miss.Misses[1].RelativeMiss, Tol);
        Assert.Contains("ttft_p99_s 2.5 s, 25 % above the limit 2", miss.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_constraint_no_point_measures_is_named_in_the_miss()
    {
        var r = Frontier.Select([P("A", 20, 1000), P("B", 40, 600)], S("tokens_per_s_per_user>=10,tpot_p99_ms<=50"));
        Assert.Null(r.Choice);
        Assert.Contains("No point measures tpot_p99_ms", r.Miss!.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ttft_p99_s>=5", "latency ceiling")]
    [InlineData("tokens_per_s_per_user<=30", "is a floor")]
    [InlineData("latency<=3", "unknown metric 'latency'")]
    [InlineData("ttft_p50_s<=abc", "finite number")]
    [InlineData("ttft_p50_s<=1,ttft_p50_s<=2", "constrained twice")]
    [InlineData("tokens_per_s_per_user>=0", "floor of 0")]
    [InlineData("", "the SLA is empty")]
    [InlineData("ttft 2", "not a constraint")]
    public void Bad_sla_text_is_rejected_with_what_is_allowed(string text, string expected)
    {
        var (sla, errors) = Sla.TryParse(text);
        Assert.Null(sla);
        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
    }

    [Fact]
    public void Sla_parses_commas_semicolons_and_unicode_operators()
    {
        var sla = S("tokens_per_s_per_user ≥ 30; ttft_p50_s<=2 ,ttft_p99_s≤5");
        Assert.Equal("tokens_per_s_per_user>=30,ttft_p50_s<=2,ttft_p99_s<=5", sla.Text);
        Assert.Equal(30, sla.MinTokensPerSPerUser);
    }

    [Fact]
    public void Interpolate_refuses_weights_outside_0_1()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Frontier.Interpolate(P("A", 1, 2), P("B", 2, 1), 1.01));
        Assert.Throws<ArgumentOutOfRangeException>(() => Frontier.Interpolate(P("A", 1, 2), P("B", 2, 1), -0.01));
    }

    /// <summary>
    /// Random clouds of points and an interactivity floor: the choice meets the SLA, lies within the measured
    /// ranges (no extrapolation), beats every measured point that meets the SLA, and equals the frontier's
    /// piecewise-linear curve evaluated at the floor (or its highest-throughput point when the floor is below it).
    /// </summary>
    [Fact]
    public void Choice_under_an_interactivity_floor_is_the_frontier_curve_at_the_floor()
    {
        var gen = Gen.Select(Gen.Select(Gen.Double[1, 200], Gen.Double[1, 5000]).Array[1, 12], Gen.Double[0.5, 250]);
        gen.Sample((xy, floor) =>
        {
            var pts = xy.Select((p, i) => P($"p{i}", p.Item1, p.Item2)).ToList();
            var sla = new Sla([new SlaConstraint(SlaMetric.ByKey["tokens_per_s_per_user"], floor)]);
            var r = Frontier.Select(pts, sla);
            var fr = r.FrontierPoints;

            // Expected: the frontier curve y(x) at x = max(floor, x of its first point), if within its range.
            double x0 = Math.Max(floor, fr[0].TokensPerSPerUser);
            if (x0 > fr[^1].TokensPerSPerUser * (1 + 1e-12))
            {
                Assert.Null(r.Choice);
                Assert.NotNull(r.Miss);
                return;
            }

            double expected = fr[^1].OutputTokensPerSPerGpu;
            for (int k = 0; k + 1 < fr.Length; k++)
            {
                if (x0 >= fr[k].TokensPerSPerUser && x0 <= fr[k + 1].TokensPerSPerUser)
                {
                    double t = (x0 - fr[k].TokensPerSPerUser) / (fr[k + 1].TokensPerSPerUser - fr[k].TokensPerSPerUser);
                    expected = fr[k].OutputTokensPerSPerGpu + (t * (fr[k + 1].OutputTokensPerSPerGpu - fr[k].OutputTokensPerSPerGpu));
                    break;
                }
            }

            var c = r.Choice!;
            Assert.Equal(expected, c.Point.OutputTokensPerSPerGpu, 1e-6 * Math.Max(1, expected));
            Assert.True(c.Point.TokensPerSPerUser >= floor * (1 - 1e-9));
            Assert.InRange(c.Point.TokensPerSPerUser, pts.Min(p => p.TokensPerSPerUser) * (1 - 1e-12), pts.Max(p => p.TokensPerSPerUser) * (1 + 1e-12));
            Assert.InRange(c.Point.OutputTokensPerSPerGpu, pts.Min(p => p.OutputTokensPerSPerGpu) * (1 - 1e-12), pts.Max(p => p.OutputTokensPerSPerGpu) * (1 + 1e-12));
            Assert.All(pts.Where(p => p.TokensPerSPerUser >= floor), p => Assert.True(p.OutputTokensPerSPerGpu <= c.Point.OutputTokensPerSPerGpu * (1 + 1e-12)));
        });
    }

    [Fact]
    public void Frontier_points_are_undominated_and_every_other_point_is_dominated()
    {
        Gen.Select(Gen.Int[1, 20], Gen.Int[1, 20]).Array[1, 15].Sample(xy =>
        {
            var pts = xy.Select((p, i) => P($"p{i}", p.Item1, p.Item2)).ToList();
            var f = Frontier.ParetoIndices(pts).ToHashSet();
            for (int i = 0; i < pts.Count; i++)
            {
                bool dominated = pts.Where((q, j) => j != i).Any(q =>
                    q.TokensPerSPerUser >= pts[i].TokensPerSPerUser && q.OutputTokensPerSPerGpu >= pts[i].OutputTokensPerSPerGpu
                    && (q.TokensPerSPerUser > pts[i].TokensPerSPerUser || q.OutputTokensPerSPerGpu > pts[i].OutputTokensPerSPerGpu));
                bool duplicateEarlier = pts.Take(i).Any(q => q.TokensPerSPerUser == pts[i].TokensPerSPerUser && q.OutputTokensPerSPerGpu == pts[i].OutputTokensPerSPerGpu);
                Assert.Equal(!dominated && !duplicateEarlier, f.Contains(i));
            }
        });
    }
}
