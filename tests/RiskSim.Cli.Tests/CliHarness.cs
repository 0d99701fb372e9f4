namespace RiskSim.Cli.Tests;

/// <summary>Runs the CLI in process and captures its exit code, standard output and standard error.</summary>
internal static class CliHarness
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        using var o = new StringWriter();
        using var e = new StringWriter();
        int code = Cli.Run(args, o, e);
        return (code, o.ToString(), e.ToString());
    }
}
