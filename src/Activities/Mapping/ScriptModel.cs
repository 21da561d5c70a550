using System.Text.Json;
using System.Text.Json.Nodes;
using Scriban.Runtime;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>Copies JSON data into plain Scriban values, so a template never sees a live .NET object.</summary>
/// <remarks>
/// Objects become <see cref="ScriptObject"/>, arrays <see cref="ScriptArray"/>, numbers <see cref="long"/> when
/// integral and in range, otherwise <see cref="double"/>; strings, booleans and null stay as they are.
/// Each render gets its own copy, so whatever a template assigns into <c>record</c> dies with that render.
/// </remarks>
internal static class ScriptModel
{
    public static object? FromJson(JsonNode? node) => node switch
    {
        null => null,
        JsonObject obj => FromObject(obj),
        JsonArray array => FromArray(array),
        JsonValue value => FromValue(value),
        _ => throw new ArgumentOutOfRangeException(nameof(node), node.GetType().Name, "Unknown JSON node kind."),
    };

    public static ScriptObject FromObject(JsonObject obj)
    {
        // autoImportStaticsFromThisType: false; there is nothing to import and it costs a reflection walk per object.
        var result = new ScriptObject(obj.Count, false);
        foreach (var (name, value) in obj)
        {
            result.SetValue(name, FromJson(value), false);
        }
        return result;
    }

    private static ScriptArray FromArray(JsonArray array)
    {
        var result = new ScriptArray(array.Count);
        foreach (var item in array)
        {
            result.Add(FromJson(item));
        }
        return result;
    }

    private static object? FromValue(JsonValue value)
    {
        // Records parsed from HTTP are JsonElement-backed; values built in code (JsonValue.Create(42)) are not,
        // and are read back through their JSON text so that both kinds give the same Scriban value.
        if (!value.TryGetValue<JsonElement>(out var element))
        {
            element = JsonElement.Parse(value.ToJsonString());
        }
        return element.ValueKind switch
        {
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.TryGetInt64(out var integral) ? integral
                : element.TryGetDouble(out var real) ? real
                : element.GetRawText(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }
}
