using System.Globalization;
using System.Text.Json;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Spreadsheet;
using MiniExcelLibs;
using Parquet;
using Parquet.Schema;

namespace RiskSim.Cli.Tests;

/// <summary>`risksim run --export xlsx` and `--keep-trials parquet`, read back with independent readers and checked against summary.json.</summary>
public sealed class ExportTests : IDisposable
{
    private const string Flagship = "gb200-nvl72-deepseek-r1";
    private readonly string _tmp = Directory.CreateTempSubdirectory("risksim-export-tests-").FullName;

    public void Dispose() => Directory.Delete(_tmp, recursive: true);

    [Fact]
    public void The_workbook_holds_summary_json_s_numbers_as_formatted_numbers()
    {
        // The built risksim (not in process: its composition root wires the chart renderer, so the charts are drawn).
        var run = Processes.Run(Processes.Dotnet, [Path.Combine(AppContext.BaseDirectory, "risksim.dll"), "run", RepoPaths.Flagship, "--trials", "20000", "--out", _tmp, "--export", "xlsx", "--quiet"], _tmp);
        Assert.True(run.Code == 0, Processes.Describe("risksim run --export xlsx", run));
        string dir = Path.Combine(_tmp, Flagship);
        string xlsx = Path.Combine(dir, Flagship + ".xlsx");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")));
        var stats = summary.RootElement.GetProperty("statistics");
        var cis = summary.RootElement.GetProperty("confidence_intervals_95");

        // MiniExcel (an independent reader): the sheets, and every number of the Summary table equal to summary.json's.
        Assert.Equal(["Summary", "Percentiles", "Tornado", "Sensitivity", "Assumptions", "Charts"], MiniExcel.GetSheetNames(xlsx));
        var rows = MiniExcel.Query(xlsx, sheetName: "Summary").Cast<IDictionary<string, object?>>().ToList();
        Assert.Contains("xx-th percentile", (string)rows[1]["A"]!, StringComparison.Ordinal);
        var keys = rows[4]; // row 5: the summary.json key of each column
        Assert.Equal("summary.json key", keys["A"]);
        Assert.Equal("NPV (USD)", rows[3]["B"]);
        var columns = keys.Where(kv => kv.Key != "A" && kv.Value is string).ToDictionary(kv => kv.Key, kv => (string)kv.Value!);
        Assert.Equal(8, columns.Count);
        int numbers = 0;
        foreach (var row in rows.Skip(5).TakeWhile(r => r["A"] is string s && s.Length > 0))
        {
            string label = (string)row["A"]!;
            foreach (var (col, kpi) in columns)
            {
                double? expected = label switch
                {
                    "P10" or "P50" or "P90" => Nullable(stats, $"{kpi}.{label.ToLowerInvariant()}"),
                    _ when label.EndsWith("95 % CI low", StringComparison.Ordinal) => Nullable(cis.GetProperty($"{kpi}.{Stat(label)}")[0]),
                    _ when label.EndsWith("95 % CI high", StringComparison.Ordinal) => Nullable(cis.GetProperty($"{kpi}.{Stat(label)}")[1]),
                    "Mean" => Nullable(stats, $"{kpi}.mean"),
                    "Expected shortfall (mean of worst 10 %)" => Nullable(stats, $"{kpi}.es10"),
                    "P(KPI < 0)" => Nullable(stats, $"{kpi}.prob_negative"),
                    "Share of trials where the KPI does not exist" => Nullable(stats, $"{kpi}.null_share"),
                    _ when label.StartsWith("P(≤ ", StringComparison.Ordinal) => stats.TryGetProperty($"{kpi}.prob_within_{label[4..label.IndexOf(' ', 4)]}", out var v) ? Nullable(v) : null,
                    "Why a KPI may not exist" => null,
                    _ => throw new InvalidOperationException($"unexpected Summary row '{label}'"),
                };
                object? cell = row.TryGetValue(col, out var c) ? c : null;
                if (expected is { } e)
                {
                    Assert.True(cell is double, $"{label} of {kpi}: a number expected, got '{cell}'");
                    Assert.Equal(e, (double)cell!);
                    numbers++;
                }
                else if (label != "Why a KPI may not exist")
                {
                    Assert.True(cell is null or "never" or "n/a", $"{label} of {kpi}: null in summary.json, but the cell holds '{cell}'");
                }
            }
        }

        Assert.True(numbers >= 8 * 14, $"only {numbers} numbers compared");

        // Gates: the same metrics, actual values and verdicts as summary.json.
        int gatesHeader = rows.FindIndex(r => (r["A"] as string) == "Gate (summary.json key)");
        var gates = summary.RootElement.GetProperty("gates").EnumerateArray().ToList();
        Assert.NotEmpty(gates);
        for (int g = 0; g < gates.Count; g++)
        {
            var row = rows[gatesHeader + 1 + g];
            Assert.Equal(gates[g].GetProperty("metric").GetString(), row["A"]);
            Assert.Equal(gates[g].GetProperty("actual").GetDouble(), (double)row["D"]!);
            Assert.Equal(gates[g].GetProperty("passed").GetBoolean(), (bool)row["E"]!);
        }

        // Percentiles: every statistic of summary.json, as a number.
        var percentiles = MiniExcel.Query(xlsx, sheetName: "Percentiles").Cast<IDictionary<string, object?>>().Skip(1).ToList();
        int compared = 0;
        foreach (var p in stats.EnumerateObject())
        {
            int dot = p.Name.IndexOf('.', StringComparison.Ordinal);
            var row = percentiles.Single(r => (string)r["A"]! == p.Name[..dot] && (string)r["B"]! == p.Name[(dot + 1)..]);
            if (p.Value.ValueKind == JsonValueKind.Null)
            {
                Assert.Null(row.TryGetValue("C", out var v) ? v : null);
            }
            else
            {
                Assert.Equal(p.Value.GetDouble(), (double)row["C"]!);
                compared++;
            }
        }

        Assert.True(compared > 100);

        // Assumptions: every input of summary.json's assumptions, with its base value and the default marked.
        var assumptions = MiniExcel.Query(xlsx, sheetName: "Assumptions").Cast<IDictionary<string, object?>>().Skip(1).ToList();
        foreach (var input in summary.RootElement.GetProperty("assumptions").GetProperty("inputs").EnumerateArray())
        {
            var row = assumptions.First(r => (r["A"] as string) == input.GetProperty("path").GetString());
            Assert.Equal(input.GetProperty("base").GetDouble(), (double)row["C"]!);
            Assert.Equal(input.GetProperty("distribution").GetString(), row["D"]);
            Assert.Equal(input.GetProperty("defaulted").GetBoolean() ? "default" : "config", row["F"]);
        }

        // The Open XML structure: numbers carry number formats, headers are frozen, charts are embedded images.
        using var doc = SpreadsheetDocument.Open(xlsx, false);
        var wb = doc.WorkbookPart!;
        var formats = wb.WorkbookStylesPart!.Stylesheet.NumberingFormats!.Elements<NumberingFormat>().ToDictionary(f => f.NumberFormatId!.Value, f => f.FormatCode!.Value!);
        var cellFormats = wb.WorkbookStylesPart.Stylesheet.CellFormats!.Elements<CellFormat>().ToList();
        WorksheetPart Sheet(string name) => (WorksheetPart)wb.GetPartById(wb.Workbook.Sheets!.Elements<Sheet>().Single(s => s.Name == name).Id!);
        var summarySheet = Sheet("Summary").Worksheet;
        var p10Npv = summarySheet.Descendants<Cell>().Single(c => c.CellReference == "B6");
        Assert.Null(p10Npv.DataType?.Value is { } t && t != CellValues.Number ? t : null);
        Assert.Equal(stats.GetProperty("npv_usd.p10").GetDouble(), double.Parse(p10Npv.CellValue!.Text, CultureInfo.InvariantCulture));
        Assert.Contains("$", formats[cellFormats[(int)p10Npv.StyleIndex!.Value].NumberFormatId!.Value], StringComparison.Ordinal);
        var pane = summarySheet.Descendants<Pane>().Single();
        Assert.Equal(PaneStateValues.Frozen, pane.State!.Value);
        Assert.Equal(5, pane.VerticalSplit!.Value);
        foreach (string name in new[] { "Percentiles", "Tornado", "Sensitivity", "Assumptions" })
        {
            Assert.Equal(1, Sheet(name).Worksheet.Descendants<Pane>().Single().VerticalSplit!.Value);
        }

        var charts = Sheet("Charts");
        int pngs = Directory.GetFiles(dir, "*.png").Length;
        Assert.True(pngs >= 8);
        Assert.Equal(pngs, charts.DrawingsPart!.ImageParts.Count());
        Assert.Contains(charts.DrawingsPart.ImageParts, i => i.ContentType == "image/png");
    }

    [Fact]
    public async Task Parquet_trials_match_trials_csv_and_carry_seed_and_config_hash()
    {
        // Two-pass runs keep only the first 65,536 trials in memory; the Parquet file still holds every trial.
        string csvRun = Path.Combine(_tmp, "csv");
        string pqRun = Path.Combine(_tmp, "parquet");
        Assert.Equal(0, CliHarness.Run("run", RepoPaths.Flagship, "--trials", "70000", "--out", csvRun, "--keep-trials", "csv", "--quiet").Code);
        var (code, _, err) = CliHarness.Run("run", RepoPaths.Flagship, "--trials", "70000", "--out", pqRun, "--keep-trials", "parquet", "--two-pass", "--quiet");
        Assert.True(code == 0, err);
        string file = Path.Combine(pqRun, Flagship, "trials.parquet");
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(pqRun, Flagship, "summary.json")));

        await using var reader = await ParquetReader.CreateAsync(file);
        Assert.Equal(summary.RootElement.GetProperty("seed").GetUInt64().ToString(CultureInfo.InvariantCulture), reader.CustomMetadata["seed"]);
        Assert.Equal(summary.RootElement.GetProperty("config_sha256").GetString(), reader.CustomMetadata["config_sha256"]);
        Assert.Equal("70000", reader.CustomMetadata["trials"]);
        Assert.Equal(2, reader.RowGroupCount); // 65,536 + 4,464 rows
        var fields = reader.Schema.GetDataFields();
        Assert.Equal(["trial", "block"], fields.Take(2).Select(f => f.Name));
        Assert.Contains(fields, f => f.Name == "drivers.utilization" && f.ClrType == typeof(double) && !f.IsNullable);
        Assert.Contains(fields, f => f.Name == "payback_months" && f.ClrType == typeof(double) && f.IsNullable);
        Assert.Contains(fields, f => f.Name == "payback_months_null_reason" && f.IsNullable);

        // Every trial's KPIs equal trials.csv's (written from the in-memory run): same trials, same bits.
        var csv = File.ReadLines(Path.Combine(csvRun, Flagship, "trials.csv")).ToList();
        string[] header = csv[0].Split(',');
        var kpiFields = header.Skip(1).Select(h => fields.Single(f => f.Name == h)).ToList();
        long row = 0;
        for (int g = 0; g < reader.RowGroupCount; g++)
        {
            var rg = reader.OpenRowGroupReader(g);
            int n = (int)rg.RowCount;
            var trial = new long[n];
            await rg.ReadAsync(fields[0], trial.AsMemory());
            var block = new long[n];
            await rg.ReadAsync(fields[1], block.AsMemory());
            var kpis = new List<double?[]>();
            foreach (var f in kpiFields)
            {
                var values = new double?[n];
                await rg.ReadAsync(f, values.AsMemory());
                kpis.Add(values);
            }

            var reasons = new string?[n];
            await rg.ReadAsync(fields.Single(f => f.Name == "payback_months_null_reason"), reasons.AsMemory());
            int payback = header.Skip(1).ToList().IndexOf("payback_months");
            for (int i = 0; i < n; i++, row++)
            {
                Assert.Equal(row, trial[i]);
                Assert.Equal(row / 16384, block[i]);
                string[] cells = csv[(int)row + 1].Split(',');
                for (int k = 0; k < kpis.Count; k++)
                {
                    double? expected = cells[k + 1].Length == 0 ? null : double.Parse(cells[k + 1], CultureInfo.InvariantCulture);
                    Assert.Equal(expected, kpis[k][i]);
                }

                Assert.Equal(kpis[payback][i] is null ? "not_within_horizon" : null, reasons[i]);
            }
        }

        Assert.Equal(70000, row);
    }

    [Theory]
    [InlineData("--export", "xlsx")]
    [InlineData("--keep-trials", "parquet")]
    public void An_export_to_a_path_that_cannot_be_written_exits_2_before_simulating(string option, string value)
    {
        string file = Path.Combine(_tmp, "a-file");
        File.WriteAllText(file, "not a folder");
        var (code, stdout, err) = CliHarness.Run("run", RepoPaths.Flagship, "--trials", "20000", "--out", Path.Combine(file, "results"), option, value, "--quiet");
        Assert.Equal(2, code);
        Assert.Contains("--out", err, StringComparison.Ordinal);
        Assert.Contains("a-file is a file", err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", err, StringComparison.Ordinal);
        Assert.DoesNotContain("trials in", stdout, StringComparison.Ordinal); // the run never started
        Assert.Equal([file], Directory.GetFileSystemEntries(_tmp));
    }

    private static string Stat(string label) => label.StartsWith("Mean", StringComparison.Ordinal) ? "mean" : label[..label.IndexOf(' ', StringComparison.Ordinal)].ToLowerInvariant();

    private static double? Nullable(JsonElement obj, string key) => Nullable(obj.GetProperty(key));

    private static double? Nullable(JsonElement v) => v.ValueKind == JsonValueKind.Null ? null : v.GetDouble();
}
