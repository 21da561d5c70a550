using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>The simulated account's fixed configuration: contact custom field definitions and subscription groups.</summary>
internal static class IvvyCatalog
{
    /// <summary>iVvy custom field types used here.</summary>
    public const int SmallText = 0;
    public const int SingleSelect = 2;
    public const int Date = 5;
    public const int WholeNumber = 8;
    public const int LargeSelect = 9;

    public static readonly IReadOnlyList<CustomFieldDefinition> CustomFields =
    [
        new(1, "Dietary Requirements", SmallText, []),
        new(2, "Membership Level", SingleSelect, ["Bronze", "Silver", "Gold", "Platinum"]),
        new(3, "Date of Birth", Date, []),
        new(4, "Job Title", SmallText, []),
        new(5, "Years Attending", WholeNumber, []),
    ];

    /// <summary>Company custom fields (their own id space; type 9 Large Select exists only for companies).</summary>
    public static readonly IReadOnlyList<CustomFieldDefinition> CompanyCustomFields =
    [
        new(6, "Contract Renewal", Date, []),
        new(7, "Account Code", SmallText, []),
        new(8, "Account Tier", SingleSelect, ["Standard", "Preferred", "Strategic"]),
        new(9, "Region", LargeSelect, ["APAC", "EMEA", "Americas"]),
        new(10, "Employees", WholeNumber, []),
    ];

    public static readonly IReadOnlyList<SubscriptionGroup> SubscriptionGroups =
    [
        new(1, "Newsletter", "#2E86DE"),
        new(2, "Event Updates", "#10AC84"),
        new(3, "VIP Guests", "#EE5253"),
        new(4, "Partners", "#FF9F43"),
    ];

    public static CustomFieldDefinition? FindField(int fieldId) => CustomFields.FirstOrDefault(f => f.FieldId == fieldId);

    public static CustomFieldDefinition? FindCompanyField(int fieldId) => CompanyCustomFields.FirstOrDefault(f => f.FieldId == fieldId);

    /// <summary><c>contact?action=getCustomFieldDefinition</c>: a bare array.</summary>
    public static JsonArray CustomFieldDefinitionJson() => DefinitionJson(CustomFields);

    /// <summary><c>contact?action=getCompanyCustomFieldDefinition</c>: a bare array of the same shape.</summary>
    public static JsonArray CompanyCustomFieldDefinitionJson() => DefinitionJson(CompanyCustomFields);

    private static JsonArray DefinitionJson(IReadOnlyList<CustomFieldDefinition> fields) => new(fields.Select((f, i) => (JsonNode?)new JsonObject
    {
        ["fieldId"] = f.FieldId,
        ["fieldType"] = f.FieldType,
        ["displayName"] = f.DisplayName,
        ["isRequired"] = false,
        ["isActive"] = true,
        ["sortOrder"] = i + 1,
        ["selectValues"] = f.SelectValues.Count == 0 ? null : new JsonObject(f.SelectValues.Select(v => KeyValuePair.Create(v, (JsonNode?)v))),
        ["fileTypes"] = null,
    }).ToArray());

    /// <summary><c>contact?action=getSubscriptionGroupList</c>: a bare array.</summary>
    public static JsonArray SubscriptionGroupJson(IReadOnlyDictionary<int, int> memberCounts) => new(SubscriptionGroups.Select(g => (JsonNode?)new JsonObject
    {
        ["id"] = g.Id,
        ["groupName"] = g.GroupName,
        ["memberCount"] = memberCounts.GetValueOrDefault(g.Id),
        ["tagColour"] = g.TagColour,
    }).ToArray());

    internal sealed record CustomFieldDefinition(int FieldId, string DisplayName, int FieldType, IReadOnlyList<string> SelectValues);

    internal sealed record SubscriptionGroup(int Id, string GroupName, string TagColour);
}
