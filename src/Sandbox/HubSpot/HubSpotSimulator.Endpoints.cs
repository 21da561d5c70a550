using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IvvyWorkflows.Sandbox.HubSpot;

// The HTTP surface: routing, auth, rate limits, and the handlers of each endpoint.
public sealed partial class HubSpotSimulator
{
    private const int MaxListLimit = 100;
    private const int MaxUniqueProperties = 10;

    private static readonly string[] PropertyTypes = ["string", "number", "date", "datetime", "enumeration", "bool"];

    /// <inheritdoc />
    /// <remarks>Control endpoints: <c>POST /__sandbox__/hubspot/reset</c>, <c>GET /__sandbox__/hubspot/objects/{type}</c>
    /// (all live records, flattened) and <c>GET /__sandbox__/hubspot/objects/{type}/count</c>.</remarks>
    public void MapEndpoints(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        foreach (var prefix in new[] { "/crm/v3/objects/{type}", "/crm/objects/{version}/{type}" })
        {
            app.MapPost(prefix + "/batch/upsert", Handle(search: false, BatchUpsertAsync));
            app.MapPost(prefix + "/batch/create", Handle(search: false, BatchCreateAsync));
            app.MapPost(prefix + "/batch/update", Handle(search: false, BatchUpdateAsync));
            app.MapPost(prefix, Handle(search: false, CreateObjectAsync));
            app.MapPost(prefix + "/search", Handle(search: true, SearchAsync));
            app.MapGet(prefix + "/{id}", Handle(search: false, GetObjectAsync));
            app.MapDelete(prefix + "/{id}", Handle(search: false, ArchiveAsync));
            app.MapPost(prefix + "/batch/archive", Handle(search: false, BatchArchiveAsync));
            app.MapGet(prefix, Handle(search: false, ListAsync));
        }

        foreach (var prefix in new[] { "/crm/v3/properties/{type}", "/crm/properties/{version}/{type}" })
        {
            app.MapGet(prefix, Handle(search: false, ListPropertiesAsync));
            app.MapGet(prefix + "/{name}", Handle(search: false, GetPropertyAsync));
            app.MapPost(prefix, Handle(search: false, CreatePropertyAsync));
        }

        MapCrmModuleEndpoints(app);
        MapMarketingEventEndpoints(app);
        MapListEndpoints(app);
        MapMergeEndpoints(app);

        app.MapPost("/__sandbox__/hubspot/reset", async http =>
        {
            await ResetAsync();
            http.Response.StatusCode = StatusCodes.Status204NoContent;
        });
        app.MapGet("/__sandbox__/hubspot/objects/{type}", async http =>
        {
            var type = (string?)http.Request.RouteValues["type"] ?? "";
            var result = HubSpotObjectTypes.Resolve(type) is null ? Results.NotFound() : Json(200, new JsonArray([.. await AllAsync(type)]));
            await result.ExecuteAsync(http);
        });
        app.MapGet("/__sandbox__/hubspot/objects/{type}/count", async http =>
        {
            var type = (string?)http.Request.RouteValues["type"] ?? "";
            var result = HubSpotObjectTypes.Resolve(type) is null
                ? Results.NotFound()
                : Json(200, new JsonObject { ["count"] = await CountAsync(type) });
            await result.ExecuteAsync(http);
        });
    }

    /// <summary>A request delegate running <paramref name="handler"/> behind <see cref="Api"/> and writing its result.</summary>
    private RequestDelegate Handle(bool search, Func<HttpContext, Task<IResult>> handler) =>
        async http => await (await Api(http, search, handler)).ExecuteAsync(http);

    /// <summary>Checks the token, counts the call against the limits, sets the rate-limit headers, then runs the handler.</summary>
    private async Task<IResult> Api(HttpContext http, bool search, Func<HttpContext, Task<IResult>> handler)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return Json(503, HubSpotError.InternalErrorBody(503));
        }

        var authorization = http.Request.Headers.Authorization.ToString();
        const string bearer = "Bearer ";
        if (!authorization.StartsWith(bearer, StringComparison.OrdinalIgnoreCase)
            || !string.Equals(authorization[bearer.Length..].Trim(), _options.AccessToken, StringComparison.Ordinal))
        {
            return Fail(HubSpotError.Unauthorized());
        }

        var decision = _limiter.Acquire(Now(), search);
        var headers = http.Response.Headers;
        headers["X-HubSpot-RateLimit-Max"] = Text(decision.Max);
        headers["X-HubSpot-RateLimit-Remaining"] = Text(decision.Remaining);
        headers["X-HubSpot-RateLimit-Interval-Milliseconds"] = "10000";
        headers["X-HubSpot-RateLimit-Secondly"] = Text(decision.Secondly);
        headers["X-HubSpot-RateLimit-Secondly-Remaining"] = Text(decision.SecondlyRemaining);
        headers["X-HubSpot-RateLimit-Daily"] = Text(decision.Daily);
        headers["X-HubSpot-RateLimit-Daily-Remaining"] = Text(decision.DailyRemaining);
        if (decision.RejectedPolicy is { } policy)
        {
            if (_options.SendRetryAfter)
            {
                headers.RetryAfter = Text((int)Math.Max(1, Math.Ceiling(decision.RetryAfter.TotalSeconds)));
            }

            return Json(429, HubSpotError.RateLimitBody(policy));
        }

        try
        {
            return await handler(http);
        }
        catch (JsonException e)
        {
            return Fail(HubSpotError.Validation($"Invalid input JSON: {e.Message}"));
        }
    }

    private Task<IResult> BatchUpsertAsync(HttpContext http) => BatchWriteAsync(http, create: false);

    private Task<IResult> BatchCreateAsync(HttpContext http) => BatchWriteAsync(http, create: true);

    /// <summary>batch/upsert (inputs keyed by a unique idProperty) and batch/create (inputs always new, optionally with
    /// inline associations): whole-batch failure unless every input has its own objectWriteTraceId, then 207.</summary>
    /// <summary>batch/update: inputs name existing records by their HubSpot id; an unknown id is OBJECT_NOT_FOUND.</summary>
    private Task<IResult> BatchUpdateAsync(HttpContext http) => BatchWriteAsync(http, create: false, update: true);

    private async Task<IResult> BatchWriteAsync(HttpContext http, bool create, bool update = false)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Fail(typeError);
        }

        var body = await ReadBodyAsync(http);
        if (BadInputs(body, _options.MaxBatchSize, out var inputNodes, out var inputsError))
        {
            return Fail(inputsError);
        }

        var inputs = new List<UpsertInput>(inputNodes.Count);
        foreach (var node in inputNodes)
        {
            if (node is not JsonObject input)
            {
                return Fail(HubSpotError.Validation("Invalid input JSON: each input must be an object."));
            }

            inputs.Add(create
                ? new UpsertInput("", "", input["properties"] as JsonObject ?? [], HubSpotValues.TextOf(input["objectWriteTraceId"]),
                    CreateOnly: true, Associations: input["associations"] as JsonArray)
                : new UpsertInput(
                    HubSpotValues.TextOf(input["id"]) ?? "",
                    update ? HubSpotObjectTypes.ObjectId : HubSpotValues.TextOf(input["idProperty"]) ?? "",
                    input["properties"] as JsonObject ?? [],
                    HubSpotValues.TextOf(input["objectWriteTraceId"]),
                    UpdateOnly: update));
        }

        var requestedAt = Now();
        lock (_lock)
        {
            if (!create && !update && CheckBatch(state!, inputs) is { } batchError)
            {
                return Fail(batchError);
            }

            if (!create)
            {
                _store.CountUpsertInputs(state!.Type.Name, inputs.Count);
            }

            // Multi-status only when every input can be told apart by its own trace id (crm-apis.md §1.3, §6.2 E).
            var partial = inputs.Count > 0
                && inputs.All(i => !string.IsNullOrEmpty(i.TraceId))
                && inputs.Select(i => i.TraceId).Distinct(StringComparer.Ordinal).Count() == inputs.Count;
            var now = Now();
            var undo = new List<(HubSpotRecord Record, HubSpotRecordSnapshot? Before)>();
            var firstNewId = _store.NextId;
            var results = new JsonArray();
            var errors = new JsonArray();
            var links = new List<(string FromType, long FromId, string ToType, long ToId)>();
            foreach (var input in inputs)
            {
                var (result, error) = InlineAssociations(state!, input.Associations, out var targets) is { } linkError
                    ? (null, linkError)
                    : Upsert(state!, input, now, undo);
                if (error is null)
                {
                    var id = long.Parse(result!["id"]!.GetValue<string>(), CultureInfo.InvariantCulture);
                    links.AddRange(targets.Select(t => (state!.Type.Name, id, t.ToType, t.ToId)));
                    results.Add(result);
                    continue;
                }

                if (!partial)
                {
                    Rollback(state!, undo, firstNewId);
                    return Fail(error);
                }

                errors.Add(error.ToBatchEntry(input.TraceId!));
            }

            var changed = undo.Select(u => u.Record).DistinctBy(r => r.Id).ToList();
            _store.Save(state!, changed);
            foreach (var record in changed)
            {
                record.Reindex(now + _options.SearchIndexLag, now);
            }

            foreach (var (fromType, fromId, toType, toId) in links)
            {
                _store.Associations.Add(fromType, fromId, toType, toId);
            }

            _store.SaveAssociations(links);

            var response = new JsonObject
            {
                ["status"] = "COMPLETE",
                ["results"] = results,
            };
            if (errors.Count > 0)
            {
                response["numErrors"] = errors.Count;
                response["errors"] = errors;
            }

            response["requestedAt"] = HubSpotValues.FormatInstant(requestedAt);
            response["startedAt"] = HubSpotValues.FormatInstant(now);
            response["completedAt"] = HubSpotValues.FormatInstant(Now());
            return Json(errors.Count > 0 ? 207 : create ? 201 : 200, response);
        }
    }

    /// <summary>Request-level checks that fail the whole batch whatever the trace ids say.</summary>
    private static HubSpotError? CheckBatch(HubSpotTypeState state, List<UpsertInput> inputs)
    {
        foreach (var idProperty in inputs.Select(i => i.IdProperty).Distinct(StringComparer.Ordinal))
        {
            if (idProperty.Length == 0)
            {
                return HubSpotError.Validation("Each input of an upsert needs an idProperty naming a unique property.");
            }

            if (!state.Properties.ContainsKey(idProperty))
            {
                return HubSpotError.Validation($"Property \"{idProperty}\" does not exist on {state.Type.Name}.");
            }

            if (!state.IsUnique(idProperty))
            {
                return HubSpotError.Validation($"Unable to perform update/upsert by non-unique {state.Type.ObjectTypeId} property");
            }
        }

        var duplicates = inputs.Where(i => i.Id.Length > 0)
            .GroupBy(i => (i.IdProperty, HubSpotTypeState.Normalize(i.IdProperty, i.Id)))
            .Where(g => g.Count() > 1).Select(g => g.First().Id).ToList();
        return duplicates.Count > 0
            ? HubSpotError.Validation($"Duplicate IDs found in batch input: [{string.Join(", ", duplicates)}]. IDs must be unique.")
            : null;
    }

    /// <summary>Applies one input to the in-memory state, or says why HubSpot would refuse it. Changes are logged in
    /// <paramref name="undo"/> so a whole-batch failure can roll them back.</summary>
    private (JsonObject? Result, HubSpotError? Error) Upsert(
        HubSpotTypeState state, UpsertInput input, DateTimeOffset now, List<(HubSpotRecord, HubSpotRecordSnapshot?)> undo)
    {
        if (input.Id.Length == 0 && !input.CreateOnly)
        {
            return (null, HubSpotError.Validation($"Each input of an upsert needs an id (a value of {input.IdProperty})."));
        }

        var invalid = new JsonArray();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, node) in input.Properties)
        {
            if (!state.Properties.TryGetValue(name, out var definition))
            {
                invalid.Add(HubSpotValues.Invalid(name, HubSpotValues.TextOf(node), "PROPERTY_DOESNT_EXIST", $"Property \"{name}\" does not exist"));
            }
            else if (definition.ReadOnly)
            {
                invalid.Add(HubSpotValues.Invalid(name, HubSpotValues.TextOf(node), "READ_ONLY_VALUE",
                    $"\"{name}\" is a read only property; its value cannot be set."));
            }
            else if (HubSpotValues.Normalize(definition, node, out var value, _options.MaxPropertyValueLength) is { } problem)
            {
                invalid.Add(problem);
            }
            else
            {
                values[name] = value;
            }
        }

        if (!input.CreateOnly && !input.UpdateOnly && !values.ContainsKey(input.IdProperty) && invalid.Count == 0)
        {
            if (HubSpotValues.Normalize(state.Properties[input.IdProperty], JsonValue.Create(input.Id), out var key) is { } problem)
            {
                invalid.Add(problem);
            }
            else
            {
                values[input.IdProperty] = key;
            }
        }

        if (invalid.Count > 0)
        {
            return (null, PropertyValuesError(invalid));
        }

        var existing = input.CreateOnly ? null
            : input.UpdateOnly ? (long.TryParse(input.Id, NumberStyles.None, CultureInfo.InvariantCulture, out var recordId) ? state.Records.GetValueOrDefault(recordId) : null)
            : state.FindUnique(input.IdProperty, input.Id);
        if (input.UpdateOnly && existing is not { Archived: false })
        {
            return (null, HubSpotError.NotFound($"No {state.Type.Singular} with id {input.Id}."));
        }

        var next = existing is null
            ? new Dictionary<string, string>(StringComparer.Ordinal)
            : new Dictionary<string, string>(existing.Properties, StringComparer.Ordinal);
        var changed = existing is null;
        foreach (var (name, value) in values)
        {
            if (value.Length == 0)
            {
                changed |= next.Remove(name);
            }
            else if (!next.TryGetValue(name, out var old) || old != value)
            {
                next[name] = value;
                changed = true;
            }
        }

        changed |= HubSpotRecordRules.Derive(state.Type, next);
        if (HubSpotRecordRules.Check(state.Type, next, _store.Pipelines) is { Count: > 0 } broken)
        {
            return (null, PropertyValuesError(broken));
        }

        foreach (var property in state.UniqueProperties())
        {
            if (next.TryGetValue(property, out var value) && state.FindUnique(property, value) is { } holder && holder.Id != existing?.Id)
            {
                var message = property == state.Type.SystemUniqueProperty
                    ? $"{state.Type.Singular} already exists. Existing ID: {holder.Id}"
                    : $"{state.Type.Singular} already exists with {property} \"{value}\". Existing ID: {holder.Id}";
                return (null, new HubSpotError(409, HubSpotError.Conflict, message,
                    new JsonObject { ["propertyName"] = new JsonArray(property), ["existingId"] = new JsonArray(holder.Id.ToString(CultureInfo.InvariantCulture)) }));
            }
        }

        var record = existing;
        if (record is null)
        {
            var id = _store.AllocateId();
            next[HubSpotObjectTypes.CreateDate] = HubSpotValues.FormatInstant(now);
            next[state.Type.ModifiedProperty] = HubSpotValues.FormatInstant(now);
            next[HubSpotObjectTypes.ObjectId] = id.ToString(CultureInfo.InvariantCulture);
            record = new HubSpotRecord(id, next, now, now, null);
            state.Add(record);
            state.AddToIndex(record);
            undo.Add((record, null));
        }
        else if (changed)
        {
            // HubSpot moves the last-modified date only when a value actually changes.
            undo.Add((record, record.Snapshot()));
            state.RemoveFromIndex(record);
            next[state.Type.ModifiedProperty] = HubSpotValues.FormatInstant(now);
            record.Properties = next;
            record.UpdatedAt = now;
            state.AddToIndex(record);
        }

        var returned = values.Keys.Concat(input.CreateOnly || input.UpdateOnly ? [] : [input.IdProperty])
            .Append(HubSpotObjectTypes.CreateDate).Append(state.Type.ModifiedProperty).Append(HubSpotObjectTypes.ObjectId);
        var result = ToJson(record.Snapshot(), returned);
        if (!input.CreateOnly && !input.UpdateOnly)
        {
            result["new"] = existing is null;
        }

        return (result, null);
    }

    /// <summary>The VALIDATION_ERROR HubSpot answers for refused property values (detail entries from <see cref="HubSpotValues.Invalid"/>).</summary>
    private static HubSpotError PropertyValuesError(JsonArray invalid)
    {
        var details = new JsonArray(invalid.Select(i => (JsonNode?)new JsonObject
        {
            ["message"] = i!["message"]!.GetValue<string>(),
            ["code"] = i["error"]!.GetValue<string>(),
            ["context"] = new JsonObject { ["propertyName"] = new JsonArray(i["name"]!.GetValue<string>()) },
        }).ToArray());
        return HubSpotError.Validation($"Property values were not valid: {invalid.ToJsonString()}", details);
    }

    private void Rollback(HubSpotTypeState state, List<(HubSpotRecord Record, HubSpotRecordSnapshot? Before)> undo, long firstNewId)
    {
        for (var i = undo.Count - 1; i >= 0; i--)
        {
            var (record, before) = undo[i];
            state.RemoveFromIndex(record);
            if (before is null)
            {
                state.Remove(record);
                continue;
            }

            record.Properties = new Dictionary<string, string>(before.Properties, StringComparer.Ordinal);
            record.UpdatedAt = before.UpdatedAt;
            state.AddToIndex(record);
        }

        _store.RewindIds(firstNewId);
    }

    private async Task<IResult> SearchAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Fail(typeError);
        }

        var body = await ReadBodyAsync(http) ?? [];
        lock (_lock)
        {
            if (HubSpotSearch.TryParse(body, state!, _options, out var query) is { } error)
            {
                return Fail(error);
            }

            var (total, page) = HubSpotSearch.Run(query, state!, Now());
            var properties = query.Properties is { Count: > 0 } named ? named : state!.Type.DefaultProperties;
            var response = new JsonObject
            {
                ["total"] = total,
                ["results"] = new JsonArray(page.Select(r => (JsonNode?)ToJson(r, properties, includeNulls: true)).ToArray()),
            };
            var next = query.After + page.Count;
            if (page.Count > 0 && next < total)
            {
                response["paging"] = new JsonObject
                {
                    ["next"] = new JsonObject { ["after"] = Text(next), ["link"] = $"?after={Text(next)}" },
                };
            }

            return Json(200, response);
        }
    }

    private Task<IResult> GetObjectAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Task.FromResult(Fail(typeError));
        }

        var id = (string?)http.Request.RouteValues["id"] ?? "";
        var idProperty = http.Request.Query["idProperty"].ToString();
        var archived = bool.TryParse(http.Request.Query["archived"], out var flag) && flag;
        lock (_lock)
        {
            HubSpotRecord? record;
            if (idProperty.Length > 0 && idProperty != HubSpotObjectTypes.ObjectId)
            {
                if (!state!.IsUnique(idProperty))
                {
                    return Task.FromResult(Fail(HubSpotError.Validation(
                        $"Unable to perform read by non-unique {state.Type.ObjectTypeId} property \"{idProperty}\"")));
                }

                record = state.FindUnique(idProperty, id);
            }
            else
            {
                // An id merged away reads as the record it was merged into (which has its own id).
                record = long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key) ? state!.Resolve(key) : null;
            }

            if (record is null || record.Archived != archived)
            {
                return Task.FromResult(Fail(HubSpotError.NotFound("resource not found")));
            }

            return Task.FromResult(Json(200, ToJson(record.Snapshot(), RequestedProperties(http, state!))));
        }
    }

    private Task<IResult> ArchiveAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Task.FromResult(Fail(typeError));
        }

        var id = (string?)http.Request.RouteValues["id"] ?? "";
        lock (_lock)
        {
            Archive(state!, [id]);
            return Task.FromResult(Results.NoContent());
        }
    }

    /// <summary>batch/archive: <c>{inputs: [{id}]}</c>, 204 whether or not each id names a live record (as DELETE by id).</summary>
    private async Task<IResult> BatchArchiveAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Fail(typeError);
        }

        var body = await ReadBodyAsync(http);
        if (BadInputs(body, _options.MaxBatchSize, out var inputs, out var inputsError))
        {
            return Fail(inputsError);
        }

        lock (_lock)
        {
            Archive(state!, inputs.Select(i => HubSpotValues.TextOf(i?["id"]) ?? "").ToList());
            return Results.NoContent();
        }
    }

    private void Archive(HubSpotTypeState state, IReadOnlyList<string> ids)
    {
        var now = Now();
        var archived = new List<HubSpotRecord>();
        foreach (var id in ids)
        {
            if (long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key)
                && state.Records.TryGetValue(key, out var record) && !record.Archived)
            {
                // Archiving does not move the last-modified date (crm-apis.md §1.4): a modified-date search never sees it.
                state.RemoveFromIndex(record);
                record.ArchivedAt = now;
                archived.Add(record);
            }
        }

        _store.Save(state, archived);
        foreach (var record in archived)
        {
            record.Reindex(now + _options.SearchIndexLag, now);
        }
    }

    private Task<IResult> ListAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Task.FromResult(Fail(typeError));
        }

        var query = http.Request.Query;
        var limit = 10;
        if (query.ContainsKey("limit") && (!int.TryParse(query["limit"], NumberStyles.None, CultureInfo.InvariantCulture, out limit)
            || limit < 1 || limit > MaxListLimit))
        {
            return Task.FromResult(Fail(HubSpotError.Validation($"limit must be between 1 and {MaxListLimit}.")));
        }

        var after = 0L;
        if (query.ContainsKey("after") && !long.TryParse(query["after"], NumberStyles.None, CultureInfo.InvariantCulture, out after))
        {
            return Task.FromResult(Fail(HubSpotError.Validation("after must be a paging token returned by a previous page.")));
        }

        var archived = bool.TryParse(query["archived"], out var flag) && flag;
        lock (_lock)
        {
            var properties = RequestedProperties(http, state!);
            var rows = state!.Records.Values.Where(r => r.Archived == archived && r.Id >= after).OrderBy(r => r.Id).Take(limit + 1).ToList();
            var page = rows.Take(limit).Select(r => (JsonNode?)ToJson(r.Snapshot(), properties)).ToArray();
            var response = new JsonObject { ["results"] = new JsonArray(page) };
            if (rows.Count > limit)
            {
                var nextAfter = Text(rows[limit].Id);
                response["paging"] = new JsonObject
                {
                    ["next"] = new JsonObject { ["after"] = nextAfter, ["link"] = $"?after={nextAfter}" },
                };
            }

            return Task.FromResult(Json(200, response));
        }
    }

    private Task<IResult> ListPropertiesAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Task.FromResult(Fail(typeError));
        }

        lock (_lock)
        {
            var all = state!.Properties.Values.OrderBy(p => p.Name, StringComparer.Ordinal).Select(p => (JsonNode?)ToJson(state, p)).ToArray();
            return Task.FromResult(Json(200, new JsonObject { ["results"] = new JsonArray(all) }));
        }
    }

    private Task<IResult> GetPropertyAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Task.FromResult(Fail(typeError));
        }

        var name = (string?)http.Request.RouteValues["name"] ?? "";
        lock (_lock)
        {
            return Task.FromResult(state!.Properties.TryGetValue(name, out var definition)
                ? Json(200, ToJson(state, definition))
                : Fail(HubSpotError.NotFound($"Unable to find property {name} for object type {state.Type.ObjectTypeId}")));
        }
    }

    private async Task<IResult> CreatePropertyAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Fail(typeError);
        }

        var body = await ReadBodyAsync(http) ?? [];
        var name = HubSpotValues.TextOf(body["name"]) ?? "";
        var label = HubSpotValues.TextOf(body["label"]) ?? "";
        var type = HubSpotValues.TextOf(body["type"]) ?? "";
        var fieldType = HubSpotValues.TextOf(body["fieldType"]) ?? "";
        var groupName = HubSpotValues.TextOf(body["groupName"]) ?? "";
        var unique = body["hasUniqueValue"] is JsonValue u && u.TryGetValue<bool>(out var flag) && flag;
        var missing = new[] { ("name", name), ("label", label), ("type", type), ("fieldType", fieldType), ("groupName", groupName) }
            .Where(p => p.Item2.Length == 0).Select(p => p.Item1).ToList();
        if (missing.Count > 0)
        {
            return Fail(HubSpotError.Validation($"Property definition is missing required fields: {string.Join(", ", missing)}."));
        }

        if (!name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_') || !char.IsAsciiLetterLower(name[0]))
        {
            return Fail(HubSpotError.Validation(
                $"Property name \"{name}\" is invalid: use lowercase letters, digits and underscores, starting with a letter."));
        }

        if (!PropertyTypes.Contains(type))
        {
            return Fail(HubSpotError.Validation($"Property type \"{type}\" is invalid; use one of {string.Join(", ", PropertyTypes)}."));
        }

        if (unique && type is not ("string" or "number"))
        {
            return Fail(HubSpotError.Validation("Only string and number properties can have unique values."));
        }

        lock (_lock)
        {
            if (state!.Properties.ContainsKey(name))
            {
                return Fail(new HubSpotError(409, HubSpotError.Conflict, $"A property named '{name}' already exists."));
            }

            if (unique && state.Properties.Values.Count(p => p.HasUniqueValue) >= MaxUniqueProperties)
            {
                return Fail(HubSpotError.Validation(
                    $"An object type can have at most {MaxUniqueProperties} properties with unique values."));
            }

            var definition = new HubSpotPropertyDefinition(name, label, type, fieldType, groupName, unique, ReadOnly: false, Custom: true);
            state.Properties[name] = definition;
            _store.SaveProperty(state, definition);
            return Json(201, ToJson(state, definition));
        }
    }

    /// <summary>Reads the body's <c>inputs</c> array; true, with the validation error HubSpot answers, when it is not an
    /// array or holds more than <paramref name="max"/> inputs.</summary>
    private static bool BadInputs([NotNullWhen(false)] JsonObject? body, int max, out JsonArray inputs, [NotNullWhen(true)] out HubSpotError? error)
    {
        inputs = body?["inputs"] as JsonArray ?? [];
        error = body?["inputs"] is not JsonArray
            ? HubSpotError.Validation("Invalid input JSON: \"inputs\" must be an array.")
            : inputs.Count > max
                ? HubSpotError.Validation($"Batch input limit exceeded: {inputs.Count} inputs sent, at most {max} are allowed per batch.")
                : null;
        return error is not null;
    }

    private HubSpotError? ResolveType(HttpContext http, out HubSpotTypeState? state)
    {
        var name = (string?)http.Request.RouteValues["type"] ?? "";
        var type = HubSpotObjectTypes.Resolve(name);
        if (type is null)
        {
            state = null;
            return HubSpotError.UnknownType(name);
        }

        lock (_lock)
        {
            state = _store.For(type);
        }

        return null;
    }

    private static IReadOnlyList<string> RequestedProperties(HttpContext http, HubSpotTypeState state)
    {
        var requested = http.Request.Query["properties"].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            .ToList();
        return requested.Count > 0 ? requested : state.Type.DefaultProperties;
    }

    private static async Task<JsonObject?> ReadBodyAsync(HttpContext http)
    {
        var node = await JsonNode.ParseAsync(http.Request.Body, cancellationToken: http.RequestAborted);
        return node as JsonObject;
    }

    private static JsonObject ToJson(HubSpotRecordSnapshot record, IEnumerable<string> properties, bool includeNulls = false)
    {
        var values = new JsonObject();
        foreach (var name in properties.Distinct(StringComparer.Ordinal))
        {
            var value = record.Get(name);
            if (value is not null || includeNulls)
            {
                values[name] = value;
            }
        }

        var json = new JsonObject
        {
            ["id"] = Text(record.Id),
            ["properties"] = values,
            ["createdAt"] = HubSpotValues.FormatInstant(record.CreatedAt),
            ["updatedAt"] = HubSpotValues.FormatInstant(record.UpdatedAt),
            ["archived"] = record.Archived,
        };
        if (record.ArchivedAt is { } archivedAt)
        {
            json["archivedAt"] = HubSpotValues.FormatInstant(archivedAt);
        }

        return json;
    }

    private static JsonObject ToJson(HubSpotTypeState state, HubSpotPropertyDefinition definition) => new()
    {
        ["name"] = definition.Name,
        ["label"] = definition.Label,
        ["type"] = definition.Type,
        ["fieldType"] = definition.FieldType,
        ["groupName"] = definition.GroupName,
        ["description"] = "",
        ["hasUniqueValue"] = definition.HasUniqueValue,
        ["calculated"] = false,
        ["externalOptions"] = false,
        ["hidden"] = false,
        ["formField"] = !definition.ReadOnly,
        ["hubspotDefined"] = !definition.Custom,
        ["modificationMetadata"] = new JsonObject
        {
            ["archivable"] = definition.Custom,
            ["readOnlyDefinition"] = !definition.Custom,
            ["readOnlyValue"] = definition.ReadOnly,
        },
        ["options"] = new JsonArray((definition.Options ?? []).Select((o, i) => (JsonNode?)new JsonObject
        {
            ["label"] = o,
            ["value"] = o,
            ["displayOrder"] = i,
            ["hidden"] = false,
        }).ToArray()),
        ["objectTypeId"] = state.Type.ObjectTypeId,
    };

    private static IResult Fail(HubSpotError error) => Json(error.Status, error.ToBody());

    private static IResult Json(int status, JsonNode body) =>
        Results.Text(body.ToJsonString(), "application/json", Encoding.UTF8, status);

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>One input of a batch write. <paramref name="CreateOnly"/> inputs always make a new record (batch/create),
    /// with <paramref name="Associations"/> as HubSpot's inline <c>associations</c> array.</summary>
    private sealed record UpsertInput(
        string Id, string IdProperty, JsonObject Properties, string? TraceId, bool CreateOnly = false, JsonArray? Associations = null,
        bool UpdateOnly = false);
}
