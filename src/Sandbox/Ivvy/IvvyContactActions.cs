using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>The <c>contact</c> namespace: getContactList, getContact, addOrUpdateContact and the account's contact catalog.</summary>
internal sealed partial class IvvyContactActions(IvvyContactStore store, IvvySimulatorOptions options, TimeProvider time)
{
    /// <summary>Fields getContact returns that the list leaves out.</summary>
    private static readonly string[] DetailOnlyFields = ["smsStatus", "externalUrls", "eventInvitations", "eventRegistrations"];

    /// <summary>The stored document's field order, which every answer keeps.</summary>
    private static readonly string[] CanonicalOrder =
    [
        "id", "firstName", "lastName", "email", "phone", "externalId", "status", "smsStatus", "privacyConsentData", "customFields",
        "groups", "companies", "companiesData", "externalUrls", "eventInvitations", "eventRegistrations", "isAnonymised",
        "createdDate", "modifiedDate",
    ];

    private static readonly int[] EmailStatuses = [1, 2, 3, 5];

    /// <summary><c>getContactList</c>: a page of contacts ordered by id (iVvy cannot order by modified date).</summary>
    public JsonObject GetContactList(JsonObject body)
    {
        var perPage = Math.Min(options.DefaultPerPage, options.MaxPerPage);
        if (body["perPage"] is { } perPageNode)
        {
            if (!IvvyJson.TryGetInteger(perPageNode, out var requested))
            {
                throw IvvyApiException.Invalid("perPage", "Value must be a whole number");
            }

            if (requested <= 0)
            {
                throw IvvyApiException.Invalid("perPage", "Value must be greater than 0");
            }

            // iVvy: "providing a perPage option greater than that cap will not have any effect".
            perPage = (int)Math.Min(requested, options.MaxPerPage);
        }

        var start = 0;
        if (body["start"] is { } startNode)
        {
            if (!IvvyJson.TryGetInteger(startNode, out var offset) || offset < 0 || offset > int.MaxValue)
            {
                throw IvvyApiException.Invalid("start", "Value must be a whole number, 0 or more");
            }

            start = (int)offset;
        }

        var (total, page) = store.List(ContactFilterSql.From(body["filter"]), start, perPage);
        var results = new JsonArray();
        foreach (var contact in page)
        {
            foreach (var field in DetailOnlyFields)
            {
                contact.Remove(field);
            }

            results.Add(contact);
        }

        return new JsonObject
        {
            ["meta"] = new JsonObject { ["totalResults"] = total, ["start"] = start, ["perPage"] = perPage, ["count"] = page.Count },
            ["results"] = results,
        };
    }

    /// <summary><c>getContact</c>: one contact, bare.</summary>
    public JsonObject GetContact(JsonObject body)
    {
        if (body["id"] is null)
        {
            throw IvvyApiException.Required("id");
        }

        return store.Get(ParseId(body["id"])) ?? throw IvvyApiException.ContactNotFound();
    }

    /// <summary>
    /// <c>addOrUpdateContact</c>: with <c>id</c> updates that contact; without, adds one, or with <c>updateIfExists</c> updates
    /// the contact with the same first name + last name + email. Every write sets modifiedDate to the simulator's now.
    /// </summary>
    public Task<JsonObject> AddOrUpdateContactAsync(JsonObject body, CancellationToken cancellationToken) =>
        store.WriteAsync(writer =>
        {
            var now = Now();
            JsonObject? contact = null;
            if (body["id"] is { } idNode)
            {
                contact = writer.Get(ParseId(idNode)) ?? throw IvvyApiException.ContactNotFound();
            }
            else if (IvvyJson.TryGetBoolean(body["updateIfExists"], out var updateIfExists) && updateIfExists
                     && IvvyJson.TryGetText(body["firstName"], out var first)
                     && IvvyJson.TryGetText(body["lastName"], out var last)
                     && IvvyJson.TryGetText(body["email"], out var mail))
            {
                contact = writer.FindByIdentity(first, last, mail);
            }

            if (contact is null)
            {
                foreach (var required in (string[])["firstName", "lastName", "email"])
                {
                    if (!IvvyJson.TryGetText(body[required], out var value) || string.IsNullOrWhiteSpace(value))
                    {
                        throw IvvyApiException.Required(required);
                    }
                }

                contact = NewContact(writer.NextId(), now);
            }

            Apply(contact, body, writer, now);
            contact["modifiedDate"] = IvvyDates.Format(now);
            var saved = Canonical(contact);
            writer.Save(saved);
            return Task.FromResult(new JsonObject { ["success"] = true, ["id"] = saved["id"]!.GetValue<int>() });
        }, cancellationToken);

    /// <summary>Changes a stored contact in process, as an iVvy user's edit would: the change is applied and modifiedDate moves.</summary>
    /// <exception cref="KeyNotFoundException">No contact has <paramref name="id"/>.</exception>
    public Task TouchAsync(int id, Action<JsonObject> change, CancellationToken cancellationToken) =>
        store.WriteAsync(writer =>
        {
            var contact = writer.Get(id) ?? throw new KeyNotFoundException($"No iVvy contact has id {id}.");
            change(contact);
            contact["id"] = id;
            contact["modifiedDate"] = IvvyDates.Format(Now());
            writer.Save(Canonical(contact));
            return Task.FromResult(true);
        }, cancellationToken);

    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        // iVvy dates have whole seconds.
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }

    private static int ParseId(JsonNode? node) =>
        IvvyJson.TryGetInteger(node, out var id) && id is > 0 and <= int.MaxValue
            ? (int)id
            : throw IvvyApiException.Invalid("id", "Value must be a whole number");

    private static JsonObject NewContact(int id, DateTimeOffset now) => new()
    {
        ["id"] = id,
        ["firstName"] = null,
        ["lastName"] = null,
        ["email"] = null,
        ["phone"] = null,
        ["externalId"] = null,
        ["status"] = 1,
        ["smsStatus"] = 1,
        ["privacyConsentData"] = null,
        ["customFields"] = new JsonArray(),
        ["groups"] = new JsonArray(),
        ["companies"] = new JsonArray(),
        ["companiesData"] = new JsonArray(),
        ["externalUrls"] = new JsonArray(),
        ["eventInvitations"] = new JsonArray(),
        ["eventRegistrations"] = new JsonArray(),
        ["isAnonymised"] = false,
        ["createdDate"] = IvvyDates.Format(now),
        ["modifiedDate"] = IvvyDates.Format(now),
    };

    private static void Apply(JsonObject contact, JsonObject body, IvvyContactStore.Writer writer, DateTimeOffset now)
    {
        foreach (var name in (string[])["firstName", "lastName"])
        {
            if (body.TryGetPropertyValue(name, out var node))
            {
                contact[name] = IvvyJson.TryGetText(node, out var text) && !string.IsNullOrWhiteSpace(text)
                    ? text.Trim()
                    : throw IvvyApiException.Invalid(name, "Value is required and can't be empty");
            }
        }

        if (body.TryGetPropertyValue("email", out var emailNode))
        {
            contact["email"] = IvvyJson.TryGetText(emailNode, out var email) && EmailPattern().IsMatch(email.Trim())
                ? email.Trim()
                : throw IvvyApiException.Invalid("email", "The input is not a valid email address. Use the basic format local-part@hostname");
        }

        if (body.TryGetPropertyValue("phone", out var phoneNode))
        {
            contact["phone"] = phoneNode is null ? null
                : IvvyJson.TryGetText(phoneNode, out var phone) ? (string.IsNullOrWhiteSpace(phone) ? null : phone.Trim())
                : throw IvvyApiException.Invalid("phone", "Value must be a string");
        }

        if (body.TryGetPropertyValue("externalId", out var externalIdNode))
        {
            contact["externalId"] = externalIdNode is null ? null
                : IvvyJson.TryGetText(externalIdNode, out var externalId) ? externalId
                : throw IvvyApiException.Invalid("externalId", "Value must be a string");
        }

        if (body.TryGetPropertyValue("status", out var statusNode))
        {
            contact["status"] = IvvyJson.TryGetInteger(statusNode, out var status) && EmailStatuses.Contains((int)status)
                ? (int)status
                : throw IvvyApiException.Invalid("status", "Value must be one of 1, 2, 3, 5");
        }

        if (body.TryGetPropertyValue("smsStatus", out var smsNode))
        {
            contact["smsStatus"] = IvvyJson.TryGetInteger(smsNode, out var sms) && sms is >= 1 and <= 4
                ? (int)sms
                : throw IvvyApiException.Invalid("smsStatus", "Value must be one of 1, 2, 3, 4");
        }

        if (body.TryGetPropertyValue("privacyConsent", out var consentNode))
        {
            contact["privacyConsentData"] = IvvyJson.TryGetBoolean(consentNode, out var consent)
                ? consent ? new JsonObject { ["source"] = 5, ["dateTime"] = IvvyDates.Format(now) } : null
                : throw IvvyApiException.Invalid("privacyConsent", "Value must be a boolean");
        }

        if (body.TryGetPropertyValue("customFields", out var customFields))
        {
            contact["customFields"] = MergeCustomFields(contact["customFields"] as JsonArray, customFields, IvvyCatalog.FindField);
        }

        if (body.TryGetPropertyValue("groups", out var groups))
        {
            contact["groups"] = ReplaceGroups(contact, groups, now);
        }

        if (body.TryGetPropertyValue("companies", out var companies))
        {
            SetCompanies(contact, companies, writer);
        }

        if (body.TryGetPropertyValue("externalUrls", out var externalUrls))
        {
            contact["externalUrls"] = MergeExternalUrls(contact["externalUrls"] as JsonArray, externalUrls);
        }
    }

    /// <summary>Merges <c>customFields [{fieldId, value}]</c> into <paramref name="current"/> by fieldId; null or "" removes a value.</summary>
    internal static JsonArray MergeCustomFields(JsonArray? current, JsonNode? changes, Func<int, IvvyCatalog.CustomFieldDefinition?> findField)
    {
        if (changes is not JsonArray items)
        {
            throw IvvyApiException.Invalid("customFields", "Value must be an array of {fieldId, value}");
        }

        var byId = new SortedDictionary<long, JsonObject>();
        foreach (var existing in current?.OfType<JsonObject>() ?? [])
        {
            if (IvvyJson.TryGetInteger(existing["fieldId"], out var id))
            {
                byId[id] = (JsonObject)existing.DeepClone();
            }
        }

        foreach (var item in items)
        {
            if (item is not JsonObject change || !IvvyJson.TryGetInteger(change["fieldId"], out var fieldId))
            {
                throw IvvyApiException.Invalid("customFields", "Each custom field needs a whole-number fieldId");
            }

            var definition = findField((int)fieldId)
                ?? throw IvvyApiException.Invalid("customFields", $"Unknown custom field {fieldId}");
            var value = change["value"];
            if (value is null || (IvvyJson.TryGetText(value, out var blank) && blank.Length == 0))
            {
                byId.Remove(fieldId);
                continue;
            }

            byId[fieldId] = new JsonObject
            {
                ["fieldId"] = definition.FieldId,
                ["displayName"] = definition.DisplayName,
                ["value"] = CustomFieldValue(definition, value),
            };
        }

        return new JsonArray(byId.Values.Select(v => (JsonNode?)v).ToArray());
    }

    private static string CustomFieldValue(IvvyCatalog.CustomFieldDefinition definition, JsonNode value)
    {
        var field = $"customFields.{definition.FieldId}";
        switch (definition.FieldType)
        {
            case IvvyCatalog.WholeNumber:
                return IvvyJson.TryGetInteger(value, out var number)
                    ? number.ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : throw IvvyApiException.Invalid(field, "Value must be a whole number");
            case IvvyCatalog.Date:
                return IvvyJson.TryGetText(value, out var dateText) && IvvyDates.TryParse(dateText, out var date)
                    ? IvvyDates.Format(date)
                    : throw IvvyApiException.Invalid(field, "The input is not a valid date ('yyyy-MM-dd HH:mm:ss')");
            case IvvyCatalog.SingleSelect or IvvyCatalog.LargeSelect:
                return IvvyJson.TryGetText(value, out var option) && definition.SelectValues.Contains(option)
                    ? option
                    : throw IvvyApiException.Invalid(field, $"Value must be one of: {string.Join(", ", definition.SelectValues)}");
            default:
                return IvvyJson.TryGetText(value, out var text)
                    ? text
                    : throw IvvyApiException.Invalid(field, "Value must be a string");
        }
    }

    private static JsonArray ReplaceGroups(JsonObject contact, JsonNode? groups, DateTimeOffset now)
    {
        if (groups is null)
        {
            return [];
        }

        if (groups is not JsonArray items)
        {
            throw IvvyApiException.Invalid("groups", "Value must be an array of {groupId}");
        }

        var joined = (contact["groups"] as JsonArray)?.OfType<JsonObject>()
            .Where(g => IvvyJson.TryGetInteger(g["groupId"], out _))
            .ToDictionary(g => (int)g["groupId"]!.GetValue<long>(), g => g["joinDate"]?.DeepClone())
            ?? [];
        var result = new JsonArray();
        var seen = new HashSet<long>();
        foreach (var item in items)
        {
            var groupNode = item is JsonObject group ? group["groupId"] : item;
            if (!IvvyJson.TryGetInteger(groupNode, out var groupId)
                || IvvyCatalog.SubscriptionGroups.All(g => g.Id != groupId))
            {
                throw IvvyApiException.Invalid("groups", $"Unknown subscription group {groupNode?.ToJsonString() ?? "null"}");
            }

            if (seen.Add(groupId))
            {
                result.Add(new JsonObject
                {
                    ["contactId"] = contact["id"]!.DeepClone(),
                    ["groupId"] = (int)groupId,
                    ["joinDate"] = joined.GetValueOrDefault((int)groupId) ?? IvvyDates.Format(now)[..^4],
                });
            }
        }

        return result;
    }

    private static void SetCompanies(JsonObject contact, JsonNode? companies, IvvyContactStore.Writer writer)
    {
        var ids = new List<int>();
        if (companies is JsonArray items)
        {
            foreach (var item in items)
            {
                ids.Add(IvvyJson.TryGetInteger(item, out var id) && id is > 0 and <= int.MaxValue
                    ? (int)id
                    : throw IvvyApiException.Invalid("companies", "Each company must be a whole-number company id"));
            }
        }
        else if (companies is not null)
        {
            throw IvvyApiException.Invalid("companies", "Value must be an array of company ids");
        }

        ids = ids.Distinct().ToList();
        var names = writer.CompanyNames(ids);
        var missing = ids.Where(id => !names.ContainsKey(id)).ToList();
        if (missing.Count > 0)
        {
            throw IvvyApiException.Invalid("companies", $"Unable to find company {string.Join(", ", missing)}");
        }

        contact["companies"] = new JsonArray(ids.Select(id => (JsonNode?)id).ToArray());
        contact["companiesData"] = new JsonArray(ids.Select(id => (JsonNode?)new JsonObject
        {
            ["id"] = id,
            ["businessName"] = names[id],
        }).ToArray());
    }

    private static JsonArray MergeExternalUrls(JsonArray? current, JsonNode? changes)
    {
        if (changes is null)
        {
            return [];
        }

        if (changes is not JsonArray items)
        {
            throw IvvyApiException.Invalid("externalUrls", "Value must be an array of {ref, url, label}");
        }

        var byRef = new List<JsonObject>(current?.OfType<JsonObject>().Select(u => (JsonObject)u.DeepClone()) ?? []);
        foreach (var item in items)
        {
            if (item is not JsonObject change || !IvvyJson.TryGetText(change["ref"], out var reference))
            {
                throw IvvyApiException.Invalid("externalUrls", "Each external url needs a ref");
            }

            byRef.RemoveAll(u => IvvyJson.TryGetText(u["ref"], out var r) && r == reference);
            if (change["url"] is not null)
            {
                byRef.Add(new JsonObject
                {
                    ["ref"] = reference,
                    ["url"] = change["url"]!.DeepClone(),
                    ["label"] = change["label"]?.DeepClone(),
                });
            }
        }

        return byRef.Count > 3
            ? throw IvvyApiException.Invalid("externalUrls", "A contact can have at most 3 external urls")
            : new JsonArray(byRef.Select(u => (JsonNode?)u).ToArray());
    }

    /// <summary>The document with its fields in the canonical order (unknown fields kept, after the known ones).</summary>
    private static JsonObject Canonical(JsonObject contact)
    {
        var ordered = new JsonObject();
        foreach (var name in CanonicalOrder)
        {
            ordered[name] = contact.TryGetPropertyValue(name, out var value) ? value?.DeepClone() : null;
        }

        foreach (var (name, value) in contact)
        {
            if (!ordered.ContainsKey(name))
            {
                ordered[name] = value?.DeepClone();
            }
        }

        return ordered;
    }

    [GeneratedRegex(@"^[^@\s]+@[^@\s]+\.[^@\s]{2,}$", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
