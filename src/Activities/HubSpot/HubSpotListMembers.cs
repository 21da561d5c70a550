using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>Adds contacts to, and removes them from, a HubSpot list.</summary>
public sealed class HubSpotListMembershipWriter(HubSpotClient client) : IMembershipWriter
{
    public async Task<IReadOnlyDictionary<string, string>> ChangeAsync(string group, IReadOnlyList<string> members, bool add, CancellationToken cancellationToken)
    {
        var missing = await client.ChangeListMembersAsync(group, members, add, cancellationToken);
        // On remove, "missing" is a record that is not a member: already the state we want.
        return add
            ? missing.Distinct(StringComparer.Ordinal).ToDictionary(id => id, id => $"HubSpot has no contact {id} to add to list {group}", StringComparer.Ordinal)
            : new Dictionary<string, string>();
    }
}

/// <summary>
/// Reads the members of each paired list, whole, on every window: adding a contact to a list does not move the contact's
/// modified date, so there is no other way to see a list change.
/// </summary>
/// <remarks>The lists to visit are fixed when the window opens and travel in the cursor (<see cref="ReadCursor.After"/>),
/// with HubSpot's paging token; <see cref="ReadCursor.AnchorId"/> is the last member read. HubSpot returns members in
/// ascending record id order, so each page is a complete <see cref="MembershipSlice"/>: every member between the last
/// one read before it and its own last one.</remarks>
public sealed class HubSpotListMembershipReader(HubSpotClient client, IReadOnlyDictionary<string, string> groupLists, int pageSize)
    : ISourceReader, IMemberSource
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public Task<ReadCursor> OpenWindowAsync(ReadCursor? previous, CancellationToken cancellationToken)
    {
        var lists = groupLists.OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => new ListPosition(g.Key, g.Value, null)).ToList();
        return Task.FromResult(new ReadCursor(previous?.To, client.TimeProvider.GetUtcNow(), After: JsonSerializer.Serialize(lists, Json), Complete: lists.Count == 0));
    }

    public async Task<SourcePage> ReadPageAsync(ReadCursor cursor, CancellationToken cancellationToken)
    {
        var lists = cursor.After is null ? [] : JsonSerializer.Deserialize<List<ListPosition>>(cursor.After, Json)!;
        if (cursor.Complete || lists.Count == 0)
        {
            return new SourcePage([], cursor with { Complete = true });
        }

        var current = lists[0];
        var afterId = cursor.AnchorId is null ? (long?)null : long.Parse(cursor.AnchorId, CultureInfo.InvariantCulture);
        var page = await client.GetListMembersAsync(current.List, current.After, pageSize, cancellationToken);
        var members = page?.Members ?? [];
        var records = members.Select(m => new SourceRecord(m.RecordId, HubSpotClient.TryParseInstant(m.JoinedAt, out var at) ? at : null,
            new JsonObject { ["recordId"] = m.RecordId, ["listId"] = current.List, ["groupId"] = current.Group, ["membershipTimestamp"] = m.JoinedAt })).ToList();
        if (page?.NextAfter is { } next && members.Count > 0)
        {
            var last = members[^1].RecordId;
            return new SourcePage(records, cursor with { After = JsonSerializer.Serialize(lists.Skip(1).Prepend(current with { After = next }), Json), AnchorId = last },
                new MembershipSlice(current.Group, current.List, afterId, long.Parse(last, CultureInfo.InvariantCulture)));
        }

        var rest = lists.Skip(1).ToList();
        return new SourcePage(records, cursor with { After = JsonSerializer.Serialize(rest, Json), AnchorId = null, Complete = rest.Count == 0 },
            new MembershipSlice(current.Group, current.List, afterId, null, Gone: page is null));
    }

    public async Task<IReadOnlySet<string>> ExistingAsync(IReadOnlyCollection<string> memberIds, CancellationToken cancellationToken) =>
        (await client.BatchReadAsync("contacts", memberIds, [], cancellationToken)).Select(c => c.Id).ToHashSet(StringComparer.Ordinal);

    /// <summary>A list still to read: its iVvy group, its id, and HubSpot's token for the next page of it.</summary>
    private sealed record ListPosition(string Group, string List, string? After);
}
