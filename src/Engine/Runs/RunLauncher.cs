using Grpc.Core;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows;
using IvvyWorkflows.Workflows.Definitions;
using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace IvvyWorkflows.Engine.Runs;

/// <summary>
/// Starts, resumes, watches and terminates sync runs: the run journal (state store) says where a run stands, the
/// durable orchestration does the work.
/// </summary>
/// <remarks>
/// Resuming claims the run for a new orchestration instance ("{runId}.{attempt}") and starts it from the last committed
/// page. The claim is a fencing token checked at every commit, so an instance left over from a killed process can
/// never commit a page again; it is terminated on a best-effort basis. This makes a restart continue within seconds,
/// instead of waiting for the dead process's queue messages to become visible again.
/// With a <see cref="StorageWatch"/>, <see cref="WaitAsync"/> stops when the engine's storage is lost, and resumes the
/// run the same way after the watch restarted a dead Azurite (which may have lost its last few seconds of state).
/// </remarks>
public sealed class RunLauncher(DurableTaskClient client, SqliteStateStore store, TimeProvider time, StorageWatch? storage = null)
{
    /// <summary>Starts a run of <paramref name="workflow"/>, or resumes the module's unfinished live run if there is one
    /// (that run keeps the definition it pinned). A <paramref name="replay"/> run re-syncs the quarantined records.</summary>
    public Task<RunRecord> StartAsync(LoadedWorkflow workflow, bool dryRun, bool replay = false, CancellationToken cancellationToken = default) =>
        StartAsync(workflow, dryRun, replay, null, cancellationToken);

    /// <summary>Starts a replay run restricted to <paramref name="records"/> (stream, source id) of the module's quarantined
    /// records; the others stay quarantined. Null or empty replays them all.</summary>
    public Task<RunRecord> StartReplayAsync(LoadedWorkflow workflow, IReadOnlyCollection<(string Stream, string SourceId)>? records,
        CancellationToken cancellationToken = default) =>
        StartAsync(workflow, dryRun: false, replay: true, records, cancellationToken);

    private async Task<RunRecord> StartAsync(LoadedWorkflow workflow, bool dryRun, bool replay, IReadOnlyCollection<(string Stream, string SourceId)>? replayRecords,
        CancellationToken cancellationToken)
    {
        var module = workflow.Definition.Id;
        if (!dryRun && !replay && await store.FindUnfinishedRunAsync(module) is { } unfinished)
        {
            return await ResumeAsync(unfinished.RunId, cancellationToken);
        }

        var now = time.GetUtcNow();
        var runId = $"{module}{(replay ? "-replay" : "")}-{now:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N")[..6]}";
        await store.CreateRunAsync(new RunRecord
        {
            RunId = runId,
            Module = module,
            Version = workflow.Definition.Version,
            ContentHash = workflow.ContentHash,
            PinnedDefinition = PinnedWorkflow.Pin(workflow),
            DryRun = dryRun,
            Replay = replay,
            StartedAt = now,
        }, replay ? replayRecords : null);
        return await ScheduleAsync(runId, cancellationToken);
    }

    /// <summary>Continues a run from its last committed page under a new orchestration instance.</summary>
    public async Task<RunRecord> ResumeAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = await store.GetRunAsync(runId) ?? throw new BadInputException($"There is no run '{runId}' (see `ivvy-workflows status`).");
        if (run.Status.IsComplete())
        {
            throw new BadInputException($"Run {runId} has already completed; start a new one with `ivvy-workflows run {run.Module}`.");
        }

        if (run.Owner is { } previous)
        {
            await TerminateInstanceAsync(previous, "superseded by a resume", cancellationToken);
        }

        return await ScheduleAsync(runId, cancellationToken);
    }

    /// <summary>Stops a run: its journal says Terminated and its orchestration is terminated. Committed pages stay.</summary>
    public async Task TerminateAsync(string runId, CancellationToken cancellationToken = default)
    {
        var run = await store.GetRunAsync(runId) ?? throw new BadInputException($"There is no run '{runId}'.");
        await store.TerminateRunAsync(runId, "terminated by an operator");
        if (run.Owner is { } owner)
        {
            await TerminateInstanceAsync(owner, "terminated by an operator", cancellationToken);
        }
    }

    /// <summary>Waits until the run leaves Running, reporting the committed state as it moves.</summary>
    /// <exception cref="DurableEngineStorageLostException">The engine's storage went away for longer than its bound;
    /// the run keeps its committed pages.</exception>
    public async Task<RunRecord> WaitAsync(string runId, Func<RunRecord, Task>? progress = null, CancellationToken cancellationToken = default)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, storage?.Lost ?? CancellationToken.None);
        try
        {
            return await WaitCoreAsync(runId, progress, linked.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && storage is not null)
        {
            storage.ThrowIfLost();
            throw;
        }
    }

    private async Task<RunRecord> WaitCoreAsync(string runId, Func<RunRecord, Task>? progress, CancellationToken cancellationToken)
    {
        var checks = 0;
        var restarts = storage?.Restarts ?? 0;
        while (true)
        {
            var run = await store.GetRunAsync(runId) ?? throw new BadInputException($"There is no run '{runId}'.");
            if (progress is not null)
            {
                await progress(run);
            }

            if (run.Status != RunStatus.Running)
            {
                return run;
            }

            if (storage is not null && storage.Restarts != restarts)
            {
                // The restarted storage may have lost the orchestration's last steps: continue from the journal instead
                // (tried again at the next poll while the storage still comes up).
                try
                {
                    await ResumeAsync(runId, cancellationToken);
                    restarts = storage.Restarts;
                }
                catch (RpcException)
                {
                }

                continue;
            }

            // Every few seconds, make sure the orchestration is still alive: one that failed outside an activity
            // (e.g. it could not be replayed) never writes the journal itself.
            if (++checks % 25 == 0 && run.Owner is { } owner
                && await TryGetInstanceAsync(owner, cancellationToken) is { IsCompleted: true } instance
                && instance.RuntimeStatus != OrchestrationRuntimeStatus.Completed)
            {
                var error = instance.FailureDetails?.ErrorMessage ?? $"orchestration {owner} ended as {instance.RuntimeStatus}";
                await store.FinishRunAsync(runId, owner, RunStatus.Failed, error, new RunFailureClass("run", instance.FailureDetails?.ErrorType ?? instance.RuntimeStatus.ToString()));
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200), time, cancellationToken);
        }
    }

    /// <summary>The instance's state, or null when the backend cannot say now (storage away: the storage watch, not
    /// this check, decides when that ends the wait).</summary>
    private async Task<OrchestrationMetadata?> TryGetInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        try
        {
            return await client.GetInstanceAsync(instanceId, cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            // The gRPC client reports a cancelled wait this way; callers handle cancellation as such.
            throw new OperationCanceledException(e.Message, e, cancellationToken);
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            return null;
        }
    }

    private async Task<RunRecord> ScheduleAsync(string runId, CancellationToken cancellationToken)
    {
        var run = await store.ClaimRunAsync(runId);
        var workflow = PinnedWorkflow.Unpin(run.PinnedDefinition);
        var input = new SyncRunInput(run.RunId, run.Module, run.Version, run.ContentHash, workflow.Definition.Streams.Count);
        await client.ScheduleNewOrchestrationInstanceAsync(nameof(SyncRunOrchestrator), input,
            new StartOrchestrationOptions { InstanceId = run.Owner }, cancellationToken);
        return run;
    }

    private async Task TerminateInstanceAsync(string instanceId, string reason, CancellationToken cancellationToken)
    {
        try
        {
            if (await client.GetInstanceAsync(instanceId, cancellationToken) is { IsRunning: true } or { RuntimeStatus: OrchestrationRuntimeStatus.Pending })
            {
                await client.TerminateInstanceAsync(instanceId, new TerminateInstanceOptions { Output = reason }, cancellationToken);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Best effort: the fence in the state store already keeps the old instance from committing.
        }
    }
}
