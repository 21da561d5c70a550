namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>A property definition as the simulator keeps it (GET/POST <c>/crm/v3/properties/{type}</c>).</summary>
/// <param name="Name">Internal name, e.g. "email".</param>
/// <param name="Label">Display label.</param>
/// <param name="Type">string, number, date, datetime, enumeration or bool.</param>
/// <param name="FieldType">text, textarea, number, date, select, booleancheckbox…</param>
/// <param name="GroupName">Property group, e.g. "contactinformation".</param>
/// <param name="HasUniqueValue">True when no two records may hold the same value (what <c>idProperty</c> needs).</param>
/// <param name="ReadOnly">True for values HubSpot maintains itself (create/modified dates, record id).</param>
/// <param name="Custom">True when created through the API rather than built in.</param>
/// <param name="Options">For an enumeration, the values it accepts; null accepts any value.</param>
internal sealed record HubSpotPropertyDefinition(
    string Name, string Label, string Type, string FieldType, string GroupName, bool HasUniqueValue, bool ReadOnly, bool Custom,
    IReadOnlyList<string>? Options = null);

/// <summary>What the simulator knows about one CRM object type. New types are added here, as data.</summary>
/// <param name="Name">Path name, e.g. "contacts".</param>
/// <param name="ObjectTypeId">HubSpot's id of the type, e.g. "0-1" (used in error messages and accepted in paths).</param>
/// <param name="Singular">Name of one record in messages, e.g. "Contact".</param>
/// <param name="ModifiedProperty">The last-modified property ("lastmodifieddate" for contacts, "hs_lastmodifieddate" otherwise).</param>
/// <param name="SystemUniqueProperty">A built-in property HubSpot keeps unique without <c>hasUniqueValue</c> (contacts: email).</param>
/// <param name="DefaultProperties">Properties a search or read returns when the request names none.</param>
/// <param name="BuiltInProperties">Properties every account has.</param>
/// <param name="RequiredOnCreate">Properties a new record must have (emails: hs_timestamp); none when null.</param>
internal sealed record HubSpotObjectType(
    string Name,
    string ObjectTypeId,
    string Singular,
    string ModifiedProperty,
    string? SystemUniqueProperty,
    IReadOnlyList<string> DefaultProperties,
    IReadOnlyList<HubSpotPropertyDefinition> BuiltInProperties,
    IReadOnlyList<string>? RequiredOnCreate = null)
{
    /// <summary>Property group new custom properties of this type usually go into.</summary>
    public string InformationGroup => Singular.ToLowerInvariant() + "information";
}

/// <summary>The object types the simulator serves, as data.</summary>
internal static class HubSpotObjectTypes
{
    public const string CreateDate = "createdate";
    public const string ObjectId = "hs_object_id";
    public const string EmailHeaders = "hs_email_headers";
    public const string EmailFrom = "hs_email_from_email";
    public const string EmailTo = "hs_email_to_email";

    /// <summary>Ids of the records merged into a record, separated by semicolons (HubSpot's "Merged record IDs").</summary>
    public const string MergedObjectIds = "hs_merged_object_ids";

    /// <summary>Every known type, keyed by path name.</summary>
    public static IReadOnlyDictionary<string, HubSpotObjectType> All { get; } = Build();

    /// <summary>Resolves a path segment: a name ("contacts") or an object type id ("0-1").</summary>
    public static HubSpotObjectType? Resolve(string nameOrId)
    {
        if (All.TryGetValue(nameOrId.ToLowerInvariant(), out var type))
        {
            return type;
        }

        return All.Values.FirstOrDefault(t => t.ObjectTypeId == nameOrId);
    }

    private static Dictionary<string, HubSpotObjectType> Build()
    {
        var contacts = new HubSpotObjectType("contacts", "0-1", "Contact", "lastmodifieddate", "email",
            ["createdate", "email", "firstname", "hs_object_id", "lastmodifieddate", "lastname"],
            [
                Text("email", "Email", "contactinformation"),
                Text("firstname", "First Name", "contactinformation"),
                Text("lastname", "Last Name", "contactinformation"),
                Text("phone", "Phone Number", "contactinformation"),
                Text("company", "Company Name", "contactinformation"),
                Maintained("lastmodifieddate", "Last Modified Date", "datetime", "contactinformation"),
                Maintained(CreateDate, "Create Date", "datetime", "contactinformation"),
                Maintained(ObjectId, "Record ID", "number", "contactinformation"),
            ]);
        var companies = new HubSpotObjectType("companies", "0-2", "Company", "hs_lastmodifieddate", null,
            ["createdate", "domain", "hs_lastmodifieddate", "hs_object_id", "name"],
            [
                Text("name", "Name", "companyinformation"),
                Text("domain", "Company Domain Name", "companyinformation"),
                Text("phone", "Phone Number", "companyinformation"),
                Text("city", "City", "companyinformation"),
                Text("country", "Country/Region", "companyinformation"),
                Maintained("hs_lastmodifieddate", "Last Modified Date", "datetime", "companyinformation"),
                Maintained(CreateDate, "Create Date", "datetime", "companyinformation"),
                Maintained(ObjectId, "Record ID", "number", "companyinformation"),
            ]);
        var deals = new HubSpotObjectType("deals", "0-3", "Deal", "hs_lastmodifieddate", null,
            ["amount", "closedate", "createdate", "dealname", "dealstage", "hs_lastmodifieddate", "hs_object_id", "pipeline"],
            [
                Text("dealname", "Deal Name", "dealinformation"),
                new("amount", "Amount", "number", "number", "dealinformation", false, false, false),
                Text("dealstage", "Deal Stage", "dealinformation"),
                Text("pipeline", "Pipeline", "dealinformation"),
                new("closedate", "Close Date", "datetime", "date", "dealinformation", false, false, false),
                Maintained("hs_lastmodifieddate", "Last Modified Date", "datetime", "dealinformation"),
                Maintained(CreateDate, "Create Date", "datetime", "dealinformation"),
                Maintained(ObjectId, "Record ID", "number", "dealinformation"),
            ]);
        // Email engagements (crm-apis.md §1.7): hs_timestamp is required; the headers JSON drives the read-only from/to emails.
        var emails = new HubSpotObjectType("emails", "0-49", "Email", "hs_lastmodifieddate", null,
            ["createdate", "hs_email_direction", "hs_email_subject", "hs_lastmodifieddate", "hs_object_id", "hs_timestamp"],
            [
                new("hs_timestamp", "Activity date", "datetime", "date", "emailinformation", false, false, false),
                Choice("hs_email_direction", "Email direction", "emailinformation", ["EMAIL", "INCOMING_EMAIL", "FORWARDED_EMAIL"]),
                Choice("hs_email_status", "Email send status", "emailinformation", ["BOUNCED", "FAILED", "SCHEDULED", "SENDING", "SENT"]),
                Text("hs_email_subject", "Email subject", "emailinformation"),
                new("hs_email_text", "Email body", "string", "textarea", "emailinformation", false, false, false),
                new("hs_email_html", "Email HTML body", "string", "html", "emailinformation", false, false, false),
                new(EmailHeaders, "Email headers", "string", "textarea", "emailinformation", false, false, false),
                new(EmailFrom, "From email", "string", "text", "emailinformation", false, ReadOnly: true, Custom: false),
                new(EmailTo, "To email", "string", "text", "emailinformation", false, ReadOnly: true, Custom: false),
                Text("hubspot_owner_id", "Activity assigned to", "emailinformation"),
                Maintained("hs_lastmodifieddate", "Last Modified Date", "datetime", "emailinformation"),
                Maintained(CreateDate, "Create Date", "datetime", "emailinformation"),
                Maintained(ObjectId, "Record ID", "number", "emailinformation"),
            ],
            RequiredOnCreate: ["hs_timestamp"]);
        // Every type can be merged, so every record may carry the ids merged into it (read-only: HubSpot maintains it).
        return new[] { contacts, companies, deals, emails }.Select(t => t with
        {
            BuiltInProperties = [.. t.BuiltInProperties,
                new(MergedObjectIds, $"Merged {t.Singular} IDs", "enumeration", "checkbox", t.InformationGroup, false, ReadOnly: true, Custom: false)],
        }).ToDictionary(t => t.Name, StringComparer.Ordinal);
    }

    private static HubSpotPropertyDefinition Text(string name, string label, string group) =>
        new(name, label, "string", "text", group, HasUniqueValue: false, ReadOnly: false, Custom: false);

    private static HubSpotPropertyDefinition Choice(string name, string label, string group, IReadOnlyList<string> options) =>
        new(name, label, "enumeration", "select", group, HasUniqueValue: false, ReadOnly: false, Custom: false, options);

    private static HubSpotPropertyDefinition Maintained(string name, string label, string type, string group) =>
        new(name, label, type, type == "number" ? "number" : "date", group, HasUniqueValue: false, ReadOnly: true, Custom: false);
}
