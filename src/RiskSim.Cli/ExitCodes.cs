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

    /// <summary>
    /// The results could not be written (disk full, the output folder removed or made read-only during the run, a lock
    /// held by another process for minutes): an I/O failure, not bad input.
    /// </summary>
    /// <remarks>
    /// Nothing half-written is left; an earlier result of the same name is kept. An output location that cannot be
    /// written at all is found before simulating and reported as bad input (2).
    /// </remarks>
    public const int IoError = 4;

    /// <summary>
    /// Cancelled by Ctrl-C (SIGINT) or SIGTERM (a build server's job cancel). During the simulation: a partial result,
    /// marked <c>"partial": true</c>, is written. During the writing of results (or a second signal): writing stops and
    /// nothing is written for that config.
    /// </summary>
    public const int Cancelled = 130;
}
