using System.Globalization;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>iVvy's timestamp format ("yyyy-MM-dd HH:mm:ss UTC") as the server writes and reads it.</summary>
internal static class IvvyDates
{
    private static readonly string[] TimestampFormats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"];

    private static readonly string[] HttpDateFormats =
        ["r", "ddd, dd MMM yyyy HH:mm:ss 'UTC'", "ddd, d MMM yyyy HH:mm:ss 'UTC'", "ddd, d MMM yyyy HH:mm:ss 'GMT'"];

    /// <summary>Formats as iVvy returns dates: <c>2018-09-07 02:11:47 UTC</c>.</summary>
    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + " UTC";

    /// <summary>Formats a Unix time in seconds as iVvy returns dates.</summary>
    public static string Format(long unixSeconds) => Format(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

    /// <summary>Parses an iVvy timestamp (UTC, optional " UTC" suffix; a bare date means midnight).</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.EndsWith(" UTC", StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^4].TrimEnd();
        }

        if (!DateTime.TryParseExact(trimmed, TimestampFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var parsed))
        {
            return false;
        }

        value = new DateTimeOffset(parsed, TimeSpan.Zero);
        return true;
    }

    /// <summary>Parses the value of an HTTP <c>Date</c> header (RFC 1123, or iVvy's documented "… UTC" variant).</summary>
    public static bool TryParseHttpDate(string? text, out DateTimeOffset value)
    {
        value = default;
        return !string.IsNullOrWhiteSpace(text)
            && DateTimeOffset.TryParseExact(text.Trim(), HttpDateFormats, CultureInfo.InvariantCulture,
                DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out value);
    }
}
