using System.Globalization;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>
/// Writes CRM records to one iVvy record type (contacts or companies) with its addOrUpdate… action, holding the CRM id in
/// iVvy's native <c>externalId</c>, and reads them back by iVvy id.
/// </summary>
/// <remarks>
/// <para>From <see cref="BatchThreshold"/> records a batch goes through iVvy's <c>batch</c> namespace (200 writes in three
/// calls); smaller ones are written one call per record, at most <see cref="MaxParallelCalls"/> at a time.</para>
/// <para>Outcomes: <see cref="UpsertOutcome.Updated"/> when a target id was given; otherwise
/// <see cref="UpsertOutcome.Created"/> (iVvy's answer does not say whether <c>updateIfExists</c> matched an existing record).
/// A <see cref="FailureKind.Data"/> refusal (validation 23016/23017, unknown id 24096/24153…) comes back
/// <see cref="UpsertOutcome.Rejected"/> with iVvy's message while the rest of the batch lands; any other failure
/// (configuration, system, retries exhausted) propagates and stops the page. A redone batch is harmless: records with a
/// target id are updated again, and those without are matched by identity.</para>
/// <para>Records with the same source id in one batch are written once, with the last one's properties; every one of them
/// gets that write's result (two concurrent identity matches could otherwise add the same record twice).</para>
/// </remarks>
public sealed class IvvyUpsertWriter : ITargetWriter, IIdentityMatcher
{
    /// <summary>Most calls in flight at once, for writes and reads alike.</summary>
    public const int MaxParallelCalls = 4;

    /// <summary>From this many records a write goes through iVvy's batch namespace instead of one call each.</summary>
    public const int BatchThreshold = 5;

    /// <summary>iVvy's specificCodes for "no record has this id" (24096 contact, 24153 company).</summary>
    private static readonly HashSet<string> NotFoundCodes = new(StringComparer.Ordinal) { "24096", "24153" };

    private readonly IvvyClient _client;
    private readonly IvvyWriteSpec _spec;

    /// <summary>Creates a writer of the record type <paramref name="spec"/> describes.</summary>
    /// <param name="client">The iVvy client.</param>
    /// <param name="spec">The actions to call, e.g. <see cref="IvvyWriteSpec.Contacts"/>.</param>
    public IvvyUpsertWriter(IvvyClient client, IvvyWriteSpec spec)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Namespace);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.WriteAction);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.ReadAction);
        _client = client;
        _spec = spec;
    }

    /// <inheritdoc />
    public int MaxBatchSize => 100;

    /// <summary>The actions this writer calls.</summary>
    public IvvyWriteSpec Spec => _spec;

    /// <inheritdoc />
    /// <remarks>Nothing to create: iVvy holds the CRM id in its native <c>externalId</c>.</remarks>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task<IReadOnlyList<UpsertResult>> UpsertAsync(IReadOnlyList<TargetRecord> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Count == 0)
        {
            return [];
        }

        // Keep the last record of each source id.
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Count; i++)
        {
            last[batch[i].SourceId] = i;
        }

        var toWrite = last.Values.Order().Select(i => batch[i]).ToList();
        var written = new UpsertResult[toWrite.Count];
        if (toWrite.Count >= BatchThreshold)
        {
            // Many records: iVvy's batch namespace takes up to 200 writes in three calls (run, progress, results).
            var offset = 0;
            foreach (var chunk in toWrite.Chunk(IvvyClient.MaxBatchJobs))
            {
                var outcomes = await _client.RunBatchAsync(chunk.Select(r => new IvvyBatchJob(_spec.Namespace, _spec.WriteAction, Body(r))).ToList(), cancellationToken)
                    .ConfigureAwait(false);
                for (var i = 0; i < chunk.Length; i++)
                {
                    written[offset + i] = outcomes[i].Error is { } error ? Refused(chunk[i], error) : Outcome(chunk[i], outcomes[i].Response!);
                }

                offset += chunk.Length;
            }
        }
        else
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, toWrite.Count),
                new ParallelOptions { MaxDegreeOfParallelism = MaxParallelCalls, CancellationToken = cancellationToken },
                async (i, token) => written[i] = await WriteOneAsync(toWrite[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        }

        var bySource = written.ToDictionary(r => r.SourceId, StringComparer.Ordinal);
        return batch.Select(r => bySource[r.SourceId]).ToList();
    }

    /// <inheritdoc />
    /// <remarks>iVvy answers whole records, so <paramref name="fields"/> does not narrow the read. From
    /// <see cref="BatchThreshold"/> distinct ids the read action (getContact, getCompany) goes through iVvy's batch namespace
    /// (up to 200 reads in three calls); fewer are read one call each, at most <see cref="MaxParallelCalls"/> at a time.
    /// Ids iVvy does not know (24096, 24153) are absent; any other failure propagates.</remarks>
    public async Task<CurrentRecords> ReadCurrentAsync(IReadOnlyCollection<string> targetIds, IReadOnlyCollection<string> fields,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(targetIds);
        var ids = targetIds.Distinct(StringComparer.Ordinal).ToList();
        var found = new JsonObject?[ids.Count];
        if (ids.Count >= BatchThreshold)
        {
            var offset = 0;
            foreach (var chunk in ids.Chunk(IvvyClient.MaxBatchJobs))
            {
                var outcomes = await _client.RunBatchAsync(chunk.Select(id => new IvvyBatchJob(_spec.Namespace, _spec.ReadAction, new JsonObject { ["id"] = IdNode(id) })).ToList(),
                    cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < chunk.Length; i++)
                {
                    found[offset + i] = outcomes[i].Error is { } error ? NotFound(error) : Record(chunk[i], outcomes[i].Response);
                }

                offset += chunk.Length;
            }
        }
        else
        {
            await Parallel.ForEachAsync(Enumerable.Range(0, ids.Count),
                new ParallelOptions { MaxDegreeOfParallelism = MaxParallelCalls, CancellationToken = cancellationToken },
                async (i, token) => found[i] = await ReadOneAsync(ids[i], token).ConfigureAwait(false)).ConfigureAwait(false);
        }

        var current = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        for (var i = 0; i < ids.Count; i++)
        {
            if (found[i] is { } record)
            {
                current[ids[i]] = record;
            }
        }

        return new CurrentRecords(current);
    }

    /// <inheritdoc />
    /// <remarks>What <c>updateIfExists</c> would match: the list action (getContactList, getCompanyList) filtered on the
    /// identity fields (iVvy's generic field filters, docs/reference ivvy-api.md §3.3), lowest id first as iVvy takes it.
    /// A record missing an identity field matches nothing (iVvy would add it). One call per record, at most
    /// <see cref="MaxParallelCalls"/> at a time.</remarks>
    public async Task<IReadOnlyDictionary<string, IdentityMatch>> MatchAsync(IReadOnlyList<TargetRecord> records, IReadOnlyCollection<string> fields,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var found = new IdentityMatch?[records.Count];
        await Parallel.ForEachAsync(Enumerable.Range(0, records.Count),
            new ParallelOptions { MaxDegreeOfParallelism = MaxParallelCalls, CancellationToken = cancellationToken },
            async (i, token) =>
            {
                var filter = new JsonObject();
                foreach (var field in _spec.IdentityFields)
                {
                    if (records[i].Properties[field] is not JsonValue value || value.ToString() is not { Length: > 0 } text)
                    {
                        return;
                    }

                    filter[field] = text.Trim();
                }

                var page = await _client.GetListAsync(_spec.Namespace, _spec.ListAction, 0, 1, filter, token).ConfigureAwait(false);
                if (page.Results.FirstOrDefault() is { } match && IvvyClient.TryIdOf(match, out var id))
                {
                    found[i] = new IdentityMatch(id, match);
                }
            }).ConfigureAwait(false);
        var matches = new Dictionary<string, IdentityMatch>(StringComparer.Ordinal);
        for (var i = 0; i < records.Count; i++)
        {
            if (found[i] is { } match)
            {
                matches[records[i].SourceId] = match;
            }
        }

        return matches;
    }

    private async Task<UpsertResult> WriteOneAsync(TargetRecord record, CancellationToken ct)
    {
        try
        {
            var result = await _client.AddOrUpdateAsync(_spec.Namespace, _spec.WriteAction, Body(record), ct).ConfigureAwait(false);
            return new UpsertResult(record.SourceId, record.TargetId is null ? UpsertOutcome.Created : UpsertOutcome.Updated, result.Id);
        }
        catch (ConnectorException e) when (e.Kind == FailureKind.Data)
        {
            return Refused(record, e);
        }
    }

    /// <summary>A batch job's answer as <see cref="IvvyClient.AddOrUpdateAsync"/> reads a direct one.</summary>
    private UpsertResult Outcome(TargetRecord record, JsonObject response)
    {
        if (response["success"] is JsonValue success && success.GetValueKind() == System.Text.Json.JsonValueKind.False)
        {
            return new UpsertResult(record.SourceId, UpsertOutcome.Rejected, null, $"iVvy did not save the record: {response["message"]}");
        }

        var id = IvvyClient.TryIdOf(response, out var written) ? written : record.TargetId;
        return id is null
            ? new UpsertResult(record.SourceId, UpsertOutcome.Rejected, null, "iVvy's batch answer has no id for the record")
            : new UpsertResult(record.SourceId, record.TargetId is null ? UpsertOutcome.Created : UpsertOutcome.Updated, id);
    }

    /// <summary>A refused record (Data) is Rejected with iVvy's code; anything else stops the page as a direct call would.</summary>
    private static UpsertResult Refused(TargetRecord record, ConnectorException error) =>
        error.Kind == FailureKind.Data
            ? new UpsertResult(record.SourceId, UpsertOutcome.Rejected, null, $"{error.RemoteCode ?? "ERROR"}: {error.Message}")
            : throw error;

    /// <summary>The write action's body: the mapped fields, the pair's key in externalId, and id (update) or
    /// updateIfExists (first sight: iVvy pairs with the record of the same identity rather than adding a duplicate).</summary>
    private static JsonObject Body(TargetRecord record)
    {
        var body = record.Properties.DeepClone().AsObject();
        body["externalId"] = record.SourceId;
        if (record.TargetId is { } targetId)
        {
            body.Remove("updateIfExists");
            body["id"] = IdNode(targetId);
        }
        else
        {
            body.Remove("id");
            body["updateIfExists"] = true;
        }

        return body;
    }

    private async Task<JsonObject?> ReadOneAsync(string id, CancellationToken ct)
    {
        try
        {
            return Record(id, await _client.CallAsync(_spec.Namespace, _spec.ReadAction, new JsonObject { ["id"] = IdNode(id) }, ct).ConfigureAwait(false));
        }
        catch (ConnectorException e) when (e.RemoteCode is { } code && NotFoundCodes.Contains(code))
        {
            return null;
        }
    }

    private JsonObject Record(string id, JsonNode? response) =>
        response as JsonObject ?? throw new ConnectorException(IvvyClient.ConnectorName, $"{_spec.Namespace}.{_spec.ReadAction}",
            FailureKind.System, $"iVvy {_spec.Namespace}.{_spec.ReadAction} answered id {id} without a record: " +
            RemoteText.Snippet(response?.ToJsonString()));

    /// <summary>A batch read's error: an unknown id reads as absent; anything else fails the read as a direct call would.</summary>
    private static JsonObject? NotFound(ConnectorException error) =>
        error.RemoteCode is { } code && NotFoundCodes.Contains(code) ? null : throw error;

    /// <summary>iVvy ids are integers; one that is not is sent as text, for iVvy to refuse.</summary>
    private static JsonNode IdNode(string id) =>
        long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number) ? JsonValue.Create(number) : JsonValue.Create(id);
}
