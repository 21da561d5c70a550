using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>
/// Reads a list iVvy serves one event at a time (registrations, attendees, invitations): every event of the account,
/// then each event's list by offset, with the event's id added to each record.
/// </summary>
/// <remarks>
/// <para>The events to visit are fixed when the window opens and travel in the cursor (<see cref="ReadCursor.After"/>:
/// the remaining events' id, status and end), so a resumed window visits exactly the events it had left. Each record
/// gets its <c>eventId</c>, and its event as <c>event</c> {id, currentStatus, endDateTime} (an attendee who did not
/// attend a closed event is a no-show).</para>
/// <para>With a <paramref name="fromFilter"/> (getRegistrationList's <c>modifiedDate</c>, a lower bound), each event's
/// list holds only records modified since the previous window; a record modified while it is paged stays in that list
/// (there is no upper bound to leave), so offsets never skip one. Without it, each window reads the lists whole and
/// the diff skips what did not change.</para>
/// </remarks>
public sealed class IvvyPerEventReader(IvvyClient client, string action, string? fromFilter, string modifiedField = "modifiedDate", int perPage = 100)
    : ISourceReader
{
    private const string EventNamespace = "event";

    /// <inheritdoc />
    public async Task<ReadCursor> OpenWindowAsync(ReadCursor? previous, CancellationToken cancellationToken)
    {
        var serverNow = await client.PingAsync(cancellationToken).ConfigureAwait(false);
        var events = new JsonArray();
        for (var start = 0; ; start += perPage)
        {
            var page = await client.GetListAsync(EventNamespace, "getEventList", start, perPage, null, cancellationToken).ConfigureAwait(false);
            foreach (var e in page.Results)
            {
                events.Add(new JsonObject { ["id"] = IvvyClient.IdOf(e), ["currentStatus"] = e["currentStatus"]?.DeepClone(), ["endDateTime"] = e["endDateTime"]?.DeepClone() });
            }

            if (page.Count == 0 || start + page.Count >= page.TotalResults)
            {
                break;
            }
        }

        DateTimeOffset? from = previous is null ? null : IvvyTimestamp.TruncateToSecond(previous.To - TimeSpan.FromSeconds(1));
        return new ReadCursor(from, IvvyTimestamp.TruncateToSecond(serverNow), After: events.ToJsonString(), Complete: events.Count == 0);
    }

    /// <inheritdoc />
    public async Task<SourcePage> ReadPageAsync(ReadCursor cursor, CancellationToken cancellationToken)
    {
        var events = string.IsNullOrEmpty(cursor.After) ? [] : JsonNode.Parse(cursor.After)!.AsArray();
        if (cursor.Complete || events.Count == 0)
        {
            return new SourcePage([], cursor with { Complete = true });
        }

        var current = events[0]!.AsObject();
        var eventId = current["id"]!.GetValue<string>();
        var body = new JsonObject { ["eventId"] = long.Parse(eventId, System.Globalization.CultureInfo.InvariantCulture) };
        JsonObject? filter = fromFilter is not null && cursor.From is { } from ? new JsonObject { [fromFilter] = IvvyTimestamp.Format(from) } : null;
        var page = await client.GetListAsync(EventNamespace, action, cursor.Offset, perPage, filter, cancellationToken, body).ConfigureAwait(false);
        var records = page.Results.Select(r =>
        {
            r["eventId"] ??= JsonValue.Create(body["eventId"]!.GetValue<long>());
            r["event"] = current.DeepClone();
            var modified = r[modifiedField] is JsonValue v && v.TryGetValue<string>(out var text) && IvvyTimestamp.TryParse(text, out var at) ? at : (DateTimeOffset?)null;
            return new SourceRecord(IvvyClient.TryIdOf(r, out var id) ? id : $"{eventId}:{r["contactId"]}", modified, r);
        }).ToList();

        var offset = cursor.Offset + page.Count;
        var next = page.Count == 0 || offset >= page.TotalResults
            ? cursor with { Offset = 0, Total = null, After = new JsonArray(events.Skip(1).Select(e => e!.DeepClone()).ToArray()).ToJsonString(), Complete = events.Count == 1 }
            : cursor with { Offset = offset, Total = page.TotalResults };
        return new SourcePage(records, next);
    }
}
