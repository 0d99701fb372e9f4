using System.Text.Json;
using Json.Schema;
using RiskSim.Core.Configuration;
using RiskSim.Reporting;

namespace RiskSim.Cli.Tests;

/// <summary>
/// The JSON Schema that <c>risksim schema</c> publishes, checked with an independent validator (JsonSchema.Net) against
/// what the loader accepts: every bundled config, every config fixture of the tests, and the cases where the two
/// disagreed (issue 16: schema_version "1", a numeric gate label).
/// </summary>
public sealed class SchemaAgreementTests
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(ConfigDocs.JsonSchema()));

    /// <summary>True when the emitted schema accepts the JSON text; otherwise <paramref name="why"/> lists the failures.</summary>
    internal static bool SchemaAccepts(string json, out string why)
    {
        using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        var result = Schema.Value.Evaluate(doc.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        why = result.IsValid ? "" : string.Join("; ", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 }).SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}")).Take(10));
        return result.IsValid;
    }

    /// <summary>True when the loader accepts the text as the CLI loads it: benchmark files first (paths relative to
    /// <paramref name="path"/>), then the config.</summary>
    private static bool LoaderAccepts(string json, string? path = null)
    {
        try
        {
            ResolvingLoader.Load(json, path ?? Path.Combine(RepoPaths.Configs, "inline.json"), null);
            return true;
        }
        catch (ConfigException)
        {
            return false;
        }
    }

    public static TheoryData<string> ConfigFiles()
    {
        var files = Directory.GetFiles(RepoPaths.Configs, "*.json")
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests", "fixtures"), "*.json"))
            .Concat(Directory.GetFiles(Path.Combine(RepoPaths.Root, "tests", "RiskSim.Cli.Tests", "Golden"), "*.json"));
        var data = new TheoryData<string>();
        foreach (string f in files.Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetRelativePath(RepoPaths.Root, f));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigFiles))]
    public void The_schema_and_the_loader_agree_on_every_bundled_config_and_fixture(string relativePath)
    {
        string path = Path.Combine(RepoPaths.Root, relativePath);
        string json = File.ReadAllText(path);
        bool loader = LoaderAccepts(json, path);
        bool schema = SchemaAccepts(json, out string why);
        Assert.True(loader == schema, $"{relativePath}: the loader {(loader ? "accepts" : "rejects")} it, the schema {(schema ? "accepts" : "rejects")} it. {why}");
    }

    [Fact]
    public void Every_bundled_config_is_valid_for_both()
    {
        foreach (string f in Directory.GetFiles(RepoPaths.Configs, "*.json"))
        {
            string json = File.ReadAllText(f);
            Assert.True(LoaderAccepts(json, f), f);
            Assert.True(SchemaAccepts(json, out string why), $"{f}: {why}");
        }
    }

    [Theory]
    [InlineData("\"schema_version\": 1", true)]
    [InlineData("\"schema_version\": 1.0", true)]
    [InlineData("\"schema_version\": \"1\"", false)]
    [InlineData("\"schema_version\": 2", false)]
    public void Schema_version_is_the_number_1_for_both(string replacement, bool accepted)
    {
        string json = File.ReadAllText(RepoPaths.Flagship).Replace("\"schema_version\": 1", replacement, StringComparison.Ordinal);
        Assert.Equal(accepted, LoaderAccepts(json));
        Assert.Equal(accepted, SchemaAccepts(json, out _));
    }

    [Theory]
    [InlineData("\"label\": 12345", false)]
    [InlineData("\"label\": null", false)]
    [InlineData("\"label\": \"text\"", true)]
    [InlineData("\"label\": \"text\", \"extra\": 1", false)]
    [InlineData("\"label\": \"text\", \"metric\": \"npv_usd.p10\"", false)] // a duplicate key: the loader refuses, the schema sees one
    public void Gate_labels_and_fields_agree(string replacement, bool accepted)
    {
        string json = File.ReadAllText(RepoPaths.Flagship);
        int at = json.IndexOf("\"label\": \"Even the pessimistic case (P10) does not destroy value\"", StringComparison.Ordinal);
        Assert.True(at > 0);
        json = json[..at] + replacement + json[(at + "\"label\": \"Even the pessimistic case (P10) does not destroy value\"".Length)..];
        Assert.Equal(accepted, LoaderAccepts(json));
        if (!replacement.Contains("metric", StringComparison.Ordinal))
        {
            Assert.Equal(accepted, SchemaAccepts(json, out _));
        }
    }

    [Theory]
    [InlineData("payback_months.prob_within_24", true)]
    [InlineData("payback_months.prob_within_600", true)]
    [InlineData("payback_months.prob_within_601", false)]
    [InlineData("payback_months.prob_within_024", false)]
    [InlineData("npv_usd.p11", false)]
    [InlineData("npv_usd.es10", true)]
    public void Gate_metrics_agree(string metric, bool accepted)
    {
        string json = File.ReadAllText(RepoPaths.Flagship).Replace("\"metric\": \"npv_usd.p10\"", $"\"metric\": \"{metric}\"", StringComparison.Ordinal);
        Assert.Equal(accepted, LoaderAccepts(json));
        Assert.Equal(accepted, SchemaAccepts(json, out _));
    }

    [Theory]
    [InlineData("\"gb200 / deepseek\"", false)]
    [InlineData("\"gb200 deepseek (2025)\"", true)]
    [InlineData("\" padded\"", false)]
    [InlineData("\"a\\u001bb\"", false)]
    [InlineData("null", false)]
    public void Names_agree(string name, bool accepted)
    {
        string json = File.ReadAllText(RepoPaths.Flagship).Replace("\"name\": \"gb200-nvl72-deepseek-r1\"", $"\"name\": {name}", StringComparison.Ordinal);
        Assert.Equal(accepted, LoaderAccepts(json));
        Assert.Equal(accepted, SchemaAccepts(json, out _));
    }

    [Theory]
    [InlineData("{ \"dist\": \"pert\", \"min\": 0.93, \"mode\": 0.97, \"max\": 0.99 }", true)]
    [InlineData("{ \"dist\": \"pert\", \"min\": 0.93, \"max\": 0.99 }", false)]
    [InlineData("{ \"dist\": \"uniform\", \"min\": 0.93, \"max\": 0.99, \"mode\": 0.97 }", false)]
    [InlineData("{ \"dist\": \"weibull\", \"min\": 0.93, \"max\": 0.99 }", false)]
    [InlineData("0.97", true)]
    [InlineData("1.5", false)]
    [InlineData("null", false)]
    public void Distributions_agree(string availability, bool accepted)
    {
        const string given = "\"availability\": { \"dist\": \"pert\", \"min\": 0.93, \"mode\": 0.97, \"max\": 0.99 }";
        string json = File.ReadAllText(RepoPaths.Flagship);
        Assert.Contains(given, json, StringComparison.Ordinal);
        json = json.Replace(given, $"\"availability\": {availability}", StringComparison.Ordinal);
        Assert.Equal(accepted, LoaderAccepts(json));
        Assert.Equal(accepted, SchemaAccepts(json, out _));
    }
}
