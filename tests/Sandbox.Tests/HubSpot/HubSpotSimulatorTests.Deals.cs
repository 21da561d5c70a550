using System.Globalization;
using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.HubSpot;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.HubSpot;

// Companies and deals through the generic object endpoints, deal pipelines, and batch read.
public sealed partial class HubSpotSimulatorTests
{
    [Fact]
    public async Task Companies_BatchUpsertByUniqueKeyThenSearchByModifiedDate_FindsTheChangedOnes()
    {
        var time = new FakeTimeProvider(Start);
        await using var server = await HubSpotTestServer.StartAsync(time: time);
        await CreateKeyAsync(server, "companies", "ivvy_company_id");
        await server.PostAsync("crm/v3/objects/companies/batch/upsert", KeyedBatch("ivvy_company_id",
            ("c1", new JsonObject { ["name"] = "Acme", ["domain"] = "acme.example", ["city"] = "Perth" }),
            ("c2", new JsonObject { ["name"] = "Globex", ["country"] = "Australia" })));
        time.Advance(TimeSpan.FromMinutes(1));

        var update = await server.PostAsync("crm/v3/objects/companies/batch/upsert", KeyedBatch("ivvy_company_id",
            ("c2", new JsonObject { ["phone"] = "+61 8 5550 0000" })));
        var search = await server.PostAsync("crm/v3/objects/companies/search", ModifiedSince("hs_lastmodifieddate", Start.AddSeconds(30)));

        Assert.Equal(200, update.Status);
        Assert.Equal("false", update.Text("results.0.new"));
        Assert.Equal("1", search.Text("total"));
        Assert.Equal("Globex", search.Text("results.0.properties.name"));
        Assert.Equal("2026-11-02T09:01:00.000Z", search.Text("results.0.properties.hs_lastmodifieddate"));
        Assert.Equal(2, await server.Simulator.CountAsync("companies"));
    }

    [Fact]
    public async Task Companies_UpsertByDomain_IsRefusedAsNonUnique()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync("crm/v3/objects/companies/batch/upsert", KeyedBatch("domain", ("acme.example", new JsonObject())));

        Assert.Equal(400, answer.Status);
        Assert.Equal("Unable to perform update/upsert by non-unique 0-2 property", answer.Text("message"));
    }

    [Theory]
    [InlineData("companies", "country")]
    [InlineData("deals", "closedate")]
    [InlineData("emails", "hs_email_headers")]
    public async Task Properties_StandardOnEachType_AreListed(string type, string property)
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.GetAsync($"crm/v3/properties/{type}/{property}");

        Assert.Equal(200, answer.Status);
        Assert.Equal(property, answer.Text("name"));
    }

    [Fact]
    public async Task Pipelines_Deals_ListTheDefaultPipelineWithHubSpotsStages()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.GetAsync("crm/v3/pipelines/deals");

        Assert.Equal(200, answer.Status);
        Assert.Equal("default", answer.Text("results.0.id"));
        var stages = answer.Body!["results"]![0]!["stages"]!.AsArray().Select(s => s!["id"]!.ToString()).ToList();
        Assert.Equal(["appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"], stages);
        Assert.Equal("true", answer.Text("results.0.stages.5.metadata.isClosed"));
    }

    [Fact]
    public async Task Deals_UpsertWithAKnownStage_LandsAndGetsTheDefaultPipeline()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateKeyAsync(server, "deals", "ivvy_deal_key");

        var answer = await server.PostAsync("crm/v3/objects/deals/batch/upsert", KeyedBatch("ivvy_deal_key",
            ("booking-1", new JsonObject { ["dealname"] = "Gala dinner", ["amount"] = "1200.50", ["closedate"] = "2026-12-01", ["dealstage"] = "qualifiedtobuy" })));

        Assert.Equal(200, answer.Status);
        var deal = await server.Simulator.FindByPropertyAsync("deals", "ivvy_deal_key", "booking-1");
        Assert.Equal("default", deal!["pipeline"]!.ToString());
        Assert.Equal("qualifiedtobuy", deal["dealstage"]!.ToString());
        Assert.Equal("2026-12-01T00:00:00.000Z", deal["closedate"]!.ToString());
    }

    [Fact]
    public async Task Deals_UnknownStage_IsAValidationErrorForThatInputOnly()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateKeyAsync(server, "deals", "ivvy_deal_key");
        var inputs = KeyedBatch("ivvy_deal_key",
            ("ok", new JsonObject { ["dealname"] = "Fine", ["pipeline"] = "default", ["dealstage"] = "closedwon" }),
            ("bad-stage", new JsonObject { ["dealname"] = "Bad", ["pipeline"] = "default", ["dealstage"] = "confirmed" }),
            ("bad-pipeline", new JsonObject { ["dealname"] = "Worse", ["pipeline"] = "nope", ["dealstage"] = "closedwon" }));
        foreach (var (input, i) in inputs["inputs"]!.AsArray().Select((n, i) => (n!, i)))
        {
            input["objectWriteTraceId"] = $"t{i}";
        }

        var withTraces = await server.PostAsync("crm/v3/objects/deals/batch/upsert", inputs);
        var whole = await server.PostAsync("crm/v3/objects/deals/batch/upsert", KeyedBatch("ivvy_deal_key",
            ("again", new JsonObject { ["dealstage"] = "confirmed" })));

        Assert.Equal(207, withTraces.Status);
        Assert.Equal("2", withTraces.Text("numErrors"));
        var errors = withTraces.Body!["errors"]!.AsArray().ToDictionary(e => e!["context"]!["objectWriteTraceId"]![0]!.ToString());
        Assert.Equal("VALIDATION_ERROR", errors["t1"]!["category"]!.ToString());
        Assert.Contains("INVALID_OPTION", errors["t1"]!["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains("dealstage", errors["t1"]!["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Contains("pipeline", errors["t2"]!["message"]!.ToString(), StringComparison.Ordinal);
        Assert.Equal(400, whole.Status);
        Assert.Equal("VALIDATION_ERROR", whole.Text("category"));
        Assert.Equal(1, await server.Simulator.CountAsync("deals"));
    }

    [Fact]
    public async Task Pipelines_Create_GivesStagesIdsThatDealsCanUse()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await CreateKeyAsync(server, "deals", "ivvy_deal_key");

        var created = await server.PostAsync("crm/v3/pipelines/deals", VenuePipeline("Venue bookings"));
        var pipelineId = created.Text("id")!;
        var confirmed = created.Body!["stages"]!.AsArray().Single(s => s!["label"]!.ToString() == "Confirmed")!["id"]!.ToString();
        var inPipeline = await server.PostAsync("crm/v3/objects/deals/batch/upsert", KeyedBatch("ivvy_deal_key",
            ("b1", new JsonObject { ["dealname"] = "Room block", ["pipeline"] = pipelineId, ["dealstage"] = confirmed })));
        var defaultStageThere = await server.PostAsync("crm/v3/objects/deals/batch/upsert", KeyedBatch("ivvy_deal_key",
            ("b2", new JsonObject { ["dealname"] = "Other", ["pipeline"] = pipelineId, ["dealstage"] = "closedwon" })));
        var sameLabel = await server.PostAsync("crm/v3/pipelines/deals", VenuePipeline("venue BOOKINGS"));
        var read = await server.GetAsync($"crm/v3/pipelines/deals/{pipelineId}");

        Assert.Equal(201, created.Status);
        Assert.Equal(200, inPipeline.Status);
        Assert.Equal(400, defaultStageThere.Status);
        Assert.Equal(409, sameLabel.Status);
        Assert.Equal("Venue bookings", read.Text("label"));
        Assert.Equal(2, (await server.GetAsync("crm/v3/pipelines/deals")).Body!["results"]!.AsArray().Count);
    }

    [Fact]
    public async Task Pipelines_StageWithoutProbability_Answers400()
    {
        await using var server = await HubSpotTestServer.StartAsync();

        var answer = await server.PostAsync("crm/v3/pipelines/deals", new JsonObject
        {
            ["label"] = "No odds",
            ["stages"] = new JsonArray(new JsonObject { ["label"] = "Open" }),
        });
        var forContacts = await server.GetAsync("crm/v3/pipelines/contacts");

        Assert.Equal(400, answer.Status);
        Assert.Equal("VALIDATION_ERROR", answer.Text("category"));
        Assert.Equal(400, forContacts.Status);
    }

    [Fact]
    public async Task BatchRead_ByIdAndByUniqueProperty_ReturnsFoundAndReportsMissingIds()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", new JsonObject { ["firstname"] = "Ana" }), ("b@example.com", null));

        var byId = await server.PostAsync("crm/v3/objects/contacts/batch/read", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "1000001" }, new JsonObject { ["id"] = "999" }, new JsonObject { ["id"] = "1000002" }),
            ["properties"] = new JsonArray("firstname", "email"),
        });
        var byEmail = await server.PostAsync("crm/v3/objects/contacts/batch/read", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "A@example.com" }),
            ["idProperty"] = "email",
            ["properties"] = new JsonArray("firstname"),
        });
        var nonUnique = await server.PostAsync("crm/v3/objects/contacts/batch/read", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "Ana" }),
            ["idProperty"] = "firstname",
        });

        Assert.Equal(207, byId.Status);
        Assert.Equal(2, byId.Body!["results"]!.AsArray().Count);
        Assert.Equal("Ana", byId.Text("results.0.properties.firstname"));
        Assert.Equal("OBJECT_NOT_FOUND", byId.Text("errors.0.category"));
        Assert.Equal("999", byId.Text("errors.0.context.ids.0"));
        Assert.Equal(200, byEmail.Status);
        Assert.Equal("1000001", byEmail.Text("results.0.id"));
        Assert.Equal(400, nonUnique.Status);
    }

    [Fact]
    public async Task BatchRead_OverMaxBatchSize_Answers400()
    {
        await using var server = await HubSpotTestServer.StartAsync(new HubSpotSimulatorOptions { MaxBatchSize = 2 });

        var answer = await server.PostAsync("crm/v3/objects/deals/batch/read", new JsonObject
        {
            ["inputs"] = new JsonArray(Enumerable.Range(1, 3).Select(i => (JsonNode?)new JsonObject { ["id"] = $"{i}" }).ToArray()),
        });

        Assert.Equal(400, answer.Status);
    }

    [Fact]
    public async Task Restart_KeepsPipelines()
    {
        var folder = Path.Combine(Path.GetTempPath(), "hubspot-sim-" + Guid.NewGuid().ToString("N"));
        try
        {
            string pipelineId;
            await using (var first = await HubSpotTestServer.StartAsync(dataDirectory: folder))
            {
                pipelineId = (await first.PostAsync("crm/v3/pipelines/deals", VenuePipeline("Venue bookings"))).Text("id")!;
            }

            await using var second = await HubSpotTestServer.StartAsync(dataDirectory: folder);
            var read = await second.GetAsync($"crm/v3/pipelines/deals/{pipelineId}");
            var newer = await second.PostAsync("crm/v3/pipelines/deals", VenuePipeline("Catering"));

            Assert.Equal(200, read.Status);
            Assert.Equal(3, read.Body!["stages"]!.AsArray().Count);
            Assert.True(long.Parse(newer.Text("id")!, CultureInfo.InvariantCulture) > long.Parse(pipelineId, CultureInfo.InvariantCulture));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static Task<HubSpotTestServer.Answer> CreateKeyAsync(HubSpotTestServer server, string type, string name) =>
        server.PostAsync($"crm/v3/properties/{type}", new JsonObject
        {
            ["name"] = name,
            ["label"] = name,
            ["type"] = "string",
            ["fieldType"] = "text",
            ["groupName"] = "information",
            ["hasUniqueValue"] = true,
        });

    private static JsonObject KeyedBatch(string idProperty, params (string Key, JsonObject Properties)[] records) => new()
    {
        ["inputs"] = new JsonArray(records.Select(r => (JsonNode?)new JsonObject
        {
            ["id"] = r.Key,
            ["idProperty"] = idProperty,
            ["properties"] = r.Properties,
        }).ToArray()),
    };

    private static JsonObject ModifiedSince(string property, DateTimeOffset since) => new()
    {
        ["filterGroups"] = new JsonArray(new JsonObject
        {
            ["filters"] = new JsonArray(new JsonObject
            {
                ["propertyName"] = property,
                ["operator"] = "GTE",
                ["value"] = since.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
            }),
        }),
        ["sorts"] = new JsonArray(new JsonObject { ["propertyName"] = property, ["direction"] = "ASCENDING" }),
        ["properties"] = new JsonArray("name", property),
    };

    private static JsonObject VenuePipeline(string label) => new()
    {
        ["label"] = label,
        ["displayOrder"] = 1,
        ["stages"] = new JsonArray(
            new JsonObject { ["label"] = "Tentative", ["displayOrder"] = 0, ["metadata"] = new JsonObject { ["probability"] = "0.5" } },
            new JsonObject { ["label"] = "Confirmed", ["displayOrder"] = 1, ["metadata"] = new JsonObject { ["probability"] = "1.0" } },
            new JsonObject { ["label"] = "Cancelled", ["displayOrder"] = 2, ["metadata"] = new JsonObject { ["probability"] = "0.0" } }),
    };
}
