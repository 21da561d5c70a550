using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>The WHERE clause of a list action's <c>filter</c> over one record table, with its parameters.</summary>
/// <remarks>
/// An action declares its own filter properties (<see cref="Filter"/>, e.g. <c>modifiedDateAfter</c>) and the generic fields it
/// lets through (<see cref="Field"/>), which take iVvy's suffixes <c>__LESSTHAN</c> (≤), <c>__GREATERTHAN</c> (≥), <c>__NOT</c>,
/// and for text <c>__CONTAINS</c>, <c>__NOTCONTAINS</c>, <c>__BEGINS</c>, <c>__ENDS</c>. Any other key is refused with 400 23016,
/// so a misspelt filter fails loudly instead of silently returning everything.
/// </remarks>
internal sealed class IvvyFilterSql : ISqlFilter
{
    private readonly List<string> _clauses = [];
    private readonly List<(string Name, object Value)> _parameters = [];

    /// <summary>What a generic field holds.</summary>
    internal enum Kind
    {
        Integer,
        Text,
        Timestamp,
    }

    /// <summary>The condition, "1 = 1" when nothing filters.</summary>
    public string Sql => _clauses.Count == 0 ? "1 = 1" : string.Join(" AND ", _clauses);

    /// <summary>Builds the condition of <paramref name="filter"/> (null = everything).</summary>
    /// <param name="filter">The request's <c>filter</c>.</param>
    /// <param name="entity">Plural name of the records, for error messages.</param>
    /// <param name="filters">Action filter properties: key → SQL with <c>{0}</c> for the value and the value's kind.</param>
    /// <param name="fields">Generic fields: name → column and kind.</param>
    /// <exception cref="IvvyApiException">400 23016 for an unknown key or a value that does not validate.</exception>
    public static IvvyFilterSql From(
        JsonNode? filter, string entity, IReadOnlyDictionary<string, Filter> filters, IReadOnlyDictionary<string, Field> fields)
    {
        var sql = new IvvyFilterSql();
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
            if (filters.TryGetValue(key, out var named))
            {
                sql.Add(named.Sql, Operand(key, value, named.Kind));
                continue;
            }

            var separator = key.IndexOf("__", StringComparison.Ordinal);
            var name = separator < 0 ? key : key[..separator];
            var modifier = separator < 0 ? string.Empty : key[(separator + 2)..];
            if (!fields.TryGetValue(name, out var field))
            {
                throw IvvyApiException.Invalid($"filter.{key}", $"'{name}' is not a filterable property of {entity}");
            }

            var operand = Operand(key, value, field.Kind);
            var collate = field.Kind == Kind.Text ? " COLLATE NOCASE" : string.Empty;
            var column = field.Column;
            switch (modifier)
            {
                case "":
                    sql.Add($"{column} = {{0}}{collate}", operand);
                    break;
                case "NOT":
                    sql.Add($"({column} IS NULL OR {column} <> {{0}}{collate})", operand);
                    break;
                case "LESSTHAN":
                    sql.Add($"{column} <= {{0}}{collate}", operand);
                    break;
                case "GREATERTHAN":
                    sql.Add($"{column} >= {{0}}{collate}", operand);
                    break;
                case "CONTAINS" when field.Kind == Kind.Text:
                    sql.Add($"{column} LIKE {{0}} ESCAPE '\\'", "%" + Escape(operand) + "%");
                    break;
                case "NOTCONTAINS" when field.Kind == Kind.Text:
                    sql.Add($"({column} IS NULL OR {column} NOT LIKE {{0}} ESCAPE '\\')", "%" + Escape(operand) + "%");
                    break;
                case "BEGINS" when field.Kind == Kind.Text:
                    sql.Add($"{column} LIKE {{0}} ESCAPE '\\'", Escape(operand) + "%");
                    break;
                case "ENDS" when field.Kind == Kind.Text:
                    sql.Add($"{column} LIKE {{0}} ESCAPE '\\'", "%" + Escape(operand));
                    break;
                default:
                    throw IvvyApiException.Invalid($"filter.{key}", $"Unknown filter modifier '__{modifier}' for '{name}'");
            }
        }

        return sql;
    }

    /// <summary>A condition the action itself imposes (e.g. the event of the list), ANDed with the filter's.</summary>
    public IvvyFilterSql And(string clauseFormat, object value)
    {
        Add(clauseFormat, value);
        return this;
    }

    /// <summary>A condition without a value, ANDed with the filter's.</summary>
    public IvvyFilterSql And(string clause)
    {
        _clauses.Add(clause);
        return this;
    }

    /// <summary>Adds the parameters to <paramref name="command"/>.</summary>
    public void Bind(SqliteCommand command)
    {
        foreach (var (name, value) in _parameters)
        {
            command.Parameters.AddWithValue(name, value);
        }
    }

    private void Add(string clauseFormat, object value)
    {
        var name = "$f" + _parameters.Count.ToString(CultureInfo.InvariantCulture);
        _parameters.Add((name, value));
        _clauses.Add(string.Format(CultureInfo.InvariantCulture, clauseFormat, name));
    }

    private static object Operand(string key, JsonNode? value, Kind kind) => kind switch
    {
        Kind.Integer => IvvyJson.TryGetInteger(value, out var number)
            ? number
            : throw IvvyApiException.Invalid($"filter.{key}", "Value must be a whole number"),
        Kind.Timestamp => value is JsonValue v && v.TryGetValue<string>(out var text) && IvvyDates.TryParse(text, out var at)
            ? at.ToUnixTimeSeconds()
            : throw IvvyApiException.Invalid($"filter.{key}", "The input is not a valid timestamp ('yyyy-MM-dd HH:mm:ss')"),
        _ => IvvyJson.TryGetText(value, out var s) ? s : throw IvvyApiException.Invalid($"filter.{key}", "Value must be a string"),
    };

    private static string Escape(object operand) =>
        Convert.ToString(operand, CultureInfo.InvariantCulture)!.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal);

    /// <summary>An action filter property: SQL with <c>{0}</c> for the value.</summary>
    internal sealed record Filter(string Sql, Kind Kind);

    /// <summary>A generic filterable field.</summary>
    internal sealed record Field(string Column, Kind Kind);
}
