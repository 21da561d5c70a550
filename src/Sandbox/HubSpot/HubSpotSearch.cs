using System.Globalization;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>One search filter: <c>{propertyName, operator, value?, highValue?, values?}</c>.</summary>
internal sealed record HubSpotFilter(string PropertyName, string Operator, string? Value, string? HighValue, IReadOnlyList<string>? Values);

/// <summary>A parsed, validated search request.</summary>
internal sealed record HubSpotSearchQuery(
    IReadOnlyList<IReadOnlyList<HubSpotFilter>> FilterGroups,
    string? SortProperty,
    bool Descending,
    IReadOnlyList<string>? Properties,
    string? Text,
    int Limit,
    int After);

/// <summary>
/// The CRM search endpoint's rules: filter groups (OR of ANDs) and their limits, one sort, <c>limit</c>/<c>after</c> paging and
/// the cap on results one query can page through (crm-apis.md §1.4).
/// </summary>
/// <remarks>
/// HubSpot applies one sorting rule and promises nothing about the order of records that tie on it. The simulator orders ties by
/// a fixed scramble of the record id (stable from call to call, but not id order), so a client that silently relies on ties
/// coming in id order fails here as it would against HubSpot. Without a sort, records come oldest-created first.
/// </remarks>
internal static class HubSpotSearch
{
    public const int MaxFilterGroups = 5;
    public const int MaxFiltersPerGroup = 10;
    public const int MaxFiltersTotal = 25;
    public const int DefaultLimit = 10;

    private static readonly string[] OperatorsWithValue = ["EQ", "NEQ", "GT", "GTE", "LT", "LTE", "BETWEEN", "CONTAINS_TOKEN", "NOT_CONTAINS_TOKEN"];
    private static readonly string[] OperatorsWithValues = ["IN", "NOT_IN"];
    private static readonly string[] OperatorsWithoutValue = ["HAS_PROPERTY", "NOT_HAS_PROPERTY"];

    /// <summary>Reads and checks a search body; returns the 400 HubSpot would answer, or null.</summary>
    public static HubSpotError? TryParse(JsonObject body, HubSpotTypeState state, HubSpotSimulatorOptions options, out HubSpotSearchQuery query)
    {
        query = new HubSpotSearchQuery([], null, false, null, null, DefaultLimit, 0);
        var groups = new List<IReadOnlyList<HubSpotFilter>>();
        if (body["filterGroups"] is JsonArray groupNodes)
        {
            if (groupNodes.Count > MaxFilterGroups)
            {
                return HubSpotError.Validation(
                    $"Too many filter groups: {groupNodes.Count}. A search can have at most {MaxFilterGroups} filterGroups.");
            }

            var total = 0;
            foreach (var groupNode in groupNodes)
            {
                var filters = new List<HubSpotFilter>();
                var filterNodes = groupNode?["filters"] as JsonArray ?? [];
                if (filterNodes.Count > MaxFiltersPerGroup)
                {
                    return HubSpotError.Validation(
                        $"Too many filters in a filter group: {filterNodes.Count}. A filterGroup can have at most {MaxFiltersPerGroup} filters.");
                }

                total += filterNodes.Count;
                if (total > MaxFiltersTotal)
                {
                    return HubSpotError.Validation(
                        $"Too many filters: a search can have at most {MaxFiltersTotal} filters across all filterGroups.");
                }

                foreach (var filterNode in filterNodes)
                {
                    if (ParseFilter(filterNode as JsonObject, state, out var filter) is { } error)
                    {
                        return error;
                    }

                    filters.Add(filter);
                }

                groups.Add(filters);
            }
        }

        string? sortProperty = null;
        var descending = false;
        if (body["sorts"] is JsonArray sorts && sorts.Count > 0)
        {
            if (sorts.Count > 1)
            {
                return HubSpotError.Validation("Only one sort is supported: a search applies a single sorting rule.");
            }

            // HubSpot also accepts a bare property name as a sort.
            var sort = sorts[0];
            sortProperty = sort is JsonObject sortObject ? HubSpotValues.TextOf(sortObject["propertyName"]) : HubSpotValues.TextOf(sort);
            descending = sort is JsonObject o && "DESCENDING".Equals(HubSpotValues.TextOf(o["direction"]), StringComparison.OrdinalIgnoreCase);
            if (string.IsNullOrEmpty(sortProperty) || !state.Properties.ContainsKey(sortProperty))
            {
                return HubSpotError.Validation($"Cannot sort by unknown property: {sortProperty}");
            }
        }

        var limit = DefaultLimit;
        if (body["limit"] is { } limitNode)
        {
            if (!int.TryParse(HubSpotValues.TextOf(limitNode), NumberStyles.Integer, CultureInfo.InvariantCulture, out limit)
                || limit < 0 || limit > options.SearchMaxLimit)
            {
                return HubSpotError.Validation(
                    $"Invalid limit: {HubSpotValues.TextOf(limitNode)}. The limit must be between 0 and {options.SearchMaxLimit}.");
            }
        }

        var after = 0;
        if (HubSpotValues.TextOf(body["after"]) is { Length: > 0 } afterText
            && (!int.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after) || after < 0))
        {
            return HubSpotError.Validation($"Invalid after: {afterText}. The after value must be formatted as an integer.");
        }

        if ((long)after + limit > options.SearchResultCap)
        {
            return HubSpotError.Validation(
                $"Cannot page beyond {options.SearchResultCap} results: after ({after}) + limit ({limit}) passes the " +
                $"{options.SearchResultCap} results one search can return. Narrow the query's filters instead.");
        }

        var properties = body["properties"] is JsonArray names
            ? names.Select(HubSpotValues.TextOf).OfType<string>().ToList()
            : null;
        query = new HubSpotSearchQuery(groups, sortProperty, descending, properties, HubSpotValues.TextOf(body["query"]), limit, after);
        return null;
    }

    /// <summary>Runs the query over what the index shows at <paramref name="now"/>.</summary>
    /// <returns>The number of matches and the page <c>[after, after + limit)</c> of them in the query's order.</returns>
    public static (int Total, List<HubSpotRecordSnapshot> Page) Run(HubSpotSearchQuery query, HubSpotTypeState state, DateTimeOffset now)
    {
        var groups = query.FilterGroups.Select(g => g.Select(f => Compile(f, state)).ToArray()).ToArray();
        var order = Order(query, state);
        var keep = query.After + query.Limit;
        // Only the first after + limit matches are needed: keep them in a heap whose top is the last of them in order.
        var heap = new PriorityQueue<HubSpotRecordSnapshot, HubSpotRecordSnapshot>(Comparer<HubSpotRecordSnapshot>.Create((a, b) => order(b, a)));
        var total = 0;
        var records = state.ById;
        for (var i = state.FirstIndexAtLeast(LowestPossibleId(query)); i < records.Count; i++)
        {
            var record = records[i];
            if (record.IndexedAt(now) is not { Archived: false } snapshot || !Matches(query, groups, state, snapshot))
            {
                continue;
            }

            total++;
            if (keep == 0)
            {
                continue;
            }

            if (heap.Count < keep)
            {
                heap.Enqueue(snapshot, snapshot);
            }
            else if (order(snapshot, heap.Peek()) < 0)
            {
                heap.EnqueueDequeue(snapshot, snapshot);
            }
        }

        var first = new List<HubSpotRecordSnapshot>(heap.Count);
        while (heap.TryDequeue(out var snapshot, out _))
        {
            first.Add(snapshot);
        }

        first.Reverse();
        return (total, first.Skip(query.After).ToList());
    }

    /// <summary>The lowest id any match can have, from hs_object_id bounds present in every filter group (keyset paging).</summary>
    private static long LowestPossibleId(HubSpotSearchQuery query)
    {
        if (query.FilterGroups.Count == 0)
        {
            return long.MinValue;
        }

        var lowest = long.MaxValue;
        foreach (var group in query.FilterGroups)
        {
            var groupBound = long.MinValue;
            foreach (var filter in group)
            {
                if (filter.PropertyName != HubSpotObjectTypes.ObjectId
                    || !decimal.TryParse(filter.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
                    || value is < long.MinValue + 1 or > long.MaxValue - 1)
                {
                    continue;
                }

                var bound = filter.Operator switch
                {
                    "GT" => (long)decimal.Floor(value) + 1,
                    "GTE" or "EQ" or "BETWEEN" => (long)decimal.Ceiling(value),
                    _ => long.MinValue,
                };
                groupBound = Math.Max(groupBound, bound);
            }

            lowest = Math.Min(lowest, groupBound);
        }

        return lowest;
    }

    private static HubSpotError? ParseFilter(JsonObject? node, HubSpotTypeState state, out HubSpotFilter filter)
    {
        filter = new HubSpotFilter("", "", null, null, null);
        var property = HubSpotValues.TextOf(node?["propertyName"]);
        var op = HubSpotValues.TextOf(node?["operator"])?.ToUpperInvariant() ?? "EQ";
        if (string.IsNullOrEmpty(property))
        {
            return HubSpotError.Validation("Each filter needs a propertyName.");
        }

        if (!state.Properties.ContainsKey(property))
        {
            return HubSpotError.Validation($"Property \"{property}\" does not exist on {state.Type.Name}; it cannot be used in a filter.");
        }

        var value = HubSpotValues.TextOf(node?["value"]);
        var highValue = HubSpotValues.TextOf(node?["highValue"]);
        var values = node?["values"] is JsonArray list ? list.Select(HubSpotValues.TextOf).OfType<string>().ToList() : null;
        if (OperatorsWithValue.Contains(op))
        {
            if (value is null || (op == "BETWEEN" && highValue is null))
            {
                return HubSpotError.Validation($"The {op} filter on {property} needs a value{(op == "BETWEEN" ? " and a highValue" : "")}.");
            }
        }
        else if (OperatorsWithValues.Contains(op))
        {
            if (values is null)
            {
                return HubSpotError.Validation($"The {op} filter on {property} needs values.");
            }
        }
        else if (!OperatorsWithoutValue.Contains(op))
        {
            return HubSpotError.Validation($"Unknown filter operator: {op}.");
        }

        filter = new HubSpotFilter(property, op, value, highValue, values);
        return null;
    }

    private static bool Matches(HubSpotSearchQuery query, Func<HubSpotRecordSnapshot, bool>[][] groups, HubSpotTypeState state,
        HubSpotRecordSnapshot record)
    {
        if (query.Text is { Length: > 0 } text && !MatchesText(state, record, text))
        {
            return false;
        }

        if (groups.Length == 0)
        {
            return true;
        }

        // Plain loops: this runs for every record on every search.
        foreach (var group in groups)
        {
            var all = true;
            foreach (var filter in group)
            {
                if (!filter(record))
                {
                    all = false;
                    break;
                }
            }

            if (all)
            {
                return true;
            }
        }

        return false;
    }

    private static bool MatchesText(HubSpotTypeState state, HubSpotRecordSnapshot record, string text) =>
        state.Type.DefaultProperties.Append("phone").Append("company")
            .Select(record.Get).OfType<string>()
            .Any(v => v.Contains(text, StringComparison.OrdinalIgnoreCase));

    /// <summary>Turns a filter into a predicate, its operands read by the property's type once per query.</summary>
    private static Func<HubSpotRecordSnapshot, bool> Compile(HubSpotFilter filter, HubSpotTypeState state)
    {
        var name = filter.PropertyName;
        var kind = HubSpotTypedValue.KindOf(state.Properties[name].Type);
        var value = filter.Value is null ? default : HubSpotTypedValue.Of(kind, filter.Value);
        var high = filter.HighValue is null ? default : HubSpotTypedValue.Of(kind, filter.HighValue);
        var values = filter.Values?.Select(v => HubSpotTypedValue.Of(kind, v)).ToArray() ?? [];

        // Null when the record lacks the property or its value does not read as the property's type. The record id
        // (hs_object_id, what keyset paging filters on) is compared as the number it is, without a lookup.
        var isId = name == HubSpotObjectTypes.ObjectId;
        int? Cmp(HubSpotRecordSnapshot record, in HubSpotTypedValue operand) =>
            isId ? (operand.Number is { } number ? ((decimal)record.Id).CompareTo(number) : null)
            : record.Typed(name, kind) is { } stored ? HubSpotTypedValue.Compare(kind, stored, operand) : null;

        bool In(HubSpotRecordSnapshot record)
        {
            foreach (var operand in values)
            {
                if (Cmp(record, operand) == 0)
                {
                    return true;
                }
            }

            return false;
        }

        return filter.Operator switch
        {
            "HAS_PROPERTY" => r => r.Get(name) is not null,
            "NOT_HAS_PROPERTY" => r => r.Get(name) is null,
            "EQ" => r => Cmp(r, value) == 0,
            "NEQ" => r => r.Get(name) is null || Cmp(r, value) != 0,
            "GT" => r => Cmp(r, value) > 0,
            "GTE" => r => Cmp(r, value) >= 0,
            "LT" => r => Cmp(r, value) < 0,
            "LTE" => r => Cmp(r, value) <= 0,
            "BETWEEN" => r => Cmp(r, value) >= 0 && Cmp(r, high) <= 0,
            "IN" => In,
            "NOT_IN" => r => r.Get(name) is null || !In(r),
            "CONTAINS_TOKEN" => r => r.Get(name) is { } stored && ContainsToken(stored, filter.Value!),
            "NOT_CONTAINS_TOKEN" => r => r.Get(name) is not { } stored || !ContainsToken(stored, filter.Value!),
            _ => _ => false,
        };
    }

    /// <summary>The query's order: by the sort property (missing values last, ties scrambled), else oldest created first.</summary>
    private static Comparison<HubSpotRecordSnapshot> Order(HubSpotSearchQuery query, HubSpotTypeState state)
    {
        if (query.SortProperty is not { } name)
        {
            return (a, b) => a.CreatedAt != b.CreatedAt ? a.CreatedAt.CompareTo(b.CreatedAt) : a.Id.CompareTo(b.Id);
        }

        var kind = HubSpotTypedValue.KindOf(state.Properties[name].Type);
        var descending = query.Descending;
        if (name == HubSpotObjectTypes.ObjectId)
        {
            // Unique: no ties to break.
            return descending ? (a, b) => b.Id.CompareTo(a.Id) : (a, b) => a.Id.CompareTo(b.Id);
        }

        return (a, b) =>
        {
            var (x, y) = (a.Typed(name, kind), b.Typed(name, kind));
            if (x is null || y is null)
            {
                // Missing values sort last in either direction.
                return x is null && y is null ? Scramble(a.Id).CompareTo(Scramble(b.Id)) : x is null ? 1 : -1;
            }

            var byValue = HubSpotTypedValue.Compare(kind, x.Value, y.Value) ?? string.CompareOrdinal(x.Value.Text, y.Value.Text);
            return byValue != 0 ? (descending ? -byValue : byValue) : Scramble(a.Id).CompareTo(Scramble(b.Id));
        };
    }

    private static bool ContainsToken(string stored, string token) =>
        stored.Contains(token.Trim('*'), StringComparison.OrdinalIgnoreCase);

    private static ulong Scramble(long id) => unchecked((ulong)id * 0x9E3779B97F4A7C15UL);
}
