using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using RiskSim.Core.Distributions;
using RiskSim.Core.Model;
using RiskSim.Core.Spec;
using static RiskSim.Core.Configuration.ConfigJson;

namespace RiskSim.Core.Configuration;

/// <summary>
/// Reads a distribution object (<c>{"dist": "pert", "min": …}</c>) into a <see cref="Distribution"/>: its parameters,
/// their relations (min ≤ mode ≤ max …), its support within the field's range, and quantiles that are numbers at every
/// probability the sampler reads. Every problem is an error with the JSON path of the parameter.
/// </summary>
internal sealed class DistributionReader(ConfigReadContext c)
{
    public static readonly ImmutableArray<string> DistKinds = ["pert", "triangular", "uniform", "normal", "lognormal", "beta", "discrete", "fixed"];

    private const double MinBetaShape = 0.01;
    private const double MaxBetaShape = 10_000;

    private static readonly double[] ProbeLevels = [0, 1e-12, 1e-6, 0.01, 0.25, 0.5, 0.75, 0.99, 1 - 1e-6, 1 - 1e-12, 1];

    public Distribution? Read(FieldDef f, JsonObject o)
    {
        string p = f.Path;
        string? kind = Str(o["dist"]);
        if (kind is null || !DistKinds.Contains(kind))
        {
            Err($"{p}.dist", kind is null ? "a distribution needs \"dist\"" : "unknown distribution", Show(o["dist"]), string.Join(", ", DistKinds));
            return null;
        }

        string[] allowedKeys = kind switch
        {
            "pert" => ["dist", "min", "mode", "max", "lambda"],
            "triangular" => ["dist", "min", "mode", "max"],
            "uniform" => ["dist", "min", "max"],
            "normal" => ["dist", "mean", "sd", "min", "max"],
            "lognormal" => ["dist", "median", "sigma", "min", "max"],
            "beta" => ["dist", "alpha", "beta", "min", "max"],
            "discrete" => ["dist", "values", "probabilities"],
            _ => ["dist", "value"],
        };
        int before = c.Errors.Count;
        foreach (var (k, v) in o)
        {
            if (!allowedKeys.Contains(k))
            {
                Err($"{p}.{k}", $"unknown parameter for {kind}", Show(v), string.Join(", ", allowedKeys));
            }
        }

        double? Req(string key)
        {
            double? v = Num(o[key]);
            if (v is null || !double.IsFinite(v.Value))
            {
                Err($"{p}.{key}", o[key] is null ? $"{kind} needs {key}" : "expected a number", Show(o[key]), "a finite number");
                return null;
            }

            return v;
        }

        double? Opt(string key, double def)
        {
            if (o[key] is null)
            {
                return def;
            }

            return Req(key);
        }

        Distribution? d = null;
        switch (kind)
        {
            case "fixed":
                if (Req("value") is { } val)
                {
                    d = new FixedDistribution(val);
                }

                break;
            case "uniform":
                double? uLo = Req("min"), uHi = Req("max");
                if (uLo is { } umin && uHi is { } umax)
                {
                    if (!(umin < umax))
                    {
                        Err($"{p}.max", "uniform needs min < max", $"min {G(umin)}, max {G(umax)}", "min < max");
                    }
                    else
                    {
                        d = new UniformDistribution(umin, umax);
                    }
                }

                break;
            case "pert" or "triangular":
                {
                    double? lo = Req("min"), mo = Req("mode"), hi = Req("max");
                    double lambda = kind == "pert" ? Opt("lambda", 4) ?? 4 : 4;
                    if (lo is { } a && mo is { } m && hi is { } b)
                    {
                        if (!(a <= m && m <= b && a < b))
                        {
                            Err($"{p}", $"{kind} needs min ≤ mode ≤ max and min < max", $"min {G(a)}, mode {G(m)}, max {G(b)}", "min ≤ mode ≤ max, min < max");
                        }
                        else if (!(lambda > 0 && lambda <= MaxBetaShape))
                        {
                            Err($"{p}.lambda", "lambda must be in (0, 10000] (its beta shapes are 1 + λ·(mode − min)/(max − min) and the like)", G(lambda), "0 < λ ≤ 10000 (4 is the classic PERT)");
                        }
                        else
                        {
                            d = kind == "pert" ? new PertDistribution(a, m, b, lambda) : new TriangularDistribution(a, m, b);
                        }
                    }

                    break;
                }

            case "normal":
                {
                    double? mean = Req("mean"), sd = Req("sd");
                    double? lo = Opt("min", double.NegativeInfinity), hi = Opt("max", double.PositiveInfinity);
                    if (mean is { } mu && sd is { } s && lo is { } a && hi is { } b)
                    {
                        if (!(s > 0))
                        {
                            Err($"{p}.sd", "sd must be positive", G(s), "σ > 0");
                        }
                        else if (!(a < b))
                        {
                            Err($"{p}.max", "truncation needs min < max", $"min {G(a)}, max {G(b)}", "min < max");
                        }
                        else
                        {
                            var nd = new NormalDistribution(mu, s, a, b);
                            if (nd.KeptMass < 1e-6)
                            {
                                Err(p, "the truncation keeps almost no probability mass", $"{G(nd.KeptMass)}", "[min, max] around the mean");
                            }
                            else
                            {
                                d = nd;
                            }
                        }
                    }

                    break;
                }

            case "lognormal":
                {
                    double? med = Req("median"), sg = Req("sigma");
                    double? lo = Opt("min", 0), hi = Opt("max", double.PositiveInfinity);
                    if (med is { } m && sg is { } s && lo is { } a && hi is { } b)
                    {
                        if (!(m > 0))
                        {
                            Err($"{p}.median", "median must be positive", G(m), "median > 0");
                        }
                        else if (!(s > 0))
                        {
                            Err($"{p}.sigma", "sigma (sd of ln X) must be positive", G(s), "σ > 0");
                        }
                        else if (!(a >= 0 && a < b))
                        {
                            Err($"{p}.max", "truncation needs 0 ≤ min < max", $"min {G(a)}, max {G(b)}", "0 ≤ min < max");
                        }
                        else
                        {
                            var ld = new LognormalDistribution(m, s, a, b);
                            if (ld.KeptMass < 1e-6)
                            {
                                Err(p, "the truncation keeps almost no probability mass", G(ld.KeptMass), "[min, max] around the median");
                            }
                            else
                            {
                                d = ld;
                            }
                        }
                    }

                    break;
                }

            case "beta":
                {
                    double? al = Req("alpha"), be = Req("beta");
                    double? lo = Opt("min", 0), hi = Opt("max", 1);
                    if (al is { } a1 && be is { } b1 && lo is { } a && hi is { } b)
                    {
                        if (!(a1 >= MinBetaShape && a1 <= MaxBetaShape && b1 >= MinBetaShape && b1 <= MaxBetaShape))
                        {
                            Err(p, "alpha and beta must be in [0.01, 10000] (outside it the quantiles are not computable in double precision)", $"alpha {G(a1)}, beta {G(b1)}", "0.01 ≤ α ≤ 10000, 0.01 ≤ β ≤ 10000");
                        }
                        else if (!(a < b))
                        {
                            Err($"{p}.max", "beta needs min < max", $"min {G(a)}, max {G(b)}", "min < max");
                        }
                        else
                        {
                            d = new BetaDistribution(a1, b1, a, b);
                        }
                    }

                    break;
                }

            case "discrete":
                d = ReadDiscrete(p, o);
                break;
        }

        if (d is null || c.Errors.Count > before)
        {
            return null;
        }

        double lower = d.Lower, upper = d.Upper;
        bool lowOk = f.MinExclusive ? lower > f.Min : lower >= f.Min;
        if (!lowOk || upper > f.Max)
        {
            string hint = double.IsInfinity(lower) || double.IsInfinity(upper) ? $"; this {kind} is unbounded: give min and max to truncate it" : "";
            Err(p, $"the distribution's range [{G(lower)}, {G(upper)}] goes outside what the field allows{hint}", d.Describe(), f.AllowedText);
            return null;
        }

        // The sampler reads every quantile from 0 to 1: one that is not a number within the support would reach the
        // model as NaN (a beta with extreme shapes, a truncation that keeps a sliver of a wide distribution …).
        foreach (double u in ProbeLevels)
        {
            double q;
            try
            {
                q = d.Quantile(u);
            }
            catch (Exception ex) when (ex is ArithmeticException or ArgumentException)
            {
                q = double.NaN;
            }

            double slack = 1e-9 * Math.Max(Math.Abs(d.Lower), Math.Abs(d.Upper)); // Min + (Max − Min)·1 may round past Max
            if (!(double.IsFinite(q) && q >= d.Lower - slack && q <= d.Upper + slack))
            {
                Err(p, $"this {kind}'s quantiles cannot be computed with these parameters (at probability {G(u)} it gives {G(q)})", d.Describe(), "less extreme parameters");
                return null;
            }
        }

        return d;
    }

    private DiscreteDistribution? ReadDiscrete(string p, JsonObject o)
    {
        if (o["values"] is not JsonArray va || va.Count == 0)
        {
            Err($"{p}.values", "discrete needs a non-empty array of values", Show(o["values"]), "[v1, v2, …]");
            return null;
        }

        var values = new List<double>();
        for (int i = 0; i < va.Count; i++)
        {
            if (Num(va[i]) is { } v && double.IsFinite(v))
            {
                values.Add(v);
            }
            else
            {
                Err($"{p}.values[{i}]", "expected a number", Show(va[i]), "a finite number");
            }
        }

        List<double> probs;
        if (o["probabilities"] is null)
        {
            probs = [.. Enumerable.Repeat(1.0 / va.Count, va.Count)];
        }
        else if (o["probabilities"] is not JsonArray pa || pa.Count != va.Count)
        {
            Err($"{p}.probabilities", "must be an array with one probability per value", Show(o["probabilities"]), $"{va.Count} numbers in [0, 1] summing to 1 (or omit for equal weights: an empirical sample)");
            return null;
        }
        else
        {
            probs = [];
            for (int i = 0; i < pa.Count; i++)
            {
                if (Num(pa[i]) is { } q && q >= 0 && q <= 1)
                {
                    probs.Add(q);
                }
                else
                {
                    Err($"{p}.probabilities[{i}]", "must be a number in [0, 1]", Show(pa[i]), "a number in [0, 1]");
                }
            }

            if (probs.Count == pa.Count && Math.Abs(probs.Sum() - 1) > 1e-9)
            {
                Err($"{p}.probabilities", "probabilities must sum to 1", G(probs.Sum()), "a sum of 1 (±1e-9)");
                return null;
            }
        }

        return values.Count == va.Count && probs.Count == va.Count ? new DiscreteDistribution(values, probs) : null;
    }

    private void Err(string path, string message, string value, string allowed) => c.Err(path, message, value, allowed);
}
