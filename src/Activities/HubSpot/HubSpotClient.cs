using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>A CRM property definition (<c>/crm/v3/properties/{objectType}</c>).</summary>
/// <param name="Name">Internal name, e.g. "ivvy_contact_id".</param>
/// <param name="Label">Display label.</param>
/// <param name="Type">string, number, date, datetime, enumeration or bool.</param>
/// <param name="FieldType">text, number, date, select…</param>
/// <param name="GroupName">Property group, e.g. "contactinformation".</param>
/// <param name="HasUniqueValue">True when no two records may hold the same value (what an upsert key needs).</param>
public sealed record HubSpotProperty(string Name, string Label, string Type, string FieldType, string GroupName, bool HasUniqueValue);

/// <summary>One input of a batch upsert.</summary>
/// <param name="Id">The key value, e.g. the iVvy id.</param>
/// <param name="IdProperty">The unique property <paramref name="Id"/> is a value of.</param>
/// <param name="Properties">Values to write; an empty string clears a property.</param>
/// <param name="ObjectWriteTraceId">Distinct per input: makes HubSpot answer 207 with per-input errors instead of failing the batch.</param>
public sealed record HubSpotUpsertInput(string Id, string IdProperty, JsonObject Properties, string? ObjectWriteTraceId);

/// <summary>A CRM record as HubSpot returns it.</summary>
/// <param name="Id">HubSpot's record id.</param>
/// <param name="Properties">Property values (strings or null), detached from the response.</param>
/// <param name="CreatedAt">When the record was created.</param>
/// <param name="UpdatedAt">When the record last changed.</param>
/// <param name="Archived">True for an archived (deleted) record.</param>
/// <param name="IsNew">Batch upsert only: true when the call created the record.</param>
/// <param name="Raw">The record's whole JSON as sent (id, properties, createdAt, updatedAt, archived…), detached.</param>
public sealed record HubSpotObject(
    string Id, JsonObject Properties, DateTimeOffset? CreatedAt, DateTimeOffset? UpdatedAt, bool Archived, bool? IsNew, JsonObject Raw)
{
    /// <summary>A property value as text; null when absent or null.</summary>
    public string? Property(string name) => Properties[name] is JsonValue value ? HubSpotClient.TextOf(value) : null;
}

/// <summary>One per-input error of a 207 multi-status batch answer.</summary>
/// <param name="Category">HubSpot's category (VALIDATION_ERROR, CONFLICT…), or "UNKNOWN".</param>
/// <param name="Message">HubSpot's message.</param>
/// <param name="ObjectWriteTraceIds">The trace ids of the inputs the error concerns (from <c>context.objectWriteTraceId</c>).</param>
public sealed record HubSpotBatchError(string Category, string Message, IReadOnlyList<string> ObjectWriteTraceIds);

/// <summary>The answer to a batch call: 200 (all landed) or 207 (some inputs refused, listed in <see cref="Errors"/>).</summary>
public sealed record HubSpotBatchResult(int Status, IReadOnlyList<HubSpotObject> Results, IReadOnlyList<HubSpotBatchError> Errors);

/// <summary>One search filter.</summary>
/// <param name="PropertyName">The property compared.</param>
/// <param name="Operator">EQ, NEQ, GT, GTE, LT, LTE, BETWEEN, IN, NOT_IN, HAS_PROPERTY, NOT_HAS_PROPERTY, CONTAINS_TOKEN…</param>
/// <param name="Value">The operand; datetimes as epoch milliseconds.</param>
/// <param name="HighValue">BETWEEN's upper bound.</param>
/// <param name="Values">IN/NOT_IN's operands.</param>
public sealed record HubSpotFilter(string PropertyName, string Operator, string? Value = null, string? HighValue = null,
    IReadOnlyList<string>? Values = null);

/// <summary>Filters that must all hold (AND); a search's groups are OR-ed.</summary>
public sealed record HubSpotFilterGroup(IReadOnlyList<HubSpotFilter> Filters);

/// <summary>A search's sorting rule (HubSpot applies only one).</summary>
public sealed record HubSpotSort(string PropertyName, bool Descending = false);

/// <summary>A CRM search request.</summary>
/// <param name="FilterGroups">At most 5 groups, 10 filters per group, 25 in all.</param>
/// <param name="Sorts">At most one rule.</param>
/// <param name="Properties">Properties to return.</param>
/// <param name="Limit">Page size, at most 200.</param>
/// <param name="After">Offset token of the page, from <see cref="HubSpotSearchPage.NextAfter"/>.</param>
public sealed record HubSpotSearchRequest(
    IReadOnlyList<HubSpotFilterGroup> FilterGroups, IReadOnlyList<HubSpotSort> Sorts, IReadOnlyList<string> Properties, int Limit,
    string? After = null);

/// <summary>One page of search results.</summary>
/// <param name="Total">Records matching the query.</param>
/// <param name="Results">This page's records.</param>
/// <param name="NextAfter">The next page's <c>after</c>, or null on the last page.</param>
public sealed record HubSpotSearchPage(int Total, IReadOnlyList<HubSpotObject> Results, string? NextAfter);

/// <summary>
/// Client of HubSpot's CRM API: object batch upsert, search and read, and property definitions. Meters each call and turns
/// every failure into a <see cref="ConnectorException"/> classified by <see cref="HubSpotErrorTable"/>.
/// </summary>
/// <remarks>
/// <para>Every call runs through <see cref="RemoteCallPipeline"/>: transient and rate-limited failures are retried a bounded
/// number of times, waiting for Retry-After when HubSpot sends one and otherwise for the 429 policy's window (10 s rolling,
/// 1 s for search); each attempt is bounded by a timeout. A DAILY 429 is not retried: the run must stop.</para>
/// <para>Paths come from <see cref="HubSpotClientOptions.ApiVersionPath"/>, so the same client talks to <c>/crm/v3/…</c> and
/// to date-based versions (<c>/crm/objects/2026-03/…</c>). Every field of an error body is read as optional. The token never
/// appears in a message or log. Thread-safe; one instance can serve concurrent calls.</para>
/// </remarks>
public sealed partial class HubSpotClient
{
    /// <summary>Connector name used in meters and exceptions.</summary>
    public const string ConnectorName = "hubspot";

    /// <summary>The category of HubSpot's 207 error entry listing ids it could not find.</summary>
    private const string ObjectNotFoundCategory = "OBJECT_NOT_FOUND";

    
    private readonly HttpClient _http;
    private readonly HubSpotClientOptions _options;
    private readonly ApiCallMeter _meter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly CallPacer _pacer;
    private readonly string _objectsRoot;
    private readonly string _propertiesRoot;

    /// <summary>Creates a client; <paramref name="options"/> are validated here (bad settings fail at start-up).</summary>
    /// <param name="pacer">The account's pacer, shared by every client of the account; one of its own from
    /// <see cref="HubSpotClientOptions.RateLimit"/> when null.</param>
    public HubSpotClient(HttpClient http, HubSpotClientOptions options, ApiCallMeter meter, TimeProvider timeProvider, ILogger logger,
        CallPacer? pacer = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.ValidateOrThrow();
        _http = http;
        _options = options;
        _meter = meter;
        _time = timeProvider;
        _logger = logger;
        _pipeline = RemoteCallPipeline.Create(options.RemoteCall, timeProvider);
        _pacer = pacer ?? new CallPacer(options.RateLimit, timeProvider);
        var origin = options.BaseUrl.AbsoluteUri.TrimEnd('/');
        var objectsPath = options.ApiVersionPath.Trim('/');
        _objectsRoot = $"{origin}/{objectsPath}/";
        // crm/v3/objects → crm/v3/properties; crm/objects/2026-03 → crm/properties/2026-03.
        var segments = objectsPath.Split('/');
        segments[Array.IndexOf(segments, "objects")] = "properties";
        _propertiesRoot = $"{origin}/{string.Join('/', segments)}/";
    }

    /// <summary>Associations v4 <c>batch/associate/default</c>: links each (from, to) pair with HubSpot's default association
    /// type, in chunks of 100. Returns the ids HubSpot could not associate (207 error entries), with its message.</summary>
    public async Task<IReadOnlyList<(string FromId, string Message)>> AssociateDefaultAsync(string fromType, string toType,
        IReadOnlyList<(string FromId, string ToId)> links, CancellationToken ct)
    {
        var endpoint = $"associations.{fromType}-{toType}";
        var uri = new Uri($"{_options.BaseUrl.AbsoluteUri.TrimEnd('/')}/crm/v4/associations/{Uri.EscapeDataString(fromType)}/{Uri.EscapeDataString(toType)}/batch/associate/default");
        var failed = new List<(string, string)>();
        foreach (var chunk in links.Chunk(100))
        {
            var inputs = new JsonArray(chunk.Select(l => (JsonNode)new JsonObject
            {
                ["from"] = new JsonObject { ["id"] = l.FromId },
                ["to"] = new JsonObject { ["id"] = l.ToId },
            }).ToArray());
            var (_, body) = await SendAsync(HttpMethod.Post, uri, new JsonObject { ["inputs"] = inputs }, endpoint, isWrite: true, accept: null, ct)
                .ConfigureAwait(false);
            foreach (var error in body?["errors"] as JsonArray ?? [])
            {
                var message = TextOf(error?["message"]) ?? "not associated";
                foreach (var id in error?["context"]?["fromObjectId"] as JsonArray ?? error?["context"]?["objectId"] as JsonArray ?? [])
                {
                    failed.Add((TextOf(id) ?? "", message));
                }
            }
        }

        return failed;
    }

    /// <summary>Marketing events <c>events/upsert</c> (keyed by externalAccountId + externalEventId); returns the events as
    /// HubSpot holds them. One invalid input fails the whole call (Data), as HubSpot does.</summary>
    public async Task<IReadOnlyList<JsonObject>> UpsertMarketingEventsAsync(IReadOnlyList<JsonObject> inputs, CancellationToken ct)
    {
        var uri = new Uri($"{_options.BaseUrl.AbsoluteUri.TrimEnd('/')}/marketing/v3/marketing-events/events/upsert");
        var body = new JsonObject { ["inputs"] = new JsonArray(inputs.Select(i => (JsonNode)i.DeepClone()).ToArray()) };
        var (_, response) = await SendAsync(HttpMethod.Post, uri, body, "marketing-events.upsert", isWrite: true, accept: null, ct).ConfigureAwait(false);
        return (response?["results"] as JsonArray ?? []).OfType<JsonObject>().ToList();
    }

    /// <summary>Marketing-event attendance <c>attendance/{externalEventId}/{state}/create</c> by contact id (vid); returns
    /// the vids HubSpot recorded. An interaction older than the contact's latest one leaves its state as it is.</summary>
    public async Task<IReadOnlySet<string>> RecordAttendanceAsync(string externalEventId, string state, IReadOnlyList<JsonObject> inputs, CancellationToken ct)
    {
        var uri = new Uri($"{_options.BaseUrl.AbsoluteUri.TrimEnd('/')}/marketing/v3/marketing-events/attendance/{Uri.EscapeDataString(externalEventId)}/{Uri.EscapeDataString(state)}/create?externalAccountId={Uri.EscapeDataString(_options.MarketingEventsAccountId)}");
        var body = new JsonObject { ["inputs"] = new JsonArray(inputs.Select(i => (JsonNode)i.DeepClone()).ToArray()) };
        var (_, response) = await SendAsync(HttpMethod.Post, uri, body, "marketing-events.attendance", isWrite: true, accept: null, ct).ConfigureAwait(false);
        return (response?["results"] as JsonArray ?? []).Select(r => TextOf(r?["vid"])).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>One marketing event by its external ids, or null when HubSpot has none.</summary>
    public async Task<JsonObject?> GetMarketingEventAsync(string externalEventId, string externalAccountId, CancellationToken ct)
    {
        var uri = new Uri($"{_options.BaseUrl.AbsoluteUri.TrimEnd('/')}/marketing/v3/marketing-events/events/{Uri.EscapeDataString(externalEventId)}?externalAccountId={Uri.EscapeDataString(externalAccountId)}");
        var (status, response) = await SendAsync(HttpMethod.Get, uri, null, "marketing-events.get", isWrite: false,
            accept: s => s == (int)HttpStatusCode.NotFound, ct).ConfigureAwait(false);
        return status == (int)HttpStatusCode.NotFound ? null : response as JsonObject;
    }

    /// <summary>The settings in use (batch and page sizes, search cap, retry bounds).</summary>
    public HubSpotClientOptions Options => _options;

    /// <summary>The clock the client (and readers built on it) use.</summary>
    public TimeProvider TimeProvider => _time;

    /// <summary>Reads a property definition; null when HubSpot answers 404 (no such property).</summary>
    /// <exception cref="ConnectorException">Any other failure, classified.</exception>
    public async Task<HubSpotProperty?> GetPropertyAsync(string objectType, string name, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var uri = new Uri($"{_propertiesRoot}{Uri.EscapeDataString(objectType)}/{Uri.EscapeDataString(name)}");
        var (status, body) = await SendAsync(HttpMethod.Get, uri, null, "properties.get", isWrite: false,
            accept: s => s == (int)HttpStatusCode.NotFound, ct).ConfigureAwait(false);
        return status == (int)HttpStatusCode.NotFound ? null : ReadProperty(body, "properties.get");
    }

    /// <summary>Creates a property definition.</summary>
    /// <exception cref="ConnectorException">Any failure, classified (409 CONFLICT when it already exists).</exception>
    public async Task<HubSpotProperty> CreatePropertyAsync(string objectType, HubSpotProperty property, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        ArgumentNullException.ThrowIfNull(property);
        var uri = new Uri($"{_propertiesRoot}{Uri.EscapeDataString(objectType)}");
        var body = new JsonObject
        {
            ["name"] = property.Name,
            ["label"] = property.Label,
            ["type"] = property.Type,
            ["fieldType"] = property.FieldType,
            ["groupName"] = property.GroupName,
            ["hasUniqueValue"] = property.HasUniqueValue,
        };
        var (_, response) = await SendAsync(HttpMethod.Post, uri, body, "properties.create", isWrite: false, accept: null, ct)
            .ConfigureAwait(false);
        return ReadProperty(response, "properties.create");
    }

    /// <summary>Creates or updates records by a unique property (<c>POST …/{objectType}/batch/upsert</c>).</summary>
    /// <remarks>With a distinct <see cref="HubSpotUpsertInput.ObjectWriteTraceId"/> on every input, HubSpot answers 207 for a
    /// partly refused batch; this returns it with the refusals in <see cref="HubSpotBatchResult.Errors"/>. Without them one bad
    /// input fails the whole batch, which throws a <see cref="FailureKind.Data"/> <see cref="ConnectorException"/>.</remarks>
    /// <exception cref="ConnectorException">A whole-batch failure, classified.</exception>
    public Task<HubSpotBatchResult> BatchUpsertAsync(string objectType, IReadOnlyList<HubSpotUpsertInput> inputs, CancellationToken ct) =>
        BatchWriteAsync(objectType, "upsert", inputs, ct);

    /// <summary><c>batch/update</c>: each input's <see cref="HubSpotUpsertInput.Id"/> is the HubSpot record id (its idProperty
    /// is not sent). Used when the pair is known, so the record is found whatever its key property holds.</summary>
    public Task<HubSpotBatchResult> BatchUpdateAsync(string objectType, IReadOnlyList<HubSpotUpsertInput> inputs, CancellationToken ct) =>
        BatchWriteAsync(objectType, "update", inputs, ct);

    /// <summary>Archives (deletes) records by HubSpot id (<c>POST …/{objectType}/batch/archive</c>), in calls of at most
    /// <see cref="BatchReadMaxInputs"/> ids. HubSpot answers 204 whether or not an id still exists, so archiving twice is harmless.</summary>
    /// <exception cref="ConnectorException">Any failure, classified.</exception>
    public async Task ArchiveAsync(string objectType, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        ArgumentNullException.ThrowIfNull(ids);
        var uri = new Uri($"{_objectsRoot}{Uri.EscapeDataString(objectType)}/batch/archive");
        foreach (var chunk in ids.Distinct(StringComparer.Ordinal).Chunk(BatchReadMaxInputs))
        {
            var inputs = new JsonArray(chunk.Select(id => (JsonNode?)new JsonObject { ["id"] = id }).ToArray());
            await SendAsync(HttpMethod.Post, uri, new JsonObject { ["inputs"] = inputs }, $"{objectType}.batch/archive", isWrite: true, accept: null, ct)
                .ConfigureAwait(false);
        }
    }

    private async Task<HubSpotBatchResult> BatchWriteAsync(string objectType, string operation, IReadOnlyList<HubSpotUpsertInput> inputs, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        ArgumentNullException.ThrowIfNull(inputs);
        var endpoint = $"{objectType}.batch/{operation}";
        var array = new JsonArray();
        foreach (var input in inputs)
        {
            var node = new JsonObject { ["id"] = input.Id, ["properties"] = input.Properties.DeepClone() };
            if (operation == "upsert")
            {
                node["idProperty"] = input.IdProperty;
            }

            if (input.ObjectWriteTraceId is not null)
            {
                node["objectWriteTraceId"] = input.ObjectWriteTraceId;
            }

            array.Add(node);
        }

        var uri = new Uri($"{_objectsRoot}{Uri.EscapeDataString(objectType)}/batch/{operation}");
        var (status, body) = await SendAsync(HttpMethod.Post, uri, new JsonObject { ["inputs"] = array }, endpoint, isWrite: true,
            accept: null, ct).ConfigureAwait(false);
        var results = (body?["results"] as JsonArray ?? []).Select(n => ReadObject(n, endpoint)).ToList();
        var errors = new List<HubSpotBatchError>();
        foreach (var node in body?["errors"] as JsonArray ?? [])
        {
            var traceIds = node?["context"]?["objectWriteTraceId"] switch
            {
                JsonArray ids => ids.Select(TextOf).OfType<string>().ToList(),
                JsonValue id when TextOf(id) is { } single => [single],
                _ => [],
            };
            errors.Add(new HubSpotBatchError(TextOf(node?["category"]) ?? "UNKNOWN", TextOf(node?["message"]) ?? "(no message)", traceIds));
        }

        return new HubSpotBatchResult(status, results, errors);
    }

    /// <summary>Searches records (<c>POST …/{objectType}/search</c>).</summary>
    /// <exception cref="ConnectorException">Any failure, classified; also (System, without a call) when the page would pass
    /// <see cref="HubSpotClientOptions.SearchResultCap"/>, which HubSpot would refuse with a 400.</exception>
    public async Task<HubSpotSearchPage> SearchAsync(string objectType, HubSpotSearchRequest request, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        ArgumentNullException.ThrowIfNull(request);
        var endpoint = $"{objectType}.search";
        // HubSpot's after is an offset; one that is not a number is left for HubSpot to judge.
        var after = long.TryParse(request.After, NumberStyles.None, CultureInfo.InvariantCulture, out var offset) ? offset : 0;
        if (after + request.Limit > _options.SearchResultCap)
        {
            throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
                $"HubSpot {endpoint}: a search can page through at most {_options.SearchResultCap} results (after {after} + limit " +
                $"{request.Limit}); narrow the query (re-anchor on a filter) instead of paging further.");
        }

        var body = new JsonObject
        {
            ["filterGroups"] = new JsonArray(request.FilterGroups.Select(g => (JsonNode?)new JsonObject
            {
                ["filters"] = new JsonArray(g.Filters.Select(f => (JsonNode?)FilterJson(f)).ToArray()),
            }).ToArray()),
            ["sorts"] = new JsonArray(request.Sorts.Select(s => (JsonNode?)new JsonObject
            {
                ["propertyName"] = s.PropertyName,
                ["direction"] = s.Descending ? "DESCENDING" : "ASCENDING",
            }).ToArray()),
            ["properties"] = new JsonArray(request.Properties.Select(p => (JsonNode?)p).ToArray()),
            ["limit"] = request.Limit,
        };
        if (request.After is not null)
        {
            body["after"] = request.After;
        }

        var uri = new Uri($"{_objectsRoot}{Uri.EscapeDataString(objectType)}/search");
        var (_, response) = await SendAsync(HttpMethod.Post, uri, body, endpoint, isWrite: false, accept: null, ct).ConfigureAwait(false);
        var results = (response?["results"] as JsonArray ?? []).Select(n => ReadObject(n, endpoint)).ToList();
        var total = response?["total"] is JsonValue t && int.TryParse(TextOf(t), CultureInfo.InvariantCulture, out var n) ? n : results.Count;
        return new HubSpotSearchPage(total, results, TextOf(response?["paging"]?["next"]?["after"]));
    }

    /// <summary>Reads one record by HubSpot id, or by a unique <paramref name="idProperty"/>; null when HubSpot answers 404.</summary>
    /// <exception cref="ConnectorException">Any other failure, classified.</exception>
    public async Task<HubSpotObject?> GetObjectAsync(string objectType, string id, string? idProperty, IReadOnlyList<string>? properties,
        CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        ArgumentException.ThrowIfNullOrWhiteSpace(id);
        var endpoint = $"{objectType}.get";
        var query = new List<string>();
        if (idProperty is not null)
        {
            query.Add("idProperty=" + Uri.EscapeDataString(idProperty));
        }

        if (properties is { Count: > 0 })
        {
            query.Add("properties=" + Uri.EscapeDataString(string.Join(',', properties)));
        }

        var uri = new Uri($"{_objectsRoot}{Uri.EscapeDataString(objectType)}/{Uri.EscapeDataString(id)}" +
            (query.Count > 0 ? "?" + string.Join('&', query) : ""));
        var (status, body) = await SendAsync(HttpMethod.Get, uri, null, endpoint, isWrite: false,
            accept: s => s == (int)HttpStatusCode.NotFound, ct).ConfigureAwait(false);
        return status == (int)HttpStatusCode.NotFound ? null : ReadObject(body, endpoint);
    }

    /// <summary>Most ids one <c>batch/read</c> call takes; <see cref="BatchReadAsync"/> sends larger sets in chunks of this size.</summary>
    public const int BatchReadMaxInputs = 100;

    /// <summary>Reads records by HubSpot id (<c>POST …/{objectType}/batch/read</c>), in calls of at most
    /// <see cref="BatchReadMaxInputs"/> ids.</summary>
    /// <param name="objectType">Object type path name, e.g. "contacts".</param>
    /// <param name="ids">HubSpot record ids; duplicates and blanks are dropped.</param>
    /// <param name="properties">Properties to return (HubSpot adds a few it always sends); none = HubSpot's default set.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="idProperty">A unique property the ids are values of (e.g. a contact's email) instead of HubSpot ids.</param>
    /// <returns>The live records found, in no guaranteed order.</returns>
    /// <remarks>Ids HubSpot cannot find (deleted, archived or never there) are left out: HubSpot answers them with a 207 and
    /// one <c>OBJECT_NOT_FOUND</c> error entry, which is not a failure here.</remarks>
    /// <exception cref="ConnectorException">Any failure, classified; also (System) a 207 error entry of any other category,
    /// since a record silently left out would read as deleted.</exception>
    public async Task<IReadOnlyList<HubSpotObject>> BatchReadAsync(string objectType, IReadOnlyCollection<string> ids,
        IReadOnlyCollection<string> properties, CancellationToken ct, string? idProperty = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        ArgumentNullException.ThrowIfNull(ids);
        ArgumentNullException.ThrowIfNull(properties);
        var endpoint = $"{objectType}.batch/read";
        var uri = new Uri($"{_objectsRoot}{Uri.EscapeDataString(objectType)}/batch/read");
        var wanted = ids.Where(id => !string.IsNullOrWhiteSpace(id)).Distinct(StringComparer.Ordinal).ToList();
        var propertyArray = properties.Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.Ordinal).ToList();
        var found = new List<HubSpotObject>(wanted.Count);
        foreach (var chunk in wanted.Chunk(BatchReadMaxInputs))
        {
            var body = new JsonObject
            {
                ["inputs"] = new JsonArray(chunk.Select(id => (JsonNode?)new JsonObject { ["id"] = id }).ToArray()),
                ["properties"] = new JsonArray(propertyArray.Select(p => (JsonNode?)p).ToArray()),
            };
            if (idProperty is not null)
            {
                body["idProperty"] = idProperty;
            }

            var (status, response) = await SendAsync(HttpMethod.Post, uri, body, endpoint, isWrite: false, accept: null, ct)
                .ConfigureAwait(false);
            foreach (var error in response?["errors"] as JsonArray ?? [])
            {
                var category = TextOf(error?["category"]);
                if (!string.Equals(category, ObjectNotFoundCategory, StringComparison.Ordinal))
                {
                    throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
                        $"HubSpot {endpoint} answered {status} with an error other than a missing record: " +
                        RemoteText.Redact(RemoteText.Snippet(error?.ToJsonString(), 300), _options.AccessToken),
                        (HttpStatusCode)status, category);
                }
            }

            found.AddRange((response?["results"] as JsonArray ?? []).Select(n => ReadObject(n, endpoint)));
        }

        return found;
    }

    /// <summary>The text of a JSON value (strings as-is, numbers and booleans invariant); null for null or a container.</summary>
    public static string? TextOf(JsonNode? node) => node switch
    {
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False => value.GetValue<bool>() ? "true" : "false",
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
        _ => null,
    };

    /// <summary>Reads a HubSpot timestamp: ISO-8601, or epoch milliseconds.</summary>
    public static bool TryParseInstant(string? text, out DateTimeOffset instant)
    {
        instant = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var epochMs)
            && epochMs is >= -62_135_596_800_000 and <= 253_402_300_799_999)
        {
            instant = DateTimeOffset.FromUnixTimeMilliseconds(epochMs);
            return true;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }

    private async Task<(int Status, JsonNode? Body)> SendAsync(HttpMethod method, Uri uri, JsonNode? body, string endpoint, bool isWrite,
        Func<int, bool>? accept, CancellationToken ct)
    {
        var payload = body?.ToJsonString();
        try
        {
            var lane = endpoint.EndsWith(".search", StringComparison.Ordinal) ? CallLane.Search : CallLane.General;
            return await _pipeline.ExecuteAsync(
                token => _pacer.RunAsync(lane, t => SendOnceAsync(method, uri, payload, endpoint, isWrite, accept, t), token),
                ct).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            var failure = new ConnectorException(ConnectorName, endpoint, FailureKind.Transient,
                $"HubSpot {endpoint} did not answer within {_options.RemoteCall.AttemptTimeout.TotalSeconds:0.###} s " +
                $"(after {_options.RemoteCall.MaxRetries} retries at most).", inner: e);
            LogFailure(_logger, endpoint, failure.Kind, null, null, null);
            throw failure;
        }
    }

    private async ValueTask<(int Status, JsonNode? Body)> SendOnceAsync(HttpMethod method, Uri uri, string? payload, string endpoint,
        bool isWrite, Func<int, bool>? accept, CancellationToken token)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.AccessToken);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        if (payload is not null)
        {
            request.Content = new StringContent(payload, Encoding.UTF8, "application/json");
        }

        var started = _time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            _meter.Record(ConnectorName, endpoint, 0, _time.GetElapsedTime(started));
            var failure = new ConnectorException(ConnectorName, endpoint, FailureKind.Transient,
                $"HubSpot {endpoint} could not be reached ({e.HttpRequestError}): {RemoteText.Redact(e.Message, _options.AccessToken)}", inner: e);
            LogFailure(_logger, endpoint, failure.Kind, null, null, null);
            throw failure;
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            // Not our token: HttpClient's own timeout fired.
            _meter.Record(ConnectorName, endpoint, 0, _time.GetElapsedTime(started));
            var failure = new ConnectorException(ConnectorName, endpoint, FailureKind.Transient,
                $"HubSpot {endpoint} timed out (HttpClient timeout).", inner: e);
            LogFailure(_logger, endpoint, failure.Kind, null, null, null);
            throw failure;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var elapsed = _time.GetElapsedTime(started);
            _meter.Record(ConnectorName, endpoint, status, elapsed);
            LogCall(_logger, endpoint, status, elapsed.TotalMilliseconds);

            JsonNode? parsed = null;
            var parseFailed = false;
            if (!string.IsNullOrWhiteSpace(text))
            {
                try
                {
                    parsed = JsonNode.Parse(text);
                }
                catch (JsonException)
                {
                    parseFailed = true;
                }
            }

            if (response.IsSuccessStatusCode || accept?.Invoke(status) == true)
            {
                if (parseFailed)
                {
                    throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
                        $"HubSpot {endpoint} answered {status} with a body that is not JSON: {RemoteText.Snippet(text, 300)}", (HttpStatusCode)status);
                }

                return (status, parsed);
            }

            throw Failure(endpoint, isWrite, status, parsed as JsonObject, parseFailed ? text : null, RetryAfter.Of(response, _time));
        }
    }

    private ConnectorException Failure(string endpoint, bool isWrite, int status, JsonObject? body, string? rawText, TimeSpan? retryAfter)
    {
        var category = TextOf(body?["category"]);
        var policyName = TextOf(body?["policyName"]);
        var message = TextOf(body?["message"]);
        var correlationId = TextOf(body?["correlationId"]);
        if (status == 429 && policyName is null && TextOf(body?["errorType"]) is null && category is null)
        {
            category = "RATE_LIMIT";
        }

        var (kind, advice, defaultRetryAfter) = HubSpotErrorTable.Classify(status, category, policyName, message, isWrite);
        var text = new StringBuilder($"HubSpot {endpoint} failed with HTTP {status}");
        var code = policyName ?? category;
        if (code is not null)
        {
            text.Append(' ').Append(code);
        }

        text.Append(": ").Append(message ?? (rawText is null ? "(no message)" : "(not JSON) " + RemoteText.Snippet(rawText, 300)));
        if (body?["errors"] is JsonArray { Count: > 0 } details)
        {
            text.Append(" [").AppendJoin("; ", details.Select(d => TextOf(d?["message"])).OfType<string>()).Append(']');
        }

        text.Append(" — ").Append(advice);
        if (correlationId is not null)
        {
            text.Append(" (correlationId ").Append(correlationId).Append(')');
        }

        var wait = kind == FailureKind.RateLimited ? retryAfter ?? defaultRetryAfter ?? HubSpotErrorTable.TenSecondWindow : (TimeSpan?)null;
        LogFailure(_logger, endpoint, kind, status, code, wait?.TotalSeconds);
        return new ConnectorException(ConnectorName, endpoint, kind, RemoteText.Redact(text.ToString(), _options.AccessToken), (HttpStatusCode)status, code, wait);
    }


    private static JsonObject FilterJson(HubSpotFilter filter)
    {
        var json = new JsonObject { ["propertyName"] = filter.PropertyName, ["operator"] = filter.Operator };
        if (filter.Value is not null)
        {
            json["value"] = filter.Value;
        }

        if (filter.HighValue is not null)
        {
            json["highValue"] = filter.HighValue;
        }

        if (filter.Values is not null)
        {
            json["values"] = new JsonArray(filter.Values.Select(v => (JsonNode?)v).ToArray());
        }

        return json;
    }

    private static HubSpotObject ReadObject(JsonNode? node, string endpoint)
    {
        if (node is not JsonObject json || TextOf(json["id"]) is not { Length: > 0 } id)
        {
            throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
                $"HubSpot {endpoint} returned a record without an id: {RemoteText.Snippet(node?.ToJsonString(), 300)}");
        }

        var raw = json.DeepClone().AsObject();
        var properties = raw["properties"] as JsonObject ?? [];
        return new HubSpotObject(
            id,
            properties.DeepClone().AsObject(),
            TryParseInstant(TextOf(json["createdAt"]), out var created) ? created : null,
            TryParseInstant(TextOf(json["updatedAt"]), out var updated) ? updated : null,
            json["archived"] is JsonValue archived && archived.GetValueKind() == JsonValueKind.True,
            json["new"] is JsonValue isNew && isNew.GetValueKind() is JsonValueKind.True or JsonValueKind.False ? isNew.GetValue<bool>() : null,
            raw);
    }

    private static HubSpotProperty ReadProperty(JsonNode? node, string endpoint)
    {
        if (node is not JsonObject json || TextOf(json["name"]) is not { Length: > 0 } name)
        {
            throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
                $"HubSpot {endpoint} returned a property without a name: {RemoteText.Snippet(node?.ToJsonString(), 300)}");
        }

        return new HubSpotProperty(
            name,
            TextOf(json["label"]) ?? name,
            TextOf(json["type"]) ?? "string",
            TextOf(json["fieldType"]) ?? "text",
            TextOf(json["groupName"]) ?? "",
            json["hasUniqueValue"] is JsonValue unique && unique.GetValueKind() == JsonValueKind.True);
    }



    [LoggerMessage(Level = LogLevel.Debug, Message = "HubSpot {Endpoint} answered {Status} in {ElapsedMs:0} ms")]
    private static partial void LogCall(ILogger logger, string endpoint, int status, double elapsedMs);

    private static void LogFailure(ILogger logger, string endpoint, FailureKind kind, int? status, string? code, double? retryAfterSeconds) =>
        LogFailure(logger, endpoint, kind, FailureDetail.Of("HTTP", status, code, retryAfterSeconds));

    [LoggerMessage(Level = LogLevel.Warning, Message = "HubSpot {Endpoint} failed: {Kind} ({Detail})")]
    private static partial void LogFailure(ILogger logger, string endpoint, FailureKind kind, string detail);
}
