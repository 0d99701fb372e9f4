using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.MonteCarlo;

/// <summary>A sharded run's partial result that cannot be used: unreadable, unfinished, or not of the same run as the others (exit code 2).</summary>
public sealed class ShardException : Exception
{
    /// <summary>A shard problem with its message.</summary>
    public ShardException(string message)
        : base(message)
    {
    }

    /// <summary>A shard problem without details.</summary>
    public ShardException()
    {
    }

    /// <summary>A shard problem with its message and cause.</summary>
    public ShardException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>
/// What a partial result says about itself (the JSON header of the file): the run it belongs to, which blocks it
/// holds, how it counted them, and where and how fast it ran. Two partials merge only when every field that
/// decides the statistics' bits agrees (<see cref="ShardSet.Validate"/>).
/// </summary>
public sealed record ShardHeader
{
    /// <summary>The partial-result format this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Mode of runs that keep every trial in a single process: the partial holds every trial's KPIs.</summary>
    public const string InMemoryMode = "in_memory";

    /// <summary>Mode of one-pass runs: the partial holds counts, moment sums, exact tail sums and the values in the pilot's windows.</summary>
    public const string OnePassMode = "one_pass";

    /// <summary>Format version of the partial-result file.</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;
    /// <summary>RiskSim version that wrote the shard.</summary>
    public required string RiskSimVersion { get; init; }
    /// <summary>Name of the config.</summary>
    public required string Name { get; init; }

    /// <summary>The config file as given to <c>risksim run</c> (shown in the merged reports' provenance).</summary>
    public required string ConfigFile { get; init; }

    /// <summary>SHA-256 of the canonical config: every shard of a run has the same.</summary>
    public required string ConfigSha256 { get; init; }

    /// <summary>The canonical config JSON (overrides applied): the merge rebuilds the spec from it.</summary>
    public required string CanonicalConfig { get; init; }

    /// <summary>Per-trial IRR on (the CLI's <c>--irr</c> does not change the config hash, so it is recorded).</summary>
    public required bool Irr { get; init; }

    /// <summary>Master seed of the run.</summary>
    public required ulong Seed { get; init; }
    /// <summary>Trials of the whole run (all shards).</summary>
    public required long Trials { get; init; }

    /// <summary>"lhs" or "mc".</summary>
    public required string Sampling { get; init; }

    /// <summary>Index of this shard, 0-based.</summary>
    public required int Shard { get; init; }
    /// <summary>Number of shards of the run.</summary>
    public required int Shards { get; init; }
    /// <summary>First block this shard ran.</summary>
    public required long FirstBlock { get; init; }
    /// <summary>Block after the last one this shard ran.</summary>
    public required long EndBlock { get; init; }

    /// <summary><see cref="InMemoryMode"/> or <see cref="OnePassMode"/>.</summary>
    public required string Mode { get; init; }

    /// <summary>KPI columns of the run (with IRR or not).</summary>
    public required int KpiColumns { get; init; }

    /// <summary>
    /// Architecture and operating system. Not the vector width: every statistic has the same bits at every width (moments
    /// in fixed virtual lanes, RiskSim's own exp and log), so shards from AVX2 and AVX-512 nodes merge. The architecture and
    /// OS stay, because the PERT and beta quantile tables are built with MathNet and the C runtime's exp/log/pow.
    /// </summary>
    public required string Numerics { get; init; }

    /// <summary>Trial count above which the run takes one pass (tests lower it).</summary>
    public required long OnePassAbove { get; init; }

    /// <summary>Half-width of the pilot's windows in standard errors (tests lower it).</summary>
    public required double WindowSigmas { get; init; }

    /// <summary>Where the shard index came from (e.g. "slurm array job 812, task 3").</summary>
    public string Origin { get; init; } = "";

    /// <summary>Host that ran the shard.</summary>
    public string Host { get; init; } = "";
    /// <summary>When the shard was written.</summary>
    public DateTimeOffset Created { get; init; }
    /// <summary>Worker threads of the shard (results do not depend on it).</summary>
    public int Threads { get; init; }

    /// <summary>Wall time of the shard's run (setup, pilot, simulation and counting), before the file was written.</summary>
    public double WallSeconds { get; init; }

    /// <summary>CPU time of the shard's process when the file was written (runtime start and JIT included).</summary>
    public double CpuSeconds { get; init; }

    /// <summary>Simulation and counting time of the shard.</summary>
    public double SimulationSeconds { get; init; }

    /// <summary>Trials of the shard's own blocks.</summary>
    public long ShardTrials => Math.Max(0, Math.Min(Trials, EndBlock * BlockSampler.BlockSize) - (FirstBlock * BlockSampler.BlockSize));

    /// <summary>The numerics fingerprint of this process.</summary>
    public static string CurrentNumerics =>
        $"{RuntimeInformation.ProcessArchitecture}, {(OperatingSystem.IsLinux() ? "Linux" : OperatingSystem.IsWindows() ? "Windows" : OperatingSystem.IsMacOS() ? "macOS" : "other OS")}, moments in {KpiStatistics.MomentLanes} virtual lanes (any vector width)";

    internal byte[] ToJson()
    {
        using var ms = new MemoryStream();
        using (var w = new Utf8JsonWriter(ms, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("kind", "risksim_partial_result");
            w.WriteNumber("format_version", FormatVersion);
            w.WriteString("risksim_version", RiskSimVersion);
            w.WriteString("name", Name);
            w.WriteString("config_file", ConfigFile);
            w.WriteString("config_sha256", ConfigSha256);
            w.WriteBoolean("irr", Irr);
            w.WriteNumber("seed", Seed);
            w.WriteNumber("trials", Trials);
            w.WriteString("sampling", Sampling);
            w.WriteNumber("shard", Shard);
            w.WriteNumber("shards", Shards);
            w.WriteNumber("first_block", FirstBlock);
            w.WriteNumber("end_block", EndBlock);
            w.WriteNumber("block_size", BlockSampler.BlockSize);
            w.WriteString("mode", Mode);
            w.WriteNumber("kpi_columns", KpiColumns);
            w.WriteString("numerics", Numerics);
            w.WriteNumber("one_pass_above", OnePassAbove);
            w.WriteNumber("window_sigmas", WindowSigmas);
            w.WriteString("origin", Origin);
            w.WriteString("host", Host);
            w.WriteString("created_utc", Created.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteNumber("threads", Threads);
            w.WriteNumber("wall_s", Math.Round(WallSeconds, 3));
            w.WriteNumber("cpu_s", Math.Round(CpuSeconds, 3));
            w.WriteNumber("simulation_s", Math.Round(SimulationSeconds, 3));
            w.WriteString("canonical_config", CanonicalConfig);
            w.WriteEndObject();
        }

        return ms.ToArray();
    }

    internal static ShardHeader FromJson(string source, ReadOnlySpan<byte> json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException ex)
        {
            throw new ShardException($"{source}: the partial result's header is not valid JSON ({ex.Message})", ex);
        }

        using (doc)
        {
            var root = doc.RootElement;
            JsonElement Get(string name) => root.ValueKind == JsonValueKind.Object && root.TryGetProperty(name, out var v)
                ? v
                : throw new ShardException($"{source}: the partial result's header has no \"{name}\"");
            try
            {
                var created = DateTimeOffset.TryParse(Get("created_utc").GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var c) ? c : default;
                return new ShardHeader
                {
                    FormatVersion = Get("format_version").GetInt32(),
                    RiskSimVersion = Get("risksim_version").GetString()!,
                    Name = Get("name").GetString()!,
                    ConfigFile = Get("config_file").GetString()!,
                    ConfigSha256 = Get("config_sha256").GetString()!,
                    CanonicalConfig = Get("canonical_config").GetString()!,
                    Irr = Get("irr").GetBoolean(),
                    Seed = Get("seed").GetUInt64(),
                    Trials = Get("trials").GetInt64(),
                    Sampling = Get("sampling").GetString()!,
                    Shard = Get("shard").GetInt32(),
                    Shards = Get("shards").GetInt32(),
                    FirstBlock = Get("first_block").GetInt64(),
                    EndBlock = Get("end_block").GetInt64(),
                    Mode = Get("mode").GetString()!,
                    KpiColumns = Get("kpi_columns").GetInt32(),
                    Numerics = Get("numerics").GetString()!,
                    OnePassAbove = Get("one_pass_above").GetInt64(),
                    WindowSigmas = Get("window_sigmas").GetDouble(),
                    Origin = Get("origin").GetString() ?? "",
                    Host = Get("host").GetString() ?? "",
                    Created = created,
                    Threads = Get("threads").GetInt32(),
                    WallSeconds = Get("wall_s").GetDouble(),
                    CpuSeconds = Get("cpu_s").GetDouble(),
                    SimulationSeconds = Get("simulation_s").GetDouble(),
                };
            }
            catch (Exception ex) when (ex is InvalidOperationException or FormatException)
            {
                throw new ShardException($"{source}: the partial result's header has a field of the wrong type ({ex.Message})", ex);
            }
        }
    }
}

/// <summary>
/// The binary partial-result file (<c>*.rspart</c>), little-endian: <c>"RSIMPART"</c>, int32 format version, int32
/// header length, the UTF-8 JSON header (<see cref="ShardHeader"/>), the body, then a footer: the SHA-256 of everything
/// before it and <c>"RSIMDONE"</c>.
/// </summary>
/// <remarks>
/// A file without a matching footer was not finished (or was altered) and is refused. Body of
/// <see cref="ShardHeader.InMemoryMode"/>: int32 mode 0, int32 KPI columns, then each column's KPIs of the shard's
/// trials (float64, NaN = does not exist). Body of <see cref="ShardHeader.OnePassMode"/>: int32 mode 1, int32 KPI
/// columns, one summary per KPI (shift, histogram buckets, windows, counts, extremes, histogram counts, the moment sums
/// of each block, the exact sum beyond the cut, the number of window values), the kept trials (shard 0: the first
/// 65,536 trials' KPIs; others none), then each KPI's window values.
/// </remarks>
internal static class ShardFormat
{
    public static ReadOnlySpan<byte> Magic => "RSIMPART"u8;

    public static ReadOnlySpan<byte> EndMagic => "RSIMDONE"u8;

    public const int FooterLength = 32 + 8;

    /// <summary>Writes a shard's partial result: the header, the body (<paramref name="body"/>), the footer with the checksum.</summary>
    public static void Write(Stream destination, ShardHeader header, Action<BinaryWriter> body)
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("partial results are written on little-endian machines only");
        }

        using var hashing = new HashingStream(destination); // hashes what passes through; leaves the destination open
        byte[] hash;
        using (var buffered = new BufferedStream(hashing, 1 << 20))
        using (var w = new BinaryWriter(buffered, Encoding.UTF8, leaveOpen: true))
        {
            w.Write(Magic);
            w.Write(header.FormatVersion);
            var json = header.ToJson();
            w.Write(json.Length);
            w.Write(json);
            body(w);
            w.Flush();
            buffered.Flush();
            hash = hashing.Finish();
        }

        destination.Write(hash);
        destination.Write(EndMagic);
        destination.Flush();
    }

    /// <summary>Writes doubles as raw little-endian bytes.</summary>
    public static void WriteDoubles(BinaryWriter w, ReadOnlySpan<double> values) => w.Write(MemoryMarshal.AsBytes(values));

    /// <summary>Reads doubles written by <see cref="WriteDoubles"/>.</summary>
    public static void ReadDoubles(Stream s, Span<double> values) => s.ReadExactly(MemoryMarshal.AsBytes(values));

    /// <summary>
    /// Checks the footer: the end marker, then the SHA-256 of everything before it. Throws <see cref="ShardException"/>
    /// naming the file when the file is not a finished partial result.
    /// </summary>
    public static void Verify(string source, Stream s)
    {
        long length = s.Length;
        if (length < 16 + FooterLength)
        {
            throw new ShardException($"{source}: not a finished RiskSim partial result ({length} bytes: too short)");
        }

        Span<byte> footer = stackalloc byte[FooterLength];
        s.Position = length - FooterLength;
        s.ReadExactly(footer);
        if (!footer[32..].SequenceEqual(EndMagic))
        {
            throw new ShardException($"{source}: not a finished RiskSim partial result (no end marker: the shard was killed while writing, or the file was cut short)");
        }

        s.Position = 0;
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        long left = length - FooterLength;
        while (left > 0)
        {
            int n = s.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            if (n <= 0)
            {
                throw new ShardException($"{source}: the file ended while it was being read");
            }

            sha.AppendData(buffer, 0, n);
            left -= n;
        }

        if (!sha.GetHashAndReset().AsSpan().SequenceEqual(footer[..32]))
        {
            throw new ShardException($"{source}: the partial result's checksum does not match its contents (the file was altered or damaged)");
        }
    }

    /// <summary>A write-through stream that hashes every byte written (SHA-256).</summary>
    private sealed class HashingStream(Stream inner) : Stream
    {
        private readonly IncrementalHash _sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public byte[] Finish() => _sha.GetHashAndReset();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            _sha.AppendData(buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _sha.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

/// <summary>One KPI's part of a one-pass partial result.</summary>
internal sealed class ShardKpiPart
{
    public double Center { get; init; }
    public double BucketsLow { get; init; }
    public double BucketsHigh { get; init; }
    public int BucketsCount { get; init; }
    public required (int Lo, int Hi)[] Windows { get; init; }
    public int EsIndex { get; init; }
    public long Count { get; init; }
    public long Negative { get; init; }
    public double Min { get; init; }
    public double Max { get; init; }
    public required long[] Within { get; init; }
    public required long[] Histogram { get; init; }
    public required double[] Sums { get; init; }
    public required double[] Squares { get; init; }
    public required ExactSum Beyond { get; init; }
    public long Candidates { get; init; }

    /// <summary>Where the KPI's window values start in the file (set once the whole summary section is read).</summary>
    public long CandidateOffset { get; set; }

    public void WriteTo(BinaryWriter w)
    {
        w.Write(Center);
        w.Write(BucketsLow);
        w.Write(BucketsHigh);
        w.Write(BucketsCount);
        w.Write(Windows.Length);
        foreach (var (lo, hi) in Windows)
        {
            w.Write(lo);
            w.Write(hi);
        }

        w.Write(EsIndex);
        w.Write(Count);
        w.Write(Negative);
        w.Write(Min);
        w.Write(Max);
        w.Write(Within.Length);
        foreach (long x in Within)
        {
            w.Write(x);
        }

        w.Write(MemoryMarshal.AsBytes(Histogram.AsSpan()));
        w.Write(Sums.Length);
        ShardFormat.WriteDoubles(w, Sums);
        ShardFormat.WriteDoubles(w, Squares);
        Beyond.WriteTo(w);
        w.Write(Candidates);
    }

    public static ShardKpiPart ReadFrom(BinaryReader r, long blocks)
    {
        double center = r.ReadDouble();
        double low = r.ReadDouble();
        double high = r.ReadDouble();
        int count = r.ReadInt32();
        int windows = r.ReadInt32();
        if (count < 1 || count > KeyBuckets.DefaultCount || windows < 0 || windows > TailCollector.MaxIntervals)
        {
            throw new InvalidDataException($"{count} buckets, {windows} windows");
        }

        var ranges = new (int Lo, int Hi)[windows];
        for (int i = 0; i < windows; i++)
        {
            ranges[i] = (r.ReadInt32(), r.ReadInt32());
        }

        int es = r.ReadInt32();
        long finite = r.ReadInt64();
        long negative = r.ReadInt64();
        double min = r.ReadDouble();
        double max = r.ReadDouble();
        int withinLength = r.ReadInt32();
        if (withinLength is < 0 or > 1024)
        {
            throw new InvalidDataException($"{withinLength} payback thresholds");
        }

        var within = new long[withinLength];
        for (int i = 0; i < within.Length; i++)
        {
            within[i] = r.ReadInt64();
        }

        var histogram = new long[count];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(histogram.AsSpan()));
        int n = r.ReadInt32();
        if (n != blocks)
        {
            throw new InvalidDataException($"{n} blocks' moment sums for {blocks} blocks");
        }

        var sums = new double[n];
        var squares = new double[n];
        ShardFormat.ReadDoubles(r.BaseStream, sums);
        ShardFormat.ReadDoubles(r.BaseStream, squares);
        var beyond = ExactSum.ReadFrom(r);
        long candidates = r.ReadInt64();
        if (candidates < 0)
        {
            throw new InvalidDataException($"{candidates} window values");
        }

        return new ShardKpiPart
        {
            Center = center,
            BucketsLow = low,
            BucketsHigh = high,
            BucketsCount = count,
            Windows = ranges,
            EsIndex = es,
            Count = finite,
            Negative = negative,
            Min = min,
            Max = max,
            Within = within,
            Histogram = histogram,
            Sums = sums,
            Squares = squares,
            Beyond = beyond,
            Candidates = candidates,
        };
    }
}

/// <summary>
/// A partial result of one shard, read from its file: the header and the small sections (counts, sums, histograms;
/// the kept trials of shard 0). The large sections (every trial's KPIs, or the values in the windows) stay in the
/// file and are streamed from it when merged.
/// </summary>
public sealed class ShardPartial
{
    private ShardPartial(string source, Func<Stream> open, ShardHeader header)
    {
        Source = source;
        Open = open;
        Header = header;
    }

    /// <summary>Where the partial came from (its path), for error messages.</summary>
    public string Source { get; }

    /// <summary>The header of the shard file.</summary>
    public ShardHeader Header { get; }

    internal Func<Stream> Open { get; }

    /// <summary>One-pass: each KPI's summary.</summary>
    internal ShardKpiPart[] Kpis { get; private set; } = [];

    /// <summary>One-pass, shard 0: the first <see cref="MonteCarloEngine.KeptTrials"/> trials' KPIs (else empty).</summary>
    internal double[][] Kept { get; private set; } = [];

    /// <summary>In memory: where each KPI's column starts in the file.</summary>
    internal long[] ValueOffsets { get; private set; } = [];

    /// <summary>
    /// Reads a partial result: checks the end marker and checksum (unless <paramref name="verify"/> is false), the
    /// format version and the header, and reads the small sections. Throws <see cref="ShardException"/> naming
    /// <paramref name="source"/> when the file is not a finished partial result of a format this build reads.
    /// </summary>
    public static ShardPartial Read(string source, Func<Stream> open, bool verify = true)
    {
        using var s = open();
        if (verify)
        {
            ShardFormat.Verify(source, s);
        }

        s.Position = 0;
        using var r = new BinaryReader(s, Encoding.UTF8, leaveOpen: true);
        try
        {
            Span<byte> magic = stackalloc byte[8];
            if (s.Read(magic) != 8 || !magic.SequenceEqual(ShardFormat.Magic))
            {
                throw new ShardException($"{source}: not a RiskSim partial result (it does not start with RSIMPART)");
            }

            int format = r.ReadInt32();
            int headerLength = r.ReadInt32();
            if (headerLength <= 0 || headerLength > s.Length)
            {
                throw new ShardException($"{source}: not a RiskSim partial result (header length {headerLength})");
            }

            var json = r.ReadBytes(headerLength);
            if (format != ShardHeader.CurrentFormatVersion)
            {
                string writer = "another RiskSim version";
                try
                {
                    writer = "RiskSim " + ShardHeader.FromJson(source, json).RiskSimVersion;
                }
                catch (ShardException)
                {
                }

                throw new ShardException($"{source}: partial-result format {format} (written by {writer}); this RiskSim reads format {ShardHeader.CurrentFormatVersion}: merge with the RiskSim version that ran the shards");
            }

            var header = ShardHeader.FromJson(source, json);
            var part = new ShardPartial(source, open, header);
            int mode = r.ReadInt32();
            int cols = r.ReadInt32();
            if (cols != header.KpiColumns || cols < 1 || cols > TrialKpis.All.Length)
            {
                throw new ShardException($"{source}: {cols} KPI columns in the body, {header.KpiColumns} in the header");
            }

            long blocks = header.EndBlock - header.FirstBlock;
            if (blocks < 0 || header.FirstBlock < 0)
            {
                throw new ShardException($"{source}: blocks {header.FirstBlock} … {header.EndBlock - 1}");
            }

            long end;
            if (mode == 0 && header.Mode == ShardHeader.InMemoryMode)
            {
                long n = header.ShardTrials;
                part.ValueOffsets = [.. Enumerable.Range(0, cols).Select(k => s.Position + (k * n * sizeof(double)))];
                end = s.Position + (cols * n * sizeof(double));
            }
            else if (mode == 1 && header.Mode == ShardHeader.OnePassMode)
            {
                var kpis = new ShardKpiPart[cols];
                for (int k = 0; k < cols; k++)
                {
                    kpis[k] = ShardKpiPart.ReadFrom(r, blocks);
                }

                int kept = r.ReadInt32();
                if (kept is not (0 or MonteCarloEngine.KeptTrials))
                {
                    throw new InvalidDataException($"{kept} kept trials");
                }

                part.Kept = kept == 0 ? [] : [.. Enumerable.Range(0, cols).Select(_ => new double[kept])];
                foreach (var column in part.Kept)
                {
                    ShardFormat.ReadDoubles(s, column);
                }

                long offset = s.Position;
                foreach (var kpi in kpis)
                {
                    kpi.CandidateOffset = offset;
                    offset += kpi.Candidates * sizeof(double);
                }

                part.Kpis = kpis;
                end = offset;
            }
            else
            {
                throw new ShardException($"{source}: body mode {mode} does not match the header's mode \"{header.Mode}\"");
            }

            if (end + ShardFormat.FooterLength != s.Length)
            {
                throw new ShardException($"{source}: {s.Length} bytes, but its sections add up to {end + ShardFormat.FooterLength}");
            }

            return part;
        }
        catch (Exception ex) when (ex is EndOfStreamException or InvalidDataException or IOException and not FileNotFoundException)
        {
            throw new ShardException($"{source}: not a valid RiskSim partial result ({ex.Message})", ex);
        }
    }

    /// <summary>Reads in-memory KPI column <paramref name="k"/> of this shard's trials into <paramref name="destination"/>.</summary>
    internal void ReadValues(int k, Span<double> destination)
    {
        using var s = Open();
        s.Position = ValueOffsets[k];
        ShardFormat.ReadDoubles(s, destination);
    }

    /// <summary>Streams KPI <paramref name="k"/>'s window values in chunks.</summary>
    internal void ForEachCandidateChunk(int k, double[] buffer, Action<ReadOnlySpan<double>> chunk)
    {
        var part = Kpis[k];
        using var s = Open();
        s.Position = part.CandidateOffset;
        long left = part.Candidates;
        while (left > 0)
        {
            int n = (int)Math.Min(buffer.Length, left);
            ShardFormat.ReadDoubles(s, buffer.AsSpan(0, n));
            chunk(buffer.AsSpan(0, n));
            left -= n;
        }
    }
}

/// <summary>The shards of a run: how blocks are split, and whether a set of partial results makes one whole run.</summary>
public static class ShardSet
{
    /// <summary>Most shards of one run.</summary>
    public const int MaxShards = 100_000;

    /// <summary>
    /// The blocks of shard <paramref name="shard"/> of <paramref name="shards"/>: the contiguous range
    /// [⌊shard·B/shards⌋, ⌊(shard + 1)·B/shards⌋) of the run's B blocks of 16,384 trials (sizes differ by at most one block).
    /// </summary>
    public static (long First, long End) Blocks(int shard, int shards, long blocks)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(shards, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(shard);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(shard, shards);
        return (shard * blocks / shards, (shard + 1) * blocks / shards);
    }

    /// <summary>Blocks of a run of <paramref name="trials"/> trials.</summary>
    public static long BlocksOf(long trials) => (trials + BlockSampler.BlockSize - 1) / BlockSampler.BlockSize;

    /// <summary>
    /// Checks that <paramref name="parts"/> are the shards 0 … N − 1 of one run, each once, written by this RiskSim
    /// (<paramref name="riskSimVersion"/>) on machines of the same numerics; returns them in shard order. Otherwise throws
    /// one <see cref="ShardException"/> that lists every problem, naming the files.
    /// </summary>
    public static IReadOnlyList<ShardPartial> Validate(IReadOnlyList<ShardPartial> parts, string riskSimVersion)
    {
        if (parts.Count == 0)
        {
            throw new ShardException("no partial results to merge");
        }

        var problems = new List<string>();
        var reference = parts.FirstOrDefault(p => p.Header.Shard == 0) ?? parts[0];
        var h0 = reference.Header;
        string Who(ShardPartial p) => $"{p.Source} (shard {p.Header.Shard} of {p.Header.Shards})";
        foreach (var p in parts)
        {
            var h = p.Header;
            if (h.RiskSimVersion != riskSimVersion)
            {
                problems.Add($"{Who(p)} was written by RiskSim {h.RiskSimVersion}; this is RiskSim {riskSimVersion}: partial results merge only with the version that wrote them");
            }

            void Same<T>(string what, T mine, T theirs)
            {
                if (!EqualityComparer<T>.Default.Equals(mine, theirs))
                {
                    problems.Add($"{Who(p)} has {what} {mine}, but {Who(reference)} has {theirs}: not shards of the same run");
                }
            }

            if (ReferenceEquals(p, reference))
            {
                continue;
            }

            Same("RiskSim version", h.RiskSimVersion, h0.RiskSimVersion);
            Same("config sha256", h.ConfigSha256, h0.ConfigSha256);
            Same("seed", h.Seed, h0.Seed);
            Same("trials", h.Trials, h0.Trials);
            Same("sampling", h.Sampling, h0.Sampling);
            Same("IRR setting", h.Irr, h0.Irr);
            Same("shard count", h.Shards, h0.Shards);
            Same("mode", h.Mode, h0.Mode);
            Same("numerics", h.Numerics, h0.Numerics);
            Same("one-pass threshold", h.OnePassAbove, h0.OnePassAbove);
            Same("window width", h.WindowSigmas, h0.WindowSigmas);
        }

        if (problems.Count == 0)
        {
            int n = h0.Shards;
            long blocks = BlocksOf(h0.Trials);
            foreach (var g in parts.GroupBy(p => p.Header.Shard).Where(g => g.Count() > 1).OrderBy(g => g.Key))
            {
                problems.Add($"shard {g.Key} of {n} appears {g.Count()} times: {string.Join(", ", g.Select(p => p.Source))}");
            }

            foreach (var p in parts)
            {
                var h = p.Header;
                if (h.Shard < 0 || h.Shard >= n)
                {
                    problems.Add($"{Who(p)}: shard index out of range");
                    continue;
                }

                var (first, end) = Blocks(h.Shard, n, blocks);
                if (h.FirstBlock != first || h.EndBlock != end)
                {
                    problems.Add($"{Who(p)} holds blocks {h.FirstBlock} … {h.EndBlock - 1}, but shard {h.Shard} of {n} is blocks {first} … {end - 1}");
                }
            }

            var present = parts.Select(p => p.Header.Shard).ToHashSet();
            var missing = Enumerable.Range(0, n).Where(i => !present.Contains(i)).ToList();
            if (missing.Count > 0)
            {
                string list = missing.Count <= 20 ? string.Join(", ", missing) : string.Join(", ", missing.Take(20)) + $" and {missing.Count - 20} more";
                problems.Add($"{(missing.Count == 1 ? "shard" : "shards")} {list} of {n} {(missing.Count == 1 ? "is" : "are")} missing ({parts.Count} partial result{(parts.Count == 1 ? "" : "s")} given for {h0.Name}, seed {h0.Seed}, {h0.Trials:N0} trials)");
            }
        }

        if (problems.Count > 0)
        {
            throw new ShardException(string.Join(Environment.NewLine, problems));
        }

        return [.. parts.OrderBy(p => p.Header.Shard)];
    }

    /// <summary>The spec of the run the partials belong to, rebuilt from the canonical config and checked against its hash.</summary>
    public static SimulationSpec SpecOf(ShardPartial part)
    {
        var h = part.Header;
        var (spec, errors) = ConfigLoader.TryLoad(h.CanonicalConfig);
        if (spec is null)
        {
            throw new ShardException($"{part.Source}: its config does not load in this RiskSim: {string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}"))}");
        }

        if (spec.ConfigHash != h.ConfigSha256)
        {
            throw new ShardException($"{part.Source}: its config has sha256 {spec.ConfigHash} here, but {h.ConfigSha256} when the shard ran");
        }

        return h.Irr && !spec.Simulation.Irr ? spec with { Simulation = spec.Simulation with { Irr = true } } : spec;
    }

    /// <summary>The run options of the sharded run, with <paramref name="threads"/> for the merge.</summary>
    public static RunOptions OptionsOf(ShardHeader h, int threads) =>
        new(h.Trials, h.Seed, h.Sampling == "mc" ? SamplingMethod.MonteCarlo : SamplingMethod.LatinHypercube, threads)
        {
            OnePassAbove = h.OnePassAbove,
            WindowSigmas = h.WindowSigmas,
        };
}
