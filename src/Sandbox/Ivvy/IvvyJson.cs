using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>Lenient reading of request values: iVvy accepts ids and numbers as JSON numbers or numeric strings.</summary>
internal static class IvvyJson
{
    public static bool TryGetInteger(JsonNode? node, out long value)
    {
        value = 0;
        if (node is not JsonValue token)
        {
            return false;
        }

        switch (token.GetValueKind())
        {
            case JsonValueKind.Number:
                if (token.TryGetValue<long>(out value))
                {
                    return true;
                }

                // A value built in memory from an int answers only to int.
                if (token.TryGetValue<int>(out var small))
                {
                    value = small;
                    return true;
                }

                // 12.0 is a whole number; 12.5 is not.
                if (token.TryGetValue<double>(out var real) && real == Math.Floor(real) && Math.Abs(real) < long.MaxValue)
                {
                    value = (long)real;
                    return true;
                }

                return false;
            case JsonValueKind.String:
                return long.TryParse(token.GetValue<string>().Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
            default:
                return false;
        }
    }

    /// <summary>A string, or a number / boolean given where text is expected (rendered as text).</summary>
    public static bool TryGetText(JsonNode? node, out string text)
    {
        text = string.Empty;
        if (node is not JsonValue token)
        {
            return false;
        }

        switch (token.GetValueKind())
        {
            case JsonValueKind.String:
                text = token.GetValue<string>();
                return true;
            case JsonValueKind.Number:
                text = token.ToJsonString();
                return true;
            default:
                return false;
        }
    }

    /// <summary>true/false, 1/0, "true"/"false", "1"/"0".</summary>
    public static bool TryGetBoolean(JsonNode? node, out bool value)
    {
        value = false;
        if (node is not JsonValue token)
        {
            return false;
        }

        switch (token.GetValueKind())
        {
            case JsonValueKind.True:
                value = true;
                return true;
            case JsonValueKind.False:
                return true;
            case JsonValueKind.Number when TryGetInteger(token, out var number) && number is 0 or 1:
                value = number == 1;
                return true;
            case JsonValueKind.String:
                var text = token.GetValue<string>().Trim();
                if (text is "1" || text.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    value = true;
                    return true;
                }

                return text is "0" || text.Equals("false", StringComparison.OrdinalIgnoreCase);
            default:
                return false;
        }
    }
}
