using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Sandbox.Ivvy;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Events → HubSpot marketing events: a source with no modified filter, read whole, writing only what changed.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class EventsSyncTests
{
    [Fact]
    public async Task Run_Events_BecomeMarketingEventsAndOnlyChangesAreWrittenAgain()
    {
        using var bed = new SyncTestBed(seedCount: 100);
        await using var env = await bed.StartAsync();
        var events = WorkflowCatalog.Open(SyncTestBed.Workflows).Load("events");
        var seeded = await env.Sandbox!.Ivvy.CountAsync(IvvyEntity.Events);

        var first = await SyncTestBed.RunAsync(env, events);

        Assert.Equal(RunStatus.Completed, first.Status);
        Assert.Equal(seeded, first.Counters.Created);
        var marketing = await env.Sandbox.HubSpot.MarketingEventsAsync();
        Assert.Equal(seeded, marketing.Count);
        var one = marketing[0];
        var source = (await env.Sandbox.Ivvy.GetEventAsync(int.Parse((string)one["externalEventId"]!)))!;
        Assert.Equal((string?)source["title"], (string?)one["eventName"]);
        Assert.Equal("ivvy", (string?)one["externalAccountId"]);

        await env.Sandbox.Ivvy.TouchEventAsync(int.Parse((string)one["externalEventId"]!), e => e["title"] = "Renamed Summit");
        var second = await SyncTestBed.RunAsync(env, events);

        Assert.Equal(seeded, second.Counters.Read); // no modified filter: the list is read whole
        Assert.Equal(1, second.Counters.Updated);
        Assert.Equal(seeded - 1, second.Counters.Unchanged);
        Assert.Equal("Renamed Summit", (string?)(await env.Sandbox.HubSpot.MarketingEventsAsync())[0]["eventName"]);
    }
}
