namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>How a property's values compare: as numbers, as instants, or as text (case-insensitive).</summary>
internal enum HubSpotValueKind
{
    Text,
    Number,
    Instant,
}

/// <summary>A property value read by its type once, so search compares numbers and dates without parsing them again.</summary>
internal readonly record struct HubSpotTypedValue(decimal? Number, long? InstantMs, string Text)
{
    public static HubSpotValueKind KindOf(string type) => type switch
    {
        "number" => HubSpotValueKind.Number,
        "date" or "datetime" => HubSpotValueKind.Instant,
        _ => HubSpotValueKind.Text,
    };

    public static HubSpotTypedValue Of(HubSpotValueKind kind, string text) => kind switch
    {
        HubSpotValueKind.Number => new(decimal.TryParse(text, System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : null, null, text),
        HubSpotValueKind.Instant => new(null, HubSpotValues.TryParseInstant(text, out var instant) ? instant.ToUnixTimeMilliseconds() : null, text),
        _ => new(null, null, text),
    };

    /// <summary>Compares as <paramref name="kind"/>; null when either side does not read as that kind.</summary>
    public static int? Compare(HubSpotValueKind kind, in HubSpotTypedValue a, in HubSpotTypedValue b) => kind switch
    {
        HubSpotValueKind.Number => a.Number is { } x && b.Number is { } y ? x.CompareTo(y) : null,
        HubSpotValueKind.Instant => a.InstantMs is { } x && b.InstantMs is { } y ? x.CompareTo(y) : null,
        _ => string.Compare(a.Text, b.Text, StringComparison.OrdinalIgnoreCase),
    };
}

/// <summary>An immutable view of a record: what one write left, and what the search index shows once it has caught up.</summary>
internal sealed class HubSpotRecordSnapshot(
    long id,
    IReadOnlyDictionary<string, string> properties,
    DateTimeOffset createdAt,
    DateTimeOffset updatedAt,
    DateTimeOffset? archivedAt)
{
    // Filled lazily by searches, which run under the simulator's lock.
    private readonly Dictionary<string, HubSpotTypedValue> _typed = new(StringComparer.Ordinal);

    public long Id { get; } = id;

    public IReadOnlyDictionary<string, string> Properties { get; } = properties;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; } = updatedAt;

    public DateTimeOffset? ArchivedAt { get; } = archivedAt;

    public bool Archived => ArchivedAt is not null;

    public string? Get(string property) => Properties.TryGetValue(property, out var value) ? value : null;

    /// <summary>The value read as <paramref name="kind"/> (one kind per property); null when the record does not have it.</summary>
    public HubSpotTypedValue? Typed(string property, HubSpotValueKind kind)
    {
        if (_typed.TryGetValue(property, out var cached))
        {
            return cached;
        }

        if (!Properties.TryGetValue(property, out var text))
        {
            return null;
        }

        var typed = HubSpotTypedValue.Of(kind, text);
        _typed[property] = typed;
        return typed;
    }
}

/// <summary>One stored CRM record. Property values are strings, as HubSpot keeps them; an empty value is not stored.</summary>
/// <remarks>
/// Search does not read the record directly: it reads <see cref="IndexedAt"/>, the newest snapshot whose index delay has
/// passed, so a write shows in search only after <see cref="HubSpotSimulatorOptions.SearchIndexLag"/> (crm-apis.md §1.4).
/// </remarks>
internal sealed class HubSpotRecord
{
    private readonly Queue<(DateTimeOffset VisibleAt, HubSpotRecordSnapshot Snapshot)> _pending = new();
    private HubSpotRecordSnapshot? _indexed;

    public HubSpotRecord(long id, Dictionary<string, string> properties, DateTimeOffset createdAt, DateTimeOffset updatedAt,
        DateTimeOffset? archivedAt)
    {
        Id = id;
        Properties = properties;
        CreatedAt = createdAt;
        UpdatedAt = updatedAt;
        ArchivedAt = archivedAt;
    }

    public long Id { get; }

    public Dictionary<string, string> Properties { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }

    public DateTimeOffset? ArchivedAt { get; set; }

    public bool Archived => ArchivedAt is not null;

    public HubSpotRecordSnapshot Snapshot() =>
        new(Id, new Dictionary<string, string>(Properties, StringComparer.Ordinal), CreatedAt, UpdatedAt, ArchivedAt);

    /// <summary>Queues the current state for the search index, visible from <paramref name="visibleAt"/>.</summary>
    public void Reindex(DateTimeOffset visibleAt, DateTimeOffset now)
    {
        if (visibleAt <= now && _pending.Count == 0)
        {
            _indexed = Snapshot();
            return;
        }

        _pending.Enqueue((visibleAt, Snapshot()));
    }

    /// <summary>What search shows at <paramref name="now"/>; null while a new record is not indexed yet.</summary>
    public HubSpotRecordSnapshot? IndexedAt(DateTimeOffset now)
    {
        while (_pending.Count > 0 && _pending.Peek().VisibleAt <= now)
        {
            _indexed = _pending.Dequeue().Snapshot;
        }

        return _indexed;
    }
}
