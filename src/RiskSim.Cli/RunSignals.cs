using System.Diagnostics;
using System.Runtime.InteropServices;
using RiskSim.Core.Finance;
using RiskSim.Core.Model;
using RiskSim.Core.MonteCarlo;
using RiskSim.Core.Sampling;
using RiskSim.Core.Spec;
using RiskSim.Core.Statistics;

namespace RiskSim.Cli;

/// <summary>
/// Ctrl-C (SIGINT) and SIGTERM during 'risksim run', treated alike (a build server cancels a job with SIGTERM).
/// </summary>
/// <remarks>
/// A signal while simulating stops the simulation at the next block and the partial result is written, marked
/// partial; a signal while results are written (or a second signal) stops the writing: the temporary folder is
/// removed and nothing is written for that config. Either way the run exits with <see cref="ExitCodes.Cancelled"/>.
/// </remarks>
internal sealed class RunSignals : IDisposable
{
    private readonly CancellationTokenSource _simulation = new();
    private readonly CancellationTokenSource _writing = new();
    private readonly ConsoleCancelEventHandler _onCancelKey;
    private readonly PosixSignalRegistration? _onTerm;
    private volatile bool _inWriting;

    public RunSignals()
    {
        _onCancelKey = (_, e) =>
        {
            e.Cancel = true;
            Raise();
        };
        Console.CancelKeyPress += _onCancelKey;
        try
        {
            _onTerm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
            {
                c.Cancel = true;
                Raise();
            });
        }
        catch (PlatformNotSupportedException)
        {
            _onTerm = null;
        }
    }

    /// <summary>Cancelled by the first signal while simulating.</summary>
    public CancellationToken SimulationToken => _simulation.Token;

    /// <summary>Cancelled by a signal while writing, or by a second signal.</summary>
    public CancellationToken WritingToken => _writing.Token;

    /// <summary>True while results are being written.</summary>
    public bool InWriting
    {
        get => _inWriting;
        set => _inWriting = value;
    }

    /// <summary>What a signal does (also called by tests).</summary>
    public void Raise()
    {
        if (_inWriting || _simulation.IsCancellationRequested)
        {
            _writing.Cancel();
        }
        else
        {
            _simulation.Cancel();
        }
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= _onCancelKey;
        _onTerm?.Dispose();
        _simulation.Dispose();
        _writing.Dispose();
    }
}

/// <summary>Writing was stopped by a signal; nothing was written for the result in hand.</summary>
internal sealed class WriteCancelledException : Exception
{
    public WriteCancelledException()
        : base("cancelled while writing")
    {
    }

    public WriteCancelledException(string message)
        : base(message)
    {
    }

    public WriteCancelledException(string message, Exception inner)
        : base(message, inner)
    {
    }
}

/// <summary>Hooks for the fault tests; inert unless their RISKSIM_TEST_* variable is set.</summary>
internal static class TestHooks
{
    /// <summary>
    /// Test only: with RISKSIM_TEST_ONE_PASS_ABOVE=N (at least 65,536), runs of more than N trials take the one-pass path
    /// that runs of more than 4,194,304 trials take, so a test can check that path with few trials (the vector-width
    /// matrix runs it in child processes). Anything else, or nothing, keeps the default.
    /// </summary>
    public static long OnePassAbove() =>
        long.TryParse(Environment.GetEnvironmentVariable("RISKSIM_TEST_ONE_PASS_ABOVE"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long n) && n >= MonteCarloEngine.KeptTrials
            ? n
            : RunOptions.DefaultOnePassAbove;

    /// <summary>
    /// Test only: with RISKSIM_TEST_MARK_SIMULATING=PATH, PATH is created once the simulation has finished its first
    /// blocks (at its first progress report), so a test can signal a run that is known to be simulating.
    /// </summary>
    public static IProgress<RunProgress>? MarkFirstBlock(IProgress<RunProgress>? inner)
    {
        string? path = Environment.GetEnvironmentVariable("RISKSIM_TEST_MARK_SIMULATING");
        if (string.IsNullOrEmpty(path))
        {
            return inner;
        }

        int marked = 0;
        return new Progress(p =>
        {
            if (p.Done > 0 && Interlocked.Exchange(ref marked, 1) == 0)
            {
                File.WriteAllText(path, p.Done.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            inner?.Report(p);
        });
    }

    private sealed class Progress(Action<RunProgress> report) : IProgress<RunProgress>
    {
        public void Report(RunProgress value) => report(value);
    }

    /// <summary>
    /// Test only: with RISKSIM_TEST_PAUSE_WRITE=PATH, the writer, once summary.json and percentiles.csv are in the
    /// temporary folder, writes that folder's path to PATH and waits until PATH is deleted (at most 10 minutes) or a
    /// signal arrives, so a test can kill or signal the process at a known point of the writing on a loaded machine.
    /// </summary>
    /// <remarks>
    /// It says so on standard error; nothing else reads the variable.
    /// </remarks>
    public static void PauseWrite(string tmp, TextWriter errors, CancellationToken ct)
    {
        string? path = Environment.GetEnvironmentVariable("RISKSIM_TEST_PAUSE_WRITE");
        if (string.IsNullOrEmpty(path))
        {
            return;
        }

        errors.WriteLine($"[test hook RISKSIM_TEST_PAUSE_WRITE] writing paused in {tmp} until {path} is deleted");
        errors.Flush();
        File.WriteAllText(path + ".part", tmp);
        File.Move(path + ".part", path, overwrite: true);
        var sw = Stopwatch.StartNew();
        while (File.Exists(path) && sw.Elapsed < TimeSpan.FromMinutes(10) && !ct.WaitHandle.WaitOne(20))
        {
        }
    }
}
