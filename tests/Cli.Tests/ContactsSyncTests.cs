using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Sandbox;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>The contacts module end to end, in process: simulators, state store and the durable engine on Azurite.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class ContactsSyncTests
{
    [Fact]
    public async Task Run_FreshSandbox_EveryContactLandsOnceWithItsFields()
    {
        using var bed = new SyncTestBed(seedCount: 400, duplicates: 0.02);
        await using var env = await bed.StartAsync();

        var run = await SyncTestBed.RunAsync(env, bed.Contacts);

        Assert.Equal(RunStatus.CompletedWithErrors, run.Status); // the duplicates below are quarantined
        var hubSpot = await env.Sandbox!.HubSpot.AllAsync("contacts");
        var quarantine = await env.Store.ListQuarantineAsync("contacts");
        Assert.Equal(400, hubSpot.Count + quarantine.Count);
        Assert.Equal(hubSpot.Count, hubSpot.Select(c => (string?)c["ivvy_contact_id"]).Distinct().Count());
        Assert.NotEmpty(quarantine); // the seed's duplicates-by-identity share an email, which HubSpot refuses twice
        Assert.All(quarantine, q => Assert.Equal("upsert", q.Stage));
        foreach (var contact in hubSpot)
        {
            var ivvy = (await env.Sandbox.Ivvy.GetContactAsync(int.Parse((string)contact["ivvy_contact_id"]!)))!;
            Assert.Equal(((string)ivvy["email"]!).Trim().ToLowerInvariant(), (string?)contact["email"]);
            Assert.Equal((string?)ivvy["firstName"], (string?)contact["firstname"]);
            Assert.Equal((string?)ivvy["lastName"], (string?)contact["lastname"]);
        }

        Assert.Equal(new RunCounters(Read: 400, Created: hubSpot.Count, Quarantined: quarantine.Count, Pages: 4), run.Counters);
        Assert.Equal(bed.Contacts.ContentHash, run.ContentHash);
    }

    [Fact]
    public async Task Run_SecondTimeWithNothingModified_MakesOneReadCallAndNoWrite()
    {
        using var bed = new SyncTestBed(seedCount: 250);
        await using var env = await bed.StartAsync();
        await SyncTestBed.RunAsync(env, bed.Contacts);
        env.Sandbox!.IvvyControls.ResetCalls();
        env.Sandbox.HubSpotControls.ResetCalls();

        var second = await SyncTestBed.RunAsync(env, bed.Contacts);

        Assert.Equal(RunStatus.Completed, second.Status);
        Assert.Equal(1, Calls(env.Sandbox.IvvyControls.Calls, "getContactList"));
        Assert.Equal(0, Calls(env.Sandbox.HubSpotControls.Calls, "batch/upsert"));
        Assert.Equal(0, second.Counters.Read);
    }

    [Fact]
    public async Task Run_RecordsInReadPagesModifiedWhilePaging_NoneIsLost()
    {
        using var bed = new SyncTestBed(seedCount: 1000);
        await using var env = await bed.StartAsync();
        var ivvy = env.Sandbox!.Ivvy;
        // After page 3 is served, 50 records of page 1 change: they leave the window and every later offset shifts by 50.
        ivvy.ContactListServed += call =>
        {
            if (call == 3)
            {
                for (var id = 1; id <= 50; id++)
                {
                    ivvy.TouchContactAsync(id, c => c["lastName"] = "Moved").GetAwaiter().GetResult();
                }
            }
        };

        var first = await SyncTestBed.RunAsync(env, bed.Contacts);

        Assert.Equal(RunStatus.Completed, first.Status);
        var ids = (await env.Sandbox.HubSpot.AllAsync("contacts")).Select(c => (string)c["ivvy_contact_id"]!).ToHashSet();
        Assert.Equal(1000, ids.Count);

        // A window closes one second before iVvy's clock, so records touched just now belong to a window opened later.
        bed.Clock.PassWindowMargins();
        var second = await SyncTestBed.RunAsync(env, bed.Contacts);

        Assert.Equal(50, second.Counters.Updated);
        var moved = await env.Sandbox.HubSpot.FindByPropertyAsync("contacts", "ivvy_contact_id", "7");
        Assert.Equal("Moved", (string?)moved!["lastname"]);
    }

    [Fact]
    public async Task Run_DryRun_WritesNothingAndPlansEveryRecord()
    {
        using var bed = new SyncTestBed(seedCount: 150);
        await using var env = await bed.StartAsync();

        var run = await SyncTestBed.RunAsync(env, bed.Contacts, dryRun: true);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(0, await env.Sandbox!.HubSpot.CountAsync("contacts"));
        Assert.Equal(0, Calls(env.Sandbox.HubSpotControls.Calls, "batch/upsert"));
        Assert.Equal(150, run.Counters.Created);
        Assert.Equal(150, (await env.Store.ListPlanAsync(run.RunId)).Count(p => p.Action == "create"));

        var live = await SyncTestBed.RunAsync(env, bed.Contacts);

        Assert.Equal(150, live.Counters.Created); // the dry run moved no live cursor
    }

    [Theory]
    [InlineData("Ivvy:ApiSecret", "wrong-secret", "Ivvy:ApiSecret")]
    [InlineData("HubSpot:AccessToken", "pat-wrong", "HubSpot:AccessToken")]
    public async Task Run_WrongCredentials_StopsTheRunNamingTheSetting(string setting, string value, string named)
    {
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Ivvy = { SeedCount = 50 } });
        using var bed = new SyncTestBed(settings: new Dictionary<string, string?>
        {
            ["Ivvy:BaseUrl"] = sandbox.IvvyBaseUrl.ToString(),
            ["Ivvy:ApiKey"] = "sandbox-key",
            ["Ivvy:ApiSecret"] = "sandbox-secret",
            ["HubSpot:BaseUrl"] = sandbox.HubSpotBaseUrl.ToString(),
            ["HubSpot:AccessToken"] = "pat-sandbox-token",
            [setting] = value,
        });
        await using var env = await bed.StartAsync();

        var run = await SyncTestBed.RunAsync(env, bed.Contacts);

        Assert.Equal(RunStatus.Failed, run.Status);
        Assert.Contains(named, run.Error);
        Assert.DoesNotContain(value, run.Error);
        Assert.Equal(0, await sandbox.HubSpot.CountAsync("contacts"));
    }

    private static long Calls(IReadOnlyDictionary<string, long> journal, string endpoint) =>
        journal.Where(c => c.Key.Contains(endpoint, StringComparison.Ordinal)).Sum(c => c.Value);
}
