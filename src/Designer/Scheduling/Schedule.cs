using System.Globalization;
using Cronos;

namespace IvvyWorkflows.Designer.Scheduling;

/// <summary>When a module is due: a cron expression (5 fields, or 6 with seconds; UTC) or a fixed interval
/// (<c>hh:mm:ss</c>, or a number with s, m, h or d, e.g. <c>15m</c>).</summary>
public sealed class Schedule
{
    private readonly CronExpression? _cron;
    private readonly TimeSpan? _interval;

    private Schedule(string expression, CronExpression? cron, TimeSpan? interval)
    {
        Expression = expression;
        _cron = cron;
        _interval = interval;
    }

    public string Expression { get; }

    /// <summary>Parses an expression; <paramref name="setting"/> names where it came from in the error.</summary>
    /// <exception cref="FormatException">The expression is neither a cron expression nor an interval.</exception>
    public static Schedule Parse(string expression, string setting)
    {
        var text = expression.Trim();
        if (TryParseInterval(text, out var interval))
        {
            return interval >= TimeSpan.FromSeconds(1)
                ? new Schedule(text, null, interval)
                : throw new FormatException($"{setting}: the interval '{expression}' is shorter than a second.");
        }

        try
        {
            var fields = text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length;
            return new Schedule(text, CronExpression.Parse(text, fields == 6 ? CronFormat.IncludeSeconds : CronFormat.Standard), null);
        }
        catch (CronFormatException e)
        {
            throw new FormatException($"{setting}: '{expression}' is neither a cron expression (e.g. \"*/15 * * * *\") nor an interval (e.g. \"00:15:00\" or \"15m\"): {e.Message}", e);
        }
    }

    /// <summary>The first due time after <paramref name="after"/>.</summary>
    public DateTimeOffset Next(DateTimeOffset after) =>
        _interval is { } interval
            ? after + interval
            : _cron!.GetNextOccurrence(after, TimeZoneInfo.Utc) ?? DateTimeOffset.MaxValue;

    private static bool TryParseInterval(string text, out TimeSpan interval)
    {
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out interval);
        }

        interval = default;
        if (text.Length < 2 || !double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var n) || n <= 0)
        {
            return false;
        }

        interval = char.ToLowerInvariant(text[^1]) switch
        {
            's' => TimeSpan.FromSeconds(n),
            'm' => TimeSpan.FromMinutes(n),
            'h' => TimeSpan.FromHours(n),
            'd' => TimeSpan.FromDays(n),
            _ => TimeSpan.Zero,
        };
        return interval > TimeSpan.Zero;
    }
}
