using System.Globalization;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>The iVvy Timestamp Format: <c>yyyy-MM-dd HH:mm:ss[ UTC]</c>, 24-hour, always UTC.</summary>
/// <remarks>iVvy sends most timestamps with a trailing " UTC" and some without; absent dates come as "" or null.
/// Values have whole-second resolution.</remarks>
public static class IvvyTimestamp
{
    /// <summary>The format iVvy documents and every public client sends (without the optional suffix).</summary>
    public const string Pattern = "yyyy-MM-dd HH:mm:ss";

    private const string UtcSuffix = " UTC";

    /// <summary>Formats <paramref name="value"/> in UTC as <c>yyyy-MM-dd HH:mm:ss</c> (sub-second part dropped).</summary>
    public static string Format(DateTimeOffset value) => value.UtcDateTime.ToString(Pattern, CultureInfo.InvariantCulture);

    /// <summary>Parses an iVvy timestamp with or without the " UTC" suffix; "" , null and anything else give false.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value)
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (trimmed.EndsWith(UtcSuffix, StringComparison.OrdinalIgnoreCase))
        {
            trimmed = trimmed[..^UtcSuffix.Length].TrimEnd();
        }

        if (!DateTime.TryParseExact(trimmed, Pattern, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var utc))
        {
            return false;
        }

        value = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    /// <summary>Like <see cref="TryParse"/>, and also accepts ISO-8601 (with an offset or Z; none means UTC) and unix
    /// seconds, for responses whose format is not pinned down (e.g. the ping's <c>ack</c>).</summary>
    public static bool TryParseLenient(string? text, out DateTimeOffset value)
    {
        if (TryParse(text, out value))
        {
            return true;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        if (long.TryParse(trimmed, NumberStyles.None, CultureInfo.InvariantCulture, out var unixSeconds))
        {
            return TryFromUnixSeconds(unixSeconds, out value);
        }

        return DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out value);
    }

    /// <summary>Converts unix seconds to a UTC instant; false when out of range.</summary>
    public static bool TryFromUnixSeconds(long unixSeconds, out DateTimeOffset value)
    {
        value = default;
        if (unixSeconds < 0 || unixSeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeSeconds(unixSeconds);
        return true;
    }

    /// <summary>Drops the sub-second part, so a bound kept in a cursor equals the bound iVvy receives.</summary>
    public static DateTimeOffset TruncateToSecond(DateTimeOffset value) =>
        new(value.UtcTicks - (value.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);
}
