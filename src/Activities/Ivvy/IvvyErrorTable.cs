using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>One row of the iVvy error table: which errors it matches, how they are classified, and what the user can do.</summary>
/// <param name="ErrorCode">The iVvy <c>errorCode</c> (equal to the HTTP status when iVvy sets both); null matches any.</param>
/// <param name="SpecificCode">The iVvy <c>specificCode</c>; null matches any.</param>
/// <param name="RecordCallKind">Classification when the call reads or writes one record (getContact, addOrUpdateContact…):
/// a refusal there concerns that record's data.</param>
/// <param name="OtherCallKind">Classification for list reads and other calls, whose parameters come from our own code.</param>
/// <param name="Advice">Actionable text put before the remote's own message.</param>
public sealed record IvvyErrorRule(int? ErrorCode, int? SpecificCode, FailureKind RecordCallKind, FailureKind OtherCallKind, string Advice)
{
    /// <summary>When true the row matches only responses without a specificCode, e.g. a 404 not produced by iVvy's API.</summary>
    public bool OnlyWithoutSpecificCode { get; init; }

    /// <summary>True when this row applies to an error with these codes.</summary>
    public bool Matches(int errorCode, int? specificCode) =>
        (ErrorCode is null || ErrorCode == errorCode)
        && (SpecificCode is null || SpecificCode == specificCode)
        && (!OnlyWithoutSpecificCode || specificCode is null);

    /// <summary>The classification for a call of the given scope.</summary>
    public FailureKind KindFor(bool recordCall) => recordCall ? RecordCallKind : OtherCallKind;
}

/// <summary>
/// The iVvy connector's error table, declared as data: errorCode / HTTP status and specificCode → <see cref="FailureKind"/>
/// and a message a user can act on (ivvy-api.md §3.4).
/// </summary>
/// <remarks>Rows are ordered most specific first; the first matching row wins. Codes no row matches fall back to
/// <see cref="FailureKind.Transient"/> for 5xx and <see cref="FailureKind.System"/> otherwise.</remarks>
public static class IvvyErrorTable
{
    private const string RegionHint =
        "Ivvy:BaseUrl must be the API host of the account's region (AU https://api.ap-southeast-2.ivvy.com, " +
        "US https://api.us-west-2.ivvy.com, UK/EU https://api.eu-west-2.ivvy.com).";

    /// <summary>The rows, most specific first.</summary>
    public static IReadOnlyList<IvvyErrorRule> Rules { get; } =
    [
        new(401, 23005, FailureKind.Config, FailureKind.Config,
            "iVvy rejected the request as stale: its IVVY-Date was more than 5 minutes away from iVvy's clock. " +
            "Check this machine's clock (enable NTP time synchronisation)."),
        new(401, null, FailureKind.Config, FailureKind.Config,
            "iVvy refused the credentials. Check Ivvy:ApiKey and Ivvy:ApiSecret. " + RegionHint),
        new(403, null, FailureKind.Config, FailureKind.Config,
            "The API key may not do this. Check that Ivvy:ApiKey belongs to an iVvy user with access to this action " +
            "(keys inherit their user's permissions)."),
        new(462, null, FailureKind.Config, FailureKind.Config,
            "iVvy says the session expired. Create a new API key in iVvy and update Ivvy:ApiKey and Ivvy:ApiSecret."),
        new(463, null, FailureKind.Config, FailureKind.Config,
            "iVvy says the API key was revoked. Create a new API key in iVvy and update Ivvy:ApiKey and Ivvy:ApiSecret."),
        new(501, null, FailureKind.Config, FailureKind.Config,
            "This action is not available to this API key. Ask iVvy support to enable it for Ivvy:ApiKey, or switch off " +
            "the module that needs it."),
        new(429, null, FailureKind.RateLimited, FailureKind.RateLimited,
            "iVvy asked us to slow down (it says when in Retry-After)."),
        new(500, null, FailureKind.Transient, FailureKind.Transient, "iVvy had an internal error."),
        new(502, null, FailureKind.Transient, FailureKind.Transient, "A gateway in front of iVvy failed."),
        new(503, null, FailureKind.Transient, FailureKind.Transient, "iVvy is unavailable."),
        new(504, null, FailureKind.Transient, FailureKind.Transient, "A gateway in front of iVvy timed out."),
        new(460, null, FailureKind.Transient, FailureKind.Transient, "iVvy reported an unknown error."),
        new(461, null, FailureKind.Transient, FailureKind.Transient, "iVvy reported a failed request."),
        new(null, 23016, FailureKind.Data, FailureKind.System, "iVvy refused a value that does not validate."),
        new(null, 23017, FailureKind.Data, FailureKind.System, "iVvy says a required value is missing."),
        new(null, 24096, FailureKind.Data, FailureKind.System, "iVvy could not find the contact."),
        new(null, 24153, FailureKind.Data, FailureKind.System, "iVvy could not find the company."),
        new(404, null, FailureKind.Config, FailureKind.Config,
            "The iVvy endpoint was not found (the answer did not come from iVvy's API). " + RegionHint + " No path after the host.")
        {
            OnlyWithoutSpecificCode = true,
        },
        new(400, null, FailureKind.Data, FailureKind.System, "iVvy refused the request as invalid."),
        new(404, null, FailureKind.Data, FailureKind.System, "iVvy could not find what was asked for."),
        new(405, null, FailureKind.Data, FailureKind.System, "iVvy does not allow this request."),
        new(406, null, FailureKind.Data, FailureKind.System, "iVvy cannot accept this request."),
    ];

    /// <summary>The first row matching the codes, or null when none does (see <see cref="FallbackKind"/>).</summary>
    public static IvvyErrorRule? Find(int errorCode, int? specificCode)
    {
        foreach (var rule in Rules)
        {
            if (rule.Matches(errorCode, specificCode))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Classification of a code no row matches: 5xx can pass, anything else is a fault to look at.</summary>
    public static FailureKind FallbackKind(int errorCode) =>
        errorCode is >= 500 and <= 599 ? FailureKind.Transient : FailureKind.System;

    /// <summary>Classifies an error; <paramref name="recordCall"/> says whether the call concerns one record
    /// (see <see cref="IsRecordCall"/>).</summary>
    public static (FailureKind Kind, string Advice) Classify(int errorCode, int? specificCode, bool recordCall)
    {
        var rule = Find(errorCode, specificCode);
        return rule is null
            ? (FallbackKind(errorCode), $"iVvy answered with error {errorCode}.")
            : (rule.KindFor(recordCall), rule.Advice);
    }

    /// <summary>True for actions that read or write one record (getContact, addOrUpdateContact, addContactsTo…),
    /// false for list reads (get…List) and the ping.</summary>
    public static bool IsRecordCall(string action)
    {
        if (action.StartsWith("get", StringComparison.OrdinalIgnoreCase))
        {
            return !action.EndsWith("List", StringComparison.OrdinalIgnoreCase);
        }

        return action.StartsWith("add", StringComparison.OrdinalIgnoreCase)
            || action.StartsWith("update", StringComparison.OrdinalIgnoreCase)
            || action.StartsWith("remove", StringComparison.OrdinalIgnoreCase)
            || action.StartsWith("delete", StringComparison.OrdinalIgnoreCase)
            || action.StartsWith("change", StringComparison.OrdinalIgnoreCase)
            || action.StartsWith("set", StringComparison.OrdinalIgnoreCase)
            || action.StartsWith("upload", StringComparison.OrdinalIgnoreCase);
    }
}
