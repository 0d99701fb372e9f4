using System.CommandLine;

namespace RiskSim.Cli;

public static partial class Cli
{
    private static partial IEnumerable<Command> ExtraCommands(TextWriter output, TextWriter errors) => [];
}
