using System.Reflection;
using DurableTask.Core;
using DurableTask.Core.History;
using Google.Protobuf.Collections;
using IvvyWorkflows.Engine.Backend;
using Microsoft.DurableTask.Testing.Sidecar.Dispatcher;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;

namespace IvvyWorkflows.Engine.Tests.Backend;

public sealed class SidecarCompatibleOrchestrationServiceTests
{
    readonly IOrchestrationService inner = Substitute.For<IOrchestrationService, IOrchestrationServiceClient>();

    IOrchestrationServiceClient InnerClient => (IOrchestrationServiceClient)inner;

    [Fact]
    public async Task CompleteTaskOrchestrationWorkItemAsync_SidecarSubOrchestrationEvent_IsReplacedByBaseType()
    {
        var runtime = new OrchestrationRuntimeState();
        runtime.AddEvent(Started("parent", new Dictionary<string, string>()));
        runtime.AddEvent(new GrpcSubOrchestrationInstanceCreatedEvent(3)
        {
            Name = "Child", Version = "2", InstanceId = "child-1", Input = "\"in\"",
        });
        var sut = Create();

        await sut.CompleteTaskOrchestrationWorkItemAsync(
            WorkItem(runtime), runtime, [], [], [], null!, new OrchestrationState());

        foreach (IList<HistoryEvent> events in new[] { runtime.Events, runtime.NewEvents })
        {
            var created = Assert.Single(events.OfType<SubOrchestrationInstanceCreatedEvent>());
            Assert.Equal(typeof(SubOrchestrationInstanceCreatedEvent), created.GetType());
            Assert.Equal((3, "Child", "2", "child-1", "\"in\""), (created.EventId, created.Name, created.Version, created.InstanceId, created.Input));
        }

        await inner.Received(1).CompleteTaskOrchestrationWorkItemAsync(
            Arg.Any<TaskOrchestrationWorkItem>(), runtime, Arg.Any<IList<TaskMessage>>(), Arg.Any<IList<TaskMessage>>(),
            Arg.Any<IList<TaskMessage>>(), Arg.Any<TaskMessage>(), Arg.Any<OrchestrationState>());
    }

    [Fact]
    public async Task CompleteTaskOrchestrationWorkItemAsync_ProtobufMapFieldTags_BecomePlainDictionaries()
    {
        var runtime = new OrchestrationRuntimeState();
        runtime.AddEvent(Started("parent", new MapField<string, string> { ["owner"] = "sync" }));
        ExecutionStartedEvent childStart = Started("child-1", new MapField<string, string> { ["module"] = "contacts" });
        var state = new OrchestrationState { Tags = new MapField<string, string> { ["owner"] = "sync" } };
        var sut = Create();

        await sut.CompleteTaskOrchestrationWorkItemAsync(
            WorkItem(runtime), runtime, [], [new TaskMessage { Event = childStart, OrchestrationInstance = childStart.OrchestrationInstance }],
            [], null!, state);

        Assert.IsType<Dictionary<string, string>>(childStart.Tags);
        Assert.Equal("contacts", childStart.Tags["module"]);
        Assert.IsType<Dictionary<string, string>>(runtime.ExecutionStartedEvent!.Tags);
        Assert.IsType<Dictionary<string, string>>(state.Tags);
        Assert.Equal("sync", state.Tags["owner"]);
    }

    [Fact]
    public void ToBaseSubOrchestrationCreated_SidecarSubclass_CopiesEveryBaseProperty()
    {
        var source = new GrpcSubOrchestrationInstanceCreatedEvent(7)
        {
            Name = "n", Version = "v", InstanceId = "i", Input = "in", ClientSpanId = "span",
            Tags = new MapField<string, string> { ["k"] = "v" }, IsPlayed = true,
            Timestamp = new DateTime(2024, 5, 6, 7, 8, 9, DateTimeKind.Utc),
        };

        SubOrchestrationInstanceCreatedEvent copy = SidecarCompatibleOrchestrationService.ToBaseSubOrchestrationCreated(source);

        // Reflection, so a property added to the base type in a later DurableTask.Core fails this test until copied.
        foreach (PropertyInfo property in typeof(SubOrchestrationInstanceCreatedEvent).GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            object? expected = property.GetValue(source);
            object? actual = property.GetValue(copy);
            if (expected is IDictionary<string, string> tags)
            {
                Assert.Equal(tags.OrderBy(t => t.Key), ((IDictionary<string, string>)actual!).OrderBy(t => t.Key));
            }
            else
            {
                Assert.True(Equals(expected, actual), $"{property.Name}: expected '{expected}', got '{actual}'");
            }
        }
    }

    [Fact]
    public async Task LockNextTaskActivityWorkItem_ActivityRunning_RenewsLockUntilCompleted()
    {
        var time = new FakeTimeProvider();
        TaskActivityWorkItem item = ActivityItem("m1");
        inner.LockNextTaskActivityWorkItem(default, default).ReturnsForAnyArgs(item);
        int renewals = 0;
        inner.RenewTaskActivityWorkItemLockAsync(item).Returns(_ =>
        {
            Interlocked.Increment(ref renewals);
            return Task.FromResult(item);
        });
        var sut = Create(time);

        await sut.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        await AdvanceUntilAsync(time, () => Volatile.Read(ref renewals) >= 2);
        await sut.CompleteTaskActivityWorkItemAsync(item, new TaskMessage());
        int afterCompletion = Volatile.Read(ref renewals);
        for (int i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Yield();
        }

        Assert.Equal(afterCompletion, Volatile.Read(ref renewals));
        Assert.Equal(0, sut.RenewingActivityCount);
        await inner.Received(1).CompleteTaskActivityWorkItemAsync(item, Arg.Any<TaskMessage>());
    }

    [Fact]
    public async Task CompleteTaskActivityWorkItemAsync_RenewalInFlight_CompletesOnlyAfterIt()
    {
        var time = new FakeTimeProvider();
        TaskActivityWorkItem item = ActivityItem("m2");
        inner.LockNextTaskActivityWorkItem(default, default).ReturnsForAnyArgs(item);
        var renewalStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var renewalRelease = new TaskCompletionSource<TaskActivityWorkItem>(TaskCreationOptions.RunContinuationsAsynchronously);
        inner.RenewTaskActivityWorkItemLockAsync(item).Returns(_ =>
        {
            renewalStarted.TrySetResult();
            return renewalRelease.Task;
        });
        var sut = Create(time);

        await sut.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        await AdvanceUntilAsync(time, () => renewalStarted.Task.IsCompleted);
        Task completion = sut.CompleteTaskActivityWorkItemAsync(item, new TaskMessage());
        await inner.DidNotReceive().CompleteTaskActivityWorkItemAsync(Arg.Any<TaskActivityWorkItem>(), Arg.Any<TaskMessage>());
        renewalRelease.SetResult(item);
        await completion;

        await inner.Received(1).CompleteTaskActivityWorkItemAsync(item, Arg.Any<TaskMessage>());
    }

    [Fact]
    public async Task AbandonTaskActivityWorkItemAsync_RenewedItem_StopsRenewingAndAbandons()
    {
        TaskActivityWorkItem item = ActivityItem("m3");
        inner.LockNextTaskActivityWorkItem(default, default).ReturnsForAnyArgs(item);
        var sut = Create(new FakeTimeProvider());

        await sut.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        Assert.Equal(1, sut.RenewingActivityCount);
        await sut.AbandonTaskActivityWorkItemAsync(item);

        Assert.Equal(0, sut.RenewingActivityCount);
        await inner.Received(1).AbandonTaskActivityWorkItemAsync(item);
    }

    [Fact]
    public async Task StopAsync_ActivityStillInFlight_StopsRenewingAndHandsItBack()
    {
        TaskActivityWorkItem item = ActivityItem("m4");
        inner.LockNextTaskActivityWorkItem(default, default).ReturnsForAnyArgs(item);
        var sut = Create(new FakeTimeProvider());
        await sut.StartAsync();

        await sut.LockNextTaskActivityWorkItem(TimeSpan.FromSeconds(1), CancellationToken.None);
        await sut.StopAsync();

        Assert.Equal(0, sut.RenewingActivityCount);
        Received.InOrder(() =>
        {
            inner.AbandonTaskActivityWorkItemAsync(item);
            inner.StopAsync(false);
        });
    }

    [Fact]
    public async Task WaitForOrchestrationAsync_RunningThenCompleted_ReturnsFinalStateFromBackend()
    {
        var running = new OrchestrationState { OrchestrationStatus = OrchestrationStatus.Running };
        var completed = new OrchestrationState { OrchestrationStatus = OrchestrationStatus.Completed };
        var final = new OrchestrationState { OrchestrationStatus = OrchestrationStatus.Completed, Output = "\"done\"" };
        InnerClient.GetOrchestrationStateAsync("o1", (string)null!).Returns(running, running, completed);
        InnerClient.WaitForOrchestrationAsync("o1", null!, TimeSpan.Zero, Arg.Any<CancellationToken>()).Returns(final);
        var sut = Create(pollInterval: TimeSpan.FromMilliseconds(1));

        OrchestrationState result = await sut.WaitForOrchestrationAsync("o1", null!, Timeout.InfiniteTimeSpan, CancellationToken.None);

        Assert.Same(final, result);
        await InnerClient.Received(3).GetOrchestrationStateAsync("o1", (string)null!);
    }

    [Fact]
    public async Task WaitForOrchestrationAsync_NeverTerminalWithinTimeout_ReturnsNull()
    {
        InnerClient.GetOrchestrationStateAsync("o2", (string)null!)
            .Returns(new OrchestrationState { OrchestrationStatus = OrchestrationStatus.Running });
        var sut = Create(pollInterval: TimeSpan.FromMilliseconds(1));

        OrchestrationState? result = await sut.WaitForOrchestrationAsync("o2", null!, TimeSpan.FromMilliseconds(30), CancellationToken.None);

        Assert.Null(result);
    }

    [Fact]
    public async Task StopAsync_NeverStarted_DoesNotStopBackend()
    {
        var sut = Create();

        await sut.StopAsync();

        await inner.DidNotReceiveWithAnyArgs().StopAsync(default);
    }

    [Fact]
    public async Task StartAsyncAndStopAsync_CalledTwiceEach_ReachBackendOnce()
    {
        var sut = Create();

        await sut.StartAsync();
        await sut.StartAsync();
        await sut.StopAsync();
        await sut.StopAsync(isForced: true);

        await inner.Received(1).StartAsync();
        await inner.Received(1).StopAsync(false);
        await inner.DidNotReceive().StopAsync(true);
    }

    [Fact]
    public async Task StartAsync_AfterStop_DoesNotRestartBackend()
    {
        // The sidecar starts the backend from an async void handler that may run after the engine stopped it; a
        // restart there threw "already started" and crashed the process.
        var sut = Create();
        await sut.StartAsync();
        await sut.StopAsync();

        await sut.StartAsync();

        await inner.Received(1).StartAsync();
    }

    [Fact]
    public async Task StartAsync_SecondCallAfterFailedStart_DoesNotThrow()
    {
        inner.StartAsync().Returns(Task.FromException(new InvalidOperationException("storage down")));
        var sut = Create();

        await Assert.ThrowsAsync<InvalidOperationException>(sut.StartAsync);
        await sut.StartAsync();

        await inner.Received(1).StartAsync();
    }

    SidecarCompatibleOrchestrationService Create(TimeProvider? time = null, TimeSpan? pollInterval = null) =>
        new(inner, TimeSpan.FromSeconds(5), pollInterval ?? TimeSpan.FromMilliseconds(100), time);

    static ExecutionStartedEvent Started(string instanceId, IDictionary<string, string> tags) =>
        new(-1, "\"input\"")
        {
            Name = "Orchestrator",
            OrchestrationInstance = new OrchestrationInstance { InstanceId = instanceId, ExecutionId = "e1" },
            Tags = tags,
        };

    static TaskOrchestrationWorkItem WorkItem(OrchestrationRuntimeState runtime) =>
        new() { InstanceId = runtime.OrchestrationInstance!.InstanceId, OrchestrationRuntimeState = runtime };

    static TaskActivityWorkItem ActivityItem(string id) =>
        new() { Id = id, TaskMessage = new TaskMessage { Event = new TaskScheduledEvent(1) { Name = "A" } } };

    /// <summary>Moves fake time on until the background loop has done what is expected (it registers its timers
    /// asynchronously, so one advance may come before the timer exists).</summary>
    static async Task AdvanceUntilAsync(FakeTimeProvider time, Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(10, deadline.Token);
        }
    }
}
