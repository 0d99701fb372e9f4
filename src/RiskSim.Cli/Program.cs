using RiskSim.Charts;
using RiskSim.Cli;

// The tool draws its reports' charts with ScottPlot (RiskSim.Charts); the CLI itself only parses and calls.
return Cli.Run(args, charts: new ScottPlotChartRenderer());
