using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Designer.Elsa;

/// <summary>
/// Converts between our definition JSON and the flowchart Elsa Studio edits: every stream becomes a chain of stage
/// activities (<see cref="Stage.Order"/>) whose inputs are the stream's fields, and back. Back is applied onto a base
/// definition (the draft's, or the version it starts from): what the activities hold replaces or removes the paths they
/// own, everything else (module parameters, pairing's field owners and delete policy, …) stays as the base has it, in
/// the base's order. So an unedited graph gives back the base exactly.
/// </summary>
public static class FlowchartMapper
{
    public const string FlowchartType = "Elsa.Flowchart";
    public const string DonePort = "Done";
    public const string InPort = "In";
    private const double ColumnWidth = 300;
    private const double RowHeight = 200;

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>The stage activity id of a stream when the layout names none: deterministic, so it is stable.</summary>
    public static string ActivityId(string stream, Stage stage) => $"{stream}-{stage.Kind}";

    /// <summary>The flowchart (Elsa's <c>root</c>) of a definition, positioned from <paramref name="layout"/> or, for a
    /// node it does not place, in a grid: one row per stream, one column per stage.</summary>
    public static JsonObject ToFlowchart(JsonObject definition, DefinitionLayout layout)
    {
        var activities = new JsonArray();
        var connections = new JsonArray();
        var streams = definition["streams"] as JsonArray ?? [];
        for (var s = 0; s < streams.Count; s++)
        {
            var stream = (JsonObject)streams[s]!;
            var name = (string?)stream["name"] ?? $"stream{s}";
            string? previous = null;
            for (var k = 0; k < Stage.Order.Count; k++)
            {
                var stage = Stage.Order[k];
                if (!stage.Required && !stage.Inputs.Any(i => !i.ModuleLevel && Get(stream, i.Path) is not null))
                {
                    continue;
                }

                var id = ActivityId(name, stage);
                var position = layout.Nodes.TryGetValue(id, out var placed) ? placed : new NodePosition(k * ColumnWidth, s * RowHeight);
                var activity = new JsonObject
                {
                    ["id"] = id,
                    ["nodeId"] = $"{definition["id"]}:{id}",
                    ["name"] = id,
                    ["type"] = stage.TypeName,
                    ["version"] = 1,
                    ["customProperties"] = new JsonObject(),
                    ["metadata"] = new JsonObject { ["designer"] = new JsonObject { ["position"] = new JsonObject { ["x"] = position.X, ["y"] = position.Y } } },
                };
                foreach (var input in stage.Inputs)
                {
                    var value = Get(input.ModuleLevel ? definition : stream, input.Path);
                    if (value is not null)
                    {
                        activity[input.Name] = Wrap(input, value);
                    }
                }

                activities.Add(activity);
                if (previous is not null)
                {
                    connections.Add(Connection(previous, id));
                }

                previous = id;
            }
        }

        return new JsonObject
        {
            ["id"] = $"{definition["id"]}-flowchart",
            ["nodeId"] = $"{definition["id"]}-flowchart",
            ["name"] = "Flowchart1",
            ["type"] = FlowchartType,
            ["version"] = 1,
            ["customProperties"] = new JsonObject(),
            ["metadata"] = new JsonObject(),
            ["activities"] = activities,
            ["connections"] = connections,
        };
    }

    /// <summary>The definition a flowchart stands for, applied onto <paramref name="baseDefinition"/> (never changed),
    /// with the layout of its nodes. A graph the runtime cannot run gives errors (path = "flowchart" or
    /// "activities[&lt;id&gt;]…", named by stage and field) and the definition as far as it could be read.</summary>
    public static FlowchartResult FromFlowchart(JsonObject flowchart, JsonObject baseDefinition, string? title = null, string? description = null)
    {
        var errors = new List<DefinitionError>();
        var definition = (JsonObject)baseDefinition.DeepClone();
        if (title is not null)
        {
            definition["title"] = title;
        }

        if (description is not null)
        {
            Set(definition, "description", string.IsNullOrEmpty(description) ? null : JsonValue.Create(description));
        }

        var activities = (flowchart["activities"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var byId = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var nodes = new Dictionary<string, NodePosition>(StringComparer.Ordinal);
        foreach (var activity in activities)
        {
            var id = (string?)activity["id"] ?? "";
            if (!byId.TryAdd(id, activity))
            {
                errors.Add(new DefinitionError($"activities[{id}]", "two activities have this id"));
                continue;
            }

            if (activity["metadata"]?["designer"]?["position"] is JsonObject p)
            {
                nodes[id] = new NodePosition(Number(p["x"]), Number(p["y"]));
            }

            if (Stage.ByType((string?)activity["type"]) is null)
            {
                errors.Add(new DefinitionError($"activities[{id}]", $"'{activity["type"]}' is not a stage our runtime runs (stages: {string.Join(", ", Stage.Order.Select(s => s.DisplayName))})"));
            }
        }

        // Each stage hands on to at most one next stage, over its Done port.
        var next = new Dictionary<string, string>(StringComparer.Ordinal);
        var incoming = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var connection in (flowchart["connections"] as JsonArray ?? []).OfType<JsonObject>())
        {
            var from = (string?)connection["source"]?["activity"] ?? "";
            var to = (string?)connection["target"]?["activity"] ?? "";
            if (!byId.ContainsKey(from) || !byId.ContainsKey(to))
            {
                errors.Add(new DefinitionError("flowchart.connections", $"a connection from '{from}' to '{to}' joins an activity that is not on the canvas"));
                continue;
            }

            if (!next.TryAdd(from, to))
            {
                errors.Add(new DefinitionError($"activities[{from}]", "goes on to two stages; a stream's stages run one after another"));
            }

            incoming[to] = incoming.GetValueOrDefault(to) + 1;
        }

        var streams = new JsonArray();
        var baseStreams = (baseDefinition["streams"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        var moduleValues = new Dictionary<StageInput, List<JsonNode?>>();
        var onChain = new HashSet<string>(StringComparer.Ordinal);
        // Streams run in order: those the base has keep their place, new ones follow.
        var starts = activities.Where(a => Stage.ByType((string?)a["type"])?.Kind == "read")
            .OrderBy(a => baseStreams.FindIndex(b => JsonNode.DeepEquals(b["name"], a[Stage.StreamInput]?["expression"]?["value"])) is var i and >= 0 ? i : int.MaxValue)
            .ToList();
        if (starts.Count == 0)
        {
            errors.Add(new DefinitionError("flowchart", "has no Read modified stage: every stream starts with one"));
        }

        foreach (var start in starts)
        {
            var startId = (string)start["id"]!;
            var name = Literal(start, Stage.Order[0].Inputs[0], errors) is JsonValue v && v.TryGetValue<string>(out var n) && n.Length > 0 ? n : null;
            if (name is null)
            {
                errors.Add(new DefinitionError($"activities[{startId}].{Stage.StreamInput}", "Read modified: the stream needs a name"));
                name = startId;
            }

            var stream = baseStreams.FirstOrDefault(b => (string?)b["name"] == name)?.DeepClone() as JsonObject ?? new JsonObject { ["name"] = name };
            var seen = new List<Stage>();
            for (var id = startId; id is not null; id = next.GetValueOrDefault(id))
            {
                if (!onChain.Add(id))
                {
                    errors.Add(new DefinitionError($"activities[{id}]", "is reached twice: a stream's stages make one chain without loops or joins"));
                    break;
                }

                var activity = byId[id];
                if (Stage.ByType((string?)activity["type"]) is not { } stage)
                {
                    continue;
                }

                if (seen.Count > 0 && Rank(stage) <= Rank(seen[^1]))
                {
                    errors.Add(new DefinitionError($"activities[{id}]", $"{stage.DisplayName} cannot follow {seen[^1].DisplayName}: stages run in the order {string.Join(" → ", Stage.Order.Select(s => s.DisplayName))}"));
                }

                if (seen.Count > 0 && incoming.GetValueOrDefault(id) > 1)
                {
                    errors.Add(new DefinitionError($"activities[{id}]", "more than one stage goes on to it; each stream is its own chain"));
                }

                seen.Add(stage);
                foreach (var input in stage.Inputs)
                {
                    var value = Literal(activity, input, errors);
                    if (input.ModuleLevel)
                    {
                        (moduleValues.TryGetValue(input, out var list) ? list : moduleValues[input] = []).Add(value);
                    }
                    else
                    {
                        Set(stream, input.Path, value);
                    }
                }
            }

            foreach (var missing in Stage.Order.Where(s => s.Required && !seen.Contains(s)))
            {
                errors.Add(new DefinitionError($"activities[{startId}]", $"stream '{name}' has no {missing.DisplayName} stage"));
            }

            // A stage left out takes what it held with it.
            foreach (var absent in Stage.Order.Where(s => !s.Required && !seen.Contains(s)))
            {
                foreach (var input in absent.Inputs.Where(i => !i.ModuleLevel))
                {
                    Set(stream, input.Path, null);
                }
            }

            streams.Add(stream);
        }

        foreach (var stray in activities.Select(a => (string?)a["id"] ?? "").Where(id => !onChain.Contains(id)))
        {
            errors.Add(new DefinitionError($"activities[{stray}]", "is not on any stream's chain (connect it after a Read modified stage, or remove it)"));
        }

        definition["streams"] = streams;
        foreach (var (input, values) in moduleValues)
        {
            // The same module setting shows on every stream's stage: the one value that differs from the base is the edit.
            var was = Get(baseDefinition, input.Path);
            var changed = values.Where(v => !JsonNode.DeepEquals(v, was)).DistinctBy(v => v?.ToJsonString()).ToList();
            if (changed.Count > 1)
            {
                errors.Add(new DefinitionError(input.Path, $"{input.DisplayName} is set to different values on different streams ({string.Join(", ", changed.Select(c => c?.ToJsonString() ?? "empty"))}); it is one setting of the module"));
            }
            else if (changed.Count == 1)
            {
                Set(definition, input.Path, changed[0]);
            }
        }

        return new FlowchartResult(definition, new DefinitionLayout { Nodes = nodes }, errors);
    }

    /// <summary>The value at a dot-separated path, or null.</summary>
    public static JsonNode? Get(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var part in path.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node;
    }

    /// <summary>Sets the value at a path (creating its parents), or removes it when null (leaving its parents).</summary>
    public static void Set(JsonObject root, string path, JsonNode? value)
    {
        var parts = path.Split('.');
        var parent = root;
        foreach (var part in parts[..^1])
        {
            if (parent[part] is JsonObject child)
            {
                parent = child;
            }
            else if (value is null)
            {
                return;
            }
            else
            {
                parent[part] = child = new JsonObject();
                parent = child;
            }
        }

        if (value is null)
        {
            parent.Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = value.Parent is null ? value : value.DeepClone();
        }
    }

    private static JsonObject Connection(string from, string to) => new()
    {
        ["source"] = new JsonObject { ["activity"] = from, ["port"] = DonePort },
        ["target"] = new JsonObject { ["activity"] = to, ["port"] = InPort },
        ["vertices"] = new JsonArray(),
    };

    private static JsonObject Wrap(StageInput input, JsonNode value) => new()
    {
        ["typeName"] = input.Kind == InputKind.Number ? "Int32" : "String",
        ["expression"] = new JsonObject
        {
            ["type"] = "Literal",
            ["value"] = input.Kind switch
            {
                InputKind.Json => value.ToJsonString(Indented),
                InputKind.Number => value.ToJsonString(),
                _ => value is JsonValue text && text.TryGetValue<string>(out var s) ? s : value.ToJsonString(),
            },
        },
    };

    /// <summary>An input's value as definition JSON, or null when it is empty; a value that is not what the field takes
    /// is an error naming the activity and field.</summary>
    private static JsonNode? Literal(JsonObject activity, StageInput input, List<DefinitionError> errors)
    {
        var id = (string?)activity["id"];
        var path = $"activities[{id}].{input.Name}";
        var stage = Stage.ByType((string?)activity["type"])?.DisplayName;
        if (activity[input.Name] is not JsonObject wrapped || wrapped["expression"] is not JsonObject expression)
        {
            return null;
        }

        var type = (string?)expression["type"];
        var raw = expression["value"];
        if (raw is null || (raw is JsonValue rv && rv.TryGetValue<string>(out var rs) && string.IsNullOrWhiteSpace(rs)))
        {
            return null;
        }

        if (type is not "Literal" and not "Object")
        {
            errors.Add(new DefinitionError(path, $"{stage}: {input.DisplayName} must be a literal value; our runtime evaluates no '{type}' expressions"));
            return null;
        }

        var text = raw is JsonValue tv && tv.TryGetValue<string>(out var s) ? s : raw.ToJsonString();
        switch (input.Kind)
        {
            case InputKind.Number:
                if (!long.TryParse(text.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number))
                {
                    errors.Add(new DefinitionError(path, $"{stage}: {input.DisplayName} must be a whole number, not '{text}'"));
                    return null;
                }

                if (number < input.Min || number > input.Max)
                {
                    errors.Add(new DefinitionError(path, $"{stage}: {input.DisplayName} must be between {input.Min} and {input.Max}, not {number}"));
                }

                return number is >= int.MinValue and <= int.MaxValue ? JsonValue.Create((int)number) : JsonValue.Create(number);
            case InputKind.Json:
                try
                {
                    return JsonNode.Parse(text);
                }
                catch (JsonException e)
                {
                    errors.Add(new DefinitionError(path, $"{stage}: {input.DisplayName} is not JSON (line {e.LineNumber + 1}, position {e.BytePositionInLine + 1}): {e.Message}"));
                    return null;
                }

            case InputKind.Choice when input.Choices is { } choices && !choices.Contains(text):
                errors.Add(new DefinitionError(path, $"{stage}: {input.DisplayName} '{text}' is not one of {string.Join(", ", choices)}"));
                return JsonValue.Create(text);
            default:
                return JsonValue.Create(text);
        }
    }

    private static int Rank(Stage stage) => Stage.Order.ToList().IndexOf(stage);

    private static double Number(JsonNode? node) =>
        node is JsonValue v && (v.TryGetValue<double>(out var d) || (v.TryGetValue<string>(out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out d))) ? d : 0;
}

/// <summary>A flowchart read back: the definition, its layout, and why the runtime could not run it (empty when it can).</summary>
public sealed record FlowchartResult(JsonObject Definition, DefinitionLayout Layout, IReadOnlyList<DefinitionError> Errors);
