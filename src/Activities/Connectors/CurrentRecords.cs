using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.Connectors;

/// <summary>
/// What a target holds now of the records asked for, keyed by the id asked for: a record's content, the id it now goes
/// by when the target merged it into another record (<see cref="MovedTo"/>), or nothing when it is gone (deleted).
/// </summary>
/// <remarks>A record merged away answers with the content of the record it was merged into, under the id asked for, so a
/// caller that only compares content keeps working; a caller that writes must write to <see cref="MovedTo"/>.</remarks>
[SuppressMessage("Naming", "CA1710:Identifiers should have correct suffix", Justification = "It is read as a dictionary, but it is the answer of a read, not a collection one builds.")]
public sealed class CurrentRecords : IReadOnlyDictionary<string, JsonObject>
{
    private readonly Dictionary<string, JsonObject> _records;
    private readonly Dictionary<string, string> _moved;

    /// <param name="records">Content by the id asked for.</param>
    /// <param name="moved">Id asked for → the id of the record it was merged into, for those the target merged away.</param>
    public CurrentRecords(IEnumerable<KeyValuePair<string, JsonObject>> records, IEnumerable<KeyValuePair<string, string>>? moved = null)
    {
        ArgumentNullException.ThrowIfNull(records);
        _records = new Dictionary<string, JsonObject>(records, StringComparer.Ordinal);
        _moved = new Dictionary<string, string>(moved ?? [], StringComparer.Ordinal);
    }

    /// <summary>Nothing found.</summary>
    public static CurrentRecords None { get; } = new([]);

    /// <summary>The id the record asked for as <paramref name="id"/> goes by now: <paramref name="id"/> itself unless the target
    /// merged it into another record; null when it is gone.</summary>
    public string? MovedTo(string id) => _moved.TryGetValue(id, out var survivor) ? survivor : _records.ContainsKey(id) ? id : null;

    /// <summary>True when the target no longer has the record: deleted, not merged.</summary>
    public bool IsGone(string id) => !_records.ContainsKey(id);

    public JsonObject this[string key] => _records[key];

    public IEnumerable<string> Keys => _records.Keys;

    public IEnumerable<JsonObject> Values => _records.Values;

    public int Count => _records.Count;

    public bool ContainsKey(string key) => _records.ContainsKey(key);

    public bool TryGetValue(string key, [MaybeNullWhen(false)] out JsonObject value) => _records.TryGetValue(key, out value);

    public IEnumerator<KeyValuePair<string, JsonObject>> GetEnumerator() => _records.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
