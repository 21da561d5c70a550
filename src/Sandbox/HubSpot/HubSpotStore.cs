using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>
/// The simulator's state: every record, custom property definition and unique value, held in memory for fast search and
/// written through to SQLite (<c>{dataDirectory}/hubspot.db</c>) so it survives a restart.
/// </summary>
/// <remarks>Not thread-safe: the simulator holds its lock around every use. One connection stays open for the store's life.</remarks>
internal sealed partial class HubSpotStore : IDisposable
{
    /// <summary>HubSpot record ids are numeric strings; the simulator's start here.</summary>
    public const long FirstId = 1_000_001;

    private readonly SqliteConnection _db;
    private readonly Dictionary<string, HubSpotTypeState> _types = new(StringComparer.Ordinal);
    private long _nextId = FirstId;

    public HubSpotStore(string? dataDirectory)
    {
        var source = dataDirectory is null ? ":memory:" : Path.Combine(dataDirectory, "hubspot.db");
        if (dataDirectory is not null)
        {
            Directory.CreateDirectory(dataDirectory);
        }

        // No pooling: disposing the store must release the file so a test can delete the folder or reopen it.
        _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = source, Pooling = false }.ToString());
        _db.Open();
        Execute(dataDirectory is null ? "PRAGMA journal_mode=MEMORY;" : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
        Execute("""
            CREATE TABLE IF NOT EXISTS objects (
                type TEXT NOT NULL, id INTEGER NOT NULL, properties TEXT NOT NULL,
                created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, archived_at INTEGER NULL,
                PRIMARY KEY (type, id));
            CREATE TABLE IF NOT EXISTS property_definitions (
                type TEXT NOT NULL, name TEXT NOT NULL, label TEXT NOT NULL, value_type TEXT NOT NULL, field_type TEXT NOT NULL,
                group_name TEXT NOT NULL, has_unique_value INTEGER NOT NULL,
                PRIMARY KEY (type, name));
            CREATE TABLE IF NOT EXISTS unique_values (
                type TEXT NOT NULL, property TEXT NOT NULL, value TEXT NOT NULL, object_id INTEGER NOT NULL,
                PRIMARY KEY (type, property, value));
            CREATE INDEX IF NOT EXISTS unique_values_object ON unique_values (type, object_id);
            CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """);
        CreateModuleTables();
        CreateMergeTables();
        Load();
        LoadModules();
        LoadMerges();
    }

    /// <summary>The state of <paramref name="type"/>, created empty on first use.</summary>
    public HubSpotTypeState For(HubSpotObjectType type)
    {
        if (!_types.TryGetValue(type.Name, out var state))
        {
            state = new HubSpotTypeState(type);
            _types[type.Name] = state;
        }

        return state;
    }

    /// <summary>Hands out the next record id (persisted with the next <see cref="Save"/>).</summary>
    public long AllocateId() => _nextId++;

    /// <summary>Gives back ids handed out by a batch that was rolled back, so ids stay dense.</summary>
    public void RewindIds(long nextId) => _nextId = nextId;

    public long NextId => _nextId;

    /// <summary>Writes the records (and their unique values) in one transaction.</summary>
    public void Save(HubSpotTypeState state, IReadOnlyCollection<HubSpotRecord> records)
    {
        if (records.Count == 0)
        {
            return;
        }

        using var transaction = _db.BeginTransaction();
        using var upsert = Command(transaction, """
            INSERT INTO objects (type, id, properties, created_at, updated_at, archived_at)
            VALUES ($type, $id, $properties, $created, $updated, $archived)
            ON CONFLICT (type, id) DO UPDATE SET properties = excluded.properties, created_at = excluded.created_at,
                updated_at = excluded.updated_at, archived_at = excluded.archived_at;
            """);
        using var clearUnique = Command(transaction, "DELETE FROM unique_values WHERE type = $type AND object_id = $id;");
        using var addUnique = Command(transaction, """
            INSERT INTO unique_values (type, property, value, object_id) VALUES ($type, $property, $value, $id)
            ON CONFLICT (type, property, value) DO UPDATE SET object_id = excluded.object_id;
            """);
        var uniqueProperties = state.UniqueProperties().ToList();
        foreach (var record in records)
        {
            upsert.Parameters.Clear();
            upsert.Parameters.AddWithValue("$type", state.Type.Name);
            upsert.Parameters.AddWithValue("$id", record.Id);
            upsert.Parameters.AddWithValue("$properties", JsonSerializer.Serialize(record.Properties));
            upsert.Parameters.AddWithValue("$created", record.CreatedAt.ToUnixTimeMilliseconds());
            upsert.Parameters.AddWithValue("$updated", record.UpdatedAt.ToUnixTimeMilliseconds());
            upsert.Parameters.AddWithValue("$archived", (object?)record.ArchivedAt?.ToUnixTimeMilliseconds() ?? DBNull.Value);
            upsert.ExecuteNonQuery();

            clearUnique.Parameters.Clear();
            clearUnique.Parameters.AddWithValue("$type", state.Type.Name);
            clearUnique.Parameters.AddWithValue("$id", record.Id);
            clearUnique.ExecuteNonQuery();
            if (record.Archived)
            {
                continue;
            }

            foreach (var property in uniqueProperties)
            {
                if (record.Properties.TryGetValue(property, out var value))
                {
                    addUnique.Parameters.Clear();
                    addUnique.Parameters.AddWithValue("$type", state.Type.Name);
                    addUnique.Parameters.AddWithValue("$property", property);
                    addUnique.Parameters.AddWithValue("$value", HubSpotTypeState.Normalize(property, value));
                    addUnique.Parameters.AddWithValue("$id", record.Id);
                    addUnique.ExecuteNonQuery();
                }
            }
        }

        SaveNextId(transaction);
        transaction.Commit();
    }

    /// <summary>Persists a custom property definition.</summary>
    public void SaveProperty(HubSpotTypeState state, HubSpotPropertyDefinition definition)
    {
        using var command = Command(null, """
            INSERT OR REPLACE INTO property_definitions (type, name, label, value_type, field_type, group_name, has_unique_value)
            VALUES ($type, $name, $label, $valueType, $fieldType, $group, $unique);
            """);
        command.Parameters.AddWithValue("$type", state.Type.Name);
        command.Parameters.AddWithValue("$name", definition.Name);
        command.Parameters.AddWithValue("$label", definition.Label);
        command.Parameters.AddWithValue("$valueType", definition.Type);
        command.Parameters.AddWithValue("$fieldType", definition.FieldType);
        command.Parameters.AddWithValue("$group", definition.GroupName);
        command.Parameters.AddWithValue("$unique", definition.HasUniqueValue ? 1 : 0);
        command.ExecuteNonQuery();
    }

    /// <summary>Deletes everything: records, custom properties, unique values; ids start again from <see cref="FirstId"/>.</summary>
    public void Reset()
    {
        Execute("DELETE FROM objects; DELETE FROM property_definitions; DELETE FROM unique_values; DELETE FROM meta; DELETE FROM merged_ids;");
        _types.Clear();
        _nextId = FirstId;
        ResetModules();
    }

    public void Dispose() => _db.Dispose();

    private void Load()
    {
        using (var command = Command(null,
            "SELECT type, name, label, value_type, field_type, group_name, has_unique_value FROM property_definitions;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (HubSpotObjectTypes.Resolve(reader.GetString(0)) is not { } type)
                {
                    continue;
                }

                var definition = new HubSpotPropertyDefinition(reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    reader.GetString(4), reader.GetString(5), reader.GetInt64(6) != 0, ReadOnly: false, Custom: true);
                For(type).Properties[definition.Name] = definition;
            }
        }

        using (var command = Command(null, "SELECT type, id, properties, created_at, updated_at, archived_at FROM objects;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (HubSpotObjectTypes.Resolve(reader.GetString(0)) is not { } type)
                {
                    continue;
                }

                var properties = JsonSerializer.Deserialize<Dictionary<string, string>>(reader.GetString(2)) ?? [];
                var record = new HubSpotRecord(reader.GetInt64(1), new Dictionary<string, string>(properties, StringComparer.Ordinal),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)),
                    reader.IsDBNull(5) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)));
                // What was stored before a restart has long been indexed.
                record.Reindex(DateTimeOffset.MinValue, DateTimeOffset.MinValue);
                var state = For(type);
                state.Add(record);
                state.AddToIndex(record);
                _nextId = Math.Max(_nextId, record.Id + 1);
            }
        }

        using (var command = Command(null, "SELECT value FROM meta WHERE key = 'next_id';"))
        {
            if (command.ExecuteScalar() is string stored && long.TryParse(stored, CultureInfo.InvariantCulture, out var next))
            {
                _nextId = Math.Max(_nextId, next);
            }
        }
    }

    /// <summary>Adds to the persisted count of batch-upsert inputs received for a type, so tests can tell how many
    /// records a client wrote in all, across restarts (how many it wrote twice).</summary>
    public void CountUpsertInputs(string type, int inputs)
    {
        using var command = Command(null, """
            INSERT INTO meta (key, value) VALUES ($key, $n)
            ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + $n AS TEXT);
            """);
        command.Parameters.AddWithValue("$key", "upsert_inputs:" + type);
        command.Parameters.AddWithValue("$n", inputs);
        command.ExecuteNonQuery();
    }

    /// <summary>Batch-upsert inputs received for a type since the store was created or reset.</summary>
    public long UpsertInputs(string type)
    {
        using var command = Command(null, "SELECT value FROM meta WHERE key = $key;");
        command.Parameters.AddWithValue("$key", "upsert_inputs:" + type);
        return command.ExecuteScalar() is string stored ? long.Parse(stored, CultureInfo.InvariantCulture) : 0;
    }

    private void SaveNextId(SqliteTransaction transaction)
    {
        using var command = Command(transaction, "INSERT OR REPLACE INTO meta (key, value) VALUES ('next_id', $value);");
        command.Parameters.AddWithValue("$value", _nextId.ToString(CultureInfo.InvariantCulture));
        command.ExecuteNonQuery();
    }

    private SqliteCommand Command(SqliteTransaction? transaction, string sql)
    {
        var command = _db.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private void Execute(string sql)
    {
        using var command = Command(null, sql);
        command.ExecuteNonQuery();
    }
}
