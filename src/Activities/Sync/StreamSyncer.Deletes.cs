using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Two-way pages: deletions and merges, settled on purpose (docs/two-way-sync.md, "Deletes and merges").</summary>
public sealed partial class StreamSyncer
{
    /// <summary>What a page found deleted or merged, and what it does about it; committed with the page.</summary>
    private sealed class PairChanges
    {
        public List<Pair> Unpaired { get; } = [];

        public List<PairEvent> Events { get; } = [];

        /// <summary>Source records to delete in the source system (<c>onDelete: propagate</c>).</summary>
        public List<string> Propagate { get; } = [];

        /// <summary>Source records whose pair moved (a record on either side was merged into another): written even when
        /// no value changed, so the other side's key follows the move.</summary>
        public HashSet<string> Moved { get; } = new(StringComparer.Ordinal);

        /// <summary>Content of records the other side merged others into, by their id (read under the merged-away id).</summary>
        public Dictionary<string, JsonObject> Survivors { get; } = new(StringComparer.Ordinal);

        public long Skipped { get; set; }
    }

    /// <summary>
    /// The source merged other records into some records of this page (<see cref="SourceRecord.MergedIds"/>): the pair of
    /// a merged-away record that the survivor carries the key of moves to the survivor; any other pair of a merged-away
    /// record is unlinked (its record on the other side keeps a key that names a merged-away id, so it is synced no
    /// longer). Returns the pairs to use for the page's records, by record id.
    /// </summary>
    private async Task<Dictionary<string, Pair>> FollowSourceMergesAsync(PageContext context, string x, string y, IReadOnlyList<SourceRecord> records,
        Func<SourceRecord, Pair?> pairOf, PairChanges changes, DateTimeOffset now)
    {
        var moved = new Dictionary<string, Pair>(StringComparer.Ordinal);
        var merged = records.Where(r => r.MergedIds is { Count: > 0 }).ToList();
        if (merged.Count == 0)
        {
            return moved;
        }

        var (run, definition) = (context.Run, context.Definition);
        var old = await store.GetPairsAsync(definition.Id, x, merged.SelectMany(r => r.MergedIds!).Distinct(StringComparer.Ordinal).ToList());
        foreach (var record in merged)
        {
            var own = pairOf(record);
            foreach (var pair in record.MergedIds!.Select(id => old.GetValueOrDefault(id)).OfType<Pair>())
            {
                if (own is null || Id(own, y) == Id(pair, y))
                {
                    // The survivor carries this pair's key (or none yet): the pair is the survivor's now.
                    own = pair;
                    moved[record.Id] = pair;
                    changes.Moved.Add(record.Id);
                    changes.Events.Add(Event(definition, run, pair, x, "merged", "moved", $"{x} record {Id(pair, x)} was merged into {record.Id}; the pair follows it", now));
                    continue;
                }

                changes.Unpaired.Add(pair);
                changes.Events.Add(Event(definition, run, pair, x, "merged", DeletePolicy.Unlink,
                    $"{x} record {Id(pair, x)} was merged into {record.Id}, which is paired with {y} record {Id(own, y)}; {y} record {Id(pair, y)} is synced no longer", now));
            }
        }

        return moved;
    }

    /// <summary>
    /// The other side's records of the candidates as read before writing: one gone (deleted) follows the module's
    /// <c>pairing.onDelete</c> for that side; one merged into another record moves its pair to that record when the record
    /// carries this pair's key (or none), and is unlinked when it carries another record's. Returns the candidates left
    /// to write, with moved pairs.
    /// </summary>
    private List<(SourceRecord Record, JsonObject Out, Pair? Pair)> SettleGoneTargets(PageContext context, string x, string y,
        IReadOnlyList<(SourceRecord Record, JsonObject Out, Pair? Pair)> candidates, CurrentRecords current, PairChanges changes,
        List<PlannedAction> planned, DateTimeOffset now)
    {
        var (run, definition, stream) = (context.Run, context.Definition, context.Stream);
        var keyOfTarget = stream.Target.ExternalKey!.Property;
        var left = new List<(SourceRecord, JsonObject, Pair?)>(candidates.Count);
        foreach (var (record, output, pair) in candidates)
        {
            if (pair is null)
            {
                left.Add((record, output, pair));
                continue;
            }

            var yId = Id(pair, y);
            var survivor = current.MovedTo(yId);
            if (survivor == yId)
            {
                left.Add((record, output, pair));
                continue;
            }

            if (survivor is null)
            {
                var policy = definition.Pairing!.OnDelete.For(y);
                changes.Events.Add(Event(definition, run, pair, y, "deleted", policy, policy switch
                {
                    DeletePolicy.Recreate => $"{y} record {yId} was deleted; written again from {x} record {record.Id}",
                    DeletePolicy.Propagate => $"{y} record {yId} was deleted; {x} record {record.Id} is deleted too",
                    _ => $"{y} record {yId} was deleted; {x} record {record.Id} is synced no longer",
                }, now));
                if (policy == DeletePolicy.Recreate)
                {
                    // Written as new: the target matches it by its key or identity, or creates it.
                    left.Add((record, output, pair));
                    continue;
                }

                changes.Unpaired.Add(pair);
                changes.Skipped++;
                if (policy == DeletePolicy.Propagate)
                {
                    changes.Propagate.Add(record.Id);
                }

                Plan(planned, run, stream, record.Id, policy == DeletePolicy.Propagate ? "delete" : DeletePolicy.Unlink, $"its {y} record {yId} was deleted");
                continue;
            }

            var key = Text(current[yId][keyOfTarget]);
            if (string.IsNullOrEmpty(key) || key == record.Id)
            {
                changes.Events.Add(Event(definition, run, pair, y, "merged", "moved", $"{y} record {yId} was merged into {survivor}; the pair follows it", now));
                changes.Survivors[survivor] = current[yId];
                changes.Moved.Add(record.Id);
                left.Add((record, output, x == IvvySide ? pair with { CrmId = survivor } : pair with { IvvyId = survivor }));
                continue;
            }

            changes.Unpaired.Add(pair);
            changes.Skipped++;
            changes.Events.Add(Event(definition, run, pair, y, "merged", DeletePolicy.Unlink,
                $"{y} record {yId} was merged into {survivor}, which is paired with {x} record {key}; {x} record {record.Id} is synced no longer", now));
            Plan(planned, run, stream, record.Id, DeletePolicy.Unlink, $"its {y} record {yId} was merged into {survivor}, paired with {key}");
        }

        return left;
    }

    /// <summary>Deletes, in the source system, the records whose other side was deleted under <c>onDelete: propagate</c>.</summary>
    /// <remarks>Before the page commits: a crash after it redoes the page, which finds the pair again and deletes again
    /// (harmless; deleting a record already gone is no error).</remarks>
    private async Task PropagateDeletesAsync(PageContext context, PairChanges changes, CancellationToken cancellationToken)
    {
        if (changes.Propagate.Count == 0 || context.Run.DryRun)
        {
            return;
        }

        var opposite = context.Definition.Streams.First(s => s.Source.Connector == context.Stream.Target.Connector);
        var deleter = connectors.CreateWriter(opposite.Target, context.Meter) as IRecordDeleter
            ?? throw new InvalidOperationException($"{opposite.Target.Connector} cannot delete '{opposite.Target.Object}' (validate refuses onDelete: propagate there).");
        await deleter.DeleteAsync(changes.Propagate, cancellationToken);
    }

    private static PairEvent Event(WorkflowDefinition definition, RunRecord run, Pair pair, string side, string what, string action, string detail, DateTimeOffset now) =>
        new(definition.Id, pair.IvvyId, pair.CrmId, side, what, action, detail, run.RunId, now);
}
