using System.Text.Json;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>
/// Compares and merges a two-way record field by field, on normalised values (see docs/two-way-sync.md).
/// </summary>
/// <remarks>
/// <para><b>Fields.</b> The fields are those a template writes: each top-level key of its output, except that a keyed list
/// (<c>[{fieldId, value}]</c>, iVvy's custom fields) is one field per item, named <c>customFields[fieldId]</c> and compared on
/// the keys the written item has (iVvy's own items add displayName). A keyed list names only the items it writes, so an
/// empty one written where the other side holds a keyed list writes no field at all.</para>
/// <para><b>Normalised values.</b> Missing, null, "" and an empty list are one value (empty); other values compare as text
/// (HubSpot holds every value as text, so <c>5</c> and <c>"5"</c> are equal).</para>
/// </remarks>
public static class FieldMerge
{
    /// <summary>A field both sides changed to different values, and whether the writing side's value won it.</summary>
    public sealed record FieldConflict(string Field, bool XWins);

    /// <summary>What to write to the other side, and the conflicts settled on the way.</summary>
    public sealed record Result(JsonObject Write, IReadOnlyList<FieldConflict> Conflicts);

    /// <summary>The fields of <paramref name="written"/> whose values differ from <paramref name="state"/>'s.</summary>
    public static IReadOnlyList<string> Changed(JsonObject written, JsonObject state) =>
        Fields(written, state).Where(f => !f.Same(written, state)).Select(f => f.Name).ToList();

    /// <summary>Merges one record field by field: <paramref name="xOut"/> (the writing side's record mapped to the other
    /// side's fields) against <paramref name="yBase"/> (the other side's values as last agreed) and <paramref name="yNow"/>
    /// (its values now).</summary>
    /// <param name="xOut">The writing side's values.</param>
    /// <param name="yBase">The other side's values as last agreed (the pair's stored content).</param>
    /// <param name="yNow">The other side's current values.</param>
    /// <param name="xWins">For a field both sides changed to different values: whether the writing side's value wins it.</param>
    /// <returns>The fields to write (changed on the writing side only, or won by it) and the conflicts.</returns>
    public static Result Merge(JsonObject xOut, JsonObject yBase, JsonObject yNow, Func<string, bool> xWins)
    {
        var taken = new List<Field>();
        var conflicts = new List<FieldConflict>();
        foreach (var field in Fields(xOut, yBase, yNow))
        {
            if (field.Same(xOut, yBase) || field.Same(xOut, yNow))
            {
                // Unchanged on the writing side, or both sides already hold the value.
                continue;
            }

            if (field.Same(yNow, yBase))
            {
                taken.Add(field);
                continue;
            }

            var wins = xWins(field.Name);
            conflicts.Add(new FieldConflict(field.Name, wins));
            if (wins)
            {
                taken.Add(field);
            }
        }

        return new Result(Build(xOut, taken), conflicts);
    }

    /// <summary>The named fields of <paramref name="record"/>, shaped as written (a keyed list holds only the named items).</summary>
    public static JsonObject Pick(JsonObject record, IEnumerable<string> fields)
    {
        var names = fields.ToHashSet(StringComparer.Ordinal);
        var wanted = Fields(record).Where(f => names.Contains(f.Name)).ToList();
        var picked = Build(record, wanted);
        foreach (var name in names.Where(n => !n.Contains('[', StringComparison.Ordinal) && !picked.ContainsKey(n)))
        {
            // A field the record does not hold (HubSpot leaves out empty properties) shows as null.
            picked[name] = record[name]?.DeepClone();
        }

        return picked;
    }

    /// <summary><paramref name="output"/> without its empty values: what a first-sight write may send, so that an empty
    /// value never overwrites a value the record the target matches already holds.</summary>
    public static JsonObject WithoutEmpty(JsonObject output) => Build(output, Fields(output).Where(f => !f.IsEmpty(output)).ToList());

    /// <summary><paramref name="state"/> with <paramref name="seen"/> over it: what a read returned, or what was written.
    /// Each top-level field is replaced, except a keyed list that is merged into the state's list item by item (a written
    /// list names only the items it writes; an empty value removes the item, as iVvy does).</summary>
    public static JsonObject Into(JsonObject? state, JsonObject seen)
    {
        var merged = (JsonObject?)state?.DeepClone() ?? [];
        foreach (var (name, value) in seen)
        {
            if (IsKeyed(value) && merged[name] is JsonArray held)
            {
                foreach (var item in value!.AsArray().OfType<JsonObject>())
                {
                    var existing = ItemOf(held, item);
                    if (existing is not null)
                    {
                        held.Remove(existing);
                    }

                    if (item.Any(p => p.Key != KeyName && Normal(p.Value) is not null))
                    {
                        var updated = (JsonObject?)existing?.DeepClone() ?? [];
                        foreach (var (key, v) in item)
                        {
                            updated[key] = v?.DeepClone();
                        }

                        held.Add(updated);
                    }
                }

                continue;
            }

            merged[name] = value?.DeepClone();
        }

        return merged;
    }

    /// <summary>A value as compared: null for missing, null, "", and an empty list; otherwise its text.</summary>
    public static string? Normal(JsonNode? node) => node switch
    {
        null => null,
        JsonArray { Count: 0 } => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.Null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>() is { Length: > 0 } text ? text : null,
        _ => node.ToJsonString(),
    };

    private const string KeyName = "fieldId";

    /// <summary>The fields <paramref name="written"/> writes, given the other records it is compared with: an empty list
    /// written where another holds a keyed list is that list with no items (no field).</summary>
    private static IEnumerable<Field> Fields(JsonObject written, params JsonObject[] others)
    {
        foreach (var (name, value) in written)
        {
            if (IsKeyed(value))
            {
                foreach (var item in value!.AsArray().OfType<JsonObject>())
                {
                    yield return new Field(name, item);
                }
            }
            else if (!(value is JsonArray { Count: 0 } && others.Any(o => IsKeyed(o[name]))))
            {
                yield return new Field(name, null);
            }
        }
    }

    private static JsonObject Build(JsonObject source, IReadOnlyCollection<Field> fields)
    {
        var built = new JsonObject();
        foreach (var field in fields)
        {
            if (field.Item is null)
            {
                built[field.List] = source[field.List]?.DeepClone();
            }
            else
            {
                if (built[field.List] is not JsonArray items)
                {
                    built[field.List] = items = [];
                }

                if (ItemOf(source[field.List], field.Item) is { } item)
                {
                    items.Add(item.DeepClone());
                }
            }
        }

        return built;
    }

    private static bool IsKeyed(JsonNode? value) =>
        value is JsonArray { Count: > 0 } items && items.All(i => i is JsonObject o && o[KeyName] is not null);

    private static JsonObject? ItemOf(JsonNode? list, JsonObject item) =>
        (list as JsonArray)?.OfType<JsonObject>().FirstOrDefault(o => Normal(o[KeyName]) == Normal(item[KeyName]));

    /// <summary>One field: a top-level value, or one item of a keyed list (compared on the keys the item has).</summary>
    private sealed record Field(string List, JsonObject? Item)
    {
        public string Name => Item is null ? List : $"{List}[{Normal(Item[KeyName])}]";

        public bool Same(JsonObject a, JsonObject b)
        {
            if (Item is null)
            {
                return Normal(a[List]) == Normal(b[List]);
            }

            var (left, right) = (ItemOf(a[List], Item), ItemOf(b[List], Item));
            return Item.Where(p => p.Key != KeyName).All(p => Normal(left?[p.Key]) == Normal(right?[p.Key]));
        }

        public bool IsEmpty(JsonObject record) =>
            Item is null ? Normal(record[List]) is null : Item.Where(p => p.Key != KeyName).All(p => Normal(p.Value) is null);
    }
}
