using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.State;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>The membership page: group members kept in step both ways (see docs/two-way-sync.md).</summary>
public sealed partial class StreamSyncer
{
    /// <summary>
    /// One page of a membership stream. Each side's members are diffed against the membership both sides last agreed
    /// (the base): a member on the source but not in the base joined there, and is added to the target; a member in the
    /// base but gone from the source left there, and is removed from the target. The base then moves with each write, so
    /// the other direction finds the target equal to the base and writes nothing back: no echo, and no conflict is
    /// possible (joining needs the member out of the base, leaving needs it in).
    /// </summary>
    /// <remarks>An iVvy page is contacts, each with all of its groups; a HubSpot page is a <see cref="MembershipSlice"/>
    /// of a list, every member in a range of ids, so what is missing from it left. A member joins only once its contact
    /// is paired by the members' module; until then it is quarantined and the next run (which reads membership whole)
    /// tries again.</remarks>
    private async Task<bool> ProcessMembershipPageAsync(PageContext context, SourcePage page, CancellationToken cancellationToken)
    {
        var (run, definition, stream) = (context.Run, context.Definition, context.Stream);
        var records = page.Records.GroupBy(r => r.Id, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var diff = stream.Source.Connector == IvvyClient.ConnectorName
            ? await DiffIvvyMembersAsync(context, records)
            : await DiffListMembersAsync(context, records, page.Slice, cancellationToken);

        var planned = new List<PlannedAction>();
        foreach (var m in diff.Gone)
        {
            Plan(planned, run, stream, $"{m.CrmId} in group {m.Group}", "skip", $"HubSpot contact {m.CrmId} no longer exists (deleted or merged): its iVvy membership stays");
        }

        foreach (var q in diff.Quarantined)
        {
            Plan(planned, run, stream, q.SourceId, "quarantine", q.Reason);
        }

        foreach (var c in diff.Changes)
        {
            Plan(planned, run, stream, $"{c.SourceId} in group {c.Member.Group}", c.Join ? "add" : "remove", c.Why);
        }

        var quarantined = diff.Quarantined.ToList();
        var applied = new List<(Membership Member, bool Present)>();
        if (run.DryRun)
        {
            applied.AddRange(diff.Changes.Select(c => (c.Member, c.Join)));
        }
        else
        {
            // The target's groups are iVvy group ids (writing to iVvy) or list ids; its members the target side's ids.
            var toIvvy = stream.Target.Connector == IvvyClient.ConnectorName;
            foreach (var batch in diff.Changes.GroupBy(c => (Group: toIvvy ? c.Member.Group : c.Member.List, c.Join)))
            {
                var members = batch.Select(c => toIvvy ? c.Member.IvvyId : c.Member.CrmId).Distinct(StringComparer.Ordinal).ToList();
                IReadOnlyDictionary<string, string> refused;
                try
                {
                    refused = await context.Members!.ChangeAsync(batch.Key.Group, members, batch.Key.Join, cancellationToken);
                }
                catch (ConnectorException e) when (e.Kind == FailureKind.Data)
                {
                    // The group itself was refused (e.g. a list deleted since it was read): set its changes aside, go on.
                    refused = members.ToDictionary(m => m, _ => e.Message, StringComparer.Ordinal);
                }

                foreach (var c in batch)
                {
                    if (refused.TryGetValue(toIvvy ? c.Member.IvvyId : c.Member.CrmId, out var why))
                    {
                        quarantined.Add(Quarantine(run, definition, stream, c.SourceId, "upsert", why, c.Payload.ToJsonString()));
                    }
                    else
                    {
                        applied.Add((c.Member, c.Join));
                    }
                }
            }
        }

        quarantined = quarantined.DistinctBy(q => q.SourceId).ToList(); // a contact refused in two groups is set aside once
        var failed = quarantined.Select(q => q.SourceId).ToHashSet(StringComparer.Ordinal);
        var joined = applied.Count(a => a.Present);
        var counters = new RunCounters(records.Count, Created: joined, Updated: applied.Count - joined, diff.Unchanged, quarantined.Count, Pages: 1);
        return await CommitAsync(context, page, quarantined, planned, counters, commit => commit with
        {
            Memberships = [.. applied, .. diff.Gone.Select(m => (m, false))],
            // A list read again resolves an earlier "list gone" entry.
            Synced = records.Select(r => r.Id).Concat(page.Slice is { Gone: false } slice ? [$"list {slice.List}"] : [])
                .Where(id => !failed.Contains(id)).ToList(),
        });
    }

    /// <summary>iVvy → list: each contact's groups (those paired with a list) against its agreed memberships.</summary>
    private async Task<MembershipDiff> DiffIvvyMembersAsync(PageContext context, IReadOnlyList<SourceRecord> contacts)
    {
        var (run, definition, stream, membership) = (context.Run, context.Definition, context.Stream, context.Stream.Membership!);
        var lists = await store.ListLinksAsync(definition.Id, membership.Groups);
        var ids = contacts.Select(c => c.Id).ToList();
        var agreed = (await store.GetMembershipsAsync(definition.Id, ids))
            .Where(m => lists.GetValueOrDefault(m.Group) == m.List)
            .ToLookup(m => m.IvvyId, StringComparer.Ordinal);
        var crmIds = await store.ResolveCrmIdsAsync(membership.Members, ids);

        var diff = new MembershipDiff();
        foreach (var contact in contacts)
        {
            var groups = (contact.Data["groups"] as JsonArray ?? []).Select(g => Text(g is JsonObject o ? o["groupId"] : g)).OfType<string>()
                .Where(lists.ContainsKey).ToHashSet(StringComparer.Ordinal);
            var joined = groups.Where(g => agreed[contact.Id].All(m => m.Group != g)).Order(StringComparer.Ordinal).ToList();
            var left = agreed[contact.Id].Where(m => !groups.Contains(m.Group)).ToList();
            if (joined.Count == 0 && left.Count == 0)
            {
                diff.Unchanged++;
                continue;
            }

            foreach (var m in left)
            {
                diff.Changes.Add(new(contact.Id, m, Join: false, $"left iVvy group {m.Group}", contact.Data));
            }

            if (joined.Count == 0)
            {
                continue;
            }

            if (!crmIds.TryGetValue(contact.Id, out var crmId))
            {
                diff.Quarantined.Add(Quarantine(run, definition, stream, contact.Id, "lookup",
                    $"contact {contact.Id} joined group(s) {string.Join(", ", joined)} but has no pair in {membership.Members} yet: sync {membership.Members}; the next run adds it",
                    contact.Data.ToJsonString()));
                continue;
            }

            foreach (var g in joined)
            {
                diff.Changes.Add(new(contact.Id, new Membership(g, lists[g], contact.Id, crmId), Join: true, $"joined iVvy group {g}", contact.Data));
            }
        }

        return diff;
    }

    /// <summary>List → iVvy: the members of one slice of a list against the agreed members in that slice.</summary>
    private async Task<MembershipDiff> DiffListMembersAsync(PageContext context, IReadOnlyList<SourceRecord> members, MembershipSlice? slice,
        CancellationToken cancellationToken)
    {
        var (run, definition, stream, membership) = (context.Run, context.Definition, context.Stream, context.Stream.Membership!);
        var diff = new MembershipDiff();
        if (slice is null)
        {
            return diff;
        }

        if (slice.Gone)
        {
            // Never read a deleted list as "everyone left": that would empty the iVvy group.
            diff.Quarantined.Add(Quarantine(run, definition, stream, $"list {slice.List}", "read",
                $"HubSpot list {slice.List} of iVvy group {slice.Group} no longer exists; its members were left as they are. Change the group (or its stream's template) so the list is made again.",
                new JsonObject { ["groupId"] = slice.Group, ["listId"] = slice.List }.ToJsonString()));
            return diff;
        }

        var agreed = (await store.GetMembershipSliceAsync(definition.Id, slice.List, slice.AfterId, slice.ThroughId))
            .ToDictionary(m => m.CrmId, StringComparer.Ordinal);
        var present = members.ToDictionary(m => m.Id, StringComparer.Ordinal);
        var newcomers = present.Keys.Where(id => !agreed.ContainsKey(id)).ToList();
        var ivvyIds = await store.ResolveIvvyIdsAsync(membership.Members, newcomers);
        diff.Unchanged = present.Count - newcomers.Count;
        foreach (var id in newcomers)
        {
            if (ivvyIds.TryGetValue(id, out var ivvyId))
            {
                diff.Changes.Add(new(id, new Membership(slice.Group, slice.List, ivvyId, id), Join: true, $"joined HubSpot list {slice.List}", present[id].Data));
            }
            else
            {
                diff.Quarantined.Add(Quarantine(run, definition, stream, id, "lookup",
                    $"HubSpot contact {id} joined list {slice.List} but has no pair in {membership.Members} yet: sync {membership.Members}; the next run adds it",
                    present[id].Data.ToJsonString()));
            }
        }

        // A member missing from the list left it, unless the contact itself is gone: then HubSpot dropped it from the
        // list, the iVvy contact stays in its group, and the membership is no longer agreed (the next iVvy read offers it
        // again, and it is quarantined until the contact is paired anew).
        var missing = agreed.Values.Where(m => !present.ContainsKey(m.CrmId)).ToList();
        var existing = missing.Count > 0 && context.Reader is IMemberSource source
            ? await source.ExistingAsync(missing.Select(m => m.CrmId).ToList(), cancellationToken)
            : null;
        foreach (var m in missing)
        {
            if (existing is not null && !existing.Contains(m.CrmId))
            {
                diff.Gone.Add(m);
                diff.Unchanged++;
                continue;
            }

            diff.Changes.Add(new(m.CrmId, m, Join: false, $"left HubSpot list {slice.List}",
                new JsonObject { ["recordId"] = m.CrmId, ["listId"] = m.List, ["groupId"] = m.Group }));
        }

        return diff;
    }

    /// <summary>A member to add to (<paramref name="Join"/>) or remove from the target group, from the source record
    /// <paramref name="SourceId"/>, and why.</summary>
    private sealed record MemberChange(string SourceId, Membership Member, bool Join, string Why, JsonObject Payload);

    private sealed class MembershipDiff
    {
        public List<MemberChange> Changes { get; } = [];

        public List<QuarantineEntry> Quarantined { get; } = [];

        /// <summary>Agreed members whose CRM contact no longer exists: dropped from the agreed set, written nowhere.</summary>
        public List<Membership> Gone { get; } = [];

        public long Unchanged { get; set; }
    }
}
