using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Event attendees → marketing-event participations, status kept current on every run.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class AttendeesSyncTests
{
    [Fact]
    public async Task Run_InvitationsAndAttendees_BecomeParticipationsWhoseStateFollowsIvvy()
    {
        using var bed = new SyncTestBed(seedCount: 300);
        await using var env = await bed.StartAsync();
        var catalog = WorkflowCatalog.Open(SyncTestBed.Workflows);
        var attendees = catalog.Load("attendees");
        await SyncTestBed.RunAsync(env, catalog.Load("events"));
        await SyncTestBed.RunAsync(env, catalog.Load("contacts"));

        var run = await SyncTestBed.RunAsync(env, attendees);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(0, run.Counters.Quarantined);
        var hubSpot = env.Sandbox!.HubSpot;
        var participations = new List<(string Event, Sandbox.HubSpot.HubSpotParticipation Participation)>();
        foreach (var marketingEvent in await hubSpot.MarketingEventsAsync())
        {
            var id = (string)marketingEvent["externalEventId"]!;
            participations.AddRange((await hubSpot.ParticipationsAsync(id)).Select(p => (id, p)));
        }

        Assert.Contains(participations, p => p.Participation.State == "attend");
        Assert.Contains(participations, p => p.Participation.State == "register");
        Assert.Contains(participations, p => p.Participation.State == "cancel");

        // Someone registered who has not attended yet checks in: the next run moves them to attend, and only them.
        // (A registrant from an accepted invitation may not be on the attendee list: take one who is.)
        (string Event, Sandbox.HubSpot.HubSpotParticipation Participation)? checkedIn = null;
        foreach (var candidate in participations.Where(p => p.Participation.State == "register"))
        {
            var contact = await hubSpot.FindByPropertyAsync("contacts", "hs_object_id", candidate.Participation.ContactId);
            try
            {
                await env.Sandbox.Ivvy.MarkAttendedAsync(int.Parse(candidate.Event), int.Parse((string)contact!["ivvy_contact_id"]!));
                checkedIn = candidate;
                break;
            }
            catch (KeyNotFoundException)
            {
            }
        }

        var (eventId, registrant) = checkedIn ?? throw new InvalidOperationException("no registered attendee in the seed data");

        var next = await SyncTestBed.RunAsync(env, attendees);

        Assert.Equal(1, next.Counters.Updated);
        Assert.Equal("attend", (await hubSpot.ParticipationsAsync(eventId)).Single(p => p.ContactId == registrant.ContactId).State);
    }
}
