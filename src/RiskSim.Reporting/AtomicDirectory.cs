namespace RiskSim.Reporting;

/// <summary>
/// Writes a result folder atomically: everything goes into a hidden temporary sibling, which is moved
/// into place only when complete; an interrupted write leaves no half-written result folder.
/// </summary>
public static class AtomicDirectory
{
    /// <summary>Creates the temporary folder next to <paramref name="finalPath"/>.</summary>
    public static string BeginWrite(string finalPath)
    {
        string full = Path.GetFullPath(finalPath);
        string parent = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(parent);
        string tmp = Path.Combine(parent, $".{Path.GetFileName(full)}.tmp-{Environment.ProcessId}-{Guid.NewGuid():N}");
        Directory.CreateDirectory(tmp);
        return tmp;
    }

    /// <summary>Moves the finished temporary folder into place, replacing an older result.</summary>
    public static void Commit(string tmp, string finalPath)
    {
        string full = Path.GetFullPath(finalPath);
        string? old = null;
        if (Directory.Exists(full))
        {
            old = full + $".old-{Guid.NewGuid():N}";
            Directory.Move(full, old);
        }

        Directory.Move(tmp, full);
        if (old is not null)
        {
            Directory.Delete(old, recursive: true);
        }
    }

    /// <summary>Removes a temporary folder after a failure.</summary>
    public static void Abort(string tmp)
    {
        try
        {
            if (Directory.Exists(tmp))
            {
                Directory.Delete(tmp, recursive: true);
            }
        }
        catch (IOException)
        {
        }
    }
}
