using System.Net;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>
/// Writes records to one HubSpot object type by batch upsert on an external-key property that holds the source id
/// (e.g. <c>ivvy_contact_id</c>), so redoing a batch updates what the first attempt created instead of duplicating it.
/// </summary>
/// <remarks>
/// <para>Each input carries <c>idProperty</c> = the key property, <c>id</c> = the source id, the key in its properties too, and
/// <c>objectWriteTraceId</c> = the source id: HubSpot then answers a partly bad batch with 207, the good records land and each
/// bad one comes back <see cref="UpsertOutcome.Rejected"/> with HubSpot's category and message.</para>
/// <para>Should HubSpot still fail a whole batch with a data error (400/409), the batch is split in halves and each half retried,
/// down to single records, so the good records land and only the bad ones are rejected. This costs at most 2n−1 calls for n
/// records (fewer the fewer bad records there are).</para>
/// <para>Records with the same source id in one batch are written once, with the last one's properties; every one of them gets
/// that write's result. <see cref="TargetRecord.TargetId"/> is not needed: the key finds the record.</para>
/// <para><see cref="ReadCurrentAsync"/> reads records by HubSpot id with <c>batch/read</c> (one call per 100 ids), asking for
/// the fields the caller names (the key property added), or <see cref="ReadProperties"/> when it names none.</para>
/// </remarks>
public sealed partial class HubSpotUpsertWriter : ITargetWriter, IRecordDeleter, IIdentityMatcher
{
    private readonly HubSpotClient _client;
    private readonly string _objectType;
    private readonly string _idProperty;
    private readonly string _idPropertyLabel;
    private readonly IReadOnlyList<string> _readProperties;
    private readonly Lock _schemaLock = new();
    private Task? _schema;

    /// <summary>Creates a writer for <paramref name="objectType"/> keyed by <paramref name="idProperty"/>.</summary>
    /// <param name="client">The HubSpot client.</param>
    /// <param name="objectType">Object type path name: "contacts", "companies", "deals" or a custom object's type.</param>
    /// <param name="idProperty">The external-key property holding the source id, e.g. "ivvy_contact_id".</param>
    /// <param name="idPropertyLabel">Label given to the property when <see cref="EnsureSchemaAsync"/> creates it.</param>
    /// <param name="readProperties">Properties <see cref="ReadCurrentAsync"/> asks for (the ones this writer writes); null =
    /// <see cref="DefaultReadProperties"/> of the object type. The key property is always added.</param>
    public HubSpotUpsertWriter(HubSpotClient client, string objectType, string idProperty, string idPropertyLabel,
        IReadOnlyCollection<string>? readProperties = null, IReadOnlyList<(string Name, string Label)>? customProperties = null)
    {
        _customProperties = customProperties ?? [];
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        ArgumentException.ThrowIfNullOrWhiteSpace(idProperty);
        ArgumentException.ThrowIfNullOrWhiteSpace(idPropertyLabel);
        _client = client;
        _objectType = objectType;
        _idProperty = idProperty;
        _idPropertyLabel = idPropertyLabel;
        _readProperties = ((IEnumerable<string>)[idProperty, .. readProperties ?? DefaultReadPropertiesOf(objectType), .. _customProperties.Select(p => p.Name)])
            .Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>Properties <see cref="ReadCurrentAsync"/> asks for when the constructor is given none, by object type
    /// (path name or id); types not listed read only the key property.</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> DefaultReadProperties { get; } =
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["contacts"] = ["email", "firstname", "lastname", "phone", "company"],
            ["0-1"] = ["email", "firstname", "lastname", "phone", "company"],
            ["companies"] = ["name", "domain", "phone", "city", "country"],
            ["0-2"] = ["name", "domain", "phone", "city", "country"],
        };

    /// <summary>The properties <see cref="ReadCurrentAsync"/> asks for: the key property first, then the read properties.</summary>
    public IReadOnlyList<string> ReadProperties => _readProperties;

    /// <inheritdoc />
    public int MaxBatchSize => _client.Options.BatchSize;

    /// <summary>The object type written.</summary>
    public string ObjectType => _objectType;

    /// <summary>The external-key property.</summary>
    public string IdProperty => _idProperty;

    /// <inheritdoc />
    /// <remarks>Reads the key property; creates it (string, <c>hasUniqueValue: true</c>) when HubSpot answers 404. Done once per
    /// writer. A property that exists but is not unique is a configuration error: upsert by it would fail every batch.</remarks>
    /// <exception cref="ConnectorException"><see cref="FailureKind.Config"/> when the property exists without unique values.</exception>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken)
    {
        lock (_schemaLock)
        {
            // Concurrent callers share one check; a failed or cancelled one is tried again by the next caller.
            if (_schema is null || _schema.IsFaulted || _schema.IsCanceled)
            {
                _schema = EnsureSchemaOnceAsync(cancellationToken);
            }

            return _schema;
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UpsertResult>> UpsertAsync(IReadOnlyList<TargetRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return [];
        }

        // Keep the last record of each source id, in the order of those last occurrences.
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            last[batch[i].SourceId] = i;
        }

        var toWrite = last.Values.Order().Select(i => batch[i]).ToList();
        var outcomes = new Dictionary<string, UpsertResult>(StringComparer.Ordinal);
        // A record whose HubSpot id is known (a pair) is updated by that id; the others are upserted by the external key.
        foreach (var group in toWrite.GroupBy(r => r.TargetId is not null))
        {
            foreach (var chunk in group.Chunk(MaxBatchSize))
            {
                var budget = new BisectBudget(2 * chunk.Length);
                await WriteAsync(chunk, budget, outcomes, cancellationToken).ConfigureAwait(false);
            }
        }

        await ClaimByIdentityAsync(toWrite, outcomes, cancellationToken).ConfigureAwait(false);
        await AssociateAsync(toWrite, outcomes, cancellationToken).ConfigureAwait(false);
        return batch.Select(r => outcomes[r.SourceId] with { SourceId = r.SourceId }).ToList();
    }

    /// <summary>
    /// A new record HubSpot refuses because another record already holds one of its unique values (a contact's email)
    /// is that record when the other one has no key yet — it was created in HubSpot — so it is claimed: updated by its
    /// id, key included. One whose holder already carries a key is a true duplicate and stays refused.
    /// </summary>
    private async Task ClaimByIdentityAsync(IReadOnlyList<TargetRecord> written, Dictionary<string, UpsertResult> outcomes, CancellationToken ct)
    {
        var claims = written
            .Where(r => r.TargetId is null && outcomes[r.SourceId] is { Outcome: UpsertOutcome.Rejected, Error: { } error } && error.StartsWith("CONFLICT", StringComparison.Ordinal))
            .Select(r => (Record: r, Holder: ExistingId().Match(outcomes[r.SourceId].Error!)))
            .Where(c => c.Holder.Success)
            .Select(c => (c.Record, Holder: c.Holder.Groups[1].Value))
            .ToList();
        if (claims.Count == 0)
        {
            return;
        }

        var holders = await _client.BatchReadAsync(_objectType, claims.Select(c => c.Holder).ToList(), [_idProperty], ct).ConfigureAwait(false);
        var keyless = holders.Where(h => string.IsNullOrEmpty(h.Property(_idProperty))).Select(h => h.Id).ToHashSet(StringComparer.Ordinal);
        var claimed = claims.Where(c => keyless.Contains(c.Holder)).GroupBy(c => c.Holder).Select(g => g.First().Record with { TargetId = g.Key }).ToList();
        foreach (var chunk in claimed.Chunk(MaxBatchSize))
        {
            await WriteAsync(chunk, new BisectBudget(2 * chunk.Length), outcomes, ct).ConfigureAwait(false);
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"Existing ID: (\d+)")]
    private static partial System.Text.RegularExpressions.Regex ExistingId();

    /// <summary>Associates each written record with the records its <see cref="TargetRecord.Associations"/> name, one call
    /// per object type. A record HubSpot cannot associate comes back Rejected with the reason (it is quarantined and
    /// replayed like any refused write; writing it again is harmless).</summary>
    private async Task AssociateAsync(IReadOnlyList<TargetRecord> written, Dictionary<string, UpsertResult> outcomes, CancellationToken ct)
    {
        var links = written
            .Where(r => r.Associations is { Count: > 0 } && outcomes[r.SourceId].Outcome != UpsertOutcome.Rejected)
            .SelectMany(r => r.Associations!.Select(a => (a.ToObject, Source: r.SourceId, From: outcomes[r.SourceId].TargetId!, a.ToId)));
        foreach (var group in links.GroupBy(l => l.ToObject, StringComparer.Ordinal))
        {
            var bySourceTarget = group.ToList();
            var failed = await _client.AssociateDefaultAsync(_objectType, group.Key, bySourceTarget.Select(l => (l.From, l.ToId)).ToList(), ct)
                .ConfigureAwait(false);
            foreach (var (fromId, message) in failed)
            {
                foreach (var link in bySourceTarget.Where(l => l.From == fromId))
                {
                    outcomes[link.Source] = Rejected(link.Source, "ASSOCIATION", $"could not associate with {group.Key} {link.ToId}: {message}");
                }
            }
        }
    }

    /// <inheritdoc />
    /// <remarks>The record the claim in <see cref="UpsertAsync"/> would take: for contacts, the one holding the same email
    /// (read by it with <c>batch/read</c>, <c>idProperty: email</c>) that has no key yet. Other object types have no unique
    /// identity, so nothing matches.</remarks>
    public async Task<IReadOnlyDictionary<string, IdentityMatch>> MatchAsync(IReadOnlyList<TargetRecord> records, IReadOnlyCollection<string> fields,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        ArgumentNullException.ThrowIfNull(fields);
        const string Email = "email";
        var matches = new Dictionary<string, IdentityMatch>(StringComparer.Ordinal);
        var byEmail = records.Where(r => HubSpotClient.TextOf(r.Properties[Email]) is { Length: > 0 })
            .GroupBy(r => HubSpotClient.TextOf(r.Properties[Email])!.Trim().ToLowerInvariant(), StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        if (!IsSystemUnique(_objectType, Email) || byEmail.Count == 0)
        {
            return matches;
        }

        var holders = await _client.BatchReadAsync(_objectType, byEmail.Keys.ToList(), [_idProperty, Email, .. fields], cancellationToken, idProperty: Email)
            .ConfigureAwait(false);
        foreach (var holder in holders.Where(h => string.IsNullOrEmpty(h.Property(_idProperty))))
        {
            foreach (var record in byEmail.GetValueOrDefault(holder.Property(Email)?.Trim().ToLowerInvariant() ?? "") ?? [])
            {
                matches[record.SourceId] = new IdentityMatch(holder.Id, holder.Properties.DeepClone().AsObject());
            }
        }

        return matches;
    }

    /// <inheritdoc />
    /// <remarks>
    /// <para>Ids are HubSpot record ids (<see cref="UpsertResult.TargetId"/>). Each value is the record's properties as
    /// HubSpot sends them: the asked-for properties that hold a value, plus those HubSpot always adds
    /// (<c>hs_object_id</c>, <c>createdate</c>, <c>lastmodifieddate</c> / <c>hs_lastmodifieddate</c>).</para>
    /// <para>A merged record: HubSpot answers its old id with the record it was merged into, under that record's own id
    /// and with the old id in <see cref="MergedObjectIds"/>; it comes back under the id asked for, moved to the new id.
    /// A deleted one HubSpot leaves out (OBJECT_NOT_FOUND): it is absent.</para>
    /// </remarks>
    public async Task<CurrentRecords> ReadCurrentAsync(IReadOnlyCollection<string> targetIds, IReadOnlyCollection<string> fields,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targetIds);
        if (targetIds.Count == 0)
        {
            return CurrentRecords.None;
        }

        IReadOnlyList<string> properties = fields.Count == 0 ? _readProperties
            : [_idProperty, .. fields.Where(f => f != _idProperty).Distinct(StringComparer.Ordinal)];
        var asked = targetIds.ToHashSet(StringComparer.Ordinal);
        var current = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var moved = new Dictionary<string, string>(StringComparer.Ordinal);
        var records = await _client.BatchReadAsync(_objectType, targetIds, [.. properties, MergedObjectIds], cancellationToken).ConfigureAwait(false);
        foreach (var record in records)
        {
            var values = record.Properties.DeepClone().AsObject();
            values.Remove(MergedObjectIds);
            if (asked.Contains(record.Id))
            {
                current[record.Id] = values;
            }

            foreach (var old in (record.Property(MergedObjectIds) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (old != record.Id && asked.Contains(old))
                {
                    current[old] = values;
                    moved[old] = record.Id;
                }
            }
        }

        return new CurrentRecords(current, moved);
    }

    /// <inheritdoc />
    /// <remarks>Archives them (<c>batch/archive</c>): HubSpot keeps an archived record restorable for 90 days.</remarks>
    public Task DeleteAsync(IReadOnlyCollection<string> targetIds, CancellationToken cancellationToken) =>
        targetIds.Count == 0 ? Task.CompletedTask : _client.ArchiveAsync(_objectType, targetIds, cancellationToken);

    /// <summary>HubSpot's read-only property listing the ids merged into a record, separated by semicolons.</summary>
    public const string MergedObjectIds = "hs_merged_object_ids";

    private static IReadOnlyList<string> DefaultReadPropertiesOf(string objectType) =>
        DefaultReadProperties.TryGetValue(objectType, out var properties) ? properties : [];

    private readonly IReadOnlyList<(string Name, string Label)> _customProperties;

    private async Task EnsureSchemaOnceAsync(CancellationToken cancellationToken)
    {
        foreach (var (name, label) in _customProperties)
        {
            if (await _client.GetPropertyAsync(_objectType, name, cancellationToken).ConfigureAwait(false) is null)
            {
                try
                {
                    await _client.CreatePropertyAsync(_objectType, new HubSpotProperty(name, label, "string", "text", GroupFor(_objectType), HasUniqueValue: false),
                        cancellationToken).ConfigureAwait(false);
                }
                catch (ConnectorException e) when (e.Status == HttpStatusCode.Conflict)
                {
                    // Another worker created it between our read and our create.
                }
            }
        }

        var property = await _client.GetPropertyAsync(_objectType, _idProperty, cancellationToken).ConfigureAwait(false);
        if (property is null)
        {
            try
            {
                property = await _client.CreatePropertyAsync(_objectType,
                    new HubSpotProperty(_idProperty, _idPropertyLabel, "string", "text", GroupFor(_objectType), HasUniqueValue: true),
                    cancellationToken).ConfigureAwait(false);
            }
            catch (ConnectorException e) when (e.Status == HttpStatusCode.Conflict)
            {
                // Another worker created it between our read and our create.
                property = await _client.GetPropertyAsync(_objectType, _idProperty, cancellationToken).ConfigureAwait(false);
            }
        }

        if (property is null || !(property.HasUniqueValue || IsSystemUnique(_objectType, _idProperty)))
        {
            throw new ConnectorException(HubSpotClient.ConnectorName, "properties.get", FailureKind.Config,
                $"HubSpot property {_objectType}.{_idProperty} exists but does not have unique values, so records cannot be " +
                "upserted by it. Choose another external-key property name in the module's settings, or recreate this " +
                "property in HubSpot with \"unique values\" on.");
        }
    }

    private async Task WriteAsync(IReadOnlyList<TargetRecord> records, BisectBudget budget, Dictionary<string, UpsertResult> outcomes,
        CancellationToken ct)
    {
        budget.Spend();
        HubSpotBatchResult response;
        try
        {
            var inputs = records.Select(ToInput).ToList();
            response = records[0].TargetId is null
                ? await _client.BatchUpsertAsync(_objectType, inputs, ct).ConfigureAwait(false)
                : await _client.BatchUpdateAsync(_objectType, inputs, ct).ConfigureAwait(false);
        }
        catch (ConnectorException e) when (e.Kind == FailureKind.Data)
        {
            if (records.Count == 1 || budget.Remaining < 2)
            {
                foreach (var record in records)
                {
                    outcomes[record.SourceId] = Rejected(record.SourceId, e.RemoteCode, e.Message);
                }

                return;
            }

            // HubSpot failed the whole batch for some record(s) in it: halve until the bad ones stand alone.
            var half = records.Count / 2;
            await WriteAsync(records.Take(half).ToList(), budget, outcomes, ct).ConfigureAwait(false);
            await WriteAsync(records.Skip(half).ToList(), budget, outcomes, ct).ConfigureAwait(false);
            return;
        }

        Map(records, response, outcomes);
    }

    private void Map(IReadOnlyList<TargetRecord> records, HubSpotBatchResult response, Dictionary<string, UpsertResult> outcomes)
    {
        var byKey = new Dictionary<string, HubSpotObject>(StringComparer.Ordinal);
        var byKeyLoose = new Dictionary<string, HubSpotObject>(StringComparer.OrdinalIgnoreCase);
        foreach (var result in response.Results)
        {
            if (result.Property(_idProperty) is { } key)
            {
                byKey[key] = result;
                byKeyLoose[key.Trim()] = result;
            }
        }

        var errors = new Dictionary<string, HubSpotBatchError>(StringComparer.Ordinal);
        foreach (var error in response.Errors)
        {
            foreach (var traceId in error.ObjectWriteTraceIds)
            {
                errors[traceId] = error;
            }
        }

        foreach (var record in records)
        {
            if (errors.TryGetValue(record.SourceId, out var error))
            {
                outcomes[record.SourceId] = Rejected(record.SourceId, error.Category, error.Message);
            }
            else if (byKey.TryGetValue(record.SourceId, out var written) || byKeyLoose.TryGetValue(record.SourceId.Trim(), out written))
            {
                outcomes[record.SourceId] = new UpsertResult(record.SourceId,
                    written.IsNew == true ? UpsertOutcome.Created : UpsertOutcome.Updated, written.Id);
            }
            else
            {
                // Neither a result nor an error names it: report it rather than assume it landed (a replay is harmless).
                outcomes[record.SourceId] = Rejected(record.SourceId, "UNKNOWN",
                    $"HubSpot's {response.Status} answer to the batch upsert has no result or error for {_idProperty} = {record.SourceId}.");
            }
        }
    }

    private HubSpotUpsertInput ToInput(TargetRecord record)
    {
        var properties = record.Properties.DeepClone().AsObject();
        properties[_idProperty] = record.SourceId;
        return new HubSpotUpsertInput(record.TargetId ?? record.SourceId, _idProperty, properties, record.SourceId);
    }

    private static UpsertResult Rejected(string sourceId, string? category, string message) =>
        new(sourceId, UpsertOutcome.Rejected, null, $"{category ?? "ERROR"}: {message}");

    private static bool IsSystemUnique(string objectType, string property) =>
        property == "email" && objectType is "contacts" or "0-1";

    private static string GroupFor(string objectType) => objectType switch
    {
        "contacts" or "0-1" => "contactinformation",
        "companies" or "0-2" => "companyinformation",
        "deals" or "0-3" => "dealinformation",
        "tickets" or "0-5" => "ticketinformation",
        _ => objectType.TrimEnd('s') + "information",
    };

    /// <summary>Calls left for one chunk, bisection included.</summary>
    private sealed class BisectBudget(int calls)
    {
        public int Remaining { get; private set; } = calls;

        public void Spend() => Remaining--;
    }
}
