using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>
/// Writes marketing-event participations: each record names its event (<c>externalEventId</c>), its contact
/// (<c>vid</c>), HubSpot's <c>state</c> (register, attend or cancel) and <c>interactionDateTime</c>; records go out in
/// one attendance call per event and state.
/// </summary>
/// <remarks>HubSpot keeps a contact's latest interaction per event, so sending the same interaction again (a redone
/// page) changes nothing. The target id of a participation is "{externalEventId}:{vid}".</remarks>
public sealed class HubSpotAttendanceWriter(HubSpotClient client) : ITargetWriter
{
    public int MaxBatchSize => client.Options.BatchSize;

    /// <inheritdoc />
    /// <remarks>Participations have no schema to prepare.</remarks>
    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task<IReadOnlyList<UpsertResult>> UpsertAsync(IReadOnlyList<TargetRecord> batch, CancellationToken cancellationToken)
    {
        var results = new Dictionary<string, UpsertResult>(StringComparer.Ordinal);
        foreach (var incomplete in batch.Where(r => Missing(r) is not null))
        {
            results[incomplete.SourceId] = new UpsertResult(incomplete.SourceId, UpsertOutcome.Rejected, null,
                $"the mapped participation has no {Missing(incomplete)}");
        }

        foreach (var group in batch.Where(r => Missing(r) is null).GroupBy(r => (Event: Text(r, "externalEventId"), State: Text(r, "state"))))
        {
            var records = group.ToList();
            foreach (var chunk in records.Chunk(MaxBatchSize))
            {
                try
                {
                    var inputs = chunk.Select(r => new JsonObject { ["vid"] = Text(r, "vid"), ["interactionDateTime"] = r.Properties["interactionDateTime"]?.DeepClone() }).ToList();
                    var recorded = await client.RecordAttendanceAsync(group.Key.Event, group.Key.State, inputs, cancellationToken);
                    foreach (var record in chunk)
                    {
                        var vid = Text(record, "vid");
                        results[record.SourceId] = recorded.Contains(vid)
                            ? new UpsertResult(record.SourceId, record.TargetId is null ? UpsertOutcome.Created : UpsertOutcome.Updated, $"{group.Key.Event}:{vid}")
                            : new UpsertResult(record.SourceId, UpsertOutcome.Rejected, null, $"HubSpot did not record contact {vid} as {group.Key.State} for event {group.Key.Event}");
                    }
                }
                catch (ConnectorException e) when (e.Kind == FailureKind.Data)
                {
                    foreach (var record in chunk)
                    {
                        results[record.SourceId] = new UpsertResult(record.SourceId, UpsertOutcome.Rejected, null, e.Message);
                    }
                }
            }
        }

        return batch.Select(r => results[r.SourceId]).ToList();
    }

    /// <summary>Participations only flow into HubSpot (one way), so nothing reads them back.</summary>
    public Task<CurrentRecords> ReadCurrentAsync(IReadOnlyCollection<string> targetIds, IReadOnlyCollection<string> fields, CancellationToken cancellationToken) =>
        throw new NotSupportedException("Marketing-event participations are written one way; a two-way module cannot target them.");

    private static readonly string[] Required = ["externalEventId", "vid", "state"];

    private static string? Missing(TargetRecord record) => Required.FirstOrDefault(p => Text(record, p).Length == 0);

    private static string Text(TargetRecord record, string property) => record.Properties[property]?.ToString() ?? "";
}
