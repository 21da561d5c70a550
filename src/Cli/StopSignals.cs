using System.Runtime.InteropServices;

namespace IvvyWorkflows.Cli;

/// <summary>
/// The one owner of SIGINT (Ctrl+C) and SIGTERM for the whole command: the first of either cancels
/// <see cref="Token"/>, so the command stops what it does and saves what it must (a run keeps its committed pages,
/// the engine hands back the activity in flight, the sandbox saves its state); a second one ends the process at once.
/// </summary>
/// <remarks>Neither the Generic Host (its console lifetime would swallow the signal and stop only the host) nor
/// System.CommandLine (it gives an action 2 s, then returns under it) handles these signals: see
/// <see cref="CliHost"/> and Program.cs.</remarks>
public sealed class StopSignals : IDisposable
{
    /// <summary>Exit code of a command stopped by SIGINT (128 + 2).</summary>
    public const int InterruptedExitCode = 130;

    /// <summary>Exit code of a command stopped by SIGTERM (128 + 15).</summary>
    public const int TerminatedExitCode = 143;

    private static PosixSignal? s_received;
    private readonly CancellationTokenSource _stop = new();
    private readonly PosixSignalRegistration[] _registrations;

    public StopSignals()
    {
        _registrations = [Register(PosixSignal.SIGINT), Register(PosixSignal.SIGTERM)];
    }

    /// <summary>Cancelled by the first SIGINT or SIGTERM.</summary>
    public CancellationToken Token => _stop.Token;

    /// <summary>The exit code for a command the received signal stopped: 143 after SIGTERM, 130 otherwise.</summary>
    public static int ExitCode => s_received == PosixSignal.SIGTERM ? TerminatedExitCode : InterruptedExitCode;

    public void Dispose()
    {
        foreach (var registration in _registrations)
        {
            registration.Dispose();
        }

        _stop.Dispose();
    }

    private PosixSignalRegistration Register(PosixSignal signal) => PosixSignalRegistration.Create(signal, context =>
    {
        if (_stop.IsCancellationRequested)
        {
            // A second signal: the default action, which ends the process now.
            return;
        }

        s_received = signal;
        context.Cancel = true;
        // Off the signal thread: cancellation runs the command's callbacks.
        ThreadPool.QueueUserWorkItem(_ => _stop.Cancel());
    });
}
