using System.Text.Json.Nodes;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>
/// Two-way contacts (v3) when a paired record is deleted on one side or merged in HubSpot, end to end through the durable
/// engine on the simulators: a row per pair of delete policies (<c>pairing.onDelete</c>), each deleting a contact on each
/// side and then editing the other side's record; then the merge case. Every row asserts both sides, the pair-event
/// journal, that nothing is duplicated, and that two further runs write nothing. The scenario suite
/// (Activities.Tests, <c>TwoWayDeleteScenarioTests</c>) runs every policy and both modules on a fake clock.
/// </summary>
[Collection(EndToEndCollection.Name)]
public sealed class DeletesAndMergesTests
{
    private const int DeletedInHubSpot = 5;
    private const int DeletedInIvvy = 6;

    [Theory]
    [InlineData(null, null)] // the default: unlink on both sides
    [InlineData("recreate", "propagate")]
    public async Task Run_PairedContactDeletedOnEachSide_FollowsTheDeclaredPolicyJournaledAndNeverDuplicated(string? crm, string? ivvy)
    {
        using var bed = new SyncTestBed(seedCount: 120, settings: new Dictionary<string, string?> { ["HubSpot:SearchSettleDelay"] = "00:00:01" });
        await using var env = await bed.StartAsync();
        var (ivvySim, hubSpot) = (env.Sandbox!.Ivvy, env.Sandbox.HubSpot);
        var contacts = WithDeletePolicy(bed, crm, ivvy);
        Assert.Equal(RunStatus.Completed, (await SyncTestBed.RunAsync(env, contacts)).Status);
        var goneInHubSpot = await TwoWaySyncTests.HubSpotIdAsync(env, DeletedInHubSpot);
        var keptInHubSpot = await TwoWaySyncTests.HubSpotIdAsync(env, DeletedInIvvy);
        bed.Clock.PassWindowMargins();

        await hubSpot.ArchiveAsync("contacts", goneInHubSpot);
        await ivvySim.TouchContactAsync(DeletedInHubSpot, c => c["lastName"] = "EditedAfterHubSpotDelete");
        await ivvySim.DeleteContactAsync(DeletedInIvvy);
        await hubSpot.TouchAsync("contacts", keptInHubSpot, p => p["firstname"] = "EditedAfterIvvyDelete");
        var (hubSpotCount, ivvyCount) = (await hubSpot.CountAsync("contacts"), await ivvySim.CountContactsAsync());
        bed.Clock.PassWindowMargins();

        var run = await SyncTestBed.RunAsync(env, contacts);

        Assert.Equal(RunStatus.Completed, run.Status);
        var events = await env.Store.ListPairEventsAsync("contacts");
        Assert.Equal(2, events.Count);
        var hubSpotDelete = Assert.Single(events, e => e.Side == "crm");
        Assert.Equal(("5", goneInHubSpot, "deleted", crm ?? "unlink"), (hubSpotDelete.IvvyId, hubSpotDelete.CrmId, hubSpotDelete.Event, hubSpotDelete.Action));
        var ivvyDelete = Assert.Single(events, e => e.Side == "ivvy");
        Assert.Equal(("6", keptInHubSpot, "deleted", ivvy ?? "unlink"), (ivvyDelete.IvvyId, ivvyDelete.CrmId, ivvyDelete.Event, ivvyDelete.Action));

        var five = (await ivvySim.GetContactAsync(DeletedInHubSpot))!;
        var fiveInHubSpot = await hubSpot.FindByPropertyAsync("contacts", "ivvy_contact_id", "5");
        if (crm == "recreate")
        {
            Assert.NotNull(fiveInHubSpot);
            Assert.NotEqual(goneInHubSpot, (string?)fiveInHubSpot["id"]);
            Assert.Equal("EditedAfterHubSpotDelete", (string?)fiveInHubSpot["lastname"]);
            Assert.Equal((string?)fiveInHubSpot["id"], (string?)five["externalId"]);
        }
        else
        {
            // Unlinked: nothing recreated, and iVvy's key still names the deleted record, so later edits stay put too.
            Assert.Null(fiveInHubSpot);
            Assert.Equal(goneInHubSpot, (string?)five["externalId"]);
        }

        var recreatedInIvvy = await ivvySim.CountContactsAsync() - ivvyCount;
        switch (ivvy)
        {
            case "recreate":
                Assert.Equal(1, recreatedInIvvy);
                var kept = (await hubSpot.AllAsync("contacts")).Single(c => (string?)c["id"] == keptInHubSpot);
                var newIvvyId = int.Parse((string)kept["ivvy_contact_id"]!, System.Globalization.CultureInfo.InvariantCulture);
                Assert.NotEqual(DeletedInIvvy, newIvvyId);
                Assert.Equal("EditedAfterIvvyDelete", (string?)(await ivvySim.GetContactAsync(newIvvyId))!["firstName"]);
                Assert.Equal(keptInHubSpot, (string?)(await ivvySim.GetContactAsync(newIvvyId))!["externalId"]);
                break;
            case "propagate":
                Assert.Equal(0, recreatedInIvvy);
                Assert.DoesNotContain(await hubSpot.AllAsync("contacts"), c => (string?)c["id"] == keptInHubSpot);
                break;
            default:
                Assert.Equal(0, recreatedInIvvy);
                Assert.Equal("EditedAfterIvvyDelete", (string?)(await hubSpot.AllAsync("contacts")).Single(c => (string?)c["id"] == keptInHubSpot)["firstname"]);
                break;
        }

        var expectedHubSpot = hubSpotCount + (crm == "recreate" ? 1 : 0) - (ivvy == "propagate" ? 1 : 0);
        Assert.Equal(expectedHubSpot, await hubSpot.CountAsync("contacts"));

        // The unlinked records' later edits stay where they are; what was written comes back as echoes: two runs write nothing.
        await ivvySim.TouchContactAsync(DeletedInHubSpot, c => c["lastName"] = "EditedAgain");
        await AssertIdleAsync(bed, env, contacts, expectWrites: crm == "recreate" ? 1 : 0);
        await AssertIdleAsync(bed, env, contacts, expectWrites: 0);
        Assert.Equal(expectedHubSpot, await hubSpot.CountAsync("contacts"));
        Assert.Equal(2, (await env.Store.ListPairEventsAsync("contacts")).Count);
    }

    [Fact]
    public async Task Run_HubSpotMergesTwoPairedContacts_ThePairMovesToTheSurvivorIvvyIsToldAndNothingIsDuplicated()
    {
        using var bed = new SyncTestBed(seedCount: 120, settings: new Dictionary<string, string?> { ["HubSpot:SearchSettleDelay"] = "00:00:01" });
        await using var env = await bed.StartAsync();
        var (ivvySim, hubSpot) = (env.Sandbox!.Ivvy, env.Sandbox.HubSpot);
        var contacts = WithDeletePolicy(bed, null, null);
        Assert.Equal(RunStatus.Completed, (await SyncTestBed.RunAsync(env, contacts)).Status);
        var (primary, merged) = (await TwoWaySyncTests.HubSpotIdAsync(env, 10), await TwoWaySyncTests.HubSpotIdAsync(env, 11));
        bed.Clock.PassWindowMargins();

        var survivor = await hubSpot.MergeAsync("contacts", primary, merged);
        var (hubSpotCount, ivvyCount) = (await hubSpot.CountAsync("contacts"), await ivvySim.CountContactsAsync());
        bed.Clock.PassWindowMargins();
        var run = await SyncTestBed.RunAsync(env, contacts);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(survivor, (string?)(await ivvySim.GetContactAsync(10))!["externalId"]);
        var events = await env.Store.ListPairEventsAsync("contacts");
        var moved = Assert.Single(events, e => e.IvvyId == "10");
        Assert.Equal((primary, "crm", "merged", "moved"), (moved.CrmId, moved.Side, moved.Event, moved.Action));
        var unlinked = Assert.Single(events, e => e.IvvyId == "11");
        Assert.Equal((merged, "crm", "merged", "unlink"), (unlinked.CrmId, unlinked.Side, unlinked.Event, unlinked.Action));
        Assert.Contains(survivor, unlinked.Detail);

        // The survivor carries iVvy 10's edits from now on; iVvy 11's record was merged away, so its edits create nothing.
        await ivvySim.TouchContactAsync(10, c => c["lastName"] = "AfterMerge");
        await ivvySim.TouchContactAsync(11, c => c["lastName"] = "MergedAway");
        await AssertIdleAsync(bed, env, contacts, expectWrites: 1);
        var survivorNow = (await hubSpot.AllAsync("contacts")).Single(c => (string?)c["id"] == survivor);
        Assert.Equal("AfterMerge", (string?)survivorNow["lastname"]);
        Assert.Equal("10", (string?)survivorNow["ivvy_contact_id"]);
        Assert.Null(await hubSpot.FindByPropertyAsync("contacts", "ivvy_contact_id", "11"));
        await AssertIdleAsync(bed, env, contacts, expectWrites: 0);
        await AssertIdleAsync(bed, env, contacts, expectWrites: 0);
        Assert.Equal((hubSpotCount, ivvyCount), (await hubSpot.CountAsync("contacts"), await ivvySim.CountContactsAsync()));
        Assert.Equal(2, (await env.Store.ListPairEventsAsync("contacts")).Count);
    }

    /// <summary>Steps past the read windows, runs, and checks the run wrote <paramref name="expectWrites"/> records in all.</summary>
    private static async Task AssertIdleAsync(SyncTestBed bed, SyncEnvironment env, LoadedWorkflow contacts, int expectWrites)
    {
        bed.Clock.PassWindowMargins();
        var run = await SyncTestBed.RunAsync(env, contacts);
        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(expectWrites, run.Counters.Created + run.Counters.Updated);
    }

    /// <summary>Contacts v3 with <c>pairing.onDelete</c> set as given (null: not declared, the default), as an unpublished copy.</summary>
    private static LoadedWorkflow WithDeletePolicy(SyncTestBed bed, string? crm, string? ivvy)
    {
        var folder = Path.Combine(bed.DataDirectory, "workflows", "contacts", "v3");
        Directory.CreateDirectory(Path.Combine(folder, "templates"));
        var source = Path.Combine(SyncTestBed.Workflows, "contacts", "v3");
        foreach (var file in Directory.GetFiles(Path.Combine(source, "templates")))
        {
            File.Copy(file, Path.Combine(folder, "templates", Path.GetFileName(file)));
        }

        var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(source, "definition.json")))!;
        var onDelete = new JsonObject();
        if (crm is not null)
        {
            onDelete["crm"] = crm;
        }

        if (ivvy is not null)
        {
            onDelete["ivvy"] = ivvy;
        }

        if (onDelete.Count > 0)
        {
            definition["pairing"]!["onDelete"] = onDelete;
        }

        File.WriteAllText(Path.Combine(folder, "definition.json"), definition.ToJsonString());
        return WorkflowCatalog.Open(Path.Combine(bed.DataDirectory, "workflows")).Load("contacts", 3);
    }
}
