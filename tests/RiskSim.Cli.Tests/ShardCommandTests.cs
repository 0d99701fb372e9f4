using System.Text.Json;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;

namespace RiskSim.Cli.Tests;

/// <summary>
/// <c>risksim run --shard</c> and <c>risksim merge</c> in process: the merged result's summary, CSVs, report text and chart
/// data equal a single-process run's; bad shard arguments and bad sets of partial results are refused with exit 2 and a
/// message that names the problem.
/// </summary>
public sealed class ShardCommandTests : IDisposable
{
    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-shard-tests-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args) => CliHarness.Run(args);

    private static Func<string, string?> Env(params (string Name, string Value)[] vars) => name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Theory]
    [InlineData("4/4", "shard index 4 is out of range for 4 shards: indices run from 0 to 3")]
    [InlineData("0/0", "the shard count must be from 1 to 100,000 (got 0)")]
    [InlineData("a/b", "expected I/N with whole numbers")]
    [InlineData("1", "expected I/N with whole numbers")]
    [InlineData("-1/4", "expected I/N with whole numbers")]
    [InlineData("1/4x", "expected I/N with whole numbers")]
    [InlineData("1.5/4", "expected I/N with whole numbers")]
    [InlineData("/4", "expected I/N with whole numbers")]
    [InlineData("99999999999/4", "shard index must be a whole number")]
    [InlineData("0/100001", "the shard count must be from 1 to 100,000 (got 100001)")]
    [InlineData("slurm", "SLURM_ARRAY_TASK_ID is not set")]
    [InlineData("kubernetes/4", "JOB_COMPLETION_INDEX is not set")]
    [InlineData("auto", "no scheduler's shard index is set")]
    [InlineData("3/16", "100,000 trials are 7 blocks of 16,384, and a shard takes whole blocks: use at most 7 shards")]
    public void Bad_shard_arguments_exit_2_with_what_is_allowed(string shard, string expected)
    {
        var (code, stdout, err) = Run("run", RepoPaths.Flagship, "--trials", "100000", "--shard", shard, "--out", _tmp, "--quiet");
        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal); // no stack trace
        Assert.Equal("", stdout);
        Assert.Empty(Directory.GetFileSystemEntries(_tmp));
    }

    [Theory]
    [InlineData("--keep-trials", "csv", "--keep-trials csv is not available with --shard")]
    [InlineData("--until-stable", "0.01", "--until-stable is not available with --shard")]
    [InlineData("--two-pass", null, "--two-pass is not available with --shard")]
    public void Options_that_need_the_whole_run_are_refused_with_a_shard(string option, string? value, string expected)
    {
        var args = new List<string> { "run", RepoPaths.Flagship, "--trials", "100000", "--shard", "0/2", "--out", _tmp, option };
        if (value is not null)
        {
            args.Add(value);
        }

        var (code, _, err) = Run([.. args]);
        Assert.Equal(2, code);
        Assert.Contains(expected, err, StringComparison.Ordinal);
        var two = Run("run", RepoPaths.Flagship, RepoPaths.Flagship, "--shard", "0/2", "--out", _tmp);
        Assert.Equal(2, two.Code);
        Assert.Contains("--shard runs one config at a time (got 2)", two.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Shard_index_comes_from_slurm_job_arrays_and_kubernetes_indexed_jobs()
    {
        // A Slurm array --array=1-4 (1-based): task 3 is the third shard, index 2, of 4.
        var slurm = Env(("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_MAX", "4"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_JOB_ID", "812"));
        Assert.Equal(new ShardSelection(2, 4, "slurm array job 812, task 3"), Cli.ParseShard("slurm", slurm));
        Assert.Equal(new ShardSelection(2, 4, "slurm array job 812, task 3"), Cli.ParseShard("auto", slurm));
        Assert.Equal(2, Cli.ParseShard("auto/4", slurm).Index);
        Assert.Contains("the job array has 4 tasks (SLURM_ARRAY_TASK_COUNT), not 8", Assert.Throws<UsageException>(() => Cli.ParseShard("auto/8", slurm)).Message, StringComparison.Ordinal);

        // --array=0-7:2 or --array=1,3,5: ids with gaps would leave shards out.
        var stepped = Env(("SLURM_ARRAY_TASK_ID", "2"), ("SLURM_ARRAY_TASK_MIN", "0"), ("SLURM_ARRAY_TASK_MAX", "6"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_STEP", "2"));
        Assert.Contains("not contiguous", Assert.Throws<UsageException>(() => Cli.ParseShard("slurm", stepped)).Message, StringComparison.Ordinal);
        var list = Env(("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_MIN", "1"), ("SLURM_ARRAY_TASK_MAX", "5"), ("SLURM_ARRAY_TASK_COUNT", "3"));
        Assert.Contains("not contiguous", Assert.Throws<UsageException>(() => Cli.ParseShard("slurm", list)).Message, StringComparison.Ordinal);

        // A Kubernetes Indexed Job: JOB_COMPLETION_INDEX of the completions given.
        var k8s = Env(("JOB_COMPLETION_INDEX", "3"));
        Assert.Equal(new ShardSelection(3, 16, "kubernetes indexed job, completion index 3"), Cli.ParseShard("kubernetes/16", k8s));
        Assert.Equal(3, Cli.ParseShard("k8s/16", k8s).Index);
        Assert.Equal(3, Cli.ParseShard("auto/16", k8s).Index);
        Assert.Contains("give it as auto/N", Assert.Throws<UsageException>(() => Cli.ParseShard("auto", k8s)).Message, StringComparison.Ordinal);
        Assert.Contains("shard index 16 is out of range for 16 shards", Assert.Throws<UsageException>(() => Cli.ParseShard("kubernetes/16", Env(("JOB_COMPLETION_INDEX", "16")))).Message, StringComparison.Ordinal);

        // Explicit (a GitHub Actions matrix passes its own index).
        Assert.Equal(new ShardSelection(0, 1, "explicit"), Cli.ParseShard("0/1", Env()));
        Assert.Equal(new ShardSelection(15, 16, "explicit"), Cli.ParseShard(" 15/16 ", Env()));
    }

    public static TheoryData<long, int> Sizes => new()
    {
        { 100_000, 3 }, // kept in memory by one process: every trial's KPIs in the partials
        { (21 * BlockSampler.BlockSize) + 4_321, 4 }, // one pass (threshold lowered below): windows, counts, sums
    };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Merged_reports_and_chart_data_equal_the_single_process_run(long trials, int shards)
    {
        var spec = Cli.LoadSpec(RepoPaths.Flagship);
        var options = new RunOptions(trials, spec.Simulation.Seed, spec.Simulation.Sampling, 2) { OnePassAbove = MonteCarloEngine.KeptTrials };
        var single = MonteCarloEngine.Run(spec, options);
        var parts = Enumerable.Range(0, shards).Select(i =>
        {
            using var ms = new MemoryStream();
            MonteCarloEngine.RunShard(spec, options with { Threads = 1 }, i, shards, new ShardWriter(Provenance.Version, RepoPaths.Flagship), ms);
            byte[] bytes = ms.ToArray();
            return ShardPartial.Read($"shard {i}", () => new MemoryStream(bytes, writable: false));
        }).ToList();
        var merged = MonteCarloEngine.MergeShards(ShardSet.Validate(parts, Provenance.Version), ShardSet.SpecOf(parts[0]), ShardSet.OptionsOf(parts[0].Header, 2));

        var gates = Gates.Evaluate(single);
        Assert.Equal(gates, Gates.Evaluate(merged));
        Assert.Equal(RunExport.PercentilesCsv(single), RunExport.PercentilesCsv(merged));
        Assert.Equal(Normalized(RunExport.SummaryJson(single, RepoPaths.Flagship, gates, TimeSpan.Zero)), Normalized(RunExport.SummaryJson(merged, RepoPaths.Flagship, gates, TimeSpan.Zero)));

        var a = ReportData.Compute(single, gates, RepoPaths.Flagship);
        var b = ReportData.Compute(merged, gates, RepoPaths.Flagship);
        var deterministic = new ReportOptions(Deterministic: true);
        Assert.Equal(CommitteeReport.Markdown(a, deterministic), CommitteeReport.Markdown(b, deterministic));
        Assert.Equal(SensitivityExport.TornadoCsv(a.Tornados), SensitivityExport.TornadoCsv(b.Tornados));
        Assert.Equal(SensitivityExport.SensitivityCsv(a.Global), SensitivityExport.SensitivityCsv(b.Global));
        var json = new JsonSerializerOptions { NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };
        string chartsA = JsonSerializer.Serialize(ChartBundles.From(a), json);
        Assert.Equal(chartsA, JsonSerializer.Serialize(ChartBundles.From(b), json));
        Assert.Contains("\"DistributionNpv\":{", chartsA, StringComparison.Ordinal); // the chart data is there to compare
    }

    [Fact]
    public void The_READMEs_billion_trial_figures_are_those_of_the_recorded_run()
    {
        // Recomputed from the raw /usr/bin/time lines in docs/benchmarks/sharded-run.md: the README's paragraph quotes them.
        string raw = File.ReadAllText(Path.Combine(RepoPaths.Root, "docs", "benchmarks", "sharded-run.md"));
        var shards = System.Text.RegularExpressions.Regex.Matches(raw, @"^shard (\d+): wall ([\d.]+) s, user ([\d.]+) s, sys ([\d.]+) s, max RSS (\d+) KB$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.Equal(16, shards.Count);
        static double D(System.Text.RegularExpressions.Group g) => double.Parse(g.Value, System.Globalization.CultureInfo.InvariantCulture);
        double cpu = shards.Sum(m => D(m.Groups[3]) + D(m.Groups[4]));
        double shardMiB = shards.Max(m => D(m.Groups[5])) / 1024;
        var all = System.Text.RegularExpressions.Regex.Match(raw, @"^all shards: wall ([\d.]+) s", System.Text.RegularExpressions.RegexOptions.Multiline);
        var bytes = System.Text.RegularExpressions.Regex.Match(raw, @"^partial results: (\d+) bytes$", System.Text.RegularExpressions.RegexOptions.Multiline);
        var merge = System.Text.RegularExpressions.Regex.Match(raw, @"^merge: wall ([\d.]+) s, user ([\d.]+) s, sys ([\d.]+) s, max RSS (\d+) KB$", System.Text.RegularExpressions.RegexOptions.Multiline);
        Assert.True(all.Success && bytes.Success && merge.Success, "docs/benchmarks/sharded-run.md lacks a line the README quotes");

        string readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "README.md"));
        int at = readme.IndexOf("**Measured once: 1,000,000,000 trials in 16 shards**", StringComparison.Ordinal);
        Assert.True(at >= 0, "README.md has no measured sharded run");
        string paragraph = readme[at..readme.IndexOf("\n\n", at, StringComparison.Ordinal)];
        string F(double x, string format) => x.ToString(format, System.Globalization.CultureInfo.InvariantCulture);
        foreach (string figure in new[]
        {
            $"all shards **{F(D(all.Groups[1]), "0.0")} s** wall",
            $"**{F(cpu, "0.0")} s** of CPU in all ({F(cpu * 1e9 / 1_000_000_000, "0")} ns a trial",
            $"at most **{F(shardMiB, "0")} MiB**",
            $"**{F(D(bytes.Groups[1]) / 1e9, "0.00")} GB** of partial results",
            $"the merge **{F(D(merge.Groups[1]), "0.0")} s** wall, **{F(D(merge.Groups[2]) + D(merge.Groups[3]), "0.0")} s** CPU, **{F(D(merge.Groups[4]) / 1024, "0")} MiB** peak",
        })
        {
            Assert.True(paragraph.Replace("\n", " ", StringComparison.Ordinal).Contains(figure, StringComparison.Ordinal), $"README.md should say \"{figure}\"");
        }
    }

    /// <summary>summary.json without what depends on the process that wrote it (timings, threads, machine, sharding).</summary>
    internal static string Normalized(string summaryJson)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(summaryJson)!.AsObject();
        foreach (string key in new[] { "elapsed_s", "whole_run_s", "simulation_s", "aggregation_s", "threads", "sharding" })
        {
            node.Remove(key);
        }

        node["provenance"]!.AsObject().Remove("machine");
        return node.ToJsonString();
    }

    private string WriteShards(long trials, int shards, string version = "", int? only = null)
    {
        var spec = Cli.LoadSpec(RepoPaths.Flagship);
        var options = new RunOptions(trials, spec.Simulation.Seed, spec.Simulation.Sampling, 1);
        string dir = Path.Combine(_tmp, "parts");
        Directory.CreateDirectory(dir);
        foreach (int i in Enumerable.Range(0, shards).Where(i => only is null || i == only))
        {
            using var f = File.Create(Path.Combine(dir, Cli.ShardFileName(i, shards)));
            MonteCarloEngine.RunShard(spec, options, i, shards, new ShardWriter(version.Length > 0 ? version : Provenance.Version, RepoPaths.Flagship), f);
        }

        return dir;
    }

    [Fact]
    public void Merge_refuses_a_missing_a_duplicated_an_unfinished_and_another_versions_shard()
    {
        string dir = WriteShards(3 * BlockSampler.BlockSize, 3);
        string outDir = Path.Combine(_tmp, "out");

        // All three: merged.
        var (ok, okOut, okErr) = Run("merge", dir, "--out", outDir, "--quiet");
        Assert.True(ok == 0, okErr);
        Assert.Contains("merged 3 shards", okOut, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(outDir, "gb200-nvl72-deepseek-r1", "summary.json")));

        // A copy of shard 1 under another name: duplicated.
        string copy = Path.Combine(dir, "copy-of-shard-1.rspart");
        File.Copy(Path.Combine(dir, Cli.ShardFileName(1, 3)), copy);
        var dup = Run("merge", dir, "--out", outDir);
        Assert.Equal(2, dup.Code);
        Assert.Contains("shard 1 of 3 appears 2 times", dup.Err, StringComparison.Ordinal);
        Assert.Contains("copy-of-shard-1.rspart", dup.Err, StringComparison.Ordinal);
        File.Delete(copy);

        // Shard 2 gone, and an unfinished write of it beside the others (a shard killed while writing).
        string two = Path.Combine(dir, Cli.ShardFileName(2, 3));
        byte[] whole = File.ReadAllBytes(two);
        File.Delete(two);
        File.WriteAllBytes(Path.Combine(dir, $".{Cli.ShardFileName(2, 3)}.tmp-1234-abc"), whole[..(whole.Length / 2)]);
        var missing = Run("merge", dir, "--out", outDir);
        Assert.Equal(2, missing.Code);
        Assert.Contains("shard 2 of 3 is missing", missing.Err, StringComparison.Ordinal);
        Assert.Contains("unfinished writes beside them", missing.Err, StringComparison.Ordinal);

        // The same bytes cut short under the final name (a copy that stopped): refused as unfinished, by name.
        File.WriteAllBytes(two, whole[..(whole.Length - 100)]);
        var cut = Run("merge", dir, "--out", outDir);
        Assert.Equal(2, cut.Code);
        Assert.Contains($"{two}: not a finished RiskSim partial result", cut.Err, StringComparison.Ordinal);

        // Shard 2 from another RiskSim version.
        File.Delete(two);
        WriteShards(3 * BlockSampler.BlockSize, 3, version: "0.0.1-other", only: 2);
        var version = Run("merge", dir, "--out", outDir);
        Assert.Equal(2, version.Code);
        Assert.Contains("(shard 2 of 3) was written by RiskSim 0.0.1-other; this is RiskSim " + Provenance.Version, version.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", version.Err, StringComparison.Ordinal);

        Assert.Equal(2, Run("merge", Path.Combine(_tmp, "nowhere")).Code);
        Directory.CreateDirectory(Path.Combine(_tmp, "empty"));
        Assert.Contains("no partial results (*.rspart)", Run("merge", Path.Combine(_tmp, "empty")).Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Merge_refuses_shards_of_another_seed_config_or_trial_count_naming_them()
    {
        string dir = Path.Combine(_tmp, "mixed");
        Directory.CreateDirectory(dir);
        var spec = Cli.LoadSpec(RepoPaths.Flagship);
        var options = new RunOptions(2 * BlockSampler.BlockSize, spec.Simulation.Seed, spec.Simulation.Sampling, 1);
        void Write(string name, SimulationSpec s, RunOptions o, int shard)
        {
            using var f = File.Create(Path.Combine(dir, name));
            MonteCarloEngine.RunShard(s, o, shard, 2, new ShardWriter(Provenance.Version, RepoPaths.Flagship), f);
        }

        Write("a.rspart", spec, options, 0);
        Write("b.rspart", spec, options with { Seed = 7 }, 1);
        var seed = Run("merge", dir);
        Assert.Equal(2, seed.Code);
        Assert.Contains("b.rspart (shard 1 of 2) has seed 7, but", seed.Err, StringComparison.Ordinal);

        Write("b.rspart", Cli.LoadSpec(RepoPaths.Flagship, ["drivers.utilization=0.5"]), options, 1);
        Assert.Contains("b.rspart (shard 1 of 2) has config sha256", Run("merge", dir).Err, StringComparison.Ordinal);

        Write("b.rspart", spec, options with { Trials = options.Trials + 5 }, 1);
        Assert.Contains("b.rspart (shard 1 of 2) has trials 32773", Run("merge", dir).Err, StringComparison.Ordinal);
    }
}
