using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Engine;
using IvvyWorkflows.Engine.Runs;
using IvvyWorkflows.Engine.Service;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Scheduling;

/// <summary>
/// <c>serve</c>'s hold on <see cref="ModuleRunLock"/> (<c>runs/{module}.lock</c> in the data directory) for each live run
/// it starts, resumes or replays, from the start until the run leaves Running: the lock the command's <c>run</c>,
/// <c>resume</c> and <c>replay</c> take, so a command and the service never run one module at once in one data directory.
/// </summary>
/// <remarks>Dry runs take no lock: they write nothing live, so they may go beside a live run (as the API allows).</remarks>
public sealed partial class ServeRunLocks(IOptions<IvvyWorkflowsSettings> settings, SyncEnvironmentProvider environments,
    IHostApplicationLifetime lifetime, ILogger<ServeRunLocks> log)
{
    private readonly Dictionary<string, Hold> _holds = new(StringComparer.Ordinal);

    /// <summary>Why a run of <paramref name="module"/> cannot start now: a process holds its lock.</summary>
    public string HeldMessage(string module) =>
        $"A run of {module} is already going in {Path.GetFullPath(settings.Value.DataDirectory)} (an ivvy-workflows process holds " +
        $"runs/{module}.lock); it carries on there.";

    /// <summary>Takes the module's lock (or keeps the one this service holds already) and runs <paramref name="start"/>,
    /// holding the lock until the run it started leaves Running. Null, having started nothing, when another process has it.</summary>
    /// <remarks>Within this service the state store keeps one run of a module at a time; the lock is for other processes.
    /// A run started here as the previous one ends takes the hold over, so there is no moment the lock is let go between.</remarks>
    public async Task<RunRecord?> TryStartAsync(string module, Func<Task<RunRecord>> start)
    {
        Hold hold;
        lock (_holds)
        {
            if (!_holds.TryGetValue(module, out hold!))
            {
                if (ModuleRunLock.TryAcquire(settings.Value.DataDirectory, module) is not { } taken)
                {
                    LockHeld(log, module);
                    return null;
                }

                _holds[module] = hold = new Hold(taken);
            }

            hold.Starting++;
        }

        RunRecord? run = null;
        try
        {
            run = await start();
            return run;
        }
        finally
        {
            lock (_holds)
            {
                hold.Starting--;
                if (run is not null)
                {
                    hold.RunId = run.RunId;
                }

                ReleaseIfIdle(module, hold);
            }

            if (run is not null)
            {
                _ = Task.Run(() => HoldUntilEndedAsync(module, hold, run.RunId), CancellationToken.None);
            }
        }
    }

    private async Task HoldUntilEndedAsync(string module, Hold hold, string runId)
    {
        try
        {
            var env = await environments.GetAsync(lifetime.ApplicationStopping);
            await env.Runs.WaitAsync(runId, cancellationToken: lifetime.ApplicationStopping);
        }
        catch (Exception e) when (e is OperationCanceledException or DurableEngineStorageLostException)
        {
            // Stopping (or the engine's storage lost): the lock goes now, as it would with the process.
        }

        lock (_holds)
        {
            if (hold.RunId == runId)
            {
                hold.RunId = null;
                ReleaseIfIdle(module, hold);
            }
        }
    }

    /// <summary>Lets the lock go when no run of ours holds it and none is starting (called under the lock of <see cref="_holds"/>).</summary>
    private void ReleaseIfIdle(string module, Hold hold)
    {
        if (hold.RunId is null && hold.Starting == 0 && _holds.Remove(module))
        {
            hold.Lock.Dispose();
        }
    }

    private sealed class Hold(ModuleRunLock held)
    {
        public ModuleRunLock Lock { get; } = held;

        /// <summary>The run of ours the lock is held for (the newest started); null while none.</summary>
        public string? RunId { get; set; }

        public int Starting { get; set; }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "A run of {Module} is already going in this data directory (another process holds its lock); not starting another.")]
    private static partial void LockHeld(ILogger logger, string module);
}
