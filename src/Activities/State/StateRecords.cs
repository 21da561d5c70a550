namespace IvvyWorkflows.Activities.State;

/// <summary>Where a run stands: the pinned definition it runs, who owns it, and its committed counters.</summary>
public sealed record RunRecord
{
    public required string RunId { get; init; }
    public required string Module { get; init; }
    public required int Version { get; init; }
    public required string ContentHash { get; init; }
    /// <summary>The definition and templates the run pinned at start (JSON of <see cref="PinnedDefinition"/>).</summary>
    public required string PinnedDefinition { get; init; }
    public bool DryRun { get; init; }
    /// <summary>A replay run re-syncs the module's quarantined records instead of reading a new window.</summary>
    public bool Replay { get; init; }
    public RunStatus Status { get; init; } = RunStatus.Running;
    /// <summary>The orchestration instance allowed to commit pages (a fencing token: a superseded instance's commit is refused).</summary>
    public string? Owner { get; init; }
    public int Attempt { get; init; }
    public DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public string? Error { get; init; }
    /// <summary>For a failed run: the stage it stopped in and the class of the error, as classified where it failed.</summary>
    public RunFailureClass? Failure { get; init; }
    public RunCounters Counters { get; init; } = new();
    /// <summary>Remote calls by "connector:endpoint", committed with each page.</summary>
    public IReadOnlyDictionary<string, long> ApiCalls { get; init; } = new Dictionary<string, long>();
}

/// <summary>Where a run failed and what kind of error stopped it, kept with the run beside its message.</summary>
/// <param name="Stage">The pipeline stage: "fetch" (reading the source), "map" (the template), "upsert" (writing the
/// target), or "run" (outside a stage: the orchestration, retries used up).</param>
/// <param name="ErrorClass">The error's class: the connectors' failure kind ("Config", "System", ...), "Template", or
/// the exception type when nothing classified it.</param>
public sealed record RunFailureClass(string? Stage, string? ErrorClass);

public enum RunStatus
{
    Running,
    Completed,
    /// <summary>The run read its whole window, but set records aside (quarantined) in it: some data did not land.</summary>
    CompletedWithErrors,
    Failed,
    Terminated,
}

/// <summary>What a finished run's status means for whoever started it.</summary>
public static class RunStatuses
{
    /// <summary>True for a run that read its whole window (with or without quarantined records): there is nothing to resume.</summary>
    public static bool IsComplete(this RunStatus status) => status is RunStatus.Completed or RunStatus.CompletedWithErrors;
}

/// <summary>Counts committed by a run (or one page of it).</summary>
public sealed record RunCounters(long Read = 0, long Created = 0, long Updated = 0, long Unchanged = 0, long Quarantined = 0, long Pages = 0)
{
    public static RunCounters operator +(RunCounters a, RunCounters b) =>
        new(a.Read + b.Read, a.Created + b.Created, a.Updated + b.Updated, a.Unchanged + b.Unchanged, a.Quarantined + b.Quarantined, a.Pages + b.Pages);
}

/// <summary>A pair: a source record and the target record written from it, with the hashes last seen and written.</summary>
/// <param name="SourceHash">Hash of the source record's content (without its modified time) when last synced.</param>
/// <param name="TargetHash">Hash of the properties last written to the target.</param>
public sealed record Link(string SourceId, string TargetId, string SourceHash, string TargetHash, DateTimeOffset SyncedAt);

/// <summary>A two-way pair: an iVvy record and a CRM record kept in step, with each side's content as last synced
/// (what we read from it or wrote to it), for echo suppression and conflict detection.</summary>
public sealed record Pair(string IvvyId, string CrmId, System.Text.Json.Nodes.JsonObject IvvyState, System.Text.Json.Nodes.JsonObject CrmState, DateTimeOffset SyncedAt);

/// <summary>A record changed on both sides since the last sync, both values, and which side the policy chose.</summary>
public sealed record ConflictEntry(string Module, string IvvyId, string CrmId, string IvvyValue, string CrmValue, string Winner, string Policy, string RunId, DateTimeOffset At);

/// <summary>Something that happened to a pair other than a sync: a record found deleted on one side, or merged into
/// another there, and what the module did about it (its <c>pairing.onDelete</c> policy, or following a merge).</summary>
/// <param name="Side">Where it happened: "ivvy" or "crm".</param>
/// <param name="Event">"deleted" or "merged".</param>
/// <param name="Action">"unlink" (the pair went; a record whose key still names the gone id is synced no longer),
/// "recreate" (written again as new), "propagate" (deleted on the other side too), or "moved" (the pair follows the
/// record the other was merged into).</param>
/// <param name="Detail">What an operator needs to know, in words (e.g. the id a record was merged into).</param>
public sealed record PairEvent(string Module, string IvvyId, string CrmId, string Side, string Event, string Action, string Detail, string RunId, DateTimeOffset At);

/// <summary>A member of a group as both sides last agreed: the iVvy group and its CRM list, and the member's id on each
/// side. The base a membership stream diffs each side against: in the base but gone from a side is a removal there, on
/// a side but not in the base is an addition there. Kept per list, so a group given a new list starts from nothing
/// (its members are added to the new list) instead of reading the empty list as everyone having left.</summary>
public sealed record Membership(string Group, string List, string IvvyId, string CrmId);

/// <summary>A record set aside with the reason, for an operator to fix and replay; the rest of its page landed.</summary>
public sealed record QuarantineEntry(string Module, string Stream, string SourceId, string Stage, string Reason, string Payload,
    int Attempts, string RunId, DateTimeOffset LastSeen);

/// <summary>Which page of a long list to show: 1-based <paramref name="Number"/>, <paramref name="Size"/> entries a page.</summary>
/// <param name="After">For the lists read by key (runs, quarantine; see <see cref="KeysetPage{T}"/>): the token of the
/// page before (its <c>Next</c>); null for the first page. Such lists ignore <paramref name="Number"/>.</param>
public sealed record PageRequest(int Number = 1, int Size = PageRequest.DefaultSize, string? After = null)
{
    public const int DefaultSize = 100;
    public const int MaxSize = 10_000;

    public long Offset => (long)(Number - 1) * Size;

    /// <summary>A page request as a user typed it, refused with the option's name when out of range.</summary>
    /// <exception cref="Workflows.BadInputException">The page or size is out of range.</exception>
    public static PageRequest Of(int number, int size) =>
        number < 1 ? throw new Workflows.BadInputException($"--page must be 1 or more (got {number}).")
        : size is < 1 or > MaxSize ? throw new Workflows.BadInputException($"--page-size must be between 1 and {MaxSize:N0} (got {size}).")
        : new PageRequest(number, size);
}

/// <summary>One page of a longer list, with the list's full length, so whoever shows it can say what was left out.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Total, PageRequest Request)
{
    /// <summary>"showing 101–200 of 2,345 (page 2 of 24)", or "none" for an empty list.</summary>
    public string Describe() =>
        Total == 0 ? "none"
        : Items.Count == 0 ? $"showing none of {Total:N0}: page {Request.Number} is past the last page ({LastPage:N0})"
        : $"showing {Request.Offset + 1:N0}–{Request.Offset + Items.Count:N0} of {Total:N0} (page {Request.Number:N0} of {LastPage:N0})";

    public long LastPage => Math.Max(1, (Total + Request.Size - 1) / Request.Size);

    /// <summary>True when entries follow this page.</summary>
    public bool HasMore => Request.Offset + Items.Count < Total;
}

/// <summary>What a dry run would do with one record, and why.</summary>
public sealed record PlannedAction(string Stream, string SourceId, string Action, string Reason);

/// <summary>Everything one page changes, committed in one transaction.</summary>
public sealed record PageCommit
{
    public required string RunId { get; init; }
    public required string Owner { get; init; }
    public required string Module { get; init; }
    public required string Stream { get; init; }
    /// <summary>"live" for real runs; a dry run keeps its own cursor under its run id.</summary>
    public required string CursorScope { get; init; }
    public required string CursorJson { get; init; }
    public IReadOnlyList<Link> Links { get; init; } = [];
    /// <summary>Source ids the template now filters out: synced no longer, so their links go.</summary>
    public IReadOnlyList<string> Unlinked { get; init; } = [];
    public IReadOnlyList<QuarantineEntry> Quarantined { get; init; } = [];
    /// <summary>Source ids that synced this time, so their earlier quarantine entries are resolved.</summary>
    public IReadOnlyList<string> Synced { get; init; } = [];
    public IReadOnlyList<PlannedAction> Planned { get; init; } = [];
    /// <summary>Two-way modules: pairs made or moved by this page.</summary>
    public IReadOnlyList<Pair> Pairs { get; init; } = [];
    /// <summary>Membership streams: members that joined (<c>true</c>) or left (<c>false</c>) the agreed membership.</summary>
    public IReadOnlyList<(Membership Member, bool Present)> Memberships { get; init; } = [];
    /// <summary>Two-way modules: keys to write back to source records once the page is committed (record id, key), kept
    /// until written, so a crash between the commit and the write-back does not lose them.</summary>
    public IReadOnlyList<(string RecordId, string Key)> KeyWriteBacks { get; init; } = [];
    /// <summary>Two-way modules: conflicts settled in this page (journaled once per pair and versions).</summary>
    public IReadOnlyList<ConflictEntry> Conflicts { get; init; } = [];
    /// <summary>Two-way modules: pairs that end with this page (a side deleted or merged away; see <see cref="PairEvents"/>).
    /// Removed before <see cref="Pairs"/> are written, and only while they still pair the same two ids.</summary>
    public IReadOnlyList<Pair> Unpaired { get; init; } = [];
    /// <summary>Two-way modules: deletions and merges found in this page, and what was done about them.</summary>
    public IReadOnlyList<PairEvent> PairEvents { get; init; } = [];
    public RunCounters Counters { get; init; } = new();
    public IReadOnlyDictionary<string, long> ApiCalls { get; init; } = new Dictionary<string, long>();
}
