using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IvvyWorkflows.Designer.Tests;

/// <summary>The console's hand-written client (<c>ClientApp/src/api</c>) against the OpenAPI document the host serves:
/// every route the client calls exists with its method and answers the type the client expects, and every type the
/// client declares has the served schema's properties, each of a matching kind and nullability.</summary>
public sealed partial class ClientContractTests(ServiceHost host) : IClassFixture<ServiceHost>
{
    private static readonly string ApiFolder = Path.Combine(ServiceHost.Root, "src", "Designer", "ClientApp", "src", "api");

    [Fact]
    public async Task Client_EveryRouteItCalls_ServedWithMethodAndResponseType()
    {
        var document = await OpenApiAsync();
        var paths = document["paths"]!.AsObject().ToDictionary(p => Normalize(p.Key), p => p.Value!.AsObject());
        var calls = RequestCall().Matches(File.ReadAllText(Path.Combine(ApiFolder, "client.ts")));
        Assert.True(calls.Count >= 20, $"only {calls.Count} calls found in client.ts: has its shape changed?");
        var problems = new List<string>();
        foreach (Match call in calls)
        {
            var (type, method, path) = (call.Groups["type"].Value, call.Groups["method"].Value.ToLowerInvariant(), Normalize(ClientParameter().Replace(call.Groups["path"].Value, "{}")));
            if (!paths.TryGetValue(path, out var item) || item[method] is not JsonObject operation)
            {
                problems.Add($"{method.ToUpperInvariant()} {path}: not in /openapi/v1.json");
                continue;
            }

            if (type == "void")
            {
                continue;
            }

            var response = operation["responses"]!.AsObject().Where(r => r.Key.StartsWith('2')).Select(r => r.Value?["content"]?["application/json"]?["schema"]).FirstOrDefault(s => s is not null);
            if (response is null || !SameType(type, response, document))
            {
                problems.Add($"{method.ToUpperInvariant()} {path}: the client expects {type}, the API answers {response?.ToJsonString() ?? "no JSON"}");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public async Task Client_EveryTypeItDeclares_MatchesTheServedSchema()
    {
        var document = await OpenApiAsync();
        var schemas = document["components"]!["schemas"]!.AsObject();
        var declared = Interface().Matches(File.ReadAllText(Path.Combine(ApiFolder, "types.ts")))
            .ToDictionary(m => m.Groups["name"].Value, m => m);
        Assert.True(declared.Count >= 20, $"only {declared.Count} interfaces found in types.ts: has its shape changed?");
        var problems = new List<string>();
        foreach (var (name, match) in declared)
        {
            var schemaName = name switch { "Page" => schemas.Select(s => s.Key).FirstOrDefault(k => k.StartsWith("PagedListOf", StringComparison.Ordinal)), "ApiErrorBody" => "ApiError", _ => name };
            if (schemaName is null || schemas[schemaName] is not JsonObject schema)
            {
                problems.Add($"{name}: no schema {schemaName} in /openapi/v1.json");
                continue;
            }

            var fields = Fields(match, declared);
            var properties = schema["properties"]!.AsObject();
            foreach (var (field, type) in fields)
            {
                if (properties[field] is not { } property)
                {
                    problems.Add($"{name}.{field}: not in the schema {schemaName}");
                }
                else if (!SameType(type, property, document))
                {
                    problems.Add($"{name}.{field}: the client says {type}, the schema {property.ToJsonString()}");
                }
            }

            foreach (var missing in properties.Select(p => p.Key).Except(fields.Select(f => f.Name)))
            {
                problems.Add($"{name}: the schema {schemaName} has {missing}, the client does not");
            }
        }

        Assert.Empty(problems);
    }

    private async Task<JsonObject> OpenApiAsync()
    {
        using var client = host.Anonymous();
        return JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!.AsObject();
    }

    /// <summary>The fields of an interface, its base's included (<c>extends</c>).</summary>
    private static List<(string Name, string Type)> Fields(Match match, Dictionary<string, Match> declared)
    {
        var fields = Field().Matches(match.Groups["body"].Value).Select(f => (f.Groups["name"].Value, f.Groups["type"].Value.Trim())).ToList();
        return match.Groups["base"].Success ? [.. Fields(declared[match.Groups["base"].Value], declared), .. fields] : fields;
    }

    /// <summary>True when the TypeScript type and the schema say the same: kind (string, number, boolean, array, map or a
    /// named schema) and whether null is allowed.</summary>
    private static bool SameType(string type, JsonNode schema, JsonObject document)
    {
        var parts = type.Split('|', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var nullable = parts.Remove("null");
        var (kinds, reference) = Kinds(schema, document);
        // unknown (any JSON), and Page's own T (checked where a call says which Page it gets).
        if (type is "unknown" or "T")
        {
            return true;
        }

        if (nullable != kinds.Remove("null"))
        {
            return false;
        }

        var rest = string.Join(" | ", parts);
        if (rest.EndsWith("[]", StringComparison.Ordinal))
        {
            return kinds.Contains("array") && SameType(rest[..^2], Resolve(schema, document)["items"]!, document);
        }

        if (rest.StartsWith("Record<string, ", StringComparison.Ordinal))
        {
            return kinds.Contains("object") && reference is null;
        }

        if (rest.StartsWith("Page<", StringComparison.Ordinal))
        {
            return reference == "PagedListOf" + rest[5..^1];
        }

        return rest switch
        {
            "string" => kinds.Contains("string"),
            "number" => kinds.Contains("integer") || kinds.Contains("number"),
            "boolean" => kinds.Contains("boolean"),
            // A union of string literals (RunStatus, Role, RunAction) is a string on the wire.
            _ when rest.StartsWith('"') || rest is "RunStatus" or "Role" or "RunAction" => kinds.Contains("string"),
            _ => reference == rest || (rest == "ApiErrorBody" && reference == "ApiError"),
        };
    }

    /// <summary>The JSON kinds a schema allows ("null" among them when nullable) and the named schema it is, if any.</summary>
    private static (HashSet<string> Kinds, string? Reference) Kinds(JsonNode schema, JsonObject document)
    {
        var kinds = new HashSet<string>(StringComparer.Ordinal);
        string? reference = null;
        foreach (var option in (schema["oneOf"] ?? schema["anyOf"])?.AsArray().AsEnumerable() ?? [schema])
        {
            if (option?["$ref"] is { } r)
            {
                reference = ((string)r!)[((string)r!).LastIndexOf('/')..][1..];
                var (inner, _) = Kinds(document["components"]!["schemas"]![reference]!, document);
                kinds.UnionWith(inner);
            }

            switch (option?["type"])
            {
                case JsonArray many:
                    kinds.UnionWith(many.Select(k => (string)k!));
                    break;
                case JsonValue one:
                    kinds.Add((string)one!);
                    break;
            }

            if (option?["nullable"] is JsonValue n && (bool)n)
            {
                kinds.Add("null");
            }
        }

        return (kinds, reference);
    }

    private static JsonNode Resolve(JsonNode schema, JsonObject document) =>
        (schema["oneOf"]?.AsArray() ?? schema["anyOf"]?.AsArray())?.FirstOrDefault(o => o?["type"]?.ToString() != "null") is { } option ? Resolve(option, document)
        : schema["$ref"] is { } r ? document["components"]!["schemas"]![((string)r!)[(((string)r!).LastIndexOf('/') + 1)..]]!
        : schema;

    private static string Normalize(string path) => RouteParameter().Replace(path, "{}");

    [GeneratedRegex(@"request<(?<type>[^>]+>?)>\(\s*""(?<method>GET|POST|PUT|DELETE)"",\s*(?:withQuery\()?[`""](?<path>[^`""]+)[`""]")]
    private static partial Regex RequestCall();

    [GeneratedRegex(@"\$\{encodeURIComponent\(\w+\)\}")]
    private static partial Regex ClientParameter();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"export interface (?<name>\w+)(?:<T>)?(?: extends (?<base>\w+))? \{(?<body>[^}]*)\}")]
    private static partial Regex Interface();

    [GeneratedRegex(@"^\s*(?<name>\w+)\??: (?<type>[^;]+);", RegexOptions.Multiline)]
    private static partial Regex Field();
}
