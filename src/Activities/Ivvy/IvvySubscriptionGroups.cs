using System.Globalization;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>Reads the account's subscription groups (<c>contact?action=getSubscriptionGroupList</c>: a bare array, no
/// paging, no modified date), whole, as one page per window; the diff leaves unchanged groups alone.</summary>
public sealed class IvvySubscriptionGroupReader(IvvyClient client) : ISourceReader
{
    public async Task<ReadCursor> OpenWindowAsync(ReadCursor? previous, CancellationToken cancellationToken) =>
        new(previous?.To, IvvyTimestamp.TruncateToSecond(await client.PingAsync(cancellationToken)));

    public async Task<SourcePage> ReadPageAsync(ReadCursor cursor, CancellationToken cancellationToken)
    {
        if (cursor.Complete)
        {
            return new SourcePage([], cursor);
        }

        var groups = await client.CallAsync("contact", "getSubscriptionGroupList", null, cancellationToken) as JsonArray ?? [];
        var records = groups.OfType<JsonObject>().Select(g => new SourceRecord(IvvyClient.IdOf(g), null, g)).ToList();
        return new SourcePage(records, cursor with { Complete = true });
    }
}

/// <summary>Adds contacts to, and removes them from, an iVvy subscription group (<c>addContactsToSubscriptionGroup</c> /
/// <c>removeContactsFromSubscriptionGroup</c>, both additive: a contact's other groups stay).</summary>
public sealed class IvvySubscriptionGroupWriter(IvvyClient client) : IMembershipWriter
{
    private const int MaxContactsPerCall = 100;

    public async Task<IReadOnlyDictionary<string, string>> ChangeAsync(string group, IReadOnlyList<string> members, bool add, CancellationToken cancellationToken)
    {
        var refused = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var chunk in members.Chunk(MaxContactsPerCall))
        {
            var body = new JsonObject
            {
                ["contacts"] = new JsonArray(chunk.Select(id => (JsonNode?)long.Parse(id, CultureInfo.InvariantCulture)).ToArray()),
                ["group"] = long.Parse(group, CultureInfo.InvariantCulture),
            };
            var answer = await client.CallAsync("contact", add ? "addContactsToSubscriptionGroup" : "removeContactsFromSubscriptionGroup", body, cancellationToken) as JsonArray ?? [];
            // status false: on add, no such contact; on remove, also "was not a member", which is the state we want.
            foreach (var item in answer.OfType<JsonObject>().Where(i => add && i["status"] is JsonValue s && s.TryGetValue<bool>(out var ok) && !ok))
            {
                var id = item["contactId"]?.ToJsonString().Trim('"') ?? "";
                refused[id] = $"iVvy did not add contact {id} to subscription group {group} (no such contact)";
            }
        }

        return refused;
    }
}
