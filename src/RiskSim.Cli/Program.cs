using RiskSim.Cli;

// Composition root: the report's chart hook is served by the ScottPlot project.
Cli.ChartRenderer = ChartWiring.Render;
return Cli.Run(args);
