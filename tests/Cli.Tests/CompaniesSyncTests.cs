using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Sandbox.Ivvy;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>The companies module end to end: the same pipeline as contacts, driven by another definition.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class CompaniesSyncTests
{
    [Fact]
    public async Task Run_FreshSandbox_EveryCompanyLandsWithItsFieldsAndASecondRunWritesNothing()
    {
        using var bed = new SyncTestBed(seedCount: 600);
        await using var env = await bed.StartAsync();
        var companies = WorkflowCatalog.Open(SyncTestBed.Workflows).Load("companies", 1); // one way; v2 has its own test

        var run = await SyncTestBed.RunAsync(env, companies);

        Assert.Equal(RunStatus.Completed, run.Status);
        var seeded = await env.Sandbox!.Ivvy.CountAsync(IvvyEntity.Companies);
        var hubSpot = await env.Sandbox.HubSpot.AllAsync("companies");
        Assert.Equal(seeded, hubSpot.Count);
        Assert.Equal(seeded, run.Counters.Created);
        foreach (var company in hubSpot)
        {
            var ivvy = (await env.Sandbox.Ivvy.GetCompanyAsync(int.Parse((string)company["ivvy_company_id"]!)))!;
            Assert.Equal(((string)ivvy["businessName"]!).Trim(), (string?)company["name"]);
        }

        env.Sandbox.HubSpotControls.ResetCalls();
        var second = await SyncTestBed.RunAsync(env, companies);

        Assert.Equal(0, second.Counters.Read);
        Assert.DoesNotContain(env.Sandbox.HubSpotControls.Calls, c => c.Key.Contains("batch/upsert", StringComparison.Ordinal));
    }
}
