using RiskSim.Cli;

// Composition root: the report's chart hook is served by the ScottPlot project.
Cli.ChartRenderer = ChartWiring.Render;
Cli.SCurveRenderer = (dir, curves) => RiskSim.Charts.ChartRenderer.SCurve(curves with { KpiKey = RiskSim.Reporting.ChartBundles.ShortKey(curves.KpiKey) }, dir);
Cli.FrontierChartRenderer = ChartWiring.RenderFrontierTo;
return Cli.Run(args);
