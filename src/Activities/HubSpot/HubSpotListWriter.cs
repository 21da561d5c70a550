using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>
/// Writes manual HubSpot contact lists (one per iVvy subscription group), each mapped to <c>{"name": …}</c>. A list has
/// no property to hold a key of ours: it is found by the id it was last written to (so a renamed group renames its list),
/// else by its name (HubSpot's names are unique), else created.
/// </summary>
public sealed class HubSpotListWriter(HubSpotClient client) : ITargetWriter
{
    public int MaxBatchSize => client.Options.BatchSize;

    /// <inheritdoc />
    /// <remarks>Lists have no schema to prepare.</remarks>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyList<UpsertResult>> UpsertAsync(IReadOnlyList<TargetRecord> batch, CancellationToken cancellationToken)
    {
        var results = new List<UpsertResult>(batch.Count);
        foreach (var record in batch)
        {
            if (HubSpotClient.TextOf(record.Properties["name"])?.Trim() is not { Length: > 0 } name)
            {
                results.Add(new UpsertResult(record.SourceId, UpsertOutcome.Rejected, null, "the mapped list has no \"name\""));
                continue;
            }

            try
            {
                results.Add(await WriteAsync(record.SourceId, record.LinkedId, name, cancellationToken));
            }
            catch (ConnectorException e) when (e.Kind == FailureKind.Data)
            {
                results.Add(new UpsertResult(record.SourceId, UpsertOutcome.Rejected, null, e.Message));
            }
        }

        return results;
    }

    public async Task<CurrentRecords> ReadCurrentAsync(IReadOnlyCollection<string> targetIds, IReadOnlyCollection<string> fields, CancellationToken cancellationToken)
    {
        var current = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var id in targetIds.Distinct(StringComparer.Ordinal))
        {
            if (await client.GetListAsync(id, cancellationToken) is { } list)
            {
                current[id] = new JsonObject { ["name"] = list["name"]?.DeepClone() };
            }
        }

        return new CurrentRecords(current);
    }

    private async Task<UpsertResult> WriteAsync(string sourceId, string? linkedId, string name, CancellationToken cancellationToken)
    {
        if (linkedId is not null && await client.GetListAsync(linkedId, cancellationToken) is { } linked)
        {
            if (!string.Equals(HubSpotClient.TextOf(linked["name"]), name, StringComparison.Ordinal))
            {
                await client.RenameListAsync(linkedId, name, cancellationToken);
            }

            return new UpsertResult(sourceId, UpsertOutcome.Updated, linkedId);
        }

        // A list deleted in HubSpot, or one never written: take the list of that name, or make it. A 409 on create means
        // another writer made it meanwhile: take that one.
        var list = await client.FindListAsync(name, cancellationToken);
        var outcome = UpsertOutcome.Updated;
        if (list is null)
        {
            list = await client.CreateListAsync(name, cancellationToken) ?? await client.FindListAsync(name, cancellationToken);
            outcome = UpsertOutcome.Created;
        }

        return HubSpotClient.TextOf(list?["listId"]) is { } listId
            ? new UpsertResult(sourceId, outcome, listId)
            : new UpsertResult(sourceId, UpsertOutcome.Rejected, null, $"HubSpot neither created nor found a list named \"{name}\"");
    }
}
