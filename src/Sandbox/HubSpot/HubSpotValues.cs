using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>How HubSpot reads, checks, stores and compares property values (all values are strings on the wire).</summary>
internal static partial class HubSpotValues
{
    /// <summary>ISO-8601 with milliseconds in UTC, the format HubSpot returns datetimes in.</summary>
    public static string FormatInstant(DateTimeOffset instant) =>
        instant.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>HubSpot keeps times to the millisecond.</summary>
    public static DateTimeOffset TruncateToMilliseconds(DateTimeOffset instant) =>
        DateTimeOffset.FromUnixTimeMilliseconds(instant.ToUnixTimeMilliseconds());

    /// <summary>Reads a datetime the way HubSpot accepts it: epoch milliseconds, or ISO-8601.</summary>
    public static bool TryParseInstant(string text, out DateTimeOffset instant)
    {
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var epochMs))
        {
            try
            {
                instant = DateTimeOffset.FromUnixTimeMilliseconds(epochMs);
                return true;
            }
            catch (ArgumentOutOfRangeException)
            {
                instant = default;
                return false;
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out instant);
    }

    /// <summary>The text of a JSON value as HubSpot would read it (strings as-is, numbers and booleans invariant); null for JSON null.</summary>
    public static string? TextOf(JsonNode? node) => node switch
    {
        null => null,
        JsonValue value when value.GetValueKind() == JsonValueKind.String => value.GetValue<string>(),
        JsonValue value when value.GetValueKind() is JsonValueKind.True or JsonValueKind.False =>
            value.GetValue<bool>() ? "true" : "false",
        JsonValue value when value.GetValueKind() == JsonValueKind.Number => value.ToJsonString(),
        _ => node.ToJsonString(),
    };

    /// <summary>Checks and normalises a value written to <paramref name="definition"/>; "" means "clear the property".</summary>
    /// <param name="definition">The property written to.</param>
    /// <param name="node">The value as sent.</param>
    /// <param name="value">The value as stored.</param>
    /// <param name="maxLength">Most characters a value may have (HubSpot's text limit); 0 = no limit.</param>
    /// <returns>Null when the value is acceptable, else the detail entry HubSpot lists under "Property values were not valid".</returns>
    public static JsonObject? Normalize(HubSpotPropertyDefinition definition, JsonNode? node, out string value, int maxLength = 0)
    {
        value = TextOf(node) ?? "";
        if (value.Length == 0)
        {
            return null;
        }

        if (maxLength > 0 && value.Length > maxLength)
        {
            // The whole value would be too long to echo back in the error, as HubSpot's own message does not.
            return Invalid(definition.Name, value[..Math.Min(value.Length, 100)], "MAX_LENGTH_EXCEEDED",
                $"Value of {definition.Name} has {value.Length} characters; at most {maxLength} are allowed.");
        }

        if (definition.Options is { } options && !options.Contains(value, StringComparer.Ordinal))
        {
            return Invalid(definition.Name, value, "INVALID_OPTION",
                $"{value} was not one of the allowed options: [{string.Join(", ", options)}]");
        }

        if (definition.Name == "email")
        {
            value = value.Trim();
            return EmailPattern().IsMatch(value)
                ? null
                : Invalid(definition.Name, value, "INVALID_EMAIL", $"Email address {value} is invalid");
        }

        switch (definition.Type)
        {
            case "number":
                return decimal.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                    ? null
                    : Invalid(definition.Name, value, "INVALID_DECIMAL", $"{value} was not a valid number.");
            case "bool":
                if (value.Equals("true", StringComparison.OrdinalIgnoreCase) || value.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    value = value.ToLowerInvariant();
                    return null;
                }

                return Invalid(definition.Name, value, "INVALID_BOOLEAN", $"{value} was not a valid boolean.");
            case "date" or "datetime":
                if (TryParseInstant(value, out var instant))
                {
                    value = FormatInstant(definition.Type == "date" ? new DateTimeOffset(instant.UtcDateTime.Date, TimeSpan.Zero) : instant);
                    return null;
                }

                return Invalid(definition.Name, value, "INVALID_DATE", $"{value} is not a valid date.");
            default:
                return null;
        }
    }

    /// <summary>The detail entry of one refused property value.</summary>
    public static JsonObject Invalid(string name, string? value, string error, string message) => new()
    {
        ["isValid"] = false,
        ["message"] = message,
        ["error"] = error,
        ["name"] = name,
        ["localizedErrorMessage"] = message,
        ["invalidValue"] = value,
    };

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s.]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
