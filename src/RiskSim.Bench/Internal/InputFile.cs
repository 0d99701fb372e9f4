using System.Security.Cryptography;

namespace RiskSim.Bench.Internal;

/// <summary>One input file: its path as given, lazily its bytes and SHA-256. Not thread-safe.</summary>
internal sealed class InputFile
{
    private byte[]? bytes;
    private string? sha256;

    public InputFile(string path, bool fromFolder)
    {
        Path = path;
        FromFolder = fromFolder;
        Length = new FileInfo(path).Length;
    }

    /// <summary>The path as given (or as found under a given folder).</summary>
    public string Path { get; }

    /// <summary>True when the file was found by walking a folder (an unrecognized file is then skipped, not an error).</summary>
    public bool FromFolder { get; }

    public long Length { get; }

    /// <summary>The whole file (for the summary formats; the per-request reader streams instead).</summary>
    public byte[] Bytes => bytes ??= File.ReadAllBytes(Path);

    /// <summary>Lower-case hex SHA-256 of the file's bytes.</summary>
    public string Sha256
    {
        get
        {
            if (sha256 is null)
            {
                if (bytes is not null)
                {
                    sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
                }
                else
                {
                    using var s = File.OpenRead(Path);
                    sha256 = Convert.ToHexStringLower(SHA256.HashData(s));
                }
            }

            return sha256;
        }
    }

    /// <summary>Sets the hash computed by a streaming reader over the same bytes.</summary>
    public void SetSha256(string hex) => sha256 = hex;

    /// <summary>Reads the first <paramref name="max"/> bytes (all of a small file).</summary>
    public byte[] Head(int max)
    {
        if (bytes is not null || Length <= max)
        {
            return Bytes.Length <= max ? Bytes : Bytes[..max];
        }

        using var s = File.OpenRead(Path);
        var buf = new byte[max];
        int n = s.ReadAtLeast(buf, max, throwOnEndOfStream: false);
        return n == max ? buf : buf[..n];
    }
}
