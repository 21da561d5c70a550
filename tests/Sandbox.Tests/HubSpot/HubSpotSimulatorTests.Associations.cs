using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.HubSpot;

namespace IvvyWorkflows.Sandbox.Tests.HubSpot;

// Associations v4 (default associations) and email engagements.
public sealed partial class HubSpotSimulatorTests
{
    [Fact]
    public async Task Associations_PutDefault_LinksBothWays()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("ana@example.com", null));
        var company = await CreateCompanyAsync(server, "c1");

        var answer = await server.SendAsync(HttpMethod.Put, $"crm/v4/objects/contacts/1000001/associations/default/companies/{company}");
        var again = await server.SendAsync(HttpMethod.Put, $"crm/v4/objects/contacts/1000001/associations/default/companies/{company}");
        var unknown = await server.SendAsync(HttpMethod.Put, "crm/v4/objects/contacts/1000001/associations/default/companies/999");

        Assert.Equal(200, answer.Status);
        Assert.Equal("0-1", answer.Text("results.0.fromObjectTypeId"));
        Assert.Equal(200, again.Status);
        Assert.Equal(400, unknown.Status);
        Assert.Equal([company], await server.Simulator.AssociatedAsync("contacts", "1000001", "companies"));
        Assert.Equal(["1000001"], await server.Simulator.AssociatedAsync("0-2", company, "0-1"));
    }

    [Fact]
    public async Task Associations_BatchAssociate_LandsTheKnownPairsAndReportsUnknownIds()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", null), ("b@example.com", null));
        var company = await CreateCompanyAsync(server, "c1");

        var answer = await server.PostAsync("crm/v4/associations/companies/contacts/batch/associate/default", new JsonObject
        {
            ["inputs"] = new JsonArray(
                Pair(company, "1000001"),
                Pair(company, "1000002"),
                Pair(company, "424242"),
                Pair("515151", "1000001")),
        });

        Assert.Equal(207, answer.Status);
        Assert.Equal(2, answer.Body!["results"]!.AsArray().Count);
        Assert.Equal("2", answer.Text("numErrors"));
        Assert.Equal("VALIDATION_ERROR", answer.Text("errors.0.category"));
        Assert.Equal(["1000001", "1000002"], await server.Simulator.AssociatedAsync("companies", company, "contacts"));
    }

    [Fact]
    public async Task Associations_BatchRead_ListsTargetsWithTypesAndReportsUnassociatedAndUnknown()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", null), ("b@example.com", null));
        var company = await CreateCompanyAsync(server, "c1");
        await server.SendAsync(HttpMethod.Put, $"crm/v4/objects/contacts/1000001/associations/default/companies/{company}");

        var answer = await server.PostAsync("crm/v4/associations/contacts/companies/batch/read", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "1000001" }, new JsonObject { ["id"] = "1000002" }, new JsonObject { ["id"] = "777" }),
        });

        Assert.Equal(207, answer.Status);
        Assert.Equal("1000001", answer.Text("results.0.from.id"));
        Assert.Equal(company, answer.Text("results.0.to.0.toObjectId"));
        Assert.Equal("HUBSPOT_DEFINED", answer.Text("results.0.to.0.associationTypes.0.category"));
        Assert.Equal("279", answer.Text("results.0.to.0.associationTypes.0.typeId"));
        var subCategories = answer.Body!["errors"]!.AsArray().Select(e => e!["subCategory"]!.ToString()).Order().ToList();
        Assert.Equal(["crm.associations.INVALID_OBJECT_IDS", "crm.associations.NO_ASSOCIATIONS_FOUND"], subCategories);
    }

    [Fact]
    public async Task Associations_BatchReadOverTheCap_Answers400()
    {
        await using var server = await HubSpotTestServer.StartAsync(new HubSpotSimulatorOptions { AssociationBatchReadMaxInputs = 2 });

        var answer = await server.PostAsync("crm/v4/associations/contacts/companies/batch/read", new JsonObject
        {
            ["inputs"] = new JsonArray(Enumerable.Range(1, 3).Select(i => (JsonNode?)new JsonObject { ["id"] = $"{i}" }).ToArray()),
        });

        Assert.Equal(400, answer.Status);
        Assert.Equal(1_000, new HubSpotSimulatorOptions().AssociationBatchReadMaxInputs);
    }

    [Fact]
    public async Task Associations_BetweenTypesWithoutADefault_Answers400()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync("crm/v4/associations/contacts/contacts/batch/read", new JsonObject { ["inputs"] = new JsonArray() });

        Assert.Equal(400, answer.Status);
    }

    [Fact]
    public async Task Restart_KeepsAssociations()
    {
        var folder = Path.Combine(Path.GetTempPath(), "hubspot-sim-" + Guid.NewGuid().ToString("N"));
        try
        {
            string company;
            await using (var first = await HubSpotTestServer.StartAsync(dataDirectory: folder))
            {
                await first.UpsertContactsByEmailAsync(("a@example.com", null));
                company = await CreateCompanyAsync(first, "c1");
                await first.SendAsync(HttpMethod.Put, $"crm/v4/objects/contacts/1000001/associations/default/companies/{company}");
            }

            await using var second = await HubSpotTestServer.StartAsync(dataDirectory: folder);

            Assert.Equal([company], await second.Simulator.AssociatedAsync("contacts", "1000001", "companies"));
            Assert.Equal(["1000001"], await second.Simulator.AssociatedAsync("companies", company, "contacts"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Emails_UpsertByLogId_DerivesFromAndToFromTheHeadersAndAssociatesToTheContact()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateKeyAsync(server, "emails", "ivvy_email_log_id");
        await server.UpsertContactsByEmailAsync(("guest@example.com", null));
        var headers = new JsonObject
        {
            ["from"] = new JsonObject { ["email"] = "events@venue.example", ["firstName"] = "Venue" },
            ["to"] = new JsonArray(new JsonObject { ["email"] = "guest@example.com" }, new JsonObject { ["email"] = "boss@example.com" }),
            ["cc"] = new JsonArray(),
        };

        var answer = await server.PostAsync("crm/v3/objects/emails/batch/upsert", KeyedBatch("ivvy_email_log_id",
            ("log-1", EmailProperties(headers.ToJsonString()))));
        var email = answer.Text("results.0.id")!;
        var linked = await server.PostAsync("crm/v4/associations/emails/contacts/batch/associate/default", new JsonObject
        {
            ["inputs"] = new JsonArray(Pair(email, "1000001")),
        });
        var again = await server.PostAsync("crm/v3/objects/emails/batch/upsert", KeyedBatch("ivvy_email_log_id",
            ("log-1", EmailProperties(headers.ToJsonString()))));

        Assert.Equal(200, answer.Status);
        var stored = await server.Simulator.FindByPropertyAsync("emails", "ivvy_email_log_id", "log-1");
        Assert.Equal("events@venue.example", stored!["hs_email_from_email"]!.ToString());
        Assert.Equal("guest@example.com;boss@example.com", stored["hs_email_to_email"]!.ToString());
        Assert.Equal("2026-11-02T09:00:00.000Z", stored["hs_timestamp"]!.ToString());
        Assert.Equal(200, linked.Status);
        Assert.Equal("false", again.Text("results.0.new"));
        Assert.Equal([email], await server.Simulator.AssociatedAsync("contacts", "1000001", "emails"));
        Assert.Equal(1, await server.Simulator.CountAsync("emails"));
    }

    [Fact]
    public async Task Emails_WithoutTimestamp_IsAValidationError()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateKeyAsync(server, "emails", "ivvy_email_log_id");
        var properties = EmailProperties(null);
        properties.Remove("hs_timestamp");

        var answer = await server.PostAsync("crm/v3/objects/emails/batch/upsert", KeyedBatch("ivvy_email_log_id", ("log-1", properties)));

        Assert.Equal(400, answer.Status);
        Assert.Equal("VALIDATION_ERROR", answer.Text("category"));
        Assert.Contains("hs_timestamp", answer.Text("message"), StringComparison.Ordinal);
        Assert.Equal(0, await server.Simulator.CountAsync("emails"));
    }

    [Theory]
    [InlineData("hs_email_direction", "OUTGOING")]
    [InlineData("hs_email_from_email", "me@example.com")]
    public async Task Emails_InvalidOrReadOnlyValue_IsAValidationError(string property, string value)
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateKeyAsync(server, "emails", "ivvy_email_log_id");
        var properties = EmailProperties(null);
        properties[property] = value;

        var answer = await server.PostAsync("crm/v3/objects/emails/batch/upsert", KeyedBatch("ivvy_email_log_id", ("log-1", properties)));

        Assert.Equal(400, answer.Status);
        Assert.Equal("VALIDATION_ERROR", answer.Text("category"));
        Assert.Contains(property, answer.Text("message"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Emails_ValueOverTheTextLimit_FailsThatInputOnly()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateKeyAsync(server, "emails", "ivvy_email_log_id");
        var atLimit = EmailProperties(null);
        atLimit["hs_email_html"] = new string('x', 65_536);
        var overLimit = EmailProperties(null);
        overLimit["hs_email_html"] = new string('x', 65_537);
        var batch = KeyedBatch("ivvy_email_log_id", ("fits", atLimit), ("too-long", overLimit));
        batch["inputs"]![0]!["objectWriteTraceId"] = "fits";
        batch["inputs"]![1]!["objectWriteTraceId"] = "too-long";

        var answer = await server.PostAsync("crm/v3/objects/emails/batch/upsert", batch);

        Assert.Equal(207, answer.Status);
        Assert.Equal("too-long", answer.Text("errors.0.context.objectWriteTraceId.0"));
        Assert.Equal("VALIDATION_ERROR", answer.Text("errors.0.category"));
        Assert.Contains("hs_email_html", answer.Text("errors.0.message"), StringComparison.Ordinal);
        Assert.Equal(1, await server.Simulator.CountAsync("emails"));
    }

    [Fact]
    public async Task Emails_BatchCreateWithInlineAssociation_LinksToTheContact()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("guest@example.com", null));

        var answer = await server.PostAsync("crm/v3/objects/emails/batch/create", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject
            {
                ["properties"] = EmailProperties(null),
                ["associations"] = new JsonArray(ToContact("1000001", 198)),
            }),
        });

        Assert.Equal(201, answer.Status);
        Assert.Null(answer.Text("results.0.new"));
        Assert.Equal([answer.Text("results.0.id")!], await server.Simulator.AssociatedAsync("contacts", "1000001", "emails"));
    }

    [Fact]
    public async Task CreateObject_WithAnUnknownAssociationTargetOrType_Answers400AndCreatesNothing()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("guest@example.com", null));

        var unknownTarget = await server.PostAsync("crm/v3/objects/emails", new JsonObject
        {
            ["properties"] = EmailProperties(null),
            ["associations"] = new JsonArray(ToContact("424242", 198)),
        });
        var wrongType = await server.PostAsync("crm/v3/objects/emails", new JsonObject
        {
            ["properties"] = EmailProperties(null),
            ["associations"] = new JsonArray(ToContact("1000001", 279)),
        });
        var fine = await server.PostAsync("crm/v3/objects/emails", new JsonObject
        {
            ["properties"] = EmailProperties(null),
            ["associations"] = new JsonArray(ToContact("1000001", 198)),
        });

        Assert.Equal(400, unknownTarget.Status);
        Assert.Equal(400, wrongType.Status);
        Assert.Equal(201, fine.Status);
        Assert.Equal(1, await server.Simulator.CountAsync("emails"));
    }

    [Fact]
    public async Task BatchCreate_ContactWithAnExistingEmail_Answers409Conflict()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("taken@example.com", null));

        var answer = await server.PostAsync("crm/v3/objects/contacts/batch/create", new JsonObject
        {
            ["inputs"] = new JsonArray(
                new JsonObject { ["properties"] = new JsonObject { ["email"] = "fresh@example.com" } },
                new JsonObject { ["properties"] = new JsonObject { ["email"] = "TAKEN@example.com" } }),
        });

        Assert.Equal(409, answer.Status);
        Assert.Equal("Contact already exists. Existing ID: 1000001", answer.Text("message"));
        Assert.Equal(1, await server.Simulator.CountAsync("contacts"));
    }

    [Fact]
    public async Task TouchAsync_EmailHeadersAndDealStage_FollowTheSameRulesAsTheApi()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateKeyAsync(server, "emails", "ivvy_email_log_id");
        await CreateKeyAsync(server, "deals", "ivvy_deal_key");
        var email = (await server.PostAsync("crm/v3/objects/emails/batch/upsert", KeyedBatch("ivvy_email_log_id",
            ("log-1", EmailProperties("""{"from":{"email":"old@example.com"}}"""))))).Text("results.0.id")!;
        var deal = (await server.PostAsync("crm/v3/objects/deals/batch/upsert", KeyedBatch("ivvy_deal_key",
            ("d1", new JsonObject { ["dealname"] = "D", ["dealstage"] = "closedwon" })))).Text("results.0.id")!;

        await server.Simulator.TouchAsync("emails", email, e => e["hs_email_headers"] = """{"from":{"email":"new@example.com"}}""");

        Assert.Equal("new@example.com", (await server.Simulator.FindByPropertyAsync("emails", "ivvy_email_log_id", "log-1"))!["hs_email_from_email"]!.ToString());
        await Assert.ThrowsAsync<InvalidOperationException>(() => server.Simulator.TouchAsync("deals", deal, d => d["dealstage"] = "nowhere"));
        Assert.Equal("closedwon", (await server.Simulator.FindByPropertyAsync("deals", "ivvy_deal_key", "d1"))!["dealstage"]!.ToString());
    }

    private static JsonObject ToContact(string contactId, int typeId) => new()
    {
        ["to"] = new JsonObject { ["id"] = contactId },
        ["types"] = new JsonArray(new JsonObject { ["associationCategory"] = "HUBSPOT_DEFINED", ["associationTypeId"] = typeId }),
    };

    private static JsonObject EmailProperties(string? headers)
    {
        var properties = new JsonObject
        {
            ["hs_timestamp"] = "2026-11-02T09:00:00Z",
            ["hs_email_direction"] = "EMAIL",
            ["hs_email_status"] = "SENT",
            ["hs_email_subject"] = "Your booking",
            ["hs_email_text"] = "See you there.",
        };
        if (headers is not null)
        {
            properties["hs_email_headers"] = headers;
        }

        return properties;
    }

    private static JsonObject Pair(string from, string to) => new()
    {
        ["from"] = new JsonObject { ["id"] = from },
        ["to"] = new JsonObject { ["id"] = to },
    };

    private static async Task<string> CreateCompanyAsync(HubSpotTestServer server, string key)
    {
        await CreateKeyAsync(server, "companies", "ivvy_company_id");
        var answer = await server.PostAsync("crm/v3/objects/companies/batch/upsert", KeyedBatch("ivvy_company_id",
            (key, new JsonObject { ["name"] = "Company " + key })));
        return answer.Text("results.0.id")!;
    }
}
