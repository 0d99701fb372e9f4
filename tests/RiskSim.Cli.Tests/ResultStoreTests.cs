using System.Diagnostics;
using RiskSim.Reporting;

namespace RiskSim.Cli.Tests;

/// <summary>The results folder shared by runs: unique folders, replacement under a lock, clean-up after dead writers.</summary>
public sealed class ResultStoreTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("risksim-store-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    /// <summary>Writes a minimal run result (summary.json with kind, name and config file) through the store.</summary>
    private static (string Folder, string? Note) WriteRun(ResultStore store, string folderName, string name, string configFile, ISet<string>? claimed = null, string payload = "")
    {
        using var pending = store.Begin(folderName);
        string json = System.Text.Json.JsonSerializer.Serialize(new { kind = "monte_carlo", name, provenance = new { config_file = configFile } });
        File.WriteAllText(Path.Combine(pending.Path, "summary.json"), json);
        File.WriteAllText(Path.Combine(pending.Path, "payload.txt"), payload);
        return store.Commit(pending, ResultIdentity.Run(name, configFile), claimed ?? new HashSet<string>());
    }

    private string[] Entries() => [.. Directory.EnumerateFileSystemEntries(_root).Select(Path.GetFileName).Order(StringComparer.Ordinal)!];

    [Fact]
    public void A_rerun_replaces_its_own_folder_and_nothing_else()
    {
        var store = ResultStore.Open(_root);
        Directory.CreateDirectory(Path.Combine(_root, "docs")); // a folder that is not a result: never replaced
        File.WriteAllText(Path.Combine(_root, "docs", "keep.txt"), "mine");
        Assert.Equal((Path.Combine(_root, "x"), null), WriteRun(store, "x", "x", "configs/x.json", payload: "1"));
        Assert.Equal((Path.Combine(_root, "x"), null), WriteRun(store, "x", "x", "/elsewhere/x.json", payload: "2")); // same name, same file name
        Assert.Equal("2", File.ReadAllText(Path.Combine(_root, "x", "payload.txt")));

        var (folder, note) = WriteRun(store, "docs", "docs", "docs.json");
        Assert.Equal(Path.Combine(_root, "docs-2"), folder);
        Assert.Contains("is not a RiskSim result", note, StringComparison.Ordinal);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(_root, "docs", "keep.txt")));

        // Another config file with the same name, and a name differing only in case: their own folders, stable on reruns.
        Assert.Equal(Path.Combine(_root, "x-2"), WriteRun(store, "x", "x", "configs/other.json").Folder);
        Assert.Equal(Path.Combine(_root, "X-3"), WriteRun(store, "X", "X", "configs/x.json").Folder);
        Assert.Equal(Path.Combine(_root, "x-2"), WriteRun(store, "x", "x", "configs/other.json").Folder);
        Assert.Equal(Path.Combine(_root, "X-3"), WriteRun(store, "X", "X", "configs/x.json").Folder);
        Assert.Equal([".risksim.lock", "X-3", "docs", "docs-2", "x", "x-2"], Entries());
    }

    [Fact]
    public void One_invocation_never_writes_two_results_into_one_folder()
    {
        var store = ResultStore.Open(_root);
        var claimed = new HashSet<string>();
        Assert.Equal(Path.Combine(_root, "x"), WriteRun(store, "x", "x", "x.json", claimed).Folder);
        var (folder, note) = WriteRun(store, "x", "x", "x.json", claimed); // the same config twice in one run
        Assert.Equal(Path.Combine(_root, "x-2"), folder);
        Assert.Contains("another result of this run", note, StringComparison.Ordinal);
    }

    [Fact]
    public void Concurrent_writers_replace_one_folder_cleanly_and_colliding_names_get_distinct_folders()
    {
        var store = ResultStore.Open(_root);
        WriteRun(store, "same", "same", "same.json", payload: "first");
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var folders = new System.Collections.Concurrent.ConcurrentBag<string>();
        var threads = Enumerable.Range(0, 8).Select(t => new Thread(() =>
        {
            try
            {
                for (int i = 0; i < 10; i++)
                {
                    Assert.Equal(Path.Combine(_root, "same"), WriteRun(store, "same", "same", "same.json", payload: $"{t}.{i}").Folder);
                    folders.Add(WriteRun(store, "team-a-b", $"team {t}/{i}", "t.json").Folder);
                }
            }
            catch (Exception ex)
            {
                errors.Add(ex);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(errors);
        Assert.Matches(@"^[0-7]\.9$", File.ReadAllText(Path.Combine(_root, "same", "payload.txt")));
        Assert.Equal(80, folders.Distinct().Count());
        Assert.DoesNotContain(Entries(), e => e.Contains(".tmp-", StringComparison.Ordinal) || e.Contains(".old-", StringComparison.Ordinal) || e.StartsWith(".risksim-", StringComparison.Ordinal));
    }

    private static int DeadPid()
    {
        using var p = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        p.WaitForExit();
        return p.Id;
    }

    [Fact]
    public void Opening_the_store_removes_what_dead_writers_left_and_keeps_what_live_ones_write()
    {
        var store = ResultStore.Open(_root);
        // A live writer (this process holds its lock): kept.
        using var live = store.Begin("live");
        // A writer that died: its lock file is free (nothing holds it).
        string token = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(_root, $".dead.tmp-{token}"));
        File.WriteAllText(Path.Combine(_root, $".risksim-{token}.lock"), "");
        // A writer of an earlier release (no lock file) whose process is gone.
        int dead = DeadPid();
        Directory.CreateDirectory(Path.Combine(_root, $".legacy.tmp-{dead}-{Guid.NewGuid():N}"));
        // A writer killed between its two renames: the old result is put back.
        string oldToken = $"{dead}-{Guid.NewGuid():N}";
        Directory.CreateDirectory(Path.Combine(_root, $".moved.old-{oldToken}"));
        File.WriteAllText(Path.Combine(_root, $".moved.old-{oldToken}", "summary.json"), "{}");
        // Look-alikes that are not ours stay.
        Directory.CreateDirectory(Path.Combine(_root, ".mine.tmp-notapid"));

        var notes = new List<string>();
        ResultStore.Open(_root, notes.Add);
        Assert.Equal([".live.tmp-", ".mine.tmp-notapid", ".risksim-", ".risksim.lock", "moved"], Entries().Select(e => e.StartsWith(".live.tmp-", StringComparison.Ordinal) ? ".live.tmp-" : e.StartsWith(".risksim-", StringComparison.Ordinal) ? ".risksim-" : e).Order(StringComparer.Ordinal));
        Assert.True(File.Exists(Path.Combine(_root, "moved", "summary.json")));
        Assert.Equal(3, notes.Count);
        Assert.Contains(notes, n => n.Contains("restored", StringComparison.Ordinal) && n.Contains(dead.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal));
    }

    [Fact]
    public void An_unusable_location_is_reported_before_anything_is_written()
    {
        string file = Path.Combine(_root, "a-file");
        File.WriteAllText(file, "");
        var ex = Assert.Throws<ResultLocationException>(() => ResultStore.Open(Path.Combine(file, "results")));
        Assert.Contains($"{file} is a file", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is a file, not a folder", Assert.Throws<ResultLocationException>(() => ResultStore.Open(file)).Message, StringComparison.Ordinal);
        Assert.Throws<ResultLocationException>(() => ResultStore.Open("/proc/risksim-results")); // root may write almost anywhere, but not there
    }
}
