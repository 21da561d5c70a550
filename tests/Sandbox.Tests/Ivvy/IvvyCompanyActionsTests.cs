using System.Net;
using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

public sealed class IvvyCompanyActionsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestSandbox.NewClock();
    private SandboxHost _host = null!;
    private IvvyTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestSandbox.StartAsync(_time, seedCount: 1500);
        _client = new IvvyTestClient(_host.IvvyBaseUrl, _time);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task GetCompanyList_PerPageAboveCap_IsSilentlyCapped()
    {
        var page = await _client.OkAsync("contact", "getCompanyList", new JsonObject { ["perPage"] = 500 });

        Assert.Equal(100, page["meta"]!["perPage"]!.GetValue<int>());
        Assert.Equal(100, page["results"]!.AsArray().Count);
        Assert.Equal(await _host.Ivvy.CountAsync(IvvyEntity.Companies), page["meta"]!["totalResults"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetCompanyList_Items_CarryListFieldsOnlyInIdOrder()
    {
        var page = await _client.OkAsync("contact", "getCompanyList", new JsonObject { ["perPage"] = 10, ["start"] = 5 });

        var results = page["results"]!.AsArray();
        Assert.Equal(Enumerable.Range(6, 10), results.Select(r => r!["id"]!.GetValue<int>()));
        Assert.All(results, r =>
        {
            Assert.False(string.IsNullOrEmpty(r!["businessName"]!.GetValue<string>()));
            Assert.NotNull(r["modifiedDate"]);
            Assert.True(r.AsObject().ContainsKey("address"));
            Assert.False(r.AsObject().ContainsKey("otherPhone"));
        });
    }

    [Fact]
    public async Task GetCompanyList_ModifiedWindow_BothBoundsInclusive()
    {
        var company = (await _host.Ivvy.GetCompanyAsync(17))!;
        var modified = company["modifiedDate"]!.GetValue<string>();

        var page = await _client.OkAsync("contact", "getCompanyList", new JsonObject
        {
            ["filter"] = new JsonObject { ["fromModifiedDate"] = modified, ["toModifiedDate"] = modified },
        });

        var results = page["results"]!.AsArray();
        Assert.Contains(results, r => r!["id"]!.GetValue<int>() == 17);
        Assert.All(results, r => Assert.Equal(modified, r!["modifiedDate"]!.GetValue<string>()));
    }

    [Fact]
    public async Task GetCompanyList_VenueIdFilter_OnlyCompaniesBookedAtThatVenue()
    {
        var bookings = await _client.AllAsync("venue", "getBookingList", new JsonObject { ["venueId"] = 12 });
        var expected = bookings.Select(b => b["companyId"]?.GetValue<int>()).OfType<int>().Distinct().Order().ToList();

        var companies = await _client.AllAsync("contact", "getCompanyList", new JsonObject { ["filter"] = new JsonObject { ["venueId"] = 12 } });

        Assert.NotEmpty(expected);
        Assert.Equal(expected, companies.Select(c => c["id"]!.GetValue<int>()));
    }

    [Fact]
    public async Task GetCompanyList_ExternalIdFilter_MatchesOnlyThatCompany()
    {
        await _client.OkAsync("contact", "addOrUpdateCompany", new JsonObject { ["id"] = 9, ["externalId"] = "crm-9" });

        var page = await _client.OkAsync("contact", "getCompanyList", new JsonObject { ["filter"] = new JsonObject { ["externalId"] = "crm-9" } });

        Assert.Equal(9, Assert.Single(page["results"]!.AsArray())!["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetCompanyList_UnknownFilterKey_Is400()
    {
        var response = await _client.CallAsync("contact", "getCompanyList", new JsonObject { ["filter"] = new JsonObject { ["modifiedDateAfter"] = "2025-01-01" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
    }

    [Fact]
    public async Task GetCompany_Known_ReturnsDetailFields()
    {
        var company = await _client.OkAsync("contact", "getCompany", new JsonObject { ["id"] = "3" });

        Assert.Equal(3, company["id"]!.GetValue<int>());
        Assert.True(company.AsObject().ContainsKey("otherPhone"));
        Assert.True(company.AsObject().ContainsKey("externalUrls"));
    }

    [Theory]
    [InlineData("""{"id":999999}""", 404, 24153)]
    [InlineData("""{}""", 400, 23017)]
    [InlineData("""{"id":"abc"}""", 400, 23016)]
    public async Task GetCompany_BadId_ErrorEnvelope(string body, int status, int specificCode)
    {
        var response = await _client.CallAsync("contact", "getCompany", body);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(status, response.ErrorCode);
        Assert.Equal(specificCode, response.SpecificCode);
    }

    [Fact]
    public async Task AddOrUpdateCompany_WithoutId_AddsWithNextIdAndNowDate()
    {
        var before = await _host.Ivvy.CountAsync(IvvyEntity.Companies);

        var result = await _client.OkAsync("contact", "addOrUpdateCompany", new JsonObject
        {
            ["businessName"] = "Zoë's Ōkubo Events Pty Ltd",
            ["address"] = new JsonObject { ["line1"] = "1 Test St", ["city"] = "Sydney", ["countryCode"] = "AU" },
        });

        Assert.True(result["success"]!.GetValue<bool>());
        Assert.Equal(before + 1, result["id"]!.GetValue<int>());
        var company = (await _host.Ivvy.GetCompanyAsync(before + 1))!;
        Assert.Equal("Zoë's Ōkubo Events Pty Ltd", company["businessName"]!.GetValue<string>());
        Assert.Equal("Sydney", company["address"]!["city"]!.GetValue<string>());
        Assert.Equal("2025-06-15 10:30:00 UTC", company["modifiedDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddOrUpdateCompany_AddWithoutBusinessName_Is23017()
    {
        var response = await _client.CallAsync("contact", "addOrUpdateCompany", new JsonObject { ["phone"] = "+61 2 0000 0000" });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23017, response.SpecificCode);
    }

    [Fact]
    public async Task AddOrUpdateCompany_UnknownId_Is24153()
    {
        var response = await _client.CallAsync("contact", "addOrUpdateCompany", new JsonObject { ["id"] = 777777, ["phone"] = "1" });

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal(24153, response.SpecificCode);
    }

    [Fact]
    public async Task AddOrUpdateCompany_UpdateIfExists_MatchesBusinessName()
    {
        var name = (await _host.Ivvy.GetCompanyAsync(4))!["businessName"]!.GetValue<string>();
        var before = await _host.Ivvy.CountAsync(IvvyEntity.Companies);

        var result = await _client.OkAsync("contact", "addOrUpdateCompany", new JsonObject
        {
            ["businessName"] = name.ToUpperInvariant(),
            ["updateIfExists"] = true,
            ["website"] = "https://updated.example.com",
        });

        Assert.Equal(4, result["id"]!.GetValue<int>());
        Assert.Equal(before, await _host.Ivvy.CountAsync(IvvyEntity.Companies));
        Assert.Equal("https://updated.example.com", (await _host.Ivvy.GetCompanyAsync(4))!["website"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddOrUpdateCompany_CustomFieldsAndAddress_MergedAndModifiedDateMoves()
    {
        _time.Advance(TimeSpan.FromMinutes(10));
        await _client.OkAsync("contact", "addOrUpdateCompany", new JsonObject
        {
            ["id"] = 5,
            ["customFields"] = new JsonArray(new JsonObject { ["fieldId"] = 6, ["value"] = "2026-01-31 00:00:00" }),
        });
        await _client.OkAsync("contact", "addOrUpdateCompany", new JsonObject
        {
            ["id"] = 5,
            ["customFields"] = new JsonArray(new JsonObject { ["fieldId"] = 8, ["value"] = "Strategic" }),
            ["address"] = new JsonObject { ["postalCode"] = "2000" },
        });

        var company = (await _host.Ivvy.GetCompanyAsync(5))!;
        var fields = company["customFields"]!.AsArray();
        Assert.Equal([6, 8], fields.Select(f => f!["fieldId"]!.GetValue<int>()));
        Assert.Equal("2026-01-31 00:00:00 UTC", fields[0]!["value"]!.GetValue<string>());
        Assert.Equal("2000", company["address"]!["postalCode"]!.GetValue<string>());
        Assert.NotNull(company["address"]!["line1"]);
        Assert.Equal("2025-06-15 10:40:00 UTC", company["modifiedDate"]!.GetValue<string>());
        var page = await _client.OkAsync("contact", "getCompanyList", new JsonObject { ["filter"] = new JsonObject { ["fromModifiedDate"] = "2025-06-15 10:40:00" } });
        Assert.Equal(5, Assert.Single(page["results"]!.AsArray())!["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task AddOrUpdateCompany_UnknownCustomField_Is23016()
    {
        var response = await _client.CallAsync("contact", "addOrUpdateCompany", new JsonObject
        {
            ["id"] = 5,
            ["customFields"] = new JsonArray(new JsonObject { ["fieldId"] = 1, ["value"] = "Vegan" }),
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
    }

    [Fact]
    public async Task GetCompanyCustomFieldDefinition_ReturnsBareArrayWithLargeSelect()
    {
        var definitions = (await _client.OkAsync("contact", "getCompanyCustomFieldDefinition", [])).AsArray();

        Assert.Contains(definitions, d => d!["fieldType"]!.GetValue<int>() == 9);
        Assert.All(definitions, d => Assert.NotNull(d!["displayName"]));
    }

    [Fact]
    public async Task TouchCompanyAsync_Change_IsStoredAndModifiedDateMoves()
    {
        _time.Advance(TimeSpan.FromSeconds(5));

        await _host.Ivvy.TouchCompanyAsync(2, c => c["phone"] = "+61 2 1111 2222");

        var company = (await _host.Ivvy.GetCompanyAsync(2))!;
        Assert.Equal("+61 2 1111 2222", company["phone"]!.GetValue<string>());
        Assert.Equal("2025-06-15 10:30:05 UTC", company["modifiedDate"]!.GetValue<string>());
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _host.Ivvy.TouchCompanyAsync(999_999, _ => { }));
    }

    [Fact]
    public async Task AddOrUpdateCompany_Rename_ShowsOnItsContactsWhoseModifiedDateStays()
    {
        await _client.OkAsync("contact", "addOrUpdateContact", new JsonObject { ["id"] = 3, ["companies"] = new JsonArray(2) });
        var before = (await _host.Ivvy.GetContactAsync(3))!;
        _time.Advance(TimeSpan.FromSeconds(5));

        await _client.OkAsync("contact", "addOrUpdateCompany", new JsonObject { ["id"] = 2, ["businessName"] = "Renamed Pty Ltd" });
        await _host.Ivvy.TouchCompanyAsync(2, c => c["businessName"] = "Renamed Again Pty Ltd");

        var contact = (await _host.Ivvy.GetContactAsync(3))!;
        Assert.Equal("Renamed Again Pty Ltd", (string?)contact["companiesData"]![0]!["businessName"]);
        Assert.Equal((string?)before["modifiedDate"], (string?)contact["modifiedDate"]); // a reference: the contact did not change
    }

    [Fact]
    public async Task AddOrUpdateContact_UnknownCompany_Is400()
    {
        var response = await _client.CallAsync("contact", "addOrUpdateContact", new JsonObject { ["id"] = 3, ["companies"] = new JsonArray(999_999) });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
    }

    [Fact]
    public async Task AddContactsToSubscriptionGroup_KnownAndUnknownContacts_StatusPerContactAndMembershipChanges()
    {
        _time.Advance(TimeSpan.FromMinutes(1));
        var before = await GroupCountAsync(4);
        await _client.OkAsync("contact", "removeContactsFromSubscriptionGroup", new JsonObject { ["contacts"] = new JsonArray(10, 11), ["group"] = 4 });
        var afterRemove = await GroupCountAsync(4);

        var result = (await _client.OkAsync("contact", "addContactsToSubscriptionGroup", new JsonObject
        {
            ["contacts"] = new JsonArray(10, 11, 999_999),
            ["group"] = 4,
        })).AsArray();

        Assert.Equal([true, true, false], result.Select(r => r!["status"]!.GetValue<bool>()));
        Assert.Equal([10, 11, 999_999], result.Select(r => r!["contactId"]!.GetValue<int>()));
        Assert.True(afterRemove <= before);
        Assert.Equal(afterRemove + 2, await GroupCountAsync(4));
        var contact = await _client.GetContactAsync(10);
        Assert.Contains(contact["groups"]!.AsArray(), g => g!["groupId"]!.GetValue<int>() == 4);
        Assert.Equal("2025-06-15 10:31:00 UTC", contact["modifiedDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task RemoveContactsFromSubscriptionGroup_Member_RemovedNonMemberFalse()
    {
        await _client.OkAsync("contact", "addContactsToSubscriptionGroup", new JsonObject { ["contacts"] = new JsonArray(20), ["group"] = 2 });
        await _client.OkAsync("contact", "removeContactsFromSubscriptionGroup", new JsonObject { ["contacts"] = new JsonArray(21), ["group"] = 2 });

        var result = (await _client.OkAsync("contact", "removeContactsFromSubscriptionGroup", new JsonObject
        {
            ["contacts"] = new JsonArray(20, 21),
            ["group"] = 2,
        })).AsArray();

        Assert.Equal([true, false], result.Select(r => r!["status"]!.GetValue<bool>()));
        Assert.DoesNotContain((await _client.GetContactAsync(20))["groups"]!.AsArray(), g => g!["groupId"]!.GetValue<int>() == 2);
    }

    [Theory]
    [InlineData("""{"contacts":[1]}""", 23017)]
    [InlineData("""{"group":1}""", 23017)]
    [InlineData("""{"contacts":[1],"group":99}""", 23016)]
    [InlineData("""{"contacts":"1","group":1}""", 23016)]
    public async Task AddContactsToSubscriptionGroup_BadRequest_Is400(string body, int specificCode)
    {
        var response = await _client.CallAsync("contact", "addContactsToSubscriptionGroup", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(specificCode, response.SpecificCode);
    }

    private async Task<int> GroupCountAsync(int groupId)
    {
        var groups = (await _client.OkAsync("contact", "getSubscriptionGroupList", [])).AsArray();
        return groups.Single(g => g!["id"]!.GetValue<int>() == groupId)!["memberCount"]!.GetValue<int>();
    }
}
