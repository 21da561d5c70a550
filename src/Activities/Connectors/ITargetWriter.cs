using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.Connectors;

/// <summary>A mapped record to write: the source id it came from and the target properties.</summary>
/// <param name="SourceId">The source record's id; the target stores it in its external-key property.</param>
/// <param name="Properties">Target properties produced by the mapping template.</param>
/// <param name="TargetId">The target's id when the pair is already known (a stored link), else null.</param>
/// <param name="Associations">Records of other objects this one is to be associated with, once written.</param>
/// <param name="LinkedId">One-way streams: the target id the record was last written to, for targets with no external
/// key of their own (a HubSpot list is found by it first, so a renamed group renames its list).</param>
public sealed record TargetRecord(string SourceId, JsonObject Properties, string? TargetId = null, IReadOnlyList<TargetAssociation>? Associations = null,
    string? LinkedId = null);

/// <summary>An association from a written record to another target record, e.g. a deal to its contact.</summary>
public sealed record TargetAssociation(string ToObject, string ToId);

public enum UpsertOutcome
{
    Created,
    Updated,
    /// <summary>The target refused this record (validation, conflict); <see cref="UpsertResult.Error"/> says why.</summary>
    Rejected,
}

/// <summary>The target's answer for one record of a batch.</summary>
public sealed record UpsertResult(string SourceId, UpsertOutcome Outcome, string? TargetId, string? Error = null);

/// <summary>Writes batches idempotently by an external key, so a redone batch creates nothing twice.</summary>
public interface ITargetWriter
{
    /// <summary>Largest batch the target accepts in one call.</summary>
    int MaxBatchSize { get; }

    /// <summary>Creates or verifies what the writes rely on (for HubSpot: the unique external-key property).</summary>
    Task EnsureSchemaAsync(CancellationToken cancellationToken);

    /// <summary>Upserts a batch and returns one result per input, in input order. A record the target refuses comes back
    /// <see cref="UpsertOutcome.Rejected"/> and the rest still land; only run-level failures throw <see cref="ConnectorException"/>.</summary>
    Task<IReadOnlyList<UpsertResult>> UpsertAsync(IReadOnlyList<TargetRecord> batch, CancellationToken cancellationToken);

    /// <summary>Reads the target's current content of the records with these target ids, keyed by target id.</summary>
    /// <param name="targetIds">The target ids to read.</param>
    /// <param name="fields">The fields to read back: what the caller's template writes. Targets that answer with whole
    /// records (iVvy) need not narrow to them; targets that answer only the fields asked for (HubSpot) ask for these.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <remarks>
    /// <para>Used before a write to detect conflicts (both sides changed since the last sync), deletions and merges. Ids that
    /// no longer exist are absent from the answer; an id the target merged into another record answers with that record,
    /// whose id <see cref="CurrentRecords.MovedTo"/> gives; duplicates in <paramref name="targetIds"/> are read once. Reads
    /// are batched (a page of ids in a few calls), never one call per record where the target has a batch read.</para>
    /// <para>Each value has the shape the writer writes: for HubSpot the flattened properties object (<c>{name: value}</c>;
    /// a property without a value may be absent), for iVvy the record as its read action (getContact, getCompany) returns
    /// it. Targets may add fields they always send (e.g. HubSpot's <c>lastmodifieddate</c>, iVvy's <c>modifiedDate</c>),
    /// so callers compare the fields they map rather than whole objects.</para>
    /// </remarks>
    /// <exception cref="ConnectorException">A run-level failure (configuration, system, exhausted retries).</exception>
    Task<CurrentRecords> ReadCurrentAsync(IReadOnlyCollection<string> targetIds, IReadOnlyCollection<string> fields, CancellationToken cancellationToken);
}

/// <summary>A target that can delete its records (what <c>pairing.onDelete: propagate</c> needs of the other side).</summary>
public interface IRecordDeleter
{
    /// <summary>Deletes the records with these target ids; an id already gone is no error, so deleting twice is harmless.</summary>
    /// <exception cref="ConnectorException">A run-level failure (configuration, system, exhausted retries).</exception>
    Task DeleteAsync(IReadOnlyCollection<string> targetIds, CancellationToken cancellationToken);
}

/// <summary>Adds members to, or removes them from, a group of a target (a HubSpot list, an iVvy subscription group).</summary>
public interface IMembershipWriter
{
    /// <summary>Adds (<paramref name="add"/>) or removes the members of <paramref name="group"/> and returns those the
    /// target refused, with why. Adding a member already in, or removing one already out, is no refusal.</summary>
    /// <exception cref="ConnectorException">A run-level failure (configuration, system, exhausted retries).</exception>
    Task<IReadOnlyDictionary<string, string>> ChangeAsync(string group, IReadOnlyList<string> members, bool add, CancellationToken cancellationToken);
}

/// <summary>An existing record a write without a target id would update, and what it holds now.</summary>
/// <param name="TargetId">The record's target id.</param>
/// <param name="Current">Its content, shaped as <see cref="ITargetWriter.ReadCurrentAsync"/> answers it.</param>
public sealed record IdentityMatch(string TargetId, JsonObject Current);

/// <summary>A target that pairs a record written without a target id with one it already holds of the same identity
/// (iVvy's <c>updateIfExists</c>, a HubSpot contact claimed by its email).</summary>
public interface IIdentityMatcher
{
    /// <summary>Finds, for each record, the existing record its write without a target id would update.</summary>
    /// <param name="records">Records about to be written for the first time (no target id).</param>
    /// <param name="fields">The fields to read of each match, as for <see cref="ITargetWriter.ReadCurrentAsync"/>.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The matches by <see cref="TargetRecord.SourceId"/>; a record that would be added as new is absent.</returns>
    /// <remarks>Lets a first-sight write merge field by field with the record it pairs with (an empty value never
    /// overwrites a present one; differing present values follow the conflict policy) instead of overwriting it.</remarks>
    /// <exception cref="ConnectorException">A run-level failure (configuration, system, exhausted retries).</exception>
    Task<IReadOnlyDictionary<string, IdentityMatch>> MatchAsync(IReadOnlyList<TargetRecord> records, IReadOnlyCollection<string> fields,
        CancellationToken cancellationToken);
}
