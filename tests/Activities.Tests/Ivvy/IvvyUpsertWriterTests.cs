using System.Globalization;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Sandbox.Ivvy;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

public sealed class IvvyUpsertWriterTests
{
    [Fact]
    public async Task UpsertAsync_NewContacts_CreatesThemWithTheCrmIdAsExternalId()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);
        var batch = Contacts(3);

        var results = await writer.UpsertAsync(batch, default);

        Assert.Equal(batch.Select(r => r.SourceId), results.Select(r => r.SourceId));
        Assert.All(results, r => Assert.Equal(UpsertOutcome.Created, r.Outcome));
        Assert.Equal(3, results.Select(r => r.TargetId).Distinct().Count());
        Assert.Equal(3, await ivvy.Simulator.CountContactsAsync());
        for (var i = 0; i < batch.Length; i++)
        {
            var stored = await ivvy.Simulator.GetContactAsync(int.Parse(results[i].TargetId!, CultureInfo.InvariantCulture));
            Assert.Equal(batch[i].SourceId, stored!["externalId"]!.GetValue<string>());
            Assert.Equal($"First{i}", stored["firstName"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task UpsertAsync_ManyRecords_GoThroughOneBatchRunAndARefusedOneStaysAlone()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);
        var batch = Contacts(250).ToList();
        batch[7] = Contact(batch[7].SourceId, "Bad", "Email", "not-an-email");

        var results = await writer.UpsertAsync(batch, default);

        Assert.Equal(UpsertOutcome.Rejected, results[7].Outcome);
        Assert.StartsWith("23016", results[7].Error);
        Assert.Equal(249, results.Count(r => r.Outcome == UpsertOutcome.Created));
        Assert.Equal(249, await ivvy.Simulator.CountContactsAsync());
        // 250 writes in two batch runs (200 + 50), three calls each, instead of 250 calls.
        Assert.Equal(2, ivvy.Calls("batch.run"));
        Assert.Equal(0, ivvy.Calls("contact.addOrUpdateContact"));
    }

    [Fact]
    public async Task UpsertAsync_TargetIdKnown_UpdatesThatContactAndSaysUpdated()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);
        var created = Assert.Single(await writer.UpsertAsync([Contact("hs-1", "Ana", "Lee", "ana@example.com")], default));

        var renamed = new TargetRecord("hs-1",
            new JsonObject { ["firstName"] = "Anna", ["lastName"] = "Lee-Park", ["email"] = "anna@example.com", ["phone"] = "+61 2 5550 0101" },
            created.TargetId);
        var updated = Assert.Single(await writer.UpsertAsync([renamed], default));

        Assert.Equal(UpsertOutcome.Updated, updated.Outcome);
        Assert.Equal(created.TargetId, updated.TargetId);
        Assert.Equal(1, await ivvy.Simulator.CountContactsAsync());
        var stored = await ivvy.Simulator.GetContactAsync(int.Parse(created.TargetId!, CultureInfo.InvariantCulture));
        Assert.Equal("Lee-Park", stored!["lastName"]!.GetValue<string>());
        Assert.Equal("+61 2 5550 0101", stored["phone"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpsertAsync_SameIdentityWithoutTargetId_PairsWithTheExistingContactInsteadOfAddingOne()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);
        // A contact already in iVvy (entered there, no externalId yet).
        var existing = await ivvy.CreateClient().AddOrUpdateAsync("contact", "addOrUpdateContact",
            new JsonObject { ["firstName"] = "Ana", ["lastName"] = "Lee", ["email"] = "ana@example.com" }, default);

        var result = Assert.Single(await writer.UpsertAsync(
            [new TargetRecord("hs-77", new JsonObject { ["firstName"] = "ana", ["lastName"] = "LEE", ["email"] = "Ana@Example.com", ["phone"] = "555" })],
            default));

        Assert.Equal(UpsertOutcome.Created, result.Outcome);
        Assert.Equal(existing.Id, result.TargetId);
        Assert.Equal(1, await ivvy.Simulator.CountContactsAsync());
        var stored = await ivvy.Simulator.GetContactAsync(int.Parse(existing.Id, CultureInfo.InvariantCulture));
        Assert.Equal("hs-77", stored!["externalId"]!.GetValue<string>());
        Assert.Equal("555", stored["phone"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpsertAsync_SameBatchTwiceWithoutTargetIds_CreatesNothingTwice()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);
        var batch = Contacts(12);

        var first = await writer.UpsertAsync(batch, default);
        var second = await writer.UpsertAsync(batch, default);

        Assert.Equal(first.Select(r => r.TargetId), second.Select(r => r.TargetId));
        Assert.Equal(12, await ivvy.Simulator.CountContactsAsync());
    }

    [Fact]
    public async Task UpsertAsync_InvalidEmailAmongFive_RejectsItWithIvvysReasonAndLandsTheRest()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);
        var batch = Contacts(5).ToArray();
        batch[2] = Contact("hs-bad", "Bad", "Mail", "not an email");

        var results = await writer.UpsertAsync(batch, default);

        Assert.Equal(batch.Select(r => r.SourceId), results.Select(r => r.SourceId));
        Assert.Equal(UpsertOutcome.Rejected, results[2].Outcome);
        Assert.Null(results[2].TargetId);
        Assert.StartsWith("23016: ", results[2].Error, StringComparison.Ordinal);
        Assert.Contains("email", results[2].Error, StringComparison.Ordinal);
        Assert.Equal(4, results.Count(r => r.Outcome == UpsertOutcome.Created));
        Assert.Equal(4, await ivvy.Simulator.CountContactsAsync());
    }

    [Fact]
    public async Task UpsertAsync_TargetIdNoLongerInIvvy_IsRejectedNotCreated()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);

        var result = Assert.Single(await writer.UpsertAsync([Contact("hs-1", "Ana", "Lee", "ana@example.com") with { TargetId = "999" }], default));

        Assert.Equal(UpsertOutcome.Rejected, result.Outcome);
        Assert.StartsWith("24096: ", result.Error, StringComparison.Ordinal);
        Assert.Equal(0, await ivvy.Simulator.CountContactsAsync());
    }

    [Fact]
    public async Task UpsertAsync_WrongCredentials_ThrowsConfigInsteadOfRejecting()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(apiSecret: "not-the-secret"), IvvyWriteSpec.Contacts);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => writer.UpsertAsync(Contacts(6), default));

        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.Equal(0, await ivvy.Simulator.CountContactsAsync());
    }

    [Fact]
    public async Task UpsertAsync_SameSourceIdTwiceInABatch_WritesTheLastOnceAndAnswersBoth()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);

        var results = await writer.UpsertAsync(
            [Contact("hs-1", "Ana", "Lee", "ana@example.com"), Contact("hs-1", "Ana", "Lee", "ana@example.com") with
            {
                Properties = new JsonObject { ["firstName"] = "Ana", ["lastName"] = "Lee", ["email"] = "ana@example.com", ["phone"] = "42" },
            }], default);

        Assert.Equal(2, results.Count);
        Assert.Equal(results[0], results[1]);
        Assert.Equal(1, ivvy.Calls("contact.addOrUpdateContact"));
        var stored = await ivvy.Simulator.GetContactAsync(int.Parse(results[1].TargetId!, CultureInfo.InvariantCulture));
        Assert.Equal("42", stored!["phone"]!.GetValue<string>());
    }

    [Fact]
    public async Task UpsertAsync_Companies_MatchByBusinessNameAndStoreTheExternalId()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Companies);
        var before = await ivvy.Simulator.CountAsync(IvvyEntity.Companies);

        var created = Assert.Single(await writer.UpsertAsync(
            [new TargetRecord("hs-c1", new JsonObject { ["businessName"] = "Harbour Events Pty Ltd", ["phone"] = "1" })], default));
        var matched = Assert.Single(await writer.UpsertAsync(
            [new TargetRecord("hs-c2", new JsonObject { ["businessName"] = "Harbour Events Pty Ltd", ["phone"] = "2" })], default));

        Assert.Equal(UpsertOutcome.Created, created.Outcome);
        Assert.Equal(created.TargetId, matched.TargetId);
        Assert.Equal(before + 1, await ivvy.Simulator.CountAsync(IvvyEntity.Companies));
        var stored = await ivvy.Simulator.GetCompanyAsync(int.Parse(created.TargetId!, CultureInfo.InvariantCulture));
        Assert.Equal("hs-c2", stored!["externalId"]!.GetValue<string>());
        Assert.Equal("2", stored["phone"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReadCurrentAsync_KnownAndUnknownContactIds_ReturnsTheCurrentRecordsOnlyFromOneBatch()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);
        var written = await writer.UpsertAsync(Contacts(6), default);
        var first = int.Parse(written[0].TargetId!, CultureInfo.InvariantCulture);
        // An edit in iVvy after our write: the read must see it.
        await ivvy.Simulator.TouchContactAsync(first, c => c["phone"] = "+61 400 000 000");
        var ids = written.Select(r => r.TargetId!).Append("987654").Append(written[1].TargetId!).ToList();
        var batches = ivvy.Calls("batch.run");

        var current = await writer.ReadCurrentAsync(ids, [], default);

        Assert.Equal(written.Select(r => r.TargetId!).Order(StringComparer.Ordinal), current.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("+61 400 000 000", current[written[0].TargetId!]["phone"]!.GetValue<string>());
        Assert.Equal("hs-3", current[written[3].TargetId!]["externalId"]!.GetValue<string>());
        Assert.Equal("First3", current[written[3].TargetId!]["firstName"]!.GetValue<string>());
        // A page of reads is one batch run (run, progress, results), never one getContact per record.
        Assert.Equal((0, batches + 1), (ivvy.Calls("contact.getContact"), ivvy.Calls("batch.run")));
    }

    [Fact]
    public async Task ReadCurrentAsync_UnknownCompanyId_IsAbsent()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Companies);
        var created = Assert.Single(await writer.UpsertAsync(
            [new TargetRecord("hs-c1", new JsonObject { ["businessName"] = "Quay Conferences" })], default));

        var current = await writer.ReadCurrentAsync([created.TargetId!, "888888"], [], default);

        var company = Assert.Single(current);
        Assert.Equal(created.TargetId, company.Key);
        Assert.Equal("Quay Conferences", company.Value["businessName"]!.GetValue<string>());
    }

    [Fact]
    public async Task ReadCurrentAsync_WrongCredentials_Throws()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(apiSecret: "not-the-secret"), IvvyWriteSpec.Contacts);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => writer.ReadCurrentAsync(["1", "2"], [], default));

        Assert.Equal(FailureKind.Config, error.Kind);
    }

    [Fact]
    public async Task EnsureSchemaAsync_NothingToCreate_CallsNothing()
    {
        await using var ivvy = await SimulatedIvvy.StartAsync();
        var writer = new IvvyUpsertWriter(ivvy.CreateClient(), IvvyWriteSpec.Contacts);

        await writer.EnsureSchemaAsync(default);

        Assert.Empty(ivvy.Meter.Snapshot());
        Assert.Equal(100, writer.MaxBatchSize);
    }

    [Fact]
    public void IdentityFields_Contacts_AreFirstNameLastNameEmail()
    {
        Assert.Equal(["firstName", "lastName", "email"], IvvyWriteSpec.Contacts.IdentityFields);
        Assert.Equal(["businessName"], IvvyWriteSpec.Companies.IdentityFields);
    }

    private static TargetRecord Contact(string sourceId, string first, string last, string email) =>
        new(sourceId, new JsonObject { ["firstName"] = first, ["lastName"] = last, ["email"] = email });

    private static TargetRecord[] Contacts(int count) =>
        Enumerable.Range(0, count).Select(i => Contact($"hs-{i}", $"First{i}", "Müller", $"contact{i}@example.com")).ToArray();
}
