using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>Lists v3 (<c>/crm/v3/lists</c>): the manual contact lists subscription groups are kept in.</summary>
public sealed partial class HubSpotClient
{
    /// <summary>HubSpot's object type id of contacts, which the lists here hold.</summary>
    public const string ContactsObjectTypeId = "0-1";

    /// <summary>Most members one memberships page returns.</summary>
    public const int ListMembershipsMaxPage = 250;

    /// <summary>One list by id, or null when HubSpot has none.</summary>
    public async Task<JsonObject?> GetListAsync(string listId, CancellationToken ct)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, ListsUri(Uri.EscapeDataString(listId)), null, "lists.get", isWrite: false,
            accept: s => s == (int)HttpStatusCode.NotFound, ct).ConfigureAwait(false);
        return status == (int)HttpStatusCode.NotFound ? null : body?["list"] as JsonObject;
    }

    /// <summary>The contact list named <paramref name="name"/> (HubSpot matches names case-insensitively), or null.</summary>
    public async Task<JsonObject?> FindListAsync(string name, CancellationToken ct)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, ListsUri($"object-type-id/{ContactsObjectTypeId}/name/{Uri.EscapeDataString(name)}"), null,
            "lists.by-name", isWrite: false, accept: s => s == (int)HttpStatusCode.NotFound, ct).ConfigureAwait(false);
        return status == (int)HttpStatusCode.NotFound ? null : body?["list"] as JsonObject;
    }

    /// <summary>Creates a manual contact list; null when a list of that name already exists (409).</summary>
    public async Task<JsonObject?> CreateListAsync(string name, CancellationToken ct)
    {
        var request = new JsonObject { ["name"] = name, ["objectTypeId"] = ContactsObjectTypeId, ["processingType"] = "MANUAL" };
        var (status, body) = await SendAsync(HttpMethod.Post, ListsUri(""), request, "lists.create", isWrite: true,
            accept: s => s == (int)HttpStatusCode.Conflict, ct).ConfigureAwait(false);
        return status == (int)HttpStatusCode.Conflict ? null : body?["list"] as JsonObject;
    }

    /// <summary>Renames a list (<c>update-list-name</c>).</summary>
    public Task RenameListAsync(string listId, string name, CancellationToken ct) =>
        SendAsync(HttpMethod.Put, ListsUri($"{Uri.EscapeDataString(listId)}/update-list-name?listName={Uri.EscapeDataString(name)}"), null,
            "lists.rename", isWrite: true, accept: null, ct);

    /// <summary>A page of a list's members, in ascending record id order as HubSpot returns them; null when the list is
    /// gone.</summary>
    public async Task<(IReadOnlyList<(string RecordId, string? JoinedAt)> Members, string? NextAfter)?> GetListMembersAsync(string listId, string? after,
        int limit, CancellationToken ct)
    {
        var query = $"limit={Math.Clamp(limit, 1, ListMembershipsMaxPage).ToString(CultureInfo.InvariantCulture)}" + (after is null ? "" : "&after=" + Uri.EscapeDataString(after));
        var (status, body) = await SendAsync(HttpMethod.Get, ListsUri($"{Uri.EscapeDataString(listId)}/memberships?{query}"), null, "lists.memberships",
            isWrite: false, accept: s => s == (int)HttpStatusCode.NotFound, ct).ConfigureAwait(false);
        if (status == (int)HttpStatusCode.NotFound)
        {
            return null;
        }

        var members = (body?["results"] as JsonArray ?? []).Select(m => (TextOf(m?["recordId"]) ?? "", TextOf(m?["membershipTimestamp"])))
            .Where(m => m.Item1.Length > 0).ToList();
        return (members, TextOf(body?["paging"]?["next"]?["after"]));
    }

    /// <summary>Adds (or removes) record ids to a list; returns the ids HubSpot reports missing (no such record, or on
    /// remove not a member).</summary>
    public async Task<IReadOnlyList<string>> ChangeListMembersAsync(string listId, IReadOnlyList<string> recordIds, bool add, CancellationToken ct)
    {
        var missing = new List<string>();
        foreach (var chunk in recordIds.Chunk(1000))
        {
            var (_, body) = await SendAsync(HttpMethod.Put, ListsUri($"{Uri.EscapeDataString(listId)}/memberships/{(add ? "add" : "remove")}"),
                new JsonArray(chunk.Select(id => (JsonNode?)id).ToArray()), add ? "lists.members-add" : "lists.members-remove", isWrite: true, accept: null, ct)
                .ConfigureAwait(false);
            missing.AddRange((body?["recordIdsMissing"] as JsonArray ?? []).Select(TextOf).OfType<string>());
        }

        return missing;
    }

    private Uri ListsUri(string rest) => new($"{_options.BaseUrl.AbsoluteUri.TrimEnd('/')}/crm/v3/lists/{rest}".TrimEnd('/'));
}
