using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>One row of the HubSpot error table: which answers it matches, how they are classified, and what the user can do.</summary>
/// <param name="StatusFrom">Lowest HTTP status matched.</param>
/// <param name="StatusTo">Highest HTTP status matched.</param>
/// <param name="WriteKind">Classification when the call writes records (batch upsert): a refusal there concerns the records' data.</param>
/// <param name="OtherKind">Classification for reads and schema calls, whose parameters come from our own code.</param>
/// <param name="Advice">Actionable text put after the remote's own message.</param>
public sealed record HubSpotErrorRule(int StatusFrom, int StatusTo, FailureKind WriteKind, FailureKind OtherKind, string Advice)
{
    /// <summary>HubSpot's <c>category</c> (VALIDATION_ERROR, CONFLICT…) the row requires; null matches any.</summary>
    public string? Category { get; init; }

    /// <summary>The 429 <c>policyName</c> (TEN_SECONDLY_ROLLING, SECONDLY, DAILY) the row requires; null matches any.</summary>
    public string? PolicyName { get; init; }

    /// <summary>Text the remote message must contain (case-insensitive); null matches any.</summary>
    public string? MessageContains { get; init; }

    /// <summary>Wait before retrying when HubSpot sends no Retry-After (it does not promise one): the policy's window.</summary>
    public TimeSpan? DefaultRetryAfter { get; init; }

    /// <summary>True when this row applies to the error.</summary>
    public bool Matches(int status, string? category, string? policyName, string? message) =>
        status >= StatusFrom && status <= StatusTo
        && (Category is null || string.Equals(Category, category, StringComparison.OrdinalIgnoreCase))
        && (PolicyName is null || string.Equals(PolicyName, policyName, StringComparison.OrdinalIgnoreCase))
        && (MessageContains is null || (message ?? "").Contains(MessageContains, StringComparison.OrdinalIgnoreCase));

    /// <summary>The classification for a write or another call.</summary>
    public FailureKind KindFor(bool isWrite) => isWrite ? WriteKind : OtherKind;
}

/// <summary>
/// The HubSpot connector's error table, declared as data: HTTP status, <c>category</c>, 429 <c>policyName</c> and message text →
/// <see cref="FailureKind"/>, a fallback wait, and a message a user can act on (crm-apis.md §1.5, §1.6).
/// </summary>
/// <remarks>Rows are ordered most specific first; the first matching row wins. Errors no row matches fall back to
/// <see cref="FailureKind.Transient"/> for 5xx and <see cref="FailureKind.System"/> otherwise.</remarks>
public static class HubSpotErrorTable
{
    /// <summary>Wait for TEN_SECONDLY_ROLLING (and unnamed) 429s without Retry-After: the rolling window's length.</summary>
    public static readonly TimeSpan TenSecondWindow = TimeSpan.FromSeconds(10);

    /// <summary>Wait for SECONDLY (search) 429s without Retry-After.</summary>
    public static readonly TimeSpan OneSecondWindow = TimeSpan.FromSeconds(1);

    /// <summary>The rows, most specific first.</summary>
    public static IReadOnlyList<HubSpotErrorRule> Rules { get; } =
    [
        new(401, 401, FailureKind.Config, FailureKind.Config,
            "HubSpot refused the access token: check HubSpot:AccessToken (a private-app, service-key or OAuth token of this account; " +
            "OAuth tokens expire and must be refreshed)."),
        new(403, 403, FailureKind.Config, FailureKind.Config,
            "HubSpot denied access: the token lacks a required scope. Grant the app the CRM scopes the sync needs " +
            "(e.g. crm.objects.contacts.read, crm.objects.contacts.write, crm.schemas.contacts.write) and update HubSpot:AccessToken."),
        new(429, 429, FailureKind.Config, FailureKind.Config,
            "HubSpot's daily API limit is reached: the run stops until the limit resets at midnight in the account's time zone. " +
            "Sync less often, or raise the account's API limit.")
        {
            PolicyName = "DAILY",
        },
        new(429, 429, FailureKind.RateLimited, FailureKind.RateLimited,
            "HubSpot's per-second search limit was hit.")
        {
            PolicyName = "SECONDLY",
            DefaultRetryAfter = OneSecondWindow,
        },
        new(429, 429, FailureKind.RateLimited, FailureKind.RateLimited,
            "HubSpot's rolling 10-second limit was hit.")
        {
            DefaultRetryAfter = TenSecondWindow,
        },
        new(400, 400, FailureKind.Config, FailureKind.Config,
            "The upsert key is not a unique property. Use a property created with hasUniqueValue (the writer's schema step " +
            "creates it) or email for contacts.")
        {
            MessageContains = "non-unique",
        },
        new(400, 409, FailureKind.Data, FailureKind.System,
            "HubSpot refused the record: another record already holds one of its unique values (for contacts, the same email).")
        {
            Category = "CONFLICT",
        },
        new(400, 400, FailureKind.Data, FailureKind.System, "HubSpot refused the record's email address.")
        {
            Category = "INVALID_EMAIL",
        },
        new(400, 400, FailureKind.Data, FailureKind.System, "HubSpot refused a property value; check the mapping template's output.")
        {
            Category = "VALIDATION_ERROR",
        },
        new(408, 408, FailureKind.Transient, FailureKind.Transient, "HubSpot timed out the request."),
        new(500, 599, FailureKind.Transient, FailureKind.Transient, "HubSpot had a server error."),
        new(400, 499, FailureKind.System, FailureKind.System, "HubSpot refused the request."),
    ];

    /// <summary>The first row matching the error, or null when none does.</summary>
    public static HubSpotErrorRule? Find(int status, string? category, string? policyName, string? message)
    {
        foreach (var rule in Rules)
        {
            if (rule.Matches(status, category, policyName, message))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Classifies an error; <paramref name="isWrite"/> says whether the call writes records.</summary>
    /// <returns>The kind, the advice to show, and the wait to use when a rate-limited answer carries no Retry-After.</returns>
    public static (FailureKind Kind, string Advice, TimeSpan? DefaultRetryAfter) Classify(
        int status, string? category, string? policyName, string? message, bool isWrite)
    {
        var rule = Find(status, category, policyName, message);
        return rule is null
            ? (status is >= 500 and <= 599 ? FailureKind.Transient : FailureKind.System, $"HubSpot answered with HTTP {status}.", null)
            : (rule.KindFor(isWrite), rule.Advice, rule.DefaultRetryAfter);
    }
}
