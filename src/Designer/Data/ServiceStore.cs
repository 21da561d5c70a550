using System.Globalization;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Designer.Data;

/// <summary>What the service keeps beside the sync's own state, in the same SQLite file: local accounts, API keys
/// (hashed) and each module's schedule state (next due time, last run, operator overrides).</summary>
public sealed class ServiceStore
{
    private const string Schema = """
        PRAGMA journal_mode = WAL;
        CREATE TABLE IF NOT EXISTS users (
            user_name TEXT PRIMARY KEY COLLATE NOCASE, role TEXT NOT NULL, password_hash TEXT NOT NULL,
            must_change_password INTEGER NOT NULL, created_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS api_keys (
            id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, secret_hash TEXT NOT NULL,
            created_by TEXT NOT NULL, created_at TEXT NOT NULL, last_used_at TEXT);
        CREATE TABLE IF NOT EXISTS schedules (
            module TEXT PRIMARY KEY, expression TEXT NOT NULL, next_due_at TEXT NOT NULL, last_due_at TEXT, last_run_id TEXT,
            last_skipped_at TEXT, last_skip_reason TEXT, override_expression TEXT, disabled INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE IF NOT EXISTS publications (
            module TEXT NOT NULL, version INTEGER NOT NULL, content_hash TEXT NOT NULL, published_by TEXT NOT NULL, published_at TEXT NOT NULL,
            PRIMARY KEY (module, version));
        """;

    private readonly string _connectionString;

    public ServiceStore(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
        using var connection = Open();
        Execute(connection, Schema);
    }

    public bool AddUser(string userName, string role, string passwordHash, bool mustChangePassword, DateTimeOffset now)
    {
        using var connection = Open();
        return Execute(connection, "INSERT OR IGNORE INTO users (user_name, role, password_hash, must_change_password, created_at) VALUES ($n, $r, $h, $m, $at)",
            ("$n", userName), ("$r", role), ("$h", passwordHash), ("$m", mustChangePassword ? 1 : 0), ("$at", Format(now))) == 1;
    }

    public UserAccount? FindUser(string userName) =>
        Query("SELECT user_name, role, password_hash, must_change_password FROM users WHERE user_name = $n",
            r => new UserAccount(r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3) == 1), ("$n", userName)).FirstOrDefault();

    public void SetPassword(string userName, string passwordHash, bool mustChangePassword)
    {
        using var connection = Open();
        Execute(connection, "UPDATE users SET password_hash = $h, must_change_password = $m WHERE user_name = $n",
            ("$h", passwordHash), ("$m", mustChangePassword ? 1 : 0), ("$n", userName));
    }

    public void AddApiKey(ApiKeyRecord key)
    {
        using var connection = Open();
        Execute(connection, "INSERT INTO api_keys (id, name, role, secret_hash, created_by, created_at) VALUES ($id, $name, $role, $hash, $by, $at)",
            ("$id", key.Id), ("$name", key.Name), ("$role", key.Role), ("$hash", key.SecretHash), ("$by", key.CreatedBy), ("$at", Format(key.CreatedAt)));
    }

    public ApiKeyRecord? FindApiKey(string id) =>
        Query("SELECT id, name, role, secret_hash, created_by, created_at FROM api_keys WHERE id = $id",
            r => new ApiKeyRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Parse(r.GetString(5))), ("$id", id)).FirstOrDefault();

    public IReadOnlyList<ApiKeyRecord> ListApiKeys() =>
        Query("SELECT id, name, role, secret_hash, created_by, created_at FROM api_keys ORDER BY created_at",
            r => new ApiKeyRecord(r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), Parse(r.GetString(5))));

    public bool DeleteApiKey(string id)
    {
        using var connection = Open();
        return Execute(connection, "DELETE FROM api_keys WHERE id = $id", ("$id", id)) == 1;
    }

    public IReadOnlyList<ScheduleState> ListSchedules() =>
        Query("SELECT module, expression, next_due_at, last_due_at, last_run_id, last_skipped_at, last_skip_reason, override_expression, disabled FROM schedules",
            r => new ScheduleState(r.GetString(0), r.GetString(1), Parse(r.GetString(2)), r.IsDBNull(3) ? null : Parse(r.GetString(3)),
                r.IsDBNull(4) ? null : r.GetString(4), r.IsDBNull(5) ? null : Parse(r.GetString(5)), r.IsDBNull(6) ? null : r.GetString(6),
                r.IsDBNull(7) ? null : r.GetString(7), r.GetInt32(8) == 1));

    public void SaveSchedule(ScheduleState state)
    {
        using var connection = Open();
        Execute(connection, """
            INSERT INTO schedules (module, expression, next_due_at, last_due_at, last_run_id, last_skipped_at, last_skip_reason, override_expression, disabled)
            VALUES ($m, $e, $next, $last, $run, $skipped, $reason, $override, $disabled)
            ON CONFLICT (module) DO UPDATE SET expression = excluded.expression, next_due_at = excluded.next_due_at, last_due_at = excluded.last_due_at,
                last_run_id = excluded.last_run_id, last_skipped_at = excluded.last_skipped_at, last_skip_reason = excluded.last_skip_reason,
                override_expression = excluded.override_expression, disabled = excluded.disabled
            """,
            ("$m", state.Module), ("$e", state.Expression), ("$next", Format(state.NextDueAt)), ("$last", state.LastDueAt is { } l ? Format(l) : null),
            ("$run", state.LastRunId), ("$skipped", state.LastSkippedAt is { } s ? Format(s) : null), ("$reason", state.LastSkipReason),
            ("$override", state.OverrideExpression), ("$disabled", state.Disabled ? 1 : 0));
    }

    /// <summary>Who published a version from the designer, and when (published.json holds only its hash).</summary>
    public void AddPublication(PublicationRecord publication)
    {
        using var connection = Open();
        Execute(connection, "INSERT OR REPLACE INTO publications (module, version, content_hash, published_by, published_at) VALUES ($m, $v, $h, $by, $at)",
            ("$m", publication.Module), ("$v", publication.Version), ("$h", publication.ContentHash), ("$by", publication.PublishedBy), ("$at", Format(publication.PublishedAt)));
    }

    public IReadOnlyList<PublicationRecord> ListPublications(string module) =>
        Query("SELECT module, version, content_hash, published_by, published_at FROM publications WHERE module = $m ORDER BY version",
            r => new PublicationRecord(r.GetString(0), r.GetInt32(1), r.GetString(2), r.GetString(3), Parse(r.GetString(4))), ("$m", module));

    private List<T> Query<T>(string sql, Func<SqliteDataReader, T> read, params (string Name, object? Value)[] parameters)
    {
        using var connection = Open();
        using var command = Command(connection, sql, parameters);
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout = 30000;");
        return connection;
    }

    private static int Execute(SqliteConnection connection, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        return command.ExecuteNonQuery();
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        }

        return command;
    }

    internal static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    internal static DateTimeOffset Parse(string at) => DateTimeOffset.Parse(at, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);
}

public sealed record PublicationRecord(string Module, int Version, string ContentHash, string PublishedBy, DateTimeOffset PublishedAt);

public sealed record UserAccount(string UserName, string Role, string PasswordHash, bool MustChangePassword);

/// <summary>An API key as kept: only the SHA-256 of its secret part, never the key.</summary>
public sealed record ApiKeyRecord(string Id, string Name, string Role, string SecretHash, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>A module's schedule as the scheduler last left it.</summary>
/// <param name="Expression">The expression in force when <paramref name="NextDueAt"/> was computed (a change recomputes it).</param>
/// <param name="OverrideExpression">An operator's schedule, in force over the settings' until cleared.</param>
public sealed record ScheduleState(string Module, string Expression, DateTimeOffset NextDueAt, DateTimeOffset? LastDueAt, string? LastRunId,
    DateTimeOffset? LastSkippedAt, string? LastSkipReason, string? OverrideExpression, bool Disabled);
