using System.Numerics;
using System.Runtime.Intrinsics;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Model;

/// <summary>
/// RiskSim's exp and log: each vector lane has the bits of the scalar version (so no result depends on the vector
/// width: the other widths are checked in their own processes by WidthMatrixTests), special values behave as IEEE says,
/// and the values agree with the C runtime's to about an ulp.
/// </summary>
public sealed class DetMathTests
{
    /// <summary>Arguments over many binades and both signs, plus the edges, from a fixed seed.</summary>
    private static double[] ExpArguments()
    {
        var rng = new Random(18);
        var list = new List<double> { 0, -0.0, 1, -1, 1e-300, -1e-300, 5e-324, 0.5 * Math.Log(2), -0.5 * Math.Log(2), 709.78, 709.79, 710, 800, -708.39, -745.1, -745.2, -746, -1000, double.MaxValue, double.MinValue };
        for (int i = 0; i < 200_000; i++)
        {
            list.Add(i % 4 == 0 ? (rng.NextDouble() * 1500) - 750 : ((rng.NextDouble() * 2) - 1) * Math.Pow(10, rng.Next(-12, 3)));
        }

        return [.. list];
    }

    private static double[] LogArguments()
    {
        var rng = new Random(19);
        var list = new List<double> { 1, 2, 0.5, Math.E, 1e-310, 5e-324, 2.2250738585072014e-308, 2.225073858507201e-308, double.MaxValue, 1 + 1e-15, 1 - 1e-16, Math.Sqrt(2), Math.Sqrt(0.5) };
        for (int i = 0; i < 200_000; i++)
        {
            list.Add(i % 3 == 0 ? 1 + (((rng.NextDouble() * 2) - 1) * Math.Pow(10, rng.Next(-16, 0))) : rng.NextDouble() * Math.Pow(2, rng.Next(-1074, 1024)));
        }

        return [.. list];
    }

    private static long Ulps(double a, double b) => Math.Abs(BitConverter.DoubleToInt64Bits(a) - BitConverter.DoubleToInt64Bits(b));

    private static void AssertLanesMatchScalar(double[] args, Func<Vector<double>, Vector<double>> vector, Func<double, double> scalar, string name)
    {
        int w = Vector<double>.Count;
        var lane = new double[w];
        for (int i = 0; i < args.Length; i += w)
        {
            for (int l = 0; l < w; l++)
            {
                lane[l] = args[Math.Min(i + l, args.Length - 1)];
            }

            var result = vector(new Vector<double>(lane));
            for (int l = 0; l < w; l++)
            {
                double expected = scalar(lane[l]);
                if (BitConverter.DoubleToInt64Bits(result[l]) != BitConverter.DoubleToInt64Bits(expected))
                {
                    Assert.Fail($"{name}({lane[l]:R}): lane {result[l]:R}, scalar {expected:R}");
                }
            }
        }
    }

    [Fact]
    public void Exp_lanes_have_the_bits_of_the_scalar_exp() =>
        AssertLanesMatchScalar(ExpArguments(), DetMath.Exp, DetMath.Exp, "exp");

    [Fact]
    public void Log_lanes_have_the_bits_of_the_scalar_log() =>
        AssertLanesMatchScalar([.. LogArguments(), 0, -0.0, -1, -1e-300, double.PositiveInfinity, double.NegativeInfinity, double.NaN], DetMath.Log, DetMath.Log, "log");

    /// <summary>The 512-bit twins (the kernel's monthly ratios computed ahead) against the scalar functions, lane by lane.</summary>
    private static void AssertWideLanesMatchScalar(double[] args, Func<Vector512<double>, Vector512<double>> vector, Func<double, double> scalar, string name)
    {
        var lane = new double[8];
        for (int i = 0; i < args.Length; i += 8)
        {
            for (int l = 0; l < 8; l++)
            {
                lane[l] = args[Math.Min(i + l, args.Length - 1)];
            }

            var result = vector(Vector512.Create(lane));
            for (int l = 0; l < 8; l++)
            {
                double expected = scalar(lane[l]);
                if (BitConverter.DoubleToInt64Bits(result[l]) != BitConverter.DoubleToInt64Bits(expected))
                {
                    Assert.Fail($"{name}({lane[l]:R}): 512-bit lane {result[l]:R}, scalar {expected:R}");
                }
            }
        }
    }

    [Fact]
    public void Wide_exp_lanes_have_the_bits_of_the_scalar_exp() =>
        AssertWideLanesMatchScalar(ExpArguments(), DetMath.Exp, DetMath.Exp, "exp");

    [Fact]
    public void Wide_log_lanes_have_the_bits_of_the_scalar_log() =>
        AssertWideLanesMatchScalar([.. LogArguments(), 0, -0.0, -1, -1e-300, double.PositiveInfinity, double.NegativeInfinity, double.NaN], DetMath.Log, DetMath.Log, "log");

    [Fact]
    public void Exp_is_within_an_ulp_of_the_C_runtime()
    {
        // The C runtime's exp is within about half an ulp of e^x, so a difference of one ulp allows for ours being off by
        // less than one; results that underflow to subnormals are compared in absolute terms (their ulp is coarser).
        foreach (double x in ExpArguments())
        {
            double ours = DetMath.Exp(x), crt = Math.Exp(x);
            Assert.True(Ulps(ours, crt) <= 1, $"exp({x:R}) = {ours:R}, C runtime {crt:R}");
        }
    }

    [Fact]
    public void Log_is_within_an_ulp_of_the_C_runtime()
    {
        foreach (double x in LogArguments())
        {
            double ours = DetMath.Log(x), crt = Math.Log(x);
            Assert.True(Ulps(ours, crt) <= 1, $"log({x:R}) = {ours:R}, C runtime {crt:R}");
        }
    }

    [Fact]
    public void Special_values_follow_IEEE()
    {
        Assert.Equal(1.0, DetMath.Exp(0));
        Assert.Equal(1.0, DetMath.Exp(-0.0));
        Assert.Equal(double.PositiveInfinity, DetMath.Exp(710));
        Assert.Equal(double.PositiveInfinity, DetMath.Exp(double.PositiveInfinity));
        Assert.Equal(0.0, DetMath.Exp(-746));
        Assert.Equal(0.0, DetMath.Exp(double.NegativeInfinity));
        Assert.True(double.IsNaN(DetMath.Exp(double.NaN)));
        Assert.Equal(0.0, DetMath.Log(1));
        Assert.Equal(double.NegativeInfinity, DetMath.Log(0));
        Assert.Equal(double.NegativeInfinity, DetMath.Log(-0.0));
        Assert.Equal(double.PositiveInfinity, DetMath.Log(double.PositiveInfinity));
        Assert.True(double.IsNaN(DetMath.Log(-1)));
        Assert.True(double.IsNaN(DetMath.Log(double.NegativeInfinity)));
        Assert.True(double.IsNaN(DetMath.Log(double.NaN)));

        // Correctly rounded values known independently: ln 2 = 0.693147180559945309417…, e = 2.718281828459045235360…
        Assert.Equal(0.6931471805599453, DetMath.Log(2));
        Assert.Equal(-744.4400719213812, DetMath.Log(5e-324)); // ln(2⁻¹⁰⁷⁴) = −1074·ln 2
        Assert.True(Ulps(Math.E, DetMath.Exp(1)) <= 1);
    }

    [Fact]
    public void SinSmall_is_within_an_ulp_of_the_C_runtime_on_its_range()
    {
        var rng = new Random(20);
        for (int i = 0; i < 100_000; i++)
        {
            double x = i % 2 == 0 ? (rng.NextDouble() * 2) - 1 : Math.PI * ((rng.NextDouble() * 2) - 1) / 6;
            Assert.True(Ulps(DetMath.SinSmall(x), Math.Sin(x)) <= 1, $"sin({x:R}): {DetMath.SinSmall(x):R}, C runtime {Math.Sin(x):R}");
        }

        Assert.Equal(0.0, DetMath.SinSmall(0));
        Assert.Equal(0.5, DetMath.SinSmall(Math.PI / 6), 15); // sin 30° = ½
        Assert.Throws<ArgumentOutOfRangeException>(() => DetMath.SinSmall(1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => DetMath.SinSmall(double.NaN));
    }
}
