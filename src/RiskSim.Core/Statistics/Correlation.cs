using MathNet.Numerics.LinearAlgebra;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;

namespace RiskSim.Core.Statistics;

/// <summary>Correlation-matrix helpers: assembly from pairs, PSD check, nearest-PSD repair (Higham 2002).</summary>
internal static class Correlation
{
    /// <summary>Builds the symmetric, unit-diagonal matrix over <paramref name="names"/> from pairs (missing pairs are 0).</summary>
    public static double[,] BuildMatrix(IReadOnlyList<string> names, IEnumerable<CorrelationSpec> pairs)
    {
        int n = names.Count;
        var m = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            m[i, i] = 1;
        }

        foreach (var c in pairs)
        {
            int a = IndexOf(names, c.A);
            int b = IndexOf(names, c.B);
            if (a >= 0 && b >= 0)
            {
                m[a, b] = c.RankCorrelation;
                m[b, a] = c.RankCorrelation;
            }
        }

        return m;
    }

    /// <summary>Smallest eigenvalue of a symmetric matrix (through MathNet's linear-algebra provider).</summary>
    public static double MinEigenvalue(double[,] m)
    {
        var mat = Matrix<double>.Build.DenseOfArray(m);
        var evd = mat.Evd(Symmetricity.Symmetric);
        return evd.EigenValues.Select(e => e.Real).Min();
    }

    /// <summary>
    /// The nearest correlation matrix in the Frobenius norm by Higham's alternating projections with
    /// Dykstra's correction; returns it with the Frobenius distance moved.
    /// </summary>
    public static (double[,] Matrix, double Distance) NearestCorrelation(double[,] a, int maxIterations = 1000, double tolerance = 1e-12)
    {
        int n = a.GetLength(0);
        var y = Matrix<double>.Build.DenseOfArray(a);
        var original = y.Clone();
        var ds = Matrix<double>.Build.Dense(n, n);
        Matrix<double> x = y;
        for (int it = 0; it < maxIterations; it++)
        {
            var r = y - ds;
            var evd = r.Evd(Symmetricity.Symmetric);
            var vals = evd.EigenValues.Select(e => Math.Max(e.Real, 0)).ToArray();
            x = evd.EigenVectors * Matrix<double>.Build.DenseOfDiagonalArray(vals) * evd.EigenVectors.Transpose();
            ds = x - r;
            var yNew = x.Clone();
            for (int i = 0; i < n; i++)
            {
                yNew[i, i] = 1;
            }

            double change = (yNew - y).FrobeniusNorm();
            y = yNew;
            if (change < tolerance)
            {
                break;
            }
        }

        // Symmetrize, and shrink slightly toward identity so Cholesky succeeds.
        var result = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                result[i, j] = i == j ? 1 : 0.5 * (y[i, j] + y[j, i]) * (1 - 1e-9);
            }
        }

        return (result, (Matrix<double>.Build.DenseOfArray(result) - original).FrobeniusNorm());
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (int i = 0; i < names.Count; i++)
        {
            if (names[i] == name)
            {
                return i;
            }
        }

        return -1;
    }
}
