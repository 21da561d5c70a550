using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Designer.Data;
using IvvyWorkflows.Designer.Scheduling;
using IvvyWorkflows.Engine.Service;
using Microsoft.AspNetCore.Http.HttpResults;

namespace IvvyWorkflows.Designer.Api;

/// <summary>The console's API: modules and schedules, runs and their actions, live progress, quarantine and conflicts.
/// Routes are listed with their roles in src/Designer/README.md.</summary>
public static class ConsoleEndpoints
{
    /// <summary>How often the committed state is looked at for live progress (well under the 1 s a page commit must reach
    /// the browser in); the same cadence the command's progress bar watches at.</summary>
    private static readonly TimeSpan ProgressPoll = TimeSpan.FromMilliseconds(200);

    public static void MapConsoleEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api").RequireAuthorization(Roles.ReadPolicy);
        var operate = app.MapGroup("/api").RequireAuthorization(Roles.OperatePolicy);

        read.MapGet("/modules", (RunService runs) => TypedResults.Ok(runs.Modules())).WithTags("Modules");
        read.MapGet("/modules/{module}", Results<Ok<ModuleInfo>, NotFound<ApiError>> (string module, RunService runs) =>
            runs.Module(module) is { } info ? TypedResults.Ok(info) : TypedResults.NotFound(new ApiError($"There is no module '{module}'.")))
            .WithTags("Modules");
        operate.MapPut("/modules/{module}/schedule", Results<Ok<ScheduleInfo>, NotFound<ApiError>, BadRequest<ApiError>> (
            string module, ScheduleChange change, ModuleSchedules schedules, ModuleScheduler scheduler) =>
        {
            if (!schedules.Modules.Contains(module))
            {
                return TypedResults.NotFound(new ApiError($"Module '{module}' is not enabled (EnabledModules), so it has no schedule."));
            }

            try
            {
                var info = schedules.Change(module, change);
                scheduler.Wake();
                return TypedResults.Ok(info);
            }
            catch (FormatException e)
            {
                return TypedResults.BadRequest(new ApiError(e.Message));
            }
        }).WithTags("Modules");
        operate.MapPost("/modules/{module}/runs", (string module, RunRequest request, RunService runs, CancellationToken ct) => runs.StartAsync(module, request, ct))
            .WithTags("Runs");

        read.MapGet("/runs", Results<Ok<PagedList<RunListItem>>, BadRequest<ApiError>> (string? module, string? status, bool? dryRun, DateTimeOffset? from,
                DateTimeOffset? to, int? page, int? pageSize, string? after, ConsoleQueries queries) =>
            Keyset(() => queries.ListRuns(new RunFilter(module, status, dryRun, from, to), ApiPaging.From(page, pageSize, after))))
            .WithTags("Runs");
        read.MapGet("/runs/{runId}", (string runId, RunService runs, CancellationToken ct) => runs.GetAsync(runId, ct)).WithTags("Runs");
        read.MapGet("/runs/{runId}/plan", (string runId, string? action, string? stream, int? page, int? pageSize, ConsoleQueries queries) =>
            TypedResults.Ok(queries.ListPlan(runId, action, stream, ApiPaging.From(page, pageSize))))
            .WithTags("Runs");
        read.MapGet("/runs/{runId}/progress", RunProgressAsync).WithTags("Live progress");
        read.MapGet("/progress", (SyncEnvironmentProvider environments, ConsoleQueries queries, RunService runs, CancellationToken ct) =>
            TypedResults.ServerSentEvents(AllProgressAsync(environments, queries, runs, ct))).WithTags("Live progress");
        operate.MapPost("/runs/{runId}/resume", (string runId, RunService runs, CancellationToken ct) => runs.ResumeAsync(runId, ct)).WithTags("Runs");
        operate.MapPost("/runs/{runId}/restart", (string runId, RunService runs, CancellationToken ct) => runs.RestartAsync(runId, ct)).WithTags("Runs");
        operate.MapPost("/runs/{runId}/terminate", (string runId, RunService runs, CancellationToken ct) => runs.TerminateAsync(runId, ct)).WithTags("Runs");

        read.MapGet("/quarantine", Results<Ok<PagedList<QuarantineListItem>>, BadRequest<ApiError>> (string? module, string? stream, string? stage,
                string? reason, int? page, int? pageSize, string? after, ConsoleQueries queries) =>
            Keyset(() => queries.ListQuarantine(new QuarantineFilter(module, stream, stage, reason), ApiPaging.From(page, pageSize, after))))
            .WithTags("Quarantine");
        read.MapGet("/quarantine/facets", (string? module, ConsoleQueries queries) => TypedResults.Ok(queries.QuarantineFacets(module))).WithTags("Quarantine");
        read.MapGet("/quarantine/{module}/{stream}/{sourceId}", Results<Ok<QuarantineDetail>, NotFound<ApiError>> (string module, string stream, string sourceId, ConsoleQueries queries) =>
            queries.GetQuarantined(module, stream, sourceId) is { } entry
                ? TypedResults.Ok(entry)
                : TypedResults.NotFound(new ApiError($"No record {sourceId} of {module}/{stream} is quarantined (it may have synced since).")))
            .WithTags("Quarantine");
        operate.MapPost("/quarantine/replay", (ReplayRequest request, RunService runs, CancellationToken ct) => runs.ReplayAsync(request, ct)).WithTags("Quarantine");

        read.MapGet("/conflicts", (string? module, int? page, int? pageSize, ConsoleQueries queries) =>
            TypedResults.Ok(queries.ListConflicts(module, ApiPaging.From(page, pageSize))))
            .WithTags("Conflicts");
    }

    /// <summary>A page of a list read by key; a bad <c>after</c> token is a 400 naming it.</summary>
    private static Results<Ok<PagedList<T>>, BadRequest<ApiError>> Keyset<T>(Func<PagedList<T>> list)
    {
        try
        {
            return TypedResults.Ok(list());
        }
        catch (Workflows.BadInputException e)
        {
            return TypedResults.BadRequest(new ApiError(e.Message));
        }
    }

    /// <summary>A run's progress as server-sent events (<c>progress</c>), one each time its committed state changes, until it
    /// leaves Running.</summary>
    private static async Task<Results<ServerSentEventsResult<RunProgress>, NotFound<ApiError>>> RunProgressAsync(
        string runId, SyncEnvironmentProvider environments, RunService runs, CancellationToken cancellationToken)
    {
        var env = await environments.GetAsync(cancellationToken);
        if (await env.Store.GetRunAsync(runId) is null)
        {
            return TypedResults.NotFound(new ApiError($"There is no run '{runId}'."));
        }

        var events = Channel.CreateBounded<SseItem<RunProgress>>(new BoundedChannelOptions(16) { FullMode = BoundedChannelFullMode.DropOldest });
        _ = Task.Run(async () =>
        {
            RunRecord? last = null;
            try
            {
                // The watcher the command's progress bar uses: it reports the committed state as it moves.
                await env.Runs.WaitAsync(runId, async run =>
                {
                    if (last is null || run.Counters != last.Counters || run.Status != last.Status)
                    {
                        last = run;
                        await events.Writer.WriteAsync(new SseItem<RunProgress>(await runs.ProgressAsync(env.Store, run), "progress"), cancellationToken);
                    }
                }, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            finally
            {
                events.Writer.TryComplete();
            }
        }, CancellationToken.None);
        return TypedResults.ServerSentEvents(events.Reader.ReadAllAsync(cancellationToken));
    }

    /// <summary>The progress of every running run, as one <c>runs</c> event: at once (possibly empty), then each time a
    /// run moves, starts or ends (an ended run is in the event that notices its end, with its final state).</summary>
    private static async IAsyncEnumerable<SseItem<IReadOnlyList<RunProgress>>> AllProgressAsync(SyncEnvironmentProvider environments, ConsoleQueries queries,
        RunService runs, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var env = await environments.GetAsync(cancellationToken);
        Dictionary<string, RunCounters>? seen = null;
        using var timer = new PeriodicTimer(ProgressPoll);
        do
        {
            var running = queries.ListRuns(new RunFilter(null, nameof(RunStatus.Running), null, null, null), new PageRequest(1, ApiPaging.MaxSize), count: false).Items;
            var now = running.ToDictionary(r => r.RunId, r => r.Counters, StringComparer.Ordinal);
            if (seen is not null && now.Count == seen.Count && now.All(r => seen.TryGetValue(r.Key, out var c) && c == r.Value))
            {
                continue;
            }

            var progress = new List<RunProgress>();
            foreach (var runId in seen is null ? now.Keys : now.Keys.Union(seen.Keys))
            {
                if (await env.Store.GetRunAsync(runId) is { } run)
                {
                    progress.Add(await runs.ProgressAsync(env.Store, run));
                }
            }

            seen = now;
            yield return new SseItem<IReadOnlyList<RunProgress>>(progress, "runs");
        }
        while (await timer.WaitForNextTickAsync(cancellationToken));
    }
}
