using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>Lists where two JSON values differ, one line per difference, by JSON path.</summary>
internal static class JsonDiff
{
    public static IReadOnlyList<string> Describe(JsonNode? expected, JsonNode? actual)
    {
        var differences = new List<string>();
        Compare("$", expected, actual, differences);
        return differences;
    }

    private static void Compare(string path, JsonNode? expected, JsonNode? actual, List<string> differences)
    {
        if (JsonNode.DeepEquals(expected, actual))
        {
            return;
        }
        switch (expected, actual)
        {
            case (JsonObject expectedObject, JsonObject actualObject):
                foreach (var (name, expectedValue) in expectedObject)
                {
                    if (actualObject.TryGetPropertyValue(name, out var actualValue))
                    {
                        Compare(Child(path, name), expectedValue, actualValue, differences);
                    }
                    else
                    {
                        differences.Add($"{Child(path, name)}: missing; expected {Show(expectedValue)}");
                    }
                }
                foreach (var (name, actualValue) in actualObject)
                {
                    if (!expectedObject.ContainsKey(name))
                    {
                        differences.Add($"{Child(path, name)}: unexpected {Show(actualValue)}");
                    }
                }
                break;
            case (JsonArray expectedArray, JsonArray actualArray):
                if (expectedArray.Count != actualArray.Count)
                {
                    differences.Add($"{path}: expected {expectedArray.Count} items, got {actualArray.Count}");
                }
                for (var i = 0; i < Math.Min(expectedArray.Count, actualArray.Count); i++)
                {
                    Compare($"{path}[{i}]", expectedArray[i], actualArray[i], differences);
                }
                break;
            default:
                differences.Add($"{path}: expected {Show(expected)}, got {Show(actual)}");
                break;
        }
    }

    private static string Child(string path, string name) =>
        name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(name[0])
            ? $"{path}.{name}"
            : $"{path}[{JsonValue.Create(name).ToJsonString()}]";

    private static string Show(JsonNode? node) => node?.ToJsonString() ?? "null";
}
