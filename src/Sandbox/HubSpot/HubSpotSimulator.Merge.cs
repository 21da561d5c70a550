using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IvvyWorkflows.Sandbox.HubSpot;

// Merge two records of a type (POST /crm/v3/objects/{type}/merge), as HubSpot documents it for contacts and companies
// since its merge update: the result is a new record with a new id, and both old ids read as it.
public sealed partial class HubSpotSimulator
{
    /// <summary>
    /// Merges <paramref name="mergedId"/> into <paramref name="primaryId"/> as a HubSpot user merging two records would,
    /// and returns the id of the resulting record (see <see cref="MapMergeEndpoints"/> for the rules).
    /// </summary>
    /// <exception cref="KeyNotFoundException">Either id names no live record.</exception>
    /// <exception cref="InvalidOperationException">Both ids name the same record.</exception>
    public Task<string> MergeAsync(string type, string primaryId, string mergedId)
    {
        lock (_lock)
        {
            var state = State(type);
            var (survivor, error) = Merge(state, primaryId, mergedId);
            return error is null
                ? Task.FromResult(Text(survivor!.Id))
                : throw (error.Status == 404 ? new KeyNotFoundException(error.Message) : new InvalidOperationException(error.Message));
        }
    }

    /// <summary>Deletes (archives) a record as a HubSpot user deleting it would: the last-modified date stays, so a
    /// modified-date search never sees it; it is 404 by id, left out of batch reads, and read with <c>archived=true</c>.</summary>
    public Task ArchiveAsync(string type, string id)
    {
        lock (_lock)
        {
            Archive(State(type), [id]);
        }

        return Task.CompletedTask;
    }

    /// <remarks>
    /// <para><c>{primaryObjectId, objectIdToMerge}</c>. HubSpot's merge (developer changelog "Updated merge functionality for
    /// contacts and companies") creates a new record with a new id from both; both old ids keep pointing at it, so a
    /// GET or batch read of either answers with the new record (its own id), whose <c>hs_merged_object_ids</c> lists the
    /// ids merged into it. The old records are gone: not searchable, not listed (archived or not), no longer members.</para>
    /// <para>Values: the primary's win; a property the primary has no value for takes the merged record's. Associations
    /// and list memberships of both move to the new record. The answer is 200 with the new record.</para>
    /// <para>An id that names no live record → 404 OBJECT_NOT_FOUND; the same record twice → 400 VALIDATION_ERROR.</para>
    /// </remarks>
    private void MapMergeEndpoints(IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/crm/v3/objects/{type}", "/crm/objects/{version}/{type}" })
        {
            app.MapPost(prefix + "/merge", Handle(search: false, MergeObjectsAsync));
        }
    }

    private async Task<IResult> MergeObjectsAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Fail(typeError);
        }

        var body = await ReadBodyAsync(http) ?? [];
        var primary = HubSpotValues.TextOf(body["primaryObjectId"]);
        var merged = HubSpotValues.TextOf(body["objectIdToMerge"]);
        if (string.IsNullOrEmpty(primary) || string.IsNullOrEmpty(merged))
        {
            return Fail(HubSpotError.Validation("Invalid input JSON: primaryObjectId and objectIdToMerge are both required."));
        }

        lock (_lock)
        {
            var (survivor, error) = Merge(state!, primary, merged);
            return error is not null ? Fail(error) : Json(200, ToJson(survivor!.Snapshot(), state!.Type.DefaultProperties));
        }
    }

    private (HubSpotRecord? Survivor, HubSpotError? Error) Merge(HubSpotTypeState state, string primaryId, string mergedId)
    {
        var primary = Live(state, primaryId);
        var merged = Live(state, mergedId);
        if (primary is null || merged is null)
        {
            return (null, HubSpotError.NotFound($"No {state.Type.Singular} with id {(primary is null ? primaryId : mergedId)}."));
        }

        if (primary.Id == merged.Id)
        {
            return (null, HubSpotError.Validation($"A {state.Type.Singular} cannot be merged with itself ({primary.Id})."));
        }

        var now = Now();
        var id = _store.AllocateId();
        var values = new Dictionary<string, string>(merged.Properties, StringComparer.Ordinal);
        foreach (var (name, value) in primary.Properties)
        {
            values[name] = value;
        }

        var absorbed = new[] { primary, merged }
            .SelectMany(r => (r.Properties.GetValueOrDefault(HubSpotObjectTypes.MergedObjectIds) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries)
                .Select(i => long.Parse(i, CultureInfo.InvariantCulture)).Append(r.Id))
            .Distinct().Order().ToList();
        values[HubSpotObjectTypes.MergedObjectIds] = string.Join(';', absorbed.Select(Text));
        values[HubSpotObjectTypes.ObjectId] = Text(id);
        values[state.Type.ModifiedProperty] = HubSpotValues.FormatInstant(now);
        var survivor = new HubSpotRecord(id, values, primary.CreatedAt, now, null);

        state.RemoveFromIndex(primary);
        state.RemoveFromIndex(merged);
        state.Remove(primary);
        state.Remove(merged);
        state.Add(survivor);
        state.AddToIndex(survivor);
        foreach (var old in state.MergedInto.Where(m => m.Value == primary.Id || m.Value == merged.Id).Select(m => m.Key).ToList())
        {
            state.MergedInto[old] = id;
        }

        state.MergedInto[primary.Id] = id;
        state.MergedInto[merged.Id] = id;

        var links = new List<(string, long, string, long)>();
        foreach (var old in new[] { primary.Id, merged.Id })
        {
            links.AddRange(_store.Associations.Move(state.Type.Name, old, id));
            foreach (var list in _store.Lists.Values.Where(l => l.ObjectTypeId == state.Type.ObjectTypeId && l.Members.ContainsKey(old)))
            {
                var joined = list.Members[old];
                list.Members.Remove(old);
                list.Members[id] = list.Members.TryGetValue(id, out var earlier) && earlier < joined ? earlier : joined;
                _store.SaveList(list, [id], [old]);
            }
        }

        _store.SaveMerge(state, [primary.Id, merged.Id], survivor, links);
        survivor.Reindex(now + _options.SearchIndexLag, now);
        return (survivor, null);
    }

    /// <summary>The live record an id names, following merges; null when there is none.</summary>
    private static HubSpotRecord? Live(HubSpotTypeState state, string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key) && state.Resolve(key) is { Archived: false } record ? record : null;
}
