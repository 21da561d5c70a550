using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IvvyWorkflows.Sandbox.HubSpot;

// Batch read of objects, deal pipelines and v4 default associations.
public sealed partial class HubSpotSimulator
{
    /// <summary>Ids of the live <paramref name="toType"/> records associated with one record, ascending (empty when none).</summary>
    /// <param name="fromType">Type of the record: a name ("emails") or an object type id ("0-49").</param>
    /// <param name="fromId">Its record id.</param>
    /// <param name="toType">Type of the associated records.</param>
    public Task<IReadOnlyList<string>> AssociatedAsync(string fromType, string fromId, string toType)
    {
        lock (_lock)
        {
            var from = State(fromType);
            var to = State(toType);
            IReadOnlyList<string> ids = long.TryParse(fromId, NumberStyles.None, CultureInfo.InvariantCulture, out var key)
                ? _store.Associations.Of(from.Type.Name, key, to.Type.Name).Where(id => IsLive(to, id)).Select(Text).ToList()
                : [];
            return Task.FromResult(ids);
        }
    }

    private void MapCrmModuleEndpoints(IEndpointRouteBuilder app)
    {
        foreach (var prefix in new[] { "/crm/v3/objects/{type}", "/crm/objects/{version}/{type}" })
        {
            app.MapPost(prefix + "/batch/read", Handle(search: false, BatchReadAsync));
        }

        foreach (var prefix in new[] { "/crm/v3/pipelines/{type}", "/crm/pipelines/{version}/{type}" })
        {
            app.MapGet(prefix, Handle(search: false, ListPipelinesAsync));
            app.MapGet(prefix + "/{pipelineId}", Handle(search: false, GetPipelineAsync));
            app.MapPost(prefix, Handle(search: false, CreatePipelineAsync));
        }

        foreach (var prefix in new[] { "/crm/v4/objects/{from}/{fromId}/associations", "/crm/objects/{version}/{from}/{fromId}/associations" })
        {
            app.MapPut(prefix + "/default/{to}/{toId}", Handle(search: false, AssociateOneAsync));
            app.MapGet(prefix + "/{to}", Handle(search: false, ListAssociationsAsync));
        }

        foreach (var prefix in new[] { "/crm/v4/associations/{from}/{to}/batch", "/crm/associations/{version}/{from}/{to}/batch" })
        {
            app.MapPost(prefix + "/associate/default", Handle(search: false, BatchAssociateAsync));
            app.MapPost(prefix + "/read", Handle(search: false, BatchReadAssociationsAsync));
        }
    }

    private async Task<IResult> BatchReadAsync(HttpContext http)
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

        var idProperty = HubSpotValues.TextOf(body["idProperty"]) ?? "";
        var archived = body["archived"] is JsonValue flag && flag.TryGetValue<bool>(out var isArchived) && isArchived;
        var properties = (body["properties"] as JsonArray ?? []).Select(HubSpotValues.TextOf).OfType<string>().ToList();
        var requestedAt = Now();
        lock (_lock)
        {
            var byUnique = idProperty.Length > 0 && idProperty != HubSpotObjectTypes.ObjectId;
            if (byUnique && !state!.IsUnique(idProperty))
            {
                return Fail(HubSpotError.Validation($"Unable to perform read by non-unique {state.Type.ObjectTypeId} property \"{idProperty}\""));
            }

            var results = new JsonArray();
            var missing = new List<string>();
            foreach (var input in inputs)
            {
                var id = HubSpotValues.TextOf(input?["id"]) ?? "";
                var record = byUnique
                    ? state!.FindUnique(idProperty, id)
                    // An id merged away reads as the record it was merged into, under that record's own id.
                    : long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var key) ? state!.Resolve(key) : null;
                if (record is null || record.Archived != archived)
                {
                    missing.Add(id);
                    continue;
                }

                results.Add(ToJson(record.Snapshot(), properties.Count > 0 ? properties : state!.Type.DefaultProperties));
            }

            var response = new JsonObject { ["status"] = "COMPLETE", ["results"] = results };
            if (missing.Count > 0)
            {
                // HubSpot reports every id it could not find in one error entry.
                response["numErrors"] = 1;
                response["errors"] = new JsonArray(ErrorEntry(HubSpotError.ObjectNotFound, null,
                    $"Could not get some {state!.Type.Singular.ToUpperInvariant()} objects, they may be deleted or not exist. Check that ids are valid.",
                    new JsonObject { ["ids"] = new JsonArray(missing.Select(m => (JsonNode?)m).ToArray()) }));
            }

            StampTimes(response, requestedAt);
            return Json(missing.Count > 0 ? 207 : 200, response);
        }
    }

    private Task<IResult> ListPipelinesAsync(HttpContext http)
    {
        if (PipelineType(http) is { } typeError)
        {
            return Task.FromResult(Fail(typeError));
        }

        lock (_lock)
        {
            var all = _store.Pipelines.Values.OrderBy(p => p.DisplayOrder).ThenBy(p => p.Id, StringComparer.Ordinal)
                .Select(p => (JsonNode?)ToJson(p)).ToArray();
            return Task.FromResult(Json(200, new JsonObject { ["results"] = new JsonArray(all) }));
        }
    }

    private Task<IResult> GetPipelineAsync(HttpContext http)
    {
        if (PipelineType(http) is { } typeError)
        {
            return Task.FromResult(Fail(typeError));
        }

        var id = (string?)http.Request.RouteValues["pipelineId"] ?? "";
        lock (_lock)
        {
            return Task.FromResult(_store.Pipelines.TryGetValue(id, out var pipeline)
                ? Json(200, ToJson(pipeline))
                : Fail(HubSpotError.NotFound($"Unable to find pipeline {id}")));
        }
    }

    private async Task<IResult> CreatePipelineAsync(HttpContext http)
    {
        if (PipelineType(http) is { } typeError)
        {
            return Fail(typeError);
        }

        var body = await ReadBodyAsync(http) ?? [];
        var label = HubSpotValues.TextOf(body["label"]) ?? "";
        var displayOrder = int.TryParse(HubSpotValues.TextOf(body["displayOrder"]), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var order) ? order : 0;
        var stageNodes = body["stages"] as JsonArray ?? [];
        if (label.Length == 0 || stageNodes.Count == 0)
        {
            return Fail(HubSpotError.Validation("A pipeline needs a label and at least one stage."));
        }

        var stageInputs = new List<(string Label, int Order, string Probability)>();
        foreach (var (node, index) in stageNodes.Select((n, i) => (n, i)))
        {
            var stageLabel = HubSpotValues.TextOf(node?["label"]) ?? "";
            var probability = HubSpotValues.TextOf(node?["metadata"]?["probability"]);
            // Deal stages need a win probability in HubSpot.
            if (stageLabel.Length == 0 || probability is null
                || !decimal.TryParse(probability, NumberStyles.Float, CultureInfo.InvariantCulture, out var p) || p < 0 || p > 1)
            {
                return Fail(HubSpotError.Validation(
                    $"Stage {index}: each deal stage needs a label and metadata.probability between 0.0 and 1.0."));
            }

            var stageOrder = int.TryParse(HubSpotValues.TextOf(node?["displayOrder"]), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var so) ? so : index;
            stageInputs.Add((stageLabel, stageOrder, probability));
        }

        if (stageInputs.GroupBy(s => s.Label, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return Fail(HubSpotError.Validation($"Stage labels must be unique within a pipeline; \"{twice.Key}\" is used twice."));
        }

        lock (_lock)
        {
            if (_store.Pipelines.Values.Any(p => string.Equals(p.Label, label, StringComparison.OrdinalIgnoreCase)))
            {
                return Fail(new HubSpotError(409, HubSpotError.Conflict, $"A pipeline with label \"{label}\" already exists."));
            }

            var id = Text(_store.AllocateId());
            var stages = stageInputs.Select(s => new HubSpotPipelineStage(Text(_store.AllocateId()), s.Label, s.Order, s.Probability)).ToList();
            var pipeline = new HubSpotPipeline(id, label, displayOrder, stages, Now());
            _store.Pipelines[id] = pipeline;
            _store.SavePipeline(pipeline);
            _store.SaveNextId();
            return Json(201, ToJson(pipeline));
        }
    }

    private HubSpotError? PipelineType(HttpContext http)
    {
        var name = (string?)http.Request.RouteValues["type"] ?? "";
        // Only deal pipelines are simulated; tickets have no object type here.
        return HubSpotObjectTypes.Resolve(name)?.Name == "deals" ? null : HubSpotError.UnknownType(name);
    }

    private Task<IResult> AssociateOneAsync(HttpContext http) => Task.FromResult(AssociateOne(http));

    private IResult AssociateOne(HttpContext http)
    {
        if (ResolvePair(http, out var from, out var to) is { } pairError)
        {
            return Fail(pairError);
        }

        var fromId = (string?)http.Request.RouteValues["fromId"] ?? "";
        var toId = (string?)http.Request.RouteValues["toId"] ?? "";
        var requestedAt = Now();
        lock (_lock)
        {
            if (!TryLive(from!, fromId, out var fromKey) || !TryLive(to!, toId, out var toKey))
            {
                var (type, id) = TryLive(from!, fromId, out _) ? (to!, toId) : (from!, fromId);
                return Fail(new HubSpotError(400, HubSpotError.ValidationError,
                    $"No {type.Type.Singular.ToLowerInvariant()} record exists with id {id}.",
                    new JsonObject { ["ids"] = new JsonArray(id) }));
            }

            if (_store.Associations.Add(from!.Type.Name, fromKey, to!.Type.Name, toKey))
            {
                _store.SaveAssociations([(from.Type.Name, fromKey, to.Type.Name, toKey)]);
            }

            var response = new JsonObject
            {
                ["status"] = "COMPLETE",
                ["results"] = new JsonArray(AssociationResult(from, fromKey, to, toKey), AssociationResult(to, toKey, from, fromKey)),
            };
            StampTimes(response, requestedAt);
            return Json(200, response);
        }
    }

    private Task<IResult> ListAssociationsAsync(HttpContext http)
    {
        if (ResolvePair(http, out var from, out var to) is { } pairError)
        {
            return Task.FromResult(Fail(pairError));
        }

        var fromId = (string?)http.Request.RouteValues["fromId"] ?? "";
        lock (_lock)
        {
            if (!TryLive(from!, fromId, out var fromKey))
            {
                return Task.FromResult(Fail(HubSpotError.NotFound($"No {from!.Type.Singular.ToLowerInvariant()} record exists with id {fromId}.")));
            }

            var targets = _store.Associations.Of(from!.Type.Name, fromKey, to!.Type.Name).Where(id => IsLive(to, id))
                .Select(id => (JsonNode?)AssociatedTo(from, to, id)).ToArray();
            return Task.FromResult(Json(200, new JsonObject { ["results"] = new JsonArray(targets) }));
        }
    }

    private async Task<IResult> BatchAssociateAsync(HttpContext http)
    {
        if (ResolvePair(http, out var from, out var to) is { } pairError)
        {
            return Fail(pairError);
        }

        var body = await ReadBodyAsync(http);
        if (BadInputs(body, _options.AssociationBatchCreateMaxInputs, out var inputs, out var inputsError))
        {
            return Fail(inputsError);
        }

        var requestedAt = Now();
        lock (_lock)
        {
            var results = new JsonArray();
            var errors = new JsonArray();
            var added = new List<(string, long, string, long)>();
            foreach (var input in inputs)
            {
                var fromId = HubSpotValues.TextOf(input?["from"]?["id"]) ?? "";
                var toId = HubSpotValues.TextOf(input?["to"]?["id"]) ?? "";
                var fromOk = TryLive(from!, fromId, out var fromKey);
                var toOk = TryLive(to!, toId, out var toKey);
                if (!fromOk || !toOk)
                {
                    var (type, id) = fromOk ? (to!, toId) : (from!, fromId);
                    errors.Add(ErrorEntry(HubSpotError.ValidationError, "crm.associations.INVALID_OBJECT_IDS",
                        $"No {type.Type.Singular.ToLowerInvariant()} record exists with id {id}.",
                        new JsonObject { ["fromObjectId"] = new JsonArray(fromId), ["toObjectId"] = new JsonArray(toId) }));
                    continue;
                }

                if (_store.Associations.Add(from!.Type.Name, fromKey, to!.Type.Name, toKey))
                {
                    added.Add((from.Type.Name, fromKey, to.Type.Name, toKey));
                }

                results.Add(AssociationResult(from, fromKey, to, toKey));
            }

            _store.SaveAssociations(added);
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

    private async Task<IResult> BatchReadAssociationsAsync(HttpContext http)
    {
        if (ResolvePair(http, out var from, out var to) is { } pairError)
        {
            return Fail(pairError);
        }

        var body = await ReadBodyAsync(http);
        if (BadInputs(body, _options.AssociationBatchReadMaxInputs, out var inputs, out var inputsError))
        {
            return Fail(inputsError);
        }

        var requestedAt = Now();
        lock (_lock)
        {
            var results = new JsonArray();
            var errors = new JsonArray();
            foreach (var input in inputs)
            {
                var fromId = HubSpotValues.TextOf(input?["id"]) ?? "";
                if (!TryLive(from!, fromId, out var fromKey))
                {
                    errors.Add(ErrorEntry(HubSpotError.ObjectNotFound, "crm.associations.INVALID_OBJECT_IDS",
                        $"No {from!.Type.Singular.ToLowerInvariant()} record exists with id {fromId}.",
                        new JsonObject { ["fromObjectId"] = new JsonArray(fromId) }));
                    continue;
                }

                var targets = _store.Associations.Of(from!.Type.Name, fromKey, to!.Type.Name).Where(id => IsLive(to, id)).ToList();
                if (targets.Count == 0)
                {
                    // HubSpot lists a record without associations as an error, not as an empty result.
                    errors.Add(ErrorEntry(HubSpotError.ObjectNotFound, "crm.associations.NO_ASSOCIATIONS_FOUND",
                        $"No {to.Type.Singular.ToLowerInvariant()} is associated with {from.Type.Singular.ToLowerInvariant()} {fromId}.",
                        new JsonObject { ["fromObjectId"] = new JsonArray(fromId) }));
                    continue;
                }

                results.Add(new JsonObject
                {
                    ["from"] = new JsonObject { ["id"] = Text(fromKey) },
                    ["to"] = new JsonArray(targets.Select(id => (JsonNode?)AssociatedTo(from, to, id)).ToArray()),
                });
            }

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

    private async Task<IResult> CreateObjectAsync(HttpContext http)
    {
        if (ResolveType(http, out var state) is { } typeError)
        {
            return Fail(typeError);
        }

        var body = await ReadBodyAsync(http) ?? [];
        var input = new UpsertInput("", "", body["properties"] as JsonObject ?? [], null, CreateOnly: true, Associations: body["associations"] as JsonArray);
        lock (_lock)
        {
            if (InlineAssociations(state!, input.Associations, out var targets) is { } linkError)
            {
                return Fail(linkError);
            }

            var now = Now();
            var undo = new List<(HubSpotRecord, HubSpotRecordSnapshot?)>();
            var firstNewId = _store.NextId;
            var (result, error) = Upsert(state!, input, now, undo);
            if (error is not null)
            {
                Rollback(state!, undo, firstNewId);
                return Fail(error);
            }

            var record = undo.Single().Item1;
            _store.Save(state!, [record]);
            record.Reindex(now + _options.SearchIndexLag, now);
            var links = targets.Select(t => (state!.Type.Name, record.Id, t.ToType, t.ToId)).ToList();
            foreach (var (fromType, fromId, toType, toId) in links)
            {
                _store.Associations.Add(fromType, fromId, toType, toId);
            }

            _store.SaveAssociations(links);
            return Json(201, result!);
        }
    }

    /// <summary>Reads the inline <c>associations</c> of a create (<c>[{to:{id}, types:[{associationCategory, associationTypeId}]}]</c>)
    /// into the records they link to, or says why HubSpot would refuse them.</summary>
    private HubSpotError? InlineAssociations(HubSpotTypeState state, JsonArray? associations, out List<(string ToType, long ToId)> targets)
    {
        targets = [];
        foreach (var association in associations ?? [])
        {
            var toId = HubSpotValues.TextOf(association?["to"]?["id"]) ?? "";
            var types = association?["types"] as JsonArray ?? [];
            if (types.Count == 0)
            {
                return HubSpotError.Validation("Each association needs at least one type.");
            }

            foreach (var type in types)
            {
                var category = HubSpotValues.TextOf(type?["associationCategory"]) ?? "";
                var typeIdText = HubSpotValues.TextOf(type?["associationTypeId"]) ?? "";
                if (category != "HUBSPOT_DEFINED"
                    || !int.TryParse(typeIdText, NumberStyles.None, CultureInfo.InvariantCulture, out var typeId)
                    || HubSpotAssociations.TargetOf(state.Type.Name, typeId) is not { } toTypeName)
                {
                    return HubSpotError.Validation(
                        $"{category} association type {typeIdText} is not a default association from {state.Type.Name}.");
                }

                var toState = _store.For(HubSpotObjectTypes.All[toTypeName]);
                if (!TryLive(toState, toId, out var key))
                {
                    return new HubSpotError(400, HubSpotError.ValidationError,
                        $"No {toState.Type.Singular.ToLowerInvariant()} record exists with id {toId}.",
                        new JsonObject { ["toObjectId"] = new JsonArray(toId) });
                }

                targets.Add((toState.Type.Name, key));
            }
        }

        return null;
    }

    private HubSpotError? ResolvePair(HttpContext http, out HubSpotTypeState? from, out HubSpotTypeState? to)
    {
        from = to = null;
        var fromName = (string?)http.Request.RouteValues["from"] ?? "";
        var toName = (string?)http.Request.RouteValues["to"] ?? "";
        if (HubSpotObjectTypes.Resolve(fromName) is not { } fromType)
        {
            return HubSpotError.UnknownType(fromName);
        }

        if (HubSpotObjectTypes.Resolve(toName) is not { } toType)
        {
            return HubSpotError.UnknownType(toName);
        }

        if (HubSpotAssociations.DefaultTypeId(fromType.Name, toType.Name) is null)
        {
            return HubSpotError.Validation($"There is no default association from {fromType.Name} to {toType.Name}.");
        }

        lock (_lock)
        {
            from = _store.For(fromType);
            to = _store.For(toType);
        }

        return null;
    }

    private static bool TryLive(HubSpotTypeState state, string id, out long key) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out key) && IsLive(state, key);

    private static bool IsLive(HubSpotTypeState state, long id) => state.Records.TryGetValue(id, out var record) && !record.Archived;

    private static JsonObject AssociationResult(HubSpotTypeState from, long fromId, HubSpotTypeState to, long toId) => new()
    {
        ["fromObjectTypeId"] = from.Type.ObjectTypeId,
        ["fromObjectId"] = fromId,
        ["toObjectTypeId"] = to.Type.ObjectTypeId,
        ["toObjectId"] = toId,
        ["labels"] = new JsonArray(),
    };

    private static JsonObject AssociatedTo(HubSpotTypeState from, HubSpotTypeState to, long toId) => new()
    {
        ["toObjectId"] = toId,
        ["associationTypes"] = new JsonArray(new JsonObject
        {
            ["category"] = "HUBSPOT_DEFINED",
            ["typeId"] = HubSpotAssociations.DefaultTypeId(from.Type.Name, to.Type.Name),
            ["label"] = null,
        }),
    };

    private static JsonObject ToJson(HubSpotPipeline pipeline) => new()
    {
        ["id"] = pipeline.Id,
        ["label"] = pipeline.Label,
        ["displayOrder"] = pipeline.DisplayOrder,
        ["stages"] = new JsonArray(pipeline.Stages.OrderBy(s => s.DisplayOrder).Select(s => (JsonNode?)new JsonObject
        {
            ["id"] = s.Id,
            ["label"] = s.Label,
            ["displayOrder"] = s.DisplayOrder,
            ["metadata"] = new JsonObject
            {
                // HubSpot's default stages close at probability 0 (lost) and 1 (won).
                ["isClosed"] = decimal.Parse(s.Probability, NumberStyles.Float, CultureInfo.InvariantCulture) is 0m or 1m ? "true" : "false",
                ["probability"] = s.Probability,
            },
            ["archived"] = false,
        }).ToArray()),
        ["createdAt"] = HubSpotValues.FormatInstant(pipeline.CreatedAt),
        ["updatedAt"] = HubSpotValues.FormatInstant(pipeline.CreatedAt),
        ["archived"] = false,
    };

    /// <summary>One entry of a batch response's <c>errors[]</c> that is not tied to an <c>objectWriteTraceId</c>.</summary>
    private static JsonObject ErrorEntry(string category, string? subCategory, string message, JsonObject context)
    {
        var entry = new JsonObject { ["status"] = "error", ["category"] = category };
        if (subCategory is not null)
        {
            entry["subCategory"] = subCategory;
        }

        entry["message"] = message;
        entry["context"] = context;
        return entry;
    }

    private void StampTimes(JsonObject response, DateTimeOffset requestedAt)
    {
        response["requestedAt"] = HubSpotValues.FormatInstant(requestedAt);
        response["startedAt"] = HubSpotValues.FormatInstant(requestedAt);
        response["completedAt"] = HubSpotValues.FormatInstant(Now());
    }
}
