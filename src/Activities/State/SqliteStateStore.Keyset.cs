using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Activities.State;

/// <summary>Filters of the runs list; null matches all.</summary>
public sealed record RunQuery(string? Module = null, string? Status = null, bool? DryRun = null, DateTimeOffset? From = null, DateTimeOffset? To = null);

/// <summary>Filters of the quarantine list; null matches all.</summary>
public sealed record QuarantineQuery(string? Module = null, string? Stream = null, string? Stage = null, string? Reason = null);

/// <summary>A run as the runs list shows it (without its pinned definition).</summary>
public sealed record RunListRow(string RunId, string Module, int Version, bool DryRun, bool Replay, RunStatus Status, DateTimeOffset StartedAt,
    DateTimeOffset? FinishedAt, RunCounters Counters, string? Error);

/// <summary>One page of a list read by key (keyset paging): the items, the token of the page after it (null on the last),
/// and the list's length when it was counted (the first page only: later pages do not count again).</summary>
public sealed record KeysetPage<T>(IReadOnlyList<T> Items, string? Next, long? Total);

/// <summary>Keyset paging of the long lists (runs, quarantine): a page starts after the last key of the one before
/// (<see cref="PageRequest.After"/>), so page 2,000 is read as fast as page 1, through the indexes below; OFFSET is
/// never used. The order is newest first, ties broken by the rest of the key.</summary>
public sealed partial class SqliteStateStore
{
    private const string KeysetIndexes = """
        CREATE INDEX IF NOT EXISTS runs_keyset ON runs (started_at, run_id);
        CREATE INDEX IF NOT EXISTS runs_module_keyset ON runs (module, started_at, run_id);
        CREATE INDEX IF NOT EXISTS runs_status_keyset ON runs (status, started_at, run_id);
        CREATE INDEX IF NOT EXISTS runs_module_status_keyset ON runs (module, status, started_at, run_id);
        CREATE INDEX IF NOT EXISTS runs_dry_keyset ON runs (dry_run, started_at, run_id);
        CREATE INDEX IF NOT EXISTS quarantine_keyset ON quarantine (last_seen, module, stream, source_id);
        CREATE INDEX IF NOT EXISTS quarantine_module_keyset ON quarantine (module, last_seen, stream, source_id);
        CREATE INDEX IF NOT EXISTS quarantine_module_stream_keyset ON quarantine (module, stream, last_seen, source_id);
        CREATE INDEX IF NOT EXISTS quarantine_stage_keyset ON quarantine (stage, last_seen, module, stream, source_id);
        CREATE INDEX IF NOT EXISTS quarantine_module_stage_keyset ON quarantine (module, stage, last_seen, stream, source_id);
        CREATE INDEX IF NOT EXISTS quarantine_reason_keyset ON quarantine (reason, last_seen, module, stream, source_id);
        CREATE INDEX IF NOT EXISTS quarantine_module_reason_keyset ON quarantine (module, reason, last_seen, stream, source_id);
        """;

    /// <summary>A page of runs, newest first (by start time, then run id).</summary>
    /// <exception cref="Workflows.BadInputException">The page's <see cref="PageRequest.After"/> is not a token of this list.</exception>
    /// <param name="count">Count the matches on the first page (a caller that shows no total passes false).</param>
    public KeysetPage<RunListRow> PageRuns(RunQuery query, PageRequest page, bool count = true) =>
        Keyset(page, count, "runs", ["started_at", "run_id"],
            [("module", query.Module), ("status", query.Status), ("dry_run", query.DryRun is { } d ? (d ? 1 : 0) : null)],
            [("started_at >= $from", "$from", query.From is { } f ? Format(f) : null), ("started_at < $to", "$to", query.To is { } t ? Format(t) : null)],
            "run_id, module, version, dry_run, replay, status, started_at, finished_at, read, created, updated, unchanged, quarantined, pages, error",
            r => new RunListRow(r.GetString(0), r.GetString(1), r.GetInt32(2), r.GetInt32(3) == 1, r.GetInt32(4) == 1, Enum.Parse<RunStatus>(r.GetString(5)),
                Parse(r.GetString(6)), r.IsDBNull(7) ? null : Parse(r.GetString(7)),
                new RunCounters(r.GetInt64(8), r.GetInt64(9), r.GetInt64(10), r.GetInt64(11), r.GetInt64(12), r.GetInt64(13)), r.IsDBNull(14) ? null : r.GetString(14)),
            run => [Format(run.StartedAt), run.RunId]);

    /// <summary>A page of quarantined records, most recently seen first (then by module, stream and record id).</summary>
    /// <exception cref="Workflows.BadInputException">The page's <see cref="PageRequest.After"/> is not a token of this list.</exception>
    public KeysetPage<QuarantineEntry> PageQuarantine(QuarantineQuery query, PageRequest page) =>
        Keyset(page, true, "quarantine", ["last_seen", "module", "stream", "source_id"],
            [("module", query.Module), ("stream", query.Stream), ("stage", query.Stage), ("reason", query.Reason)], [],
            "module, stream, source_id, stage, reason, payload, attempts, run_id, last_seen", ReadQuarantine,
            e => [Format(e.LastSeen), e.Module, e.Stream, e.SourceId]);

    /// <param name="key">The order's columns, all descending; a column an equality filter fixes drops out of the key, so the
    /// filter's index (equal columns, then the rest of the key) serves both the filter and the seek.</param>
    private KeysetPage<T> Keyset<T>(PageRequest page, bool count, string table, string[] key, (string Column, object? Value)[] equal,
        (string Condition, string Name, object? Value)[] ranges, string columns, Func<SqliteDataReader, T> read, Func<T, string[]> keyOf)
    {
        var conditions = new List<string>();
        var parameters = new List<(string Name, object? Value)>();
        foreach (var (column, value) in equal.Where(e => e.Value is not null))
        {
            conditions.Add($"{column} = ${column}");
            parameters.Add(($"${column}", value));
        }

        foreach (var (condition, name, value) in ranges.Where(r => r.Value is not null))
        {
            conditions.Add(condition);
            parameters.Add((name, value));
        }

        var filter = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        long? total = page.After is null && count ? Count($"SELECT COUNT(*) FROM {table} {filter}", [.. parameters]) : null;

        var fixedColumns = equal.Where(e => e.Value is not null).Select(e => e.Column).ToHashSet(StringComparer.Ordinal);
        var seek = key.Select((c, i) => (Column: c, Index: i)).Where(c => !fixedColumns.Contains(c.Column)).ToList();
        if (page.After is { } after)
        {
            var values = DecodeKey(after, key.Length);
            conditions.Add($"({string.Join(", ", seek.Select(c => c.Column))}) < ({string.Join(", ", seek.Select(c => "$k" + c.Index))})");
            parameters.AddRange(seek.Select(c => ("$k" + c.Index, (object?)values[c.Index])));
        }

        parameters.Add(("$limit", page.Size + 1));
        var where = conditions.Count == 0 ? "" : "WHERE " + string.Join(" AND ", conditions);
        var orderBy = string.Join(", ", seek.Select(c => c.Column + " DESC"));
        var items = Query($"SELECT {columns} FROM {table} {where} ORDER BY {orderBy} LIMIT $limit", read, [.. parameters]);
        string? next = null;
        if (items.Count > page.Size)
        {
            items.RemoveAt(items.Count - 1);
            next = EncodeKey(keyOf(items[^1]));
        }

        return new KeysetPage<T>(items, next, total);
    }

    private static string EncodeKey(string[] values) => Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(values));

    private static string[] DecodeKey(string token, int length)
    {
        try
        {
            var values = JsonSerializer.Deserialize<string[]>(Base64Url.DecodeFromChars(token));
            if (values?.Length == length && values.All(v => v is not null))
            {
                return values;
            }
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
        }

        throw new Workflows.BadInputException(string.Create(CultureInfo.InvariantCulture, $"after: '{token}' is not a page token of this list (use the 'next' of the page before)."));
    }
}
