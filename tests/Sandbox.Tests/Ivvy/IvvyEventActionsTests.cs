using System.Net;
using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

public sealed class IvvyEventActionsTests : IAsyncLifetime
{
    private const int FirstEvent = IvvyAccountSeedData.FirstEventId;

    private readonly FakeTimeProvider _time = TestSandbox.NewClock();
    private SandboxHost _host = null!;
    private IvvyTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestSandbox.StartAsync(_time, seedCount: 400);
        _client = new IvvyTestClient(_host.IvvyBaseUrl, _time);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task GetEventList_Seeded_TwelveEventsInEveryStatus()
    {
        var events = await _client.AllAsync("event", "getEventList", []);

        Assert.Equal(12, events.Count);
        Assert.Equal([0, 1, 3], events.Select(e => e["currentStatus"]!.GetValue<int>()).Distinct().Order());
        Assert.All(events, e =>
        {
            Assert.EndsWith(" UTC", e["startDateTime"]!.GetValue<string>(), StringComparison.Ordinal);
            Assert.False(e.ContainsKey("timezone")); // getEvent's, not the list's
            Assert.NotNull(e["code"]);
            Assert.NotNull(e["eventType"]);
            Assert.NotNull(e["modifiedDate"]);
            Assert.False(e.ContainsKey("isInviteOnly"));
        });
    }

    [Fact]
    public async Task GetEventList_PagesByOffset()
    {
        var page = await _client.OkAsync("event", "getEventList", new JsonObject { ["perPage"] = 5, ["start"] = 10 });

        Assert.Equal(12, page["meta"]!["totalResults"]!.GetValue<int>());
        Assert.Equal([FirstEvent + 10, FirstEvent + 11], page["results"]!.AsArray().Select(e => e!["id"]!.GetValue<int>()));
    }

    [Fact]
    public async Task GetEventList_AfterDateAndBeforeDate_InclusiveOnStartAndEnd()
    {
        var third = (await _host.Ivvy.GetEventAsync(FirstEvent + 3))!;
        var start = third["startDateTime"]!.GetValue<string>();
        var end = third["endDateTime"]!.GetValue<string>();

        var after = await _client.AllAsync("event", "getEventList", new JsonObject { ["filter"] = new JsonObject { ["afterDate"] = start } });
        var before = await _client.AllAsync("event", "getEventList", new JsonObject { ["filter"] = new JsonObject { ["beforeDate"] = end } });

        Assert.Contains(after, e => e["id"]!.GetValue<int>() == FirstEvent + 3);
        Assert.All(after, e => Assert.True(string.CompareOrdinal(e["startDateTime"]!.GetValue<string>(), start) >= 0));
        Assert.Contains(before, e => e["id"]!.GetValue<int>() == FirstEvent + 3);
        Assert.All(before, e => Assert.True(string.CompareOrdinal(e["endDateTime"]!.GetValue<string>(), end) <= 0));
        Assert.Equal(13, after.Count + before.Count);
    }

    [Fact]
    public async Task GetEventList_StatusArray_FiltersAndScalarIs400()
    {
        var launched = await _client.AllAsync("event", "getEventList", new JsonObject { ["filter"] = new JsonObject { ["status"] = new JsonArray(3) } });
        var scalar = await _client.CallAsync("event", "getEventList", new JsonObject { ["filter"] = new JsonObject { ["status"] = 3 } });

        Assert.NotEmpty(launched);
        Assert.All(launched, e => Assert.Equal(3, e["currentStatus"]!.GetValue<int>()));
        Assert.Equal(HttpStatusCode.BadRequest, scalar.Status);
        Assert.Equal(23016, scalar.SpecificCode);
    }

    [Fact]
    public async Task GetEventList_OrderByStartDateDesc_LatestFirst()
    {
        var events = await _client.AllAsync("event", "getEventList", new JsonObject { ["orderBy"] = "startDate", ["orderDir"] = "desc" });

        var starts = events.Select(e => e["startDateTime"]!.GetValue<string>()).ToList();
        Assert.Equal(starts.OrderDescending(StringComparer.Ordinal), starts);
    }

    [Theory]
    [InlineData("""{"id":1}""", 404, 24097)]
    [InlineData("""{}""", 400, 23017)]
    public async Task GetEvent_BadId_ErrorEnvelope(string body, int status, int specificCode)
    {
        var response = await _client.CallAsync("event", "getEvent", body);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(specificCode, response.SpecificCode);
    }

    [Fact]
    public async Task GetEvent_NumRegistered_CountsCompletedAndPaymentWaitingAttendees()
    {
        var attendees = await _client.AllAsync("event", "getAttendeeList", new JsonObject { ["eventId"] = FirstEvent + 1 });

        var @event = await _client.OkAsync("event", "getEvent", new JsonObject { ["id"] = FirstEvent + 1 });

        Assert.Equal(attendees.Count(a => a["registrationStatus"]!.GetValue<int>() is 2 or 4), @event["numRegistered"]!.GetValue<int>());
        Assert.True(@event["numRegistered"]!.GetValue<int>() > 0);
    }

    [Theory]
    [InlineData("getInvitedContactList", 24097)]
    [InlineData("getAttendeeList", 24210)]
    [InlineData("getRegistrationList", 24206)]
    public async Task EventLists_UnknownEvent_Is404WithSpecificCode(string action, int specificCode)
    {
        var response = await _client.CallAsync("event", action, new JsonObject { ["eventId"] = 424242 });

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal(404, response.ErrorCode);
        Assert.Equal(specificCode, response.SpecificCode);
    }

    [Theory]
    [InlineData("getInvitedContactList")]
    [InlineData("getAttendeeList")]
    [InlineData("getRegistrationList")]
    public async Task EventLists_NoEventId_Is23017(string action)
    {
        var response = await _client.CallAsync("event", action, new JsonObject { ["perPage"] = 10 });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23017, response.SpecificCode);
    }

    [Theory]
    [InlineData("getAttendeeList")]
    [InlineData("getRegistrationList")]
    public async Task EventLists_PerPageAbove100_CappedAt100(string action)
    {
        var response = await _client.CallAsync("event", action, new JsonObject { ["eventId"] = FirstEvent, ["perPage"] = 1000 });

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(100, response.Body!["meta"]!["perPage"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetRegistrationList_PerPageZero_Is400()
    {
        var response = await _client.CallAsync("event", "getRegistrationList", new JsonObject { ["eventId"] = FirstEvent, ["perPage"] = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
    }

    [Fact]
    public async Task GetAttendeeList_AnyFilter_Is400()
    {
        var response = await _client.CallAsync("event", "getAttendeeList", new JsonObject
        {
            ["eventId"] = FirstEvent,
            ["filter"] = new JsonObject { ["modifiedDate"] = "2025-01-01 00:00:00" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
    }

    [Fact]
    public async Task GetInvitedContactList_Items_CarryContactDetailsAndAllResponses()
    {
        var invitations = await AllForEventsAsync("getInvitedContactList");

        Assert.Equal(await _host.Ivvy.CountAsync(IvvyEntity.Invitations), invitations.Count);
        Assert.Equal(["N", "U", "Y"], invitations.Select(i => i["response"]!.GetValue<string>()).Distinct().Order());
        foreach (var invitation in invitations.Take(50))
        {
            var contact = (await _host.Ivvy.GetContactAsync(invitation["contactId"]!.GetValue<int>()))!;
            Assert.Equal(contact["email"]!.GetValue<string>(), invitation["email"]!.GetValue<string>());
            Assert.Equal(contact["lastName"]!.GetValue<string>(), invitation["lastName"]!.GetValue<string>());
        }

        Assert.All(invitations.Where(i => i["response"]!.GetValue<string>() != "Y"), i => Assert.Null(i["registrationId"]));
    }

    [Fact]
    public async Task Links_InvitedYesRegistrations_MatchRegistrationsOfSameEventAndContact()
    {
        var registrations = (await AllForEventsAsync("getRegistrationList", keepEvent: true)).ToDictionary(r => r["id"]!.GetValue<int>());
        var invitations = await AllForEventsAsync("getInvitedContactList");

        var registered = invitations.Where(i => i["registrationId"] is not null).ToList();

        Assert.NotEmpty(registered);
        Assert.Contains(invitations, i => i["response"]!.GetValue<string>() == "Y" && i["registrationId"] is null);
        Assert.All(registered, i =>
        {
            Assert.Equal("Y", i["response"]!.GetValue<string>());
            var registration = registrations[i["registrationId"]!.GetValue<int>()];
            Assert.Equal(i["contactId"]!.GetValue<int>(), registration["mainContactId"]!.GetValue<int>());
            Assert.Equal(i["eventId"]!.GetValue<int>(), registration["eventId"]!.GetValue<int>());
        });
    }

    [Fact]
    public async Task GetRegistrationList_Seeded_EveryStatusAndFields()
    {
        var registrations = await AllForEventsAsync("getRegistrationList");

        Assert.Equal(await _host.Ivvy.CountAsync(IvvyEntity.Registrations), registrations.Count);
        Assert.Equal([1, 2, 3, 4, 5, 6, 7], registrations.Select(r => r["currentStatus"]!.GetValue<int>()).Distinct().Order());
        Assert.Contains(registrations, r => r["isExhibitor"]!.GetValue<bool>());
        Assert.All(registrations, r =>
        {
            Assert.NotNull(r["eventName"]);
            Assert.NotNull(r["mainContactId"]);
            Assert.NotNull(r["invoiceTotalCost"]);
            Assert.False(r.ContainsKey("email"));
            Assert.Equal(r["currentStatus"]!.GetValue<int>() == 2, r["completedDate"] is not null);
        });
    }

    [Fact]
    public async Task GetRegistrationList_ModifiedDateFilter_IsInclusiveLowerBound()
    {
        var all = await _client.AllAsync("event", "getRegistrationList", new JsonObject { ["eventId"] = FirstEvent + 2 });
        var pivot = all.Select(r => r["modifiedDate"]!.GetValue<string>()).Order(StringComparer.Ordinal).ElementAt(all.Count / 2);

        var since = await _client.AllAsync("event", "getRegistrationList", new JsonObject
        {
            ["eventId"] = FirstEvent + 2,
            ["filter"] = new JsonObject { ["modifiedDate"] = pivot },
        });

        Assert.Equal(all.Count(r => string.CompareOrdinal(r["modifiedDate"]!.GetValue<string>(), pivot) >= 0), since.Count);
        Assert.Contains(since, r => r["modifiedDate"]!.GetValue<string>() == pivot);
    }

    [Fact]
    public async Task GetAttendeeList_Items_LinkToRegistrationsAndIncludeUninvited()
    {
        var attendees = await AllForEventsAsync("getAttendeeList");
        var registrations = (await AllForEventsAsync("getRegistrationList", keepEvent: true)).ToDictionary(r => r["id"]!.GetValue<int>());
        var invited = (await AllForEventsAsync("getInvitedContactList"))
            .Select(i => (i["eventId"]!.GetValue<int>(), i["contactId"]!.GetValue<int>())).ToHashSet();

        Assert.Equal(await _host.Ivvy.CountAsync(IvvyEntity.Attendees), attendees.Count);
        Assert.Contains(attendees, a => !invited.Contains((a["eventId"]!.GetValue<int>(), a["contactId"]!.GetValue<int>())));
        Assert.Contains(attendees, a => a["hasAttended"]!.GetValue<bool>());
        Assert.Contains(attendees, a => a["sessionHasAttended"]!.GetValue<bool>());
        Assert.All(attendees, a =>
        {
            Assert.Contains(a["registrationStatus"]!.GetValue<int>(), (int[])[2, 3, 4]);
            Assert.NotNull(a["email"]);
            Assert.NotEmpty(a["customFields"]!.AsArray());
            Assert.NotNull(a["customFields"]![0]!["name"]);
            Assert.NotNull(a["modifiedDate"]);
        });
        Assert.All(registrations.Values.Where(r => r["currentStatus"]!.GetValue<int>() is 2 or 4),
            r => Assert.Contains(attendees, a => a["contactId"]!.GetValue<int>() == r["mainContactId"]!.GetValue<int>()
                                                 && a["eventId"]!.GetValue<int>() == r["eventId"]!.GetValue<int>()));
    }

    [Fact]
    public async Task RespondToInvitationAsync_Answer_MovesResponseAndModifiedDate()
    {
        var invitation = (await _client.AllAsync("event", "getInvitedContactList", new JsonObject { ["eventId"] = FirstEvent + 8 }))
            .First(i => i["response"]!.GetValue<string>() == "U");
        var contactId = invitation["contactId"]!.GetValue<int>();
        _time.Advance(TimeSpan.FromMinutes(3));

        await _host.Ivvy.RespondToInvitationAsync(FirstEvent + 8, contactId, "N");

        var changed = (await _client.AllAsync("event", "getInvitedContactList", new JsonObject
        {
            ["eventId"] = FirstEvent + 8,
            ["filter"] = new JsonObject { ["modifiedDate__GREATERTHAN"] = "2025-06-15 10:33:00" },
        })).Single();
        Assert.Equal(contactId, changed["contactId"]!.GetValue<int>());
        Assert.Equal("N", changed["response"]!.GetValue<string>());
        Assert.Equal("2025-06-15 10:33:00 UTC", changed["modifiedDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task RegisterAsync_InvitedContact_SetsRegistrationIdAndAddsAttendee()
    {
        var invitation = (await _client.AllAsync("event", "getInvitedContactList", new JsonObject { ["eventId"] = FirstEvent + 9 }))
            .First(i => i["registrationId"] is null);
        var contactId = invitation["contactId"]!.GetValue<int>();
        var attendeesBefore = await _host.Ivvy.CountAsync(IvvyEntity.Attendees);

        await _host.Ivvy.RespondToInvitationAsync(FirstEvent + 9, contactId, "Y");
        var registrationId = await _host.Ivvy.RegisterAsync(FirstEvent + 9, contactId, status: 2);

        var after = (await _client.AllAsync("event", "getInvitedContactList", new JsonObject { ["eventId"] = FirstEvent + 9 }))
            .Single(i => i["contactId"]!.GetValue<int>() == contactId);
        Assert.Equal(registrationId, after["registrationId"]!.GetValue<int>());
        Assert.Equal(contactId, (await _host.Ivvy.GetRegistrationAsync(registrationId))!["mainContactId"]!.GetValue<int>());
        Assert.Equal(attendeesBefore + 1, await _host.Ivvy.CountAsync(IvvyEntity.Attendees));
    }

    [Fact]
    public async Task MarkAttendedAsync_Attendee_HasAttendedAndModifiedDateMove()
    {
        var attendee = (await _client.AllAsync("event", "getAttendeeList", new JsonObject { ["eventId"] = FirstEvent + 8 })).First();
        var contactId = attendee["contactId"]!.GetValue<int>();
        _time.Advance(TimeSpan.FromHours(2));

        await _host.Ivvy.MarkAttendedAsync(FirstEvent + 8, contactId);

        var after = (await _client.AllAsync("event", "getAttendeeList", new JsonObject { ["eventId"] = FirstEvent + 8 }))
            .First(a => a["id"]!.GetValue<int>() == attendee["id"]!.GetValue<int>());
        Assert.True(after["hasAttended"]!.GetValue<bool>());
        Assert.Equal("2025-06-15 12:30:00 UTC", after["attendedDatetime"]!.GetValue<string>());
        Assert.Equal("2025-06-15 12:30:00 UTC", after["modifiedDate"]!.GetValue<string>());
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _host.Ivvy.MarkAttendedAsync(FirstEvent + 8, 999_999));
    }

    [Fact]
    public async Task TouchRegistrationAsync_StatusChange_VisibleThroughModifiedDateFilter()
    {
        var registration = (await _client.AllAsync("event", "getRegistrationList", new JsonObject { ["eventId"] = FirstEvent + 4 })).First();
        var id = registration["id"]!.GetValue<int>();
        _time.Advance(TimeSpan.FromDays(1));

        await _host.Ivvy.TouchRegistrationAsync(id, r => r["currentStatus"] = 3);

        var changed = await _client.AllAsync("event", "getRegistrationList", new JsonObject
        {
            ["eventId"] = FirstEvent + 4,
            ["filter"] = new JsonObject { ["modifiedDate"] = "2025-06-16 10:30:00" },
        });
        Assert.Equal(3, Assert.Single(changed)["currentStatus"]!.GetValue<int>());
        Assert.Equal(id, changed[0]["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task TouchEventAsync_Change_StoredAndModifiedDateMoves()
    {
        await _host.Ivvy.TouchEventAsync(FirstEvent + 11, e => e["currentStatus"] = 3);

        var @event = (await _host.Ivvy.GetEventAsync(FirstEvent + 11))!;

        Assert.Equal(3, @event["currentStatus"]!.GetValue<int>());
        Assert.Equal("2025-06-15 10:30:00 UTC", @event["modifiedDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetContact_InvitedAndRegisteredContact_ListsEventInvitationsAndRegistrations()
    {
        var registration = (await _client.AllAsync("event", "getRegistrationList", new JsonObject { ["eventId"] = FirstEvent + 1 }))
            .First(r => r["currentStatus"]!.GetValue<int>() == 2);
        var contactId = registration["mainContactId"]!.GetValue<int>();
        var invitations = (await AllForEventsAsync("getInvitedContactList")).Where(i => i["contactId"]!.GetValue<int>() == contactId).ToList();

        var contact = await _client.OkAsync("contact", "getContact", new JsonObject { ["id"] = contactId, ["useEventSortOrder"] = true });

        var registrations = contact["eventRegistrations"]!.AsArray();
        Assert.Contains(registrations, r => r!["registrationId"]!.GetValue<int>() == registration["id"]!.GetValue<int>()
                                            && r["eventId"]!.GetValue<int>() == FirstEvent + 1
                                            && r["eventCode"]!.GetValue<string>() == $"EV{FirstEvent + 1}");
        Assert.Equal(
            invitations.Select(i => (i["eventId"]!.GetValue<int>(), i["response"]!.GetValue<string>())).Order(),
            contact["eventInvitations"]!.AsArray().Select(i => (i!["eventId"]!.GetValue<int>(), i["response"]!.GetValue<string>())).Order());
        var starts = registrations.Select(r => r!["eventStartDateTime"]!.GetValue<string>()).ToList();
        Assert.Equal(starts.Order(StringComparer.Ordinal), starts);
    }

    private async Task<List<JsonObject>> AllForEventsAsync(string action, bool keepEvent = false)
    {
        var all = new List<JsonObject>();
        for (var id = FirstEvent; id < FirstEvent + 12; id++)
        {
            foreach (var item in await _client.AllAsync("event", action, new JsonObject { ["eventId"] = id }))
            {
                if (keepEvent)
                {
                    item["eventId"] = id;
                }

                all.Add(item);
            }
        }

        return all;
    }
}
