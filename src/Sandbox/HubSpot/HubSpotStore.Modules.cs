using System.Text.Json;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.HubSpot;

// State of the module APIs beside the CRM objects: deal pipelines, associations, marketing events with attendance, lists.
internal sealed partial class HubSpotStore
{
    /// <summary>Deal pipelines by id; the built-in "default" one is always there and never stored.</summary>
    public Dictionary<string, HubSpotPipeline> Pipelines { get; } = new(StringComparer.Ordinal)
    {
        [HubSpotPipeline.DefaultId] = HubSpotPipeline.Default,
    };

    public HubSpotAssociations Associations { get; } = new();

    /// <summary>Marketing events by (externalAccountId, externalEventId).</summary>
    public Dictionary<(string Account, string Event), HubSpotMarketingEvent> MarketingEvents { get; } = [];

    /// <summary>Lists by id.</summary>
    public SortedDictionary<long, HubSpotList> Lists { get; } = [];

    /// <summary>Persists the id counter now (for ids handed out outside <see cref="Save"/>: pipelines, stages, events).</summary>
    public void SaveNextId()
    {
        using var transaction = _db.BeginTransaction();
        SaveNextId(transaction);
        transaction.Commit();
    }

    public void SavePipeline(HubSpotPipeline pipeline)
    {
        using var command = Command(null, "INSERT OR REPLACE INTO pipelines (id, body) VALUES ($id, $body);");
        command.Parameters.AddWithValue("$id", pipeline.Id);
        command.Parameters.AddWithValue("$body", JsonSerializer.Serialize(pipeline));
        command.ExecuteNonQuery();
    }

    /// <summary>Stores links (both directions are rebuilt from one row on load).</summary>
    public void SaveAssociations(IReadOnlyCollection<(string FromType, long FromId, string ToType, long ToId)> links)
    {
        if (links.Count == 0)
        {
            return;
        }

        using var transaction = _db.BeginTransaction();
        using var command = Command(transaction,
            "INSERT OR IGNORE INTO associations (from_type, from_id, to_type, to_id) VALUES ($fromType, $fromId, $toType, $toId);");
        foreach (var (fromType, fromId, toType, toId) in links)
        {
            command.Parameters.Clear();
            command.Parameters.AddWithValue("$fromType", fromType);
            command.Parameters.AddWithValue("$fromId", fromId);
            command.Parameters.AddWithValue("$toType", toType);
            command.Parameters.AddWithValue("$toId", toId);
            command.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Stores an event's own fields and the participations of <paramref name="contactIds"/>.</summary>
    public void SaveMarketingEvent(HubSpotMarketingEvent marketingEvent, IEnumerable<long> contactIds)
    {
        using var transaction = _db.BeginTransaction();
        using (var command = Command(transaction, """
            INSERT OR REPLACE INTO marketing_events (account_id, event_id, object_id, fields, created_at, updated_at)
            VALUES ($account, $event, $objectId, $fields, $created, $updated);
            """))
        {
            command.Parameters.AddWithValue("$account", marketingEvent.AccountId);
            command.Parameters.AddWithValue("$event", marketingEvent.EventId);
            command.Parameters.AddWithValue("$objectId", marketingEvent.ObjectId);
            command.Parameters.AddWithValue("$fields", marketingEvent.Fields.ToJsonString());
            command.Parameters.AddWithValue("$created", marketingEvent.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$updated", marketingEvent.UpdatedAt.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }

        using var participation = Command(transaction, """
            INSERT OR REPLACE INTO event_participations (account_id, event_id, contact_id, history)
            VALUES ($account, $event, $contact, $history);
            """);
        foreach (var contactId in contactIds.Distinct())
        {
            participation.Parameters.Clear();
            participation.Parameters.AddWithValue("$account", marketingEvent.AccountId);
            participation.Parameters.AddWithValue("$event", marketingEvent.EventId);
            participation.Parameters.AddWithValue("$contact", contactId);
            participation.Parameters.AddWithValue("$history", JsonSerializer.Serialize(marketingEvent.Participations[contactId]));
            participation.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    /// <summary>Stores a list's definition and the membership changes of one call.</summary>
    public void SaveList(HubSpotList list, IReadOnlyCollection<long> added, IReadOnlyCollection<long> removed)
    {
        using var transaction = _db.BeginTransaction();
        using (var command = Command(transaction, """
            INSERT OR REPLACE INTO lists (list_id, name, object_type_id, processing_type, created_at, updated_at)
            VALUES ($id, $name, $objectTypeId, $processingType, $created, $updated);
            """))
        {
            command.Parameters.AddWithValue("$id", list.ListId);
            command.Parameters.AddWithValue("$name", list.Name);
            command.Parameters.AddWithValue("$objectTypeId", list.ObjectTypeId);
            command.Parameters.AddWithValue("$processingType", list.ProcessingType);
            command.Parameters.AddWithValue("$created", list.CreatedAt.ToUnixTimeMilliseconds());
            command.Parameters.AddWithValue("$updated", list.UpdatedAt.ToUnixTimeMilliseconds());
            command.ExecuteNonQuery();
        }

        using var add = Command(transaction,
            "INSERT OR REPLACE INTO list_members (list_id, record_id, added_at) VALUES ($list, $record, $at);");
        foreach (var recordId in added)
        {
            add.Parameters.Clear();
            add.Parameters.AddWithValue("$list", list.ListId);
            add.Parameters.AddWithValue("$record", recordId);
            add.Parameters.AddWithValue("$at", list.Members[recordId].ToUnixTimeMilliseconds());
            add.ExecuteNonQuery();
        }

        using var remove = Command(transaction, "DELETE FROM list_members WHERE list_id = $list AND record_id = $record;");
        foreach (var recordId in removed)
        {
            remove.Parameters.Clear();
            remove.Parameters.AddWithValue("$list", list.ListId);
            remove.Parameters.AddWithValue("$record", recordId);
            remove.ExecuteNonQuery();
        }

        transaction.Commit();
    }

    private void CreateModuleTables() => Execute("""
        CREATE TABLE IF NOT EXISTS pipelines (id TEXT PRIMARY KEY, body TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS associations (
            from_type TEXT NOT NULL, from_id INTEGER NOT NULL, to_type TEXT NOT NULL, to_id INTEGER NOT NULL,
            PRIMARY KEY (from_type, from_id, to_type, to_id));
        CREATE TABLE IF NOT EXISTS marketing_events (
            account_id TEXT NOT NULL, event_id TEXT NOT NULL, object_id INTEGER NOT NULL, fields TEXT NOT NULL,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,
            PRIMARY KEY (account_id, event_id));
        CREATE TABLE IF NOT EXISTS event_participations (
            account_id TEXT NOT NULL, event_id TEXT NOT NULL, contact_id INTEGER NOT NULL, history TEXT NOT NULL,
            PRIMARY KEY (account_id, event_id, contact_id));
        CREATE TABLE IF NOT EXISTS lists (
            list_id INTEGER PRIMARY KEY, name TEXT NOT NULL, object_type_id TEXT NOT NULL, processing_type TEXT NOT NULL,
            created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE TABLE IF NOT EXISTS list_members (
            list_id INTEGER NOT NULL, record_id INTEGER NOT NULL, added_at INTEGER NOT NULL,
            PRIMARY KEY (list_id, record_id));
        """);

    private void LoadModules()
    {
        using (var command = Command(null, "SELECT body FROM pipelines;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (JsonSerializer.Deserialize<HubSpotPipeline>(reader.GetString(0)) is { } pipeline)
                {
                    Pipelines[pipeline.Id] = pipeline;
                }
            }
        }

        using (var command = Command(null, "SELECT from_type, from_id, to_type, to_id FROM associations;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                Associations.Add(reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetInt64(3));
            }
        }

        using (var command = Command(null, "SELECT account_id, event_id, object_id, fields, created_at, updated_at FROM marketing_events;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var marketingEvent = new HubSpotMarketingEvent(reader.GetInt64(2), reader.GetString(0), reader.GetString(1),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))
                {
                    Fields = JsonNode.Parse(reader.GetString(3)) as JsonObject ?? [],
                    UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                };
                MarketingEvents[(marketingEvent.AccountId, marketingEvent.EventId)] = marketingEvent;
            }
        }

        using (var command = Command(null, "SELECT account_id, event_id, contact_id, history FROM event_participations;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (MarketingEvents.TryGetValue((reader.GetString(0), reader.GetString(1)), out var marketingEvent))
                {
                    marketingEvent.Participations[reader.GetInt64(2)] =
                        JsonSerializer.Deserialize<List<HubSpotInteraction>>(reader.GetString(3)) ?? [];
                }
            }
        }

        using (var command = Command(null, "SELECT list_id, name, object_type_id, processing_type, created_at, updated_at FROM lists;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                Lists[reader.GetInt64(0)] = new HubSpotList(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))
                {
                    UpdatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                };
            }
        }

        using (var command = Command(null, "SELECT list_id, record_id, added_at FROM list_members;"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                if (Lists.TryGetValue(reader.GetInt64(0), out var list))
                {
                    list.Members[reader.GetInt64(1)] = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2));
                }
            }
        }
    }

    private void ResetModules()
    {
        Execute("""
            DELETE FROM pipelines; DELETE FROM associations; DELETE FROM marketing_events; DELETE FROM event_participations;
            DELETE FROM lists; DELETE FROM list_members;
            """);
        Pipelines.Clear();
        Pipelines[HubSpotPipeline.DefaultId] = HubSpotPipeline.Default;
        Associations.Clear();
        MarketingEvents.Clear();
        Lists.Clear();
    }

    /// <summary>The next list id: HubSpot's list ids are small integers, apart from record ids.</summary>
    public long NextListId() => Lists.Count == 0 ? 1 : Lists.Keys.Max() + 1;
}
