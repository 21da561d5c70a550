using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>
/// The simulator's record tables beyond contacts: each row is the record's JSON document plus the columns that filters,
/// paging and links need, derived from the document on every save.
/// </summary>
/// <remarks>
/// Every table is created with <c>CREATE TABLE IF NOT EXISTS</c>; the pre-existing <c>companies</c> table (id, business_name)
/// gains its columns with <c>ALTER TABLE … ADD COLUMN</c> when they are missing, so a database written by an older simulator
/// opens unchanged and is then upgraded (see <see cref="IvvyContactStore.SchemaVersion"/>).
/// </remarks>
internal static class IvvyRecordTables
{
    public static readonly Table Companies = new("companies", "id",
    [
        new("business_name", d => d["businessName"]?.GetValue<string>()),
        new("external_id", d => Text(d["externalId"])),
        new("modified", d => Seconds(d["modifiedDate"])),
    ]);

    public static readonly Table Events = new("ivvy_events", "id",
    [
        new("start", d => Seconds(d["startDateTime"])),
        new("finish", d => Seconds(d["endDateTime"])),
        new("status", d => Integer(d["currentStatus"])),
        new("modified", d => Seconds(d["modifiedDate"])),
    ]);

    /// <summary>One row per (event, contact); the API gives invitations no id of their own.</summary>
    public static readonly Table Invitations = new("ivvy_invitations", null,
    [
        new("event_id", d => Integer(d["eventId"])),
        new("contact_id", d => Integer(d["contactId"])),
        new("response", d => Text(d["response"])),
        new("registration_id", d => Integer(d["registrationId"])),
        new("modified", d => Seconds(d["modifiedDate"])),
    ]);

    public static readonly Table Registrations = new("ivvy_registrations", "id",
    [
        new("event_id", d => Integer(d["eventId"])),
        new("main_contact_id", d => Integer(d["mainContactId"])),
        new("status", d => Integer(d["currentStatus"])),
        new("modified", d => Seconds(d["modifiedDate"])),
    ]);

    public static readonly Table Attendees = new("ivvy_attendees", "id",
    [
        new("event_id", d => Integer(d["eventId"])),
        new("contact_id", d => Integer(d["contactId"])),
        new("registration_id", d => Integer(d["registrationId"])),
        new("modified", d => Seconds(d["modifiedDate"])),
    ]);

    public static readonly Table Venues = new("ivvy_venues", "id", []);

    public static readonly Table Bookings = new("ivvy_bookings", "id",
    [
        new("venue_id", d => Integer(d["venueId"])),
        new("company_id", d => Integer(d["companyId"])),
        new("contact_id", d => Integer(d["contactId"])),
        new("code", d => Text(d["code"])),
        new("status", d => Integer(d["currentStatus"])),
        new("modified", d => Seconds(d["modifiedDate"])),
    ]);

    public static readonly Table EmailLogs = new("ivvy_email_logs", "id",
    [
        new("contact_id", d => Integer(d["contactId"])),
        new("event_id", d => Integer(d["eventId"])),
        new("type", d => Integer(d["type"])),
        new("ref_type", d => Integer(d["refType"])),
        new("sent", d => Seconds(d["sentTime"])),
    ]);

    /// <summary>Every table cleared by a reseed or reset, companies excepted (the contact store owns their deletion).</summary>
    private static readonly Table[] Owned = [Events, Invitations, Registrations, Attendees, Venues, Bookings, EmailLogs];

    public static void CreateSchema(SqliteConnection connection)
    {
        Execute(connection, null, """
            CREATE TABLE IF NOT EXISTS ivvy_events (id INTEGER PRIMARY KEY, start INTEGER, finish INTEGER, status INTEGER, modified INTEGER, data TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS ivvy_invitations (
                id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, contact_id INTEGER NOT NULL, response TEXT, registration_id INTEGER,
                modified INTEGER, data TEXT NOT NULL, UNIQUE (event_id, contact_id));
            CREATE TABLE IF NOT EXISTS ivvy_registrations (
                id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, main_contact_id INTEGER, status INTEGER, modified INTEGER, data TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_registrations_event ON ivvy_registrations (event_id, id);
            CREATE TABLE IF NOT EXISTS ivvy_attendees (
                id INTEGER PRIMARY KEY, event_id INTEGER NOT NULL, contact_id INTEGER, registration_id INTEGER, modified INTEGER, data TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_attendees_event ON ivvy_attendees (event_id, id);
            CREATE TABLE IF NOT EXISTS ivvy_venues (id INTEGER PRIMARY KEY, data TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS ivvy_bookings (
                id INTEGER PRIMARY KEY, venue_id INTEGER NOT NULL, company_id INTEGER, contact_id INTEGER, code TEXT, status INTEGER,
                modified INTEGER, data TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_bookings_modified ON ivvy_bookings (modified, id);
            CREATE TABLE IF NOT EXISTS ivvy_email_logs (
                id INTEGER PRIMARY KEY, contact_id INTEGER, event_id INTEGER, type INTEGER, ref_type INTEGER, sent INTEGER, data TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_email_logs_sent ON ivvy_email_logs (sent, id);
            """);

        // Databases of schema 1 have companies (id, business_name) only.
        var existing = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        using (var info = connection.CreateCommand())
        {
            info.CommandText = "PRAGMA table_info(companies)";
            using var reader = info.ExecuteReader();
            while (reader.Read())
            {
                existing.Add(reader.GetString(1));
            }
        }

        foreach (var (column, type) in (ReadOnlySpan<(string, string)>)[("external_id", "TEXT"), ("modified", "INTEGER"), ("data", "TEXT")])
        {
            if (!existing.Contains(column))
            {
                Execute(connection, null, $"ALTER TABLE companies ADD COLUMN {column} {type}");
            }
        }

        Execute(connection, null, "CREATE INDEX IF NOT EXISTS ix_companies_modified ON companies (modified, id)");
    }

    public static void DeleteAll(SqliteConnection connection, SqliteTransaction transaction)
    {
        foreach (var table in Owned)
        {
            Execute(connection, transaction, $"DELETE FROM {table.Name}");
        }
    }

    /// <summary>Rows of <paramref name="table"/> matching <paramref name="where"/>, ordered by <paramref name="orderBy"/>, with the total.</summary>
    public static (int Total, List<JsonObject> Page) List(
        SqliteConnection connection, SqliteTransaction? transaction, Table table, IvvyFilterSql where, string orderBy, int start, int perPage) =>
        List(connection, transaction, table.Name, where, orderBy, start, perPage);

    /// <summary>One page of the documents of <paramref name="from"/> (a table, with an alias if the filter uses one)
    /// matching <paramref name="where"/>, with the total count.</summary>
    public static (int Total, List<JsonObject> Page) List(
        SqliteConnection connection, SqliteTransaction? transaction, string from, ISqlFilter where, string orderBy, int start, int perPage)
    {
        using var count = connection.CreateCommand();
        count.Transaction = transaction;
        count.CommandText = $"SELECT COUNT(*) FROM {from} WHERE {where.Sql}";
        where.Bind(count);
        var total = Convert.ToInt32(count.ExecuteScalar(), CultureInfo.InvariantCulture);

        using var page = connection.CreateCommand();
        page.Transaction = transaction;
        page.CommandText = $"SELECT data FROM {from} WHERE {where.Sql} ORDER BY {orderBy} LIMIT $limit OFFSET $offset";
        where.Bind(page);
        page.Parameters.AddWithValue("$limit", perPage);
        page.Parameters.AddWithValue("$offset", start);
        return (total, ReadDocuments(page));
    }

    /// <summary>The documents of the rows where <paramref name="column"/> = <paramref name="value"/>, in row order.</summary>
    public static List<JsonObject> Where(SqliteConnection connection, SqliteTransaction? transaction, Table table, string column, long value)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT data FROM {table.Name} WHERE {column} = $value ORDER BY id";
        command.Parameters.AddWithValue("$value", value);
        return ReadDocuments(command);
    }

    public static JsonObject? Get(SqliteConnection connection, SqliteTransaction? transaction, Table table, long id) =>
        Where(connection, transaction, table, "id", id).FirstOrDefault();

    public static bool Exists(SqliteConnection connection, SqliteTransaction? transaction, Table table, long id)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT 1 FROM {table.Name} WHERE id = $id AND {(table == Companies ? "data IS NOT NULL" : "1 = 1")}";
        command.Parameters.AddWithValue("$id", id);
        return command.ExecuteScalar() is not null;
    }

    public static int Count(SqliteConnection connection, SqliteTransaction? transaction, Table table)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT COUNT(*) FROM {table.Name}";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Largest id in <paramref name="table"/>, or <paramref name="floor"/> when that is larger.</summary>
    public static long MaxId(SqliteConnection connection, SqliteTransaction? transaction, Table table, long floor)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = $"SELECT COALESCE(MAX(id), 0) FROM {table.Name}";
        return Math.Max(floor, Convert.ToInt64(command.ExecuteScalar(), CultureInfo.InvariantCulture));
    }

    /// <summary>Runs a query whose rows are (int key, text, text, text, text) into a map: the contact or company details a page joins.</summary>
    public static Dictionary<long, string?[]> Lookup(SqliteConnection connection, SqliteTransaction? transaction, string sql, IEnumerable<long> ids)
    {
        var distinct = ids.Distinct().ToArray();
        var rows = new Dictionary<long, string?[]>();
        if (distinct.Length == 0)
        {
            return rows;
        }

        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.Parameters.AddWithValue("$ids", new JsonArray(distinct.Select(i => (JsonNode?)i).ToArray()).ToJsonString());
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var values = new string?[reader.FieldCount - 1];
            for (var i = 1; i < reader.FieldCount; i++)
            {
                values[i - 1] = reader.IsDBNull(i) ? null : reader.GetString(i);
            }

            rows[reader.GetInt64(0)] = values;
        }

        return rows;
    }

    private static List<JsonObject> ReadDocuments(SqliteCommand command)
    {
        var results = new List<JsonObject>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0))
            {
                results.Add(JsonNode.Parse(reader.GetString(0))!.AsObject());
            }
        }

        return results;
    }

    internal static string? Text(JsonNode? node) => node is JsonValue value
        ? value.TryGetValue<string>(out var text) ? text : value.ToJsonString()
        : null;

    internal static long? Integer(JsonNode? node) => IvvyJson.TryGetInteger(node, out var value) ? value : null;

    internal static long? Seconds(JsonNode? node) => IvvyDates.TryParse(Text(node), out var at) ? at.ToUnixTimeSeconds() : null;

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>A column derived from the document.</summary>
    internal sealed record Column(string Name, Func<JsonObject, object?> From);

    /// <summary>A record table: its name, the document field holding its id (null = a row id the API never shows) and its columns.</summary>
    internal sealed record Table(string Name, string? IdField, IReadOnlyList<Column> Columns);

    /// <summary>A prepared insert-or-replace of documents into one table (one per table per transaction).</summary>
    internal sealed class Upsert : IDisposable
    {
        private readonly Table _table;
        private readonly SqliteCommand _command;
        private readonly SqliteParameter _id;
        private readonly SqliteParameter _data;
        private readonly SqliteParameter[] _columns;

        public Upsert(SqliteConnection connection, SqliteTransaction transaction, Table table)
        {
            _table = table;
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            var names = table.Columns.Select(c => c.Name).ToArray();
            _command.CommandText = $"INSERT OR REPLACE INTO {table.Name} (id, data{string.Concat(names.Select(n => ", " + n))}) " +
                                   $"VALUES ($id, $data{string.Concat(names.Select(n => ", $" + n))})";
            _id = _command.Parameters.Add("$id", SqliteType.Integer);
            _data = _command.Parameters.Add("$data", SqliteType.Text);
            _columns = names.Select(n => _command.Parameters.Add("$" + n, SqliteType.Text)).ToArray();
            _command.Prepare();
        }

        /// <summary>Saves <paramref name="document"/>; for an id-less table <paramref name="rowId"/> keeps the existing row's id.</summary>
        public void Execute(JsonObject document, long? rowId = null)
        {
            _id.Value = _table.IdField is { } idField ? document[idField]!.GetValue<int>() : (object?)rowId ?? DBNull.Value;
            _data.Value = document.ToJsonString();
            for (var i = 0; i < _columns.Length; i++)
            {
                var value = _table.Columns[i].From(document);
                _columns[i].SqliteType = value is long or int ? SqliteType.Integer : SqliteType.Text;
                _columns[i].Value = value ?? DBNull.Value;
            }

            _command.ExecuteNonQuery();
        }

        public void Dispose() => _command.Dispose();
    }
}

/// <summary>A WHERE clause with its parameters, as the list actions' filters build it.</summary>
internal interface ISqlFilter
{
    string Sql { get; }

    void Bind(SqliteCommand command);
}
