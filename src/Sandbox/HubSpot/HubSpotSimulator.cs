using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>
/// A stateful simulator of HubSpot's CRM API (objects, properties, batch upsert/create/read, search, deal pipelines,
/// v4 default associations, marketing events with attendance, manual lists) with HubSpot's limits and error shapes, for
/// contacts, companies, deals, email engagements and any other object type declared as data in <c>HubSpotObjectTypes</c>.
/// </summary>
/// <remarks>
/// <para>Every path is served both as <c>/crm/v3/objects/{type}/…</c> and as the date-based <c>/crm/objects/{version}/{type}/…</c>
/// (properties likewise). Every call needs <c>Authorization: Bearer {AccessToken}</c> and counts against the rate limits, whose
/// state every answer reports in <c>X-HubSpot-RateLimit-*</c> headers.</para>
/// <para>What is faithful, and why it matters to a client: <c>batch/upsert</c> needs a unique <c>idProperty</c>; without
/// <c>objectWriteTraceId</c> on every input one bad input fails the whole batch (400/409, nothing written), with them the good
/// inputs land and the response is 207 with per-input errors; <c>lastmodifieddate</c> moves only when a value changes; search
/// sees writes only after <see cref="HubSpotSimulatorOptions.SearchIndexLag"/>, applies one sort and pages through at most
/// <see cref="HubSpotSimulatorOptions.SearchResultCap"/> results; archiving does not move the last-modified date.</para>
/// <para>Module rules: a deal's <c>pipeline</c>/<c>dealstage</c> must name an existing pipeline and one of its stages; an
/// email needs <c>hs_timestamp</c>, and its <c>hs_email_headers</c> drive the read-only from/to emails; no value may exceed
/// <see cref="HubSpotSimulatorOptions.MaxPropertyValueLength"/>. Associations batch reads list a record without
/// associations as an error (NO_ASSOCIATIONS_FOUND), as HubSpot does. Attendance keeps every contact's interactions per
/// event; the latest by interaction time is its state, and a replayed (state, time) is recorded once.</para>
/// <para>State is kept in memory and written through to SQLite at <c>{dataDirectory}/hubspot.db</c> (in memory only when no
/// folder is given), so it survives a restart. All calls are serialised by one lock; this is a simulator, not a database.</para>
/// </remarks>
public sealed partial class HubSpotSimulator : ISimulator
{
    private readonly HubSpotSimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly HubSpotStore _store;
    private readonly HubSpotRateLimiter _limiter;
    private readonly Lock _lock = new();
    private int _disposed;

    /// <summary>Opens (or creates) the simulator's state.</summary>
    /// <param name="options">Token and limits.</param>
    /// <param name="dataDirectory">Folder for <c>hubspot.db</c>; null keeps the state in memory for this instance only.</param>
    /// <param name="time">The simulator's clock: create/modified dates, rate-limit windows, index lag.</param>
    public HubSpotSimulator(HubSpotSimulatorOptions options, string? dataDirectory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
        _store = new HubSpotStore(dataDirectory);
        _limiter = new HubSpotRateLimiter(options);
    }

    /// <inheritdoc />
    public string Name => "hubspot";

    /// <summary>The settings in force.</summary>
    public HubSpotSimulatorOptions Options => _options;

    /// <inheritdoc />
    public (int Status, string Body) FaultResponse(int status, TimeSpan? retryAfter)
    {
        var body = status switch
        {
            429 => HubSpotError.RateLimitBody("TEN_SECONDLY_ROLLING"),
            >= 500 => HubSpotError.InternalErrorBody(status),
            401 => HubSpotError.Unauthorized().ToBody(),
            403 => new HubSpotError(403, "MISSING_SCOPES",
                "This app hasn't been granted all required scopes to make this call.").ToBody(),
            _ => HubSpotError.Validation("The request was refused.").ToBody(),
        };
        return (status, body.ToJsonString());
    }

    /// <summary>Number of live (not archived) records of <paramref name="type"/> ("contacts", "companies", "deals" or "0-1"…).</summary>
    public Task<int> CountAsync(string type)
    {
        lock (_lock)
        {
            return Task.FromResult(State(type).Records.Values.Count(r => !r.Archived));
        }
    }

    /// <summary>Batch-upsert inputs received for <paramref name="type"/> in all (persisted): more than the records
    /// held means some were written again.</summary>
    public Task<long> CountUpsertInputsAsync(string type)
    {
        lock (_lock)
        {
            return Task.FromResult(_store.UpsertInputs(State(type).Type.Name));
        }
    }

    /// <summary>Every live record of <paramref name="type"/> by ascending id, flattened: <c>{"id": "…", property: value, …}</c>.</summary>
    public Task<IReadOnlyList<JsonObject>> AllAsync(string type)
    {
        lock (_lock)
        {
            IReadOnlyList<JsonObject> all = State(type).Records.Values.Where(r => !r.Archived).OrderBy(r => r.Id)
                .Select(r => Flatten(r.Snapshot())).ToList();
            return Task.FromResult(all);
        }
    }

    /// <summary>The live record whose <paramref name="property"/> equals <paramref name="value"/> (emails case-insensitively),
    /// flattened as in <see cref="AllAsync"/>; null when none does.</summary>
    public Task<JsonObject?> FindByPropertyAsync(string type, string property, string value)
    {
        lock (_lock)
        {
            var state = State(type);
            var normalized = HubSpotTypeState.Normalize(property, value);
            var found = state.Records.Values.Where(r => !r.Archived).OrderBy(r => r.Id).FirstOrDefault(r =>
                r.Properties.TryGetValue(property, out var held) && HubSpotTypeState.Normalize(property, held) == normalized);
            return Task.FromResult(found is null ? null : Flatten(found.Snapshot()));
        }
    }

    /// <summary>Deletes every record, custom property, custom pipeline, association, marketing event and list, and forgets
    /// the rate-limit counts; ids start again from 1000001.</summary>
    public Task ResetAsync()
    {
        lock (_lock)
        {
            _store.Reset();
            _limiter.Reset();
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Changes a record as a HubSpot user editing it would: <paramref name="change"/> edits the record's property values
    /// (a JSON object of strings; remove a key or set it empty to clear it), and if anything changed the last-modified date
    /// moves to now and search sees the change after the index lag.
    /// </summary>
    /// <exception cref="KeyNotFoundException">No live record has that id.</exception>
    /// <exception cref="InvalidOperationException">The change would give a unique value another record holds, or edits a read-only property.</exception>
    public Task TouchAsync(string type, string id, Action<JsonObject> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_lock)
        {
            var state = State(type);
            if (!long.TryParse(id, out var key) || !state.Records.TryGetValue(key, out var record) || record.Archived)
            {
                throw new KeyNotFoundException($"No live {state.Type.Name} record has id {id}.");
            }

            var edited = new JsonObject();
            foreach (var (name, value) in record.Properties)
            {
                edited[name] = value;
            }

            change(edited);
            var now = Now();
            var next = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var (name, node) in edited)
            {
                if (HubSpotValues.TextOf(node) is { Length: > 0 } value)
                {
                    next[name] = value;
                }
            }

            foreach (var name in next.Keys.Union(record.Properties.Keys).ToList())
            {
                next.TryGetValue(name, out var after);
                record.Properties.TryGetValue(name, out var before);
                if (after != before && state.Properties.TryGetValue(name, out var definition) && definition.ReadOnly)
                {
                    throw new InvalidOperationException($"{name} is read-only; HubSpot maintains it.");
                }
            }

            if (next.Count == record.Properties.Count && next.All(p => record.Properties.TryGetValue(p.Key, out var v) && v == p.Value))
            {
                return Task.CompletedTask;
            }

            foreach (var property in state.UniqueProperties())
            {
                if (next.TryGetValue(property, out var value) && state.FindUnique(property, value) is { } holder && holder.Id != record.Id)
                {
                    throw new InvalidOperationException($"{property} \"{value}\" is already held by record {holder.Id}.");
                }
            }

            HubSpotRecordRules.Derive(state.Type, next);
            if (HubSpotRecordRules.Check(state.Type, next, _store.Pipelines) is { Count: > 0 } broken)
            {
                throw new InvalidOperationException($"The change is not valid: {broken.ToJsonString()}");
            }

            state.RemoveFromIndex(record);
            next[state.Type.ModifiedProperty] = HubSpotValues.FormatInstant(now);
            record.Properties = next;
            record.UpdatedAt = now;
            state.AddToIndex(record);
            _store.Save(state, [record]);
            record.Reindex(now + _options.SearchIndexLag, now);
        }

        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            lock (_lock)
            {
                _store.Dispose();
            }
        }

        return ValueTask.CompletedTask;
    }

    private DateTimeOffset Now() => HubSpotValues.TruncateToMilliseconds(_time.GetUtcNow());

    private HubSpotTypeState State(string type) =>
        _store.For(HubSpotObjectTypes.Resolve(type) ?? throw new ArgumentException($"Unknown HubSpot object type \"{type}\".", nameof(type)));

    private static JsonObject Flatten(HubSpotRecordSnapshot record)
    {
        var flat = new JsonObject { ["id"] = record.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        foreach (var (name, value) in record.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            flat[name] = value;
        }

        return flat;
    }
}
