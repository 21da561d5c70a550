using System.Text;
using System.Text.Json;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Designer.Api;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Designer.Data;

/// <summary>The console's lists, paged on the server over the state store's tables: runs and quarantine by key through the
/// state store's paging (a deep page as fast as the first), the shorter lists (conflicts, a dry run's plan) by page number.</summary>
public sealed class ConsoleQueries
{
    /// <summary>The indexes of the lists still paged here (conflicts); the runs' and quarantine's are the state store's.</summary>
    private const string Indexes = """
        CREATE INDEX IF NOT EXISTS conflicts_at ON conflicts (at DESC);
        CREATE INDEX IF NOT EXISTS conflicts_module_at ON conflicts (module, at DESC);
        CREATE INDEX IF NOT EXISTS quarantine_reason ON quarantine (module, reason);
        """;

    private readonly string _connectionString;
    private readonly SqliteStateStore _store;

    /// <param name="path">The state store's file; its tables are made by <see cref="SqliteStateStore"/>, opened first.</param>
    public ConsoleQueries(string path)
    {
        _store = new SqliteStateStore(path);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = Indexes;
        command.ExecuteNonQuery();
    }

    /// <summary>Runs newest first, read by key through the state store (<see cref="SqliteStateStore.PageRuns"/>): counted on
    /// the first page only.</summary>
    /// <param name="count">False for a caller that shows no total (the modules page, live progress).</param>
    public PagedList<RunListItem> ListRuns(RunFilter filter, PageRequest page, bool count = true)
    {
        var rows = _store.PageRuns(new RunQuery(filter.Module, filter.Status, filter.DryRun, filter.From, filter.To), page, count);
        return new PagedList<RunListItem>(rows.Items.Select(r => new RunListItem(r.RunId, r.Module, r.Version, r.DryRun, r.Replay, r.Status.ToString(),
            r.StartedAt, r.FinishedAt, r.Counters, r.Error)).ToList(), page.Number, page.Size, rows.Total, rows.Next);
    }

    /// <summary>The newest run of a module (for the modules page): one indexed look-up, no count.</summary>
    public RunListItem? LastRun(string module) =>
        ListRuns(new RunFilter(module, null, null, null, null), new PageRequest(1, 1), count: false).Items.FirstOrDefault();

    /// <summary>Quarantined records, most recently seen first, read by key through the state store
    /// (<see cref="SqliteStateStore.PageQuarantine"/>): counted on the first page only.</summary>
    public PagedList<QuarantineListItem> ListQuarantine(QuarantineFilter filter, PageRequest page)
    {
        var rows = _store.PageQuarantine(new QuarantineQuery(filter.Module, filter.Stream, filter.Stage, filter.Reason), page);
        return new PagedList<QuarantineListItem>(rows.Items.Select(e => new QuarantineListItem(e.Module, e.Stream, e.SourceId, e.Stage, e.Reason,
            e.Attempts, e.RunId, e.LastSeen)).ToList(), page.Number, page.Size, rows.Total, rows.Next);
    }

    /// <summary>The reasons and stages records are quarantined for, with counts (the console's filters).</summary>
    public QuarantineFacets QuarantineFacets(string? module)
    {
        using var connection = Open();
        IReadOnlyList<FacetCount> Facet(string column)
        {
            using var command = connection.CreateCommand();
            command.CommandText = $"SELECT {column}, COUNT(*) FROM quarantine WHERE ($module IS NULL OR module = $module) GROUP BY {column} ORDER BY COUNT(*) DESC LIMIT 50";
            command.Parameters.AddWithValue("$module", (object?)module ?? DBNull.Value);
            using var reader = command.ExecuteReader();
            var facets = new List<FacetCount>();
            while (reader.Read())
            {
                facets.Add(new FacetCount(reader.GetString(0), reader.GetInt64(1)));
            }

            return facets;
        }

        return new QuarantineFacets(Facet("module"), Facet("stage"), Facet("reason"));
    }

    public QuarantineDetail? GetQuarantined(string module, string stream, string sourceId)
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT module, stream, source_id, stage, reason, payload, attempts, run_id, last_seen FROM quarantine
            WHERE module = $module AND stream = $stream AND source_id = $source
            """;
        command.Parameters.AddWithValue("$module", module);
        command.Parameters.AddWithValue("$stream", stream);
        command.Parameters.AddWithValue("$source", sourceId);
        using var r = command.ExecuteReader();
        return r.Read()
            ? new QuarantineDetail(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), ParsePayload(r.GetString(5)),
                r.GetInt32(6), r.GetString(7), ServiceStore.Parse(r.GetString(8)))
            : null;
    }

    public PagedList<ConflictItem> ListConflicts(string? module, PageRequest page) =>
        Paged(new Where().And("module = $module", "$module", module), page, "conflicts", "at DESC, ivvy_id", true,
            "module, ivvy_id, crm_id, ivvy_value, crm_value, winner, policy, run_id, at",
            r => new ConflictItem(r.GetString(0), r.GetString(1), r.GetString(2), ParsePayload(r.GetString(3)), ParsePayload(r.GetString(4)),
                r.GetString(5), r.GetString(6), r.GetString(7), ServiceStore.Parse(r.GetString(8))));

    public PagedList<PlanItem> ListPlan(string runId, string? action, string? stream, PageRequest page) =>
        Paged(new Where().And("run_id = $run", "$run", runId).And("action = $action", "$action", action).And("stream = $stream", "$stream", stream),
            page, "plans", "rowid", true, "stream, source_id, action, reason",
            r => new PlanItem(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3)));

    /// <param name="count">Count the matches for <see cref="PagedList{T}.Total"/>; without, Total is the page's own count.</param>
    private PagedList<T> Paged<T>(Where where, PageRequest page, string table, string orderBy, bool count, string columns, Func<SqliteDataReader, T> read)
    {
        using var connection = Open();
        long? total = null;
        if (count)
        {
            using var counting = connection.CreateCommand();
            counting.CommandText = $"SELECT COUNT(*) FROM {table} {where.Sql}";
            where.Bind(counting);
            total = (long)counting.ExecuteScalar()!;
        }

        using var command = connection.CreateCommand();
        command.CommandText = $"SELECT {columns} FROM {table} {where.Sql} ORDER BY {orderBy} LIMIT $limit OFFSET $offset";
        where.Bind(command);
        command.Parameters.AddWithValue("$limit", page.Size);
        command.Parameters.AddWithValue("$offset", (long)(page.Number - 1) * page.Size);
        using var reader = command.ExecuteReader();
        var items = new List<T>();
        while (reader.Read())
        {
            items.Add(read(reader));
        }

        return new PagedList<T>(items, page.Number, page.Size, total ?? items.Count);
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>A kept payload is JSON when the record was; anything else is shown as the text it was.</summary>
    private static JsonElement ParsePayload(string text)
    {
        try
        {
            using var document = JsonDocument.Parse(text);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text);
        }
    }

    /// <summary>A WHERE clause of the filters that were given; absent filters add nothing, so each query uses its index.</summary>
    private sealed class Where
    {
        private readonly StringBuilder _sql = new();
        private readonly List<(string Name, object Value)> _parameters = [];

        public string Sql => _sql.ToString();

        public Where And(string condition, string name, object? value)
        {
            if (value is null)
            {
                return this;
            }

            _sql.Append(_sql.Length == 0 ? "WHERE " : " AND ").Append(condition);
            _parameters.Add((name, value));
            return this;
        }

        public void Bind(SqliteCommand command)
        {
            foreach (var (name, value) in _parameters)
            {
                command.Parameters.AddWithValue(name, value);
            }
        }
    }
}
