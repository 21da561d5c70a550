using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.Connectors;

/// <summary>A record read from a source system: its id, when it last changed, and its raw JSON.</summary>
/// <param name="MergedIds">Ids of records the source merged into this one (a CRM merge), when it says so; their pairs follow it.</param>
public sealed record SourceRecord(string Id, DateTimeOffset? ModifiedAt, JsonObject Data, IReadOnlyList<string>? MergedIds = null);

/// <summary>
/// Where a stream's read stands: a modified-date window [<see cref="From"/>, <see cref="To"/>] fixed when the window
/// opens, and the position inside it. Stored as JSON in the state store and moved only after a page commits.
/// </summary>
/// <param name="From">Lower bound of the window; null reads from the beginning of time.</param>
/// <param name="To">Upper bound, fixed from the source's own clock when the window opened.</param>
/// <param name="Offset">Offset-paged sources: index of the next record to read in the window.</param>
/// <param name="Total">Offset-paged sources: the window's size at the last read (a drop means records left it).</param>
/// <param name="After">Token-paged sources: the opaque "after" token of the next page.</param>
/// <param name="AnchorModified">Token-paged sources: modified time of the last record read (re-anchors past search caps).</param>
/// <param name="AnchorId">Token-paged sources: id of the last record read (tie-breaker at <see cref="AnchorModified"/>).</param>
/// <param name="Complete">True when the whole window has been read and committed.</param>
public sealed record ReadCursor(
    DateTimeOffset? From,
    DateTimeOffset To,
    int Offset = 0,
    int? Total = null,
    string? After = null,
    DateTimeOffset? AnchorModified = null,
    string? AnchorId = null,
    bool Complete = false);

/// <summary>One page read from a source, and the cursor to commit once the page is committed.</summary>
/// <param name="Slice">Sources of group members: which members of which list the page holds all of (its removals are
/// the agreed members in that slice the page does not hold).</param>
public sealed record SourcePage(IReadOnlyList<SourceRecord> Records, ReadCursor Next, MembershipSlice? Slice = null);

/// <summary>Every member of <paramref name="List"/> (iVvy group <paramref name="Group"/>) whose id is in
/// (<paramref name="AfterId"/>, <paramref name="ThroughId"/>]; a null bound is open. <paramref name="Gone"/>: the list no
/// longer exists, so the page says nothing about its members.</summary>
public sealed record MembershipSlice(string Group, string List, long? AfterId, long? ThroughId, bool Gone = false);

/// <summary>Reads records modified in a window, page by page, so that no record can be lost by paging.</summary>
public interface ISourceReader
{
    /// <summary>Opens the window after <paramref name="previous"/> (a completed window), or the first window when null.
    /// Its upper bound comes from the source's clock, so a record written during the run falls in the next window.</summary>
    Task<ReadCursor> OpenWindowAsync(ReadCursor? previous, CancellationToken cancellationToken);

    /// <summary>Reads the page at <paramref name="cursor"/>. Reading the same cursor twice returns the same records
    /// (or, where the source changed meanwhile, a superset of the unread ones): redoing a page never skips one.</summary>
    Task<SourcePage> ReadPageAsync(ReadCursor cursor, CancellationToken cancellationToken);
}

/// <summary>A source of group members that can tell a member who left a group from one that no longer exists at all
/// (a deleted or merged CRM contact drops out of its lists without having left them).</summary>
public interface IMemberSource
{
    /// <summary>Those of <paramref name="memberIds"/> that still exist.</summary>
    Task<IReadOnlySet<string>> ExistingAsync(IReadOnlyCollection<string> memberIds, CancellationToken cancellationToken);
}
