using System.Text.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>The two-way page: pairs, echo suppression and conflicts (see docs/two-way-sync.md).</summary>
public sealed partial class StreamSyncer
{
    private const string IvvySide = ConflictPolicy.Ivvy;
    private const string CrmSide = ConflictPolicy.Crm;

    /// <summary>
    /// One page of a stream of a two-way module, merged field by field against the pair's stored content (each side's
    /// values as last agreed). Each record is mapped to the other side's fields; a field whose mapped value equals the
    /// other side's stored value did not change here. Where none did, the record is an echo of our own write (or an edit
    /// to an unsynced field) and is skipped. Otherwise the other side's current record is read (a page at a time) and each
    /// changed field crosses unless the other side changed it too: then, if the values differ, the policy decides that
    /// field and the conflict is journaled with both values. A first-sight record is written without its empty values (an
    /// empty value never overwrites a present one) and without a known target id (the target matches it by its key or
    /// identity); the new pair's key is written back to the source so the pair is permanent on both sides.
    /// </summary>
    private async Task<bool> ProcessTwoWayPageAsync(PageContext context, SourcePage page, CancellationToken cancellationToken)
    {
        var (run, definition, stream, template, writer) = (context.Run, context.Definition, context.Stream, context.Template!, context.Writer!);
        var pairing = definition.Pairing!;
        var opposite = definition.Streams.First(s => s.Source.Connector == stream.Target.Connector);
        var (x, y) = stream.Source.Connector == IvvyClient.ConnectorName ? (IvvySide, CrmSide) : (CrmSide, IvvySide);
        var keyField = opposite.Target.ExternalKey!.Property;
        var now = time.GetUtcNow();
        var templateContext = new JsonObject { ["module"] = definition.Id, ["version"] = definition.Version, ["stream"] = stream.Name };
        if (Parameters(definition, stream) is { } parameters)
        {
            templateContext["parameters"] = parameters;
        }

        var records = page.Records.GroupBy(r => r.Id, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var byX = await store.GetPairsAsync(definition.Id, x, records.Select(r => r.Id).ToList());
        var byY = await store.GetPairsAsync(definition.Id, y, records.Where(r => !byX.ContainsKey(r.Id)).Select(r => Text(r.Data[keyField])).OfType<string>().ToList());

        // Deletions and merges (StreamSyncer.Deletes.cs): pairs of records merged into this page's records follow them, and
        // a record whose key names a record that was deleted or merged away, and unlinked, is synced no longer.
        var changes = new PairChanges();
        Pair? PairOf(SourceRecord r) => byX.GetValueOrDefault(r.Id) ?? (Text(r.Data[keyField]) is { } k ? byY.GetValueOrDefault(k) : null);
        var moved = await FollowSourceMergesAsync(context, x, y, records, PairOf, changes, now);
        var unlinked = await store.GetUnlinkedAsync(definition.Id, y,
            records.Where(r => !moved.ContainsKey(r.Id) && PairOf(r) is null).Select(r => Text(r.Data[keyField])).OfType<string>().ToList());
        var pairs = new List<Pair>();
        var conflicts = new List<ConflictEntry>();
        var quarantined = new List<QuarantineEntry>();
        var planned = new List<PlannedAction>();
        var candidates = new List<(SourceRecord Record, JsonObject Out, Pair? Pair)>();
        long unchanged = 0;
        var outcomes = new List<(string? Position, string? Reason)>();
        foreach (var record in records)
        {
            var pair = moved.GetValueOrDefault(record.Id) ?? PairOf(record);
            if (pair is null && Text(record.Data[keyField]) is { } gone && unlinked.Contains(gone))
            {
                unchanged++;
                Plan(planned, run, stream, record.Id, "skip", $"unlinked: its {y} record {gone} was deleted or merged away");
                continue;
            }

            var recordContext = (JsonObject)templateContext.DeepClone();
            recordContext["targetId"] = pair is null ? null : Id(pair, y);
            var mapped = template.Render(record.Data, recordContext);
            outcomes.Add(Outcome(context, record.Id, mapped));
            if (!mapped.IsSuccess)
            {
                quarantined.Add(Quarantine(run, definition, stream, record.Id, "map", mapped.Error!.ToString(), record.Data.ToJsonString()));
                Plan(planned, run, stream, record.Id, "quarantine", mapped.Error!.ToString());
                continue;
            }

            if (mapped.Output![SkipKey] is { } skip)
            {
                // The template filtered the record out: nothing crosses from it, and its pair (if any) stays as it was.
                unchanged++;
                Plan(planned, run, stream, record.Id, "skip", skip.ToString());
                continue;
            }

            if (pair is not null && !changes.Moved.Contains(record.Id) && FieldMerge.Changed(mapped.Output!, State(pair, y)).Count == 0)
            {
                // The other side already holds these values: our own write coming back, or an unsynced field changed.
                unchanged++;
                pairs.Add(With(pair, x, record.Data, State(pair, y), now));
                Plan(planned, run, stream, record.Id, "skip", "echo or unchanged");
                continue;
            }

            candidates.Add((record, mapped.Output!, pair));
        }

        await StopIfTemplateFailsEveryRecordAsync(context, outcomes);
        var paired = candidates.Where(c => c.Pair is not null).Select(c => Id(c.Pair!, y)).ToList();
        var readBack = candidates.SelectMany(c => c.Out.Select(p => p.Key)).Distinct(StringComparer.Ordinal).Append(opposite.Source.Cursor.Field).ToList();
        var current = paired.Count == 0 ? CurrentRecords.None : await writer.ReadCurrentAsync(paired, readBack, cancellationToken);
        candidates = SettleGoneTargets(context, x, y, candidates, current, changes, planned, now);
        // First sight: the existing records the target would pair the new ones with (same identity), merged like a pair
        // that has agreed on nothing yet.
        var fresh = candidates.Where(c => c.Pair is null).Select(c => new TargetRecord(c.Record.Id, c.Out)).ToList();
        var matches = fresh.Count > 0 && writer is IIdentityMatcher matcher
            ? await matcher.MatchAsync(fresh, readBack, cancellationToken)
            : new Dictionary<string, IdentityMatch>(StringComparer.Ordinal);
        var writes = new List<(TargetRecord Target, SourceRecord Record, JsonObject? YNow, Pair? Pair)>();
        foreach (var (record, output, pair) in candidates)
        {
            var match = pair is null ? matches.GetValueOrDefault(record.Id) : null;
            var yNow = match?.Current ?? (pair is null ? null : current.GetValueOrDefault(Id(pair, y)) ?? changes.Survivors.GetValueOrDefault(Id(pair, y)));
            var yId = match?.TargetId ?? (pair is null ? null : Id(pair, y));
            JsonObject write;
            if (yNow is not null && yId is not null)
            {
                var merge = FieldMerge.Merge(output, pair is null ? [] : State(pair, y), yNow,
                    field => ConflictPolicy.Winner(pairing, field, x, record.ModifiedAt, Modified(yNow[opposite.Source.Cursor.Field])) == x);
                write = merge.Write;
                if (merge.Conflicts.Count > 0)
                {
                    var xWins = merge.Conflicts.All(c => c.XWins) ? x : merge.Conflicts.Any(c => c.XWins) ? "both" : y;
                    var (xValues, yValues) = (FieldMerge.Pick(output, merge.Conflicts.Select(c => c.Field)), FieldMerge.Pick(yNow, merge.Conflicts.Select(c => c.Field)));
                    conflicts.Add(new ConflictEntry(definition.Id, x == IvvySide ? record.Id : yId, x == CrmSide ? record.Id : yId,
                        (x == IvvySide ? xValues : yValues).ToJsonString(), (x == CrmSide ? xValues : yValues).ToJsonString(),
                        xWins, pairing.ConflictPolicy, run.RunId, now));
                    Plan(planned, run, stream, record.Id, "conflict",
                        $"{(pair is null ? $"pairing with {y} record {yId}, the two hold different" : "both sides changed")} " +
                        $"{string.Join(", ", merge.Conflicts.Select(c => c.Field))}; {pairing.ConflictPolicy}: {xWins} wins");
                }
                else if (pair is null)
                {
                    Plan(planned, run, stream, record.Id, "create", $"pairs with {y} record {yId}; filled in: {string.Join(", ", write.Select(p => p.Key))}");
                }
                else if (write.Count > 0)
                {
                    Plan(planned, run, stream, record.Id, "update", $"changed: {string.Join(", ", write.Select(p => p.Key))}");
                }

                // A first-sight match is written even with nothing to fill in: the write gives it the pair's key.
                if (pair is not null && write.Count == 0 && !changes.Moved.Contains(record.Id))
                {
                    // Nothing of ours to cross: the other side changed the same fields (to the same values, or it won).
                    unchanged++;
                    pairs.Add(With(pair, x, record.Data, yNow, now));
                    if (merge.Conflicts.Count == 0)
                    {
                        Plan(planned, run, stream, record.Id, "skip", "the other side already holds the changes");
                    }

                    continue;
                }
            }
            else
            {
                // First sight, or a pair whose target record is gone (written as new: the target matches or recreates it).
                // An empty value never overwrites what an existing record the target matches may hold.
                write = FieldMerge.WithoutEmpty(output);
                Plan(planned, run, stream, record.Id, "create", pair is null ? "new" : "the paired record is gone");
            }

            writes.Add((new TargetRecord(record.Id, write, yNow is null ? null : yId), record, yNow, yNow is null ? null : pair));
        }

        long created = 0, updated = 0;
        var synced = new List<string>();
        var writeBacks = new List<TargetRecord>();
        if (run.DryRun)
        {
            created = writes.Count(w => w.Pair is null);
            updated = writes.Count - created;
        }
        else if (writes.Count > 0)
        {
            var results = await writer.UpsertAsync(writes.Select(w => w.Target).ToList(), cancellationToken);
            for (var i = 0; i < writes.Count; i++)
            {
                var (target, record, yNow, pair) = writes[i];
                if (results[i].Outcome == UpsertOutcome.Rejected)
                {
                    quarantined.Add(Quarantine(run, definition, stream, record.Id, "upsert", results[i].Error ?? "rejected by the target", record.Data.ToJsonString()));
                    continue;
                }

                var yId = results[i].TargetId!;
                var xState = FieldMerge.Into(pair is null ? null : State(pair, x), record.Data);
                var yState = FieldMerge.Into(yNow ?? (pair is null ? null : State(pair, y)), target.Properties);
                pairs.Add(x == IvvySide ? new Pair(record.Id, yId, xState, yState, now) : new Pair(yId, record.Id, yState, xState, now));
                synced.Add(record.Id);
                if (Text(record.Data[keyField]) != yId)
                {
                    // The source record does not hold its pair's key yet: write it back (iVvy externalId / HubSpot key property).
                    writeBacks.Add(new TargetRecord(yId, new JsonObject(), record.Id));
                }

                if (pair is null)
                {
                    created++;
                }
                else
                {
                    updated++;
                }
            }
        }

        await PropagateDeletesAsync(context, changes, cancellationToken);
        if (!await CommitAsync(context, page, quarantined, planned, new RunCounters(page.Records.Count, created, updated, unchanged + changes.Skipped, quarantined.Count, Pages: 1),
                commit => commit with
                {
                    Pairs = pairs, Conflicts = conflicts, Synced = synced, KeyWriteBacks = writeBacks.Select(w => (w.TargetId!, w.SourceId)).ToList(),
                    Unpaired = changes.Unpaired, PairEvents = changes.Events,
                }))
        {
            return false;
        }

        await WriteBackKeysAsync(context, writeBacks, cancellationToken);
        return true;
    }

    /// <summary>
    /// Writes new pairs' keys back to their source records (iVvy externalId / HubSpot key property), then forgets them.
    /// </summary>
    /// <remarks>Only once the pairs are committed: a write moves the source record out of the open window, so one made
    /// before a crash would leave the redone page without it. The keys are committed with the page, so a crash between
    /// the commit and the write (or a write that fails) leaves them for the stream's next call, which writes them first.</remarks>
    private async Task WriteBackKeysAsync(PageContext context, IReadOnlyList<TargetRecord> writeBacks, CancellationToken cancellationToken)
    {
        if (writeBacks.Count == 0)
        {
            return;
        }

        var (run, definition, stream) = (context.Run, context.Definition, context.Stream);
        var opposite = definition.Streams.First(s => s.Source.Connector == stream.Target.Connector);
        var back = connectors.CreateWriter(opposite.Target, context.Meter);
        foreach (var failed in (await back.UpsertAsync(writeBacks, cancellationToken)).Where(r => r.Outcome == UpsertOutcome.Rejected))
        {
            // Refused for good (e.g. the record is gone): the pair works without it, and the key is written again the next
            // time the record is read.
            SyncLog.KeyWriteBackFailed(logger, definition.Id, run.RunId, definition.Version, failed.SourceId, failed.Error ?? "");
        }

        await store.ClearKeyWriteBacksAsync(definition.Id, stream.Name, writeBacks.Select(w => w.TargetId!).ToList());
        await store.AddApiCallsAsync(run.RunId, context.Meter.Drain());
    }

    /// <summary>Writes the keys an earlier call committed but did not get to write back (it crashed or the write failed).</summary>
    private async Task WritePendingKeysAsync(PageContext context, CancellationToken cancellationToken)
    {
        var pending = await store.ListKeyWriteBacksAsync(context.Definition.Id, context.Stream.Name);
        await WriteBackKeysAsync(context, pending.Select(p => new TargetRecord(p.Key, new JsonObject(), p.RecordId)).ToList(), cancellationToken);
    }

    private static string? Text(JsonNode? node) => node switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        _ => node.ToJsonString(),
    };

    private static DateTimeOffset? Modified(JsonNode? node) =>
        IvvyTimestamp.TryParseLenient(Text(node), out var at) ? at : null;

    private static string Id(Pair pair, string side) => side == IvvySide ? pair.IvvyId : pair.CrmId;

    private static JsonObject State(Pair pair, string side) => side == IvvySide ? pair.IvvyState : pair.CrmState;

    /// <summary>The pair with what was just seen of each side merged into its state: a read that returned only some
    /// fields must not forget the others.</summary>
    private static Pair With(Pair pair, string x, JsonObject xSeen, JsonObject ySeen, DateTimeOffset now)
    {
        var (xState, yState) = (FieldMerge.Into(State(pair, x), xSeen), FieldMerge.Into(State(pair, x == IvvySide ? CrmSide : IvvySide), ySeen));
        return x == IvvySide ? pair with { IvvyState = xState, CrmState = yState, SyncedAt = now } : pair with { CrmState = xState, IvvyState = yState, SyncedAt = now };
    }
}
