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
internal sealed record HubSpotPropertyDefinition(
    string Name, string Label, string Type, string FieldType, string GroupName, bool HasUniqueValue, bool ReadOnly, bool Custom);

/// <summary>What the simulator knows about one CRM object type. New types are added here, as data.</summary>
/// <param name="Name">Path name, e.g. "contacts".</param>
/// <param name="ObjectTypeId">HubSpot's id of the type, e.g. "0-1" (used in error messages and accepted in paths).</param>
/// <param name="Singular">Name of one record in messages, e.g. "Contact".</param>
/// <param name="ModifiedProperty">The last-modified property ("lastmodifieddate" for contacts, "hs_lastmodifieddate" otherwise).</param>
/// <param name="SystemUniqueProperty">A built-in property HubSpot keeps unique without <c>hasUniqueValue</c> (contacts: email).</param>
/// <param name="DefaultProperties">Properties a search or read returns when the request names none.</param>
/// <param name="BuiltInProperties">Properties every account has.</param>
internal sealed record HubSpotObjectType(
    string Name,
    string ObjectTypeId,
    string Singular,
    string ModifiedProperty,
    string? SystemUniqueProperty,
    IReadOnlyList<string> DefaultProperties,
    IReadOnlyList<HubSpotPropertyDefinition> BuiltInProperties)
{
    /// <summary>Property group new custom properties of this type usually go into.</summary>
    public string InformationGroup => Singular.ToLowerInvariant() + "information";
}

/// <summary>The object types the simulator serves, as data.</summary>
internal static class HubSpotObjectTypes
{
    public const string CreateDate = "createdate";
    public const string ObjectId = "hs_object_id";

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
        return new Dictionary<string, HubSpotObjectType>(StringComparer.Ordinal)
        {
            [contacts.Name] = contacts,
            [companies.Name] = companies,
            [deals.Name] = deals,
        };
    }

    private static HubSpotPropertyDefinition Text(string name, string label, string group) =>
        new(name, label, "string", "text", group, HasUniqueValue: false, ReadOnly: false, Custom: false);

    private static HubSpotPropertyDefinition Maintained(string name, string label, string type, string group) =>
        new(name, label, type, type == "number" ? "number" : "date", group, HasUniqueValue: false, ReadOnly: true, Custom: false);
}
