using System.CommandLine;
using RiskSim.Core.Configuration;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;
using RiskSim.Reporting;

namespace RiskSim.Cli;

/// <summary>The risksim command line: parses the arguments and calls the engine (Core) and the reports (Reporting).</summary>
public static partial class Cli
{
    /// <summary>Runs the CLI; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    /// <param name="args">The command line.</param>
    /// <param name="stdout">Standard output (default: the console's).</param>
    /// <param name="stderr">Standard error (default: the console's).</param>
    /// <param name="charts">Draws the reports' charts (the tool passes RiskSim.Charts' ScottPlot renderer); null = reports without charts.</param>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null, IChartRenderer? charts = null)
    {
        // Every line the CLI prints may carry user text (names, labels, paths): control characters are escaped.
        var output = new ConsoleSafeWriter(stdout ?? Console.Out);
        var errors = new ConsoleSafeWriter(stderr ?? Console.Error);
        var root = new RootCommand("RiskSim: Monte Carlo risk simulation of accelerator (GPU) infrastructure decisions, from inference benchmarks to NPV, ROI and payback distributions.\nExit codes: 0 ok, 1 internal error, 2 bad input, 3 a risk gate failed, 4 I/O error writing results, 130 cancelled (Ctrl-C or SIGTERM).");
        root.Subcommands.Add(EvaluateCommand(output));
        root.Subcommands.Add(ExplainCommand(output));
        root.Subcommands.Add(ValidateCommand(output, errors));
        root.Subcommands.Add(SchemaCommand(output));
        root.Subcommands.Add(RunCommand(output, errors, charts));
        root.Subcommands.Add(TornadoCommand(output, errors));
        root.Subcommands.Add(BenchCommand(output, errors, charts));
        root.Subcommands.Add(MergeCommand(output, errors, charts));

        var parse = root.Parse(args);

        // A command that takes several files reads an unknown "--bogus" as one more file name: call it what it is.
        var unknownOptions = parse.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>()
            .SelectMany(a => a.Tokens).Select(t => t.Value)
            .Where(v => v.Length > 1 && v[0] == '-' && !File.Exists(v)).ToList();
        if (parse.Errors.Count > 0 || unknownOptions.Count > 0)
        {
            foreach (var u in unknownOptions)
            {
                errors.WriteLine($"error: unknown option '{u}' for '{parse.CommandResult.Command.Name}' (see 'risksim {parse.CommandResult.Command.Name} --help')");
            }

            foreach (var e in parse.Errors)
            {
                errors.WriteLine($"error: {e.Message}");
            }

            errors.WriteLine("Run 'risksim --help' for usage.");
            return ExitCodes.BadInput;
        }

        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = errors, EnableDefaultExceptionHandler = false });
        }
        catch (ConfigException ex)
        {
            errors.WriteLine(ex.Message);
            errors.WriteLine($"{ex.Errors.Count} error(s). The config reference: 'risksim schema --format markdown'.");
            return ExitCodes.BadInput;
        }
        catch (UsageException ex)
        {
            errors.WriteLine($"error: {ex.Message}");
            return ExitCodes.BadInput;
        }
        catch (ResultWriteException ex)
        {
            errors.WriteLine($"error: {ex.Message}");
            return ExitCodes.IoError;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            // Reading input is checked where it happens (bad input); an I/O failure elsewhere is not the user's input.
            errors.WriteLine($"error: I/O: {ex.Message}");
            return ExitCodes.IoError;
        }
    }

    internal static readonly Argument<string> ConfigArg = new("config") { Description = "Path of a config JSON file (see 'risksim schema')." };

    internal static Option<string[]> SetOption() => new("--set")
    {
        Description = "Override a config value: --set drivers.utilization=0.7 or --set 'market.price_erosion_annual={\"dist\":\"pert\",\"min\":0.1,\"mode\":0.3,\"max\":0.6}'; --set cost.pue=null leaves a field out (its default applies). Repeatable.",
        AllowMultipleArgumentsPerToken = false,
    };

    /// <summary>Reads and validates a config file; throws <see cref="ConfigException"/> or <see cref="UsageException"/>.</summary>
    internal static SimulationSpec LoadSpec(string path, IReadOnlyList<string>? overrides = null)
    {
        if (!File.Exists(path))
        {
            throw new UsageException($"{path}: file not found");
        }

        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"{path}: cannot be read ({ex.Message})", ex);
        }

        // A config may start from benchmark files: they are read, and the operating point filled, before loading.
        var resolved = RiskSim.Bench.BenchmarkConfigResolver.Resolve(text, path, overrides);
        var spec = ConfigLoader.Load(resolved.Json, path, resolved.Overrides);
        return resolved.Origin is null ? spec : spec with { Benchmarks = resolved.Origin };
    }

    private static Command EvaluateCommand(TextWriter output)
    {
        var format = new Option<string>("--format") { Description = "Output format.", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json", "csv", "markdown");
        var set = SetOption();
        var cmd = new Command("evaluate", "Deterministic base case: every uncertain input at its median; unit economics, cash-flow KPIs and break-evens.") { ConfigArg, format, set };
        cmd.SetAction(r =>
        {
            string file = r.GetValue(ConfigArg)!;
            var spec = LoadSpec(file, r.GetValue(set) ?? []);
            var b = Evaluation.Evaluate(spec);
            output.Write(r.GetValue(format) switch
            {
                "json" => EvaluateReport.Json(b, file),
                "csv" => EvaluateReport.Csv(b),
                "markdown" => EvaluateReport.Markdown(b),
                _ => EvaluateReport.Table(b),
            });
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command ExplainCommand(TextWriter output)
    {
        var set = SetOption();
        var cmd = new Command("explain", "Walk from the benchmark figures to each KPI for a finance reader (base case).") { ConfigArg, set };
        cmd.SetAction(r =>
        {
            var spec = LoadSpec(r.GetValue(ConfigArg)!, r.GetValue(set) ?? []);
            output.Write(EvaluateReport.Explain(Evaluation.Evaluate(spec)));
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command ValidateCommand(TextWriter output, TextWriter errors)
    {
        var files = new Argument<string[]>("configs") { Description = "Config files to validate.", Arity = ArgumentArity.OneOrMore };
        var cmd = new Command("validate", "Validate configs; lists every error with its JSON path, the bad value and what is allowed.") { files };
        cmd.SetAction(r =>
        {
            int bad = 0;
            foreach (var f in r.GetValue(files)!)
            {
                try
                {
                    var spec = LoadSpec(f);
                    output.WriteLine($"{f}: ok ({spec.Name}; {spec.UncertainInputs.Length} uncertain inputs, {spec.Correlations.Length} correlations, {spec.Gates.Length} gates)");
                }
                catch (ConfigException ex)
                {
                    errors.WriteLine(ex.Message);
                    bad++;
                }
                catch (UsageException ex)
                {
                    errors.WriteLine(ex.Message);
                    bad++;
                }
            }

            return bad == 0 ? ExitCodes.Ok : ExitCodes.BadInput;
        });
        return cmd;
    }

    private static Command SchemaCommand(TextWriter output)
    {
        var format = new Option<string>("--format") { Description = "json (JSON Schema for editors) or markdown (the config reference).", DefaultValueFactory = _ => "json" };
        format.AcceptOnlyFromAmong("json", "markdown");
        var cmd = new Command("schema", "Print the config JSON Schema (or the Markdown config reference).") { format };
        cmd.SetAction(r =>
        {
            output.Write(r.GetValue(format) == "markdown" ? ConfigDocs.Markdown() : ConfigDocs.JsonSchema());
            return ExitCodes.Ok;
        });
        return cmd;
    }
}

/// <summary>A usage error (bad option value, missing file): exit code 2, no stack trace.</summary>
public sealed class UsageException : Exception
{
    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException()
    {
    }

    public UsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
