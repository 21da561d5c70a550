using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>
/// Reads an iVvy list action window by window, filtered by modified date, without ever skipping a record although iVvy
/// pages by offset and cannot sort by modified date.
/// </summary>
/// <remarks>
/// <para><b>The trap.</b> A record read on page 1 and modified during the run leaves the filtered set; every later record
/// shifts down one offset, so reading page 2 at offset <c>perPage</c> would never see the record that moved onto page 1.</para>
/// <para><b>The defence.</b> A window's upper bound is fixed when it opens, one second before iVvy's own clock (from a
/// ping), so no record can <i>enter</i> the window while it is paged: records can only <i>leave</i> it (modified again, or
/// deleted). The cursor remembers the window's size at the last read. When a read reports fewer records than that, as
/// many records as left may have been before our offset, so the offset is rewound by that difference and the page is read
/// again from there. Re-reading a record is harmless (the diff skips unchanged records); skipping one is not possible.
/// A record that left the window was modified after the window's upper bound, so the next window reads it.</para>
/// <para>Stateless: everything lives in the <see cref="ReadCursor"/>, which the pipeline commits after each page.</para>
/// </remarks>
public sealed class IvvyModifiedReader : ISourceReader
{
    /// <summary>Re-reads allowed within one page read while the window keeps shrinking; past it the cursor rewinds
    /// without reading further, which is equally safe.</summary>
    private const int MaxRewindsPerPage = 10;

    private readonly IvvyClient _client;
    private readonly IvvyListSpec _spec;

    /// <summary>Creates a reader for one list action.</summary>
    public IvvyModifiedReader(IvvyClient client, IvvyListSpec spec)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.Namespace);
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.ListAction);
        if (spec.FromFilter is null != spec.ToFilter is null)
        {
            throw new ArgumentException("A list spec has both window filters or neither.", nameof(spec));
        }
        ArgumentException.ThrowIfNullOrWhiteSpace(spec.ModifiedField);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.PerPage, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(spec.PerPage, 100);
        ArgumentOutOfRangeException.ThrowIfLessThan(spec.Overlap, TimeSpan.Zero);
        _client = client;
        _spec = spec;
    }

    /// <summary>The list action this reader pages.</summary>
    public IvvyListSpec Spec => _spec;

    /// <inheritdoc />
    /// <remarks>One ping per window: <c>To</c> = iVvy's clock − 1 s (whole seconds); <c>From</c> = previous <c>To</c> −
    /// <see cref="IvvyListSpec.Overlap"/>, or none for the first window.</remarks>
    public async Task<ReadCursor> OpenWindowAsync(ReadCursor? previous, CancellationToken cancellationToken)
    {
        var serverNow = await _client.PingAsync(cancellationToken).ConfigureAwait(false);
        var to = IvvyTimestamp.TruncateToSecond(serverNow) - TimeSpan.FromSeconds(1);
        DateTimeOffset? from = previous is null ? null : IvvyTimestamp.TruncateToSecond(previous.To - _spec.Overlap);
        return new ReadCursor(from, to);
    }

    /// <inheritdoc />
    public async Task<SourcePage> ReadPageAsync(ReadCursor cursor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cursor);
        if (cursor.Complete)
        {
            return new SourcePage([], cursor);
        }

        var filter = new JsonObject();
        if (_spec.FromFilter is not null && _spec.ToFilter is not null)
        {
            if (cursor.From is { } from)
            {
                filter[_spec.FromFilter] = IvvyTimestamp.Format(from);
            }

            filter[_spec.ToFilter] = IvvyTimestamp.Format(cursor.To);
        }

        var readStart = cursor.Offset;
        var knownTotal = cursor.Total;
        var page = await ReadAsync(readStart, filter, cancellationToken).ConfigureAwait(false);
        for (var rewinds = 0; knownTotal is { } before && page.TotalResults < before; rewinds++)
        {
            // Records left the window since the last read; as many of them may have sat before readStart, shifting
            // unread records below it.
            var left = before - page.TotalResults;
            if (rewinds == MaxRewindsPerPage)
            {
                // Still shrinking: keep what was read, and move the cursor back so the next read covers the gap.
                var safeOffset = Math.Max(0, readStart - left);
                return new SourcePage(Map(page), cursor with { Offset = safeOffset, Total = page.TotalResults, Complete = false });
            }

            readStart = Math.Max(0, readStart - left);
            knownTotal = page.TotalResults;
            page = await ReadAsync(readStart, filter, cancellationToken).ConfigureAwait(false);
        }

        var nextOffset = readStart + page.Count;
        var complete = nextOffset >= page.TotalResults || page.Count == 0;
        return new SourcePage(Map(page), cursor with { Offset = nextOffset, Total = page.TotalResults, Complete = complete });
    }

    private Task<IvvyPage> ReadAsync(int start, JsonObject filter, CancellationToken cancellationToken) =>
        _client.GetListAsync(_spec.Namespace, _spec.ListAction, start, _spec.PerPage, filter, cancellationToken, _spec.Parameters);

    private List<SourceRecord> Map(IvvyPage page)
    {
        var records = new List<SourceRecord>(page.Results.Count);
        foreach (var result in page.Results)
        {
            if (!IvvyClient.TryIdOf(result, out var id))
            {
                throw new ConnectorException(IvvyClient.ConnectorName, $"{_spec.Namespace}.{_spec.ListAction}", FailureKind.System,
                    $"iVvy {_spec.Namespace}.{_spec.ListAction} returned a record without an id at offset {page.Start}.");
            }

            var modified = result[_spec.ModifiedField] is JsonValue value && value.TryGetValue<string>(out var text)
                && IvvyTimestamp.TryParse(text, out var parsed)
                    ? parsed
                    : (DateTimeOffset?)null;
            records.Add(new SourceRecord(id, modified, result));
        }

        return records;
    }
}
