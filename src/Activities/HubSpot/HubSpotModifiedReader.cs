using System.Globalization;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>
/// Reads the records of one HubSpot object type modified in a window, page by page, through the CRM search API, so that no
/// record is lost to paging, to the 10,000-result cap, to ties on the modified date, or to records changing during the read.
/// </summary>
/// <remarks>
/// <para><b>Window.</b> <see cref="OpenWindowAsync"/> fixes [From, To]: To = now − <c>settleDelay</c> (default 5 s, longer than
/// HubSpot's search-index lag, so every write stamped ≤ To is searchable when the window is read), From = the previous To −
/// <c>overlap</c> (default 1 s) or null for the first window. Records modified again during the read get a new date past To
/// and are read in the next window; the overlap re-reads a few, which the diff stage recognises as unchanged.</para>
/// <para><b>Paging is keyset, never offset.</b> Every page is a fresh query: modified in [From, To] AND hs_object_id &gt;
/// AnchorId, one sort (hs_object_id ascending), <c>after</c> unused. The cursor's <see cref="ReadCursor.AnchorId"/> is the
/// last id read (and <see cref="ReadCursor.AnchorModified"/> its modified date, for information). This departs from a
/// modified-date sort with re-anchoring near the cap, for two reasons: HubSpot applies only one sorting rule ("Only one
/// sorting rule can be applied to any search") and promises no order among records tied on a date, so re-anchoring on
/// (modified, id) can skip tied records; and offset paging over a set that shrinks while it is read (a record edited
/// mid-read leaves the window) shifts later offsets and skips records. A unique, immutable sort key with a filter on it has
/// neither problem, and since no query pages past its first page, the result cap is never reached however large the window.</para>
/// <para>Reading the same cursor twice returns the same records, less any that were modified meanwhile (those fall in the
/// next window): redoing a page never skips one.</para>
/// </remarks>
public sealed class HubSpotModifiedReader : ISourceReader
{
    /// <summary>The record id property, unique and immutable: the paging key.</summary>
    public const string ObjectIdProperty = "hs_object_id";

    private readonly HubSpotClient _client;
    private readonly string _objectType;
    private readonly string _modifiedProperty;
    private readonly IReadOnlyList<string> _properties;
    private readonly bool _mergedIdsAsked;
    private readonly TimeSpan _settleDelay;
    private readonly TimeSpan _overlap;

    /// <summary>Creates a reader.</summary>
    /// <param name="client">The HubSpot client (its clock opens windows).</param>
    /// <param name="objectType">Object type path name: "contacts", "companies", "deals"…</param>
    /// <param name="modifiedProperty">The last-modified property: "lastmodifieddate" for contacts, "hs_lastmodifieddate" for
    /// other types (see <see cref="DefaultModifiedProperty"/>).</param>
    /// <param name="properties">Properties to read for each record (the modified date and id are always added).</param>
    /// <param name="settleDelay">How far behind now a window ends; must exceed HubSpot's search-index lag. Default 5 s.</param>
    /// <param name="overlap">How far before the previous window's end the next one starts. Default 1 s.</param>
    public HubSpotModifiedReader(HubSpotClient client, string objectType, string modifiedProperty, IReadOnlyList<string> properties,
        TimeSpan? settleDelay = null, TimeSpan? overlap = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrWhiteSpace(objectType);
        ArgumentException.ThrowIfNullOrWhiteSpace(modifiedProperty);
        ArgumentNullException.ThrowIfNull(properties);
        _settleDelay = settleDelay ?? TimeSpan.FromSeconds(5);
        _overlap = overlap ?? TimeSpan.FromSeconds(1);
        ArgumentOutOfRangeException.ThrowIfLessThan(_settleDelay, TimeSpan.Zero, nameof(settleDelay));
        ArgumentOutOfRangeException.ThrowIfLessThan(_overlap, TimeSpan.Zero, nameof(overlap));
        _client = client;
        _objectType = objectType;
        _modifiedProperty = modifiedProperty;
        _mergedIdsAsked = properties.Contains(HubSpotUpsertWriter.MergedObjectIds, StringComparer.Ordinal);
        _properties = properties.Append(modifiedProperty).Append(ObjectIdProperty).Append(HubSpotUpsertWriter.MergedObjectIds)
            .Distinct(StringComparer.Ordinal).ToList();
    }

    /// <summary>The last-modified property HubSpot keeps for <paramref name="objectType"/>.</summary>
    public static string DefaultModifiedProperty(string objectType) =>
        objectType is "contacts" or "0-1" ? "lastmodifieddate" : "hs_lastmodifieddate";

    /// <summary>Records per page: the configured page size, never more than one query may return.</summary>
    public int PageSize => Math.Min(_client.Options.SearchPageSize, _client.Options.SearchResultCap);

    /// <inheritdoc />
    /// <remarks>A <paramref name="previous"/> window that is not complete is returned unchanged, so it is finished first.</remarks>
    public Task<ReadCursor> OpenWindowAsync(ReadCursor? previous, CancellationToken cancellationToken)
    {
        if (previous is { Complete: false })
        {
            return Task.FromResult(previous);
        }

        var to = TruncateToMilliseconds(_client.TimeProvider.GetUtcNow() - _settleDelay);
        if (previous is not null && to < previous.To)
        {
            // Never move the window backwards, even if the clock does.
            to = previous.To;
        }

        return Task.FromResult(new ReadCursor(previous is null ? null : previous.To - _overlap, to));
    }

    /// <inheritdoc />
    public async Task<SourcePage> ReadPageAsync(ReadCursor cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        if (cursor.Complete)
        {
            return new SourcePage([], cursor);
        }

        var filters = new List<HubSpotFilter>(3);
        if (cursor.From is { } from)
        {
            filters.Add(new HubSpotFilter(_modifiedProperty, "GTE", EpochMs(from)));
        }

        filters.Add(new HubSpotFilter(_modifiedProperty, "LTE", EpochMs(cursor.To)));
        if (cursor.AnchorId is { } anchorId)
        {
            filters.Add(new HubSpotFilter(ObjectIdProperty, "GT", anchorId));
        }

        var limit = PageSize;
        var page = await _client.SearchAsync(_objectType,
            new HubSpotSearchRequest([new HubSpotFilterGroup(filters)], [new HubSpotSort(ObjectIdProperty)], _properties, limit),
            cancellationToken).ConfigureAwait(false);

        var records = page.Results.Select(ToSourceRecord).ToList();
        var complete = records.Count == 0 || records.Count >= page.Total || records.Count < limit;
        var next = records.Count == 0
            ? cursor with { After = null, Complete = true }
            : cursor with
            {
                After = null,
                AnchorId = records[^1].Id,
                AnchorModified = records[^1].ModifiedAt,
                Complete = complete,
            };
        return new SourcePage(records, next);
    }

    private SourceRecord ToSourceRecord(HubSpotObject record)
    {
        var modified = HubSpotClient.TryParseInstant(record.Property(_modifiedProperty), out var stamped) ? stamped : record.UpdatedAt;
        // Templates and pair states see a HubSpot record as its properties, the same shape the writer writes and
        // ReadCurrentAsync returns; hs_object_id is among them.
        var properties = record.Raw["properties"] is JsonObject props ? (JsonObject)props.DeepClone() : [];
        properties["hs_object_id"] ??= record.Id;
        // The ids merged into this record are asked for always and passed on beside its data, so a pair of a merged-away
        // record follows it; the data keeps them only when the definition asked for them.
        var merged = (record.Property(HubSpotUpsertWriter.MergedObjectIds) ?? "")
            .Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(id => id != record.Id).ToList();
        if (!_mergedIdsAsked)
        {
            properties.Remove(HubSpotUpsertWriter.MergedObjectIds);
        }

        return new SourceRecord(record.Id, modified, properties, merged.Count > 0 ? merged : null);
    }

    private static string EpochMs(DateTimeOffset instant) => instant.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);

    private static DateTimeOffset TruncateToMilliseconds(DateTimeOffset instant) =>
        DateTimeOffset.FromUnixTimeMilliseconds(instant.ToUnixTimeMilliseconds());
}
