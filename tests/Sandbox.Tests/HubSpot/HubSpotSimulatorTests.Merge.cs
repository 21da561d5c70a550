using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.HubSpot;

namespace IvvyWorkflows.Sandbox.Tests.HubSpot;

// Merges (POST …/merge) and deleted (archived) records as reads see them.
public sealed partial class HubSpotSimulatorTests
{
    private const string Merge = "crm/v3/objects/contacts/merge";

    [Fact]
    public async Task Merge_TwoContacts_MakesOneNewRecordBothOldIdsReadAs()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(
            ("pat@example.com", new JsonObject { ["firstname"] = "Pat" }),
            ("pat.old@example.com", new JsonObject { ["firstname"] = "Patricia", ["phone"] = "+61 400 111 222" }));

        var merged = await server.PostAsync(Merge, new JsonObject { ["primaryObjectId"] = "1000001", ["objectIdToMerge"] = "1000002" });
        var survivor = merged.Text("id")!;
        var byPrimary = await server.GetAsync("crm/v3/objects/contacts/1000001?properties=email,firstname,phone,hs_merged_object_ids");
        var byMerged = await server.GetAsync("crm/v3/objects/contacts/1000002?properties=email");
        var batch = await server.PostAsync("crm/v3/objects/contacts/batch/read", new JsonObject
        {
            ["properties"] = new JsonArray("email", "hs_merged_object_ids"),
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "1000002" }, new JsonObject { ["id"] = "1000001" }),
        });
        var search = await server.PostAsync(Search, new JsonObject());
        var archived = await server.GetAsync("crm/v3/objects/contacts?archived=true");

        Assert.Equal(200, merged.Status);
        Assert.NotEqual("1000001", survivor);
        Assert.NotEqual("1000002", survivor);
        Assert.Equal(survivor, byPrimary.Text("id"));
        Assert.Equal("pat@example.com", byPrimary.Text("properties.email"));
        Assert.Equal("Pat", byPrimary.Text("properties.firstname"));
        Assert.Equal("+61 400 111 222", byPrimary.Text("properties.phone"));
        Assert.Equal("1000001;1000002", byPrimary.Text("properties.hs_merged_object_ids"));
        Assert.Equal(survivor, byMerged.Text("id"));
        Assert.Equal(200, batch.Status);
        Assert.Equal(survivor, batch.Text("results.0.id"));
        Assert.Equal(survivor, batch.Text("results.1.id"));
        Assert.Null(batch.Text("errors"));
        Assert.Equal("1", search.Text("total"));
        Assert.Equal(survivor, search.Text("results.0.id"));
        Assert.Equal("[]", archived.Text("results"));
        Assert.Equal(1, await server.Simulator.CountAsync("contacts"));
    }

    [Fact]
    public async Task Merge_AMergedRecordAgain_ListsEveryIdMergedIntoIt()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", null), ("b@example.com", null), ("c@example.com", null));
        var first = await server.Simulator.MergeAsync("contacts", "1000001", "1000002");

        var second = await server.Simulator.MergeAsync("contacts", "1000003", "1000001");
        var byOldest = await server.GetAsync("crm/v3/objects/contacts/1000002?properties=email,hs_merged_object_ids");

        Assert.Equal(second, byOldest.Text("id"));
        Assert.Equal("c@example.com", byOldest.Text("properties.email"));
        Assert.Equal($"1000001;1000002;1000003;{first}", byOldest.Text("properties.hs_merged_object_ids"));
    }

    [Fact]
    public async Task Merge_MovesAssociationsAndListMembershipsToTheNewRecord()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", null), ("b@example.com", null));
        var company = await CreateCompanyAsync(server, "c1");
        await server.SendAsync(HttpMethod.Put, $"crm/v4/objects/contacts/1000002/associations/default/companies/{company}");
        var listId = (await server.PostAsync("crm/v3/lists", NewList("Newsletter"))).Text("list.listId");
        await server.SendAsync(HttpMethod.Put, $"crm/v3/lists/{listId}/memberships/add", new JsonArray("1000002"));

        var survivor = await server.Simulator.MergeAsync("contacts", "1000001", "1000002");

        Assert.Equal([company], await server.Simulator.AssociatedAsync("contacts", survivor, "companies"));
        Assert.Equal([survivor], await server.Simulator.AssociatedAsync("companies", company, "contacts"));
        Assert.Equal([survivor], await server.Simulator.ListMembersAsync("Newsletter"));
    }

    [Theory]
    [InlineData("1000001", "999", 404, "OBJECT_NOT_FOUND")]
    [InlineData("1000001", "1000001", 400, "VALIDATION_ERROR")]
    [InlineData("1000001", "", 400, "VALIDATION_ERROR")]
    public async Task Merge_UnknownOrSameRecord_IsRefused(string primary, string merged, int status, string category)
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", null));

        var answer = await server.PostAsync(Merge, new JsonObject { ["primaryObjectId"] = primary, ["objectIdToMerge"] = merged });

        Assert.Equal(status, answer.Status);
        Assert.Equal(category, answer.Text("category"));
        Assert.Equal(1, await server.Simulator.CountAsync("contacts"));
    }

    [Fact]
    public async Task Merge_Companies_SurvivesARestart()
    {
        var folder = Path.Combine(Path.GetTempPath(), "hubspot-merge-" + Guid.NewGuid().ToString("N"));
        try
        {
            string survivor;
            await using (var first = await HubSpotTestServer.StartAsync(dataDirectory: folder))
            {
                var a = await CreateCompanyAsync(first, "c1");
                var b = await CreateCompanyAsync(first, "c2");
                survivor = (await first.PostAsync("crm/v3/objects/companies/merge", new JsonObject { ["primaryObjectId"] = a, ["objectIdToMerge"] = b })).Text("id")!;
            }

            await using var second = await HubSpotTestServer.StartAsync(dataDirectory: folder);
            var read = await second.GetAsync("crm/v3/objects/companies/1000001");

            Assert.Equal(survivor, read.Text("id"));
            Assert.Equal(1, await second.Simulator.CountAsync("companies"));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Archive_DeletedRecord_Is404ByIdMissingFromBatchReadAndReadWithArchivedTrue()
    {
        await using var server = await HubSpotTestServer.StartAsync();
        await server.UpsertContactsByEmailAsync(("a@example.com", null), ("b@example.com", null));

        var archive = await server.PostAsync("crm/v3/objects/contacts/batch/archive", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "1000002" }),
        });
        var byId = await server.GetAsync("crm/v3/objects/contacts/1000002");
        var batch = await server.PostAsync("crm/v3/objects/contacts/batch/read", new JsonObject
        {
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "1000001" }, new JsonObject { ["id"] = "1000002" }),
        });
        var archivedRead = await server.PostAsync("crm/v3/objects/contacts/batch/read", new JsonObject
        {
            ["archived"] = true,
            ["inputs"] = new JsonArray(new JsonObject { ["id"] = "1000002" }),
        });
        var archivedList = await server.GetAsync("crm/v3/objects/contacts?archived=true");

        Assert.Equal(204, archive.Status);
        Assert.Equal(404, byId.Status);
        Assert.Equal(207, batch.Status);
        Assert.Equal("1000001", batch.Text("results.0.id"));
        Assert.Single(batch.Body!["results"]!.AsArray());
        Assert.Equal("OBJECT_NOT_FOUND", batch.Text("errors.0.category"));
        Assert.Equal("[\"1000002\"]", batch.Text("errors.0.context.ids"));
        Assert.Equal("true", archivedRead.Text("results.0.archived"));
        Assert.NotNull(archivedRead.Text("results.0.archivedAt"));
        Assert.Equal("1000002", archivedList.Text("results.0.id"));
        Assert.Equal(1, await server.Simulator.CountAsync("contacts"));
    }
}
