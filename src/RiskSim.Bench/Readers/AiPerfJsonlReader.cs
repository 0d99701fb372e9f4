using System.Buffers;
using System.Security.Cryptography;
using System.Text.Json;
using RiskSim.Bench.Internal;

namespace RiskSim.Bench.Readers;

/// <summary>
/// AIPerf per-request <c>profile_export.jsonl</c>: one line per request, <c>{"metadata": {benchmark_phase,
/// request_start_ns, request_end_ns, was_cancelled, …}, "metrics": {"tag": {"value": …, "unit": …}, …}, "error": …}</c>.
/// </summary>
/// <remarks>
/// Streamed line by line (no document model, constant memory apart from two doubles per request for the TTFT/TPOT
/// samples). The run's figures follow AIPerf's own definitions: output tokens/s = Σ output_sequence_length / (last
/// request end − first request start); TTFT and TPOT (inter_token_latency) quantiles by linear interpolation.
/// Warmup lines are skipped; cancelled requests are counted apart, not as failures; a line with an error is a failure.
/// </remarks>
internal sealed class AiPerfJsonlReader : BenchReader
{
    private const int InitialBuffer = 1 << 20;

    public override string Format => BenchmarkFormats.AiPerfJsonl;

    public override string Tool => BenchmarkTools.AiPerf;

    public override string LooksFor => "JSON lines each with metadata (request_start_ns, benchmark_phase …) and metrics {tag: {value, unit}}";

    public override bool Detect(Probe p) =>
        p.IsJson && !p.RootIsArray && p.HasAll("metadata", "metrics")
        && p.HasAny("metadata.request_start_ns", "metadata.benchmark_phase", "metadata.x_request_id", "metadata.session_num");

    public override void Read(ReadContext ctx)
    {
        var acc = new Accumulator(ctx.File.Length);
        using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
        using (var fs = new FileStream(ctx.File.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan))
        {
            byte[] buf = ArrayPool<byte>.Shared.Rent(InitialBuffer);
            try
            {
                int filled = 0;
                long bufOffset = 0;
                int line = 0;
                bool first = true;
                while (true)
                {
                    ctx.CancellationToken.ThrowIfCancellationRequested();
                    if (filled == buf.Length)
                    {
                        var bigger = ArrayPool<byte>.Shared.Rent(buf.Length * 2);
                        buf.AsSpan(0, filled).CopyTo(bigger);
                        ArrayPool<byte>.Shared.Return(buf);
                        buf = bigger;
                    }

                    int read = fs.Read(buf, filled, buf.Length - filled);
                    if (read > 0)
                    {
                        hash.AppendData(buf, filled, read);
                    }

                    int end = filled + read;
                    int start = 0;
                    if (first && end >= 3 && buf[0] == 0xEF && buf[1] == 0xBB && buf[2] == 0xBF)
                    {
                        start = 3;
                    }

                    first = false;
                    while (true)
                    {
                        int nl = buf.AsSpan(start, end - start).IndexOf((byte)'\n');
                        if (nl < 0)
                        {
                            break;
                        }

                        line++;
                        acc.Line(buf.AsSpan(start, nl), line, bufOffset + start);
                        start += nl + 1;
                    }

                    if (read == 0)
                    {
                        if (end > start)
                        {
                            line++;
                            acc.Line(buf.AsSpan(start, end - start), line, bufOffset + start);
                        }

                        break;
                    }

                    // Keep the partial last line for the next read.
                    int rest = end - start;
                    buf.AsSpan(start, rest).CopyTo(buf);
                    bufOffset += start;
                    filled = rest;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buf);
            }

            ctx.File.SetSha256(Convert.ToHexStringLower(hash.GetHashAndReset()));
        }

        Emit(ctx, acc);
    }

    private void Emit(ReadContext ctx, Accumulator a)
    {
        if (a.Requests == 0)
        {
            throw new BenchInputException(null, "no profiling request lines in the file (only warmup, or empty)");
        }

        var ttft = a.Ttft.AsSpan(0, a.TtftCount);
        var tpot = a.Tpot.AsSpan(0, a.TpotCount);
        ttft.Sort();
        tpot.Sort();
        double? span = a.MaxEndNs > a.MinStartNs ? (a.MaxEndNs - a.MinStartNs) / 1e9 : null;
        var warnings = new List<string>();
        if (a.Cancelled > 0)
        {
            warnings.Add($"{a.Cancelled} request(s) were cancelled when the run ended; they are left out (not counted as failures)");
        }

        if (a.Warmup > 0)
        {
            ctx.Note(DiagnosticSeverity.Info, null, $"{a.Warmup} warmup request line(s) skipped");
        }

        if (a.MissingTokens > 0)
        {
            warnings.Add($"{a.MissingTokens} successful request(s) have no output_sequence_length; throughput counts the others");
        }

        var p = new BenchmarkPoint
        {
            Tool = Tool,
            MeanInputTokens = a.Completed > 0 && a.HasInput ? a.InputTokens / a.Completed : null,
            MeanOutputTokens = a.Completed > 0 ? a.OutputTokens / a.Completed : null,
            DurationSeconds = span,
            OutputTokensPerSecond = span is double s ? a.OutputTokens / s : null,
            TotalTokensPerSecond = span is double s2 && a.HasInput ? (a.InputTokens + a.OutputTokens) / s2 : null,
            RequestsPerSecond = span is double s3 ? a.Completed / s3 : null,
            MeasuredConcurrency = span is double s4 && a.LatencySeconds > 0 ? a.LatencySeconds / s4 : null,
            TtftMeanSeconds = Quantiles.Mean(ttft),
            TtftMedianSeconds = Quantiles.Of(ttft, 0.5),
            TtftP99Seconds = Quantiles.Of(ttft, 0.99),
            TpotMeanSeconds = Quantiles.Mean(tpot),
            TpotMedianSeconds = Quantiles.Of(tpot, 0.5),
            TpotP99Seconds = Quantiles.Of(tpot, 0.99),
            CompletedRequests = a.Completed,
            FailedRequests = a.Failed,
            Samples = ctx.Options.KeepRequestSamples ? new RequestSamples(ttft.ToArray(), tpot.ToArray()) : null,
            Warnings = warnings,
            Source = ctx.Source($"{a.Requests} request lines", 0),
        };
        ctx.Add(p);
    }

    /// <summary>Running totals over the request lines; parses one line at a time.</summary>
    private sealed class Accumulator
    {
        public Accumulator(long fileBytes)
        {
            int guess = (int)Math.Clamp(fileBytes / 256, 16, 1 << 24);
            Ttft = new double[guess];
            Tpot = new double[guess];
        }

        public double[] Ttft;
        public int TtftCount;
        public double[] Tpot;
        public int TpotCount;
        public long Requests, Completed, Failed, Cancelled, Warmup, MissingTokens;
        public double OutputTokens, InputTokens, LatencySeconds;
        public bool HasInput;
        public long MinStartNs = long.MaxValue, MaxEndNs = long.MinValue;

        public void Line(ReadOnlySpan<byte> line, int lineNo, long fileOffset)
        {
            if (!line.IsEmpty && line[^1] == (byte)'\r')
            {
                line = line[..^1];
            }

            if (line.Trim(" \t"u8).IsEmpty)
            {
                return;
            }

            Record r;
            try
            {
                r = Parse(line);
            }
            catch (JsonException ex)
            {
                var fixedLine = LenientJson.QuoteNonFinite(line, out var ins);
                if (fixedLine is null)
                {
                    throw Bad(ex, line, lineNo, fileOffset, null);
                }

                try
                {
                    r = Parse(fixedLine);
                }
                catch (JsonException ex2)
                {
                    throw Bad(ex2, fixedLine, lineNo, fileOffset, ins);
                }
            }

            if (r.Warmup)
            {
                Warmup++;
                return;
            }

            Requests++;
            if (r.StartNs > 0 && r.StartNs < MinStartNs)
            {
                MinStartNs = r.StartNs;
            }

            if (r.EndNs > 0 && r.EndNs > MaxEndNs)
            {
                MaxEndNs = r.EndNs;
            }

            if (r.Cancelled)
            {
                Cancelled++;
                return;
            }

            if (r.Error)
            {
                Failed++;
                return;
            }

            Completed++;
            if (r.Osl is double osl)
            {
                OutputTokens += osl;
            }
            else
            {
                MissingTokens++;
            }

            if (r.Isl is double isl)
            {
                InputTokens += isl;
                HasInput = true;
            }

            if (r.StartNs > 0 && r.EndNs > r.StartNs)
            {
                LatencySeconds += (r.EndNs - r.StartNs) / 1e9;
            }
            else if (r.LatencyS is double lat)
            {
                LatencySeconds += lat;
            }

            if (r.TtftS is double t)
            {
                Add(ref Ttft, ref TtftCount, t);
            }

            if (r.TpotS is double tp)
            {
                Add(ref Tpot, ref TpotCount, tp);
            }
        }

        private static BenchInputException Bad(JsonException ex, ReadOnlySpan<byte> line, int lineNo, long fileOffset, List<int>? ins)
        {
            string pos = LenientJson.Position(line, 0, ex.BytePositionInLine ?? 0, ins);
            long inLine = long.Parse(pos[(pos.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            return new BenchInputException($"line {lineNo}, byte {inLine} (byte {fileOffset + inLine} of the file)", "invalid JSON: " + LenientJson.Clean(ex.Message));
        }

        private static void Add(ref double[] a, ref int n, double v)
        {
            if (n == a.Length)
            {
                Array.Resize(ref a, a.Length * 2);
            }

            a[n++] = v;
        }
    }

    private struct Record
    {
        public bool Warmup, Cancelled, Error;
        public long StartNs, EndNs;
        public double? TtftS, TpotS, Osl, Isl, LatencyS;
    }

    private static Record Parse(ReadOnlySpan<byte> line)
    {
        var r = default(Record);
        double? osl = null, tokenCount = null;
        var reader = new Utf8JsonReader(line, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("each line must be one JSON object (an AIPerf request record)", null, 0, 0);
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("metadata"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("benchmark_phase"u8))
                    {
                        reader.Read();
                        r.Warmup = reader.TokenType == JsonTokenType.String && reader.ValueTextEquals("warmup"u8);
                    }
                    else if (reader.ValueTextEquals("was_cancelled"u8))
                    {
                        reader.Read();
                        r.Cancelled = reader.TokenType == JsonTokenType.True;
                    }
                    else if (reader.ValueTextEquals("request_start_ns"u8))
                    {
                        reader.Read();
                        r.StartNs = Int(ref reader);
                    }
                    else if (reader.ValueTextEquals("request_end_ns"u8))
                    {
                        reader.Read();
                        r.EndNs = Int(ref reader);
                    }
                    else
                    {
                        reader.Read();
                        reader.Skip();
                    }
                }
            }
            else if (reader.ValueTextEquals("metrics"u8))
            {
                reader.Read();
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    reader.Skip();
                    continue;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    int tag = reader.ValueTextEquals("time_to_first_token"u8) ? 1
                        : reader.ValueTextEquals("inter_token_latency"u8) ? 2
                        : reader.ValueTextEquals("output_sequence_length"u8) ? 3
                        : reader.ValueTextEquals("input_sequence_length"u8) ? 4
                        : reader.ValueTextEquals("request_latency"u8) ? 5
                        : reader.ValueTextEquals("output_token_count"u8) ? 6
                        : 0;
                    reader.Read();
                    if (tag == 0 || reader.TokenType != JsonTokenType.StartObject)
                    {
                        reader.Skip();
                        continue;
                    }

                    var (value, scale) = ValueAndUnit(ref reader);
                    double? v = value * scale;
                    switch (tag)
                    {
                        case 1: r.TtftS = v; break;
                        case 2: r.TpotS = v; break;
                        case 3: osl = value; break;
                        case 4: r.Isl = value; break;
                        case 5: r.LatencyS = v; break;
                        default: tokenCount = value; break;
                    }
                }
            }
            else if (reader.ValueTextEquals("error"u8))
            {
                reader.Read();
                r.Error = reader.TokenType != JsonTokenType.Null;
                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0)
        {
            throw new JsonException("the line ends before its JSON object is closed", null, 0, reader.BytesConsumed);
        }

        if (reader.Read())
        {
            throw new JsonException("text after the line's JSON object", null, 0, reader.TokenStartIndex);
        }

        r.Osl = osl ?? tokenCount;
        return r;
    }

    private static long Int(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number
            ? (reader.TryGetInt64(out long l) ? l : (long)reader.GetDouble())
            : 0;

    /// <summary>Reads <c>{"value": x, "unit": "ms"}</c> (either order); returns the value and the factor to seconds.</summary>
    private static (double? Value, double Scale) ValueAndUnit(ref Utf8JsonReader reader)
    {
        double? value = null;
        double scale = 1e-3;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("value"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.Number)
                {
                    double d = reader.GetDouble();
                    value = double.IsFinite(d) && d >= 0 ? d : null;
                }
                else
                {
                    reader.Skip();
                }
            }
            else if (reader.ValueTextEquals("unit"u8))
            {
                reader.Read();
                if (reader.TokenType == JsonTokenType.String)
                {
                    scale = reader.ValueTextEquals("ms"u8) ? 1e-3
                        : reader.ValueTextEquals("ns"u8) ? 1e-9
                        : reader.ValueTextEquals("us"u8) ? 1e-6
                        : reader.ValueTextEquals("sec"u8) || reader.ValueTextEquals("s"u8) ? 1.0
                        : 1.0;
                }
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return (value, scale);
    }
}
