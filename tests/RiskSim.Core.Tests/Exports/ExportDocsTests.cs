using System.Text.RegularExpressions;
using Parquet;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Core.Tests.MonteCarlo;
using RiskSim.Reporting;

namespace RiskSim.Core.Tests.Exports;

/// <summary>The README's "Exports" section says what the code does: sheet names, row-group and block sizes, metadata keys.</summary>
public sealed partial class ExportDocsTests
{
    private static string Section()
    {
        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int start = readme.IndexOf("## Exports: Excel and Parquet", StringComparison.Ordinal);
        Assert.True(start >= 0, "README.md has no Exports section");
        int end = readme.IndexOf("\n## ", start + 5, StringComparison.Ordinal);
        return readme[start..end];
    }

    [Fact]
    public void The_exports_section_lists_every_sheet_and_the_sizes_the_code_uses()
    {
        string text = Section();
        var sheets = SheetRowRegex().Matches(text).Select(m => m.Groups[1].Value).ToList();
        Assert.Equal(WorkbookExport.SheetNames, sheets);
        Assert.Contains($"row groups of {TrialsParquet.RowGroupTrials:N0} trials", text, StringComparison.Ordinal);
        Assert.Contains($"blocks of {BlockSampler.BlockSize:N0}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_exports_section_names_the_parquet_metadata_keys_the_file_has()
    {
        var spec = TestConfigs.Flagship();
        var result = MonteCarloEngine.Run(spec, new RunOptions(100, 1, SamplingMethod.LatinHypercube, 1));
        using var stream = new MemoryStream();
        await TrialsParquet.WriteAsync(result, stream);
        stream.Position = 0;
        await using var reader = await ParquetReader.CreateAsync(stream);
        string text = Section();
        foreach (string key in new[] { "seed", "config_sha256", "trials", "sampling", "risksim_version", "units", "null_reasons" })
        {
            Assert.True(reader.CustomMetadata.ContainsKey(key), $"the file has no '{key}' metadata");
            Assert.Contains($"`{key}`", text, StringComparison.Ordinal);
        }

        foreach (string code in new[] { "not_within_horizon", "no_capex" })
        {
            Assert.Contains($"`{code}`", text, StringComparison.Ordinal);
            Assert.Contains(code, MonteCarloEngine.NullReasonCode(spec, TrialKpis.Payback) + MonteCarloEngine.NullReasonCode(spec, TrialKpis.NetRoi) + MonteCarloEngine.NullReasonCode(ResolvingLoader.Load(Path.Combine(RepoPaths.Configs, "b200-gpt-oss-120b-rate.json")), TrialKpis.Payback), StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^\| ([A-Z][a-z]+) \| ", RegexOptions.Multiline)]
    private static partial Regex SheetRowRegex();
}
