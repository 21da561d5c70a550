using System.Globalization;
using System.Text;

namespace IvvyWorkflows.Activities.Connectors;

/// <summary>The parenthesised detail of a failed call's warning, naming only what is known: a dropped connection has no
/// status, most answers carry no remote code, and only a rate-limited one waits.</summary>
public static class FailureDetail
{
    /// <summary>E.g. "HTTP 429 RATE_LIMIT, retry after 10 s", "errorCode 401", or "no answer" when nothing came back.</summary>
    public static string Of(string statusLabel, int? status, string? code, double? retryAfterSeconds = null)
    {
        var text = new StringBuilder();
        if (status is { } s)
        {
            text.Append(CultureInfo.InvariantCulture, $"{statusLabel} {s}");
        }

        if (!string.IsNullOrEmpty(code))
        {
            text.Append(text.Length > 0 ? " " : "").Append(code);
        }

        if (text.Length == 0)
        {
            text.Append("no answer");
        }

        if (retryAfterSeconds is { } wait)
        {
            text.Append(CultureInfo.InvariantCulture, $", retry after {wait:0.###} s");
        }

        return text.ToString();
    }
}
