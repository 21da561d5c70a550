namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>The in-memory state of one object type: its records, its property definitions and its unique-value index.</summary>
/// <remarks>Not thread-safe: the simulator holds its lock around every use.</remarks>
internal sealed class HubSpotTypeState
{
    private readonly List<HubSpotRecord> _byId = [];

    public HubSpotTypeState(HubSpotObjectType type)
    {
        Type = type;
        foreach (var property in type.BuiltInProperties)
        {
            Properties[property.Name] = property;
        }
    }

    public HubSpotObjectType Type { get; }

    /// <summary>Records by id. Add and remove through <see cref="Add"/> and <see cref="Remove"/> to keep <see cref="ById"/> in step.</summary>
    public Dictionary<long, HubSpotRecord> Records { get; } = [];

    /// <summary>The same records in ascending id order, so a search bounded on hs_object_id starts at its bound.</summary>
    public IReadOnlyList<HubSpotRecord> ById => _byId;

    public Dictionary<string, HubSpotPropertyDefinition> Properties { get; } = new(StringComparer.Ordinal);

    /// <summary>Id of a record merged away → id of the record it now reads as (HubSpot keeps old ids pointing at the
    /// merge's result).</summary>
    public Dictionary<long, long> MergedInto { get; } = [];

    /// <summary>The record <paramref name="id"/> names: itself, or the record it was merged into; null when neither exists.</summary>
    public HubSpotRecord? Resolve(long id) =>
        Records.TryGetValue(id, out var record) ? record
        : MergedInto.TryGetValue(id, out var survivor) && Records.TryGetValue(survivor, out var merged) ? merged
        : null;

    /// <summary>(property, normalised value) → id of the live record holding it.</summary>
    public Dictionary<(string Property, string Value), long> Unique { get; } = [];

    public void Add(HubSpotRecord record)
    {
        Records.Add(record.Id, record);
        // Ids are handed out in increasing order, so this is nearly always an append.
        if (_byId.Count == 0 || _byId[^1].Id < record.Id)
        {
            _byId.Add(record);
        }
        else
        {
            _byId.Insert(FirstIndexAtLeast(record.Id), record);
        }
    }

    public void Remove(HubSpotRecord record)
    {
        if (Records.Remove(record.Id))
        {
            _byId.RemoveAt(FirstIndexAtLeast(record.Id));
        }
    }

    /// <summary>Index in <see cref="ById"/> of the first record whose id is at least <paramref name="id"/>.</summary>
    public int FirstIndexAtLeast(long id)
    {
        var (low, high) = (0, _byId.Count);
        while (low < high)
        {
            var middle = (low + high) >>> 1;
            if (_byId[middle].Id < id)
            {
                low = middle + 1;
            }
            else
            {
                high = middle;
            }
        }

        return low;
    }

    /// <summary>True when values of <paramref name="property"/> identify one record (what <c>idProperty</c> requires).</summary>
    public bool IsUnique(string property) =>
        property == Type.SystemUniqueProperty || (Properties.TryGetValue(property, out var definition) && definition.HasUniqueValue);

    /// <summary>The properties whose values are kept unique.</summary>
    public IEnumerable<string> UniqueProperties() => Properties.Keys.Where(IsUnique);

    /// <summary>Emails compare case-insensitively in HubSpot; other unique values compare as written.</summary>
    public static string Normalize(string property, string value) =>
        property == "email" ? value.Trim().ToLowerInvariant() : value;

    /// <summary>The live record holding <paramref name="value"/> in a unique property, or null.</summary>
    public HubSpotRecord? FindUnique(string property, string value) =>
        Unique.TryGetValue((property, Normalize(property, value)), out var id) && Records.TryGetValue(id, out var record) ? record : null;

    public void AddToIndex(HubSpotRecord record)
    {
        if (record.Archived)
        {
            return;
        }

        foreach (var property in UniqueProperties())
        {
            if (record.Properties.TryGetValue(property, out var value))
            {
                Unique[(property, Normalize(property, value))] = record.Id;
            }
        }
    }

    public void RemoveFromIndex(HubSpotRecord record)
    {
        foreach (var property in UniqueProperties())
        {
            if (record.Properties.TryGetValue(property, out var value)
                && Unique.TryGetValue((property, Normalize(property, value)), out var holder) && holder == record.Id)
            {
                Unique.Remove((property, Normalize(property, value)));
            }
        }
    }
}
