namespace IvvyWorkflows.Sandbox.HubSpot;

// Merges: the records merged away, and where their ids now point.
internal sealed partial class HubSpotStore
{
    /// <summary>Stores a merge in one transaction: the records merged away are deleted, their ids (and every id that
    /// already pointed at them) point at <paramref name="survivor"/>, which is written with its associations.</summary>
    public void SaveMerge(HubSpotTypeState state, IReadOnlyCollection<long> mergedAway, HubSpotRecord survivor,
        IReadOnlyCollection<(string FromType, long FromId, string ToType, long ToId)> links)
    {
        Save(state, [survivor]);
        using var transaction = _db.BeginTransaction();
        foreach (var id in mergedAway)
        {
            Run(transaction, "DELETE FROM objects WHERE type = $type AND id = $id;", ("$type", state.Type.Name), ("$id", id));
            Run(transaction, "DELETE FROM unique_values WHERE type = $type AND object_id = $id;", ("$type", state.Type.Name), ("$id", id));
            Run(transaction, "DELETE FROM associations WHERE (from_type = $type AND from_id = $id) OR (to_type = $type AND to_id = $id);",
                ("$type", state.Type.Name), ("$id", id));
            Run(transaction, "UPDATE merged_ids SET survivor_id = $survivor WHERE type = $type AND survivor_id = $id;",
                ("$type", state.Type.Name), ("$id", id), ("$survivor", survivor.Id));
            Run(transaction, "INSERT OR REPLACE INTO merged_ids (type, id, survivor_id) VALUES ($type, $id, $survivor);",
                ("$type", state.Type.Name), ("$id", id), ("$survivor", survivor.Id));
        }

        transaction.Commit();
        SaveAssociations(links);
    }

    private void CreateMergeTables() => Execute("""
        CREATE TABLE IF NOT EXISTS merged_ids (
            type TEXT NOT NULL, id INTEGER NOT NULL, survivor_id INTEGER NOT NULL, PRIMARY KEY (type, id));
        """);

    private void LoadMerges()
    {
        using var command = Command(null, "SELECT type, id, survivor_id FROM merged_ids;");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            if (HubSpotObjectTypes.Resolve(reader.GetString(0)) is { } type)
            {
                For(type).MergedInto[reader.GetInt64(1)] = reader.GetInt64(2);
            }
        }
    }

    private void Run(Microsoft.Data.Sqlite.SqliteTransaction transaction, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(transaction, sql);
        foreach (var (name, value) in parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }

        command.ExecuteNonQuery();
    }
}
