using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>The iVvy simulator's state in SQLite: contacts (a JSON document plus the columns filters need), companies and the
/// other record tables of <see cref="IvvyRecordTables"/>.</summary>
/// <remarks>
/// WAL mode, one file; every write runs in one transaction under one in-process lock, so read-modify-write actions
/// (addOrUpdateContact with updateIfExists) are atomic and a killed process leaves the last committed state.
/// Reads run in a transaction of their own, so a page's count and rows come from one snapshot.
/// </remarks>
internal sealed class IvvyContactStore : IDisposable
{
    /// <summary>1: contacts and company names; 2: every record table of <see cref="IvvyRecordTables"/>.</summary>
    public const int SchemaVersion = 2;

    private readonly string _connectionString;
    private readonly SemaphoreSlim _writeLock = new(1, 1);

    public IvvyContactStore(string databasePath)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = databasePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();

        using var connection = Open();
        Execute(connection, null, """
            PRAGMA journal_mode = WAL;
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS companies (id INTEGER PRIMARY KEY, business_name TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS contacts (
                id INTEGER PRIMARY KEY,
                first_name TEXT, last_name TEXT, email TEXT, phone TEXT, external_id TEXT,
                identity_key TEXT NOT NULL,
                created INTEGER NOT NULL, modified INTEGER NOT NULL,
                data TEXT NOT NULL);
            CREATE INDEX IF NOT EXISTS ix_contacts_modified ON contacts (modified, id);
            CREATE INDEX IF NOT EXISTS ix_contacts_identity ON contacts (identity_key, id);
            CREATE INDEX IF NOT EXISTS ix_contacts_external_id ON contacts (external_id);
            """);
        IvvyRecordTables.CreateSchema(connection);
    }

    /// <summary>True once the database has been set up (seeded or deliberately emptied); false for a new file.</summary>
    public bool IsInitialized()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = 'schema'";
        return command.ExecuteScalar() is not null;
    }

    /// <summary>The schema version the data was written with (0 for a new file).</summary>
    public int StoredSchemaVersion()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM meta WHERE key = 'schema'";
        return command.ExecuteScalar() is string value ? int.Parse(value, CultureInfo.InvariantCulture) : 0;
    }

    /// <summary>Runs <paramref name="read"/> in one read transaction (one snapshot).</summary>
    public T Read<T>(Func<SqliteConnection, SqliteTransaction, T> read)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: true);
        var result = read(connection, transaction);
        transaction.Commit();
        return result;
    }

    /// <summary>Replaces all state with <paramref name="companies"/> and <paramref name="contacts"/> in one transaction;
    /// <paramref name="afterContacts"/> then writes the other records in the same transaction.</summary>
    public async Task ReplaceAllAsync(
        IReadOnlyList<(int Id, string BusinessName)> companies, IEnumerable<JsonObject> contacts, Action<Writer>? afterContacts = null,
        CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            Execute(connection, transaction, "DELETE FROM contacts; DELETE FROM companies;");
            IvvyRecordTables.DeleteAll(connection, transaction);
            Execute(connection, transaction,
                $"INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', '{SchemaVersion.ToString(CultureInfo.InvariantCulture)}')");

            using (var insertCompany = connection.CreateCommand())
            {
                insertCompany.Transaction = transaction;
                insertCompany.CommandText = "INSERT INTO companies (id, business_name) VALUES ($id, $name)";
                var id = insertCompany.Parameters.Add("$id", SqliteType.Integer);
                var name = insertCompany.Parameters.Add("$name", SqliteType.Text);
                insertCompany.Prepare();
                foreach (var company in companies)
                {
                    id.Value = company.Id;
                    name.Value = company.BusinessName;
                    insertCompany.ExecuteNonQuery();
                }
            }

            using (var insert = new ContactUpsertCommand(connection, transaction))
            {
                foreach (var contact in contacts)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    insert.Execute(contact);
                }
            }

            if (afterContacts is not null)
            {
                using var writer = new Writer(connection, transaction);
                afterContacts(writer);
            }

            transaction.Commit();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Runs <paramref name="write"/> in one transaction under the write lock; commits when it returns, rolls back when it throws.</summary>
    public async Task<T> WriteAsync<T>(Func<Writer, Task<T>> write, CancellationToken cancellationToken = default)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            using var connection = Open();
            using var transaction = connection.BeginTransaction();
            using var writer = new Writer(connection, transaction);
            var result = await write(writer);
            transaction.Commit();
            return result;
        }
        finally
        {
            _writeLock.Release();
        }
    }

    /// <summary>Reads one page of contacts matching <paramref name="where"/>, ordered by id, with the total count.</summary>
    public (int Total, List<JsonObject> Page) List(ContactFilterSql where, int start, int perPage)
    {
        using var connection = Open();
        using var transaction = connection.BeginTransaction(deferred: true);

        var (total, results) = IvvyRecordTables.List(connection, transaction, "contacts c", where, "id", start, perPage);
        transaction.Commit();
        return (total, results);
    }

    public JsonObject? Get(int id)
    {
        using var connection = Open();
        return Writer.Get(connection, null, id);
    }

    public int Count()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM contacts";
        return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    /// <summary>Contacts per subscription group id.</summary>
    public Dictionary<int, int> GroupMemberCounts()
    {
        using var connection = Open();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT json_extract(g.value, '$.groupId'), COUNT(*)
            FROM contacts c, json_each(c.data, '$.groups') g
            GROUP BY 1
            """;
        var counts = new Dictionary<int, int>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (!reader.IsDBNull(0))
            {
                counts[reader.GetInt32(0)] = reader.GetInt32(1);
            }
        }

        return counts;
    }

    public void Dispose()
    {
        // Pooled connections keep the file open; release them so the folder can be deleted or reopened by another host.
        using (var connection = new SqliteConnection(_connectionString))
        {
            SqliteConnection.ClearPool(connection);
        }

        _writeLock.Dispose();
    }

    /// <summary>The identity iVvy matches on (updateIfExists): first name + last name + email, trimmed, case-insensitive.</summary>
    public static string IdentityKey(string? firstName, string? lastName, string? email) =>
        string.Join('\u001f', Norm(firstName), Norm(lastName), Norm(email));

    private static string Norm(string? value) => (value ?? string.Empty).Trim().ToLowerInvariant();

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    private static void Execute(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    /// <summary>Reads and writes inside one write transaction.</summary>
    internal sealed class Writer : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _transaction;
        private ContactUpsertCommand? _upsert;

        public Writer(SqliteConnection connection, SqliteTransaction transaction)
        {
            _connection = connection;
            _transaction = transaction;
        }

        /// <summary>The write transaction's connection, for the other record tables.</summary>
        public SqliteConnection Connection => _connection;

        /// <summary>The write transaction.</summary>
        public SqliteTransaction Transaction => _transaction;

        /// <summary>Sets the stored schema version (an upgraded database is marked once its new tables are seeded).</summary>
        public void MarkSchema(int version) => Execute(_connection, _transaction,
            $"INSERT OR REPLACE INTO meta (key, value) VALUES ('schema', '{version.ToString(CultureInfo.InvariantCulture)}')");

        public JsonObject? Get(int id) => Get(_connection, _transaction, id);

        /// <summary>The lowest-id contact with this identity (iVvy allows several; updateIfExists takes one).</summary>
        public JsonObject? FindByIdentity(string firstName, string lastName, string email)
        {
            using var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = "SELECT data FROM contacts WHERE identity_key = $key ORDER BY id LIMIT 1";
            command.Parameters.AddWithValue("$key", IdentityKey(firstName, lastName, email));
            return command.ExecuteScalar() is string json ? JsonNode.Parse(json)!.AsObject() : null;
        }

        public int NextId()
        {
            using var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = "SELECT COALESCE(MAX(id), 0) + 1 FROM contacts";
            return Convert.ToInt32(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }

        /// <summary>Business names of the given company ids that exist.</summary>
        public Dictionary<int, string> CompanyNames(IReadOnlyCollection<int> ids)
        {
            var names = new Dictionary<int, string>();
            if (ids.Count == 0)
            {
                return names;
            }

            using var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = "SELECT id, business_name FROM companies WHERE id IN (SELECT value FROM json_each($ids))";
            command.Parameters.AddWithValue("$ids", new JsonArray(ids.Select(i => (JsonNode?)i).ToArray()).ToJsonString());
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                names[reader.GetInt32(0)] = reader.GetString(1);
            }

            return names;
        }

        /// <summary>Removes a contact; true when it existed.</summary>
        public bool Delete(int id)
        {
            using var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = "DELETE FROM contacts WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteNonQuery() > 0;
        }

        /// <summary>Inserts or replaces the contact whose id the document carries.</summary>
        public void Save(JsonObject contact) => (_upsert ??= new ContactUpsertCommand(_connection, _transaction)).Execute(contact);

        public void Dispose() => _upsert?.Dispose();

        internal static JsonObject? Get(SqliteConnection connection, SqliteTransaction? transaction, int id)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = "SELECT data FROM contacts WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            return command.ExecuteScalar() is string json ? JsonNode.Parse(json)!.AsObject() : null;
        }
    }

    /// <summary>A prepared insert-or-replace of one contact document and its derived columns.</summary>
    private sealed class ContactUpsertCommand : IDisposable
    {
        private readonly SqliteCommand _command;
        private readonly SqliteParameter _id, _first, _last, _email, _phone, _externalId, _identity, _created, _modified, _data;

        public ContactUpsertCommand(SqliteConnection connection, SqliteTransaction transaction)
        {
            _command = connection.CreateCommand();
            _command.Transaction = transaction;
            _command.CommandText = """
                INSERT OR REPLACE INTO contacts (id, first_name, last_name, email, phone, external_id, identity_key, created, modified, data)
                VALUES ($id, $first, $last, $email, $phone, $externalId, $identity, $created, $modified, $data)
                """;
            _id = _command.Parameters.Add("$id", SqliteType.Integer);
            _first = _command.Parameters.Add("$first", SqliteType.Text);
            _last = _command.Parameters.Add("$last", SqliteType.Text);
            _email = _command.Parameters.Add("$email", SqliteType.Text);
            _phone = _command.Parameters.Add("$phone", SqliteType.Text);
            _externalId = _command.Parameters.Add("$externalId", SqliteType.Text);
            _identity = _command.Parameters.Add("$identity", SqliteType.Text);
            _created = _command.Parameters.Add("$created", SqliteType.Integer);
            _modified = _command.Parameters.Add("$modified", SqliteType.Integer);
            _data = _command.Parameters.Add("$data", SqliteType.Text);
            _command.Prepare();
        }

        public void Execute(JsonObject contact)
        {
            var first = Text(contact["firstName"]);
            var last = Text(contact["lastName"]);
            var email = Text(contact["email"]);
            _id.Value = contact["id"]!.GetValue<int>();
            _first.Value = (object?)first ?? DBNull.Value;
            _last.Value = (object?)last ?? DBNull.Value;
            _email.Value = (object?)email ?? DBNull.Value;
            _phone.Value = (object?)Text(contact["phone"]) ?? DBNull.Value;
            _externalId.Value = (object?)Text(contact["externalId"]) ?? DBNull.Value;
            _identity.Value = IdentityKey(first, last, email);
            _created.Value = Seconds(contact["createdDate"]);
            _modified.Value = Seconds(contact["modifiedDate"]);
            _data.Value = contact.ToJsonString();
            _command.ExecuteNonQuery();
        }

        public void Dispose() => _command.Dispose();

        private static string? Text(JsonNode? node) => node is JsonValue value
            ? value.TryGetValue<string>(out var text) ? text : value.ToJsonString()
            : null;

        private static long Seconds(JsonNode? node) =>
            IvvyDates.TryParse(Text(node), out var at) ? at.ToUnixTimeSeconds() : 0;
    }
}
