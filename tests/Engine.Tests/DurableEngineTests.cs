using Azure.Storage.Queues;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;

namespace IvvyWorkflows.Engine.Tests;

/// <summary>The durable engine on real Azurite: each test has a task hub of its own.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class DurableEngineTests(AzuriteFixture azurite)
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task StartAsync_OrchestrationCallingThreeActivities_RoundTripsInputAndOutput()
    {
        await using var engine = await DurableEngine.StartAsync(azurite.NewOptions(), TestTasks.Register);
        using var timeout = new CancellationTokenSource(Deadline);

        string id = await engine.Client.ScheduleNewOrchestrationInstanceAsync(
            TestTasks.Pipeline, new TestTasks.Order("order-7", 4, 12.5m), timeout.Token);
        OrchestrationMetadata result = await engine.WaitForCompletionAsync(id, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("order-7:10x12.5", result.ReadOutputAs<string>());
        Assert.Equal(new TestTasks.Order("order-7", 4, 12.5m), result.ReadInputAs<TestTasks.Order>());
        Assert.True(engine.IsDurable);
    }

    [Fact]
    public async Task StartAsync_ContinueAsNewFiveGenerations_Completes()
    {
        await using var engine = await DurableEngine.StartAsync(azurite.NewOptions(), TestTasks.Register);
        using var timeout = new CancellationTokenSource(Deadline);

        string id = await engine.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.Counter, 0, timeout.Token);
        OrchestrationMetadata result = await engine.WaitForCompletionAsync(id, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(5, result.ReadOutputAs<int>());
    }

    [Fact]
    public async Task StartAsync_SubOrchestrations_CompleteAndParentReloads()
    {
        // Fails without the sidecar repairs: MapField tags make the child unreadable (fix 1), and the sidecar's
        // event subclass leaves the parent's history unloadable (fix 2), so the parent never completes.
        await using var engine = await DurableEngine.StartAsync(azurite.NewOptions(), TestTasks.Register);
        using var timeout = new CancellationTokenSource(Deadline);

        string id = await engine.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.Parent, "sub", timeout.Token);
        OrchestrationMetadata result = await engine.WaitForCompletionAsync(id, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("SUB-A+SUB-B", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task StartAsync_NewEngineOnSameTaskHub_ResumesWaitingOrchestrationWithItsState()
    {
        DurableEngineOptions options = azurite.NewOptions();
        using var timeout = new CancellationTokenSource(Deadline);
        string id;
        await using (var first = await DurableEngine.StartAsync(options, TestTasks.Register))
        {
            id = await first.Client.ScheduleNewOrchestrationInstanceAsync(TestTasks.Approval, "state-before", timeout.Token);
            await WaitForCustomStatusAsync(first, id, "waiting", timeout.Token);
        }

        await using var second = await DurableEngine.StartAsync(options, TestTasks.Register);
        await second.Client.RaiseEventAsync(id, "approve", "yes", timeout.Token);
        OrchestrationMetadata result = await second.WaitForCompletionAsync(id, timeout.Token);

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal("STATE-BEFORE|yes", result.ReadOutputAs<string>());
    }

    [Fact]
    public async Task StartAsync_ActivityLongerThanLockVisibility_RunsOnceAndLeavesNoWorkItem()
    {
        // Without lock renewal (fix 3) the work item reappears after 5 s; its completion then cannot delete it (the pop
        // receipt changed), so it runs a second time once the first run has finished. Renewed, it is deleted at once.
        int runs = 0;
        DurableEngineOptions options = azurite.NewOptions();
        options.WorkItemVisibility = TimeSpan.FromSeconds(5);
        await using var engine = await DurableEngine.StartAsync(options, registry =>
        {
            registry.AddOrchestratorFunc<int, int>("Slow", (context, seconds) => context.CallActivityAsync<int>("Sleep", seconds));
            registry.AddActivityFunc<int, int>("Sleep", async (_, seconds) =>
            {
                int run = Interlocked.Increment(ref runs);
                await Task.Delay(TimeSpan.FromSeconds(seconds));
                return run;
            });
        });
        using var timeout = new CancellationTokenSource(Deadline);

        string id = await engine.Client.ScheduleNewOrchestrationInstanceAsync("Slow", 7, timeout.Token);
        OrchestrationMetadata result = await engine.WaitForCompletionAsync(id, timeout.Token);
        int leftInQueue = await WaitForEmptyWorkItemQueueAsync(options.TaskHubName, TimeSpan.FromSeconds(30));

        Assert.Equal(OrchestrationRuntimeStatus.Completed, result.RuntimeStatus);
        Assert.Equal(0, leftInQueue);
        Assert.Equal(1, Volatile.Read(ref runs));
    }

    [Fact]
    public async Task StopAsync_CalledTwice_StopsOnce()
    {
        var engine = await DurableEngine.StartAsync(azurite.NewOptions(), TestTasks.Register);

        Task first = engine.StopAsync();
        Task second = engine.StopAsync();
        await first;

        Assert.Same(first, second);
        await engine.DisposeAsync();
    }

    /// <summary>Polls the task hub's work-item queue until it is empty or the bound passes; returns what is left.</summary>
    static async Task<int> WaitForEmptyWorkItemQueueAsync(string taskHubName, TimeSpan bound)
    {
        var queue = new QueueClient(
            DurableEngineOptions.DevelopmentStorageConnectionString, taskHubName.ToLowerInvariant() + "-workitems");
        using var deadline = new CancellationTokenSource(bound);
        int count = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        while (count > 0 && !deadline.IsCancellationRequested)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            count = (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount;
        }

        return count;
    }

    static async Task WaitForCustomStatusAsync(DurableEngine engine, string id, string status, CancellationToken ct)
    {
        while (true)
        {
            OrchestrationMetadata? metadata = await engine.Client.GetInstanceAsync(id, getInputsAndOutputs: true, ct);
            if (metadata?.ReadCustomStatusAs<string>() == status)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }
}
