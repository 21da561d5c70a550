using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>The WHERE clause of a <c>getContactList</c> filter, with its parameters.</summary>
/// <remarks>
/// Action filters: <c>fromModifiedDate</c> and <c>toModifiedDate</c> (both inclusive), <c>externalId</c>, <c>companyId</c>;
/// <c>venueId</c>/<c>venueGroupId</c> are accepted and ignored (the simulator has no venues). Generic field filters on
/// id, firstName, lastName, email, phone, externalId, createdDate and modifiedDate, with iVvy's suffixes
/// (<c>__CONTAINS</c>, <c>__NOTCONTAINS</c>, <c>__BEGINS</c>, <c>__ENDS</c>, <c>__LESSTHAN</c> (≤), <c>__GREATERTHAN</c> (≥),
/// <c>__NOT</c>, <c>__EMPTY</c>) and the null token <c>__ISNULL__</c>. Text compares ignore ASCII case.
/// Any other key is refused with 23016 so a misspelt filter fails loudly instead of silently returning everything.
/// </remarks>
internal sealed class ContactFilterSql : ISqlFilter
{
    private static readonly Dictionary<string, (string Column, FieldKind Kind)> Fields = new(StringComparer.Ordinal)
    {
        ["id"] = ("c.id", FieldKind.Integer),
        ["firstName"] = ("c.first_name", FieldKind.Text),
        ["lastName"] = ("c.last_name", FieldKind.Text),
        ["email"] = ("c.email", FieldKind.Text),
        ["phone"] = ("c.phone", FieldKind.Text),
        ["externalId"] = ("c.external_id", FieldKind.Text),
        ["createdDate"] = ("c.created", FieldKind.Timestamp),
        ["modifiedDate"] = ("c.modified", FieldKind.Timestamp),
    };

    private readonly List<string> _clauses = [];
    private readonly List<(string Name, object Value)> _parameters = [];

    private ContactFilterSql()
    {
    }

    private enum FieldKind
    {
        Integer,
        Text,
        Timestamp,
    }

    /// <summary>The condition, "1 = 1" when nothing filters.</summary>
    public string Sql => _clauses.Count == 0 ? "1 = 1" : string.Join(" AND ", _clauses);

    /// <summary>Builds the condition for a request's <c>filter</c> (null or missing = everything).</summary>
    /// <exception cref="IvvyApiException">400 23016 for a value or key that does not validate.</exception>
    public static ContactFilterSql From(JsonNode? filter)
    {
        var sql = new ContactFilterSql();
        if (filter is null)
        {
            return sql;
        }

        if (filter is not JsonObject properties)
        {
            throw IvvyApiException.Invalid("filter", "The filter must be an object");
        }

        foreach (var (key, value) in properties)
        {
            switch (key)
            {
                case "fromModifiedDate":
                    sql.Add("c.modified >= {0}", Timestamp(key, value));
                    break;
                case "toModifiedDate":
                    sql.Add("c.modified <= {0}", Timestamp(key, value));
                    break;
                case "companyId":
                    sql.Add("EXISTS (SELECT 1 FROM json_each(c.data, '$.companies') WHERE value = {0})", Integer(key, value));
                    break;
                case "venueId" or "venueGroupId":
                    break;
                default:
                    sql.AddFieldFilter(key, value);
                    break;
            }
        }

        return sql;
    }

    /// <summary>Adds the parameters to <paramref name="command"/>.</summary>
    public void Bind(SqliteCommand command)
    {
        foreach (var (name, value) in _parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
    }

    private void AddFieldFilter(string key, JsonNode? value)
    {
        var separator = key.IndexOf("__", StringComparison.Ordinal);
        var field = separator < 0 ? key : key[..separator];
        var modifier = separator < 0 ? string.Empty : key[(separator + 2)..];
        if (!Fields.TryGetValue(field, out var target))
        {
            throw IvvyApiException.Invalid($"filter.{key}", $"'{field}' is not a filterable property of contacts");
        }

        var (column, kind) = target;
        if (modifier == "EMPTY")
        {
            // {"phone__EMPTY": true} (or 1, or any non-boolean value) selects empty values; false selects non-empty ones.
            var empty = !IvvyJson.TryGetBoolean(value, out var wanted) || wanted;
            _clauses.Add(empty ? $"({column} IS NULL OR {column} = '')" : $"({column} IS NOT NULL AND {column} <> '')");
            return;
        }

        if (value is JsonValue token && token.TryGetValue<string>(out var text) && text is "__ISNULL__" or "ISNULL")
        {
            _clauses.Add(modifier == "NOT" ? $"{column} IS NOT NULL" : $"{column} IS NULL");
            return;
        }

        object operand = kind switch
        {
            FieldKind.Integer => Integer(key, value),
            FieldKind.Timestamp => Timestamp(key, value),
            _ => Text(key, value),
        };
        var collate = kind == FieldKind.Text ? " COLLATE NOCASE" : string.Empty;
        switch (modifier)
        {
            case "":
                Add($"{column} = {{0}}{collate}", operand);
                break;
            case "NOT":
                Add($"({column} IS NULL OR {column} <> {{0}}{collate})", operand);
                break;
            case "LESSTHAN":
                Add($"{column} <= {{0}}{collate}", operand);
                break;
            case "GREATERTHAN":
                Add($"{column} >= {{0}}{collate}", operand);
                break;
            case "CONTAINS":
                Add($"{column} LIKE {{0}} ESCAPE '\\'", "%" + Escape(operand) + "%");
                break;
            case "NOTCONTAINS":
                Add($"({column} IS NULL OR {column} NOT LIKE {{0}} ESCAPE '\\')", "%" + Escape(operand) + "%");
                break;
            case "BEGINS":
                Add($"{column} LIKE {{0}} ESCAPE '\\'", Escape(operand) + "%");
                break;
            case "ENDS":
                Add($"{column} LIKE {{0}} ESCAPE '\\'", "%" + Escape(operand));
                break;
            default:
                throw IvvyApiException.Invalid($"filter.{key}", $"Unknown filter modifier '__{modifier}'");
        }
    }

    private void Add(string clauseFormat, object value)
    {
        var name = "$f" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add((name, value));
        _clauses.Add(string.Format(CultureInfo.InvariantCulture, clauseFormat, name));
    }

    private static string Escape(object operand) =>
        Convert.ToString(operand, CultureInfo.InvariantCulture)!.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    private static long Timestamp(string key, JsonNode? value) =>
        value is JsonValue v && v.TryGetValue<string>(out var text) && IvvyDates.TryParse(text, out var at)
            ? at.ToUnixTimeSeconds()
            : throw IvvyApiException.Invalid(key, "The input is not a valid timestamp ('yyyy-MM-dd HH:mm:ss')");

    private static long Integer(string key, JsonNode? value) =>
        IvvyJson.TryGetInteger(value, out var number)
            ? number
            : throw IvvyApiException.Invalid(key, "Value must be a whole number");

    private static string Text(string key, JsonNode? value) =>
        IvvyJson.TryGetText(value, out var text) ? text : throw IvvyApiException.Invalid(key, "Value must be a string");
}
