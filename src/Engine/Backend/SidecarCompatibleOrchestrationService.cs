using System.Collections.Concurrent;
using DurableTask.Core;
using DurableTask.Core.History;
using DurableTask.Core.Query;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IvvyWorkflows.Engine.Backend;

/// <summary>
/// Sits between the in-process gRPC sidecar (<c>TaskHubGrpcServer</c>, written for its in-memory store) and a
/// persistent backend such as <c>AzureStorageOrchestrationService</c>, and repairs what the sidecar hands over.
/// </summary>
/// <remarks>
/// <para>The four defects, each measured on AzureStorage (see docs/durable-engine.md):</para>
/// <list type="number">
/// <item>Sub-orchestration start messages carry tags as a protobuf <c>MapField</c>, which AzureStorage cannot read
/// back: every <see cref="ExecutionStartedEvent.Tags"/> (and sub-orchestration and state tags) becomes a plain
/// <see cref="Dictionary{TKey,TValue}"/> before the work item is completed.</item>
/// <item>The sidecar records sub-orchestrations with a subclass of <see cref="SubOrchestrationInstanceCreatedEvent"/>
/// lacking <c>[DataContract]</c>, which AzureStorage writes as an empty history row (the parent then never loads
/// again): it is replaced by the base type, same fields, in the runtime state's event lists.</item>
/// <item>The sidecar never renews activity locks, so an activity longer than the work-item visibility would run
/// twice at once: each fetched activity work item is renewed in the background until it is completed or abandoned
/// (renewal and completion never overlap, since both change the message's pop receipt).</item>
/// <item><see cref="IOrchestrationServiceClient.WaitForOrchestrationAsync"/> on AzureStorage polls every 2 s: it is
/// replaced by a poll at <c>completionPollInterval</c>.</item>
/// </list>
/// <para>Start and stop are idempotent: the sidecar starts the backend when the worker first connects and stops it
/// (without awaiting) when its host stops; the engine starts it first and stops it again, awaited, before disposing
/// it. Stopping hands back the activity work items still in flight (their worker has gone), so a restart runs them
/// again at once rather than after the visibility timeout.</para>
/// </remarks>
internal sealed class SidecarCompatibleOrchestrationService :
    IOrchestrationService, IOrchestrationServiceClient, IOrchestrationServiceQueryClient, IOrchestrationServicePurgeClient
{
    readonly IOrchestrationService service;
    readonly IOrchestrationServiceClient client;
    readonly TimeSpan lockRenewInterval;
    readonly TimeSpan completionPollInterval;
    readonly TimeProvider time;
    readonly ILogger logger;
    readonly ConcurrentDictionary<string, LockRenewal> renewals = new(StringComparer.Ordinal);
    readonly object lifecycleGate = new();
    Task? startTask;
    Task? stopTask;

    /// <summary>Wraps a backend that implements both the service and its client (every DurableTask.Core backend does).</summary>
    /// <param name="backend">The persistent orchestration service.</param>
    /// <param name="activityLockRenewInterval">How often a running activity's lock is renewed (a third of the visibility timeout suits).</param>
    /// <param name="completionPollInterval">How often <see cref="WaitForOrchestrationAsync"/> reads the instance state.</param>
    /// <param name="time">Clock for renewal and polling delays.</param>
    /// <param name="logger">Receives renewal failures.</param>
    public SidecarCompatibleOrchestrationService(
        IOrchestrationService backend,
        TimeSpan activityLockRenewInterval,
        TimeSpan completionPollInterval,
        TimeProvider? time = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(activityLockRenewInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(completionPollInterval, TimeSpan.Zero);
        service = backend;
        client = backend as IOrchestrationServiceClient
            ?? throw new ArgumentException("The backend must also implement IOrchestrationServiceClient.", nameof(backend));
        lockRenewInterval = activityLockRenewInterval;
        this.completionPollInterval = completionPollInterval;
        this.time = time ?? TimeProvider.System;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Number of activity work items whose locks are being renewed (for tests and diagnostics).</summary>
    public int RenewingActivityCount => renewals.Count;

    // ---- Lifecycle -------------------------------------------------------------------------------------------

    /// <inheritdoc />
    /// <remarks>
    /// One-shot: the first call starts the backend and reports its failure; later calls (the sidecar's, from an
    /// async void handler where an exception would crash the process) never throw, and a call after
    /// <see cref="StopAsync(bool)"/> does nothing: a stopped engine is not restarted, a new one is built.
    /// </remarks>
    public Task StartAsync()
    {
        lock (lifecycleGate)
        {
            if (stopTask is not null)
            {
                return Task.CompletedTask;
            }

            if (startTask is null)
            {
                startTask = service.StartAsync();
                return startTask;
            }

            return IgnoreFailureAsync(startTask);
        }
    }

    static async Task IgnoreFailureAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // Already reported to the first caller.
        }
    }

    /// <inheritdoc />
    public Task StopAsync() => StopAsync(isForced: false);

    /// <inheritdoc />
    public Task StopAsync(bool isForced)
    {
        lock (lifecycleGate)
        {
            if (stopTask is not null)
            {
                return stopTask;
            }

            if (startTask is null)
            {
                // Never started: AzureStorage throws on a stop without a start.
                return Task.CompletedTask;
            }

            stopTask = StopCoreAsync(startTask, isForced);
            return stopTask;
        }
    }

    async Task StopCoreAsync(Task started, bool isForced)
    {
        foreach (string id in renewals.Keys)
        {
            if (renewals.TryRemove(id, out LockRenewal? renewal))
            {
                await renewal.StopAsync();

                // The worker has gone, so this activity cannot complete here: hand it back now, so the next start runs
                // it again within seconds instead of after the visibility timeout.
                try
                {
                    await service.AbandonTaskActivityWorkItemAsync(renewal.WorkItem);
                }
                catch (Exception ex)
                {
                    EngineLog.ActivityAbandonAtStopFailed(logger, id, ex);
                }
            }
        }

        try
        {
            await started;
        }
        catch (Exception)
        {
            // It never started, so there is nothing to stop.
            return;
        }

        try
        {
            await service.StopAsync(isForced);
        }
        catch (Exception ex)
        {
            // Never thrown: the sidecar awaits this task from an async void handler, where it would crash the process.
            EngineLog.BackendStopFailed(logger, ex);
        }
    }

    /// <inheritdoc />
    public Task CreateAsync() => service.CreateAsync();

    /// <inheritdoc />
    public Task CreateAsync(bool recreateInstanceStore) => service.CreateAsync(recreateInstanceStore);

    /// <inheritdoc />
    public Task CreateIfNotExistsAsync() => service.CreateIfNotExistsAsync();

    /// <inheritdoc />
    public Task DeleteAsync() => service.DeleteAsync();

    /// <inheritdoc />
    public Task DeleteAsync(bool deleteInstanceStore) => service.DeleteAsync(deleteInstanceStore);

    // ---- Orchestration work items ----------------------------------------------------------------------------

    /// <inheritdoc />
    public int TaskOrchestrationDispatcherCount => service.TaskOrchestrationDispatcherCount;

    /// <inheritdoc />
    public int MaxConcurrentTaskOrchestrationWorkItems => service.MaxConcurrentTaskOrchestrationWorkItems;

    /// <inheritdoc />
    public BehaviorOnContinueAsNew EventBehaviourForContinueAsNew => service.EventBehaviourForContinueAsNew;

    /// <inheritdoc />
    public bool IsMaxMessageCountExceeded(int currentMessageCount, OrchestrationRuntimeState runtimeState) =>
        service.IsMaxMessageCountExceeded(currentMessageCount, runtimeState);

    /// <inheritdoc />
    public int GetDelayInSecondsAfterOnProcessException(Exception exception) =>
        service.GetDelayInSecondsAfterOnProcessException(exception);

    /// <inheritdoc />
    public int GetDelayInSecondsAfterOnFetchException(Exception exception) =>
        service.GetDelayInSecondsAfterOnFetchException(exception);

    /// <inheritdoc />
    public Task<TaskOrchestrationWorkItem> LockNextTaskOrchestrationWorkItemAsync(TimeSpan receiveTimeout, CancellationToken cancellationToken) =>
        service.LockNextTaskOrchestrationWorkItemAsync(receiveTimeout, cancellationToken);

    /// <inheritdoc />
    public Task RenewTaskOrchestrationWorkItemLockAsync(TaskOrchestrationWorkItem workItem) =>
        service.RenewTaskOrchestrationWorkItemLockAsync(workItem);

    /// <inheritdoc />
    /// <remarks>Repairs tags (defect 1) and sub-orchestration events (defect 2) before the backend persists them.</remarks>
    public Task CompleteTaskOrchestrationWorkItemAsync(
        TaskOrchestrationWorkItem workItem,
        OrchestrationRuntimeState newOrchestrationRuntimeState,
        IList<TaskMessage> outboundMessages,
        IList<TaskMessage> orchestratorMessages,
        IList<TaskMessage> timerMessages,
        TaskMessage continuedAsNewMessage,
        OrchestrationState orchestrationState)
    {
        RepairRuntimeState(newOrchestrationRuntimeState);
        if (!ReferenceEquals(workItem.OrchestrationRuntimeState, newOrchestrationRuntimeState))
        {
            RepairRuntimeState(workItem.OrchestrationRuntimeState);
        }

        RepairMessages(outboundMessages);
        RepairMessages(orchestratorMessages);
        RepairMessages(timerMessages);
        if (continuedAsNewMessage is not null)
        {
            RepairMessages([continuedAsNewMessage]);
        }

        if (orchestrationState is not null)
        {
            orchestrationState.Tags = PlainTags(orchestrationState.Tags);
        }

        return service.CompleteTaskOrchestrationWorkItemAsync(
            workItem, newOrchestrationRuntimeState, outboundMessages, orchestratorMessages, timerMessages,
            continuedAsNewMessage, orchestrationState);
    }

    /// <inheritdoc />
    public Task AbandonTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) =>
        service.AbandonTaskOrchestrationWorkItemAsync(workItem);

    /// <inheritdoc />
    public Task ReleaseTaskOrchestrationWorkItemAsync(TaskOrchestrationWorkItem workItem) =>
        service.ReleaseTaskOrchestrationWorkItemAsync(workItem);

    // ---- Activity work items ---------------------------------------------------------------------------------

    /// <inheritdoc />
    public int TaskActivityDispatcherCount => service.TaskActivityDispatcherCount;

    /// <inheritdoc />
    public int MaxConcurrentTaskActivityWorkItems => service.MaxConcurrentTaskActivityWorkItems;

    /// <inheritdoc />
    /// <remarks>Starts renewing the work item's lock in the background (defect 3).</remarks>
    public async Task<TaskActivityWorkItem> LockNextTaskActivityWorkItem(TimeSpan receiveTimeout, CancellationToken cancellationToken)
    {
        TaskActivityWorkItem workItem = await service.LockNextTaskActivityWorkItem(receiveTimeout, cancellationToken);
        if (workItem?.Id is { } id)
        {
            var renewal = new LockRenewal(this, workItem);
            if (renewals.TryAdd(id, renewal))
            {
                renewal.Start();
            }
        }

        return workItem!;
    }

    /// <inheritdoc />
    public async Task<TaskActivityWorkItem> RenewTaskActivityWorkItemLockAsync(TaskActivityWorkItem workItem)
    {
        if (workItem?.Id is { } id && renewals.TryGetValue(id, out LockRenewal? renewal))
        {
            return await renewal.RenewNowAsync();
        }

        return await service.RenewTaskActivityWorkItemLockAsync(workItem!);
    }

    /// <inheritdoc />
    public async Task CompleteTaskActivityWorkItemAsync(TaskActivityWorkItem workItem, TaskMessage responseMessage)
    {
        await StopRenewingAsync(workItem);
        await service.CompleteTaskActivityWorkItemAsync(workItem, responseMessage);
    }

    /// <inheritdoc />
    public async Task AbandonTaskActivityWorkItemAsync(TaskActivityWorkItem workItem)
    {
        await StopRenewingAsync(workItem);
        await service.AbandonTaskActivityWorkItemAsync(workItem);
    }

    async Task StopRenewingAsync(TaskActivityWorkItem workItem)
    {
        if (workItem?.Id is { } id && renewals.TryRemove(id, out LockRenewal? renewal))
        {
            // Waits for a renewal in flight: it changes the pop receipt the completion must use.
            await renewal.StopAsync();
        }
    }

    // ---- Client ----------------------------------------------------------------------------------------------

    /// <inheritdoc />
    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage)
    {
        RepairMessages([creationMessage]);
        return client.CreateTaskOrchestrationAsync(creationMessage);
    }

    /// <inheritdoc />
    public Task CreateTaskOrchestrationAsync(TaskMessage creationMessage, OrchestrationStatus[] dedupeStatuses)
    {
        RepairMessages([creationMessage]);
        return client.CreateTaskOrchestrationAsync(creationMessage, dedupeStatuses);
    }

    /// <inheritdoc />
    public Task SendTaskOrchestrationMessageAsync(TaskMessage message)
    {
        RepairMessages([message]);
        return client.SendTaskOrchestrationMessageAsync(message);
    }

    /// <inheritdoc />
    public Task SendTaskOrchestrationMessageBatchAsync(params TaskMessage[] messages)
    {
        RepairMessages(messages);
        return client.SendTaskOrchestrationMessageBatchAsync(messages);
    }

    /// <inheritdoc />
    /// <remarks>Polls every <c>completionPollInterval</c> (defect 4), then lets the backend read the final state
    /// once, so large inputs and outputs are fetched as the backend would.</remarks>
    public async Task<OrchestrationState> WaitForOrchestrationAsync(
        string instanceId, string executionId, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        bool infinite = timeout == Timeout.InfiniteTimeSpan;
        long started = time.GetTimestamp();
        while (!cancellationToken.IsCancellationRequested)
        {
            OrchestrationState? state = await client.GetOrchestrationStateAsync(instanceId, executionId);
            if (state is not null && IsTerminal(state.OrchestrationStatus))
            {
                return await client.WaitForOrchestrationAsync(instanceId, executionId, TimeSpan.Zero, cancellationToken) ?? state;
            }

            if (!infinite && time.GetElapsedTime(started) >= timeout)
            {
                break;
            }

            try
            {
                await Task.Delay(completionPollInterval, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        return null!;
    }

    /// <inheritdoc />
    public Task ForceTerminateTaskOrchestrationAsync(string instanceId, string reason) =>
        client.ForceTerminateTaskOrchestrationAsync(instanceId, reason);

    /// <inheritdoc />
    public Task<IList<OrchestrationState>> GetOrchestrationStateAsync(string instanceId, bool allExecutions) =>
        client.GetOrchestrationStateAsync(instanceId, allExecutions);

    /// <inheritdoc />
    public Task<OrchestrationState> GetOrchestrationStateAsync(string instanceId, string executionId) =>
        client.GetOrchestrationStateAsync(instanceId, executionId);

    /// <inheritdoc />
    public Task<string> GetOrchestrationHistoryAsync(string instanceId, string executionId) =>
        client.GetOrchestrationHistoryAsync(instanceId, executionId);

    /// <inheritdoc />
    public Task PurgeOrchestrationHistoryAsync(DateTime thresholdDateTimeUtc, OrchestrationStateTimeRangeFilterType timeRangeFilterType) =>
        client.PurgeOrchestrationHistoryAsync(thresholdDateTimeUtc, timeRangeFilterType);

    /// <inheritdoc />
    public Task<OrchestrationQueryResult> GetOrchestrationWithQueryAsync(OrchestrationQuery query, CancellationToken cancellationToken) =>
        client is IOrchestrationServiceQueryClient queries
            ? queries.GetOrchestrationWithQueryAsync(query, cancellationToken)
            : throw new NotSupportedException($"{client.GetType().Name} does not support instance queries.");

    /// <inheritdoc />
    public Task<PurgeResult> PurgeInstanceStateAsync(string instanceId) =>
        client is IOrchestrationServicePurgeClient purges
            ? purges.PurgeInstanceStateAsync(instanceId)
            : throw new NotSupportedException($"{client.GetType().Name} does not support purging instances.");

    /// <inheritdoc />
    public Task<PurgeResult> PurgeInstanceStateAsync(PurgeInstanceFilter purgeInstanceFilter) =>
        client is IOrchestrationServicePurgeClient purges
            ? purges.PurgeInstanceStateAsync(purgeInstanceFilter)
            : throw new NotSupportedException($"{client.GetType().Name} does not support purging instances.");

    // ---- Repairs ---------------------------------------------------------------------------------------------

    /// <summary>Replaces sidecar-specific event subclasses with their serializable base type and plain tag maps.</summary>
    internal static void RepairRuntimeState(OrchestrationRuntimeState? state)
    {
        if (state is null)
        {
            return;
        }

        RepairEventList(state.Events);
        RepairEventList(state.NewEvents);
        RepairEventList(state.PastEvents);
    }

    static void RepairEventList(IList<HistoryEvent>? events)
    {
        if (events is null)
        {
            return;
        }

        for (int i = 0; i < events.Count; i++)
        {
            HistoryEvent original = events[i];
            HistoryEvent repaired = RepairEvent(original);
            if (!ReferenceEquals(original, repaired))
            {
                events[i] = repaired;
            }
        }
    }

    static void RepairMessages(IEnumerable<TaskMessage>? messages)
    {
        if (messages is null)
        {
            return;
        }

        foreach (TaskMessage message in messages)
        {
            if (message?.Event is not null)
            {
                message.Event = RepairEvent(message.Event);
            }
        }
    }

    /// <summary>Repairs one event: tags become a plain dictionary (in place); a sub-orchestration-created subclass
    /// is returned as a new base-type event (the caller substitutes it).</summary>
    internal static HistoryEvent RepairEvent(HistoryEvent historyEvent)
    {
        switch (historyEvent)
        {
            case ExecutionStartedEvent started:
                started.Tags = PlainTags(started.Tags);
                return started;
            case SubOrchestrationInstanceCreatedEvent created when created.GetType() != typeof(SubOrchestrationInstanceCreatedEvent):
                return ToBaseSubOrchestrationCreated(created);
            case SubOrchestrationInstanceCreatedEvent created:
                created.Tags = PlainTags(created.Tags);
                return created;
            default:
                return historyEvent;
        }
    }

    internal static SubOrchestrationInstanceCreatedEvent ToBaseSubOrchestrationCreated(SubOrchestrationInstanceCreatedEvent source) =>
        new(source.EventId)
        {
            Name = source.Name,
            Version = source.Version,
            InstanceId = source.InstanceId,
            Input = source.Input,
            ClientSpanId = source.ClientSpanId,
            Tags = PlainTags(source.Tags),
            IsPlayed = source.IsPlayed,
            Timestamp = source.Timestamp,
            ExtensionData = source.ExtensionData,
        };

    static IDictionary<string, string> PlainTags(IDictionary<string, string>? tags) =>
        tags is null || tags.GetType() == typeof(Dictionary<string, string>)
            ? tags!
            : new Dictionary<string, string>(tags, StringComparer.Ordinal);

    static bool IsTerminal(OrchestrationStatus status) => status is
        OrchestrationStatus.Completed or OrchestrationStatus.Failed or OrchestrationStatus.Terminated or OrchestrationStatus.Canceled;

    /// <summary>Background renewal of one activity work item's lock.</summary>
    sealed class LockRenewal(SidecarCompatibleOrchestrationService owner, TaskActivityWorkItem workItem) : IDisposable
    {
        readonly CancellationTokenSource stop = new();
        readonly SemaphoreSlim gate = new(1, 1);
        Task loop = Task.CompletedTask;

        public TaskActivityWorkItem WorkItem => workItem;

        public void Start() => loop = Task.Run(RunAsync);

        public async Task<TaskActivityWorkItem> RenewNowAsync()
        {
            await gate.WaitAsync();
            try
            {
                return await owner.service.RenewTaskActivityWorkItemLockAsync(workItem);
            }
            finally
            {
                gate.Release();
            }
        }

        public async Task StopAsync()
        {
            await stop.CancelAsync();
            await loop;

            // A renewal requested directly may still hold the gate; completion must wait for it too.
            await gate.WaitAsync();
            gate.Release();
            Dispose();
        }

        public void Dispose()
        {
            stop.Dispose();
            gate.Dispose();
        }

        async Task RunAsync()
        {
            while (!stop.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(owner.lockRenewInterval, owner.time, stop.Token);
                    await gate.WaitAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                try
                {
                    await owner.service.RenewTaskActivityWorkItemLockAsync(workItem);
                }
                catch (Exception ex)
                {
                    EngineLog.ActivityLockRenewalFailed(owner.logger, workItem.Id, ex);
                }
                finally
                {
                    gate.Release();
                }
            }
        }
    }
}
