using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace RiskSim.Cli.Tests;

/// <summary>
/// run.ps1 as a build server runs it: <c>dotnet pwsh ./run.ps1 …</c> in a child process with redirected output
/// (issue 16, items 15–17). PowerShell is the repository's local .NET tool: when it is not restored yet the tests
/// run <c>dotnet tool restore</c> first, and they are skipped, with the reason, only when that fails. The runs use
/// the CLI this test project was built with (<c>-Cli</c>) and small trial counts.
/// </summary>
public abstract class RunPs1TestBase : IDisposable
{
    protected string Tmp { get; } = Directory.CreateTempSubdirectory("risksim-runps1-tests-").FullName;

    public void Dispose()
    {
        Directory.Delete(Tmp, recursive: true);
        GC.SuppressFinalize(this);
    }

    protected static readonly string FailingGate = Path.Combine(RepoPaths.Root, "tests", "fixtures", "failing-gate.json");

    protected string Out => Path.Combine(Tmp, "out");

    /// <summary>A config in the temp folder: a bundled config with another name and, optionally, no gates.</summary>
    protected string Config(string file, string name, bool gates = true, string source = "")
    {
        var node = JsonNode.Parse(File.ReadAllText(source.Length > 0 ? source : FailingGate))!;
        node["name"] = name;
        if (!gates)
        {
            node.AsObject().Remove("gates");
        }

        string path = Path.Combine(Tmp, file);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, node.ToJsonString());
        return path;
    }

    /// <summary>Output that went to a file or pipe carries no escape sequences (no colours, no cursor moves).</summary>
    private protected static void Plain(Pwsh.Result r)
    {
        Assert.DoesNotContain('\u001b', r.Out);
        Assert.DoesNotContain('\u001b', r.Err);
    }

    /// <summary>The batch folder's summary.json rows.</summary>
    protected List<JsonElement> Rows()
    {
        var batch = Assert.Single(Directory.GetDirectories(Out));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(batch, "summary.json")));
        return [.. doc.RootElement.EnumerateArray().Select(e => e.Clone())];
    }

    protected static string Str(JsonElement e, string name) => e.GetProperty(name).GetString() ?? "";

    /// <summary>-Cli (this build's CLI) and -OutDir (the temp folder, unless the arguments give one) before the arguments.</summary>
    protected string[] WithDefaults(string[] args) =>
        ["-Cli", Pwsh.CliDll, .. args.Contains("-OutDir") ? Array.Empty<string>() : ["-OutDir", Out], .. args];
}

/// <summary>run.ps1's parameters and config resolution (issue 16, items 15 and 16).</summary>
public sealed class RunPs1ParameterTests : RunPs1TestBase
{
    // ---- 16: every bad parameter exits 2 with a clear message, before anything is built or run ----

    /// <summary>Each bad parameter and the start of its message (after "run.ps1: error: ").</summary>
    public static readonly (string Message, string[] Args)[] BadParameters =
    [
        ("-Trials must be a whole number from 1 to 2,000,000,000 (got '0')", ["-Trials", "0"]),
        ("-Trials must be a whole number from 1 to 2,000,000,000 (got '-5')", ["-Trials", "-5"]),
        ("-Trials must be a whole number from 1 to 2,000,000,000 (got '1.5')", ["-Trials", "1.5"]),
        ("-Trials must be a whole number from 1 to 2,000,000,000 (got 'abc')", ["-Trials", "abc"]),
        ("-Trials must be a whole number from 1 to 2,000,000,000 (got '2000000001')", ["-Trials", "2000000001"]),
        ("-Trials needs a value", ["-Trials"]),
        ("-Seed must be a whole number from 0 to 18446744073709551615 (got '-5')", ["-Seed", "-5"]),
        ("-Seed must be a whole number from 0 to 18446744073709551615 (got 'xyz')", ["-Seed", "xyz"]),
        ("-Seed must be a whole number from 0 to 18446744073709551615 (got '18446744073709551616')", ["-Seed", "18446744073709551616"]),
        ("-FailOnGate must be true or false (also yes/no, 1/0; got 'maybe')", ["-FailOnGate", "maybe"]),
        ("give either -FailOnGate or -NoFailOnGate, not both", ["-NoFailOnGate", "-FailOnGate", "true"]),
        ("-GateConfigs chooses the configs whose gates fail the batch", ["-NoFailOnGate", "-GateConfigs", "x.json"]),
        ("-GateConfigs 'nothing-like-this.json' matches none of the ", ["-GateConfigs", "nothing-like-this.json"]),
        ("unknown parameter -Bogus", ["-Bogus", "1"]),
        ("-Trials is given twice", ["-Trials", "5", "-Trials", "6"]),
        ("-OutDir must be a folder path (got '')", ["-OutDir", ""]),
    ];

    [PwshTheory]
    [InlineData("-FailOnGate: has no value after the colon. In bash and sh, $false expands to nothing", "-FailOnGate:")]
    [InlineData("-Trials must be a whole number from 1 to 2,000,000,000 (got '-5')", "-Trials", "-5")]
    [InlineData("-Trials needs a value.", "-Trials")]
    [InlineData("-Seed must be a whole number from 0 to 18446744073709551615 (got 'xyz')", "-Seed", "xyz")]
    [InlineData("unknown parameter -Bogus", "-Bogus", "1")]
    public void A_bad_parameter_on_the_command_line_exits_2_with_a_clear_message(string message, params string[] args)
    {
        // As a build server calls it: pwsh ./run.ps1 ARGS, the arguments exactly as the shell passes them.
        var r = Pwsh.RunScript(WithDefaults(args));
        Plain(r);
        Assert.Equal(2, r.Code);
        Assert.Contains("run.ps1: error: " + message, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("Building", r.Out, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out), "nothing is written on a bad parameter");
    }

    [PwshFact]
    public void Every_bad_parameter_exits_2_with_a_clear_message()
    {
        // Every case, each called once from one PowerShell process (a process per case would take a minute):
        // & ./run.ps1 'ARG' … with each argument a string, as the command line passes them.
        static string Quote(string a) => "'" + a.Replace("'", "''", StringComparison.Ordinal) + "'";
        var script = new System.Text.StringBuilder();
        foreach (var (i, c) in BadParameters.Index())
        {
            script.Append(CultureInfo.InvariantCulture, $"& {Quote(Pwsh.RunPs1)} {string.Join(' ', WithDefaults(c.Args).Select(Quote))} *> $null; [Console]::Error.WriteLine('<<case {i} exit ' + $LASTEXITCODE + '>>');\n");
        }

        var r = Pwsh.Exec("dotnet", ["pwsh", "-NoProfile", "-NonInteractive", "-Command", script.ToString()]);
        Plain(r);
        Assert.Equal(0, r.Code);
        var blocks = Regex.Split(r.Err, @"<<case (\d+) exit (\d+)>>\r?\n");
        foreach (var (i, c) in BadParameters.Index())
        {
            // blocks: text of case 0, "0", exit, text of case 1, "1", exit, …
            Assert.Equal(i.ToString(CultureInfo.InvariantCulture), blocks[(3 * i) + 1]);
            Assert.True(blocks[(3 * i) + 2] == "2", $"{string.Join(' ', c.Args)}: exit {blocks[(3 * i) + 2]}, expected 2: {blocks[3 * i]}");
            Assert.Contains("run.ps1: error: " + c.Message, blocks[3 * i], StringComparison.Ordinal);
        }

        Assert.False(Directory.Exists(Out), "nothing is written on a bad parameter");
    }

    [PwshFact]
    public void Help_exits_0_and_lists_the_parameters()
    {
        var r = Pwsh.RunScript(["-Help"]);
        Plain(r);
        Assert.Equal(0, r.Code);
        foreach (var p in new[] { "-Configs", "-Trials", "-Seed", "-OutDir", "-FailOnGate", "-NoFailOnGate", "-GateConfigs", "-Cli" })
        {
            Assert.Contains(p, r.Out, StringComparison.Ordinal);
        }
    }

    // ---- 15: no config -> exit 2; literal paths where a path is given ----

    [PwshFact]
    public void A_pattern_that_matches_nothing_exits_2()
    {
        var r = Pwsh.RunScript(WithDefaults(["-Configs", Path.Combine(Tmp, "none-*.json")]));
        Plain(r);
        Assert.Equal(2, r.Code);
        Assert.Contains($"run.ps1: error: no config file matches '{Path.Combine(Tmp, "none-*.json")}'.", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [PwshFact]
    public void A_missing_file_exits_2()
    {
        string missing = Path.Combine(Tmp, "missing.json");
        var r = Pwsh.RunScript(WithDefaults(["-Configs", missing]));
        Plain(r);
        Assert.Equal(2, r.Code);
        Assert.Contains($"run.ps1: error: config file not found: '{missing}'.", r.Err, StringComparison.Ordinal);
    }

    [PwshFact]
    public void A_pattern_that_matches_only_a_folder_exits_2()
    {
        Directory.CreateDirectory(Path.Combine(Tmp, "only", "dir.json"));
        var r = Pwsh.RunScript(WithDefaults(["-Configs", Path.Combine(Tmp, "only", "*.json")]));
        Plain(r);
        Assert.Equal(2, r.Code);
        Assert.Contains("it matches only folders ('dir.json')", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [PwshFact]
    public void A_folder_named_star_json_exits_2()
    {
        // A folder literally named "*.json" ('*' is a valid file-name character on Linux and macOS, not on Windows).
        string name = OperatingSystem.IsWindows() ? "x.json" : "*.json";
        string dir = Path.Combine(Tmp, "star", name);
        Directory.CreateDirectory(dir);
        var r = Pwsh.RunScript(WithDefaults(["-Configs", dir]));
        Plain(r);
        Assert.Equal(2, r.Code);
        Assert.Contains($"'{dir}' is a folder, not a config file.", r.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));
    }

    [PwshFact]
    public void A_file_with_brackets_is_taken_literally_and_trials_and_seed_reach_the_cli()
    {
        string bracket = Config("cfg[1].json", "bracket-one", gates: false);
        Config("cfg1.json", "plain-one", gates: false); // what the brackets would match as a wildcard
        var r = Pwsh.RunScript(WithDefaults(["-Configs", bracket, "-Trials", "1000", "-Seed", "5"]));
        Plain(r);
        Assert.Equal(0, r.Code);
        var row = Assert.Single(Rows());
        Assert.Equal("cfg[1].json", Str(row, "config"));
        Assert.Equal("ok", Str(row, "status"));
        string folder = Str(row, "folder");
        Assert.Equal("bracket-one", Path.GetFileName(folder));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(folder, "summary.json")));
        Assert.Equal("bracket-one", summary.RootElement.GetProperty("name").GetString());
        Assert.Equal(1000, summary.RootElement.GetProperty("trials").GetInt64());
        Assert.Equal(5UL, summary.RootElement.GetProperty("seed").GetUInt64());
        Assert.Empty(Directory.GetDirectories(Out, "plain-one", SearchOption.AllDirectories));

        // The table: each row's cells two or more spaces apart, the figures those of summary.json's display strings.
        var display = summary.RootElement.GetProperty("display");
        string line = r.Out.Split('\n').Single(l => l.StartsWith("  cfg[1].json ", StringComparison.Ordinal)).TrimEnd();
        string[] expected = ["cfg[1].json", "ok", "1,000", display.GetProperty("npv_usd.p10").GetString()!, display.GetProperty("npv_usd.p50").GetString()!, display.GetProperty("npv_usd.p90").GetString()!,
            display.GetProperty("net_roi.p50").GetString()!, display.GetProperty("payback_months.p50").GetString()!, display.GetProperty("npv_usd.prob_negative").GetString()!, "bracket-one"];
        Assert.Equal(expected, Regex.Split(line.Trim(), " {2,}"));
    }

    [PwshFact]
    public void Two_configs_with_one_result_folder_are_refused()
    {
        string a = Config(Path.Combine("dup", "a.json"), "same");
        string b = Config(Path.Combine("dup", "b.json"), "same");
        string c = Config(Path.Combine("dup", "c.json"), "team a+b");
        string d = Config(Path.Combine("dup", "d.json"), "team a&b"); // both become the folder team-a-b
        var r = Pwsh.RunScript(WithDefaults(["-Configs", Path.Combine(Tmp, "dup", "*.json"), "-Trials", "1000"]));
        Plain(r);
        Assert.Equal(2, r.Code);
        var rows = Rows();
        Assert.Equal(new[] { "a.json", "b.json", "c.json", "d.json" }, rows.Select(x => Str(x, "config")));
        Assert.All(rows, x => Assert.Equal("ERROR (name clash)", Str(x, "status")));
        Assert.Contains("configs a.json (name 'same'), b.json (name 'same') would share the result folder 'same'", r.Err, StringComparison.Ordinal);
        Assert.Contains("configs c.json (name 'team a+b'), d.json (name 'team a&b') would share the result folder 'team-a-b'", r.Err, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(Out, "report.md", SearchOption.AllDirectories)); // nothing ran
        Assert.True(File.Exists(a) && File.Exists(b) && File.Exists(c) && File.Exists(d));
    }

    [PwshFact]
    public void A_broken_config_error_is_shown_in_plain_text_and_exits_2()
    {
        var r = Pwsh.RunScript(WithDefaults(["-Configs", Path.Combine(RepoPaths.Root, "tests", "fixtures", "broken-config.json")]));
        Plain(r);
        Assert.Equal(2, r.Code);
        Assert.Contains("utilization", r.Err, StringComparison.Ordinal);
        Assert.Equal("ERROR (bad input)", Str(Assert.Single(Rows()), "status"));
    }

    [PwshFact]
    public void An_out_dir_that_cannot_be_created_exits_2()
    {
        string file = Path.Combine(Tmp, "a-file");
        File.WriteAllText(file, "");
        var r = Pwsh.RunScript(["-Cli", Pwsh.CliDll, "-OutDir", Path.Combine(file, "sub"), "-Configs", FailingGate]);
        Plain(r);
        Assert.Equal(2, r.Code);
        Assert.Contains("run.ps1: error: cannot create the batch folder", r.Err, StringComparison.Ordinal);
    }
}

/// <summary>run.ps1's gate handling and exit codes in bash, sh and PowerShell, and the README's CI job (issue 16, item 17).</summary>
public sealed class RunPs1GateTests : RunPs1TestBase
{
    // ---- 17: fail-on-gate forms that work in bash and in PowerShell; a CI job that can pass ----

    [PwshTheory]
    [InlineData]
    [InlineData("-GateConfigs", "failing-*.json")]
    public void A_failing_gate_exits_3_by_default_and_when_its_config_is_gated(params string[] gating)
    {
        var r = Pwsh.RunScript(WithDefaults(["-Configs", FailingGate, "-Trials", "1000", .. gating]));
        Plain(r);
        Assert.Equal(3, r.Code);
        Assert.Equal("GATE FAILED", Str(Assert.Single(Rows()), "status"));
    }

    [PwshTheory]
    [InlineData("-FailOnGate", "false")]
    [InlineData("-FailOnGate:false")]
    public void Gate_failures_can_be_reported_without_failing(params string[] form)
    {
        var r = Pwsh.RunScript(WithDefaults(["-Configs", FailingGate, "-Trials", "1000", .. form]));
        Plain(r);
        Assert.Equal(0, r.Code);
        var row = Assert.Single(Rows());
        Assert.Equal("gate failed (reported)", Str(row, "status"));
        Assert.False(row.GetProperty("gates")[0].GetProperty("passed").GetBoolean());
    }

    [PwshFact(UnixOnly = true)]
    public void In_sh_the_old_colon_false_form_is_an_error_and_the_readme_form_works()
    {
        // sh expands $false to nothing, so "-FailOnGate:$false" arrives as "-FailOnGate:" (it used to run with the
        // gates on and exit 3). It is now refused with the forms that work; -NoFailOnGate, as the README writes it, works.
        string[] common = [Pwsh.RunPs1, FailingGate, Pwsh.CliDll, Out];
        const string Script = "dotnet pwsh -NoProfile -NonInteractive \"$0\" -Configs \"$1\" -Cli \"$2\" -Trials 1000 -OutDir \"$3\" ";
        var old = Pwsh.Exec("sh", ["-c", Script + "-FailOnGate:$false", .. common]);
        Plain(old);
        Assert.Equal(2, old.Code);
        Assert.Contains("write -FailOnGate false or -NoFailOnGate", old.Err, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Out));

        var readme = Pwsh.Exec("sh", ["-c", Script + "-NoFailOnGate", .. common]);
        Plain(readme);
        Assert.Equal(0, readme.Code);
        Assert.Equal("gate failed (reported)", Str(Assert.Single(Rows()), "status"));
    }

    [PwshFact]
    public void The_powershell_form_with_colon_false_works_in_a_powershell_session()
    {
        string command = $"& '{Pwsh.RunPs1}' -Configs '{FailingGate}' -Cli '{Pwsh.CliDll}' -Trials 1000 -OutDir '{Out}' -FailOnGate:$false; exit $LASTEXITCODE";
        var r = Pwsh.Exec("dotnet", ["pwsh", "-NoProfile", "-NonInteractive", "-Command", command]);
        Plain(r);
        Assert.Equal(0, r.Code);
        Assert.Equal("gate failed (reported)", Str(Assert.Single(Rows()), "status"));
    }

    [PwshFact]
    public void The_readme_ci_job_passes_on_the_bundled_batch()
    {
        // README: every bundled config runs and is published; only the flagship's gates decide (the H100 and B200
        // DeepSeek-R1 configs fail theirs on purpose).
        var r = Pwsh.RunScript(WithDefaults(["-Trials", "2000", "-GateConfigs", "gb200-nvl72-deepseek-r1.json"]));
        Plain(r);
        Assert.Equal(0, r.Code);
        var rows = Rows().ToDictionary(x => Str(x, "config"));
        Assert.Equal(Directory.GetFiles(RepoPaths.Configs, "*.json").Select(Path.GetFileName).Order(StringComparer.Ordinal), rows.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("ok", Str(rows["gb200-nvl72-deepseek-r1.json"], "status"));
        Assert.Equal("gate failed (not gating)", Str(rows["h100-deepseek-r1.json"], "status"));
        Assert.All(rows.Values, x => Assert.True(File.Exists(Path.Combine(Str(x, "folder"), "report.html"))));
        Assert.True(File.Exists(Path.Combine(Path.GetDirectoryName(Str(rows["h100-deepseek-r1.json"], "folder"))!, "summary.md")));
    }
}

/// <summary>Runs PowerShell, the repository's local .NET tool, through <c>dotnet pwsh</c>.</summary>
internal static class Pwsh
{
    public sealed record Result(int Code, string Out, string Err);

    public static string RunPs1 => Path.Combine(RepoPaths.Root, "run.ps1");

    /// <summary>The risksim.dll built with this test project (same configuration), so run.ps1 does not build again.</summary>
    public static string CliDll { get; } = FindCli();

    /// <summary>Null when <c>dotnet pwsh</c> runs (after <c>dotnet tool restore</c> if need be); else why not.</summary>
    public static string? Unavailable => LazyUnavailable.Value;

    private static readonly Lazy<string?> LazyUnavailable = new(Check);

    private static string FindCli()
    {
        string configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        return Path.Combine(RepoPaths.Root, "src", "RiskSim.Cli", "bin", configuration, "net10.0", "risksim.dll");
    }

    private static string? Check()
    {
        static bool Starts() => Exec("dotnet", ["pwsh", "-NoProfile", "-NonInteractive", "-Command", "exit 7"], TimeSpan.FromMinutes(3)).Code == 7;
        if (Starts())
        {
            return null;
        }

        var restore = Exec("dotnet", ["tool", "restore"], TimeSpan.FromMinutes(10));
        if (restore.Code != 0)
        {
            return $"PowerShell (the local .NET tool in .config/dotnet-tools.json) could not be restored: 'dotnet tool restore' exited {restore.Code}: {(restore.Err + restore.Out).Trim().Split('\n')[0]}";
        }

        return Starts() ? null : "'dotnet pwsh' does not start even after 'dotnet tool restore'";
    }

    /// <summary>Runs <c>dotnet pwsh -NoProfile -NonInteractive run.ps1 ARGS</c> as a build server would: output redirected, no NO_COLOR.</summary>
    public static Result RunScript(IEnumerable<string> args)
    {
        Assert.True(File.Exists(CliDll), $"the CLI was not built at {CliDll}");
        return Exec("dotnet", ["pwsh", "-NoProfile", "-NonInteractive", RunPs1, .. args]);
    }

    /// <summary>
    /// Runs a program in the repository root (where dotnet finds the tool manifest) with redirected output and
    /// without NO_COLOR, so colour codes would show.
    /// </summary>
    public static Result Exec(string program, IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var psi = new ProcessStartInfo(program)
        {
            WorkingDirectory = RepoPaths.Root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("NO_COLOR");
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["DOTNET_NOLOGO"] = "1";
        psi.Environment["POWERSHELL_TELEMETRY_OPTOUT"] = "1";
        psi.Environment["POWERSHELL_UPDATECHECK"] = "Off";

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromMinutes(10)))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"{program} {string.Join(' ', args)} did not finish");
        }

        return new Result(p.ExitCode, stdout.GetAwaiter().GetResult(), stderr.GetAwaiter().GetResult());
    }
}

/// <summary>A fact that needs <c>dotnet pwsh</c>: skipped, with the reason, only when PowerShell cannot be restored.</summary>
public sealed class PwshFactAttribute : FactAttribute
{
    public PwshFactAttribute()
    {
        if (Pwsh.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }

    /// <summary>The test runs a POSIX shell: skipped on Windows.</summary>
    public bool UnixOnly
    {
        get => _unixOnly;
        set
        {
            _unixOnly = value;
            if (value && OperatingSystem.IsWindows())
            {
                Skip ??= "needs a POSIX sh";
            }
        }
    }

    private bool _unixOnly;
}

/// <summary>A theory that needs <c>dotnet pwsh</c> (see <see cref="PwshFactAttribute"/>).</summary>
public sealed class PwshTheoryAttribute : TheoryAttribute
{
    public PwshTheoryAttribute()
    {
        if (Pwsh.Unavailable is { } reason)
        {
            Skip = reason;
        }
    }
}
