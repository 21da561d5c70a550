using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.HubSpot;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.HubSpot;

// Marketing events with attendance, and lists.
public sealed partial class HubSpotSimulatorTests
{
    private const string Events = "marketing/v3/marketing-events";

    [Fact]
    public async Task MarketingEvents_UpsertThenGet_KeepsTheFieldsAndUpdatesInPlace()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var created = await server.PostAsync($"{Events}/events/upsert", EventBatch("ev-1", "Gala 2026"));
        var renamed = await server.PostAsync($"{Events}/events/upsert", EventBatch("ev-1", "Gala Night 2026"));
        var read = await server.GetAsync($"{Events}/events/ev-1?externalAccountId=acct-1");
        var otherAccount = await server.GetAsync($"{Events}/events/ev-1?externalAccountId=acct-2");

        Assert.Equal(200, created.Status);
        Assert.Equal(created.Text("results.0.objectId"), renamed.Text("results.0.objectId"));
        Assert.Equal("Gala Night 2026", read.Text("eventName"));
        Assert.Equal("Venue Co", read.Text("eventOrganizer"));
        Assert.Equal("2026-12-05T18:00:00.000Z", read.Text("startDateTime"));
        Assert.Equal("false", read.Text("eventCancelled"));
        Assert.Equal("ivvy_event_code", read.Text("customProperties.0.name"));
        Assert.Equal(404, otherAccount.Status);
    }

    [Fact]
    public async Task MarketingEvents_MissingRequiredField_FailsTheCall()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        var batch = EventBatch("ev-1", "Gala");
        batch["inputs"]![0]!.AsObject().Remove("eventOrganizer");

        var answer = await server.PostAsync($"{Events}/events/upsert", batch);

        Assert.Equal(400, answer.Status);
        Assert.Contains("eventOrganizer", answer.Text("message"), StringComparison.Ordinal);
        Assert.Equal(404, (await server.GetAsync($"{Events}/events/ev-1?externalAccountId=acct-1")).Status);
    }

    [Fact]
    public async Task Attendance_ByContactId_KeepsLatestStateAndHistoryAndIgnoresReplays()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", null), ("b@example.com", null));
        await server.PostAsync($"{Events}/events/upsert", EventBatch("ev-1", "Gala"));
        var registered = Start.AddDays(-10);
        var attended = Start.AddDays(-1);

        var register = await Attend(server, "register", ("1000001", registered), ("1000002", registered), ("999", registered));
        await Attend(server, "attend", ("1000001", attended));
        await Attend(server, "attend", ("1000001", attended));
        // An older interaction arriving late does not become the latest state.
        await Attend(server, "cancel", ("1000001", registered.AddDays(1)));
        var read = await server.GetAsync($"{Events}/events/ev-1?externalAccountId=acct-1");

        Assert.Equal(207, register.Status);
        Assert.Equal(2, register.Body!["results"]!.AsArray().Count);
        Assert.Equal("OBJECT_NOT_FOUND", register.Text("errors.0.category"));
        var participations = await server.Simulator.ParticipationsAsync("ev-1");
        Assert.Equal(["1000001", "1000002"], participations.Select(p => p.ContactId));
        Assert.Equal("attend", participations[0].State);
        Assert.Equal(
            [new HubSpotInteraction("register", registered), new HubSpotInteraction("cancel", registered.AddDays(1)), new HubSpotInteraction("attend", attended)],
            participations[0].History);
        Assert.Equal("register", participations[1].State);
        Assert.Equal("1", read.Text("attendees"));
        Assert.Equal("1", read.Text("registrants"));
    }

    [Fact]
    public async Task Attendance_ByEmail_CreatesMissingContactsWithTheirPropertiesOnly()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("known@example.com", new JsonObject { ["firstname"] = "Known" }));
        await server.PostAsync($"{Events}/events/upsert", EventBatch("ev-1", "Gala"));

        var answer = await server.PostAsync($"{Events}/attendance/ev-1/register/email-create?externalAccountId=acct-1", new JsonObject
        {
            ["inputs"] = new JsonArray(
                new JsonObject { ["email"] = "known@example.com", ["interactionDateTime"] = Start.ToUnixTimeMilliseconds(), ["contactProperties"] = new JsonObject { ["firstname"] = "Changed" } },
                new JsonObject { ["email"] = "new@example.com", ["interactionDateTime"] = Start.ToUnixTimeMilliseconds(), ["contactProperties"] = new JsonObject { ["firstname"] = "Nova" } },
                new JsonObject { ["email"] = "not-an-email", ["interactionDateTime"] = Start.ToUnixTimeMilliseconds() }),
        });

        Assert.Equal(207, answer.Status);
        Assert.Equal("1", answer.Text("numErrors"));
        Assert.Equal("Known", (await server.Simulator.FindByPropertyAsync("contacts", "email", "known@example.com"))!["firstname"]!.ToString());
        var created = await server.Simulator.FindByPropertyAsync("contacts", "email", "new@example.com");
        Assert.Equal("Nova", created!["firstname"]!.ToString());
        var participations = await server.Simulator.ParticipationsAsync("ev-1", "acct-1");
        Assert.Equal(["1000001", created["id"]!.ToString()], participations.Select(p => p.ContactId));
        Assert.All(participations, p => Assert.Equal("register", p.State));
    }

    [Theory]
    [InlineData("ev-1", "maybe", 400)]
    [InlineData("ev-unknown", "attend", 404)]
    public async Task Attendance_BadStateOrUnknownEvent_IsRefused(string eventId, string state, int expected)
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", null));
        await server.PostAsync($"{Events}/events/upsert", EventBatch("ev-1", "Gala"));

        var answer = await server.PostAsync($"{Events}/attendance/{eventId}/{state}/create?externalAccountId=acct-1", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["vid"] = 1000001 }),
        });

        Assert.Equal(expected, answer.Status);
    }

    [Fact]
    public async Task Restart_KeepsEventsAndParticipations()
    {
        var folder = Path.Combine(Path.GetTempPath(), "hubspot-sim-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await HubSpotTestServer.StartAsync(dataDirectory: folder))
            {
                await first.UpsertContactsByEmailAsync(("a@example.com", null));
                await first.PostAsync($"{Events}/events/upsert", EventBatch("ev-1", "Gala"));
                await Attend(first, "register", ("1000001", Start));
            }

            await using var second = await HubSpotTestServer.StartAsync(dataDirectory: folder);
            await Attend(second, "attend", ("1000001", Start.AddHours(1)));
            var participations = await second.Simulator.ParticipationsAsync("ev-1");

            Assert.Equal("attend", Assert.Single(participations).State);
            Assert.Equal(2, participations[0].History.Count);
            Assert.Equal(200, (await second.GetAsync($"{Events}/events/ev-1?externalAccountId=acct-1")).Status);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Lists_CreateFindAddRemoveAndPage()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await HubSpotTestServer.StartAsync(time: time);
        await server.UpsertContactsByEmailAsync(Enumerable.Range(1, 5).Select(i => ($"c{i}@example.com", (JsonObject?)null)).ToArray());

        var created = await server.PostAsync("crm/v3/lists", NewList("Newsletter"));
        var duplicate = await server.PostAsync("crm/v3/lists", NewList("newsletter"));
        var byName = await server.GetAsync("crm/v3/lists/object-type-id/0-1/name/Newsletter");
        var listId = created.Text("list.listId");
        var added = await server.SendAsync(HttpMethod.Put, $"crm/v3/lists/{listId}/memberships/add",
            new JsonArray("1000001", "1000002", "1000003", "1000004", "999"));
        var removed = await server.SendAsync(HttpMethod.Put, $"crm/v3/lists/{listId}/memberships/remove", new JsonArray("1000002", "1000005"));
        var page1 = await server.GetAsync($"crm/v3/lists/{listId}/memberships?limit=2");
        var page2 = await server.GetAsync($"crm/v3/lists/{listId}/memberships?limit=2&after={page1.Text("paging.next.after")}");

        Assert.Equal(200, created.Status);
        Assert.Equal("MANUAL", created.Text("list.processingType"));
        Assert.Equal(409, duplicate.Status);
        Assert.Equal(listId, byName.Text("list.listId"));
        Assert.Equal("[\"1000001\",\"1000002\",\"1000003\",\"1000004\"]", added.Text("recordIdsAdded"));
        Assert.Equal("[\"999\"]", added.Text("recordIdsMissing"));
        Assert.Equal("[\"1000002\"]", removed.Text("recordIdsRemoved"));
        Assert.Equal("[\"1000005\"]", removed.Text("recordIdsMissing"));
        Assert.Equal("1000001", page1.Text("results.0.recordId"));
        Assert.Equal("1000003", page1.Text("results.1.recordId"));
        Assert.Equal("1000004", page2.Text("results.0.recordId"));
        Assert.Null(page2.Text("paging"));
        Assert.Equal(["1000001", "1000003", "1000004"], await server.Simulator.ListMembersAsync("Newsletter"));
    }

    [Fact]
    public async Task Lists_RenameKeepsNamesUnique_AndADeletedContactIsNoMember()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(Enumerable.Range(1, 3).Select(i => ($"c{i}@example.com", (JsonObject?)null)).ToArray());
        var listId = (await server.PostAsync("crm/v3/lists", NewList("Newsletter"))).Text("list.listId");
        await server.PostAsync("crm/v3/lists", NewList("Partners"));
        await server.SendAsync(HttpMethod.Put, $"crm/v3/lists/{listId}/memberships/add", new JsonArray("1000001", "1000002", "1000003"));

        var renamed = await server.SendAsync(HttpMethod.Put, $"crm/v3/lists/{listId}/update-list-name?listName=News");
        var taken = await server.SendAsync(HttpMethod.Put, $"crm/v3/lists/{listId}/update-list-name?listName=partners");
        var deleted = await server.SendAsync(HttpMethod.Delete, "crm/v3/objects/contacts/1000002");
        var members = await server.GetAsync($"crm/v3/lists/{listId}/memberships");

        Assert.Equal((200, "News"), (renamed.Status, renamed.Text("updatedList.name")));
        Assert.Equal(409, taken.Status);
        Assert.Equal(204, deleted.Status);
        Assert.Equal(("1000001", "1000003"), (members.Text("results.0.recordId"), members.Text("results.1.recordId")));
        Assert.Equal("2", members.Text("total"));
        Assert.Equal(["1000001", "1000003"], await server.Simulator.ListMembersAsync("News"));
    }

    [Fact]
    public async Task Lists_UnknownListOrNameOrDynamicType_AreRefused()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var unknownList = await server.SendAsync(HttpMethod.Put, "crm/v3/lists/42/memberships/add", new JsonArray("1"));
        var unknownName = await server.GetAsync("crm/v3/lists/object-type-id/0-1/name/Nope");
        var dynamic = await server.PostAsync("crm/v3/lists", new JsonObject { ["name"] = "D", ["objectTypeId"] = "0-1", ["processingType"] = "DYNAMIC" });
        var pageTooBig = await server.GetAsync("crm/v3/lists/1/memberships?limit=251");

        Assert.Equal(404, unknownList.Status);
        Assert.Equal(404, unknownName.Status);
        Assert.Equal(400, dynamic.Status);
        Assert.Equal(400, pageTooBig.Status);
        Assert.Empty(await server.Simulator.ListMembersAsync("Nope"));
    }

    [Fact]
    public async Task Restart_KeepsListsAndMembers()
    {
        var folder = Path.Combine(Path.GetTempPath(), "hubspot-sim-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await HubSpotTestServer.StartAsync(dataDirectory: folder))
            {
                await first.UpsertContactsByEmailAsync(("a@example.com", null));
                var listId = (await first.PostAsync("crm/v3/lists", NewList("Newsletter"))).Text("list.listId");
                await first.SendAsync(HttpMethod.Put, $"crm/v3/lists/{listId}/memberships/add", new JsonArray("1000001"));
            }

            await using var second = await HubSpotTestServer.StartAsync(dataDirectory: folder);

            Assert.Equal(["1000001"], await second.Simulator.ListMembersAsync("Newsletter"));
            Assert.Equal(409, (await second.PostAsync("crm/v3/lists", NewList("Newsletter"))).Status);
            Assert.Equal("2", (await second.PostAsync("crm/v3/lists", NewList("Other"))).Text("list.listId"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task ResetAsync_ForgetsModuleState()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", null));
        await server.PostAsync("crm/v3/lists", NewList("Newsletter"));
        await server.PostAsync($"{Events}/events/upsert", EventBatch("ev-1", "Gala"));
        await server.PostAsync("crm/v3/pipelines/deals", VenuePipeline("Venue bookings"));

        await server.Simulator.ResetAsync();

        Assert.Equal(404, (await server.GetAsync("crm/v3/lists/object-type-id/0-1/name/Newsletter")).Status);
        Assert.Equal(404, (await server.GetAsync($"{Events}/events/ev-1?externalAccountId=acct-1")).Status);
        Assert.Single((await server.GetAsync("crm/v3/pipelines/deals")).Body!["results"]!.AsArray());
    }

    [Theory]
    [InlineData("POST", "crm/v3/objects/deals/batch/read")]
    [InlineData("GET", "crm/v3/pipelines/deals")]
    [InlineData("POST", "crm/v4/associations/contacts/companies/batch/read")]
    [InlineData("POST", "marketing/v3/marketing-events/events/upsert")]
    [InlineData("POST", "crm/v3/lists")]
    public async Task ModuleEndpoints_WithoutTheToken_Answer401AndCountAgainstTheLimit(string method, string path)
    {
        await using var server = await HubSpotTestServer.StartAsync(new HubSpotSimulatorOptions { TenSecondlyLimit = 1 }, new FakeTimeProvider(Start));

        var refused = await server.SendAsync(new HttpMethod(method), path, new JsonObject(), token: "");
        await server.SendAsync(new HttpMethod(method), path, new JsonObject());
        var limited = await server.SendAsync(new HttpMethod(method), path, new JsonObject());

        Assert.Equal(401, refused.Status);
        Assert.Equal(429, limited.Status);
    }

    private static Task<HubSpotTestServer.Answer> Attend(HubSpotTestServer server, string state, params (string Vid, DateTimeOffset At)[] inputs) =>
        server.PostAsync($"{Events}/attendance/ev-1/{state}/create?externalAccountId=acct-1", new JsonObject
        {
            ["inputs"] = new JsonArray(inputs.Select(i => (JsonNode?)new JsonObject
            {
                ["vid"] = long.Parse(i.Vid, System.Globalization.CultureInfo.InvariantCulture),
                ["interactionDateTime"] = i.At.ToUnixTimeMilliseconds(),
            }).ToArray()),
        });

    private static JsonObject EventBatch(string eventId, string name) => new()
    {
        ["inputs"] = new JsonArray(new JsonObject
        {
            ["externalAccountId"] = "acct-1",
            ["externalEventId"] = eventId,
            ["eventName"] = name,
            ["eventOrganizer"] = "Venue Co",
            ["eventType"] = "Conference",
            ["startDateTime"] = "2026-12-05T18:00:00Z",
            ["endDateTime"] = "2026-12-05T23:00:00Z",
            ["eventCancelled"] = false,
            ["eventCompleted"] = false,
            ["eventUrl"] = "https://venue.example/gala",
            ["customProperties"] = new JsonArray(new JsonObject { ["name"] = "ivvy_event_code", ["value"] = "GALA26" }),
        }),
    };

    private static JsonObject NewList(string name) => new() { ["name"] = name, ["objectTypeId"] = "0-1", ["processingType"] = "MANUAL" };
}
