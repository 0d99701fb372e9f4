using System.CommandLine;
using RiskSim.Cli;

return Cli.Run(args);
