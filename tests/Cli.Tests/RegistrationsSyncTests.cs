using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Event registrations → deals: read event by event, only Completed ones by default, associated with the
/// paired main contact; a synced registration that is cancelled later closes its deal.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class RegistrationsSyncTests
{
    [Fact]
    public async Task Run_Registrations_CompletedOnesBecomeAssociatedDealsAndACancellationClosesOne()
    {
        using var bed = new SyncTestBed(seedCount: 300);
        await using var env = await bed.StartAsync();
        var catalog = WorkflowCatalog.Open(SyncTestBed.Workflows);
        var registrations = catalog.Load("registrations");
        await SyncTestBed.RunAsync(env, catalog.Load("contacts"));

        var run = await SyncTestBed.RunAsync(env, registrations);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(0, run.Counters.Quarantined);
        var deals = await env.Sandbox!.HubSpot.AllAsync("deals");
        Assert.NotEmpty(deals);
        Assert.Equal(run.Counters.Created, deals.Count);
        Assert.True(run.Counters.Unchanged > 0, "registrations in other statuses are read and skipped");
        foreach (var deal in deals)
        {
            var registration = (await env.Sandbox.Ivvy.GetRegistrationAsync(int.Parse((string)deal["ivvy_registration_id"]!)))!;
            Assert.Equal(2, (int)registration["currentStatus"]!);
            Assert.Equal("closedwon", (string?)deal["dealstage"]);
            var contact = await env.Sandbox.HubSpot.FindByPropertyAsync("contacts", "ivvy_contact_id", registration["mainContactId"]!.ToJsonString());
            Assert.Equal([(string)contact!["id"]!], await env.Sandbox.HubSpot.AssociatedAsync("deals", (string)deal["id"]!, "contacts"));
        }

        var cancelled = int.Parse((string)deals[0]["ivvy_registration_id"]!);
        await env.Sandbox.Ivvy.TouchRegistrationAsync(cancelled, r => r["currentStatus"] = 3);
        bed.Clock.PassWindowMargins();

        var next = await SyncTestBed.RunAsync(env, registrations);

        Assert.Equal(1, next.Counters.Updated);
        Assert.Equal(0, next.Counters.Created);
        Assert.Equal("closedlost", (string?)(await env.Sandbox.HubSpot.FindByPropertyAsync("deals", "ivvy_registration_id", cancelled.ToString()))!["dealstage"]);
    }
}
