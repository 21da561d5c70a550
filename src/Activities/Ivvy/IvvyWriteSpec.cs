namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>Describes how one iVvy record type is written and read back by id.</summary>
/// <param name="Namespace">API namespace, e.g. "contact".</param>
/// <param name="WriteAction">The addOrUpdate… action, e.g. "addOrUpdateContact": with <c>id</c> it updates, without it adds,
/// or with <c>updateIfExists</c> updates the record matching <paramref name="IdentityMatch"/>.</param>
/// <param name="ReadAction">The action reading one record by <c>id</c>, e.g. "getContact".</param>
/// <param name="IdentityMatch">The fields iVvy matches on with <c>updateIfExists</c>, comma-separated, e.g.
/// "firstName,lastName,email" (see <see cref="IdentityFields"/>).</param>
/// <param name="ReadBack">The fields the write action takes that the read action returns under the same name (per
/// docs/reference ivvy-api.md), so a two-way module can tell its own write from a change: e.g. a contact's
/// <c>privacyConsent</c> is written but read as <c>privacyConsentData</c>, so it cannot be read back.</param>
public sealed record IvvyWriteSpec(string Namespace, string WriteAction, string ReadAction, string IdentityMatch, IReadOnlyList<string> ReadBack)
{
    /// <summary>Contacts: <c>contact?action=addOrUpdateContact</c> / <c>getContact</c>; iVvy matches first name + last name + email.</summary>
    public static IvvyWriteSpec Contacts { get; } = new("contact", "addOrUpdateContact", "getContact", "firstName,lastName,email",
        ["firstName", "lastName", "email", "phone", "externalId", "groups", "customFields", "companies", "status", "smsStatus", "externalUrls"]);

    /// <summary>Companies: <c>contact?action=addOrUpdateCompany</c> / <c>getCompany</c>; iVvy matches the business name.</summary>
    public static IvvyWriteSpec Companies { get; } = new("contact", "addOrUpdateCompany", "getCompany", "businessName",
        ["businessName", "tradingName", "businessNumber", "phone", "otherPhone", "fax", "website", "email", "address", "externalId",
         "isAgent", "iataNumber", "customFields", "externalUrls"]);

    /// <summary>The action listing records of this type (getContactList, getCompanyList): the read action's list.</summary>
    public string ListAction => ReadAction + "List";

    /// <summary>The fields of <see cref="IdentityMatch"/>, e.g. ["firstName", "lastName", "email"].</summary>
    public IReadOnlyList<string> IdentityFields =>
        IdentityMatch.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
