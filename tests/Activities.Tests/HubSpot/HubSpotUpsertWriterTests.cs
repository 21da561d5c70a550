using System.Globalization;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.HubSpot;

public sealed class HubSpotUpsertWriterTests
{
    private const string Key = "ivvy_contact_id";

    [Fact]
    public async Task EnsureSchemaAsync_PropertyMissing_CreatesItUniqueOnce()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient();
        var writer = new HubSpotUpsertWriter(client, "contacts", Key, "iVvy contact id");

        await writer.EnsureSchemaAsync(default);
        await writer.EnsureSchemaAsync(default);
        await new HubSpotUpsertWriter(client, "contacts", Key, "iVvy contact id").EnsureSchemaAsync(default);
        var property = await client.GetPropertyAsync("contacts", Key, default);

        Assert.Equal(1, hubSpot.Calls("properties.create"));
        Assert.True(property!.HasUniqueValue);
        Assert.Equal("iVvy contact id", property.Label);
        Assert.Equal("contactinformation", property.GroupName);
    }

    [Fact]
    public async Task EnsureSchemaAsync_PropertyExistsWithoutUniqueValues_IsConfig()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient();
        await client.CreatePropertyAsync("contacts",
            new HubSpotProperty(Key, "iVvy id", "string", "text", "contactinformation", HasUniqueValue: false), default);
        var writer = new HubSpotUpsertWriter(client, "contacts", Key, "iVvy contact id");

        var error = await Assert.ThrowsAsync<ConnectorException>(() => writer.EnsureSchemaAsync(default));

        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.Contains(Key, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EnsureSchemaAsync_ContactsByEmail_AcceptsTheSystemUniqueProperty()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var writer = new HubSpotUpsertWriter(hubSpot.CreateClient(), "contacts", "email", "Email");

        await writer.EnsureSchemaAsync(default);

        Assert.Equal(0, hubSpot.Calls("properties.create"));
    }

    [Fact]
    public async Task UpsertAsync_SameBatchTwice_CreatesThenUpdatesWithoutDuplicates()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var writer = await ReadyWriterAsync(hubSpot);
        var batch = Contacts(5);

        var first = await writer.UpsertAsync(batch, default);
        var second = await writer.UpsertAsync(batch, default);

        Assert.All(first, r => Assert.Equal(UpsertOutcome.Created, r.Outcome));
        Assert.All(second, r => Assert.Equal(UpsertOutcome.Updated, r.Outcome));
        Assert.Equal(first.Select(r => r.TargetId), second.Select(r => r.TargetId));
        Assert.Equal(batch.Select(r => r.SourceId), second.Select(r => r.SourceId));
        Assert.Equal(5, await hubSpot.Simulator.CountAsync("contacts"));
    }

    [Fact]
    public async Task UpsertAsync_EmailHeldByAContactCreatedInHubSpot_ClaimsThatContactInsteadOfRefusing()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient();
        var writer = await ReadyWriterAsync(hubSpot, client);
        await client.BatchUpsertAsync("contacts", [new HubSpotUpsertInput("made-in-hubspot@example.com", "email", new JsonObject { ["firstname"] = "Hub" }, null)], default);
        var existing = await hubSpot.Simulator.FindByPropertyAsync("contacts", "email", "made-in-hubspot@example.com");

        var result = Assert.Single(await writer.UpsertAsync(
            [new TargetRecord("77", new JsonObject { ["email"] = "made-in-hubspot@example.com", ["firstname"] = "Ivvy" })], default));

        Assert.Equal(UpsertOutcome.Updated, result.Outcome);
        Assert.Equal((string)existing!["id"]!, result.TargetId);
        var claimed = await hubSpot.Simulator.FindByPropertyAsync("contacts", Key, "77");
        Assert.Equal((string)existing["id"]!, (string?)claimed!["id"]);
        Assert.Equal("Ivvy", (string?)claimed["firstname"]);
        Assert.Equal(1, await hubSpot.Simulator.CountAsync("contacts"));
    }

    [Fact]
    public async Task UpsertAsync_OneInvalidAndOneConflictingEmailAmongTen_LandsEightAndRejectsTwoWithReasons()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient();
        var writer = await ReadyWriterAsync(hubSpot, client);
        // A true duplicate: the email belongs to a contact that another iVvy record already keys.
        await client.BatchUpsertAsync("contacts", [new HubSpotUpsertInput("taken@example.com", "email", new JsonObject { [Key] = "other-ivvy-id" }, null)], default);
        var batch = Contacts(10).ToList();
        batch[2] = batch[2] with { Properties = new JsonObject { ["email"] = "not an email", ["firstname"] = "Bad" } };
        batch[6] = batch[6] with { Properties = new JsonObject { ["email"] = "taken@example.com", ["firstname"] = "Dup" } };
        var callsBefore = hubSpot.Calls("contacts.batch/upsert");

        var results = await writer.UpsertAsync(batch, default);

        Assert.Equal(batch.Select(r => r.SourceId), results.Select(r => r.SourceId));
        Assert.Equal(8, results.Count(r => r.Outcome == UpsertOutcome.Created && r.TargetId is not null));
        Assert.Equal(UpsertOutcome.Rejected, results[2].Outcome);
        Assert.Contains("INVALID_EMAIL", results[2].Error, StringComparison.Ordinal);
        Assert.Equal(UpsertOutcome.Rejected, results[6].Outcome);
        Assert.StartsWith("CONFLICT: Contact already exists. Existing ID: ", results[6].Error, StringComparison.Ordinal);
        Assert.Equal(9, await hubSpot.Simulator.CountAsync("contacts"));
        Assert.Equal(callsBefore + 1, hubSpot.Calls("contacts.batch/upsert"));
    }

    [Fact]
    public async Task UpsertAsync_WholeBatchRefused_BisectsSoOnlyTheBadRecordsAreRejected()
    {
        // A HubSpot that ignores trace ids: one bad record fails whichever batch carries it.
        var landed = new List<string>();
        var handler = new ScriptedHubSpotHandler((_, body, _) =>
        {
            var inputs = body!["inputs"]!.AsArray();
            if (inputs.Any(i => i!["properties"]!["email"]!.ToString().StartsWith("bad", StringComparison.Ordinal)))
            {
                return ScriptedHubSpotHandler.Json(400, new JsonObject
                {
                    ["status"] = "error",
                    ["message"] = "Property values were not valid: [{\"error\":\"INVALID_EMAIL\"}]",
                    ["category"] = "VALIDATION_ERROR",
                });
            }

            var results = new JsonArray();
            foreach (var input in inputs)
            {
                var key = input!["id"]!.ToString();
                landed.Add(key);
                results.Add(new JsonObject
                {
                    ["id"] = (5000 + int.Parse(key, CultureInfo.InvariantCulture)).ToString(CultureInfo.InvariantCulture),
                    ["properties"] = new JsonObject { [Key] = key },
                    ["new"] = true,
                });
            }

            return ScriptedHubSpotHandler.Json(200, new JsonObject { ["status"] = "COMPLETE", ["results"] = results });
        });
        var writer = new HubSpotUpsertWriter(
            HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start)), "contacts", Key, "iVvy contact id");
        var batch = Contacts(10).ToList();
        batch[3] = batch[3] with { Properties = new JsonObject { ["email"] = "bad-1" } };
        batch[8] = batch[8] with { Properties = new JsonObject { ["email"] = "bad-2" } };

        var results = await writer.UpsertAsync(batch, default);

        Assert.Equal(8, results.Count(r => r.Outcome == UpsertOutcome.Created));
        Assert.Equal([3, 8], results.Select((r, i) => (r, i)).Where(x => x.r.Outcome == UpsertOutcome.Rejected).Select(x => x.i));
        Assert.Contains("VALIDATION_ERROR", results[3].Error, StringComparison.Ordinal);
        Assert.Equal("5000", results[0].TargetId);
        // Every good record landed exactly once, and bisection stayed within 2n−1 calls.
        Assert.Equal(batch.Where((_, i) => i is not (3 or 8)).Select(r => r.SourceId).Order(), landed.Order());
        Assert.InRange(handler.Calls, 3, 19);
    }

    [Fact]
    public async Task UpsertAsync_KeyPropertyNotUnique_ThrowsConfigWithoutBisecting()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var writer = new HubSpotUpsertWriter(hubSpot.CreateClient(), "contacts", "firstname", "First name");

        var error = await Assert.ThrowsAsync<ConnectorException>(() => writer.UpsertAsync(Contacts(4), default));

        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.Contains("non-unique", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, hubSpot.Calls("contacts.batch/upsert"));
    }

    [Fact]
    public async Task UpsertAsync_DuplicateSourceIds_WritesTheLastOnce()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var writer = await ReadyWriterAsync(hubSpot);
        TargetRecord[] batch =
        [
            new("1", new JsonObject { ["email"] = "one@example.com", ["firstname"] = "First" }),
            new("2", new JsonObject { ["email"] = "two@example.com" }),
            new("1", new JsonObject { ["email"] = "one@example.com", ["firstname"] = "Last" }),
        ];

        var results = await writer.UpsertAsync(batch, default);

        Assert.Equal(["1", "2", "1"], results.Select(r => r.SourceId));
        Assert.Equal(results[0], results[2]);
        Assert.Equal(2, await hubSpot.Simulator.CountAsync("contacts"));
        Assert.Equal("Last", (await hubSpot.Simulator.FindByPropertyAsync("contacts", Key, "1"))!["firstname"]!.ToString());
    }

    [Fact]
    public async Task UpsertAsync_MoreThanBatchSize_SendsChunks()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient(o => o.BatchSize = 3);
        var writer = await ReadyWriterAsync(hubSpot, client);

        var results = await writer.UpsertAsync(Contacts(7), default);

        Assert.Equal(3, writer.MaxBatchSize);
        Assert.Equal(7, results.Count(r => r.Outcome == UpsertOutcome.Created));
        Assert.Equal(3, hubSpot.Calls("contacts.batch/upsert"));
    }

    [Fact]
    public async Task UpsertAsync_SendsKeyAndTraceIdPerRecord()
    {
        var handler = new ScriptedHubSpotHandler((_, _, _) => ScriptedHubSpotHandler.Json(200, new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = new JsonArray(new JsonObject { ["id"] = "9", ["properties"] = new JsonObject { [Key] = "42" }, ["new"] = false }),
        }));
        var writer = new HubSpotUpsertWriter(
            HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start)), "contacts", Key, "iVvy contact id");

        var results = await writer.UpsertAsync([new TargetRecord("42", new JsonObject { ["firstname"] = "Zoë" })], default);

        var input = handler.Requests[0].Body!["inputs"]![0]!;
        Assert.Equal("42", input["id"]!.ToString());
        Assert.Equal(Key, input["idProperty"]!.ToString());
        Assert.Equal("42", input["objectWriteTraceId"]!.ToString());
        Assert.Equal("42", input["properties"]![Key]!.ToString());
        Assert.Equal("Zoë", input["properties"]!["firstname"]!.ToString());
        Assert.Equal(new UpsertResult("42", UpsertOutcome.Updated, "9"), Assert.Single(results));
    }

    [Fact]
    public async Task ReadCurrentAsync_WrittenAndMissingIds_ReturnsTheFlattenedPropertiesOfThoseFound()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var writer = await ReadyWriterAsync(hubSpot);
        var written = await writer.UpsertAsync(Contacts(3), default);
        // An edit in HubSpot after our write: the read must see it.
        await hubSpot.CreateClient().BatchUpsertAsync("contacts",
            [new HubSpotUpsertInput("contact1@example.com", "email", new JsonObject { ["phone"] = "+1 555 0100" }, null)], default);

        var current = await writer.ReadCurrentAsync([.. written.Select(r => r.TargetId!), "999999"], [], default);

        Assert.Equal(written.Select(r => r.TargetId!).Order(StringComparer.Ordinal), current.Keys.Order(StringComparer.Ordinal));
        var second = current[written[1].TargetId!];
        Assert.Equal("+1 555 0100", second["phone"]!.GetValue<string>());
        Assert.Equal("Name1", second["firstname"]!.GetValue<string>());
        Assert.Equal("1", second[Key]!.GetValue<string>());
        Assert.Equal("contact1@example.com", second["email"]!.GetValue<string>());
        Assert.Equal(1, hubSpot.Calls("contacts.batch/read"));
    }

    [Fact]
    public async Task ReadCurrentAsync_MergedAndDeletedIds_AnswersMovedToTheSurvivorAndGone()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var writer = await ReadyWriterAsync(hubSpot);
        var written = (await writer.UpsertAsync(Contacts(3), default)).Select(r => r.TargetId!).ToList();
        var survivor = await hubSpot.Simulator.MergeAsync("contacts", written[0], written[1]);
        await hubSpot.CreateClient().ArchiveAsync("contacts", [written[2]], default);

        var current = await writer.ReadCurrentAsync(written, [], default);

        Assert.Equal(survivor, current.MovedTo(written[0]));
        Assert.Equal(survivor, current.MovedTo(written[1]));
        Assert.Equal("0", current[written[1]][Key]!.GetValue<string>());
        Assert.False(current[written[0]].ContainsKey(HubSpotUpsertWriter.MergedObjectIds));
        Assert.True(current.IsGone(written[2]));
        Assert.Null(current.MovedTo(written[2]));
        Assert.Equal(1, hubSpot.Calls("contacts.batch/read"));
    }

    [Fact]
    public async Task ReadCurrentAsync_NoIds_CallsNothing()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var writer = new HubSpotUpsertWriter(hubSpot.CreateClient(), "contacts", Key, "iVvy contact id");

        var current = await writer.ReadCurrentAsync([], [], default);

        Assert.Empty(current);
        Assert.Equal(0, hubSpot.Calls("contacts.batch/read"));
    }

    [Fact]
    public async Task ReadCurrentAsync_GivenReadProperties_AsksForThemAndTheKeyOnly()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient();
        await new HubSpotUpsertWriter(client, "companies", "ivvy_company_id", "iVvy company id").EnsureSchemaAsync(default);
        var writer = new HubSpotUpsertWriter(client, "companies", "ivvy_company_id", "iVvy company id", ["name", "city"]);
        var written = Assert.Single(await writer.UpsertAsync(
            [new TargetRecord("c-7", new JsonObject { ["name"] = "Harbour Events", ["domain"] = "harbour.example.com", ["city"] = "Sydney" })],
            default));

        var current = await writer.ReadCurrentAsync([written.TargetId!], [], default);

        Assert.Equal(UpsertOutcome.Created, written.Outcome);
        var company = current[written.TargetId!];
        Assert.Equal(["ivvy_company_id", "name", "city"], writer.ReadProperties);
        Assert.Equal("Sydney", company["city"]!.GetValue<string>());
        Assert.Equal("Harbour Events", company["name"]!.GetValue<string>());
        Assert.Equal("c-7", company["ivvy_company_id"]!.GetValue<string>());
        Assert.False(company.ContainsKey("domain"));
    }

    [Fact]
    public void ReadProperties_NoneGiven_AreTheKeyAndTheObjectTypesDefaults()
    {
        var client = HubSpotTestClients.Create(new ScriptedHubSpotHandler((_, _, _) => throw new InvalidOperationException("no call expected")),
            new FakeTimeProvider(SimulatedHubSpot.Start));

        Assert.Equal([Key, "email", "firstname", "lastname", "phone", "company"],
            new HubSpotUpsertWriter(client, "contacts", Key, "k").ReadProperties);
        Assert.Equal(["ivvy_company_id", "name", "domain", "phone", "city", "country"],
            new HubSpotUpsertWriter(client, "companies", "ivvy_company_id", "k").ReadProperties);
        Assert.Equal(["ivvy_booking_id"], new HubSpotUpsertWriter(client, "deals", "ivvy_booking_id", "k").ReadProperties);
    }

    private static async Task<HubSpotUpsertWriter> ReadyWriterAsync(SimulatedHubSpot hubSpot, HubSpotClient? client = null)
    {
        var writer = new HubSpotUpsertWriter(client ?? hubSpot.CreateClient(), "contacts", Key, "iVvy contact id");
        await writer.EnsureSchemaAsync(default);
        return writer;
    }

    private static TargetRecord[] Contacts(int count) =>
        Enumerable.Range(0, count).Select(i => new TargetRecord(
            i.ToString(CultureInfo.InvariantCulture),
            new JsonObject { ["email"] = $"contact{i}@example.com", ["firstname"] = $"Name{i}", ["lastname"] = "Müller" })).ToArray();
}
