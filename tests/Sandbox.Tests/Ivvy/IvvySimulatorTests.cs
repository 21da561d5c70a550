using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

public sealed class IvvySimulatorTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestSandbox.NewClock();
    private SandboxHost _host = null!;
    private IvvyTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestSandbox.StartAsync(_time, seedCount: 250);
        _client = new IvvyTestClient(_host.IvvyBaseUrl, _time);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Ping_SignedRequest_AnswersServerTime()
    {
        var response = await _client.CallAsync("test", "ping");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal("2025-06-15 10:30:00 UTC", response.Body!["ack"]!.GetValue<string>());
    }

    [Fact]
    public async Task Ping_EmptyJsonObjectBody_IsAccepted()
    {
        var response = await _client.CallAsync("test", "ping", "{}");

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task Call_DateOutsideClockSkew_Is401Stale()
    {
        var response = await _client.CallAsync("test", "ping", signedAt: _time.GetUtcNow().AddMinutes(-6));

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal(401, response.ErrorCode);
        Assert.Equal(23005, response.SpecificCode);
        Assert.Equal("Request is stale", response.Body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Call_DateJustInsideClockSkew_IsAccepted()
    {
        var response = await _client.CallAsync("test", "ping", signedAt: _time.GetUtcNow().AddMinutes(4).AddSeconds(59));

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task Call_NoDateHeader_Is401Stale()
    {
        var response = await _client.CallAsync("test", "ping", tamper: r => r.Headers.Remove(IvvySignature.DateHeader));

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal(23005, response.SpecificCode);
    }

    [Fact]
    public async Task Call_WrongSecret_Is401InvalidSignature()
    {
        var response = await _client.CallAsync("test", "ping", secret: "not-the-secret");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal(401, response.ErrorCode);
        Assert.Equal("Invalid signature", response.Body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Call_WrongKey_Is401()
    {
        using var client = new IvvyTestClient(_host.IvvyBaseUrl, _time, apiKey: "someone-else");

        var response = await client.CallAsync("test", "ping");

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Equal("Invalid API key", response.Body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task Call_ContentMd5NotOfBody_Is401()
    {
        var response = await _client.CallAsync("contact", "getContactList", """{"perPage":1}""", tamper: r =>
        {
            r.Content!.Headers.Remove(IvvySignature.ContentMd5Header);
            r.Content.Headers.TryAddWithoutValidation(IvvySignature.ContentMd5Header, IvvySignature.ContentMd5("{}"u8));
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
        Assert.Contains("Content-MD5", response.Body!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Call_BodyChangedAfterSigning_Is401()
    {
        var response = await _client.CallAsync("contact", "getContactList", """{"perPage":1}""", tamper: r =>
        {
            var headers = r.Content!.Headers.ToList();
            r.Content = new ByteArrayContent("""{"perPage":2}"""u8.ToArray());
            foreach (var header in headers)
            {
                r.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        });

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    [Fact]
    public async Task Call_SignedForAnotherAction_Is401()
    {
        // The signature covers the request URI: a signature for ping does not authorise getContactList.
        var response = await _client.CallAsync("test", "ping", tamper: r =>
            r.RequestUri = new Uri(_host.IvvyBaseUrl, "/api/1.0/contact?action=getContactList"));

        Assert.Equal(HttpStatusCode.Unauthorized, response.Status);
    }

    [Fact]
    public async Task Call_ContentTypeWithCharsetSigned_IsAccepted()
    {
        // The .NET SDK signs and sends "application/json; charset=utf-8": whatever is sent is what must be signed.
        var body = "{}"u8.ToArray();
        var response = await _client.CallAsync("test", "ping", "{}", tamper: r =>
        {
            const string contentType = "application/json; charset=utf-8";
            r.Content!.Headers.Remove("Content-Type");
            r.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            var date = r.Headers.GetValues(IvvySignature.DateHeader).Single();
            var toSign = IvvySignature.StringToSign("POST", IvvySignature.ContentMd5(body), contentType, r.RequestUri!.PathAndQuery, date);
            r.Headers.Remove(IvvySignature.AuthorizationHeader);
            r.Headers.TryAddWithoutValidation(IvvySignature.AuthorizationHeader,
                IvvySignature.AuthorizationValue("sandbox-key", IvvySignature.Sign("sandbox-secret", toSign)));
        });

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task Call_DateHeaderVariant_IsAccepted()
    {
        var response = await _client.CallAsync("test", "ping", tamper: r =>
        {
            r.Headers.Remove(IvvySignature.DateHeader);
            var date = _time.GetUtcNow().ToString("ddd, dd MMM yyyy HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
            r.Headers.TryAddWithoutValidation("Date", date);
            var toSign = ("POST" + IvvySignature.ContentMd5([]) + "application/json" + date + r.RequestUri!.PathAndQuery + "1.0")
                .ToLowerInvariant();
            r.Headers.Remove(IvvySignature.AuthorizationHeader);
            r.Headers.TryAddWithoutValidation(IvvySignature.AuthorizationHeader,
                IvvySignature.AuthorizationValue("sandbox-key", IvvySignature.Sign("sandbox-secret", toSign)));
        });

        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task Call_UnknownNamespace_Is404Envelope()
    {
        var response = await _client.CallAsync("nosuch", "ping");

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal(404, response.ErrorCode);
    }

    [Fact]
    public async Task Call_UnknownAction_Is501Envelope()
    {
        var response = await _client.CallAsync("contact", "getNothing");

        Assert.Equal(HttpStatusCode.NotImplemented, response.Status);
        Assert.Equal(501, response.ErrorCode);
    }

    [Fact]
    public async Task Call_NotPost_Is405()
    {
        using var http = new HttpClient { BaseAddress = _host.IvvyBaseUrl };

        using var response = await http.GetAsync(new Uri("/api/1.0/test?action=ping", UriKind.Relative));

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(405, JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task Call_BodyNotJson_Is400()
    {
        var response = await _client.CallAsync("contact", "getContactList", "perPage=10");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(400, response.ErrorCode);
    }

    [Fact]
    public async Task GetContactList_PerPageAboveCap_IsSilentlyCapped()
    {
        var page = await _client.ListAsync(new JsonObject { ["perPage"] = 500, ["start"] = 0 });

        Assert.Equal(100, page["results"]!.AsArray().Count);
        Assert.Equal(100, page["meta"]!["perPage"]!.GetValue<int>());
        Assert.Equal(100, page["meta"]!["count"]!.GetValue<int>());
        Assert.Equal(250, page["meta"]!["totalResults"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetContactList_NoPerPage_UsesDefault()
    {
        var page = await _client.ListAsync([]);

        Assert.Equal(100, page["meta"]!["perPage"]!.GetValue<int>());
        Assert.Equal(0, page["meta"]!["start"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-5")]
    [InlineData("\"ten\"")]
    public async Task GetContactList_InvalidPerPage_Is400DoesNotValidate(string perPage)
    {
        var response = await _client.CallAsync("contact", "getContactList", $$"""{"perPage":{{perPage}}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
        Assert.Equal("'perPage' does not validate", response.Body!["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task GetContactList_StartOffset_PagesByRecordOffsetInIdOrder()
    {
        var all = new List<int>();
        for (var start = 0; start < 250; start += 100)
        {
            var page = await _client.ListAsync(new JsonObject { ["perPage"] = 100, ["start"] = start });
            Assert.Equal(start, page["meta"]!["start"]!.GetValue<int>());
            all.AddRange(page["results"]!.AsArray().Select(r => r!["id"]!.GetValue<int>()));
        }

        Assert.Equal(Enumerable.Range(1, 250), all);
    }

    [Fact]
    public async Task GetContactList_StartPastEnd_ReturnsEmptyPageWithTotal()
    {
        var page = await _client.ListAsync(new JsonObject { ["start"] = 1000 });

        Assert.Empty(page["results"]!.AsArray());
        Assert.Equal(0, page["meta"]!["count"]!.GetValue<int>());
        Assert.Equal(250, page["meta"]!["totalResults"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetContactList_RecentlyModifiedLowId_StillOrderedById()
    {
        await _host.Ivvy.TouchContactAsync(200, c => c["phone"] = "+61 400 000 000");
        await _host.Ivvy.TouchContactAsync(3, c => c["phone"] = "+61 400 000 001");

        var page = await _client.ListAsync(new JsonObject
        {
            ["filter"] = new JsonObject { ["fromModifiedDate"] = "2025-06-15 10:00:00" },
        });

        Assert.Equal([3, 200], page["results"]!.AsArray().Select(r => r!["id"]!.GetValue<int>()));
    }

    [Fact]
    public async Task GetContactList_ModifiedWindow_BothBoundsInclusive()
    {
        await _host.Ivvy.ResetAsync();
        var ids = new List<int>();
        foreach (var name in new[] { "Ana", "Ben", "Cai", "Dee" })
        {
            ids.Add(await _client.AddOrUpdateAsync(new JsonObject { ["firstName"] = name, ["lastName"] = "Window", ["email"] = $"{name}@example.com" }));
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        // Written at 10:30:00, :10, :20 and :30.
        var page = await _client.ListAsync(new JsonObject
        {
            ["filter"] = new JsonObject { ["fromModifiedDate"] = "2025-06-15 10:30:10", ["toModifiedDate"] = "2025-06-15 10:30:20 UTC" },
        });
        var single = await _client.ListAsync(new JsonObject
        {
            ["filter"] = new JsonObject { ["fromModifiedDate"] = "2025-06-15 10:30:30", ["toModifiedDate"] = "2025-06-15 10:30:30" },
        });

        Assert.Equal([ids[1], ids[2]], page["results"]!.AsArray().Select(r => r!["id"]!.GetValue<int>()));
        Assert.Equal(2, page["meta"]!["totalResults"]!.GetValue<int>());
        Assert.Equal([ids[3]], single["results"]!.AsArray().Select(r => r!["id"]!.GetValue<int>()));
    }

    [Fact]
    public async Task GetContactList_InvalidDateFilter_Is400()
    {
        var response = await _client.CallAsync("contact", "getContactList", """{"filter":{"fromModifiedDate":"yesterday"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
    }

    [Fact]
    public async Task GetContactList_ExternalIdFilter_MatchesOnlyThatContact()
    {
        await _client.AddOrUpdateAsync(new JsonObject { ["id"] = 17, ["externalId"] = "crm-17" });

        var page = await _client.ListAsync(new JsonObject { ["filter"] = new JsonObject { ["externalId"] = "crm-17" } });

        var only = Assert.Single(page["results"]!.AsArray());
        Assert.Equal(17, only!["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetContactList_CompanyIdFilter_MatchesContactsOfThatCompany()
    {
        await _client.AddOrUpdateAsync(new JsonObject { ["id"] = 5, ["companies"] = new JsonArray(2) });

        var page = await _client.ListAsync(new JsonObject { ["filter"] = new JsonObject { ["companyId"] = 2 } });

        var results = page["results"]!.AsArray();
        Assert.Contains(results, r => r!["id"]!.GetValue<int>() == 5);
        Assert.All(results, r => Assert.Contains(2, r!["companies"]!.AsArray().Select(c => c!.GetValue<int>())));
    }

    [Fact]
    public async Task GetContactList_SuffixFilters_ApplyToStringFields()
    {
        await _client.AddOrUpdateAsync(new JsonObject { ["id"] = 9, ["firstName"] = "Quillon", ["email"] = "quillon@zz-filter.example.com" });

        var begins = await _client.ListAsync(new JsonObject { ["filter"] = new JsonObject { ["firstName__BEGINS"] = "quill" } });
        var contains = await _client.ListAsync(new JsonObject { ["filter"] = new JsonObject { ["email__CONTAINS"] = "zz-filter" } });
        var idRange = await _client.ListAsync(new JsonObject { ["filter"] = new JsonObject { ["id__GREATERTHAN"] = 248 } });

        Assert.Equal(9, Assert.Single(begins["results"]!.AsArray())!["id"]!.GetValue<int>());
        Assert.Equal(9, Assert.Single(contains["results"]!.AsArray())!["id"]!.GetValue<int>());
        Assert.Equal([248, 249, 250], idRange["results"]!.AsArray().Select(r => r!["id"]!.GetValue<int>()));
    }

    [Fact]
    public async Task GetContactList_UnknownFilterKey_Is400()
    {
        var response = await _client.CallAsync("contact", "getContactList", """{"filter":{"modifiedSince":"2025-01-01"}}""");

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
    }

    [Fact]
    public async Task GetContactList_Results_CarryListFieldsOnly()
    {
        var page = await _client.ListAsync(new JsonObject { ["perPage"] = 1 });

        var contact = page["results"]![0]!.AsObject();
        foreach (var field in new[] { "id", "firstName", "lastName", "email", "phone", "externalId", "customFields", "groups", "companies", "modifiedDate" })
        {
            Assert.True(contact.ContainsKey(field), field);
        }

        Assert.False(contact.ContainsKey("eventRegistrations"));
    }

    [Fact]
    public async Task GetContactList_EachCall_RaisesContactListServedWithItsNumber()
    {
        var served = new List<int>();
        _host.Ivvy.ContactListServed += served.Add;

        await _client.ListAsync([]);
        await _client.ListAsync([]);

        Assert.Equal([1, 2], served);
    }

    [Fact]
    public async Task GetContactList_TouchBetweenPages_RecordLeavesWindowAndShiftsOffsets()
    {
        // The trap the sync engine must defeat: a record read on page 1 and modified during the run leaves the window.
        await _host.Ivvy.ResetAsync();
        for (var i = 0; i < 6; i++)
        {
            await _client.AddOrUpdateAsync(new JsonObject { ["firstName"] = $"P{i}", ["lastName"] = "Trap", ["email"] = $"p{i}@example.com" });
        }

        _time.Advance(TimeSpan.FromMinutes(1));
        _host.Ivvy.ContactListServed += n =>
        {
            if (n == 1)
            {
                _host.Ivvy.TouchContactAsync(1, c => c["phone"] = "+61 400 111 222").GetAwaiter().GetResult();
            }
        };
        var window = new JsonObject { ["toModifiedDate"] = "2025-06-15 10:30:00" };

        var first = await _client.ListAsync(new JsonObject { ["perPage"] = 3, ["start"] = 0, ["filter"] = window.DeepClone() });
        var second = await _client.ListAsync(new JsonObject { ["perPage"] = 3, ["start"] = 3, ["filter"] = window.DeepClone() });

        Assert.Equal([1, 2, 3], first["results"]!.AsArray().Select(r => r!["id"]!.GetValue<int>()));
        Assert.Equal([5, 6], second["results"]!.AsArray().Select(r => r!["id"]!.GetValue<int>()));
        Assert.Equal(5, second["meta"]!["totalResults"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetContact_KnownId_ReturnsDetailFields()
    {
        var contact = await _client.GetContactAsync(1);

        Assert.Equal(1, contact["id"]!.GetValue<int>());
        Assert.True(contact.ContainsKey("eventRegistrations"));
        Assert.True(contact.ContainsKey("smsStatus"));
        Assert.EndsWith(" UTC", contact["modifiedDate"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetContact_IdAsNumericString_IsAccepted()
    {
        var response = await _client.CallAsync("contact", "getContact", """{"id":"2"}""");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(2, response.Body!["id"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("{}", 400, 23017)]
    [InlineData("""{"id":"abc"}""", 400, 23016)]
    [InlineData("""{"id":99999}""", 404, 24096)]
    public async Task GetContact_BadId_ErrorEnvelope(string body, int status, int specificCode)
    {
        var response = await _client.CallAsync("contact", "getContact", body);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(status, response.ErrorCode);
        Assert.Equal(specificCode, response.SpecificCode);
    }

    [Fact]
    public async Task AddOrUpdateContact_WithoutId_AddsWithNextIdAndNowDates()
    {
        var id = await _client.AddOrUpdateAsync(new JsonObject
        {
            ["firstName"] = "Zoë", ["lastName"] = "Ōkubo", ["email"] = "zoe.okubo@example.com", ["phone"] = "+61 412 345 678",
            ["externalId"] = "hs-1001",
        });

        var stored = await _client.GetContactAsync(id);
        Assert.Equal(251, id);
        Assert.Equal("Zoë", stored["firstName"]!.GetValue<string>());
        Assert.Equal("Ōkubo", stored["lastName"]!.GetValue<string>());
        Assert.Equal("hs-1001", stored["externalId"]!.GetValue<string>());
        Assert.Equal("2025-06-15 10:30:00 UTC", stored["modifiedDate"]!.GetValue<string>());
        Assert.Equal("2025-06-15 10:30:00 UTC", stored["createdDate"]!.GetValue<string>());
        Assert.Equal(251, await _host.Ivvy.CountContactsAsync());
    }

    [Fact]
    public async Task AddOrUpdateContact_WithId_UpdatesOnlyGivenFieldsAndMovesModifiedDate()
    {
        var before = await _client.GetContactAsync(10);
        _time.Advance(TimeSpan.FromMinutes(3));

        var id = await _client.AddOrUpdateAsync(new JsonObject { ["id"] = 10, ["phone"] = "+61 499 999 999" });

        var after = await _client.GetContactAsync(10);
        Assert.Equal(10, id);
        Assert.Equal("+61 499 999 999", after["phone"]!.GetValue<string>());
        Assert.Equal(before["email"]!.GetValue<string>(), after["email"]!.GetValue<string>());
        Assert.Equal(before["createdDate"]!.GetValue<string>(), after["createdDate"]!.GetValue<string>());
        Assert.Equal("2025-06-15 10:33:00 UTC", after["modifiedDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddOrUpdateContact_UnknownId_Is24096()
    {
        var response = await _client.CallAsync("contact", "addOrUpdateContact", """{"id":424242,"firstName":"X"}""");

        Assert.Equal(24096, response.SpecificCode);
        Assert.Equal(404, (int)response.Status);
    }

    [Fact]
    public async Task AddOrUpdateContact_UpdateIfExistsWithSameIdentity_UpdatesThatContact()
    {
        var added = await _client.AddOrUpdateAsync(new JsonObject { ["firstName"] = "Siobhán", ["lastName"] = "O'Brien", ["email"] = "siobhan.obrien@example.org" });

        var id = await _client.AddOrUpdateAsync(new JsonObject
        {
            ["firstName"] = "SIOBHÁN",
            ["lastName"] = " O'Brien ",
            ["email"] = "Siobhan.OBrien@example.org",
            ["updateIfExists"] = true,
            ["externalId"] = "crm-77",
        });

        Assert.Equal(added, id);
        Assert.Equal(251, await _host.Ivvy.CountContactsAsync());
        Assert.Equal("crm-77", (await _client.GetContactAsync(added))["externalId"]!.GetValue<string>());
    }

    [Fact]
    public async Task AddOrUpdateContact_UpdateIfExistsWithNewIdentity_Adds()
    {
        var id = await _client.AddOrUpdateAsync(new JsonObject
        {
            ["firstName"] = "Brand", ["lastName"] = "New", ["email"] = "brand.new@example.org", ["updateIfExists"] = true,
        });

        Assert.Equal(251, id);
    }

    [Fact]
    public async Task AddOrUpdateContact_SameIdentityWithoutUpdateIfExists_AddsADuplicate()
    {
        var existing = await _client.GetContactAsync(20);

        var id = await _client.AddOrUpdateAsync(new JsonObject
        {
            ["firstName"] = existing["firstName"]!.DeepClone(),
            ["lastName"] = existing["lastName"]!.DeepClone(),
            ["email"] = existing["email"]!.DeepClone(),
        });

        Assert.NotEqual(20, id);
        Assert.Equal(251, await _host.Ivvy.CountContactsAsync());
    }

    [Theory]
    [InlineData("""{"lastName":"L","email":"a@example.com"}""", 23017, "'firstName' is required")]
    [InlineData("""{"firstName":"F","email":"a@example.com"}""", 23017, "'lastName' is required")]
    [InlineData("""{"firstName":"F","lastName":"L"}""", 23017, "'email' is required")]
    [InlineData("""{"firstName":"F","lastName":"L","email":"not-an-email"}""", 23016, "'email' does not validate")]
    [InlineData("""{"firstName":"F","lastName":"L","email":"a@example.com","status":4}""", 23016, "'status' does not validate")]
    [InlineData("""{"firstName":"F","lastName":"L","email":"a@example.com","customFields":[{"fieldId":99,"value":"x"}]}""", 23016, "'customFields' does not validate")]
    [InlineData("""{"firstName":"F","lastName":"L","email":"a@example.com","companies":[424242]}""", 23016, "'companies' does not validate")]
    public async Task AddOrUpdateContact_InvalidAdd_Is400AndWritesNothing(string body, int specificCode, string message)
    {
        var response = await _client.CallAsync("contact", "addOrUpdateContact", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(specificCode, response.SpecificCode);
        Assert.Equal(message, response.Body!["message"]!.GetValue<string>());
        Assert.Equal(250, await _host.Ivvy.CountContactsAsync());
    }

    [Fact]
    public async Task AddOrUpdateContact_InvalidEmail_CarriesAdditionalMessages()
    {
        var response = await _client.CallAsync("contact", "addOrUpdateContact", """{"id":1,"email":"nope"}""");

        Assert.Equal(23016, response.SpecificCode);
        Assert.NotEmpty(response.Body!["additionalMessages"]!.AsArray());
    }

    [Fact]
    public async Task AddOrUpdateContact_CustomFields_MergedByFieldId()
    {
        await _client.AddOrUpdateAsync(new JsonObject
        {
            ["id"] = 30,
            ["customFields"] = new JsonArray(new JsonObject { ["fieldId"] = 1, ["value"] = "Vegan" }, new JsonObject { ["fieldId"] = 4, ["value"] = "CEO" }),
        });

        await _client.AddOrUpdateAsync(new JsonObject
        {
            ["id"] = 30,
            ["customFields"] = new JsonArray(new JsonObject { ["fieldId"] = 4, ["value"] = "CFO" }, new JsonObject { ["fieldId"] = 5, ["value"] = 3 }),
        });

        var fields = (await _client.GetContactAsync(30))["customFields"]!.AsArray()
            .ToDictionary(f => f!["fieldId"]!.GetValue<int>(), f => f!["value"]!.GetValue<string>());
        Assert.Equal("Vegan", fields[1]);
        Assert.Equal("CFO", fields[4]);
        Assert.Equal("3", fields[5]);
    }

    [Fact]
    public async Task AddOrUpdateContact_Groups_ReplaceAllGroups()
    {
        await _client.AddOrUpdateAsync(new JsonObject { ["id"] = 31, ["groups"] = new JsonArray(new JsonObject { ["groupId"] = 1 }, new JsonObject { ["groupId"] = 2 }) });

        await _client.AddOrUpdateAsync(new JsonObject { ["id"] = 31, ["groups"] = new JsonArray(new JsonObject { ["groupId"] = 3 }) });

        var groups = (await _client.GetContactAsync(31))["groups"]!.AsArray();
        var group = Assert.Single(groups);
        Assert.Equal(3, group!["groupId"]!.GetValue<int>());
        Assert.Equal(31, group["contactId"]!.GetValue<int>());
    }

    [Fact]
    public async Task AddOrUpdateContact_Companies_SetsCompaniesData()
    {
        await _client.AddOrUpdateAsync(new JsonObject { ["id"] = 32, ["companies"] = new JsonArray(1, 3) });

        var contact = await _client.GetContactAsync(32);

        Assert.Equal([1, 3], contact["companies"]!.AsArray().Select(c => c!.GetValue<int>()));
        Assert.All(contact["companiesData"]!.AsArray(), c => Assert.False(string.IsNullOrEmpty(c!["businessName"]!.GetValue<string>())));
    }

    [Fact]
    public async Task AddOrUpdateContact_EveryWrite_MovesModifiedDateIntoNewWindow()
    {
        _time.Advance(TimeSpan.FromHours(1));
        await _client.AddOrUpdateAsync(new JsonObject { ["id"] = 40, ["firstName"] = "Moved" });

        var page = await _client.ListAsync(new JsonObject { ["filter"] = new JsonObject { ["fromModifiedDate"] = "2025-06-15 11:30:00" } });

        Assert.Equal(40, Assert.Single(page["results"]!.AsArray())!["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task TouchContactAsync_Change_IsStoredAndModifiedDateMoves()
    {
        _time.Advance(TimeSpan.FromSeconds(42));

        await _host.Ivvy.TouchContactAsync(7, c => c["lastName"] = "Nguyễn");

        var contact = await _host.Ivvy.GetContactAsync(7);
        Assert.Equal("Nguyễn", contact!["lastName"]!.GetValue<string>());
        Assert.Equal("2025-06-15 10:30:42 UTC", contact["modifiedDate"]!.GetValue<string>());
        var page = await _client.ListAsync(new JsonObject { ["filter"] = new JsonObject { ["lastName"] = "Nguyễn", ["id"] = 7 } });
        Assert.Single(page["results"]!.AsArray());
    }

    [Fact]
    public async Task TouchContactAsync_UnknownId_Throws()
    {
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _host.Ivvy.TouchContactAsync(123456, _ => { }));
    }

    [Fact]
    public async Task GetCustomFieldDefinition_ReturnsBareArray()
    {
        var response = await _client.CallAsync("contact", "getCustomFieldDefinition");

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Contains(response.Body!.AsArray(), f => f!["displayName"]!.GetValue<string>() == "Membership Level");
    }

    [Fact]
    public async Task SeedControlEndpoint_CountAndSeed_ReplacesData()
    {
        using var http = new HttpClient { BaseAddress = _host.IvvyBaseUrl };

        using var response = await http.PostAsync(new Uri("/__sandbox__/ivvy/seed", UriKind.Relative),
            new StringContent("""{"count":12,"seed":7}""", Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(12, await _host.Ivvy.CountContactsAsync());
    }

    [Fact]
    public async Task ResetControlEndpoint_EmptiesData()
    {
        using var http = new HttpClient { BaseAddress = _host.IvvyBaseUrl };

        using var response = await http.PostAsync(new Uri("/__sandbox__/ivvy/reset", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, await _host.Ivvy.CountContactsAsync());
        Assert.Equal(0, (await _client.ListAsync([]))["meta"]!["totalResults"]!.GetValue<int>());
    }
}
