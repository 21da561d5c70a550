using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IvvyWorkflows.Sandbox.HubSpot;

// Lists (/crm/v3/lists): manual lists with unique names and paged memberships, as subscription groups are kept.
public sealed partial class HubSpotSimulator
{
    private const int DefaultMembershipPageSize = 100;

    private static readonly string[] ManualProcessingTypes = ["MANUAL", "SNAPSHOT"];

    /// <summary>Record ids of the members of the list named <paramref name="name"/> (case-insensitive), ascending; empty
    /// when no list has that name.</summary>
    public Task<IReadOnlyList<string>> ListMembersAsync(string name)
    {
        lock (_lock)
        {
            IReadOnlyList<string> members = FindList(name, objectTypeId: null) is { } list ? LiveMembers(list).Select(m => Text(m.Key)).ToList() : [];
            return Task.FromResult(members);
        }
    }

    /// <summary>Adds record <paramref name="recordId"/> to (or removes it from) the list named <paramref name="name"/>, as a
    /// HubSpot user would; like HubSpot, this does not change the record itself.</summary>
    /// <exception cref="KeyNotFoundException">No list has the name.</exception>
    public Task SetListMemberAsync(string name, string recordId, bool member)
    {
        lock (_lock)
        {
            var list = FindList(name, objectTypeId: null) ?? throw new KeyNotFoundException($"No list is named \"{name}\".");
            var key = long.Parse(recordId, CultureInfo.InvariantCulture);
            var changed = member ? list.Members.TryAdd(key, Now()) : list.Members.Remove(key);
            if (changed)
            {
                list.UpdatedAt = Now();
                _store.SaveList(list, member ? [key] : [], member ? [] : [key]);
            }

            return Task.CompletedTask;
        }
    }

    private void MapListEndpoints(IEndpointRouteBuilder app)
    {
        app.MapPost("/crm/v3/lists", Handle(search: false, CreateListAsync));
        app.MapGet("/crm/v3/lists/object-type-id/{objectTypeId}/name/{name}", Handle(search: false, GetListByNameAsync));
        app.MapGet("/crm/v3/lists/{listId}", Handle(search: false, GetListAsync));
        app.MapPut("/crm/v3/lists/{listId}/update-list-name", Handle(search: false, RenameListAsync));
        app.MapPut("/crm/v3/lists/{listId}/memberships/add", Handle(search: false, AddMembersAsync));
        app.MapPut("/crm/v3/lists/{listId}/memberships/remove", Handle(search: false, RemoveMembersAsync));
        app.MapGet("/crm/v3/lists/{listId}/memberships", Handle(search: false, ListMembershipsAsync));
    }

    private async Task<IResult> CreateListAsync(HttpContext http)
    {
        var body = await ReadBodyAsync(http) ?? [];
        var name = (HubSpotValues.TextOf(body["name"]) ?? "").Trim();
        var objectTypeId = HubSpotValues.TextOf(body["objectTypeId"]) ?? "";
        var processingType = HubSpotValues.TextOf(body["processingType"]) ?? "";
        if (name.Length == 0)
        {
            return Fail(HubSpotError.Validation("A list needs a name."));
        }

        if (HubSpotObjectTypes.Resolve(objectTypeId) is not { } type || type.ObjectTypeId != objectTypeId)
        {
            return Fail(HubSpotError.Validation($"objectTypeId \"{objectTypeId}\" is not a valid object type id."));
        }

        if (!ManualProcessingTypes.Contains(processingType))
        {
            // DYNAMIC lists need a filterBranch, which the simulator does not evaluate.
            return Fail(HubSpotError.Validation(
                $"processingType \"{processingType}\" is not supported here; use one of {string.Join(", ", ManualProcessingTypes)}."));
        }

        lock (_lock)
        {
            if (FindList(name, objectTypeId: null) is { } taken)
            {
                return Fail(new HubSpotError(409, HubSpotError.Conflict,
                    $"A list named \"{name}\" already exists (listId {Text(taken.ListId)}).",
                    new JsonObject { ["listId"] = new JsonArray(Text(taken.ListId)) }));
            }

            var list = new HubSpotList(_store.NextListId(), name, type.ObjectTypeId, processingType, Now());
            _store.Lists[list.ListId] = list;
            _store.SaveList(list, [], []);
            return Json(200, new JsonObject { ["list"] = ToJson(list) });
        }
    }

    private Task<IResult> GetListByNameAsync(HttpContext http)
    {
        var objectTypeId = (string?)http.Request.RouteValues["objectTypeId"] ?? "";
        var name = (string?)http.Request.RouteValues["name"] ?? "";
        lock (_lock)
        {
            return Task.FromResult(FindList(name, objectTypeId) is { } list
                ? Json(200, new JsonObject { ["list"] = ToJson(list) })
                : Fail(HubSpotError.NotFound($"List with name {name} does not exist for object type {objectTypeId}.")));
        }
    }

    private Task<IResult> GetListAsync(HttpContext http)
    {
        lock (_lock)
        {
            return Task.FromResult(ListOf(http, out var list) is { } error
                ? Fail(error)
                : Json(200, new JsonObject { ["list"] = ToJson(list!) }));
        }
    }

    /// <summary><c>PUT /crm/v3/lists/{listId}/update-list-name?listName=…</c>: names stay unique (409).</summary>
    private Task<IResult> RenameListAsync(HttpContext http)
    {
        var name = ((string?)http.Request.Query["listName"] ?? "").Trim();
        lock (_lock)
        {
            if (ListOf(http, out var list) is { } error)
            {
                return Task.FromResult(Fail(error));
            }

            if (name.Length == 0)
            {
                return Task.FromResult(Fail(HubSpotError.Validation("listName is required.")));
            }

            if (FindList(name, objectTypeId: null) is { } taken && taken.ListId != list!.ListId)
            {
                return Task.FromResult(Fail(new HubSpotError(409, HubSpotError.Conflict, $"A list named \"{name}\" already exists (listId {Text(taken.ListId)}).")));
            }

            list!.Name = name;
            list.UpdatedAt = Now();
            _store.SaveList(list, [], []);
            return Task.FromResult(Json(200, new JsonObject { ["updatedList"] = ToJson(list) }));
        }
    }

    private Task<IResult> AddMembersAsync(HttpContext http) => ChangeMembersAsync(http, add: true);

    private Task<IResult> RemoveMembersAsync(HttpContext http) => ChangeMembersAsync(http, add: false);

    private async Task<IResult> ChangeMembersAsync(HttpContext http, bool add)
    {
        var node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        if (node is not JsonArray ids)
        {
            return Fail(HubSpotError.Validation("Invalid input JSON: the body must be an array of record ids."));
        }

        if (ids.Count > _options.ListMembershipMaxRecordIds)
        {
            return Fail(HubSpotError.Validation(
                $"Too many record ids: {ids.Count} sent, at most {_options.ListMembershipMaxRecordIds} are allowed per call."));
        }

        lock (_lock)
        {
            if (ListOf(http, out var list) is { } error)
            {
                return Fail(error);
            }

            var members = HubSpotObjectTypes.Resolve(list!.ObjectTypeId) is { } type ? _store.For(type) : null;
            var now = Now();
            var changed = new List<long>();
            var missing = new JsonArray();
            foreach (var id in ids.Select(HubSpotValues.TextOf).Distinct(StringComparer.Ordinal))
            {
                if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key) || members is null
                    || (add ? !IsLive(members, key) : !list.Members.ContainsKey(key)))
                {
                    missing.Add(id);
                    continue;
                }

                if (add ? list.Members.TryAdd(key, now) : list.Members.Remove(key))
                {
                    changed.Add(key);
                }
            }

            if (changed.Count > 0)
            {
                list.UpdatedAt = now;
            }

            _store.SaveList(list, add ? changed : [], add ? [] : changed);
            return Json(200, new JsonObject
            {
                [add ? "recordIdsAdded" : "recordIdsRemoved"] = new JsonArray(changed.Select(c => (JsonNode?)Text(c)).ToArray()),
                ["recordIdsMissing"] = missing,
            });
        }
    }

    private Task<IResult> ListMembershipsAsync(HttpContext http)
    {
        var query = http.Request.Query;
        var limit = DefaultMembershipPageSize;
        if (query.ContainsKey("limit") && (!int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit)
            || limit < 1 || limit > _options.ListMembershipMaxPageSize))
        {
            return Task.FromResult(Fail(HubSpotError.Validation($"limit must be between 1 and {_options.ListMembershipMaxPageSize}.")));
        }

        var after = 0L;
        if (query.ContainsKey("after") && !long.TryParse(query["after"], NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return Task.FromResult(Fail(HubSpotError.Validation("after must be a paging token returned by a previous page.")));
        }

        lock (_lock)
        {
            if (ListOf(http, out var list) is { } error)
            {
                return Task.FromResult(Fail(error));
            }

            var live = LiveMembers(list!);
            var rows = live.Where(m => m.Key >= after).Take(limit + 1).ToList();
            var response = new JsonObject
            {
                ["results"] = new JsonArray(rows.Take(limit).Select(m => (JsonNode?)new JsonObject
                {
                    ["recordId"] = Text(m.Key),
                    ["membershipTimestamp"] = HubSpotValues.FormatInstant(m.Value),
                }).ToArray()),
                ["total"] = live.Count,
            };
            if (rows.Count > limit)
            {
                var next = Text(rows[limit].Key);
                response["paging"] = new JsonObject { ["next"] = new JsonObject { ["after"] = next, ["link"] = $"?after={next}" } };
            }

            return Task.FromResult(Json(200, response));
        }
    }

    private HubSpotError? ListOf(HttpContext http, out HubSpotList? list)
    {
        var id = (string?)http.Request.RouteValues["listId"] ?? "";
        list = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key) && _store.Lists.TryGetValue(key, out var found)
            ? found
            : null;
        return list is null ? HubSpotError.NotFound($"List {id} does not exist.") : null;
    }

    /// <summary>The list's members that still exist: a deleted (archived) record is no member, as HubSpot drops it from its lists.</summary>
    private List<KeyValuePair<long, DateTimeOffset>> LiveMembers(HubSpotList list)
    {
        var records = HubSpotObjectTypes.Resolve(list.ObjectTypeId) is { } type ? _store.For(type) : null;
        return list.Members.Where(m => records is not null && IsLive(records, m.Key)).ToList();
    }

    private HubSpotList? FindList(string name, string? objectTypeId) =>
        _store.Lists.Values.FirstOrDefault(l => string.Equals(l.Name, name.Trim(), StringComparison.OrdinalIgnoreCase)
            && (objectTypeId is null || l.ObjectTypeId == objectTypeId));

    private JsonObject ToJson(HubSpotList list) => new()
    {
        ["listId"] = Text(list.ListId),
        ["name"] = list.Name,
        ["objectTypeId"] = list.ObjectTypeId,
        ["processingType"] = list.ProcessingType,
        ["processingStatus"] = "COMPLETE",
        ["listVersion"] = 1,
        ["size"] = LiveMembers(list).Count,
        ["createdAt"] = HubSpotValues.FormatInstant(list.CreatedAt),
        ["updatedAt"] = HubSpotValues.FormatInstant(list.UpdatedAt),
    };
}
