using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Sandbox.Ivvy;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Quotes and bookings → deals: stage map, associations with the paired contact and company, and bookings
/// whose contact is not synced yet waiting in quarantine until a replay.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class BookingsSyncTests
{
    [Fact]
    public async Task Run_BookingsBeforeAndAfterTheirContacts_QuarantineThenReplayIntoAssociatedDeals()
    {
        using var bed = new SyncTestBed(seedCount: 400);
        await using var env = await bed.StartAsync();
        var catalog = WorkflowCatalog.Open(SyncTestBed.Workflows);
        var bookings = catalog.Load("bookings");
        var seeded = await env.Sandbox!.Ivvy.CountAsync(IvvyEntity.Bookings);

        // Run alone first: every booking refers to a contact that is not paired yet, so none can be associated.
        var early = await SyncTestBed.RunAsync(env, bookings);

        Assert.Equal(RunStatus.CompletedWithErrors, early.Status); // every booking waits for its contact
        Assert.Equal(0, await env.Sandbox.HubSpot.CountAsync("deals"));
        var waiting = await env.Store.ListQuarantineAsync("bookings", limit: 1000);
        Assert.Equal(seeded, waiting.Count);
        Assert.All(waiting, q => Assert.Equal("lookup", q.Stage));
        Assert.Contains("has no pair in", waiting[0].Reason);

        await SyncTestBed.RunAsync(env, catalog.Load("contacts"));
        await SyncTestBed.RunAsync(env, catalog.Load("companies"));
        var replay = await SyncTestBed.RunAsync(env, bookings, replay: true);

        Assert.Equal(RunStatus.Completed, replay.Status);
        Assert.Equal(seeded, replay.Counters.Created);
        Assert.Empty(await env.Store.ListQuarantineAsync("bookings"));
        var stages = bookings.Definition.Streams[0].Parameters!["stageMap"]!.AsObject();
        foreach (var deal in await env.Sandbox.HubSpot.AllAsync("deals"))
        {
            var booking = (await env.Sandbox.Ivvy.GetBookingAsync(int.Parse((string)deal["ivvy_booking_id"]!)))!;
            Assert.Equal((string?)stages[booking["currentStatus"]!.ToJsonString()], (string?)deal["dealstage"]);
            var contact = await env.Sandbox.HubSpot.FindByPropertyAsync("contacts", "ivvy_contact_id", booking["contactId"]!.ToJsonString());
            Assert.Equal([(string)contact!["id"]!], await env.Sandbox.HubSpot.AssociatedAsync("deals", (string)deal["id"]!, "contacts"));
        }

        var again = await SyncTestBed.RunAsync(env, bookings);
        Assert.Equal(0, again.Counters.Created + again.Counters.Updated);
    }

    [Fact]
    public async Task Run_OneVenue_ReadsThatVenuesBookingsOnly()
    {
        using var bed = new SyncTestBed(seedCount: 400);
        await using var env = await bed.StartAsync();
        var catalog = WorkflowCatalog.Open(SyncTestBed.Workflows);
        await SyncTestBed.RunAsync(env, catalog.Load("contacts"));
        await SyncTestBed.RunAsync(env, catalog.Load("companies"));
        var bookings = new List<System.Text.Json.Nodes.JsonObject>();
        for (var n = 0; n < await env.Sandbox!.Ivvy.CountAsync(IvvyEntity.Bookings); n++)
        {
            bookings.Add((await env.Sandbox.Ivvy.GetBookingAsync(900_001 + n))!); // the seed numbers bookings from 900001
        }

        var venueId = (int)bookings[0]["venueId"]!;
        var oneVenue = OneVenue(catalog.Load("bookings"), venueId);

        var run = await SyncTestBed.RunAsync(env, oneVenue);

        Assert.Equal(RunStatus.Completed, run.Status);
        var expected = bookings.Where(b => (int)b["venueId"]! == venueId).Select(b => b["id"]!.ToJsonString()).Order().ToList();
        Assert.InRange(expected.Count, 1, bookings.Count - 1); // the seed has bookings at other venues too
        Assert.Equal(expected, (await env.Sandbox.HubSpot.AllAsync("deals")).Select(d => (string)d["ivvy_booking_id"]!).Order());
        Assert.Contains("ivvy:venue.getBookingList", run.ApiCalls.Keys);
    }

    /// <summary>The bookings definition edited as an integrator would: one venue, through getBookingList.</summary>
    private static LoadedWorkflow OneVenue(LoadedWorkflow bookings, int venueId)
    {
        var definition = System.Text.Json.Nodes.JsonNode.Parse(bookings.DefinitionJson)!;
        definition["version"] = 99;
        definition["streams"]![0]!["source"]!["object"] = "venueBooking";
        definition["streams"]![0]!["source"]!["request"] = new System.Text.Json.Nodes.JsonObject { ["venueId"] = venueId };
        return WorkflowLoader.Load(definition.ToJsonString(), path => bookings.Templates.GetValueOrDefault(path), "bookings (one venue)", "sha256:one-venue-" + venueId);
    }
}
