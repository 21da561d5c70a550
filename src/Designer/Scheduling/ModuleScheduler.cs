using System.Collections.Concurrent;
using System.Threading.Channels;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Scheduling;

/// <summary>
/// <c>serve</c>'s worker: starts the sync environment, resumes the runs a killed process left unfinished, then starts
/// each module when it is due. Due modules run one after another in dependency order (as <c>run --all</c>), and a
/// module never has two runs at once: a tick that falls due while one is going (here, or in a command holding the module's
/// <see cref="ServeRunLocks">lock</see>) is skipped and logged.
/// </summary>
public sealed partial class ModuleScheduler(SyncEnvironmentProvider environments, ModuleSchedules schedules, WorkflowCatalog catalog,
    IOptions<ScheduleOptions> options, ServeRunLocks locks, TimeProvider time, ILogger<ModuleScheduler> log) : BackgroundService
{
    /// <summary>How often the schedule is looked at even when nothing is due (a setting may have changed).</summary>
    private static readonly TimeSpan MaxSleep = TimeSpan.FromMinutes(1);

    private readonly Channel<string> _lane = Channel.CreateUnbounded<string>();
    private readonly ConcurrentDictionary<string, string> _queued = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _wake = new(0);

    /// <summary>Looks at the schedules again now (after an operator changed one).</summary>
    public void Wake() => _wake.Release();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        SyncEnvironment env;
        try
        {
            env = await environments.GetAsync(stoppingToken);
            await ResumeInterruptedAsync(env, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            return;
        }

        if (!options.Value.Enabled)
        {
            SchedulesOff(log);
            return;
        }

        var lane = Task.Run(() => RunLaneAsync(env, stoppingToken), stoppingToken);
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                foreach (var module in schedules.Due(time.GetUtcNow(), m => Busy(env.Store, m)))
                {
                    _queued[module] = "queued behind the modules due before it";
                    await _lane.Writer.WriteAsync(module, stoppingToken);
                }

                var sleep = schedules.NextDue() is { } next ? next - time.GetUtcNow() : MaxSleep;
                sleep = sleep < TimeSpan.Zero ? TimeSpan.Zero : sleep > MaxSleep ? MaxSleep : sleep;
                using var wakeOrStop = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
                var woken = _wake.WaitAsync(wakeOrStop.Token);
                await Task.WhenAny(Task.Delay(sleep + TimeSpan.FromMilliseconds(1), time, wakeOrStop.Token), woken);
                await wakeOrStop.CancelAsync();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }

        _lane.Writer.TryComplete();
        await lane.ContinueWith(_ => { }, TaskScheduler.Default);
    }

    /// <summary>Why <paramref name="module"/> cannot start now, or null when it can.</summary>
    private string? Busy(SqliteStateStore store, string module) =>
        _queued.TryGetValue(module, out var why) ? $"its scheduled run is {why}"
        : store.FindUnfinishedRunAsync(module).GetAwaiter().GetResult() is { } running ? $"run {running.RunId} of {module} is still going"
        : null;

    private async Task RunLaneAsync(SyncEnvironment env, CancellationToken stoppingToken)
    {
        await foreach (var module in _lane.Reader.ReadAllAsync(stoppingToken))
        {
            try
            {
                if (await env.Store.FindUnfinishedRunAsync(module) is { } running)
                {
                    schedules.Skipped(module, $"run {running.RunId} of {module} is still going");
                    continue;
                }

                // Checked as every host checks a definition: a bad one fails this run's start and is logged, the others go on.
                var workflow = CheckedDefinitions.LoadChecked(catalog, module, null);
                _queued[module] = "running";
                if (await locks.TryStartAsync(module, () => env.Runs.StartAsync(workflow, dryRun: false, cancellationToken: stoppingToken)) is not { } run)
                {
                    schedules.Skipped(module, locks.HeldMessage(module));
                    continue;
                }

                schedules.Started(module, run.RunId);
                RunStarted(log, run.RunId, module, run.Version);
                var final = await env.Runs.WaitAsync(run.RunId, cancellationToken: stoppingToken);
                RunEnded(log, final.RunId, module, final.Status);
            }
            catch (Exception e) when (e is DefinitionException or InvalidOperationException)
            {
                schedules.Skipped(module, e.Message);
                CouldNotStart(log, module, e.Message);
            }
            finally
            {
                _queued.TryRemove(module, out _);
                Wake();
            }
        }
    }

    /// <summary>A run whose process was killed stays Running in the journal with nobody working on it; a new attempt
    /// continues it from its last committed page.</summary>
    private async Task ResumeInterruptedAsync(SyncEnvironment env, CancellationToken cancellationToken)
    {
        foreach (var run in await env.Store.ListRunsAsync(limit: 1000))
        {
            if (run.Status != RunStatus.Running)
            {
                continue;
            }

            // A run the command is carrying on (it holds the module's lock) is left to it.
            if (run.DryRun)
            {
                Resuming(log, run.RunId, run.Module);
                await env.Runs.ResumeAsync(run.RunId, cancellationToken);
            }
            else if (await locks.TryStartAsync(run.Module, () => env.Runs.ResumeAsync(run.RunId, cancellationToken)) is not null)
            {
                Resuming(log, run.RunId, run.Module);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedules are off (Schedules:Enabled = false): modules run when an operator starts them.")]
    private static partial void SchedulesOff(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled run {RunId} of {Module} v{Version} started.")]
    private static partial void RunStarted(ILogger logger, string runId, string module, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scheduled run {RunId} of {Module} ended {Status}.")]
    private static partial void RunEnded(ILogger logger, string runId, string module, RunStatus status);

    [LoggerMessage(Level = LogLevel.Error, Message = "Scheduled run of {Module} could not start: {Message}")]
    private static partial void CouldNotStart(ILogger logger, string module, string message);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Run {RunId} of {Module} was interrupted (the service stopped during it): resuming it from its last committed page.")]
    private static partial void Resuming(ILogger logger, string runId, string module);
}
