namespace RiskSim.Cli;

/// <summary>Documented exit codes of the risksim command.</summary>
public static class ExitCodes
{
    /// <summary>Success; every gate passed.</summary>
    public const int Ok = 0;

    /// <summary>Unexpected internal error (a bug: please report it).</summary>
    public const int InternalError = 1;

    /// <summary>Bad input: invalid config, unknown option, unreadable file.</summary>
    public const int BadInput = 2;

    /// <summary>The run completed but at least one risk gate failed.</summary>
    public const int GateFailed = 3;

    /// <summary>Cancelled (Ctrl-C); a partial result marked as such was written.</summary>
    public const int Cancelled = 130;
}
