namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>Default (unlabeled) associations between records, kept in both directions as HubSpot reports them.</summary>
/// <remarks>Not thread-safe: the simulator holds its lock around every use.</remarks>
internal sealed class HubSpotAssociations
{
    // HubSpot-defined type ids of the default association per direction (crm-apis.md §1.7 advises resolving them at run time;
    // these are the commonly documented values, which is all a client can observe here).
    private static readonly Dictionary<(string From, string To), int> DefaultTypeIds = new()
    {
        [("contacts", "companies")] = 279,
        [("companies", "contacts")] = 280,
        [("deals", "contacts")] = 3,
        [("contacts", "deals")] = 4,
        [("deals", "companies")] = 341,
        [("companies", "deals")] = 342,
        [("emails", "contacts")] = 198,
        [("contacts", "emails")] = 197,
        [("emails", "companies")] = 186,
        [("companies", "emails")] = 185,
        [("emails", "deals")] = 210,
        [("deals", "emails")] = 209,
    };

    private readonly Dictionary<(string FromType, long FromId, string ToType), SortedSet<long>> _links = [];

    /// <summary>The type id of the default association from <paramref name="fromType"/> to <paramref name="toType"/>; null
    /// when HubSpot has none between those types.</summary>
    public static int? DefaultTypeId(string fromType, string toType) =>
        DefaultTypeIds.TryGetValue((fromType, toType), out var id) ? id : null;

    /// <summary>The type a default association of type <paramref name="typeId"/> from <paramref name="fromType"/> leads to; null when none.</summary>
    public static string? TargetOf(string fromType, int typeId) =>
        DefaultTypeIds.FirstOrDefault(p => p.Key.From == fromType && p.Value == typeId).Key.To;

    /// <summary>Links the two records both ways.</summary>
    /// <returns>True when the link is new.</returns>
    public bool Add(string fromType, long fromId, string toType, long toId)
    {
        var added = Set(fromType, fromId, toType).Add(toId);
        Set(toType, toId, fromType).Add(fromId);
        return added;
    }

    /// <summary>Ids of the <paramref name="toType"/> records linked to the record, ascending.</summary>
    public IReadOnlyCollection<long> Of(string fromType, long fromId, string toType) =>
        _links.TryGetValue((fromType, fromId, toType), out var set) ? set : [];

    public void Clear() => _links.Clear();

    /// <summary>Moves every link of one record to another (a merge): the links of <paramref name="fromId"/> become links
    /// of <paramref name="toId"/>, in both directions.</summary>
    /// <returns>The links <paramref name="toId"/> has now that it did not have, one row per pair of records.</returns>
    public IReadOnlyList<(string FromType, long FromId, string ToType, long ToId)> Move(string type, long fromId, long toId)
    {
        var moved = new List<(string, long, string, long)>();
        foreach (var key in _links.Keys.Where(k => k.FromType == type && k.FromId == fromId).ToList())
        {
            var others = _links[key];
            _links.Remove(key);
            foreach (var other in others)
            {
                Set(key.ToType, other, type).Remove(fromId);
                if (!(key.ToType == type && other == toId) && Add(type, toId, key.ToType, other))
                {
                    moved.Add((type, toId, key.ToType, other));
                }
            }
        }

        return moved;
    }

    private SortedSet<long> Set(string fromType, long fromId, string toType)
    {
        if (!_links.TryGetValue((fromType, fromId, toType), out var set))
        {
            set = [];
            _links[(fromType, fromId, toType)] = set;
        }

        return set;
    }
}
