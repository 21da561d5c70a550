using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.HubSpot;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.HubSpot;

public sealed partial class HubSpotSimulatorTests
{
    private const string Upsert = "crm/v3/objects/contacts/batch/upsert";
    private const string Search = "crm/v3/objects/contacts/search";
    private static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("")]
    [InlineData("pat-wrong-token")]
    public async Task Api_WithoutTheToken_Answers401InvalidAuthentication(string token)
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.GetAsync("crm/v3/objects/contacts", token);

        Assert.Equal(401, answer.Status);
        Assert.Equal("error", answer.Text("status"));
        Assert.Equal("INVALID_AUTHENTICATION", answer.Text("category"));
        Assert.StartsWith("Authentication credentials not found", answer.Text("message"));
        Assert.NotNull(answer.Text("correlationId"));
    }

    [Fact]
    public async Task Api_WithTheToken_AnswersWithRateLimitHeaders()
    {
        await using var server = await HubSpotTestServer.StartAsync(new HubSpotSimulatorOptions { TenSecondlyLimit = 190 });

        var answer = await server.GetAsync("crm/v3/objects/contacts");

        Assert.Equal(200, answer.Status);
        Assert.Equal("190", answer.Headers["X-HubSpot-RateLimit-Max"]);
        Assert.Equal("189", answer.Headers["X-HubSpot-RateLimit-Remaining"]);
        Assert.Equal("10000", answer.Headers["X-HubSpot-RateLimit-Interval-Milliseconds"]);
        Assert.True(answer.Headers.ContainsKey("X-HubSpot-RateLimit-Secondly"));
        Assert.True(answer.Headers.ContainsKey("X-HubSpot-RateLimit-Secondly-Remaining"));
        Assert.True(answer.Headers.ContainsKey("X-HubSpot-RateLimit-Daily"));
        Assert.True(answer.Headers.ContainsKey("X-HubSpot-RateLimit-Daily-Remaining"));
    }

    [Fact]
    public async Task BatchUpsert_ByEmail_CreatesThenUpdatesWithNewFlag()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var first = await server.UpsertContactsByEmailAsync(("ana@example.com", new JsonObject { ["firstname"] = "Ana" }));
        var second = await server.UpsertContactsByEmailAsync(("ANA@example.com", new JsonObject { ["firstname"] = "Ana María" }));

        Assert.Equal(200, first.Status);
        Assert.Equal("COMPLETE", first.Text("status"));
        Assert.Equal("true", first.Text("results.0.new"));
        Assert.Equal("1000001", first.Text("results.0.id"));
        Assert.Equal("false", first.Text("results.0.archived"));
        Assert.Equal("false", second.Text("results.0.new"));
        Assert.Equal("1000001", second.Text("results.0.id"));
        Assert.Equal(1, await server.Simulator.CountAsync("contacts"));
        Assert.Equal("Ana María", (await server.Simulator.FindByPropertyAsync("contacts", "email", "ana@example.com"))!["firstname"]!.ToString());
    }

    [Fact]
    public async Task BatchUpsert_DateBasedPath_ServesTheSameHandler()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync("crm/objects/2026-03/contacts/batch/upsert", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "zoe@example.com", ["idProperty"] = "email", ["properties"] = new JsonObject() }),
        });
        var property = await server.GetAsync("crm/properties/2026-03/contacts/email");

        Assert.Equal(200, answer.Status);
        Assert.Equal(1, await server.Simulator.CountAsync("contacts"));
        Assert.Equal(200, property.Status);
    }

    [Fact]
    public async Task BatchUpsert_OverMaxBatchSize_Answers400AndWritesNothing()
    {
        await using var server = await HubSpotTestServer.StartAsync(new HubSpotSimulatorOptions { MaxBatchSize = 3 });

        var answer = await server.UpsertContactsByEmailAsync(
            Enumerable.Range(1, 4).Select(i => ($"c{i}@example.com", (JsonObject?)null)).ToArray());
        var atCap = await server.UpsertContactsByEmailAsync(
            Enumerable.Range(1, 3).Select(i => ($"c{i}@example.com", (JsonObject?)null)).ToArray());

        Assert.Equal(400, answer.Status);
        Assert.Equal("VALIDATION_ERROR", answer.Text("category"));
        Assert.Equal(200, atCap.Status);
        Assert.Equal(3, await server.Simulator.CountAsync("contacts"));
    }

    [Fact]
    public async Task BatchUpsert_NonUniqueIdProperty_Answers400NonUnique()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync(Upsert, new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "Ana", ["idProperty"] = "firstname", ["properties"] = new JsonObject() }),
        });

        Assert.Equal(400, answer.Status);
        Assert.Equal("Unable to perform update/upsert by non-unique 0-1 property", answer.Text("message"));
        Assert.Equal(0, await server.Simulator.CountAsync("contacts"));
    }

    [Fact]
    public async Task BatchUpsert_WithTraceIds_Answers207AndLandsTheGoodInputs()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("taken@example.com", null));
        await CreateUniquePropertyAsync(server, "ivvy_contact_id");

        var answer = await server.PostAsync(Upsert, new JsonObject
        {
            ["inputs"] = new JsonArray(
                KeyedInput("1", "one@example.com", "t1"),
                KeyedInput("2", "not-an-email", "t2"),
                KeyedInput("3", "taken@example.com", "t3"),
                KeyedInput("4", "four@example.com", "t4", extra: ("shoe_size", "42"))),
        });

        Assert.Equal(207, answer.Status);
        Assert.Equal("COMPLETE", answer.Text("status"));
        Assert.Equal("3", answer.Text("numErrors"));
        Assert.Single(answer.Body!["results"]!.AsArray());
        var errors = answer.Body["errors"]!.AsArray().ToDictionary(e => e!["context"]!["objectWriteTraceId"]![0]!.ToString());
        Assert.Equal("VALIDATION_ERROR", errors["t2"]!["category"]!.ToString());
        Assert.Contains("INVALID_EMAIL", errors["t2"]!["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal("CONFLICT", errors["t3"]!["category"]!.ToString());
        Assert.Equal("Contact already exists. Existing ID: 1000001", errors["t3"]!["message"]!.ToString());
        Assert.Contains("PROPERTY_DOESNT_EXIST", errors["t4"]!["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await server.Simulator.CountAsync("contacts"));
        Assert.NotNull(await server.Simulator.FindByPropertyAsync("contacts", "ivvy_contact_id", "1"));
    }

    [Fact]
    public async Task BatchUpsert_WithoutTraceIds_FailsTheWholeBatchAndWritesNothing()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateUniquePropertyAsync(server, "ivvy_contact_id");

        var answer = await server.PostAsync(Upsert, new JsonObject
        {
            ["inputs"] = new JsonArray(KeyedInput("1", "one@example.com", null), KeyedInput("2", "bad@", null), KeyedInput("3", "three@example.com", null)),
        });

        Assert.Equal(400, answer.Status);
        Assert.Equal("VALIDATION_ERROR", answer.Text("category"));
        Assert.Contains("INVALID_EMAIL", answer.Text("message"), StringComparison.Ordinal);
        Assert.Equal(0, await server.Simulator.CountAsync("contacts"));
        // The rolled-back batch gives its ids back: the next record still gets the first id.
        var next = await server.UpsertContactsByEmailAsync(("ok@example.com", null));
        Assert.Equal("1000001", next.Text("results.0.id"));
    }

    [Fact]
    public async Task BatchUpsert_ConflictWithoutTraceIds_Answers409Conflict()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("taken@example.com", null));
        await CreateUniquePropertyAsync(server, "ivvy_contact_id");

        var answer = await server.PostAsync(Upsert, new JsonObject
        {
            ["inputs"] = new JsonArray(KeyedInput("1", "TAKEN@example.com", null)),
        });

        Assert.Equal(409, answer.Status);
        Assert.Equal("CONFLICT", answer.Text("category"));
        Assert.Equal("Contact already exists. Existing ID: 1000001", answer.Text("message"));
    }

    [Fact]
    public async Task BatchUpsert_UniqueCustomValueHeldByAnother_IsAConflict()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateUniquePropertyAsync(server, "ivvy_contact_id");
        await server.PostAsync(Upsert, new JsonObject { ["inputs"] = new JsonArray(KeyedInput("7", "seven@example.com", null)) });

        // Upserting by email, but giving the new contact an external key another contact already holds.
        var answer = await server.UpsertContactsByEmailAsync(("other@example.com", new JsonObject { ["ivvy_contact_id"] = "7" }));

        Assert.Equal(409, answer.Status);
        Assert.Equal("CONFLICT", answer.Text("category"));
        Assert.Contains("Existing ID: 1000001", answer.Text("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchUpsert_NoOpWrite_KeepsLastModifiedDate()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await HubSpotTestServer.StartAsync(time: time);
        await server.UpsertContactsByEmailAsync(("ana@example.com", new JsonObject { ["firstname"] = "Ana" }));
        var created = (await server.Simulator.FindByPropertyAsync("contacts", "email", "ana@example.com"))!["lastmodifieddate"]!.ToString();

        time.Advance(TimeSpan.FromMinutes(5));
        var same = await server.UpsertContactsByEmailAsync(("ana@example.com", new JsonObject { ["firstname"] = "Ana" }));
        var afterNoOp = (await server.Simulator.FindByPropertyAsync("contacts", "email", "ana@example.com"))!["lastmodifieddate"]!.ToString();
        time.Advance(TimeSpan.FromMinutes(5));
        await server.UpsertContactsByEmailAsync(("ana@example.com", new JsonObject { ["firstname"] = "Anna" }));
        var afterChange = (await server.Simulator.FindByPropertyAsync("contacts", "email", "ana@example.com"))!["lastmodifieddate"]!.ToString();

        Assert.Equal("2026-11-02T09:00:00.000Z", created);
        Assert.Equal("false", same.Text("results.0.new"));
        Assert.Equal(created, afterNoOp);
        Assert.Equal("2026-11-02T09:10:00.000Z", afterChange);
    }

    [Fact]
    public async Task BatchUpsert_DuplicateIdsInOneBatch_Answers400()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.UpsertContactsByEmailAsync(("a@example.com", null), ("A@example.com", null));

        Assert.Equal(400, answer.Status);
        Assert.Contains("Duplicate IDs", answer.Text("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Properties_CreateThenRead_KeepsTheUniqueFlagAndRefusesASecondCreate()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var missing = await server.GetAsync("crm/v3/properties/contacts/ivvy_contact_id");
        var created = await CreateUniquePropertyAsync(server, "ivvy_contact_id");
        var again = await CreateUniquePropertyAsync(server, "ivvy_contact_id");
        var read = await server.GetAsync("crm/v3/properties/contacts/ivvy_contact_id");

        Assert.Equal(404, missing.Status);
        Assert.Equal(201, created.Status);
        Assert.Equal(409, again.Status);
        Assert.Equal(200, read.Status);
        Assert.Equal("true", read.Text("hasUniqueValue"));
        Assert.Equal("string", read.Text("type"));
    }

    [Fact]
    public async Task Search_TooManyFilterGroups_Answers400()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync(Search, SearchBody(groups: 6, filtersPerGroup: 1));

        Assert.Equal(400, answer.Status);
        Assert.Equal("VALIDATION_ERROR", answer.Text("category"));
    }

    [Theory]
    [InlineData(1, 11, 400)]
    [InlineData(3, 9, 400)]
    [InlineData(5, 5, 200)]
    [InlineData(1, 10, 200)]
    public async Task Search_FilterLimits_AreEnforced(int groups, int filtersPerGroup, int expected)
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync(Search, SearchBody(groups, filtersPerGroup));

        Assert.Equal(expected, answer.Status);
    }

    [Fact]
    public async Task Search_PagingPastTheResultCap_Answers400NamingTheCap()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var past = await server.PostAsync(Search, new JsonObject { ["limit"] = 200, ["after"] = "9900" });
        var last = await server.PostAsync(Search, new JsonObject { ["limit"] = 100, ["after"] = "9900" });

        Assert.Equal(400, past.Status);
        Assert.Contains("10000", past.Text("message"), StringComparison.Ordinal);
        Assert.Equal(200, last.Status);
    }

    [Fact]
    public async Task Search_LimitOverMax_Answers400()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync(Search, new JsonObject { ["limit"] = 201 });

        Assert.Equal(400, answer.Status);
    }

    [Fact]
    public async Task Search_MoreThanOneSort_Answers400()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync(Search, new JsonObject
        {
            ["sorts"] = new JsonArray(
                new JsonObject { ["propertyName"] = "lastmodifieddate", ["direction"] = "ASCENDING" },
                new JsonObject { ["propertyName"] = "hs_object_id", ["direction"] = "ASCENDING" }),
        });

        Assert.Equal(400, answer.Status);
    }

    [Fact]
    public async Task Search_FiltersSortsAndPages_WithTotalAndNextAfter()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await HubSpotTestServer.StartAsync(time: time);
        for (var i = 1; i <= 5; i++)
        {
            await server.UpsertContactsByEmailAsync(($"c{i}@example.com", new JsonObject { ["firstname"] = $"N{i}" }));
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var body = new JsonObject
        {
            ["filterGroups"] = new JsonArray(new JsonObject
            {
                ["filters"] = new JsonArray(new JsonObject
                {
                    ["propertyName"] = "lastmodifieddate",
                    ["operator"] = "GTE",
                    ["value"] = Start.AddSeconds(1).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
                }),
            }),
            ["sorts"] = new JsonArray(new JsonObject { ["propertyName"] = "lastmodifieddate", ["direction"] = "DESCENDING" }),
            ["properties"] = new JsonArray("email", "firstname"),
            ["limit"] = 3,
        };
        var first = await server.PostAsync(Search, body);
        body["after"] = first.Text("paging.next.after");
        var second = await server.PostAsync(Search, body);

        Assert.Equal("4", first.Text("total"));
        Assert.Equal("c5@example.com", first.Text("results.0.properties.email"));
        Assert.Equal("3", first.Text("paging.next.after"));
        Assert.Equal("c2@example.com", second.Text("results.0.properties.email"));
        Assert.Null(second.Text("paging"));
    }

    [Fact]
    public async Task Search_TiesOnTheSortProperty_ComeInAStableOrderThatIsNotIdOrder()
    {
        // HubSpot applies one sort and promises nothing among ties; the simulator scrambles them so no client relies on id order.
        await using var server = await HubSpotTestServer.StartAsync(time: new FakeTimeProvider(Start));
        await server.UpsertContactsByEmailAsync(Enumerable.Range(1, 20).Select(i => ($"tie{i}@example.com", (JsonObject?)null)).ToArray());
        var body = new JsonObject
        {
            ["sorts"] = new JsonArray(new JsonObject { ["propertyName"] = "lastmodifieddate", ["direction"] = "ASCENDING" }),
            ["limit"] = 20,
        };

        var first = await server.PostAsync(Search, body);
        var again = await server.PostAsync(Search, body);

        var ids = first.Body!["results"]!.AsArray().Select(r => long.Parse(r!["id"]!.ToString(), System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(20, ids.Count);
        Assert.NotEqual(ids.Order(), ids);
        Assert.Equal(first.Body.ToJsonString(), again.Body!.ToJsonString());
    }

    [Fact]
    public async Task Search_AfterAWrite_SeesItOnlyOnceTheIndexLagHasPassed()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await HubSpotTestServer.StartAsync(
            new HubSpotSimulatorOptions { SearchIndexLag = TimeSpan.FromSeconds(3) }, time);

        await server.UpsertContactsByEmailAsync(("late@example.com", null));
        var before = await server.PostAsync(Search, new JsonObject());
        time.Advance(TimeSpan.FromSeconds(3));
        var after = await server.PostAsync(Search, new JsonObject());

        Assert.Equal("0", before.Text("total"));
        Assert.Equal("1", after.Text("total"));
    }

    [Fact]
    public async Task RateLimit_OverTheTenSecondWindow_Answers429WithPolicyAndRetryAfter()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await HubSpotTestServer.StartAsync(new HubSpotSimulatorOptions { TenSecondlyLimit = 3 }, time);

        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(200, (await server.GetAsync("crm/v3/objects/contacts")).Status);
        }

        var refused = await server.GetAsync("crm/v3/objects/contacts");
        time.Advance(TimeSpan.FromSeconds(10));
        var later = await server.GetAsync("crm/v3/objects/contacts");

        Assert.Equal(429, refused.Status);
        Assert.Equal("error", refused.Text("status"));
        Assert.Equal("RATE_LIMIT", refused.Text("errorType"));
        Assert.Equal("TEN_SECONDLY_ROLLING", refused.Text("policyName"));
        Assert.Equal("You have reached your ten_secondly_rolling limit.", refused.Text("message"));
        Assert.NotNull(refused.Text("correlationId"));
        Assert.Equal("10", refused.Headers["Retry-After"]);
        Assert.Equal("0", refused.Headers["X-HubSpot-RateLimit-Remaining"]);
        Assert.Equal(200, later.Status);
    }

    [Fact]
    public async Task RateLimit_WithRetryAfterSwitchedOff_SendsNoRetryAfter()
    {
        await using var server = await HubSpotTestServer.StartAsync(
            new HubSpotSimulatorOptions { TenSecondlyLimit = 1, SendRetryAfter = false }, new FakeTimeProvider(Start));

        await server.GetAsync("crm/v3/objects/contacts");
        var refused = await server.GetAsync("crm/v3/objects/contacts");

        Assert.Equal(429, refused.Status);
        Assert.False(refused.Headers.ContainsKey("Retry-After"));
    }

    [Fact]
    public async Task RateLimit_SearchesOverTheSecondlyLimit_Answer429Secondly()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await HubSpotTestServer.StartAsync(new HubSpotSimulatorOptions { SearchPerSecondLimit = 2 }, time);

        await server.PostAsync(Search, new JsonObject());
        await server.PostAsync(Search, new JsonObject());
        var refused = await server.PostAsync(Search, new JsonObject());
        var otherCall = await server.GetAsync("crm/v3/objects/contacts");
        time.Advance(TimeSpan.FromSeconds(1));
        var nextSecond = await server.PostAsync(Search, new JsonObject());

        Assert.Equal(429, refused.Status);
        Assert.Equal("SECONDLY", refused.Text("policyName"));
        Assert.Equal(200, otherCall.Status);
        Assert.Equal(200, nextSecond.Status);
    }

    [Fact]
    public async Task RateLimit_OverTheDailyLimit_Answers429Daily()
    {
        await using var server = await HubSpotTestServer.StartAsync(new HubSpotSimulatorOptions { DailyLimit = 1 }, new FakeTimeProvider(Start));

        await server.GetAsync("crm/v3/objects/contacts");
        var refused = await server.GetAsync("crm/v3/objects/contacts");

        Assert.Equal(429, refused.Status);
        Assert.Equal("DAILY", refused.Text("policyName"));
    }

    [Fact]
    public async Task Restart_OnTheSameFolder_KeepsRecordsPropertiesAndIds()
    {
        var folder = Path.Combine(Path.GetTempPath(), "hubspot-sim-" + Guid.NewGuid().ToString("N"));
        try
        {
            await using (var first = await HubSpotTestServer.StartAsync(dataDirectory: folder))
            {
                await CreateUniquePropertyAsync(first, "ivvy_contact_id");
                await first.PostAsync(Upsert, new JsonObject { ["inputs"] = new JsonArray(KeyedInput("1", "one@example.com", null)) });
            }

            await using var second = await HubSpotTestServer.StartAsync(dataDirectory: folder);
            var again = await second.PostAsync(Upsert, new JsonObject { ["inputs"] = new JsonArray(KeyedInput("1", "uno@example.com", null)) });
            var another = await second.PostAsync(Upsert, new JsonObject { ["inputs"] = new JsonArray(KeyedInput("2", "two@example.com", null)) });

            Assert.True(File.Exists(Path.Combine(folder, "hubspot.db")));
            Assert.Equal(200, again.Status);
            Assert.Equal("false", again.Text("results.0.new"));
            Assert.Equal("1000001", again.Text("results.0.id"));
            Assert.Equal("1000002", another.Text("results.0.id"));
            Assert.Equal(2, await second.Simulator.CountAsync("contacts"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Archive_RemovesFromSearchWithoutMovingLastModified()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await HubSpotTestServer.StartAsync(time: time);
        await server.UpsertContactsByEmailAsync(("gone@example.com", null));
        time.Advance(TimeSpan.FromMinutes(1));

        var deleted = await server.SendAsync(HttpMethod.Delete, "crm/v3/objects/contacts/1000001");
        var search = await server.PostAsync(Search, new JsonObject());
        var archived = await server.GetAsync("crm/v3/objects/contacts/1000001?archived=true&properties=lastmodifieddate");

        Assert.Equal(204, deleted.Status);
        Assert.Equal("0", search.Text("total"));
        Assert.Equal("true", archived.Text("archived"));
        Assert.Equal("2026-11-02T09:00:00.000Z", archived.Text("properties.lastmodifieddate"));
        Assert.Equal(0, await server.Simulator.CountAsync("contacts"));
    }

    [Fact]
    public async Task GetObject_ByUniqueIdProperty_FindsTheRecord()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("find@example.com", new JsonObject { ["lastname"] = "Ōkubo" }));

        var found = await server.GetAsync("crm/v3/objects/contacts/find@example.com?idProperty=email&properties=lastname");
        var missing = await server.GetAsync("crm/v3/objects/contacts/999");

        Assert.Equal(200, found.Status);
        Assert.Equal("Ōkubo", found.Text("properties.lastname"));
        Assert.Equal(404, missing.Status);
        Assert.Equal("OBJECT_NOT_FOUND", missing.Text("category"));
    }

    [Fact]
    public async Task TouchAsync_ChangedValue_MovesLastModifiedAndShowsInSearch()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await HubSpotTestServer.StartAsync(time: time);
        await server.UpsertContactsByEmailAsync(("touch@example.com", null));
        time.Advance(TimeSpan.FromMinutes(2));

        await server.Simulator.TouchAsync("contacts", "1000001", c => c["phone"] = "+61 2 5550 1234");
        var found = await server.PostAsync(Search, new JsonObject
        {
            ["filterGroups"] = new JsonArray(new JsonObject
            {
                ["filters"] = new JsonArray(new JsonObject { ["propertyName"] = "phone", ["operator"] = "HAS_PROPERTY" }),
            }),
            ["properties"] = new JsonArray("lastmodifieddate"),
        });

        Assert.Equal("1", found.Text("total"));
        Assert.Equal("2026-11-02T09:02:00.000Z", found.Text("results.0.properties.lastmodifieddate"));
    }

    [Fact]
    public async Task ResetAsync_ForgetsRecordsAndCustomProperties()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateUniquePropertyAsync(server, "ivvy_contact_id");
        await server.UpsertContactsByEmailAsync(("x@example.com", null));

        await server.Simulator.ResetAsync();

        Assert.Equal(0, await server.Simulator.CountAsync("contacts"));
        Assert.Equal(404, (await server.GetAsync("crm/v3/properties/contacts/ivvy_contact_id")).Status);
    }

    [Fact]
    public async Task UnknownObjectType_Answers400()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync("crm/v3/objects/widgets/search", new JsonObject());

        Assert.Equal(400, answer.Status);
        Assert.Contains("widgets", answer.Text("message"), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(429, "RATE_LIMIT")]
    [InlineData(500, "INTERNAL_ERROR")]
    [InlineData(503, "INTERNAL_ERROR")]
    public async Task FaultResponse_IsHubSpotShaped(int status, string expected)
    {
        await using var simulator = new HubSpotSimulator(new HubSpotSimulatorOptions(), null, TimeProvider.System);

        var (answered, body) = simulator.FaultResponse(status, TimeSpan.FromSeconds(2));
        var json = JsonNode.Parse(body)!;

        Assert.Equal(status, answered);
        Assert.Equal("error", json["status"]!.ToString());
        Assert.Equal(expected, (json["errorType"] ?? json["category"])!.ToString());
        Assert.NotNull(json["correlationId"]);
        if (status == 429)
        {
            Assert.Equal("TEN_SECONDLY_ROLLING", json["policyName"]!.ToString());
        }
    }

    private static Task<HubSpotTestServer.Answer> CreateUniquePropertyAsync(HubSpotTestServer server, string name) =>
        server.PostAsync("crm/v3/properties/contacts", new JsonObject
        {
            ["name"] = name,
            ["label"] = "iVvy contact id",
            ["type"] = "string",
            ["fieldType"] = "text",
            ["groupName"] = "contactinformation",
            ["hasUniqueValue"] = true,
        });

    private static JsonObject KeyedInput(string key, string email, string? traceId, (string Name, string Value)? extra = null)
    {
        var properties = new JsonObject { ["ivvy_contact_id"] = key, ["email"] = email };
        if (extra is { } e)
        {
            properties[e.Name] = e.Value;
        }

        var input = new JsonObject { ["id"] = key, ["idProperty"] = "ivvy_contact_id", ["properties"] = properties };
        if (traceId is not null)
        {
            input["objectWriteTraceId"] = traceId;
        }

        return input;
    }

    private static JsonObject SearchBody(int groups, int filtersPerGroup) => new()
    {
        ["filterGroups"] = new JsonArray(Enumerable.Range(0, groups).Select(_ => (JsonNode?)new JsonObject
        {
            ["filters"] = new JsonArray(Enumerable.Range(0, filtersPerGroup).Select(i => (JsonNode?)new JsonObject
            {
                ["propertyName"] = "email",
                ["operator"] = "NEQ",
                ["value"] = $"nobody{i}@example.com",
            }).ToArray()),
        }).ToArray()),
    };
}
