using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace RiskSim.Reporting;

/// <summary>What a result folder holds, read back from its files; a folder is replaced only by a result of the same identity.</summary>
/// <param name="Kind">"monte_carlo" (one config's run), "comparison" (challenger vs baseline) or "side_by_side".</param>
/// <param name="Name">The config name, or "challenger vs baseline"; empty for the side-by-side report.</param>
/// <param name="ConfigFile">File name (without folder) of the config of a run; empty otherwise.</param>
public sealed record ResultIdentity(string Kind, string Name, string ConfigFile)
{
    /// <summary>One config's run: its name and the file name of its config (two files may carry one name).</summary>
    public static ResultIdentity Run(string name, string configFile) => new("monte_carlo", name, Path.GetFileName(configFile));

    /// <summary>A trial-by-trial comparison.</summary>
    public static ResultIdentity Comparison(string challenger, string baseline) => new("comparison", $"{challenger} vs {baseline}", "");

    /// <summary>The side-by-side report of several configs.</summary>
    public static ResultIdentity SideBySide { get; } = new("side_by_side", "", "");

    /// <summary>Reads the identity of an existing result folder; null when it is not recognizably a RiskSim result.</summary>
    public static ResultIdentity? Read(string folder)
    {
        try
        {
            string summary = Path.Combine(folder, "summary.json");
            if (File.Exists(summary))
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(summary));
                var root = doc.RootElement;
                if (root.GetProperty("kind").GetString() != "monte_carlo")
                {
                    return null;
                }

                string file = root.TryGetProperty("provenance", out var p) && p.TryGetProperty("config_file", out var f) ? f.GetString() ?? "" : "";
                return Run(root.GetProperty("name").GetString() ?? "", file);
            }

            string comparison = Path.Combine(folder, "comparison.json");
            if (File.Exists(comparison))
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(comparison));
                var root = doc.RootElement;
                return root.GetProperty("kind").GetString() == "comparison"
                    ? Comparison(root.GetProperty("challenger").GetString() ?? "", root.GetProperty("baseline").GetString() ?? "")
                    : null;
            }

            string index = Path.Combine(folder, SideBySideIndex);
            if (File.Exists(index))
            {
                using var doc = JsonDocument.Parse(File.ReadAllText(index));
                return doc.RootElement.GetProperty("kind").GetString() == "side_by_side" ? SideBySide : null;
            }

            // A side-by-side folder of an earlier release (no index file).
            string report = Path.Combine(folder, "report.md");
            return File.Exists(report) && File.ReadLines(report).FirstOrDefault()?.StartsWith("# Side by side: ", StringComparison.Ordinal) == true ? SideBySide : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or JsonException or KeyNotFoundException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>File naming the configs of a side-by-side report (its identity).</summary>
    public const string SideBySideIndex = "index.json";

    /// <summary>For messages: 'the result of "team a/b" (team.json)'.</summary>
    public override string ToString() => Kind switch
    {
        "monte_carlo" => ConfigFile.Length > 0 ? $"the result of \"{Name}\" ({ConfigFile})" : $"the result of \"{Name}\"",
        "comparison" => $"the comparison {Name}",
        "side_by_side" => "a side-by-side report",
        "claimed" => "another result of this run",
        _ => "a folder that is not a RiskSim result",
    };
}

/// <summary>An I/O failure while results were written (disk full, folder removed, permissions): not bad input.</summary>
public sealed class ResultWriteException : IOException
{
    /// <summary>An exception saying results could not be written, with its <paramref name="message"/> and <paramref name="inner"/> cause.</summary>
    public ResultWriteException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>An exception saying results could not be written, with the default message.</summary>
    public ResultWriteException()
    {
    }

    /// <summary>An exception saying results could not be written, with its <paramref name="message"/>.</summary>
    public ResultWriteException(string message)
        : base(message)
    {
    }
}

/// <summary>
/// The results folder (<c>--out</c>) shared by runs, concurrent ones included.
/// </summary>
/// <remarks>
/// <para>
/// Each result is written into a hidden temporary sibling (<c>.NAME.tmp-PID-ID</c>) and moved into place only when
/// complete, so no half-written result
/// folder is ever visible. Moving into place (and replacing an older result) happens under an exclusive lock on
/// <c>.risksim.lock</c> in the folder, so two runs never interleave their renames. Every writer also holds a lock
/// file of its own (<c>.risksim-PID-ID.lock</c>); the operating system releases it when the process dies, even by
/// kill -9, which is how the next run recognizes temporary folders left by a dead process and removes them.
/// </para>
/// Folder names are unique per result: a result replaces an existing folder only when that folder holds a result
/// of the same identity (<see cref="ResultIdentity"/>: the same config name from a config file of the same name, or
/// the same comparison). Otherwise — another config whose name maps to the same folder, a folder that is not a
/// RiskSim result at all — it goes to the first free <c>NAME-2</c>, <c>NAME-3</c> … (compared without regard to
/// case, so the folders also stay distinct on Windows and macOS), and <see cref="Commit"/> says so.
/// </remarks>
public sealed partial class ResultStore
{
    private const string StoreLockName = ".risksim.lock";
    private static readonly TimeSpan LockTimeout = TimeSpan.FromMinutes(2);

    private ResultStore(string root, string shown)
    {
        Root = root;
        Shown = shown;
    }

    /// <summary>The folder's full path.</summary>
    public string Root { get; }

    /// <summary>The folder as the user gave it, for messages and the paths <see cref="Commit"/> returns.</summary>
    public string Shown { get; }

    /// <summary>
    /// Creates the folder if needed, removes what runs that died left behind (see <see cref="CleanStale"/>) and checks
    /// that a file can be written there, before any simulation runs. Throws <see cref="ResultLocationException"/> with
    /// the reason when the location cannot hold results.
    /// </summary>
    /// <param name="root">The folder.</param>
    /// <param name="notes">Receives one line per stale folder removed or restored.</param>
    public static ResultStore Open(string root, Action<string>? notes = null)
    {
        string full;
        try
        {
            full = Path.GetFullPath(root);
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw new ResultLocationException($"{root}: not a usable folder path ({ex.Message})", ex);
        }

        if (File.Exists(full))
        {
            throw new ResultLocationException($"{root}: is a file, not a folder; results need a folder");
        }

        var store = new ResultStore(full, root);
        try
        {
            Directory.CreateDirectory(full);
            using (store.LockStore())
            {
                store.CleanStale(notes);
            }

            // A probe with some content: creating an empty file can succeed on a full disk.
            string probe = Path.Combine(full, $".risksim-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
            try
            {
                using (var fs = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
                {
                    fs.Write(new byte[64 * 1024]);
                    fs.Flush(flushToDisk: true);
                }
            }
            finally
            {
                TryDeleteFile(probe);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            string? file = FileAncestor(full);
            throw new ResultLocationException(file is not null
                ? $"{root}: cannot be created because {file} is a file, not a folder"
                : $"{root}: cannot create this folder or write in it ({ex.Message})", ex);
        }

        return store;
    }

    private static string? FileAncestor(string path)
    {
        for (string? p = Path.GetDirectoryName(path); p is not null; p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p))
            {
                return p;
            }
        }

        return null;
    }

    /// <summary>Starts writing a result whose folder will be <paramref name="name"/> (or a suffixed variant): creates its temporary folder.</summary>
    public PendingResult Begin(string name)
    {
        string token = $"{Environment.ProcessId}-{Guid.NewGuid():N}";
        var writerLock = new FileStream(Path.Combine(Root, $".risksim-{token}.lock"), FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
        try
        {
            string tmp = Path.Combine(Root, $".{name}.tmp-{token}");
            Directory.CreateDirectory(tmp);
            return new PendingResult(this, name, token, tmp, writerLock);
        }
        catch
        {
            writerLock.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Moves a finished result into place and returns its folder and, when the folder is not the wanted name, a note
    /// saying why (paths as the user gave the folder). <paramref name="claimed"/> holds the folders this invocation wrote already (none is replaced twice);
    /// the chosen folder is added to it.
    /// </summary>
    public (string Folder, string? Note) Commit(PendingResult pending, ResultIdentity identity, ISet<string> claimed)
    {
        string? old = null;
        string final;
        string? note = null;
        using (LockStore())
        {
            var (leaf, occupied) = Choose(pending.Name, identity, claimed);
            final = Path.Combine(Root, leaf);
            if (occupied is not null)
            {
                note = $"{Path.Combine(Shown, pending.Name)} holds {occupied}; this result is written to {Path.Combine(Shown, leaf)} instead";
            }

            if (Directory.Exists(final))
            {
                old = Path.Combine(Root, $".{leaf}.old-{pending.Token}");
                Directory.Move(final, old);
            }

            Directory.Move(pending.Path, final);
            claimed.Add(leaf);
        }

        if (old is not null)
        {
            TryDeleteDirectory(old);
        }

        pending.Complete();
        return (Path.Combine(Shown, Path.GetFileName(final)), note);
    }

    /// <summary>The folder name for a result: a folder of the same identity, else the first free name; and what occupies the wanted one.</summary>
    private (string Leaf, ResultIdentity? Occupied) Choose(string name, ResultIdentity identity, ISet<string> claimed)
    {
        var existing = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var e in Directory.EnumerateFileSystemEntries(Root))
        {
            string leaf = Path.GetFileName(e);
            if (Suffix(leaf, name) is not null)
            {
                existing.TryAdd(leaf, e);
            }
        }

        bool Claimed(string leaf) => claimed.Any(c => string.Equals(c, leaf, StringComparison.OrdinalIgnoreCase));

        // A folder holding this very result (the same config, rerun) is replaced in place.
        foreach (var (leaf, path) in existing.OrderBy(x => Suffix(x.Key, name)))
        {
            if (!Claimed(leaf) && Directory.Exists(path) && ResultIdentity.Read(path) == identity)
            {
                return (leaf, null);
            }
        }

        for (int n = 1; n < 10_000; n++)
        {
            string leaf = n == 1 ? name : $"{name}-{n.ToString(CultureInfo.InvariantCulture)}";
            if (!existing.ContainsKey(leaf) && !Claimed(leaf))
            {
                var occupied = n == 1 ? null
                    : Claimed(name) ? new ResultIdentity("claimed", "", "")
                    : ResultIdentity.Read(existing[name]) ?? new ResultIdentity("other", "", "");
                return (leaf, occupied);
            }
        }

        throw new IOException($"{Path.Combine(Root, name)}: 10,000 folders of that name exist; remove some");
    }

    /// <summary>1 for <paramref name="name"/> itself, N for "name-N", null for anything else.</summary>
    private static int? Suffix(string leaf, string name)
    {
        if (string.Equals(leaf, name, StringComparison.OrdinalIgnoreCase))
        {
            return 1;
        }

        return leaf.Length > name.Length + 1 && leaf.StartsWith(name + "-", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(leaf.AsSpan(name.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= 2
            && leaf[(name.Length + 1)..] == n.ToString(CultureInfo.InvariantCulture) ? n : null;
    }

    /// <summary>
    /// Removes the temporary folders of writers that are gone (their lock file can be taken, or, for folders of older
    /// releases without one, their process id is not running) and puts back a result that a writer killed between its
    /// two renames had moved aside. Runs under the store lock.
    /// </summary>
    private void CleanStale(Action<string>? notes)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(Root, ".*"))
        {
            string leaf = Path.GetFileName(entry);
            var m = Leftover().Match(leaf);
            if (!m.Success || !Directory.Exists(entry))
            {
                continue;
            }

            string token = m.Groups["token"].Value;
            int pid = int.Parse(m.Groups["pid"].ValueSpan, CultureInfo.InvariantCulture);
            if (!OwnerGone(token, pid))
            {
                continue;
            }

            string name = m.Groups["name"].Value;
            string target = Path.Combine(Root, name);
            if (m.Groups["kind"].Value == "old" && !Directory.Exists(target) && !File.Exists(target))
            {
                Directory.Move(entry, target);
                notes?.Invoke($"note: restored {Path.Combine(Shown, name)}, which process {pid} had moved aside when it was stopped while replacing it");
            }
            else
            {
                TryDeleteDirectory(entry);
                notes?.Invoke($"note: removed {Path.Combine(Shown, leaf)}, left by process {pid}, which stopped while writing");
            }
        }

        foreach (var lockFile in Directory.EnumerateFiles(Root, ".risksim-*.lock"))
        {
            var m = WriterLock().Match(Path.GetFileName(lockFile));
            if (m.Success)
            {
                _ = OwnerGone(m.Groups["token"].Value, int.Parse(m.Groups["pid"].ValueSpan, CultureInfo.InvariantCulture)); // deletes it when free
            }
        }
    }

    /// <summary>True when the writer with this token is gone: its lock file can be taken (and is then deleted), or it has none and its process is not running.</summary>
    private bool OwnerGone(string token, int pid)
    {
        string path = Path.Combine(Root, $".risksim-{token}.lock");
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose);
            return true;
        }
        catch (FileNotFoundException)
        {
            return pid != Environment.ProcessId && !ProcessRunning(pid);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool ProcessRunning(int pid)
    {
        try
        {
            using var p = Process.GetProcessById(pid);
            return !p.HasExited;
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException)
        {
            return false;
        }
    }

    /// <summary>Takes the store's exclusive lock, waiting while another run holds it (each holds it for milliseconds).</summary>
    private FileStream LockStore()
    {
        string path = Path.Combine(Root, StoreLockName);
        var sw = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (File.Exists(path) && sw.Elapsed < LockTimeout)
            {
                Thread.Sleep(20);
            }
            catch (IOException ex) when (File.Exists(path))
            {
                throw new IOException($"{path}: another process has held this lock for {LockTimeout.TotalMinutes:0} minutes ({ex.Message})", ex);
            }
        }
    }

    internal static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Left for the next run's clean-up: its owner's lock is gone then.
        }
    }

    private static void TryDeleteFile(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"^\.(?<name>.+)\.(?<kind>tmp|old)-(?<token>(?<pid>[0-9]{1,10})-[0-9a-f]{32})$", RegexOptions.CultureInvariant)]
    private static partial Regex Leftover();

    [GeneratedRegex(@"^\.risksim-(?<token>(?<pid>[0-9]{1,10})-[0-9a-f]{32})\.lock$", RegexOptions.CultureInvariant)]
    private static partial Regex WriterLock();
}

/// <summary>A result being written: its temporary folder and the lock that marks its writer alive. Dispose to abandon it.</summary>
public sealed class PendingResult : IDisposable
{
    private readonly FileStream _writerLock;
    private bool _done;

    internal PendingResult(ResultStore store, string name, string token, string path, FileStream writerLock)
    {
        Store = store;
        Name = name;
        Token = token;
        Path = path;
        _writerLock = writerLock;
    }

    /// <summary>The store it belongs to.</summary>
    public ResultStore Store { get; }

    /// <summary>The wanted folder name.</summary>
    public string Name { get; }

    /// <summary>The hidden temporary folder to write into.</summary>
    public string Path { get; }

    internal string Token { get; }

    internal void Complete()
    {
        _done = true;
        _writerLock.Dispose();
    }

    /// <summary>Removes the temporary folder unless the result was committed, and releases the writer's lock.</summary>
    public void Dispose()
    {
        if (!_done)
        {
            ResultStore.TryDeleteDirectory(Path);
            _done = true;
        }

        _writerLock.Dispose();
    }
}

/// <summary>The results location cannot hold results (detected before simulating): bad input.</summary>
public sealed class ResultLocationException : Exception
{
    /// <summary>An exception saying the results location cannot hold results, with its <paramref name="message"/> and <paramref name="inner"/> cause.</summary>
    public ResultLocationException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>An exception saying the results location cannot hold results, with its <paramref name="message"/>.</summary>
    public ResultLocationException(string message)
        : base(message)
    {
    }

    /// <summary>An exception saying the results location cannot hold results, with the default message.</summary>
    public ResultLocationException()
    {
    }
}
