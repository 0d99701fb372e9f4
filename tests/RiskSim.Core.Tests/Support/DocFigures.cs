using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using RiskSim.Core.Configuration;
using RiskSim.Core.Distributions;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Sensitivity;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Core.Tests.Support;

/// <summary>
/// The machine-readable anchors that tie each figure a document quotes to the code that produces it.
/// <para>
/// A figure is followed, with nothing in between but a closing <c>**</c>, by <c>&lt;!--= EXPR --&gt;</c> (invisible when the
/// Markdown is rendered). The figure is the number that ends the text before the anchor, with an optional sign (- or −),
/// <c>$</c>, and a scale suffix: <c>M</c> (millions), <c>k</c> (thousands), <c>%</c> or <c>×</c>. It must equal EXPR to the
/// precision it is written with (half a unit in its last digit). A <c>%</c> figure is compared as a fraction (÷ 100)
/// unless EXPR's unit is itself "%" (such as <c>gross_margin_pct</c>).
/// </para>
/// <para>
/// EXPR is one term, or terms joined by <c>+ - * / ^</c> evaluated strictly left to right (no precedence). A term is a number or a source:
/// <list type="bullet">
/// <item><c>CFG:KEY</c>: the base-case KPI KEY of configs/CFG.json (<c>risksim evaluate</c>); <c>CFG:KEY@SCENARIO</c> with a scenario's overrides;</item>
/// <item><c>CFG:in:PATH:STAT</c>: an input of the config; STAT is median, p10, p90, min, max or mode;</item>
/// <item><c>CFG:month:N:FIELD</c>: the base case in month N (<c>risksim explain</c>); FIELD is m, price, revenue or cumulative;</item>
/// <item><c>CFG:ctx:NAME</c>: a value the model derives from the config (<see cref="ModelContext"/>: RemainingTaxBasisFraction, TaxDepreciationTotal);</item>
/// <item><c>CFG:run:KEY.STAT</c>: a statistic of a Monte Carlo run with the config's own trials, seed and sampling (summary.json keys);</item>
/// <item><c>const:NAME</c>: a constant of the code (see <see cref="Constants"/>).</item>
/// </list>
/// CFG is a file name in configs/ without ".json", or <c>flagship</c>.
/// </para>
/// <para>
/// Other anchors: <c>&lt;!--scenario NAME CFG path=value …--&gt;</c> defines a what-if (the same overrides as
/// <c>--set</c>, which the document must also show); <c>&lt;!--order CFG KPI key key …--&gt;</c> says the tornado of KPI ranks
/// those inputs first, in that order (<c>software_curve</c> is the grouped m(t) bar); <c>&lt;!--gates CFG pass|fail …--&gt;</c>
/// says the config's gates give those results when it is simulated (its own trials and seed); <c>&lt;!--bench FILE--&gt;</c>
/// after a measured figure says it is quoted verbatim from docs/benchmarks/FILE; <c>&lt;!--given--&gt;</c> marks a figure
/// that is not the model's (a vendor's claim, a config's literal input shown as typed, a convention).
/// </para>
/// </summary>
internal static partial class DocFigures
{
    /// <summary>An anchor in a document.</summary>
    public sealed record Anchor(string File, int Line, string Kind, string Body, string Before);

    /// <summary>A figure read from a document: its value on the model's scale and the tolerance its written precision gives.</summary>
    public sealed record Figure(string Text, double Value, double Tolerance, bool Percent);

    private static readonly ConcurrentDictionary<string, SimulationSpec> Specs = new();
    private static readonly ConcurrentDictionary<string, BaseCase> BaseCases = new();
    private static readonly ConcurrentDictionary<string, (SimulationResult Result, IReadOnlyList<GateResult> Gates)> Runs = new();

    /// <summary>The code's constants that documents quote.</summary>
    public static readonly IReadOnlyDictionary<string, double> Constants = new Dictionary<string, double>
    {
        ["BlockSize"] = BlockSampler.BlockSize,
        ["KeptTrials"] = MonteCarloEngine.KeptTrials,
        ["PilotTrials"] = MonteCarloEngine.PilotTrials,
        ["OnePassAbove"] = RunOptions.DefaultOnePassAbove,
        ["MaxInMemoryTrials"] = RunOptions.MaxInMemoryTrials,
        ["MaxTrials"] = RunOptions.MaxTrials,
        ["PathTrials"] = TrialPaths.DefaultTrials,
        ["GlobalSensitivityTrials"] = GlobalSensitivity.DefaultMaxTrials,
        ["KpiBytesPerTrial"] = TrialKpis.CoreCount * sizeof(double),
        ["HoursPerMonth"] = RiskSim.Core.Finance.FinanceMath.HoursPerMonth,
        ["IrrLowestRate"] = RiskSim.Core.Finance.FinanceMath.IrrGrid[0],
        ["IrrHighestRate"] = RiskSim.Core.Finance.FinanceMath.IrrGrid[^1],
    };

    /// <summary>Every anchor of a document (outside fenced code blocks).</summary>
    public static List<Anchor> Anchors(string file)
    {
        var list = new List<Anchor>();
        bool fence = false;
        string[] lines = File.ReadAllLines(file);
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                fence = !fence;
                continue;
            }

            if (fence)
            {
                continue;
            }

            foreach (Match m in AnchorPattern().Matches(line))
            {
                list.Add(new Anchor(Path.GetFileName(file), i + 1, m.Groups["kind"].Value, m.Groups["body"].Value.Trim(), line[..m.Index]));
            }
        }

        return list;
    }

    /// <summary>The figure that ends <paramref name="before"/>, or null when there is none.</summary>
    public static Figure? ReadFigure(string before)
    {
        string t = StripAnchors(before).TrimEnd().TrimEnd('*').TrimEnd();
        var m = FigurePattern().Match(t);
        if (!m.Success)
        {
            return null;
        }

        string num = m.Groups["num"].Value.Replace(",", "", StringComparison.Ordinal);
        double v = double.Parse(num, CultureInfo.InvariantCulture);
        int dot = num.IndexOf('.', StringComparison.Ordinal);
        int decimals = dot < 0 ? 0 : num.Length - dot - 1;
        string sfx = m.Groups["sfx"].Value.Trim();
        double scale = sfx switch { "M" => 1e6, "k" => 1e3, _ => 1 };
        double sign = m.Groups["neg"].Success ? -1 : 1;
        return new Figure(m.Value, sign * v * scale, 0.5 * Math.Pow(10, -decimals) * scale, sfx == "%");
    }

    /// <summary>The text with every anchor removed (what a reader sees).</summary>
    public static string StripAnchors(string text) => AnyComment().Replace(text, "");

    /// <summary>Checks a numeric anchor; returns an error message or null.</summary>
    public static string? Check(Anchor a, IReadOnlyDictionary<string, Scenario> scenarios)
    {
        var figure = ReadFigure(a.Before);
        if (figure is null)
        {
            return $"{a.File}:{a.Line}: no figure before <!--= {a.Body}-->";
        }

        double actual;
        string unit;
        try
        {
            (actual, unit) = Evaluate(a.Body, scenarios);
        }
#pragma warning disable CA1031 // the message names the anchor
        catch (Exception ex)
#pragma warning restore CA1031
        {
            return $"{a.File}:{a.Line}: {a.Body}: {ex.Message}";
        }

        double doc = figure.Value;
        double tol = figure.Tolerance;
        if (figure.Percent && unit != "%")
        {
            doc /= 100;
            tol /= 100;
        }

        return Math.Abs(doc - actual) <= tol + 1e-9 * Math.Abs(actual)
            ? null
            : $"{a.File}:{a.Line}: the document says {figure.Text}, the code gives {actual.ToString("G6", CultureInfo.InvariantCulture)} ({a.Body})";
    }

    /// <summary>A what-if of a document: a config with --set overrides.</summary>
    public sealed record Scenario(string Name, string Config, IReadOnlyList<string> Overrides);

    /// <summary>The scenarios a document defines.</summary>
    public static Dictionary<string, Scenario> Scenarios(IEnumerable<Anchor> anchors) =>
        anchors.Where(a => a.Kind == "scenario").Select(a =>
        {
            string[] parts = a.Body.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return new Scenario(parts[0], parts[1], parts[2..]);
        }).ToDictionary(s => s.Name, StringComparer.Ordinal);

    /// <summary>Value and unit of an expression.</summary>
    public static (double Value, string Unit) Evaluate(string expr, IReadOnlyDictionary<string, Scenario> scenarios)
    {
        string[] tokens = expr.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var (value, unit) = Term(tokens[0], scenarios);
        for (int i = 1; i + 1 < tokens.Length; i += 2)
        {
            double b = Term(tokens[i + 1], scenarios).Value;
            value = tokens[i] switch
            {
                "+" => value + b,
                "-" => value - b,
                "*" => value * b,
                "/" => value / b,
                "^" => Math.Pow(value, b),
                _ => throw new FormatException($"unknown operator {tokens[i]}"),
            };
            unit = "";
        }

        return (value, unit);
    }

    private static (double Value, string Unit) Term(string token, IReadOnlyDictionary<string, Scenario> scenarios)
    {
        if (double.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out double literal))
        {
            return (literal, "");
        }

        string[] p = token.Split(':');
        if (p[0] == "const")
        {
            return (Constants[p[1]], "");
        }

        string config = p[0];
        switch (p.Length > 1 ? p[1] : "")
        {
            case "in":
            {
                var input = Spec(config, null).Inputs.Single(i => i.Path == p[2]);
                var d = input.Distribution;
                double v = p[3] switch
                {
                    "median" => d.Median,
                    "p10" => d.Quantile(0.1),
                    "p90" => d.Quantile(0.9),
                    "min" => d.Lower,
                    "max" => d.Upper,
                    "mode" => d switch
                    {
                        PertDistribution pert => pert.Mode,
                        TriangularDistribution tri => tri.Mode,
                        _ => throw new FormatException($"{p[2]} has no mode"),
                    },
                    _ => throw new FormatException($"unknown input statistic {p[3]}"),
                };
                return (v, input.Unit);
            }

            case "ctx":
            {
                var ctx = new ModelContext(Spec(config, null));
                return p[2] switch
                {
                    "RemainingTaxBasisFraction" => (ctx.RemainingTaxBasisFraction, "fraction"),
                    "TaxDepreciationTotal" => (ctx.TaxDepreciationTotal, "fraction"),
                    _ => throw new FormatException($"unknown model context value {p[2]}"),
                };
            }

            case "month":
            {
                var m = BaseCase(config, null).Months[int.Parse(p[2], CultureInfo.InvariantCulture)];
                return p[3] switch
                {
                    "m" => (m.SoftwareMultiplier, "×"),
                    "price" => (m.PricePerMillionOutput, "USD/Mtok"),
                    "revenue" => (m.Revenue, "USD"),
                    "cumulative" => (m.CumulativeCashFlow, "USD"),
                    _ => throw new FormatException($"unknown month field {p[3]}"),
                };
            }

            case "run":
            {
                string key = p[2][..p[2].IndexOf('.', StringComparison.Ordinal)];
                string stat = p[2][(key.Length + 1)..];
                var st = Run(config).Result[key];
                double v = st.Get(stat) ?? throw new InvalidOperationException($"{p[2]} is null: {st.NullReason}");
                return (v, stat.StartsWith("prob_", StringComparison.Ordinal) || stat == "null_share" ? "fraction" : st.Kpi.Unit);
            }

            default:
            {
                string key = p[1];
                Scenario? scenario = null;
                int at = key.IndexOf('@', StringComparison.Ordinal);
                if (at >= 0)
                {
                    scenario = scenarios[key[(at + 1)..]];
                    key = key[..at];
                    if (scenario.Config != config)
                    {
                        throw new FormatException($"scenario {scenario.Name} is of {scenario.Config}, not {config}");
                    }
                }

                var k = BaseCase(config, scenario)[key];
                return (k.Value ?? throw new InvalidOperationException($"{key} is n/a: {k.Reason}"), k.Unit);
            }
        }
    }

    /// <summary>A config of configs/ by file stem ("flagship" for the GB200 NVL72 one), with overrides.</summary>
    public static SimulationSpec Spec(string config, Scenario? scenario)
    {
        string key = config + "@" + string.Join(" ", scenario?.Overrides ?? []);
        return Specs.GetOrAdd(key, _ =>
        {
            string path = config == "flagship" ? RepoPaths.Flagship : Path.Combine(RepoPaths.Configs, config + ".json");
            return ResolvingLoader.Load(path, scenario?.Overrides, Path.GetFileName(path));
        });
    }

    public static BaseCase BaseCase(string config, Scenario? scenario) =>
        BaseCases.GetOrAdd(config + "@" + string.Join(" ", scenario?.Overrides ?? []), _ => Evaluation.Evaluate(Spec(config, scenario)));

    /// <summary>A Monte Carlo run of the config with its own trials, seed and sampling (cached).</summary>
    public static (SimulationResult Result, IReadOnlyList<GateResult> Gates) Run(string config) => Runs.GetOrAdd(config, _ =>
    {
        var spec = Spec(config, null);
        var result = MonteCarloEngine.Run(spec, new RunOptions(spec.Simulation.Trials, spec.Simulation.Seed, spec.Simulation.Sampling, 2));
        return (result, Gates.Evaluate(result));
    });

    [GeneratedRegex("<!--(?<kind>=|scenario|order|gates|bench|given)(?<body>.*?)-->")]
    private static partial Regex AnchorPattern();

    [GeneratedRegex("<!--.*?-->")]
    private static partial Regex AnyComment();

    [GeneratedRegex(@"(?<![\w.])(?<neg>[-−])?\$?(?<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?<sfx>\s?%|M|k|×)?$")]
    private static partial Regex FigurePattern();
}
