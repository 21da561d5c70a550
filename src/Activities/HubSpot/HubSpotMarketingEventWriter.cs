using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>
/// Writes HubSpot marketing events keyed by <c>externalEventId</c> (the iVvy event id) under one
/// <c>externalAccountId</c>: an upsert, so a redone page creates nothing twice.
/// </summary>
/// <remarks>
/// HubSpot fails a whole upsert call for one invalid input; the writer then writes the batch one event at a time, so
/// only the bad event is refused. External ids work only from the app that created the event (crm-apis.md §1.7):
/// keep <see cref="HubSpotClientOptions.MarketingEventsAccountId"/> and the credentials' app stable.
/// </remarks>
public sealed class HubSpotMarketingEventWriter(HubSpotClient client) : ITargetWriter
{
    public int MaxBatchSize => client.Options.BatchSize;

    /// <inheritdoc />
    /// <remarks>Marketing events have no schema to prepare.</remarks>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyList<UpsertResult>> UpsertAsync(IReadOnlyList<TargetRecord> batch, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, UpsertResult>(StringComparer.Ordinal);
        foreach (var chunk in batch.Chunk(MaxBatchSize))
        {
            try
            {
                Collect(chunk, await client.UpsertMarketingEventsAsync(chunk.Select(Input).ToList(), cancellationToken), results);
            }
            catch (ConnectorException e) when (e.Kind == FailureKind.Data && chunk.Length > 1)
            {
                foreach (var record in chunk)
                {
                    try
                    {
                        Collect([record], await client.UpsertMarketingEventsAsync([Input(record)], cancellationToken), results);
                    }
                    catch (ConnectorException one) when (one.Kind == FailureKind.Data)
                    {
                        results[record.SourceId] = new UpsertResult(record.SourceId, UpsertOutcome.Rejected, null, one.Message);
                    }
                }
            }
            catch (ConnectorException e) when (e.Kind == FailureKind.Data)
            {
                results[chunk[0].SourceId] = new UpsertResult(chunk[0].SourceId, UpsertOutcome.Rejected, null, e.Message);
            }
        }

        return batch.Select(r => results.GetValueOrDefault(r.SourceId)
            ?? new UpsertResult(r.SourceId, UpsertOutcome.Rejected, null, "HubSpot's answer names no event for this id")).ToList();
    }

    public async Task<CurrentRecords> ReadCurrentAsync(IReadOnlyCollection<string> targetIds, IReadOnlyCollection<string> fields, CancellationToken cancellationToken)
    {
        var current = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var id in targetIds)
        {
            if (await client.GetMarketingEventAsync(id, client.Options.MarketingEventsAccountId, cancellationToken) is { } found)
            {
                current[id] = found;
            }
        }

        return new CurrentRecords(current);
    }

    private JsonObject Input(TargetRecord record)
    {
        var input = record.Properties.DeepClone().AsObject();
        input["externalAccountId"] = client.Options.MarketingEventsAccountId;
        input["externalEventId"] = record.SourceId;
        return input;
    }

    private static void Collect(IReadOnlyList<TargetRecord> records, IReadOnlyList<JsonObject> answered, Dictionary<string, UpsertResult> results)
    {
        var byEvent = answered.ToDictionary(e => e["externalEventId"]?.ToString() ?? "", StringComparer.Ordinal);
        foreach (var record in records)
        {
            if (byEvent.TryGetValue(record.SourceId, out var written))
            {
                var created = written["createdAt"]?.ToString() == written["updatedAt"]?.ToString() && record.TargetId is null;
                results[record.SourceId] = new UpsertResult(record.SourceId, created ? UpsertOutcome.Created : UpsertOutcome.Updated, record.SourceId);
            }
        }
    }
}
