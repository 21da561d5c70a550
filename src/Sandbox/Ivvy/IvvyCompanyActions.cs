using System.Text.Json.Nodes;
using static IvvyWorkflows.Sandbox.Ivvy.IvvyFilterSql;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>The <c>contact</c> namespace's companies and subscription-group membership: getCompanyList, getCompany,
/// addOrUpdateCompany, getCompanyCustomFieldDefinition, addContactsToSubscriptionGroup, removeContactsFromSubscriptionGroup.</summary>
internal sealed class IvvyCompanyActions(IvvyContactStore store, IvvySimulatorOptions options, TimeProvider time)
{
    /// <summary>Fields getCompany returns that the list leaves out.</summary>
    private static readonly string[] DetailOnlyFields = ["otherPhone", "externalUrls"];

    private static readonly string[] TextFields =
        ["externalId", "tradingName", "businessNumber", "phone", "otherPhone", "fax", "website", "email", "iataNumber"];

    private static readonly string[] LegacyCommissions = ["Food", "Beverage", "AudioVisual", "Accommodation"];

    private static readonly string[] AddressFields = ["line1", "line2", "line3", "line4", "city", "stateCode", "stateName", "countryCode", "postalCode"];

    private static readonly Dictionary<string, Filter> Filters = new(StringComparer.Ordinal)
    {
        ["fromModifiedDate"] = new("modified >= {0}", Kind.Timestamp),
        ["toModifiedDate"] = new("modified <= {0}", Kind.Timestamp),
        ["externalId"] = new("external_id = {0}", Kind.Text),
        ["venueId"] = new("EXISTS (SELECT 1 FROM ivvy_bookings b WHERE b.company_id = companies.id AND b.venue_id = {0})", Kind.Integer),
        // The simulated account has one venue group (id 1) holding every venue.
        ["venueGroupId"] = new("EXISTS (SELECT 1 FROM ivvy_bookings b WHERE b.company_id = companies.id AND {0} = 1)", Kind.Integer),
    };

    private static readonly Dictionary<string, Field> Fields = new(StringComparer.Ordinal)
    {
        ["id"] = new("id", Kind.Integer),
        ["businessName"] = new("business_name", Kind.Text),
        ["modifiedDate"] = new("modified", Kind.Timestamp),
    };

    /// <summary><c>getCompanyList</c>: a page of companies ordered by id.</summary>
    public JsonObject GetCompanyList(JsonObject body)
    {
        var paging = IvvyPaging.From(body, options);
        var where = IvvyFilterSql.From(body["filter"], "companies", Filters, Fields).And("data IS NOT NULL");
        var (total, page) = store.Read((c, t) => IvvyRecordTables.List(c, t, IvvyRecordTables.Companies, where, "id", paging.Start, paging.PerPage));
        foreach (var company in page)
        {
            Present(company);
            foreach (var field in DetailOnlyFields)
            {
                company.Remove(field);
            }
        }

        return paging.Collection(total, page);
    }

    /// <summary><c>getCompany</c>: one company, bare; 24153 when none has the id.</summary>
    public JsonObject GetCompany(JsonObject body)
    {
        var id = IvvyPaging.RequiredId(body, "id");
        return Get(id) ?? throw CompanyNotFound();
    }

    /// <summary>Company <paramref name="id"/> as getCompany returns it, or null.</summary>
    public JsonObject? Get(int id) => store.Read((c, t) => IvvyRecordTables.Get(c, t, IvvyRecordTables.Companies, id) is { } company ? Present(company) : null);

    /// <summary>A stored company in iVvy's documented shape. A database written before the simulator kept that shape holds
    /// <c>isAgent</c> as true/false and commissions under their write names; they are answered as iVvy answers.</summary>
    private static JsonObject Present(JsonObject company)
    {
        if (company["isAgent"] is JsonValue agent && agent.GetValueKind() is System.Text.Json.JsonValueKind.True or System.Text.Json.JsonValueKind.False)
        {
            company["isAgent"] = agent.GetValue<bool>() ? 1 : 0;
        }

        foreach (var kind in LegacyCommissions)
        {
            if (company.Remove("commission" + kind, out var value))
            {
                company["commission" + kind + "Value"] = value;
                company["commission" + kind + "Type"] = null;
            }
        }

        if (!company.ContainsKey("commissionSpaceType"))
        {
            company["commissionSpaceType"] = null;
        }

        return company;
    }

    /// <summary>
    /// <c>addOrUpdateCompany</c>: with <c>id</c> updates that company (24153 if unknown); without, adds one (businessName required),
    /// or with <c>updateIfExists</c> updates the company with the same businessName. Every write moves modifiedDate.
    /// </summary>
    public Task<JsonObject> AddOrUpdateCompanyAsync(JsonObject body, CancellationToken cancellationToken) =>
        store.WriteAsync(writer =>
        {
            var (connection, transaction) = (writer.Connection, writer.Transaction);
            var now = Now();
            JsonObject? company = null;
            if (body["id"] is not null)
            {
                company = IvvyRecordTables.Get(connection, transaction, IvvyRecordTables.Companies, IvvyPaging.RequiredId(body, "id"))
                    ?? throw CompanyNotFound();
            }
            else if (IvvyJson.TryGetBoolean(body["updateIfExists"], out var updateIfExists) && updateIfExists
                     && IvvyJson.TryGetText(body["businessName"], out var name))
            {
                var matches = IvvyRecordTables.List(connection, transaction, IvvyRecordTables.Companies,
                    IvvyFilterSql.From(null, "companies", Filters, Fields).And("business_name = TRIM({0}) COLLATE NOCASE", name), "id", 0, 1);
                company = matches.Page.FirstOrDefault();
            }

            if (company is null)
            {
                if (!IvvyJson.TryGetText(body["businessName"], out var businessName) || string.IsNullOrWhiteSpace(businessName))
                {
                    throw IvvyApiException.Required("businessName");
                }

                var id = (int)IvvyRecordTables.MaxId(connection, transaction, IvvyRecordTables.Companies, 0) + 1;
                company = IvvyAccountSeedData.Company(new Random(id), id, businessName.Trim(), null, now.ToUnixTimeSeconds());
                // A new company starts blank apart from what the request sets.
                foreach (var field in TextFields.Concat(["primaryAccountManager", "primaryContact", "industry", "address"]))
                {
                    company[field] = null;
                }
            }

            var before = company["businessName"]?.ToString();
            Apply(company, body, writer);
            company["modifiedDate"] = IvvyDates.Format(now);
            using (var upsert = new IvvyRecordTables.Upsert(connection, transaction, IvvyRecordTables.Companies))
            {
                upsert.Execute(company);
            }

            FollowRename(writer, company, before);

            return Task.FromResult(new JsonObject { ["success"] = true, ["id"] = company["id"]!.GetValue<int>() });
        }, cancellationToken);

    /// <summary>Changes a stored company in process, as an iVvy user's edit would: modifiedDate moves.</summary>
    /// <exception cref="KeyNotFoundException">No company has <paramref name="id"/>.</exception>
    public Task TouchAsync(int id, Action<JsonObject> change, CancellationToken cancellationToken) =>
        store.WriteAsync(writer =>
        {
            var company = IvvyRecordTables.Get(writer.Connection, writer.Transaction, IvvyRecordTables.Companies, id)
                ?? throw new KeyNotFoundException($"No iVvy company has id {id}.");
            var before = company["businessName"]?.ToString();
            change(company);
            company["id"] = id;
            company["modifiedDate"] = IvvyDates.Format(Now());
            using (var upsert = new IvvyRecordTables.Upsert(writer.Connection, writer.Transaction, IvvyRecordTables.Companies))
            {
                upsert.Execute(company);
            }

            FollowRename(writer, company, before);
            return Task.FromResult(true);
        }, cancellationToken);

    /// <summary>A contact holds its companies as ids (<c>companies</c>); <c>companiesData</c> is the referenced companies'
    /// current names, so a rename shows on every contact of the company. The contact itself did not change: its
    /// modifiedDate stays.</summary>
    private static void FollowRename(IvvyContactStore.Writer writer, JsonObject company, string? before)
    {
        var (id, name) = (company["id"]!.GetValue<int>(), company["businessName"]?.ToString());
        if (before is null || before == name)
        {
            return;
        }

        var contactIds = new List<int>();
        using (var command = writer.Connection.CreateCommand())
        {
            command.Transaction = writer.Transaction;
            command.CommandText = "SELECT id FROM contacts WHERE EXISTS (SELECT 1 FROM json_each(contacts.data, '$.companies') WHERE value = $id)";
            command.Parameters.AddWithValue("$id", id);
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                contactIds.Add(reader.GetInt32(0));
            }
        }

        foreach (var contactId in contactIds)
        {
            var contact = writer.Get(contactId)!;
            foreach (var data in (contact["companiesData"] as JsonArray ?? []).OfType<JsonObject>().Where(c => IvvyJson.TryGetInteger(c["id"], out var held) && held == id))
            {
                data["businessName"] = name;
            }

            writer.Save(contact);
        }
    }

    /// <summary>
    /// <c>addContactsToSubscriptionGroup</c> (<paramref name="add"/> true) / <c>removeContactsFromSubscriptionGroup</c>:
    /// <c>{contacts:[ids], group:id}</c> → a bare array of <c>{contactId, status}</c>.
    /// </summary>
    /// <remarks>status is false for a contact that does not exist, and on remove for a contact that was not a member;
    /// a contact whose membership changes gets a new modifiedDate. Adding keeps an existing member's joinDate.</remarks>
    public Task<JsonArray> ChangeGroupMembershipAsync(JsonObject body, bool add, CancellationToken cancellationToken)
    {
        if (body["contacts"] is null)
        {
            throw IvvyApiException.Required("contacts");
        }

        var groupId = IvvyPaging.RequiredId(body, "group");
        if (IvvyCatalog.SubscriptionGroups.All(g => g.Id != groupId))
        {
            throw IvvyApiException.Invalid("group", $"Unknown subscription group {groupId}");
        }

        if (body["contacts"] is not JsonArray items)
        {
            throw IvvyApiException.Invalid("contacts", "Value must be an array of contact ids");
        }

        var ids = items.Select(item => IvvyJson.TryGetInteger(item, out var id) && id is > 0 and <= int.MaxValue
            ? (int)id
            : throw IvvyApiException.Invalid("contacts", "Each contact must be a whole-number contact id")).ToList();

        return store.WriteAsync(writer =>
        {
            var now = Now();
            var results = new JsonArray();
            foreach (var id in ids)
            {
                var contact = writer.Get(id);
                var groups = contact?["groups"] as JsonArray ?? [];
                var member = groups.OfType<JsonObject>().FirstOrDefault(g => IvvyJson.TryGetInteger(g["groupId"], out var gid) && gid == groupId);
                var status = contact is not null && (add || member is not null);
                if (contact is not null && add && member is null)
                {
                    groups.Add(new JsonObject { ["contactId"] = id, ["groupId"] = groupId, ["joinDate"] = IvvyDates.Format(now)[..^4] });
                }
                else if (contact is not null && !add && member is not null)
                {
                    groups.Remove(member);
                }

                if (contact is not null && (add ? member is null : member is not null))
                {
                    contact["groups"] = groups.DeepClone();
                    contact["modifiedDate"] = IvvyDates.Format(now);
                    writer.Save(contact);
                }

                results.Add(new JsonObject { ["contactId"] = id, ["status"] = status });
            }

            return Task.FromResult(results);
        }, cancellationToken);
    }

    /// <summary>24153: no company has the id.</summary>
    public static IvvyApiException CompanyNotFound() => new(404, "Unable to find company", 24153);

    private DateTimeOffset Now()
    {
        var now = time.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond));
    }

    private static void Apply(JsonObject company, JsonObject body, IvvyContactStore.Writer writer)
    {
        if (body.TryGetPropertyValue("businessName", out var nameNode))
        {
            company["businessName"] = IvvyJson.TryGetText(nameNode, out var name) && !string.IsNullOrWhiteSpace(name)
                ? name.Trim()
                : throw IvvyApiException.Invalid("businessName", "Value is required and can't be empty");
        }

        foreach (var field in TextFields)
        {
            if (body.TryGetPropertyValue(field, out var node))
            {
                company[field] = node is null ? null
                    : IvvyJson.TryGetText(node, out var text) ? (string.IsNullOrWhiteSpace(text) ? null : text.Trim())
                    : throw IvvyApiException.Invalid(field, "Value must be a string");
            }
        }

        if (body.TryGetPropertyValue("address", out var addressNode))
        {
            if (addressNode is not (JsonObject or null))
            {
                throw IvvyApiException.Invalid("address", "Value must be an address object");
            }

            var address = company["address"] as JsonObject ?? new JsonObject();
            foreach (var field in AddressFields)
            {
                if (addressNode is JsonObject given && given.TryGetPropertyValue(field, out var value))
                {
                    address[field] = value is null ? null
                        : IvvyJson.TryGetText(value, out var text) ? text
                        : throw IvvyApiException.Invalid($"address.{field}", "Value must be a string");
                }
                else if (!address.ContainsKey(field) && field != "stateName")
                {
                    address[field] = null;
                }
            }

            company["address"] = addressNode is null ? null : address.DeepClone();
        }

        if (body.TryGetPropertyValue("isAgent", out var agentNode))
        {
            company["isAgent"] = IvvyJson.TryGetBoolean(agentNode, out var agent) ? (agent ? 1 : 0) : throw IvvyApiException.Invalid("isAgent", "Value must be 0 or 1");
        }

        if (body.TryGetPropertyValue("primaryContactId", out var primaryNode))
        {
            if (primaryNode is null)
            {
                company["primaryContact"] = null;
            }
            else
            {
                var contact = (IvvyJson.TryGetInteger(primaryNode, out var contactId) && contactId is > 0 and <= int.MaxValue
                        ? writer.Get((int)contactId)
                        : throw IvvyApiException.Invalid("primaryContactId", "Value must be a whole number"))
                    ?? throw IvvyApiException.Invalid("primaryContactId", $"Unable to find contact {contactId}");
                company["primaryContact"] = new JsonObject
                {
                    ["id"] = contact["id"]!.DeepClone(),
                    ["firstName"] = contact["firstName"]?.DeepClone(),
                    ["lastName"] = contact["lastName"]?.DeepClone(),
                    ["email"] = contact["email"]?.DeepClone(),
                    ["phone"] = contact["phone"]?.DeepClone(),
                };
            }
        }

        if (body.TryGetPropertyValue("customFields", out var customFields))
        {
            company["customFields"] = IvvyContactActions.MergeCustomFields(company["customFields"] as JsonArray, customFields, IvvyCatalog.FindCompanyField);
        }
    }
}
