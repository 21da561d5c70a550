using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

/// <summary>
/// The seed's times tell a possible story, over the whole seed as iVvy serves it: people exist before anything happens to
/// them, register before the event starts, are checked in while it runs, and no record is modified before it was created
/// or after now.
/// </summary>
public sealed class IvvySeedTimelineTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestSandbox.NewClock();
    private SandboxHost _host = null!;
    private IvvyTestClient _client = null!;
    private Dictionary<int, DateTimeOffset> _contactCreated = null!;
    private Dictionary<int, (DateTimeOffset Start, DateTimeOffset End)> _events = null!;

    public async Task InitializeAsync()
    {
        _host = await TestSandbox.StartAsync(_time, seedCount: 2000);
        _client = new IvvyTestClient(_host.IvvyBaseUrl, _time);
        _contactCreated = (await _client.AllAsync("contact", "getContactList", [])).ToDictionary(c => Id(c), c => Time(c, "createdDate")!.Value);
        _events = (await _client.AllAsync("event", "getEventList", [])).ToDictionary(e => Id(e), e => (Time(e, "startDateTime")!.Value, Time(e, "endDateTime")!.Value));
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Seed_CheckIns_HappenWhileTheEventRuns()
    {
        var attended = 0;
        foreach (var (eventId, (start, end)) in _events)
        {
            foreach (var attendee in await _client.AllAsync("event", "getAttendeeList", new JsonObject { ["eventId"] = eventId }))
            {
                var times = new[] { Time(attendee, "attendedDatetime"), Time(attendee, "sessionAttendedTimestamp") }
                    .Concat(attendee["sessions"]!.AsArray().Select(s => Time(s!.AsObject(), "attendedDatetime")))
                    .OfType<DateTimeOffset>()
                    .ToList();
                attended += Time(attendee, "attendedDatetime") is null ? 0 : 1;
                Assert.All(times, at => Assert.True(at >= start && at <= end && at <= _time.GetUtcNow(),
                    $"attendee {Id(attendee)} of event {eventId} ({start:u} – {end:u}) checked in at {at:u}"));
                Assert.True(Time(attendee, "createdDate") <= start, $"attendee {Id(attendee)} registered after event {eventId} started");
                Assert.True(Time(attendee, "createdDate") >= _contactCreated[attendee["contactId"]!.GetValue<int>()],
                    $"attendee {Id(attendee)} registered before contact {attendee["contactId"]} existed");
                AssertCreatedThenModified("attendee", attendee);
                Assert.All(times, at => Assert.True(Time(attendee, "modifiedDate") >= at, $"attendee {Id(attendee)} modified before check-in"));
            }
        }

        Assert.True(attended > 50, $"only {attended} attendees were checked in");
    }

    [Fact]
    public async Task Seed_RegistrationsAndInvitations_ComeBeforeTheEventAndAfterTheContact()
    {
        foreach (var (eventId, (start, _)) in _events)
        {
            var request = new JsonObject { ["eventId"] = eventId };
            foreach (var registration in await _client.AllAsync("event", "getRegistrationList", request))
            {
                var created = Time(registration, "createdDate")!.Value;
                Assert.True(created <= start, $"registration {Id(registration)} created {created:u}, after event {eventId} started {start:u}");
                Assert.True(created >= _contactCreated[registration["mainContactId"]!.GetValue<int>()],
                    $"registration {Id(registration)} made before its contact existed");
                Assert.True(Time(registration, "completedDate") is not { } completed || completed >= created, $"registration {Id(registration)} completed before created");
                AssertCreatedThenModified("registration", registration);
            }

            foreach (var invitation in await _client.AllAsync("event", "getInvitedContactList", request))
            {
                var contactId = invitation["contactId"]!.GetValue<int>();
                var answered = Time(invitation, "modifiedDate")!.Value;
                Assert.True(answered >= _contactCreated[contactId], $"contact {contactId} invited to event {eventId} before it existed");
                Assert.True(answered <= _time.GetUtcNow(), $"invitation of contact {contactId} to event {eventId} modified in the future");
            }
        }
    }

    [Fact]
    public async Task Seed_EveryRecord_IsModifiedAfterItIsCreatedAndNotInTheFuture()
    {
        var contacts = await _client.AllAsync("contact", "getContactList", []);
        var bookings = await _client.AllAsync("venue", "getBookingListForAccount", []);

        Assert.All(contacts, c => AssertCreatedThenModified("contact", c));
        Assert.All(bookings, b => AssertCreatedThenModified("booking", b));
        Assert.All(await _client.AllAsync("contact", "getCompanyList", []), c => Assert.True(Time(c, "modifiedDate") <= _time.GetUtcNow()));
    }

    [Fact]
    public async Task Seed_Emails_GoToContactsThatExisted()
    {
        var logs = await _client.AllAsync("account", "getEmailLogList", []);

        Assert.All(logs, log => Assert.True(Time(log, "sentTime") <= _time.GetUtcNow()));
        Assert.All(logs.Where(l => l["contactId"] is not null), log => Assert.True(
            Time(log, "sentTime") >= _contactCreated[log["contactId"]!.GetValue<int>()],
            $"email {Id(log)} sent {log["sentTime"]} to contact {log["contactId"]}, created {_contactCreated[log["contactId"]!.GetValue<int>()]:u}"));
        Assert.True(logs.Count(l => l["contactId"] is not null) > logs.Count * 3 / 4, "most email goes to a contact");
    }

    private void AssertCreatedThenModified(string kind, JsonObject record)
    {
        var created = Time(record, "createdDate")!.Value;
        var modified = Time(record, "modifiedDate")!.Value;
        Assert.True(modified >= created, $"{kind} {Id(record)} modified {modified:u} before it was created {created:u}");
        Assert.True(modified <= _time.GetUtcNow(), $"{kind} {Id(record)} modified in the future ({modified:u})");
    }

    private static int Id(JsonObject record) => record["id"]!.GetValue<int>();

    private static DateTimeOffset? Time(JsonObject record, string field) =>
        record[field]?.GetValue<string>() is { Length: > 0 } text
            ? IvvyDates.TryParse(text, out var value) ? value : throw new FormatException($"{field} = {text}")
            : null;
}
