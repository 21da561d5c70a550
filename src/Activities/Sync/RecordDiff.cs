using IvvyWorkflows.Activities.State;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>What a record needs, found by comparing it with its link.</summary>
public enum Change
{
    /// <summary>No link: the target has never had this record from us.</summary>
    New,
    /// <summary>Linked, and its content differs from what we last synced.</summary>
    Changed,
    /// <summary>Linked, and nothing that matters changed (a re-read page, or an edit to an unmapped field).</summary>
    Unchanged,
}

/// <summary>The diff stage: new / changed / unchanged, first on the source content, then on the mapped output.</summary>
/// <remarks>The source hash covers the record without its modified time and includes the template's hash, so a
/// template change re-maps records that are read again. The target hash catches source edits that map to the same
/// output, which then cost no write.</remarks>
public static class RecordDiff
{
    /// <summary>Decides from the source side alone; <see cref="Change.Unchanged"/> means the record needs no mapping.</summary>
    public static Change BySource(Link? link, string sourceHash) =>
        link is null ? Change.New : link.SourceHash == sourceHash ? Change.Unchanged : Change.Changed;

    /// <summary>After mapping: a linked record whose output equals what we last wrote needs no write.</summary>
    public static Change ByTarget(Link? link, string targetHash) =>
        link is null ? Change.New : link.TargetHash == targetHash ? Change.Unchanged : Change.Changed;
}
