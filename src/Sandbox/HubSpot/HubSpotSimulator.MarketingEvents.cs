using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IvvyWorkflows.Sandbox.HubSpot;

// Marketing events (/marketing/v3/marketing-events): upsert by external id, read, and attendance by contact id or by email.
public sealed partial class HubSpotSimulator
{
    private const string EventsPrefix = "/marketing/v3/marketing-events";

    private static readonly string[] SubscriberStates = ["register", "attend", "cancel"];

    private static readonly string[] EventTextFields = ["eventName", "eventOrganizer", "eventType", "eventUrl", "eventDescription"];

    /// <summary>Every marketing event, as <c>GET …/events/{externalEventId}</c> returns it, by external event id.</summary>
    public Task<IReadOnlyList<JsonObject>> MarketingEventsAsync()
    {
        lock (_lock)
        {
            IReadOnlyList<JsonObject> events = _store.MarketingEvents.Values.OrderBy(e => e.EventId, StringComparer.Ordinal).Select(ToJson).ToList();
            return Task.FromResult(events);
        }
    }

    /// <summary>Every contact's participation in the event with external id <paramref name="externalEventId"/>, by contact id.</summary>
    /// <param name="externalEventId">The event's external id.</param>
    /// <param name="externalAccountId">Its external account; null matches the event in any account.</param>
    /// <returns>Empty when no such event exists.</returns>
    public Task<IReadOnlyList<HubSpotParticipation>> ParticipationsAsync(string externalEventId, string? externalAccountId = null)
    {
        lock (_lock)
        {
            IReadOnlyList<HubSpotParticipation> all = _store.MarketingEvents.Values
                .Where(e => e.EventId == externalEventId && (externalAccountId is null || e.AccountId == externalAccountId))
                .SelectMany(e => e.Participations.Where(p => p.Value.Count > 0)
                    .Select(p => new HubSpotParticipation(Text(p.Key), p.Value[^1].State, p.Value.ToList())))
                .OrderBy(p => long.Parse(p.ContactId, CultureInfo.InvariantCulture)).ToList();
            return Task.FromResult(all);
        }
    }

    private void MapMarketingEventEndpoints(IEndpointRouteBuilder app)
    {
        app.MapPost(EventsPrefix + "/events/upsert", Handle(search: false, UpsertEventsAsync));
        app.MapGet(EventsPrefix + "/events/{externalEventId}", Handle(search: false, GetEventAsync));
        app.MapPost(EventsPrefix + "/attendance/{externalEventId}/{subscriberState}/create", Handle(search: false, AttendByIdAsync));
        app.MapPost(EventsPrefix + "/attendance/{externalEventId}/{subscriberState}/email-create", Handle(search: false, AttendByEmailAsync));
    }

    private async Task<IResult> UpsertEventsAsync(HttpContext http)
    {
        var body = await ReadBodyAsync(http);
        if (BadInputs(body, _options.MaxBatchSize, out var inputs, out var inputsError))
        {
            return Fail(inputsError);
        }

        // Every input is checked before anything is written: one bad event fails the call, as HubSpot does.
        var parsed = new List<(string Account, string Event, JsonObject Fields)>();
        foreach (var (node, index) in inputs.Select((n, i) => (n, i)))
        {
            if (ParseEvent(node as JsonObject, index, out var account, out var eventId, out var fields) is { } error)
            {
                return Fail(error);
            }

            parsed.Add((account, eventId, fields));
        }

        if (parsed.GroupBy(p => (p.Account, p.Event)).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return Fail(HubSpotError.Validation($"Duplicate externalEventId in batch input: {twice.Key.Event}."));
        }

        lock (_lock)
        {
            var now = Now();
            var results = new JsonArray();
            foreach (var (account, eventId, fields) in parsed)
            {
                if (!_store.MarketingEvents.TryGetValue((account, eventId), out var marketingEvent))
                {
                    marketingEvent = new HubSpotMarketingEvent(_store.AllocateId(), account, eventId, now);
                    _store.MarketingEvents[(account, eventId)] = marketingEvent;
                    _store.SaveNextId();
                }

                var merged = marketingEvent.Fields.DeepClone().AsObject();
                foreach (var (name, value) in fields)
                {
                    merged[name] = value?.DeepClone();
                }

                if (!JsonNode.DeepEquals(merged, marketingEvent.Fields))
                {
                    marketingEvent.Fields = merged;
                    marketingEvent.UpdatedAt = now;
                }

                _store.SaveMarketingEvent(marketingEvent, []);
                results.Add(ToJson(marketingEvent));
            }

            return Json(200, new JsonObject { ["results"] = results });
        }
    }

    /// <summary>Reads one upsert input into its key and its normalised fields, or says why HubSpot would refuse it.</summary>
    private static HubSpotError? ParseEvent(JsonObject? input, int index, out string account, out string eventId, out JsonObject fields)
    {
        fields = [];
        account = HubSpotValues.TextOf(input?["externalAccountId"]) ?? "";
        eventId = HubSpotValues.TextOf(input?["externalEventId"]) ?? "";
        if (input is null)
        {
            return HubSpotError.Validation($"inputs[{index}] must be an object.");
        }

        var missing = new[] { ("externalAccountId", account), ("externalEventId", eventId),
                ("eventName", HubSpotValues.TextOf(input["eventName"]) ?? ""), ("eventOrganizer", HubSpotValues.TextOf(input["eventOrganizer"]) ?? "") }
            .Where(f => f.Item2.Length == 0).Select(f => f.Item1).ToList();
        if (missing.Count > 0)
        {
            return HubSpotError.Validation($"inputs[{index}] is missing required fields: {string.Join(", ", missing)}.");
        }

        foreach (var name in EventTextFields)
        {
            if (HubSpotValues.TextOf(input[name]) is { } text)
            {
                fields[name] = text;
            }
        }

        foreach (var name in new[] { "startDateTime", "endDateTime" })
        {
            if (HubSpotValues.TextOf(input[name]) is not { Length: > 0 } text)
            {
                continue;
            }

            if (!HubSpotValues.TryParseInstant(text, out var instant))
            {
                return HubSpotError.Validation($"inputs[{index}].{name} \"{text}\" is not a valid date-time.");
            }

            fields[name] = HubSpotValues.FormatInstant(instant);
        }

        foreach (var name in new[] { "eventCancelled", "eventCompleted" })
        {
            if (input[name] is null)
            {
                continue;
            }

            if (input[name] is not JsonValue flag || !flag.TryGetValue<bool>(out var value))
            {
                return HubSpotError.Validation($"inputs[{index}].{name} must be true or false.");
            }

            fields[name] = value;
        }

        if (input["customProperties"] is JsonArray custom)
        {
            var properties = new JsonArray();
            foreach (var property in custom)
            {
                var name = HubSpotValues.TextOf(property?["name"]) ?? "";
                if (name.Length == 0)
                {
                    return HubSpotError.Validation($"inputs[{index}].customProperties: each entry needs a name.");
                }

                properties.Add(new JsonObject { ["name"] = name, ["value"] = HubSpotValues.TextOf(property?["value"]) ?? "" });
            }

            fields["customProperties"] = properties;
        }

        return null;
    }

    private Task<IResult> GetEventAsync(HttpContext http)
    {
        var eventId = (string?)http.Request.RouteValues["externalEventId"] ?? "";
        var account = http.Request.Query["externalAccountId"].ToString();
        if (account.Length == 0)
        {
            return Task.FromResult(Fail(HubSpotError.Validation("externalAccountId is required.")));
        }

        lock (_lock)
        {
            return Task.FromResult(_store.MarketingEvents.TryGetValue((account, eventId), out var marketingEvent)
                ? Json(200, ToJson(marketingEvent))
                : Fail(HubSpotError.NotFound($"Marketing event {eventId} does not exist for account {account}.")));
        }
    }

    private async Task<IResult> AttendByIdAsync(HttpContext http)
    {
        var body = await ReadBodyAsync(http);
        return Attend(http, body, byEmail: false);
    }

    private async Task<IResult> AttendByEmailAsync(HttpContext http)
    {
        var body = await ReadBodyAsync(http);
        return Attend(http, body, byEmail: true);
    }

    /// <summary>Records one attendance call: each input is a contact (by id, or by email creating it when missing) whose
    /// interaction joins its history in the event; unknown contacts and bad inputs are per-input errors (207).</summary>
    private IResult Attend(HttpContext http, JsonObject? body, bool byEmail)
    {
        var eventId = (string?)http.Request.RouteValues["externalEventId"] ?? "";
        var state = ((string?)http.Request.RouteValues["subscriberState"] ?? "").ToLowerInvariant();
        var account = http.Request.Query["externalAccountId"].ToString();
        if (!SubscriberStates.Contains(state))
        {
            return Fail(HubSpotError.Validation($"subscriberState must be one of {string.Join(", ", SubscriberStates)}."));
        }

        if (account.Length == 0)
        {
            return Fail(HubSpotError.Validation("externalAccountId is required."));
        }

        if (BadInputs(body, _options.MaxBatchSize, out var inputs, out var inputsError))
        {
            return Fail(inputsError);
        }

        var requestedAt = Now();
        lock (_lock)
        {
            if (!_store.MarketingEvents.TryGetValue((account, eventId), out var marketingEvent))
            {
                return Fail(HubSpotError.NotFound($"Marketing event {eventId} does not exist for account {account}."));
            }

            var contacts = _store.For(HubSpotObjectTypes.All["contacts"]);
            var results = new JsonArray();
            var errors = new JsonArray();
            var touched = new List<long>();
            var createdContacts = new List<HubSpotRecord>();
            foreach (var node in inputs)
            {
                var at = requestedAt;
                if (HubSpotValues.TextOf(node?["interactionDateTime"]) is { Length: > 0 } when
                    && !HubSpotValues.TryParseInstant(when, out at))
                {
                    errors.Add(ErrorEntry(HubSpotError.ValidationError, null, $"interactionDateTime \"{when}\" is not a valid date-time.",
                        new JsonObject { ["interactionDateTime"] = new JsonArray(when) }));
                    continue;
                }

                var (contact, error) = byEmail
                    ? ContactByEmail(contacts, node?["email"], node?["contactProperties"] as JsonObject, requestedAt, createdContacts)
                    : ContactById(contacts, node?["vid"]);
                if (error is not null)
                {
                    errors.Add(error);
                    continue;
                }

                if (marketingEvent.Record(contact!.Id, new HubSpotInteraction(state, HubSpotValues.TruncateToMilliseconds(at))))
                {
                    touched.Add(contact.Id);
                }

                var result = new JsonObject { ["vid"] = contact.Id };
                if (contact.Properties.TryGetValue("email", out var email))
                {
                    result["email"] = email;
                }

                results.Add(result);
            }

            _store.Save(contacts, createdContacts);
            foreach (var created in createdContacts)
            {
                created.Reindex(requestedAt + _options.SearchIndexLag, requestedAt);
            }

            _store.SaveMarketingEvent(marketingEvent, touched);
            var response = new JsonObject { ["status"] = "COMPLETE", ["results"] = results };
            if (errors.Count > 0)
            {
                response["numErrors"] = errors.Count;
                response["errors"] = errors;
            }

            StampTimes(response, requestedAt);
            return Json(errors.Count > 0 ? 207 : 200, response);
        }
    }

    private static (HubSpotRecord? Contact, JsonObject? Error) ContactById(HubSpotTypeState contacts, JsonNode? vid)
    {
        var id = HubSpotValues.TextOf(vid) ?? "";
        return long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key)
            && contacts.Records.TryGetValue(key, out var contact) && !contact.Archived
            ? (contact, null)
            : (null, ErrorEntry(HubSpotError.ObjectNotFound, null, $"No contact exists with vid {id}.",
                new JsonObject { ["vid"] = new JsonArray(id) }));
    }

    /// <summary>The contact with that email, created with <paramref name="properties"/> when there is none (the properties
    /// are used only on create, as in HubSpot).</summary>
    private (HubSpotRecord? Contact, JsonObject? Error) ContactByEmail(
        HubSpotTypeState contacts, JsonNode? emailNode, JsonObject? properties, DateTimeOffset now, List<HubSpotRecord> created)
    {
        var email = HubSpotValues.TextOf(emailNode) ?? "";
        if (email.Length > 0 && contacts.FindUnique("email", email) is { } existing)
        {
            return (existing, null);
        }

        var values = properties?.DeepClone().AsObject() ?? [];
        values["email"] = email;
        var undo = new List<(HubSpotRecord, HubSpotRecordSnapshot?)>();
        var (_, error) = Upsert(contacts, new UpsertInput(email, "email", values, null), now, undo);
        if (error is not null)
        {
            var context = error.Context?.DeepClone().AsObject() ?? [];
            context["email"] = new JsonArray(email);
            return (null, ErrorEntry(error.Category, null, error.Message, context));
        }

        var contact = contacts.FindUnique("email", email)!;
        created.Add(contact);
        return (contact, null);
    }

    private static JsonObject ToJson(HubSpotMarketingEvent marketingEvent)
    {
        var json = new JsonObject
        {
            ["objectId"] = Text(marketingEvent.ObjectId),
            ["externalEventId"] = marketingEvent.EventId,
            ["externalAccountId"] = marketingEvent.AccountId,
        };
        foreach (var (name, value) in marketingEvent.Fields)
        {
            json[name] = value?.DeepClone();
        }

        json["eventCancelled"] ??= false;
        json["eventCompleted"] ??= false;
        json["customProperties"] ??= new JsonArray();
        json["registrants"] = marketingEvent.CountIn("register");
        json["attendees"] = marketingEvent.CountIn("attend");
        json["cancellations"] = marketingEvent.CountIn("cancel");
        json["createdAt"] = HubSpotValues.FormatInstant(marketingEvent.CreatedAt);
        json["updatedAt"] = HubSpotValues.FormatInstant(marketingEvent.UpdatedAt);
        return json;
    }
}
