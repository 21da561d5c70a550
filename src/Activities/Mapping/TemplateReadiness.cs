using System.Text.Json.Nodes;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>
/// What <c>validate</c> and <c>publish</c> ask of a version's templates beyond compiling: each has at least one golden
/// case, and none trips the sandbox (iteration, recursion or size limit, <c>date.now</c>, <c>include</c>, the timeout)
/// on samples of its source object generated from its golden inputs. Such a template would quarantine every record of a
/// run; a record's own problems (a missing email) are not faults here.
/// </summary>
public static class TemplateReadiness
{
    /// <summary>Longest text a generated sample holds: long enough to trip a template that builds text from a value,
    /// well under the output limit for one that only copies it.</summary>
    private const int LongText = 2_000;

    /// <summary>Elements a generated sample's lists hold.</summary>
    private const int LongList = 50;

    /// <summary>The problems of <paramref name="loaded"/>'s templates, each at its stream's <c>map.template</c> path.</summary>
    /// <param name="loaded">A version that loaded (schema and compile errors are reported before this).</param>
    /// <param name="cases">The golden cases found under the workflows folder (<see cref="GoldenCase.Discover"/>).</param>
    public static IReadOnlyList<DefinitionError> Check(LoadedWorkflow loaded, IReadOnlyList<GoldenCase> cases, MappingTemplateOptions? options = null)
    {
        var errors = new List<DefinitionError>();
        var definition = loaded.Definition;
        for (var i = 0; i < definition.Streams.Count; i++)
        {
            if (definition.Streams[i].Map?.Template is not { } path)
            {
                continue;
            }

            var where = $"streams[{i}].map.template";
            var name = Path.GetFileNameWithoutExtension(path);
            var own = cases.Where(c => c.Module == definition.Id && c.Version == $"v{definition.Version}" && c.TemplateName == name).ToList();
            if (own.Count == 0)
            {
                errors.Add(new DefinitionError(where,
                    $"{path} has no golden case: add golden/{name}/001-<case>.input.json with .expected.json (or .error.txt) beside it"));
                continue;
            }

            MappingTemplate template;
            try
            {
                template = MappingTemplate.Compile($"{definition.Id}/v{definition.Version}/{path}", loaded.Templates[path], options);
            }
            catch (TemplateCompileException)
            {
                continue; // reported with line and column by the compile check
            }

            var context = Context(loaded, definition.Streams[i]);
            foreach (var sample in own.Select(Input).OfType<JsonObject>().SelectMany(Samples))
            {
                if (Fault(template, sample, context) is { } failed)
                {
                    errors.Add(new DefinitionError(where, $"{failed} (on a sample {definition.Streams[i].Source.Object} record generated from the golden inputs: " +
                        "this template would fail on real records the same way)"));
                    break;
                }
            }
        }

        return errors;
    }

    /// <summary>The sandbox fault rendering <paramref name="sample"/> hits, if any.</summary>
    private static TemplateDiagnostic? Fault(MappingTemplate template, JsonObject sample, JsonObject context) =>
        template.Render(sample, context) is { IsSuccess: false } failed && MappingTemplate.IsSandboxFault(failed.Error!) ? failed.Error : null;

    /// <summary>A golden input, then variants of it: every value null, every text and list long.</summary>
    internal static IEnumerable<JsonObject> Samples(JsonObject input)
    {
        yield return (JsonObject)input.DeepClone();
        yield return (JsonObject)Transform(input, _ => null)!;
        yield return (JsonObject)Transform(input, value => value is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String
            ? JsonValue.Create(Lengthen(v.GetValue<string>()))
            : value?.DeepClone())!;
    }

    private static JsonNode? Transform(JsonNode? node, Func<JsonNode?, JsonNode?> leaf) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(p.Key, Transform(p.Value, leaf)))),
        JsonArray array => new JsonArray(Enumerable.Range(0, array.Count == 0 ? 0 : LongList).Select(i => Transform(array[i % array.Count], leaf)).ToArray()),
        _ => leaf(node),
    };

    private static string Lengthen(string text) =>
        text.Length == 0 ? text : string.Concat(Enumerable.Repeat(text, LongText / text.Length + 1))[..LongText];

    private static JsonObject? Input(GoldenCase golden)
    {
        try
        {
            return golden.InputPath is null ? null : JsonNode.Parse(File.ReadAllText(golden.InputPath)) as JsonObject;
        }
        catch (System.Text.Json.JsonException)
        {
            return null; // the golden case itself reports it
        }
    }

    /// <summary>The template's <c>context</c> as a run gives it (parameters of the module and the stream).</summary>
    private static JsonObject Context(LoadedWorkflow loaded, StreamDefinition stream)
    {
        var context = new JsonObject { ["module"] = loaded.Definition.Id, ["version"] = loaded.Definition.Version, ["stream"] = stream.Name };
        var parameters = (JsonObject?)loaded.Definition.Parameters?.DeepClone() ?? [];
        foreach (var (name, value) in stream.Parameters ?? [])
        {
            parameters[name] = value?.DeepClone();
        }

        context["parameters"] = parameters;
        context["lookup"] = new JsonObject();
        return context;
    }
}
