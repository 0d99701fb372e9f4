using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.MonteCarlo;

/// <summary>Config loading and block helpers shared by the Monte Carlo tests.</summary>
internal static class TestConfigs
{
    public const string FlagshipFile = "gb200-nvl72-deepseek-r1.json";

    private static readonly Lazy<string> FlagshipText = new(() => File.ReadAllText(FlagshipPath));

    /// <summary>Absolute path of configs/gb200-nvl72-deepseek-r1.json, found by walking up from the test binaries.</summary>
    public static string FlagshipPath
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null)
            {
                string candidate = Path.Combine(dir.FullName, "configs", FlagshipFile);
                if (File.Exists(candidate))
                {
                    return candidate;
                }

                dir = dir.Parent;
            }

            throw new FileNotFoundException("configs/" + FlagshipFile + " not found above " + AppContext.BaseDirectory);
        }
    }

    /// <summary>The flagship spec with optional "path=value" overrides (as the CLI's --set).</summary>
    public static SimulationSpec Flagship(params string[] overrides) =>
        ConfigLoader.Load(FlagshipText.Value, FlagshipPath, overrides);

    /// <summary>A spec from JSON text.</summary>
    public static SimulationSpec FromJson(string json, params string[] overrides) => ConfigLoader.Load(json, "test.json", overrides);

    /// <summary>Sampled columns of one block, laid out as <see cref="MonteCarloEngine"/> does (tail padded to the vector width).</summary>
    public sealed class Block
    {
        public Block(SimulationSpec spec, ulong seed, SamplingMethod sampling)
        {
            Spec = spec;
            Sampler = new BlockSampler(spec, seed, sampling);
            Workspace = Sampler.CreateWorkspace();
            Sampled = [.. Sampler.Inputs.Select(_ => new double[BlockSampler.BlockSize])];
            Constants = spec.BaseValues();
            Columns = new double[]?[ParamCount.Value];
            for (int j = 0; j < Sampler.Inputs.Count; j++)
            {
                Columns[(int)Sampler.Inputs[j].Param] = Sampled[j];
            }
        }

        public SimulationSpec Spec { get; }
        public BlockSampler Sampler { get; }
        public SamplerWorkspace Workspace { get; }
        public double[][] Sampled { get; }
        public double[]?[] Columns { get; }
        public double[] Constants { get; }

        public void Sample(long block, int n)
        {
            Sampler.Sample(block, n, Workspace, Sampled);
            int w = SimdKernel.Width;
            int padded = (n + w - 1) / w * w;
            if (n > 0 && padded > n)
            {
                foreach (var col in Sampled)
                {
                    col.AsSpan(n, padded - n).Fill(col[n - 1]);
                }
            }
        }

        /// <summary>The full parameter vector of trial i (sampled columns over the base values), as <see cref="ReferenceModel"/> reads it.</summary>
        public double[] ParamsOf(int i)
        {
            var p = (double[])Constants.Clone();
            for (int j = 0; j < Sampler.Inputs.Count; j++)
            {
                p[(int)Sampler.Inputs[j].Param] = Sampled[j][i];
            }

            return p;
        }

        /// <summary>The sampled column of the input with this config path.</summary>
        public double[] ColumnOf(string path)
        {
            for (int j = 0; j < Sampler.Inputs.Count; j++)
            {
                if (Sampler.Inputs[j].Path == path)
                {
                    return Sampled[j];
                }
            }

            throw new ArgumentException("not an uncertain input: " + path, nameof(path));
        }

        public int IndexOf(string path)
        {
            for (int j = 0; j < Sampler.Inputs.Count; j++)
            {
                if (Sampler.Inputs[j].Path == path)
                {
                    return j;
                }
            }

            return -1;
        }
    }
}
