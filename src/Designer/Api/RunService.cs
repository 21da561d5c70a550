using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Designer.Data;
using IvvyWorkflows.Designer.Scheduling;
using IvvyWorkflows.Engine.Runs;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IvvyWorkflows.Designer.Api;

/// <summary>What the console's API does to modules and runs, through the same run launcher as the command. Every
/// refusal is a 404 (no such module or run) or 409 (the run is not in a state for it) with a message, never a 500.</summary>
public sealed class RunService(SyncEnvironmentProvider environments, WorkflowCatalog catalog, ServedModules served, ConsoleQueries queries,
    ModuleSchedules schedules, ServeRunLocks locks, TimeProvider time)
{
    public IReadOnlyList<ModuleInfo> Modules()
    {
        var running = RunningRuns();
        return served.All.Select(m => Module(m, running)).OfType<ModuleInfo>().ToList();
    }

    public ModuleInfo? Module(string module) => Module(module, RunningRuns());

    public async Task<Results<Accepted<RunDetail>, NotFound<ApiError>, Conflict<ApiError>, UnprocessableEntity<ApiError>>> StartAsync(
        string module, RunRequest request, CancellationToken cancellationToken)
    {
        if (!served.All.Contains(module))
        {
            return TypedResults.NotFound(new ApiError($"There is no module '{module}' (known: {string.Join(", ", served.All)})."));
        }

        var env = await environments.GetAsync(cancellationToken);
        if (!request.DryRun && await env.Store.FindUnfinishedRunAsync(module) is { } running)
        {
            return TypedResults.Conflict(new ApiError($"Run {running.RunId} of {module} is still going: a module has one run at a time."));
        }

        LoadedWorkflow workflow;
        try
        {
            workflow = CheckedDefinitions.LoadChecked(catalog, module, request.DefinitionVersion);
        }
        catch (Exception e) when (e is DefinitionException or InvalidOperationException or ArgumentException or DirectoryNotFoundException or FileNotFoundException)
        {
            return TypedResults.UnprocessableEntity(new ApiError(e.Message));
        }

        var run = request.DryRun
            ? await env.Runs.StartAsync(workflow, dryRun: true, cancellationToken: cancellationToken)
            : await locks.TryStartAsync(module, () => env.Runs.StartAsync(workflow, dryRun: false, cancellationToken: cancellationToken));
        return run is null ? LockHeld(module) : Accepted(await DetailAsync(env.Store, run));
    }

    public async Task<Results<Ok<RunDetail>, NotFound<ApiError>>> GetAsync(string runId, CancellationToken cancellationToken)
    {
        var env = await environments.GetAsync(cancellationToken);
        return await env.Store.GetRunAsync(runId) is { } run ? TypedResults.Ok(await DetailAsync(env.Store, run)) : NoRun(runId);
    }

    public async Task<Results<Accepted<RunDetail>, NotFound<ApiError>, Conflict<ApiError>>> ResumeAsync(string runId, CancellationToken cancellationToken)
    {
        var env = await environments.GetAsync(cancellationToken);
        if (await env.Store.GetRunAsync(runId) is not { } run)
        {
            return NoRun(runId);
        }

        if (run.Status is RunStatus.Running or RunStatus.Completed)
        {
            return TypedResults.Conflict(new ApiError(run.Status == RunStatus.Running
                ? $"Run {runId} is still running; only a failed or terminated run can be resumed."
                : $"Run {runId} has completed; start a new one with Run now or Restart."));
        }

        if (!run.DryRun && !run.Replay && await env.Store.FindUnfinishedRunAsync(run.Module) is { } other)
        {
            return TypedResults.Conflict(new ApiError($"Run {other.RunId} of {run.Module} is going: a module has one run at a time."));
        }

        var resumed = run.DryRun
            ? await env.Runs.ResumeAsync(runId, cancellationToken)
            : await locks.TryStartAsync(run.Module, () => env.Runs.ResumeAsync(runId, cancellationToken));
        return resumed is null ? LockHeld(run.Module) : Accepted(await DetailAsync(env.Store, resumed));
    }

    /// <summary>A new run of the same module and definition version, reading on from the module's last committed cursor.</summary>
    public async Task<Results<Accepted<RunDetail>, NotFound<ApiError>, Conflict<ApiError>, UnprocessableEntity<ApiError>>> RestartAsync(string runId, CancellationToken cancellationToken)
    {
        var env = await environments.GetAsync(cancellationToken);
        if (await env.Store.GetRunAsync(runId) is not { } run)
        {
            return NoRun(runId);
        }

        if (run.Status == RunStatus.Running)
        {
            return TypedResults.Conflict(new ApiError($"Run {runId} is still running: terminate it first, or let it finish."));
        }

        return await StartAsync(run.Module, new RunRequest(run.DryRun, run.Version), cancellationToken);
    }

    public async Task<Results<Ok<RunDetail>, NotFound<ApiError>, Conflict<ApiError>>> TerminateAsync(string runId, CancellationToken cancellationToken)
    {
        var env = await environments.GetAsync(cancellationToken);
        if (await env.Store.GetRunAsync(runId) is not { } run)
        {
            return NoRun(runId);
        }

        if (run.Status != RunStatus.Running)
        {
            return TypedResults.Conflict(new ApiError($"Run {runId} is not running (it is {run.Status})."));
        }

        await env.Runs.TerminateAsync(runId, cancellationToken);
        return TypedResults.Ok(await DetailAsync(env.Store, (await env.Store.GetRunAsync(runId))!));
    }

    public async Task<Results<Accepted<RunDetail>, NotFound<ApiError>, Conflict<ApiError>, UnprocessableEntity<ApiError>>> ReplayAsync(
        ReplayRequest request, CancellationToken cancellationToken)
    {
        if (!served.All.Contains(request.Module))
        {
            return TypedResults.NotFound(new ApiError($"There is no module '{request.Module}'."));
        }

        var selection = request.Records is { Count: > 0 } named ? named.Select(r => (r.Stream, r.SourceId)).Distinct().ToList() : null;
        if (selection?.Where(r => queries.GetQuarantined(request.Module, r.Stream, r.SourceId) is null).ToList() is { Count: > 0 } missing)
        {
            return TypedResults.NotFound(new ApiError($"Not quarantined in {request.Module} (synced since, or never quarantined): " +
                string.Join(", ", missing.Take(10).Select(r => $"{r.Stream}/{r.SourceId}")) + (missing.Count > 10 ? $" and {missing.Count - 10} more" : "") + "."));
        }

        var env = await environments.GetAsync(cancellationToken);
        if (await env.Store.FindUnfinishedRunAsync(request.Module) is { } running)
        {
            return TypedResults.Conflict(new ApiError($"Run {running.RunId} of {request.Module} is going: replay when it has finished."));
        }

        LoadedWorkflow workflow;
        try
        {
            workflow = CheckedDefinitions.LoadChecked(catalog, request.Module, null);
        }
        catch (DefinitionException e)
        {
            return TypedResults.UnprocessableEntity(new ApiError(e.Message));
        }

        var run = await locks.TryStartAsync(request.Module, () => env.Runs.StartReplayAsync(workflow, selection, cancellationToken));
        return run is null ? LockHeld(request.Module) : Accepted(await DetailAsync(env.Store, run));
    }

    /// <summary>The run's progress from its committed state: the same figures the command's progress bar shows.</summary>
    public async Task<RunProgress> ProgressAsync(SqliteStateStore store, RunRecord run)
    {
        var total = await RunProgressEstimate.TotalAsync(store, run);
        var elapsed = ((run.FinishedAt ?? time.GetUtcNow()) - run.StartedAt).TotalSeconds;
        var rate = elapsed > 0 ? run.Counters.Read / elapsed : 0;
        double? percent = run.Status == RunStatus.Completed ? 100 : total is > 0 ? Math.Min(100, 100.0 * run.Counters.Read / total.Value) : null;
        double? eta = run.Status != RunStatus.Running ? 0 : total is { } t && rate > 0 ? Math.Max(0, (t - run.Counters.Read) / rate) : null;
        return new RunProgress(run.RunId, run.Status.ToString(), run.Counters, total, percent, Math.Round(rate, 2), eta, time.GetUtcNow());
    }

    private async Task<RunDetail> DetailAsync(SqliteStateStore store, RunRecord run)
    {
        var counters = await store.GetStreamCountersAsync(run.RunId);
        var streams = (await RunProgressEstimate.CursorsAsync(store, run))
            .Select(c => new StreamPosition(c.Stream, c.Cursor is not null, c.Cursor?.Complete ?? false, c.Cursor?.Offset, c.Cursor?.Total,
                counters.GetValueOrDefault(c.Stream) ?? new RunCounters()))
            .ToList();
        RunFailure? failure = run.Status == RunStatus.Failed
            ? new RunFailure(run.Error ?? "The run failed without a message.", run.Failure?.Stage, run.Failure?.ErrorClass,
                "Fix the cause (a setting, a credential, the remote's state or a template), then Resume: the run continues from its last committed page.")
            : null;
        IReadOnlyList<string> actions = run.Status switch
        {
            RunStatus.Running => ["terminate"],
            RunStatus.Completed => ["restart"],
            _ => ["resume", "restart"],
        };
        return new RunDetail(run.RunId, run.Module, run.Version, run.ContentHash, run.DryRun, run.Replay, run.Status.ToString(), run.Attempt,
            run.StartedAt, run.FinishedAt, run.Counters, run.ApiCalls, await ProgressAsync(store, run), streams, failure, actions);
    }

    private ModuleInfo? Module(string module, IReadOnlyList<RunListItem> runningRuns)
    {
        if (served.Newest(module) is not { } loaded)
        {
            return null;
        }

        var running = runningRuns.FirstOrDefault(r => r.Module == module && !r.DryRun);
        return new ModuleInfo(module, loaded.Definition.Title, served.Enabled.Contains(module), loaded.Definition.Version, loaded.ContentHash,
            loaded.Definition.DependsOn, schedules.Info(module), queries.LastRun(module), running);
    }

    private IReadOnlyList<RunListItem> RunningRuns() =>
        queries.ListRuns(new RunFilter(null, nameof(RunStatus.Running), null, null, null), new PageRequest(1, PageRequest.MaxSize), count: false).Items;

    private static Accepted<RunDetail> Accepted(RunDetail run) => TypedResults.Accepted($"/api/runs/{run.RunId}", run);

    private Conflict<ApiError> LockHeld(string module) => TypedResults.Conflict(new ApiError(locks.HeldMessage(module)));

    private static NotFound<ApiError> NoRun(string runId) => TypedResults.NotFound(new ApiError($"There is no run '{runId}'."));
}
