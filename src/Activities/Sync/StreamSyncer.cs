using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows.Definitions;
using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>
/// Runs the pipeline for one stream of one run, page after page: fetch modified → diff → map → upsert → commit.
/// </summary>
/// <remarks>
/// Each page commits on its own (links, cursor, quarantine and counters in one transaction, fenced by the run's owner),
/// so a crash redoes at most the page in flight, and upserts by external key make that redo create nothing twice.
/// One call works until the stream's window is read, <see cref="RunSettings.MaxPagesPerActivity"/> pages are done, or
/// <see cref="RunSettings.ActivityBudgetMilliseconds"/> has passed: the durable engine's cost is paid per call, not per
/// page, and records never travel through orchestration history.
/// </remarks>
public sealed partial class StreamSyncer(
    SqliteStateStore store,
    IConnectorFactory connectors,
    CompiledWorkflowCache workflows,
    TimeProvider time,
    ILogger<StreamSyncer> logger)
{
    public const string LiveScope = "live";

    /// <summary>A template that renders <c>{"$skip": "why"}</c> filters the record out: nothing is written for it.</summary>
    public const string SkipKey = "$skip";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<SyncPagesResult> RunAsync(SyncPagesRequest request, CancellationToken cancellationToken = default)
    {
        var run = await store.GetRunAsync(request.RunId);
        if (run is null || run.Owner != request.Owner || run.Status != RunStatus.Running)
        {
            return new SyncPagesResult(0, 0, StreamDone: false, Superseded: true);
        }

        var compiled = workflows.Get(run.ContentHash, run.PinnedDefinition);
        var definition = compiled.Workflow.Definition;
        var stream = definition.Streams[request.StreamIndex];
        var scope = run.DryRun ? run.RunId : LiveScope;
        var meter = new ApiCallMeter();
        var membership = stream.Membership is not null;
        var reader = connectors.CreateReader(stream.Source, meter,
            membership ? await store.ListLinksAsync(definition.Id, stream.Membership!.Groups) : null);
        var context = new PageContext(run, request.Owner, definition, stream, scope, meter)
        {
            Reader = reader,
            Template = membership ? null : compiled.Templates[stream.Map!.Template],
            Writer = membership ? null : connectors.CreateWriter(stream.Target, meter),
            Members = membership ? connectors.CreateMembershipWriter(stream.Target, meter) : null,
        };

        using var activity = ApiCallMeter.Tracing.StartActivity("sync.pages");
        activity?.SetTag("run.id", run.RunId);
        activity?.SetTag("module", definition.Id);
        activity?.SetTag("definition.version", definition.Version);
        activity?.SetTag("stream", stream.Name);
        try
        {
            if (definition.Pairing is not null && !run.DryRun)
            {
                await WritePendingKeysAsync(context, cancellationToken);
            }

            // Membership is read whole on every run, so a replay of a membership stream simply reads it again.
            if (run.Replay && !membership)
            {
                return await ReplayAsync(context, cancellationToken);
            }

            var cursor = await OpenCursorAsync(context, reader, cancellationToken);
            if (cursor is null)
            {
                return new SyncPagesResult(0, 0, StreamDone: true);
            }

            var started = time.GetTimestamp();
            int pages = 0, read = 0;
            while (true)
            {
                var page = await reader.ReadPageAsync(cursor, cancellationToken);
                if (!await ProcessAsync(context, page, cancellationToken))
                {
                    return new SyncPagesResult(pages, read, StreamDone: false, Superseded: true);
                }

                pages++;
                read += page.Records.Count;
                cursor = page.Next;
                if (cursor.Complete)
                {
                    return new SyncPagesResult(pages, read, StreamDone: true);
                }

                if (pages >= definition.Run.MaxPagesPerActivity
                    || time.GetElapsedTime(started).TotalMilliseconds >= definition.Run.ActivityBudgetMilliseconds)
                {
                    return new SyncPagesResult(pages, read, StreamDone: false);
                }
            }
        }
        catch (RunSupersededException)
        {
            return new SyncPagesResult(0, 0, StreamDone: false, Superseded: true);
        }
        catch (TemplateFailsEveryRecordException e)
        {
            // Nothing of the page in hand is committed: after a fix, the next run reads it again from the cursor.
            SyncLog.RunStopped(logger, definition.Id, run.RunId, definition.Version, e.Message);
            return new SyncPagesResult(0, 0, StreamDone: false, Fatal: e.Message, FatalStage: "map", FatalClass: "Template");
        }
        catch (ConnectorException e) when (!e.IsRetryable)
        {
            // A run-level call the remote refuses (credentials, settings, a request it rejects) fails the same way
            // every time: stop the run with the remote's words instead of retrying. Per-record refusals never get here.
            SyncLog.RunStopped(logger, definition.Id, run.RunId, definition.Version, e.Message);
            var stage = e.Connector == stream.Source.Connector ? "fetch" : "upsert";
            return new SyncPagesResult(0, 0, StreamDone: false, Fatal: e.Message, FatalStage: stage, FatalClass: e.Kind.ToString());
        }
    }

    /// <summary>
    /// A replay run: the stream's quarantined records go through map → upsert → commit again, a page at a time, from
    /// the payload kept with each (the newest version read: a later edit would have been read, and re-quarantined or
    /// synced, by its own window). The cursor stays where it is. Used after fixing a template or the target's settings.
    /// </summary>
    private async Task<SyncPagesResult> ReplayAsync(PageContext context, CancellationToken cancellationToken)
    {
        var (definition, stream) = (context.Definition, context.Stream);
        var stored = await store.GetCursorAsync(LiveScope, definition.Id, stream.Name);
        var entries = await store.ListReplayEntriesAsync(context.Run.RunId, definition.Id, stream.Name);
        if (stored is null || entries.Count == 0)
        {
            return new SyncPagesResult(0, 0, StreamDone: true);
        }

        await context.Writer!.EnsureSchemaAsync(cancellationToken);
        var cursor = JsonSerializer.Deserialize<ReadCursor>(stored.Value.Cursor, Json)!;
        var pages = 0;
        foreach (var chunk in entries.Chunk(stream.Source.PageSize))
        {
            var records = chunk.Select(e => new SourceRecord(e.SourceId, null, (JsonObject)JsonNode.Parse(e.Payload)!)).ToList();
            if (!await ProcessAsync(context, new SourcePage(records, cursor), cancellationToken))
            {
                return new SyncPagesResult(pages, pages * stream.Source.PageSize, StreamDone: false, Superseded: true);
            }

            pages++;
        }

        return new SyncPagesResult(pages, entries.Count, StreamDone: true);
    }

    /// <summary>The cursor to read from: the stored one, or a new window when the last one is complete.
    /// Null when this run already completed the stream's window (a redone call after the final commit).</summary>
    private async Task<ReadCursor?> OpenCursorAsync(PageContext context, ISourceReader reader, CancellationToken cancellationToken)
    {
        var (run, definition, stream) = (context.Run, context.Definition, context.Stream);
        var stored = await store.GetCursorAsync(context.Scope, definition.Id, stream.Name);
        if (stored is null && run.DryRun)
        {
            // A dry run starts where a live run would: from a scratch copy of the live cursor.
            stored = await store.GetCursorAsync(LiveScope, definition.Id, stream.Name);
        }

        var cursor = stored is null ? null : JsonSerializer.Deserialize<ReadCursor>(stored.Value.Cursor, Json);
        if (cursor is { Complete: false })
        {
            return cursor;
        }

        if (cursor is { Complete: true } && stored!.Value.RunId == run.RunId)
        {
            return null;
        }

        var opened = await reader.OpenWindowAsync(cursor, cancellationToken);
        if (!run.DryRun && context.Writer is not null)
        {
            await context.Writer.EnsureSchemaAsync(cancellationToken);
        }

        SyncLog.WindowOpened(logger, definition.Id, run.RunId, definition.Version, stream.Name, opened.From, opened.To);
        return await store.SaveCursorAsync(run.RunId, context.Owner, context.Scope, definition.Id, stream.Name, JsonSerializer.Serialize(opened, Json))
            ? opened
            : throw new RunSupersededException(run.RunId);
    }

    /// <summary>One page through the stream's kind of pipeline: group members, records one way, or records two way over pairs.</summary>
    private Task<bool> ProcessAsync(PageContext context, SourcePage page, CancellationToken cancellationToken) =>
        context.Stream.Membership is not null ? ProcessMembershipPageAsync(context, page, cancellationToken)
        : context.Definition.Pairing is null ? ProcessPageAsync(context, page, cancellationToken)
        : ProcessTwoWayPageAsync(context, page, cancellationToken);

    /// <summary>Diff → map → upsert → commit for one page. False when the run's owner changed (nothing committed).</summary>
    private async Task<bool> ProcessPageAsync(PageContext context, SourcePage page, CancellationToken cancellationToken)
    {
        var (run, definition, stream, template) = (context.Run, context.Definition, context.Stream, context.Template!);
        using var activity = ApiCallMeter.Tracing.StartActivity("sync.page");
        activity?.SetTag("records", page.Records.Count);

        // A page can repeat a record when a window shrank and was re-read; the last copy is the newest.
        var records = page.Records.GroupBy(r => r.Id, StringComparer.Ordinal).Select(g => g.Last()).ToList();
        var links = await store.GetLinksAsync(definition.Id, stream.Name, records.Select(r => r.Id).ToList());
        var now = time.GetUtcNow();
        var templateContext = new JsonObject { ["module"] = definition.Id, ["version"] = definition.Version, ["stream"] = stream.Name };

        var commitLinks = new List<Link>();
        var unlinked = new List<string>();
        var quarantined = new List<QuarantineEntry>();
        var planned = new List<PlannedAction>();
        var writes = new List<(TargetRecord Record, Change Change, string SourceHash, string TargetHash, SourceRecord Source)>();
        long unchanged = 0;

        var mapped = new List<(string? Position, string? Reason)>();
        var lookups = await ResolveLookupsAsync(stream, records);
        if (Parameters(definition, stream) is { } parameters)
        {
            templateContext["parameters"] = parameters;
        }

        foreach (var record in records)
        {
            var link = links.GetValueOrDefault(record.Id);
            var sourceHash = ContentHash.OfText(ContentHash.Of(record.Data, stream.Source.Cursor.Field) + template.ContentHash);
            if (RecordDiff.BySource(link, sourceHash) == Change.Unchanged)
            {
                unchanged++;
                Plan(planned, run, stream, record.Id, "skip", "unchanged");
                continue;
            }

            var (lookup, missing) = Lookup(stream, lookups, record);
            if (missing is not null)
            {
                quarantined.Add(Quarantine(run, definition, stream, record.Id, "lookup", missing, record.Data.ToJsonString()));
                Plan(planned, run, stream, record.Id, "quarantine", missing);
                continue;
            }

            var recordContext = (JsonObject)templateContext.DeepClone();
            recordContext["lookup"] = lookup!;
            recordContext["targetId"] = link?.TargetId;
            var rendered = template.Render(record.Data, recordContext);
            mapped.Add(Outcome(context, record.Id, rendered));
            if (!rendered.IsSuccess)
            {
                quarantined.Add(Quarantine(run, definition, stream, record.Id, "map", rendered.Error!.ToString(), record.Data.ToJsonString()));
                Plan(planned, run, stream, record.Id, "quarantine", rendered.Error!.ToString());
                continue;
            }

            var output = rendered.Output!;
            if (output[SkipKey] is { } skip)
            {
                // The template filtered the record out (e.g. a registration in a status not synced), saying why. One
                // synced before is synced no longer: its link goes (a group excluded later stops having members synced).
                unchanged++;
                if (link is not null)
                {
                    unlinked.Add(record.Id);
                }

                Plan(planned, run, stream, record.Id, "skip", skip.ToString());
                continue;
            }

            var associations = stream.Target.Associations
                .Where(a => lookup![a.Lookup] is not null)
                .Select(a => new TargetAssociation(a.ToObject, (string)lookup![a.Lookup]!))
                .ToList();
            // Associations are part of what was written: a record whose contact changes is written (and associated) again.
            var targetHash = associations.Count == 0
                ? ContentHash.Of(output)
                : ContentHash.OfText(ContentHash.Of(output) + string.Join(';', associations.Select(a => $"{a.ToObject}:{a.ToId}")));
            var change = RecordDiff.ByTarget(link, targetHash);
            if (change == Change.Unchanged)
            {
                // Only unmapped fields changed: no write, but remember the new source content so it skips early next time.
                unchanged++;
                commitLinks.Add(link! with { SourceHash = sourceHash, SyncedAt = now });
                Plan(planned, run, stream, record.Id, "skip", "no mapped field changed");
                continue;
            }

            // Upsert by the external key, not by the linked id: a record deleted in the target comes back instead of failing.
            writes.Add((new TargetRecord(record.Id, output, Associations: associations, LinkedId: link?.TargetId), change, sourceHash, targetHash, record));
            Plan(planned, run, stream, record.Id, change == Change.New ? "create" : "update", change == Change.New ? "new" : "changed");
        }

        await StopIfTemplateFailsEveryRecordAsync(context, mapped);
        long created = 0, updated = 0;
        var synced = new List<string>();
        if (run.DryRun)
        {
            created = writes.Count(w => w.Change == Change.New);
            updated = writes.Count - created;
        }
        else if (writes.Count > 0)
        {
            var results = await context.Writer!.UpsertAsync(writes.Select(w => w.Record).ToList(), cancellationToken);
            for (var i = 0; i < writes.Count; i++)
            {
                var (target, change, sourceHash, targetHash, source) = writes[i];
                var result = results[i];
                if (result.Outcome == UpsertOutcome.Rejected)
                {
                    quarantined.Add(Quarantine(run, definition, stream, target.SourceId, "upsert", result.Error ?? "rejected by the target", source.Data.ToJsonString()));
                    continue;
                }

                commitLinks.Add(new Link(target.SourceId, result.TargetId!, sourceHash, targetHash, now));
                synced.Add(target.SourceId);
                if (change == Change.New)
                {
                    created++;
                }
                else
                {
                    updated++;
                }
            }
        }

        return await CommitAsync(context, page, quarantined, planned, new RunCounters(page.Records.Count, created, updated, unchanged, quarantined.Count, Pages: 1),
            commit => commit with { Links = commitLinks, Unlinked = unlinked, Synced = synced });
    }

    /// <summary>Commits a page: the cursor, the counters and the calls made, and what the page changed (nothing but the
    /// plan for a dry run). Quarantined records are logged here. False when the run's owner changed.</summary>
    private Task<bool> CommitAsync(PageContext context, SourcePage page, IReadOnlyList<QuarantineEntry> quarantined,
        IReadOnlyList<PlannedAction> planned, RunCounters counters, Func<PageCommit, PageCommit> changes)
    {
        var (run, definition) = (context.Run, context.Definition);
        var commit = new PageCommit
        {
            RunId = run.RunId,
            Owner = context.Owner,
            Module = definition.Id,
            Stream = context.Stream.Name,
            CursorScope = context.Scope,
            CursorJson = JsonSerializer.Serialize(page.Next, Json),
            Planned = planned,
            Counters = counters,
            ApiCalls = context.Meter.Drain(),
        };
        if (run.DryRun)
        {
            return store.CommitPageAsync(commit);
        }

        foreach (var q in quarantined)
        {
            SyncLog.RecordQuarantined(logger, definition.Id, run.RunId, definition.Version, q.SourceId, q.Stage, q.Reason);
        }

        return store.CommitPageAsync(changes(commit with { Quarantined = quarantined }));
    }

    /// <summary>The template's <c>context.parameters</c>: the module's, with the stream's own added over them.</summary>
    private static JsonObject? Parameters(WorkflowDefinition definition, StreamDefinition stream)
    {
        if (definition.Parameters is null && stream.Parameters is null)
        {
            return null;
        }

        var merged = (JsonObject?)definition.Parameters?.DeepClone() ?? [];
        foreach (var (name, value) in stream.Parameters ?? [])
        {
            merged[name] = value?.DeepClone();
        }

        return merged;
    }

    /// <summary>For each lookup of the stream, the CRM ids its module paired with the iVvy ids the page refers to.</summary>
    private async Task<IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>>> ResolveLookupsAsync(StreamDefinition stream, IReadOnlyList<SourceRecord> records)
    {
        var resolved = new Dictionary<string, IReadOnlyDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var lookup in stream.Lookups)
        {
            var ids = records.Select(r => Text(r.Data[lookup.Field])).OfType<string>().Where(id => id.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            resolved[lookup.Name] = await store.ResolveCrmIdsAsync(lookup.Module, ids);
        }

        return resolved;
    }

    /// <summary>The record's lookups as the template sees them (<c>lookup.contact</c> = CRM id, or null when the record
    /// refers to none), or why it cannot be mapped yet: it refers to a record its module has not synced.</summary>
    private static (JsonObject? Lookup, string? Missing) Lookup(StreamDefinition stream, IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> resolved, SourceRecord record)
    {
        var lookup = new JsonObject();
        foreach (var l in stream.Lookups)
        {
            var id = Text(record.Data[l.Field]);
            if (string.IsNullOrEmpty(id))
            {
                lookup[l.Name] = null;
            }
            else if (resolved[l.Name].TryGetValue(id, out var crmId))
            {
                lookup[l.Name] = crmId;
            }
            else
            {
                return (null, $"{l.Field} {id} has no pair in {l.Module} yet: sync {l.Module}, then `replay` this module");
            }
        }

        return (lookup, null);
    }

    /// <summary>A render's outcome as the fail-fast probe follows it: where in the template it failed (null: it mapped).</summary>
    /// <remarks>What the template's output was cleaned of (control characters) is journaled here, once per record.</remarks>
    private (string? Position, string? Reason) Outcome(PageContext context, string sourceId, Mapping.MappingResult result)
    {
        foreach (var note in result.Notes)
        {
            SyncLog.RecordCleaned(logger, context.Definition.Id, context.Run.RunId, context.Definition.Version, sourceId, note);
        }

        return result.IsSuccess ? (null, null) : ($"{result.Error.Template}({result.Error.Line},{result.Error.Column})", result.Error.ToString());
    }

    /// <summary>Stops the run when the stream's first records all failed at one place in the template (see
    /// <see cref="RunSettings.FailFastAfter"/>): a template that fails on every record would otherwise quarantine the window.</summary>
    private async Task StopIfTemplateFailsEveryRecordAsync(PageContext context, IReadOnlyList<(string? Position, string? Reason)> outcomes)
    {
        var limit = context.Definition.Run.FailFastAfter;
        if (await store.ProbeMapFailuresAsync(context.Run.RunId, context.Stream.Name, limit, outcomes) is { } reason)
        {
            throw new TemplateFailsEveryRecordException(
                $"the template fails on every record: {reason} (the first {limit} records stream {context.Stream.Name} mapped all failed there; " +
                $"nothing of the page in hand was committed. Fix the template in a new version of {context.Definition.Id}, then run it again)");
        }
    }

    private static QuarantineEntry Quarantine(RunRecord run, WorkflowDefinition definition, StreamDefinition stream, string sourceId, string stage, string reason, string payload) =>
        new(definition.Id, stream.Name, sourceId, stage, reason, payload, 1, run.RunId, default);

    private static void Plan(List<PlannedAction> planned, RunRecord run, StreamDefinition stream, string sourceId, string action, string reason)
    {
        if (run.DryRun)
        {
            planned.Add(new PlannedAction(stream.Name, sourceId, action, reason));
        }
    }

    /// <summary>The stream's first records all failed at one place in the template: the run stops.</summary>
    private sealed class TemplateFailsEveryRecordException(string message) : Exception(message);

    /// <summary>The run is now owned by another orchestration instance; this one must stop without committing.</summary>
    private sealed class RunSupersededException(string runId) : Exception($"Run {runId} is owned by another orchestration instance.");

    /// <summary>What every page of one call shares. A record stream has a template and a writer; a membership stream a
    /// membership writer.</summary>
    private sealed record PageContext(RunRecord Run, string Owner, WorkflowDefinition Definition, StreamDefinition Stream, string Scope, ApiCallMeter Meter)
    {
        public Mapping.MappingTemplate? Template { get; init; }

        public ISourceReader? Reader { get; init; }

        public ITargetWriter? Writer { get; init; }

        public IMembershipWriter? Members { get; init; }
    }
}
