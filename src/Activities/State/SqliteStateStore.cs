using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Activities.State;

/// <summary>
/// The sync's own progress in one SQLite file: runs, cursors, links, quarantine and dry-run plans.
/// </summary>
/// <remarks>
/// A page commits in one transaction (links + cursor + quarantine + counters), fenced by the run's owner, so a
/// crash before the commit redoes the page and an orchestration that was superseded cannot move the cursor.
/// This, not the orchestration history, is what a resumed run continues from.
/// </remarks>
public sealed partial class SqliteStateStore
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS runs (
            run_id TEXT PRIMARY KEY, module TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL,
            pinned_definition TEXT NOT NULL, dry_run INTEGER NOT NULL, replay INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL, owner TEXT, attempt INTEGER NOT NULL,
            started_at TEXT NOT NULL, finished_at TEXT, error TEXT,
            read INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0, pages INTEGER NOT NULL DEFAULT 0,
            api_calls TEXT NOT NULL DEFAULT '{}');
        CREATE INDEX IF NOT EXISTS runs_module ON runs (module, started_at);
        CREATE TABLE IF NOT EXISTS cursors (
            scope TEXT NOT NULL, module TEXT NOT NULL, stream TEXT NOT NULL, cursor TEXT NOT NULL, run_id TEXT NOT NULL, updated_at TEXT NOT NULL,
            PRIMARY KEY (scope, module, stream));
        CREATE TABLE IF NOT EXISTS links (
            module TEXT NOT NULL, stream TEXT NOT NULL, source_id TEXT NOT NULL, target_id TEXT NOT NULL,
            source_hash TEXT NOT NULL, target_hash TEXT NOT NULL, synced_at TEXT NOT NULL,
            PRIMARY KEY (module, stream, source_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS quarantine (
            module TEXT NOT NULL, stream TEXT NOT NULL, source_id TEXT NOT NULL, stage TEXT NOT NULL, reason TEXT NOT NULL,
            payload TEXT NOT NULL, attempts INTEGER NOT NULL, run_id TEXT NOT NULL, last_seen TEXT NOT NULL,
            PRIMARY KEY (module, stream, source_id));
        CREATE TABLE IF NOT EXISTS pairs (
            module TEXT NOT NULL, ivvy_id TEXT NOT NULL, crm_id TEXT NOT NULL, ivvy_state TEXT NOT NULL, crm_state TEXT NOT NULL,
            synced_at TEXT NOT NULL, PRIMARY KEY (module, ivvy_id)) WITHOUT ROWID;
        CREATE UNIQUE INDEX IF NOT EXISTS pairs_crm ON pairs (module, crm_id);
        CREATE TABLE IF NOT EXISTS conflicts (
            module TEXT NOT NULL, ivvy_id TEXT NOT NULL, crm_id TEXT NOT NULL, ivvy_value TEXT NOT NULL, crm_value TEXT NOT NULL,
            winner TEXT NOT NULL, policy TEXT NOT NULL, run_id TEXT NOT NULL, at TEXT NOT NULL,
            PRIMARY KEY (module, ivvy_id, crm_id, ivvy_value, crm_value));
        CREATE TABLE IF NOT EXISTS pair_events (
            module TEXT NOT NULL, ivvy_id TEXT NOT NULL, crm_id TEXT NOT NULL, side TEXT NOT NULL, event TEXT NOT NULL,
            action TEXT NOT NULL, detail TEXT NOT NULL, run_id TEXT NOT NULL, at TEXT NOT NULL,
            PRIMARY KEY (module, ivvy_id, crm_id, side, event));
        CREATE INDEX IF NOT EXISTS pair_events_unlinked ON pair_events (module, side, action);
        CREATE TABLE IF NOT EXISTS memberships (
            module TEXT NOT NULL, group_id TEXT NOT NULL, list_id TEXT NOT NULL, ivvy_id TEXT NOT NULL, crm_id TEXT NOT NULL,
            PRIMARY KEY (module, ivvy_id, group_id, list_id)) WITHOUT ROWID;
        CREATE INDEX IF NOT EXISTS memberships_list ON memberships (module, list_id, crm_id);
        CREATE TABLE IF NOT EXISTS key_writebacks (
            module TEXT NOT NULL, stream TEXT NOT NULL, record_id TEXT NOT NULL, key TEXT NOT NULL,
            PRIMARY KEY (module, stream, record_id)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS map_probes (
            run_id TEXT NOT NULL, stream TEXT NOT NULL, seen INTEGER NOT NULL, position TEXT, reason TEXT, settled INTEGER NOT NULL,
            PRIMARY KEY (run_id, stream)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS plans (
            run_id TEXT NOT NULL, stream TEXT NOT NULL, source_id TEXT NOT NULL, action TEXT NOT NULL, reason TEXT NOT NULL,
            PRIMARY KEY (run_id, stream, source_id));
        CREATE TABLE IF NOT EXISTS run_streams (
            run_id TEXT NOT NULL, stream TEXT NOT NULL,
            read INTEGER NOT NULL DEFAULT 0, created INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0, quarantined INTEGER NOT NULL DEFAULT 0, pages INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (run_id, stream)) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS replay_selection (
            run_id TEXT NOT NULL, stream TEXT NOT NULL, source_id TEXT NOT NULL,
            PRIMARY KEY (run_id, stream, source_id)) WITHOUT ROWID;
        """;

    private readonly string _connectionString;
    private readonly TimeProvider _time;

    public SqliteStateStore(string path, TimeProvider? time = null)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        _time = time ?? TimeProvider.System;
        using var connection = Open();
        Execute(connection, null, Schema);
        Execute(connection, null, KeysetIndexes);
        AddColumnIfMissing(connection, "runs", "replay", "INTEGER NOT NULL DEFAULT 0");
        AddColumnIfMissing(connection, "runs", "failure_stage", "TEXT");
        AddColumnIfMissing(connection, "runs", "failure_class", "TEXT");
    }

    /// <param name="replaySelection">For a replay run restricted to some quarantined records: those records (stream,
    /// source id); the module's other quarantined records stay as they are. Null or empty: a replay takes them all.</param>
    public Task CreateRunAsync(RunRecord run, IReadOnlyCollection<(string Stream, string SourceId)>? replaySelection = null)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        Execute(connection, transaction, """
            INSERT INTO runs (run_id, module, version, content_hash, pinned_definition, dry_run, replay, status, owner, attempt, started_at)
            VALUES ($id, $module, $version, $hash, $pinned, $dry, $replay, $status, $owner, $attempt, $started)
            """,
            ("$id", run.RunId), ("$module", run.Module), ("$version", run.Version), ("$hash", run.ContentHash),
            ("$pinned", run.PinnedDefinition), ("$dry", run.DryRun ? 1 : 0), ("$replay", run.Replay ? 1 : 0), ("$status", run.Status.ToString()),
            ("$owner", run.Owner), ("$attempt", run.Attempt), ("$started", Format(run.StartedAt)));
        foreach (var (stream, sourceId) in replaySelection ?? [])
        {
            Execute(connection, transaction, "INSERT OR IGNORE INTO replay_selection (run_id, stream, source_id) VALUES ($id, $stream, $source)",
                ("$id", run.RunId), ("$stream", stream), ("$source", sourceId));
        }

        transaction.Commit();
        return Task.CompletedTask;
    }

    public Task<RunRecord?> GetRunAsync(string runId)
    {
        using var connection = Open();
        return Task.FromResult(QueryRuns(connection, "WHERE run_id = $id", ("$id", runId)).FirstOrDefault());
    }

    /// <summary>Most recent runs first.</summary>
    public Task<IReadOnlyList<RunRecord>> ListRunsAsync(int limit = 20, string? module = null)
    {
        using var connection = Open();
        IReadOnlyList<RunRecord> runs = QueryRuns(connection,
            "WHERE ($module IS NULL OR module = $module) ORDER BY started_at DESC, run_id DESC LIMIT $limit", ("$module", module), ("$limit", limit));
        return Task.FromResult(runs);
    }

    /// <summary>The live (not dry) run of a module that has not finished, if any: a new run continues it.</summary>
    public Task<RunRecord?> FindUnfinishedRunAsync(string module)
    {
        using var connection = Open();
        return Task.FromResult(QueryRuns(connection,
            "WHERE module = $module AND status = 'Running' AND dry_run = 0 AND replay = 0 ORDER BY started_at DESC LIMIT 1", ("$module", module)).FirstOrDefault());
    }

    /// <summary>Starts a new attempt of a run: its owner becomes "{runId}.{attempt}", the only orchestration instance
    /// allowed to commit pages from now on (a fencing token: an older instance that wakes up later is refused).</summary>
    public Task<RunRecord> ClaimRunAsync(string runId)
    {
        using var connection = Open();
        var changed = Execute(connection, null, """
            UPDATE runs SET attempt = attempt + 1, owner = run_id || '.' || (attempt + 1), status = 'Running', finished_at = NULL, error = NULL,
                failure_stage = NULL, failure_class = NULL
            WHERE run_id = $id
            """, ("$id", runId));
        return changed == 0
            ? throw new Workflows.BadInputException($"There is no run '{runId}' (see `ivvy-workflows status`).")
            : Task.FromResult(QueryRuns(connection, "WHERE run_id = $id", ("$id", runId)).Single());
    }

    /// <summary>Ends a run; refused (false) when <paramref name="owner"/> no longer owns it. A run finished as
    /// <see cref="RunStatus.Completed"/> that quarantined records in it is recorded as <see cref="RunStatus.CompletedWithErrors"/>.</summary>
    /// <param name="failure">Where a failed run stopped and the class of its error (see <see cref="RunRecord.FailureStage"/>).</param>
    public Task<bool> FinishRunAsync(string runId, string owner, RunStatus status, string? error, RunFailureClass? failure = null)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        var changed = Execute(connection, transaction, """
            UPDATE runs SET status = CASE WHEN $status = 'Completed' AND quarantined > 0 THEN 'CompletedWithErrors' ELSE $status END,
                finished_at = $now, error = $error, failure_stage = $stage, failure_class = $class
            WHERE run_id = $id AND owner = $owner
            """,
            ("$status", status.ToString()), ("$now", Format(_time.GetUtcNow())), ("$error", error), ("$stage", failure?.Stage),
            ("$class", failure?.ErrorClass), ("$id", runId), ("$owner", owner));
        // A dry run's cursor is scratch: it must never become a live cursor.
        Execute(connection, transaction, "DELETE FROM cursors WHERE scope = $id", ("$id", runId));
        transaction.Commit();
        return Task.FromResult(changed == 1);
    }

    /// <summary>Marks a run terminated by an operator, whoever owns it.</summary>
    public Task TerminateRunAsync(string runId, string reason)
    {
        using var connection = Open();
        Execute(connection, null, "UPDATE runs SET status = 'Terminated', finished_at = $now, error = $reason, owner = NULL WHERE run_id = $id AND status = 'Running'",
            ("$now", Format(_time.GetUtcNow())), ("$reason", reason), ("$id", runId));
        return Task.CompletedTask;
    }

    /// <summary>The stored cursor JSON of a stream and the run that last moved it.</summary>
    public Task<(string Cursor, string RunId)?> GetCursorAsync(string scope, string module, string stream)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT cursor, run_id FROM cursors WHERE scope = $scope AND module = $module AND stream = $stream",
            ("$scope", scope), ("$module", module), ("$stream", stream));
        using var reader = command.ExecuteReader();
        return Task.FromResult<(string, string)?>(reader.Read() ? (reader.GetString(0), reader.GetString(1)) : null);
    }

    /// <summary>Saves a cursor outside a page commit (opening a window, or seeding a dry run's scratch cursor); fenced by the run's owner.</summary>
    public Task<bool> SaveCursorAsync(string runId, string owner, string scope, string module, string stream, string cursorJson)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        if (!Owns(connection, transaction, runId, owner))
        {
            return Task.FromResult(false);
        }

        UpsertCursor(connection, transaction, scope, module, stream, cursorJson, runId);
        transaction.Commit();
        return Task.FromResult(true);
    }

    /// <summary>The links of the given source ids (those that have one).</summary>
    public Task<IReadOnlyDictionary<string, Link>> GetLinksAsync(string module, string stream, IReadOnlyCollection<string> sourceIds)
    {
        var links = new Dictionary<string, Link>(StringComparer.Ordinal);
        if (sourceIds.Count > 0)
        {
            using var connection = Open();
            var names = sourceIds.Select((_, i) => $"$s{i}").ToList();
            using var command = Command(connection, null,
                $"SELECT source_id, target_id, source_hash, target_hash, synced_at FROM links WHERE module = $module AND stream = $stream AND source_id IN ({string.Join(',', names)})",
                ("$module", module), ("$stream", stream));
            var i = 0;
            foreach (var id in sourceIds)
            {
                command.Parameters.AddWithValue(names[i++], id);
            }

            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var link = new Link(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), Parse(reader.GetString(4)));
                links[link.SourceId] = link;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, Link>>(links);
    }

    /// <summary>The pairs of a two-way module whose <paramref name="side"/> ("ivvy" or "crm") id is among <paramref name="ids"/>,
    /// keyed by that id.</summary>
    public Task<IReadOnlyDictionary<string, Pair>> GetPairsAsync(string module, string side, IReadOnlyCollection<string> ids)
    {
        var pairs = new Dictionary<string, Pair>(StringComparer.Ordinal);
        if (ids.Count > 0)
        {
            var column = side == "ivvy" ? "ivvy_id" : "crm_id";
            using var connection = Open();
            var names = ids.Select((_, i) => $"$p{i}").ToList();
            using var command = Command(connection, null,
                $"SELECT ivvy_id, crm_id, ivvy_state, crm_state, synced_at FROM pairs WHERE module = $module AND {column} IN ({string.Join(',', names)})",
                ("$module", module));
            var i = 0;
            foreach (var id in ids)
            {
                command.Parameters.AddWithValue(names[i++], id);
            }

            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                var pair = new Pair(reader.GetString(0), reader.GetString(1), (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(2))!,
                    (System.Text.Json.Nodes.JsonObject)System.Text.Json.Nodes.JsonNode.Parse(reader.GetString(3))!, Parse(reader.GetString(4)));
                pairs[side == "ivvy" ? pair.IvvyId : pair.CrmId] = pair;
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, Pair>>(pairs);
    }

    /// <summary>The CRM ids another module paired with these iVvy ids (its two-way pairs, or its one-way links), keyed
    /// by iVvy id; ids it has not synced are absent.</summary>
    public Task<IReadOnlyDictionary<string, string>> ResolveCrmIdsAsync(string module, IReadOnlyCollection<string> ivvyIds)
    {
        var resolved = new Dictionary<string, string>(StringComparer.Ordinal);
        if (ivvyIds.Count > 0)
        {
            using var connection = Open();
            var names = ivvyIds.Select((_, i) => $"$i{i}").ToList();
            var list = string.Join(',', names);
            using var command = Command(connection, null, $"""
                SELECT ivvy_id, crm_id FROM pairs WHERE module = $module AND ivvy_id IN ({list})
                UNION ALL
                SELECT source_id, target_id FROM links WHERE module = $module AND source_id IN ({list})
                """, ("$module", module));
            var i = 0;
            foreach (var id in ivvyIds)
            {
                command.Parameters.AddWithValue(names[i++], id);
            }

            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                resolved.TryAdd(reader.GetString(0), reader.GetString(1));
            }
        }

        return Task.FromResult<IReadOnlyDictionary<string, string>>(resolved);
    }

    /// <summary>The iVvy ids another module paired with these CRM ids (its two-way pairs, or its one-way links), keyed by
    /// CRM id; ids it has not synced are absent.</summary>
    public Task<IReadOnlyDictionary<string, string>> ResolveIvvyIdsAsync(string module, IReadOnlyCollection<string> crmIds) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(Query(In("""
            SELECT crm_id, ivvy_id FROM pairs WHERE module = $module AND crm_id IN ({0})
            UNION ALL
            SELECT target_id, source_id FROM links WHERE module = $module AND target_id IN ({0})
            """, crmIds, out var values), r => (r.GetString(0), r.GetString(1)), [("$module", module), .. values])
            .DistinctBy(p => p.Item1).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal));

    /// <summary>Keys a stream's committed pages still have to write back to their source records (record id, key).</summary>
    public Task<IReadOnlyList<(string RecordId, string Key)>> ListKeyWriteBacksAsync(string module, string stream) =>
        Task.FromResult<IReadOnlyList<(string, string)>>(Query("SELECT record_id, key FROM key_writebacks WHERE module = $module AND stream = $stream",
            r => (r.GetString(0), r.GetString(1)), [("$module", module), ("$stream", stream)]));

    /// <summary>Forgets key write-backs that were made (or refused for good).</summary>
    public Task ClearKeyWriteBacksAsync(string module, string stream, IReadOnlyCollection<string> recordIds)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction();
        foreach (var id in recordIds)
        {
            Execute(connection, transaction, "DELETE FROM key_writebacks WHERE module = $module AND stream = $stream AND record_id = $record",
                ("$module", module), ("$stream", stream), ("$record", id));
        }

        transaction.Commit();
        return Task.CompletedTask;
    }

    /// <summary>Every link of a stream, source id → target id (e.g. each iVvy group's HubSpot list).</summary>
    public Task<IReadOnlyDictionary<string, string>> ListLinksAsync(string module, string stream) =>
        Task.FromResult<IReadOnlyDictionary<string, string>>(Query("SELECT source_id, target_id FROM links WHERE module = $module AND stream = $stream",
            r => (r.GetString(0), r.GetString(1)), [("$module", module), ("$stream", stream)]).ToDictionary(p => p.Item1, p => p.Item2, StringComparer.Ordinal));

    /// <summary>The agreed memberships of these iVvy members, in every list.</summary>
    public Task<IReadOnlyList<Membership>> GetMembershipsAsync(string module, IReadOnlyCollection<string> ivvyIds) =>
        Task.FromResult<IReadOnlyList<Membership>>(Query(In("SELECT group_id, list_id, ivvy_id, crm_id FROM memberships WHERE module = $module AND ivvy_id IN ({0})",
            ivvyIds, out var values), ReadMembership, [("$module", module), .. values]));

    /// <summary>The agreed members of a list whose (numeric) CRM id is in (<paramref name="afterCrmId"/>,
    /// <paramref name="throughCrmId"/>]; a null bound is open.</summary>
    public Task<IReadOnlyList<Membership>> GetMembershipSliceAsync(string module, string list, long? afterCrmId, long? throughCrmId) =>
        Task.FromResult<IReadOnlyList<Membership>>(Query("""
            SELECT group_id, list_id, ivvy_id, crm_id FROM memberships WHERE module = $module AND list_id = $list
                AND ($after IS NULL OR CAST(crm_id AS INTEGER) > $after) AND ($through IS NULL OR CAST(crm_id AS INTEGER) <= $through)
            """, ReadMembership, [("$module", module), ("$list", list), ("$after", afterCrmId), ("$through", throughCrmId)]));

    public Task<IReadOnlyList<ConflictEntry>> ListConflictsAsync(string module, int limit = 100)
    {
        using var connection = Open();
        using var command = Command(connection, null, """
            SELECT module, ivvy_id, crm_id, ivvy_value, crm_value, winner, policy, run_id, at FROM conflicts
            WHERE module = $module ORDER BY at DESC LIMIT $limit
            """, ("$module", module), ("$limit", limit));
        using var reader = command.ExecuteReader();
        var entries = new List<ConflictEntry>();
        while (reader.Read())
        {
            entries.Add(new ConflictEntry(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), reader.GetString(4),
                reader.GetString(5), reader.GetString(6), reader.GetString(7), Parse(reader.GetString(8))));
        }

        return Task.FromResult<IReadOnlyList<ConflictEntry>>(entries);
    }

    /// <summary>The module's pair events (deletions and merges, and what was done), newest first.</summary>
    public Task<IReadOnlyList<PairEvent>> ListPairEventsAsync(string module, int limit = 100) =>
        Task.FromResult<IReadOnlyList<PairEvent>>(Query("""
            SELECT module, ivvy_id, crm_id, side, event, action, detail, run_id, at FROM pair_events
            WHERE module = $module ORDER BY at DESC LIMIT $limit
            """,
            r => new PairEvent(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetString(6),
                r.GetString(7), Parse(r.GetString(8))),
            [("$module", module), ("$limit", limit)]));

    /// <summary>Those of <paramref name="ids"/> (record ids of <paramref name="side"/>) whose record was deleted or merged
    /// away there and whose pair was unlinked: a record on the other side whose key names one is synced no longer.</summary>
    public Task<IReadOnlySet<string>> GetUnlinkedAsync(string module, string side, IReadOnlyCollection<string> ids)
    {
        if (ids.Count == 0)
        {
            return Task.FromResult<IReadOnlySet<string>>(new HashSet<string>());
        }

        var column = side == "ivvy" ? "ivvy_id" : "crm_id";
        return Task.FromResult<IReadOnlySet<string>>(Query(In($"SELECT {column} FROM pair_events WHERE module = $module AND side = $side AND action = 'unlink' AND {column} IN ({{0}})",
            ids, out var values), r => r.GetString(0), [("$module", module), ("$side", side), .. values]).ToHashSet(StringComparer.Ordinal));
    }

    public Task<long> CountLinksAsync(string module, string stream)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT COUNT(*) FROM links WHERE module = $module AND stream = $stream", ("$module", module), ("$stream", stream));
        return Task.FromResult((long)command.ExecuteScalar()!);
    }

    /// <summary>
    /// Follows the first records a run's stream maps, in order: <paramref name="outcomes"/> holds each record's failure
    /// position (template line:column) and reason, or a null position for a record that mapped. Returns the first
    /// failure's reason once <paramref name="limit"/> records in a row, from the stream's first, failed at one position;
    /// null otherwise. The probe settles at the first record that maps or fails elsewhere; once tripped, it stays tripped
    /// (a resumed run with the same pinned template stops again at once).
    /// </summary>
    public Task<string?> ProbeMapFailuresAsync(string runId, string stream, int limit, IReadOnlyList<(string? Position, string? Reason)> outcomes)
    {
        if (limit <= 0 || outcomes.Count == 0)
        {
            return Task.FromResult<string?>(null);
        }

        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        long seen = 0;
        string? position = null, reason = null;
        var settled = false;
        var tripped = false;
        using (var read = Command(connection, transaction, "SELECT seen, position, reason, settled FROM map_probes WHERE run_id = $run AND stream = $stream",
                   ("$run", runId), ("$stream", stream)))
        using (var reader = read.ExecuteReader())
        {
            if (reader.Read())
            {
                (seen, position, reason) = (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2));
                (settled, tripped) = (reader.GetInt64(3) >= 1, reader.GetInt64(3) == 2);
            }
        }

        foreach (var (failedAt, why) in outcomes)
        {
            if (settled)
            {
                break;
            }

            if (failedAt is null || (seen > 0 && failedAt != position))
            {
                settled = true;
                break;
            }

            (position, reason, seen) = seen == 0 ? (failedAt, why, 1) : (position, reason, seen + 1);
            if (seen >= limit)
            {
                (tripped, settled) = (true, true);
            }
        }

        Execute(connection, transaction, """
            INSERT INTO map_probes (run_id, stream, seen, position, reason, settled) VALUES ($run, $stream, $seen, $position, $reason, $settled)
            ON CONFLICT (run_id, stream) DO UPDATE SET seen = excluded.seen, position = excluded.position, reason = excluded.reason, settled = excluded.settled
            """, ("$run", runId), ("$stream", stream), ("$seen", seen), ("$position", position), ("$reason", reason), ("$settled", tripped ? 2 : settled ? 1 : 0));
        transaction.Commit();
        return Task.FromResult(tripped ? reason : null);
    }

    /// <summary>Commits one page in one transaction; returns false (and writes nothing) when <see cref="PageCommit.Owner"/>
    /// no longer owns the run.</summary>
    public Task<bool> CommitPageAsync(PageCommit page)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        if (!Owns(connection, transaction, page.RunId, page.Owner))
        {
            return Task.FromResult(false);
        }

        var now = Format(_time.GetUtcNow());
        foreach (var link in page.Links)
        {
            Execute(connection, transaction, """
                INSERT INTO links (module, stream, source_id, target_id, source_hash, target_hash, synced_at)
                VALUES ($module, $stream, $source, $target, $sh, $th, $at)
                ON CONFLICT (module, stream, source_id) DO UPDATE SET target_id = excluded.target_id,
                    source_hash = excluded.source_hash, target_hash = excluded.target_hash, synced_at = excluded.synced_at
                """,
                ("$module", page.Module), ("$stream", page.Stream), ("$source", link.SourceId), ("$target", link.TargetId),
                ("$sh", link.SourceHash), ("$th", link.TargetHash), ("$at", Format(link.SyncedAt)));
        }

        foreach (var sourceId in page.Unlinked)
        {
            Execute(connection, transaction, "DELETE FROM links WHERE module = $module AND stream = $stream AND source_id = $source",
                ("$module", page.Module), ("$stream", page.Stream), ("$source", sourceId));
        }

        foreach (var sourceId in page.Synced)
        {
            Execute(connection, transaction, "DELETE FROM quarantine WHERE module = $module AND stream = $stream AND source_id = $source",
                ("$module", page.Module), ("$stream", page.Stream), ("$source", sourceId));
        }

        foreach (var q in page.Quarantined)
        {
            Execute(connection, transaction, """
                INSERT INTO quarantine (module, stream, source_id, stage, reason, payload, attempts, run_id, last_seen)
                VALUES ($module, $stream, $source, $stage, $reason, $payload, 1, $run, $now)
                ON CONFLICT (module, stream, source_id) DO UPDATE SET stage = excluded.stage, reason = excluded.reason,
                    payload = excluded.payload, attempts = quarantine.attempts + 1, run_id = excluded.run_id, last_seen = excluded.last_seen
                """,
                ("$module", q.Module), ("$stream", q.Stream), ("$source", q.SourceId), ("$stage", q.Stage), ("$reason", q.Reason),
                ("$payload", q.Payload), ("$run", q.RunId), ("$now", now));
        }

        foreach (var gone in page.Unpaired)
        {
            Execute(connection, transaction, "DELETE FROM pairs WHERE module = $module AND ivvy_id = $ivvy AND crm_id = $crm",
                ("$module", page.Module), ("$ivvy", gone.IvvyId), ("$crm", gone.CrmId));
        }

        foreach (var e in page.PairEvents)
        {
            Execute(connection, transaction, """
                INSERT OR IGNORE INTO pair_events (module, ivvy_id, crm_id, side, event, action, detail, run_id, at)
                VALUES ($module, $ivvy, $crm, $side, $event, $action, $detail, $run, $at)
                """,
                ("$module", e.Module), ("$ivvy", e.IvvyId), ("$crm", e.CrmId), ("$side", e.Side), ("$event", e.Event), ("$action", e.Action),
                ("$detail", e.Detail), ("$run", e.RunId), ("$at", Format(e.At)));
        }

        foreach (var pair in page.Pairs)
        {
            // A CRM record pairs with one iVvy record: a new pair replaces any older one of either id.
            Execute(connection, transaction, "DELETE FROM pairs WHERE module = $module AND (crm_id = $crm OR ivvy_id = $ivvy)",
                ("$module", page.Module), ("$crm", pair.CrmId), ("$ivvy", pair.IvvyId));
            Execute(connection, transaction, """
                INSERT INTO pairs (module, ivvy_id, crm_id, ivvy_state, crm_state, synced_at) VALUES ($module, $ivvy, $crm, $is, $cs, $at)
                """,
                ("$module", page.Module), ("$ivvy", pair.IvvyId), ("$crm", pair.CrmId), ("$is", pair.IvvyState.ToJsonString()),
                ("$cs", pair.CrmState.ToJsonString()), ("$at", Format(pair.SyncedAt)));
        }

        foreach (var (member, present) in page.Memberships)
        {
            Execute(connection, transaction, present
                    ? "INSERT OR REPLACE INTO memberships (module, group_id, list_id, ivvy_id, crm_id) VALUES ($module, $group, $list, $ivvy, $crm)"
                    : "DELETE FROM memberships WHERE module = $module AND group_id = $group AND list_id = $list AND ivvy_id = $ivvy",
                ("$module", page.Module), ("$group", member.Group), ("$list", member.List), ("$ivvy", member.IvvyId), ("$crm", member.CrmId));
        }

        foreach (var (recordId, key) in page.KeyWriteBacks)
        {
            Execute(connection, transaction, "INSERT OR REPLACE INTO key_writebacks (module, stream, record_id, key) VALUES ($module, $stream, $record, $key)",
                ("$module", page.Module), ("$stream", page.Stream), ("$record", recordId), ("$key", key));
        }

        foreach (var conflict in page.Conflicts)
        {
            Execute(connection, transaction, """
                INSERT OR IGNORE INTO conflicts (module, ivvy_id, crm_id, ivvy_value, crm_value, winner, policy, run_id, at)
                VALUES ($module, $ivvy, $crm, $iv, $cv, $winner, $policy, $run, $at)
                """,
                ("$module", conflict.Module), ("$ivvy", conflict.IvvyId), ("$crm", conflict.CrmId), ("$iv", conflict.IvvyValue),
                ("$cv", conflict.CrmValue), ("$winner", conflict.Winner), ("$policy", conflict.Policy), ("$run", conflict.RunId), ("$at", Format(conflict.At)));
        }

        foreach (var p in page.Planned)
        {
            Execute(connection, transaction, "INSERT OR REPLACE INTO plans (run_id, stream, source_id, action, reason) VALUES ($run, $stream, $source, $action, $reason)",
                ("$run", page.RunId), ("$stream", p.Stream), ("$source", p.SourceId), ("$action", p.Action), ("$reason", p.Reason));
        }

        UpsertCursor(connection, transaction, page.CursorScope, page.Module, page.Stream, page.CursorJson, page.RunId);

        var calls = ReadApiCalls(connection, transaction, page.RunId);
        foreach (var (endpoint, n) in page.ApiCalls)
        {
            calls[endpoint] = calls.GetValueOrDefault(endpoint) + n;
        }

        var c = page.Counters;
        Execute(connection, transaction, """
            UPDATE runs SET read = read + $read, created = created + $created, updated = updated + $updated,
                unchanged = unchanged + $unchanged, quarantined = quarantined + $quarantined, pages = pages + $pages, api_calls = $calls
            WHERE run_id = $id
            """,
            ("$read", c.Read), ("$created", c.Created), ("$updated", c.Updated), ("$unchanged", c.Unchanged),
            ("$quarantined", c.Quarantined), ("$pages", c.Pages), ("$calls", JsonSerializer.Serialize(calls)), ("$id", page.RunId));
        Execute(connection, transaction, """
            INSERT INTO run_streams (run_id, stream, read, created, updated, unchanged, quarantined, pages)
            VALUES ($id, $stream, $read, $created, $updated, $unchanged, $quarantined, $pages)
            ON CONFLICT (run_id, stream) DO UPDATE SET read = read + excluded.read, created = created + excluded.created,
                updated = updated + excluded.updated, unchanged = unchanged + excluded.unchanged,
                quarantined = quarantined + excluded.quarantined, pages = pages + excluded.pages
            """,
            ("$id", page.RunId), ("$stream", page.Stream), ("$read", c.Read), ("$created", c.Created), ("$updated", c.Updated),
            ("$unchanged", c.Unchanged), ("$quarantined", c.Quarantined), ("$pages", c.Pages));
        transaction.Commit();
        return Task.FromResult(true);
    }

    /// <summary>Adds remote calls made outside a page (opening a window) to a run's counts.</summary>
    public Task AddApiCallsAsync(string runId, IReadOnlyDictionary<string, long> apiCalls)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: false);
        var calls = ReadApiCalls(connection, transaction, runId);
        foreach (var (endpoint, n) in apiCalls)
        {
            calls[endpoint] = calls.GetValueOrDefault(endpoint) + n;
        }

        Execute(connection, transaction, "UPDATE runs SET api_calls = $calls WHERE run_id = $id", ("$calls", JsonSerializer.Serialize(calls)), ("$id", runId));
        transaction.Commit();
        return Task.CompletedTask;
    }

    /// <summary>Quarantined records, most recent first (or of one stream, oldest first, as a replay takes them).</summary>
    public Task<IReadOnlyList<QuarantineEntry>> ListQuarantineAsync(string? module = null, int limit = 100, string? stream = null, long offset = 0)
    {
        using var connection = Open();
        using var command = Command(connection, null, """
            SELECT module, stream, source_id, stage, reason, payload, attempts, run_id, last_seen FROM quarantine
            WHERE ($module IS NULL OR module = $module) AND ($stream IS NULL OR stream = $stream)
            ORDER BY CASE WHEN $stream IS NULL THEN last_seen END DESC, last_seen, source_id LIMIT $limit OFFSET $offset
            """, ("$module", module), ("$stream", stream), ("$limit", limit), ("$offset", offset));
        using var reader = command.ExecuteReader();
        var entries = new List<QuarantineEntry>();
        while (reader.Read())
        {
            entries.Add(ReadQuarantine(reader));
        }

        return Task.FromResult<IReadOnlyList<QuarantineEntry>>(entries);
    }

    /// <summary>The quarantined records of one stream a replay run takes, oldest first: the records it was started for,
    /// or all of the stream's when it was started for all.</summary>
    public Task<IReadOnlyList<QuarantineEntry>> ListReplayEntriesAsync(string runId, string module, string stream) =>
        Task.FromResult<IReadOnlyList<QuarantineEntry>>(Query("""
            SELECT q.module, q.stream, q.source_id, q.stage, q.reason, q.payload, q.attempts, q.run_id, q.last_seen FROM quarantine q
            WHERE q.module = $module AND q.stream = $stream
              AND (NOT EXISTS (SELECT 1 FROM replay_selection WHERE run_id = $run)
                   OR EXISTS (SELECT 1 FROM replay_selection r WHERE r.run_id = $run AND r.stream = q.stream AND r.source_id = q.source_id))
            ORDER BY q.last_seen, q.source_id
            """, ReadQuarantine, [("$module", module), ("$stream", stream), ("$run", runId)]));

    /// <summary>A run's committed counters per stream, in the order the streams were first committed.</summary>
    public Task<IReadOnlyDictionary<string, RunCounters>> GetStreamCountersAsync(string runId) =>
        Task.FromResult<IReadOnlyDictionary<string, RunCounters>>(Query(
            "SELECT stream, read, created, updated, unchanged, quarantined, pages FROM run_streams WHERE run_id = $id",
            r => (Stream: r.GetString(0), Counters: new RunCounters(r.GetInt64(1), r.GetInt64(2), r.GetInt64(3), r.GetInt64(4), r.GetInt64(5), r.GetInt64(6))),
            [("$id", runId)]).ToDictionary(s => s.Stream, s => s.Counters, StringComparer.Ordinal));

    /// <summary>One page of the quarantine (most recent first) and how many entries there are in all.</summary>
    public async Task<Page<QuarantineEntry>> PageQuarantineAsync(string? module, PageRequest page) =>
        new(await ListQuarantineAsync(module, page.Size, offset: page.Offset), Count("SELECT COUNT(*) FROM quarantine WHERE ($module IS NULL OR module = $module)", ("$module", module)), page);

    public Task<IReadOnlyList<PlannedAction>> ListPlanAsync(string runId, int limit = 1000, long offset = 0)
    {
        using var connection = Open();
        using var command = Command(connection, null, "SELECT stream, source_id, action, reason FROM plans WHERE run_id = $run ORDER BY rowid LIMIT $limit OFFSET $offset",
            ("$run", runId), ("$limit", limit), ("$offset", offset));
        using var reader = command.ExecuteReader();
        var plan = new List<PlannedAction>();
        while (reader.Read())
        {
            plan.Add(new PlannedAction(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3)));
        }

        return Task.FromResult<IReadOnlyList<PlannedAction>>(plan);
    }

    /// <summary>One page of a dry run's plan (in the order the records were read) and how many actions it holds in all.</summary>
    public async Task<Page<PlannedAction>> PagePlanAsync(string runId, PageRequest page) =>
        new(await ListPlanAsync(runId, page.Size, page.Offset), Count("SELECT COUNT(*) FROM plans WHERE run_id = $run", ("$run", runId)), page);

    private long Count(string sql, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        using var command = Command(connection, null, sql, parameters);
        return (long)command.ExecuteScalar()!;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, null, "PRAGMA synchronous = NORMAL; PRAGMA busy_timeout = 30000;");
        return connection;
    }

    /// <summary>Brings a state store written by an earlier version up to the current schema.</summary>
    private static void AddColumnIfMissing(SqliteConnection connection, string table, string column, string definition)
    {
        using var command = Command(connection, null, $"SELECT COUNT(*) FROM pragma_table_info('{table}') WHERE name = $column", ("$column", column));
        if ((long)command.ExecuteScalar()! == 0)
        {
            Execute(connection, null, $"ALTER TABLE {table} ADD COLUMN {column} {definition}");
        }
    }

    private static bool Owns(SqliteConnection connection, SqliteTransaction transaction, string runId, string owner)
    {
        using var command = Command(connection, transaction, "SELECT 1 FROM runs WHERE run_id = $id AND owner = $owner AND status = 'Running'",
            ("$id", runId), ("$owner", owner));
        return command.ExecuteScalar() is not null;
    }

    private void UpsertCursor(SqliteConnection connection, SqliteTransaction transaction, string scope, string module, string stream, string cursor, string runId) =>
        Execute(connection, transaction, """
            INSERT INTO cursors (scope, module, stream, cursor, run_id, updated_at) VALUES ($scope, $module, $stream, $cursor, $run, $now)
            ON CONFLICT (scope, module, stream) DO UPDATE SET cursor = excluded.cursor, run_id = excluded.run_id, updated_at = excluded.updated_at
            """,
            ("$scope", scope), ("$module", module), ("$stream", stream), ("$cursor", cursor), ("$run", runId), ("$now", Format(_time.GetUtcNow())));

    private static Dictionary<string, long> ReadApiCalls(SqliteConnection connection, SqliteTransaction transaction, string runId)
    {
        using var command = Command(connection, transaction, "SELECT api_calls FROM runs WHERE run_id = $id", ("$id", runId));
        return command.ExecuteScalar() is string json
            ? JsonSerializer.Deserialize<Dictionary<string, long>>(json) ?? []
            : [];
    }

    private static List<RunRecord> QueryRuns(SqliteConnection connection, string where, params (string, object?)[] parameters)
    {
        using var command = Command(connection, null, $"""
            SELECT run_id, module, version, content_hash, pinned_definition, dry_run, status, owner, attempt, started_at, finished_at, error,
                   read, created, updated, unchanged, quarantined, pages, api_calls, replay, failure_stage, failure_class FROM runs {where}
            """, parameters);
        using var reader = command.ExecuteReader();
        var runs = new List<RunRecord>();
        while (reader.Read())
        {
            runs.Add(new RunRecord
            {
                RunId = reader.GetString(0),
                Module = reader.GetString(1),
                Version = reader.GetInt32(2),
                ContentHash = reader.GetString(3),
                PinnedDefinition = reader.GetString(4),
                DryRun = reader.GetInt32(5) == 1,
                Status = Enum.Parse<RunStatus>(reader.GetString(6)),
                Owner = reader.IsDBNull(7) ? null : reader.GetString(7),
                Attempt = reader.GetInt32(8),
                StartedAt = Parse(reader.GetString(9)),
                FinishedAt = reader.IsDBNull(10) ? null : Parse(reader.GetString(10)),
                Error = reader.IsDBNull(11) ? null : reader.GetString(11),
                Counters = new RunCounters(reader.GetInt64(12), reader.GetInt64(13), reader.GetInt64(14), reader.GetInt64(15), reader.GetInt64(16), reader.GetInt64(17)),
                ApiCalls = JsonSerializer.Deserialize<Dictionary<string, long>>(reader.GetString(18)) ?? [],
                Replay = reader.GetInt32(19) == 1,
                Failure = reader.IsDBNull(20) && reader.IsDBNull(21) ? null
                    : new RunFailureClass(reader.IsDBNull(20) ? null : reader.GetString(20), reader.IsDBNull(21) ? null : reader.GetString(21)),
            });
        }

        return runs;
    }

    private static int Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    /// <summary>Runs a query and reads each row; an empty IN list (see <see cref="In"/>) reads nothing.</summary>
    private List<T> Query<T>(string? sql, Func<SqliteDataReader, T> read, (string Name, object? Value)[] parameters)
    {
        if (sql is null)
        {
            return [];
        }

        using var connection = Open();
        using var command = Command(connection, null, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Fills each <c>{0}</c> of <paramref name="sql"/> with one parameter per value; null when there are none.</summary>
    private static string? In(string sql, IReadOnlyCollection<string> values, out (string Name, object? Value)[] parameters)
    {
        parameters = values.Select((v, i) => ($"$v{i}", (object?)v)).ToArray();
        return values.Count == 0 ? null : string.Format(CultureInfo.InvariantCulture, sql, string.Join(',', parameters.Select(p => p.Name)));
    }

    private static QuarantineEntry ReadQuarantine(SqliteDataReader r) =>
        new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5), r.GetInt32(6), r.GetString(7), Parse(r.GetString(8)));

    private static Membership ReadMembership(SqliteDataReader r) => new(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3));

    private static string Format(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private static DateTimeOffset Parse(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);
}
