using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace IvvyWorkflows.Workflows.Definitions;

/// <summary>Checks a definition against the project's JSON Schema and the rules a schema cannot say, and reports
/// every error with its path (<c>streams[0].source.cursor: required</c>).</summary>
public static class DefinitionValidator
{
    private static readonly Lazy<JsonSchema> Schema = new(LoadSchema);

    /// <summary>The schema text, for editors and the designer.</summary>
    public static string SchemaText { get; } = ReadSchemaText();

    /// <summary>All errors in <paramref name="definition"/>; empty when it is valid.</summary>
    public static IReadOnlyList<DefinitionError> Validate(JsonNode? definition)
    {
        var errors = new List<DefinitionError>();
        var results = Schema.Value.Evaluate(JsonSerializer.SerializeToElement(definition), new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (!results.IsValid)
        {
            foreach (var detail in results.Details ?? [])
            {
                // An "if" that does not hold only picks the "else" branch: it is not an error of the definition.
                if (detail.Errors is null || detail.EvaluationPath.ToString().Contains("/if", StringComparison.Ordinal))
                {
                    continue;
                }

                foreach (var (keyword, message) in detail.Errors)
                {
                    errors.Add(Describe(detail.InstanceLocation.ToString(), keyword, message));
                }
            }
        }

        if (errors.Count == 0 && definition is JsonObject root)
        {
            CheckStreamNamesUnique(root, errors);
            CheckAssociationsNameLookups(root, errors);
            CheckMemberships(root, errors);
        }

        return errors.Distinct().ToList();
    }

    private static DefinitionError Describe(string pointer, string keyword, string message)
    {
        var path = ToPath(pointer);
        switch (keyword)
        {
            case "required":
                // The library reports a missing property at its parent: name the missing property itself.
                var missing = ExtractQuoted(message);
                return missing.Count > 0
                    ? new DefinitionError(Join(path, missing[0]), missing.Count == 1 ? "required" : $"required (also missing: {string.Join(", ", missing.Skip(1))})")
                    : new DefinitionError(path, message);
            case "additionalProperties":
            case "false":
                return new DefinitionError(path, "is not a known property");
            default:
                return new DefinitionError(path.Length == 0 ? "(root)" : path, message);
        }
    }

    private static void CheckStreamNamesUnique(JsonObject root, List<DefinitionError> errors)
    {
        if (root["streams"] is not JsonArray streams)
        {
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < streams.Count; i++)
        {
            var name = streams[i]?["name"]?.GetValue<string>();
            if (name is not null && !seen.Add(name))
            {
                errors.Add(new DefinitionError($"streams[{i}].name", $"'{name}' is used by another stream; stream names must be unique"));
            }
        }
    }

    private static void CheckAssociationsNameLookups(JsonObject root, List<DefinitionError> errors)
    {
        var streams = root["streams"]!.AsArray();
        for (var i = 0; i < streams.Count; i++)
        {
            var lookups = (streams[i]!["lookups"] as JsonArray ?? []).Select(l => l!["name"]!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);
            var associations = streams[i]!["target"]!["associations"] as JsonArray ?? [];
            for (var j = 0; j < associations.Count; j++)
            {
                var lookup = associations[j]!["lookup"]!.GetValue<string>();
                if (!lookups.Contains(lookup))
                {
                    errors.Add(new DefinitionError($"streams[{i}].target.associations[{j}].lookup", $"'{lookup}' is not one of the stream's lookups"));
                }
            }
        }
    }

    /// <summary>A membership stream names an earlier stream of the module as its groups, and maps nothing itself.</summary>
    private static void CheckMemberships(JsonObject root, List<DefinitionError> errors)
    {
        var streams = root["streams"]!.AsArray();
        for (var i = 0; i < streams.Count; i++)
        {
            if (streams[i]!["membership"] is not JsonObject membership)
            {
                continue;
            }

            if (streams[i]!["map"] is not null)
            {
                errors.Add(new DefinitionError($"streams[{i}].map", "a membership stream has no template: its members map through the pairs of membership.members"));
            }

            var groups = membership["groups"]!.GetValue<string>();
            if (!streams.Take(i).Any(s => s!["name"]!.GetValue<string>() == groups && s["membership"] is null))
            {
                errors.Add(new DefinitionError($"streams[{i}].membership.groups", $"'{groups}' is not an earlier record stream of this module (the one that pairs the groups)"));
            }
        }
    }

    /// <summary>"/streams/0/source" → "streams[0].source".</summary>
    internal static string ToPath(string pointer)
    {
        var path = new System.Text.StringBuilder();
        foreach (var segment in pointer.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            var token = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            if (int.TryParse(token, out _))
            {
                path.Append('[').Append(token).Append(']');
            }
            else
            {
                if (path.Length > 0)
                {
                    path.Append('.');
                }

                path.Append(token);
            }
        }

        return path.ToString();
    }

    private static string Join(string path, string property) => path.Length == 0 ? property : $"{path}.{property}";

    private static List<string> ExtractQuoted(string message)
    {
        var names = new List<string>();
        var parts = message.Split('"');
        for (var i = 1; i < parts.Length; i += 2)
        {
            names.Add(parts[i]);
        }

        return names;
    }

    private static string ReadSchemaText()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("workflow-definition.schema.json")
            ?? throw new InvalidOperationException("workflow-definition.schema.json is not embedded in the assembly.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    private static JsonSchema LoadSchema() => JsonSchema.FromText(SchemaText);
}
