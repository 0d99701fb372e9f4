using System.Globalization;

namespace RiskSim.Bench.Internal;

/// <summary>The rules every point obeys, whatever tool wrote it.</summary>
internal static class PointRules
{
    /// <summary>Share of failed requests above which a point carries a warning.</summary>
    public const double FailureWarningShare = 0.01;

    /// <summary>
    /// Rejects a run that cannot be an operating point (no completed request, no throughput), warns on partial failure,
    /// derives tokens/s per user and the per-GPU figures where the file's own GPU count allows. Returns null when rejected
    /// (with a <see cref="DiagnosticSeverity.Rejected"/> diagnostic).
    /// </summary>
    public static BenchmarkPoint? Finish(BenchmarkPoint p, List<ImportDiagnostic> diags)
    {
        var warnings = new List<string>(p.Warnings);
        string? reject = null;
        if (p.CompletedRequests == 0)
        {
            reject = p.FailedRequests is long f && f > 0
                ? $"every request failed (completed 0, failed {f}): the run measured nothing, so it gives no throughput (not a zero)"
                : "no request completed (completed 0): the run measured nothing, so it gives no throughput (not a zero)";
        }
        else if (p.OutputTokensPerSecond is null && p.OutputTokensPerSecondPerGpu is null)
        {
            reject = "the record has no output throughput (output tokens/s), so it is not an operating point";
        }
        else if (p.OutputTokensPerSecond == 0 || p.OutputTokensPerSecondPerGpu == 0)
        {
            reject = "output throughput is 0 tokens/s: nothing was generated, so the run is not an operating point";
        }

        if (reject is not null)
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Rejected, p.Source.Path, p.Source.Locator, reject));
            return null;
        }

        if (p.FailedShare is double share && share > FailureWarningShare && !warnings.Any(w => w.Contains("requests failed (", StringComparison.Ordinal)))
        {
            warnings.Add($"{p.FailedRequests} of {p.CompletedRequests + p.FailedRequests} requests failed ({(share * 100).ToString("0.#", CultureInfo.InvariantCulture)} %): the figures cover the successful ones only");
        }

        var q = p;
        if (p.TpotMedianSeconds is double tpot && tpot > 0)
        {
            q = q with { TokensPerSecondPerUser = 1.0 / tpot, TokensPerSecondPerUserBasis = "1000/median TPOT ms" };
        }
        else if (p.TokensPerSecondPerUser is null && p.ItlMedianSeconds is double itl && itl > 0)
        {
            q = q with { TokensPerSecondPerUser = 1.0 / itl, TokensPerSecondPerUserBasis = "1000/median ITL ms (the file has no TPOT)" };
            AddOnce(warnings, "tokens/s per user is 1000/median ITL ms: the file has no TPOT (ITL is the gap between streamed chunks; equal to TPOT when each chunk is one token)");
        }

        if (q.GpuCount is int n && n > 0)
        {
            q = q with
            {
                OutputTokensPerSecondPerGpu = q.OutputTokensPerSecondPerGpu ?? q.OutputTokensPerSecond / n,
                TotalTokensPerSecondPerGpu = q.TotalTokensPerSecondPerGpu ?? q.TotalTokensPerSecond / n,
            };
        }

        q = q with { Warnings = warnings };
        foreach (var w in warnings)
        {
            diags.Add(new ImportDiagnostic(DiagnosticSeverity.Warning, q.Source.Path, q.Source.Locator, w));
        }

        return q;
    }

    private static void AddOnce(List<string> warnings, string w)
    {
        if (!warnings.Contains(w))
        {
            warnings.Add(w);
        }
    }
}
