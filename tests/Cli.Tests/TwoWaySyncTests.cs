using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Two-way modules (contacts v2, companies v2): pairs, echo suppression and newest-wins conflicts, end to end on the simulators.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class TwoWaySyncTests
{
    [Fact]
    public async Task Run_EditsOnBothSides_CrossOnceFollowThePolicyAndNeverEcho()
    {
        using var bed = new SyncTestBed(seedCount: 150, settings: new Dictionary<string, string?> { ["HubSpot:SearchSettleDelay"] = "00:00:01" });
        await using var env = await bed.StartAsync();
        var (ivvy, hubSpot) = (env.Sandbox!.Ivvy, env.Sandbox.HubSpot);
        var contacts = WorkflowCatalog.Open(SyncTestBed.Workflows).Load("contacts", 2);

        var first = await SyncTestBed.RunAsync(env, contacts);
        Assert.True(first.Status == RunStatus.Completed,
            $"{first.Status}: " + string.Join("; ", (await env.Store.ListQuarantineAsync("contacts")).Select(q => $"{q.SourceId} at {q.Stage}: {q.Reason}")));
        var paired = await hubSpot.AllAsync("contacts");
        Assert.Equal(first.Counters.Created, paired.Count);
        var ivvyContact = (await ivvy.GetContactAsync(5))!;
        var hubSpotId = await HubSpotIdAsync(env, 5);
        Assert.Equal(hubSpotId, (string?)ivvyContact["externalId"]); // the pair is kept on both sides

        // Once the first run's own writes have settled, nothing crosses and nothing is written: they are echoes.
        bed.Clock.PassWindowMargins();
        await SyncTestBed.RunAsync(env, contacts);

        await ivvy.TouchContactAsync(5, c => c["lastName"] = "IvvyOnly");
        await hubSpot.TouchAsync("contacts", await HubSpotIdAsync(env, 6), p => p["firstname"] = "HubOnly");
        await ivvy.TouchContactAsync(7, c => c["lastName"] = "OlderInIvvy");
        await hubSpot.TouchAsync("contacts", await HubSpotIdAsync(env, 8), p => p["lastname"] = "OlderInHubSpot");
        bed.Clock.Advance(TimeSpan.FromSeconds(1.2)); // iVvy stamps whole seconds: let "newer" be unambiguous
        await hubSpot.TouchAsync("contacts", await HubSpotIdAsync(env, 7), p => p["lastname"] = "NewerInHubSpot");
        await ivvy.TouchContactAsync(8, c => c["lastName"] = "NewerInIvvy");
        bed.Clock.PassWindowMargins();
        env.Sandbox.IvvyControls.ResetCalls();
        env.Sandbox.HubSpotControls.ResetCalls();

        var run = await SyncTestBed.RunAsync(env, contacts);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(4, run.Counters.Updated); // 5 and 8 to HubSpot, 6 and 7 to iVvy: each change crossed once
        Assert.Equal("IvvyOnly", await HubSpotValueAsync(env, 5, "lastname"));
        Assert.Equal("HubOnly", (string?)(await ivvy.GetContactAsync(6))!["firstName"]);
        Assert.Equal("NewerInHubSpot", (string?)(await ivvy.GetContactAsync(7))!["lastName"]);
        Assert.Equal("NewerInHubSpot", await HubSpotValueAsync(env, 7, "lastname"));
        Assert.Equal("NewerInIvvy", (string?)(await ivvy.GetContactAsync(8))!["lastName"]);
        Assert.Equal("NewerInIvvy", await HubSpotValueAsync(env, 8, "lastname"));

        var conflicts = await env.Store.ListConflictsAsync("contacts");
        Assert.Equal(2, conflicts.Count);
        var seven = Assert.Single(conflicts, c => c.IvvyId == "7");
        Assert.Equal("crm", seven.Winner);
        Assert.Contains("OlderInIvvy", seven.IvvyValue);
        Assert.Contains("NewerInHubSpot", seven.CrmValue);
        Assert.Equal("ivvy", Assert.Single(conflicts, c => c.IvvyId == "8").Winner);

        // Our own writes come back as echoes: the next run reads them and writes nothing.
        bed.Clock.PassWindowMargins();
        env.Sandbox.IvvyControls.ResetCalls();
        env.Sandbox.HubSpotControls.ResetCalls();
        var echo = await SyncTestBed.RunAsync(env, contacts);

        Assert.Equal(RunStatus.Completed, echo.Status);
        Assert.Equal(0, echo.Counters.Created + echo.Counters.Updated);
        Assert.DoesNotContain(env.Sandbox.IvvyControls.Calls, c => c.Key.Contains("addOrUpdateContact", StringComparison.Ordinal));
        Assert.DoesNotContain(env.Sandbox.HubSpotControls.Calls, c => c.Key.Contains("batch/u", StringComparison.Ordinal));
        Assert.Equal(2, (await env.Store.ListConflictsAsync("contacts")).Count);
    }

    [Fact]
    public async Task Run_CompanyEditsOnBothSides_RenamesKeepThePairAndTheNewerChangeWins()
    {
        using var bed = new SyncTestBed(seedCount: 150, settings: new Dictionary<string, string?> { ["HubSpot:SearchSettleDelay"] = "00:00:01" });
        await using var env = await bed.StartAsync();
        var (ivvy, hubSpot) = (env.Sandbox!.Ivvy, env.Sandbox.HubSpot);
        var companies = WorkflowCatalog.Open(SyncTestBed.Workflows).Load("companies", 2);
        await SyncTestBed.RunAsync(env, companies);
        var ids = (await hubSpot.AllAsync("companies")).Select(c => (HubSpot: (string)c["id"]!, Ivvy: int.Parse((string)c["ivvy_company_id"]!))).Take(3).ToList();
        bed.Clock.PassWindowMargins();
        await SyncTestBed.RunAsync(env, companies);

        await ivvy.TouchCompanyAsync(ids[0].Ivvy, c => c["phone"] = "+61 2 5550 0001");
        await hubSpot.TouchAsync("companies", ids[1].HubSpot, p => p["name"] = "Renamed In HubSpot");
        await ivvy.TouchCompanyAsync(ids[2].Ivvy, c => c["businessName"] = "Older Name In iVvy");
        bed.Clock.Advance(TimeSpan.FromSeconds(1.2));
        await hubSpot.TouchAsync("companies", ids[2].HubSpot, p => p["name"] = "Newer Name In HubSpot");
        bed.Clock.PassWindowMargins();

        var run = await SyncTestBed.RunAsync(env, companies);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(3, run.Counters.Updated);
        Assert.Equal("+61 2 5550 0001", (string?)(await hubSpot.FindByPropertyAsync("companies", "ivvy_company_id", ids[0].Ivvy.ToString()))!["phone"]);
        Assert.Equal("Renamed In HubSpot", (string?)(await ivvy.GetCompanyAsync(ids[1].Ivvy))!["businessName"]);
        Assert.Equal(ids[1].HubSpot, (string?)(await ivvy.GetCompanyAsync(ids[1].Ivvy))!["externalId"]); // the rename kept the pair
        Assert.Equal("Newer Name In HubSpot", (string?)(await ivvy.GetCompanyAsync(ids[2].Ivvy))!["businessName"]);
        Assert.Equal("crm", Assert.Single(await env.Store.ListConflictsAsync("companies")).Winner);

        bed.Clock.PassWindowMargins();
        var echo = await SyncTestBed.RunAsync(env, companies);
        Assert.Equal(0, echo.Counters.Created + echo.Counters.Updated);
    }

    [Fact]
    public async Task Run_CustomFieldsEditedOnEachSide_CrossAsPropertiesAndBackWithoutEcho()
    {
        using var bed = new SyncTestBed(seedCount: 150, settings: new Dictionary<string, string?> { ["HubSpot:SearchSettleDelay"] = "00:00:01" });
        await using var env = await bed.StartAsync();
        var (ivvy, hubSpot) = (env.Sandbox!.Ivvy, env.Sandbox.HubSpot);
        var contacts = WorkflowCatalog.Open(SyncTestBed.Workflows).Load("contacts", 3);
        await SyncTestBed.RunAsync(env, contacts);
        bed.Clock.PassWindowMargins();
        await SyncTestBed.RunAsync(env, contacts);

        await ivvy.TouchContactAsync(5, c => c["customFields"] = new System.Text.Json.Nodes.JsonArray(
            new System.Text.Json.Nodes.JsonObject { ["fieldId"] = 1, ["displayName"] = "Dietary Requirements", ["value"] = "Vegan" }));
        await hubSpot.TouchAsync("contacts", await HubSpotIdAsync(env, 6), p => p["ivvy_membership_level"] = "Gold");
        bed.Clock.PassWindowMargins();

        var run = await SyncTestBed.RunAsync(env, contacts);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(2, run.Counters.Updated);
        Assert.Equal("Vegan", await HubSpotValueAsync(env, 5, "ivvy_dietary_requirements"));
        var six = (await ivvy.GetContactAsync(6))!["customFields"]!.AsArray();
        Assert.Equal("Gold", (string?)six.Single(f => (int)f!["fieldId"]! == 2)!["value"]);

        bed.Clock.PassWindowMargins();
        var echo = await SyncTestBed.RunAsync(env, contacts);
        Assert.Equal(0, echo.Counters.Created + echo.Counters.Updated);
    }

    [Fact]
    public async Task Run_KeyWriteBackFailsAfterThePageCommitted_TheKeysAreWrittenByTheNextCall()
    {
        using var bed = new SyncTestBed(seedCount: 250, settings: new Dictionary<string, string?> { ["Ivvy:RemoteCall:MaxRetries"] = "1" });
        await using var env = await bed.StartAsync();
        var contacts = WorkflowCatalog.Open(SyncTestBed.Workflows).Load("contacts");
        // The first key write-back to iVvy (its batch run) fails past the client's retries, after its page committed:
        // the activity fails, as if the process had died between the commit and the write-back.
        env.Sandbox!.IvvyControls.ArmFault(new Sandbox.Control.FaultRule { Status = 503, Match = "batch?action=run", Count = 2 });

        var run = await SyncTestBed.RunAsync(env, contacts);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Empty(env.Sandbox.IvvyControls.ArmedFaults);
        foreach (var id in new[] { 1, 50, 100, 250 })
        {
            Assert.Equal(await HubSpotIdAsync(env, id), (string?)(await env.Sandbox.Ivvy.GetContactAsync(id))!["externalId"]);
        }
    }

    internal static async Task<string> HubSpotIdAsync(SyncEnvironment env, int ivvyId) =>
        (string)(await env.Sandbox!.HubSpot.FindByPropertyAsync("contacts", "ivvy_contact_id", ivvyId.ToString()))!["id"]!;

    private static async Task<string?> HubSpotValueAsync(SyncEnvironment env, int ivvyId, string property) =>
        (string?)(await env.Sandbox!.HubSpot.FindByPropertyAsync("contacts", "ivvy_contact_id", ivvyId.ToString()))![property];
}
