namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>Describes an iVvy list action that can be filtered by a modified-date window.</summary>
/// <param name="Namespace">API namespace, e.g. "contact".</param>
/// <param name="ListAction">List action, e.g. "getContactList".</param>
/// <param name="FromFilter">Filter key of the window's lower bound, e.g. "fromModifiedDate"; null for an action with no
/// modified-date filter (events): every window then reads the whole list, and the diff leaves unchanged records alone.</param>
/// <param name="ToFilter">Filter key of the window's upper bound, e.g. "toModifiedDate"; null with <paramref name="FromFilter"/>.</param>
/// <param name="ModifiedField">Field of each record holding its modified time.</param>
/// <param name="PerPage">Page size, 1–100.</param>
public sealed record IvvyListSpec(
    string Namespace,
    string ListAction,
    string? FromFilter,
    string? ToFilter,
    string ModifiedField = "modifiedDate",
    int PerPage = 100)
{
    /// <summary>How far a new window reaches back before the previous window's upper bound (default 1 s), so records
    /// stamped on the boundary are read even if iVvy's bounds turn out to be exclusive. (An init property because a
    /// TimeSpan cannot be a parameter default.)</summary>
    public TimeSpan Overlap { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The action's own parameters, sent with every call (getBookingList's <c>venueId</c>).</summary>
    public System.Text.Json.Nodes.JsonObject? Parameters { get; init; }

    /// <summary>Contacts: <c>contact?action=getContactList</c> filtered by fromModifiedDate / toModifiedDate.</summary>
    public static IvvyListSpec Contacts { get; } = new("contact", "getContactList", "fromModifiedDate", "toModifiedDate");

    /// <summary>Companies: <c>contact?action=getCompanyList</c> filtered by fromModifiedDate / toModifiedDate.</summary>
    public static IvvyListSpec Companies { get; } = new("contact", "getCompanyList", "fromModifiedDate", "toModifiedDate");
}
