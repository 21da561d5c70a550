using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Tests.Sync;

/// <summary>An offset-paged source over a list, windowed by modified time like the iVvy reader.</summary>
internal sealed class FakeSource(TimeProvider time) : ISourceReader
{
    public List<SourceRecord> Records { get; } = [];

    public int Reads { get; private set; }

    public int PageSize { get; set; } = 100;

    public void Add(int id, string first, string last, string email) =>
        Records.Add(new SourceRecord(id.ToString(), time.GetUtcNow().AddMinutes(-10), new JsonObject
        {
            ["id"] = id, ["firstName"] = first, ["lastName"] = last, ["email"] = email, ["modifiedDate"] = time.GetUtcNow().AddMinutes(-10).ToString("u"),
        }));

    public void Touch(string id, Action<JsonObject> change)
    {
        var i = Records.FindIndex(r => r.Id == id);
        var data = (JsonObject)Records[i].Data.DeepClone();
        change(data);
        Records[i] = new SourceRecord(id, time.GetUtcNow(), data);
    }

    public Task<ReadCursor> OpenWindowAsync(ReadCursor? previous, CancellationToken cancellationToken) =>
        Task.FromResult(new ReadCursor(previous?.To, time.GetUtcNow()));

    public Task<SourcePage> ReadPageAsync(ReadCursor cursor, CancellationToken cancellationToken)
    {
        Reads++;
        var window = Records.Where(r => (cursor.From is null || r.ModifiedAt > cursor.From) && r.ModifiedAt <= cursor.To).ToList();
        var page = window.Skip(cursor.Offset).Take(PageSize).ToList();
        var next = cursor with { Offset = cursor.Offset + page.Count, Total = window.Count, Complete = cursor.Offset + page.Count >= window.Count };
        return Task.FromResult(new SourcePage(page, next));
    }
}

/// <summary>A target keyed by source id: upserts are idempotent, some ids can be refused, and a crash can be armed.</summary>
internal sealed class FakeTarget : ITargetWriter
{
    public Dictionary<string, JsonObject> Records { get; } = [];

    public HashSet<string> Reject { get; } = [];

    public int Calls { get; private set; }

    public int Writes { get; private set; }

    /// <summary>Throws after writing the batch of this call number (1-based), as if the process died before its commit.</summary>
    public int? CrashAfterCall { get; set; }

    public int MaxBatchSize => 100;

    public Task EnsureSchemaAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<UpsertResult>> UpsertAsync(IReadOnlyList<TargetRecord> batch, CancellationToken cancellationToken)
    {
        Calls++;
        var results = batch.Select(r =>
        {
            if (Reject.Contains(r.SourceId))
            {
                return new UpsertResult(r.SourceId, UpsertOutcome.Rejected, null, "INVALID_EMAIL: not an email");
            }

            Writes++;
            var created = Records.TryAdd(r.SourceId, r.Properties);
            Records[r.SourceId] = r.Properties;
            return new UpsertResult(r.SourceId, created ? UpsertOutcome.Created : UpsertOutcome.Updated, "hs-" + r.SourceId);
        }).ToList();
        if (Calls == CrashAfterCall)
        {
            throw new IOException("process killed");
        }

        return Task.FromResult<IReadOnlyList<UpsertResult>>(results);
    }

    /// <summary>The stored records of the target ids asked ("hs-" + source id, as <see cref="UpsertAsync"/> answers).</summary>
    public Task<CurrentRecords> ReadCurrentAsync(IReadOnlyCollection<string> targetIds, IReadOnlyCollection<string> fields, CancellationToken cancellationToken)
    {
        var current = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (var targetId in targetIds)
        {
            if (targetId.StartsWith("hs-", StringComparison.Ordinal) && Records.TryGetValue(targetId[3..], out var record))
            {
                current[targetId] = record;
            }
        }

        return Task.FromResult(new CurrentRecords(current));
    }
}

internal sealed class FakeConnectors(FakeSource source, FakeTarget target) : IConnectorFactory
{
    public ISourceReader CreateReader(SourceDefinition definition, ApiCallMeter meter, IReadOnlyDictionary<string, string>? groupLists = null) => source;

    public ITargetWriter CreateWriter(TargetDefinition definition, ApiCallMeter meter) => target;

    public IMembershipWriter CreateMembershipWriter(TargetDefinition definition, ApiCallMeter meter) =>
        throw new NotSupportedException("The fake connectors write records, not memberships.");
}
