using IvvyWorkflows.Engine.Service;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>Subscription groups ⇄ HubSpot lists: membership kept in step both ways, each change crossing once.</summary>
[Collection(EndToEndCollection.Name)]
public sealed class SubscriptionGroupsSyncTests
{
    private static readonly IReadOnlyDictionary<string, string> ListNames = new Dictionary<string, string>
    {
        ["1"] = "iVvy: Newsletter", ["2"] = "iVvy: Event Updates", ["3"] = "iVvy: VIP Guests", ["4"] = "iVvy: Partners",
    };

    [Fact]
    public async Task Run_MembershipChangedOnBothSides_CrossesOnceAndStaysInStep()
    {
        using var bed = new SyncTestBed(seedCount: 150, settings: new Dictionary<string, string?> { ["HubSpot:SearchSettleDelay"] = "00:00:01" });
        await using var env = await bed.StartAsync();
        var (ivvy, hubSpot) = (env.Sandbox!.Ivvy, env.Sandbox.HubSpot);
        var catalog = WorkflowCatalog.Open(SyncTestBed.Workflows);
        var (contacts, groups) = (catalog.Load("contacts"), catalog.Load("subscription-groups"));
        await SyncTestBed.RunAsync(env, contacts);
        bed.Clock.PassWindowMargins(); // the contacts' own writes come back as echoes, once
        await SyncTestBed.RunAsync(env, contacts);

        var first = await SyncTestBed.RunAsync(env, groups);

        Assert.Equal(RunStatus.Completed, first.Status);
        var members = await IvvyMembersAsync(env);
        Assert.Equal(ListNames.Count + members.Sum(m => m.Value.Count), first.Counters.Created); // the lists, then each member once
        Assert.Equal(0, first.Counters.Quarantined);
        await AssertInStepAsync(env, members);

        // Between runs: a contact joins and one leaves a group in iVvy; one joins and one leaves a list in HubSpot.
        var crm = await env.Store.ResolveCrmIdsAsync("contacts", Enumerable.Range(1, 150).Select(i => i.ToString()).ToList());
        var joinsInIvvy = Enumerable.Range(1, 150).First(i => !members["1"].Contains(i));
        var leavesInIvvy = members["3"].First();
        var joinsInHubSpot = Enumerable.Range(1, 150).First(i => !members["2"].Contains(i) && i != joinsInIvvy && i != leavesInIvvy);
        var leavesInHubSpot = members["4"].First(i => i != leavesInIvvy);
        await ivvy.TouchContactAsync(joinsInIvvy, c => ((JsonArray)c["groups"]!).Add(new JsonObject { ["contactId"] = joinsInIvvy, ["groupId"] = 1, ["joinDate"] = "2026-11-27 10:00:00" }));
        await ivvy.TouchContactAsync(leavesInIvvy, c => c["groups"] = new JsonArray(((JsonArray)c["groups"]!).Where(g => (int)g!["groupId"]! != 3).Select(g => g!.DeepClone()).ToArray()));
        await hubSpot.SetListMemberAsync(ListNames["2"], crm[joinsInHubSpot.ToString()], member: true);
        await hubSpot.SetListMemberAsync(ListNames["4"], crm[leavesInHubSpot.ToString()], member: false);

        var dry = await SyncTestBed.RunAsync(env, groups, dryRun: true);

        var plan = await env.Store.ListPlanAsync(dry.RunId);
        Assert.Contains(plan, p => p is { Stream: "ivvy-members", Action: "add", Reason: "joined iVvy group 1" } && p.SourceId == $"{joinsInIvvy} in group 1");
        Assert.Contains(plan, p => p is { Stream: "ivvy-members", Action: "remove", Reason: "left iVvy group 3" } && p.SourceId == $"{leavesInIvvy} in group 3");
        Assert.Contains(plan, p => p is { Stream: "hubspot-members", Action: "add" } && p.SourceId == $"{crm[joinsInHubSpot.ToString()]} in group 2");
        Assert.Contains(plan, p => p is { Stream: "hubspot-members", Action: "remove" } && p.SourceId == $"{crm[leavesInHubSpot.ToString()]} in group 4");
        Assert.Equal((2, 2), (dry.Counters.Created, dry.Counters.Updated));
        Assert.DoesNotContain(crm[joinsInIvvy.ToString()], await hubSpot.ListMembersAsync(ListNames["1"])); // a dry run writes nothing

        env.Sandbox.IvvyControls.ResetCalls();
        env.Sandbox.HubSpotControls.ResetCalls();
        var run = await SyncTestBed.RunAsync(env, groups);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal((2, 2), (run.Counters.Created, run.Counters.Updated));
        members["1"].Add(joinsInIvvy);
        members["3"].Remove(leavesInIvvy);
        members["2"].Add(joinsInHubSpot);
        members["4"].Remove(leavesInHubSpot);
        Assert.Equal(members, await IvvyMembersAsync(env));
        await AssertInStepAsync(env, members);
        // Each change crossed once: one call per direction and kind, nothing written back to the side it came from.
        Assert.Equal(1, Calls(env.Sandbox.IvvyControls.Calls, "addContactsToSubscriptionGroup"));
        Assert.Equal(1, Calls(env.Sandbox.IvvyControls.Calls, "removeContactsFromSubscriptionGroup"));
        Assert.Equal(1, Calls(env.Sandbox.HubSpotControls.Calls, "memberships/add"));
        Assert.Equal(1, Calls(env.Sandbox.HubSpotControls.Calls, "memberships/remove"));

        env.Sandbox.IvvyControls.ResetCalls();
        env.Sandbox.HubSpotControls.ResetCalls();
        var again = await SyncTestBed.RunAsync(env, groups);
        var contactsAgain = await SyncTestBed.RunAsync(env, contacts);

        Assert.Equal(0, again.Counters.Created + again.Counters.Updated);
        Assert.Equal(0, Calls(env.Sandbox.IvvyControls.Calls, "ContactsToSubscriptionGroup") + Calls(env.Sandbox.IvvyControls.Calls, "ContactsFromSubscriptionGroup")
            + Calls(env.Sandbox.HubSpotControls.Calls, "memberships/"));
        Assert.Equal(0, contactsAgain.Counters.Created + contactsAgain.Counters.Updated); // a group change is no contact change
    }

    [Fact]
    public async Task Run_BeforeContactsArePaired_QuarantinesTheMembersAndAReplayAddsThem()
    {
        using var bed = new SyncTestBed(seedCount: 60);
        await using var env = await bed.StartAsync();
        var catalog = WorkflowCatalog.Open(SyncTestBed.Workflows);
        var (contacts, groups) = (catalog.Load("contacts"), catalog.Load("subscription-groups"));
        var members = await IvvyMembersAsync(env);
        var inAnyGroup = members.Values.SelectMany(m => m).Distinct().Count();

        var early = await SyncTestBed.RunAsync(env, groups);

        Assert.Equal(RunStatus.CompletedWithErrors, early.Status); // its members wait in quarantine for their contacts
        Assert.Equal(inAnyGroup, early.Counters.Quarantined);
        var entry = (await env.Store.ListQuarantineAsync("subscription-groups"))[0];
        Assert.Equal(("ivvy-members", "lookup"), (entry.Stream, entry.Stage));
        Assert.Contains("has no pair in contacts yet", entry.Reason);
        Assert.Empty(await env.Sandbox!.HubSpot.ListMembersAsync(ListNames["1"]));

        await SyncTestBed.RunAsync(env, contacts);
        var next = await SyncTestBed.RunAsync(env, groups, replay: true); // as the quarantine advice says; a plain run does the same

        Assert.Equal(members.Sum(m => m.Value.Count), next.Counters.Created);
        Assert.Empty(await env.Store.ListQuarantineAsync("subscription-groups"));
        await AssertInStepAsync(env, members);
    }

    [Fact]
    public async Task Run_GroupExcludedAfterItWasSynced_StopsSyncingItsMembers()
    {
        using var bed = new SyncTestBed(seedCount: 80);
        var (env, groups, members) = await StartSyncedAsync(bed);
        await using var running = env;
        var crm = await env.Store.ResolveCrmIdsAsync("contacts", Enumerable.Range(1, 80).Select(i => i.ToString()).ToList());
        var joins = Enumerable.Range(1, 80).First(i => !members["4"].Contains(i));
        var leaves = members["4"].First();
        await env.Sandbox!.Ivvy.TouchContactAsync(joins, c => ((JsonArray)c["groups"]!).Add(new JsonObject { ["contactId"] = joins, ["groupId"] = 4, ["joinDate"] = "2026-11-27 10:00:00" }));
        await env.Sandbox.HubSpot.SetListMemberAsync(ListNames["4"], crm[leaves.ToString()], member: false);

        var run = await SyncTestBed.RunAsync(env, Excluding(groups, 4));

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(0, run.Counters.Created + run.Counters.Updated);
        Assert.DoesNotContain(crm[joins.ToString()], await env.Sandbox.HubSpot.ListMembersAsync(ListNames["4"]));
        Assert.Contains(4, (await env.Sandbox.Ivvy.GetContactAsync(leaves))!["groups"]!.AsArray().Select(g => (int)g!["groupId"]!));
    }

    [Fact]
    public async Task Run_ContactDeletedInHubSpot_LeavesItsListsButKeepsItsIvvyGroups()
    {
        using var bed = new SyncTestBed(seedCount: 80);
        var (env, groups, members) = await StartSyncedAsync(bed);
        await using var running = env;
        var deleted = members["1"].First();
        var crmId = (await env.Store.ResolveCrmIdsAsync("contacts", [deleted.ToString()]))[deleted.ToString()];
        using (var http = new HttpClient { BaseAddress = env.Sandbox!.HubSpotBaseUrl })
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", env.Sandbox.HubSpot.Options.AccessToken);
            (await http.DeleteAsync($"crm/v3/objects/contacts/{crmId}")).EnsureSuccessStatusCode();
        }

        Assert.DoesNotContain(crmId, await env.Sandbox.HubSpot.ListMembersAsync(ListNames["1"])); // HubSpot drops it from its lists
        env.Sandbox.IvvyControls.ResetCalls();
        var run = await SyncTestBed.RunAsync(env, groups);

        Assert.Equal(RunStatus.Completed, run.Status);
        Assert.Equal(members, await IvvyMembersAsync(env)); // a deleted contact did not leave its iVvy group
        Assert.Equal(0, env.Sandbox.IvvyControls.Calls.Where(c => c.Key.Contains("FromSubscriptionGroup", StringComparison.Ordinal)).Sum(c => c.Value));

        // The membership is no longer agreed: the next run offers it again and sets it aside with why.
        await SyncTestBed.RunAsync(env, groups);
        var entry = Assert.Single(await env.Store.ListQuarantineAsync("subscription-groups"), q => q.SourceId == deleted.ToString());
        Assert.Contains($"HubSpot has no contact {crmId}", entry.Reason);
        Assert.Equal(members, await IvvyMembersAsync(env));
    }

    /// <summary>A sandbox whose contacts and subscription groups are synced once, and the iVvy members of each group.</summary>
    private static async Task<(SyncEnvironment Env, LoadedWorkflow Groups, Dictionary<string, SortedSet<int>> Members)> StartSyncedAsync(SyncTestBed bed)
    {
        var env = await bed.StartAsync();
        var catalog = WorkflowCatalog.Open(SyncTestBed.Workflows);
        var groups = catalog.Load("subscription-groups");
        await SyncTestBed.RunAsync(env, catalog.Load("contacts"));
        await SyncTestBed.RunAsync(env, groups);
        return (env, groups, await IvvyMembersAsync(env));
    }

    /// <summary>The module edited as an integrator would: one more group in excludeGroups.</summary>
    private static LoadedWorkflow Excluding(LoadedWorkflow groups, int groupId)
    {
        var definition = JsonNode.Parse(groups.DefinitionJson)!;
        definition["version"] = 99;
        definition["streams"]![0]!["parameters"]!["excludeGroups"] = new JsonArray(groupId);
        return WorkflowLoader.Load(definition.ToJsonString(), path => groups.Templates.GetValueOrDefault(path), "subscription-groups (edited)", "sha256:excluding-" + groupId);
    }

    /// <summary>iVvy contact ids in each group, read from the contacts as getContact returns them.</summary>
    private static async Task<Dictionary<string, SortedSet<int>>> IvvyMembersAsync(SyncEnvironment env)
    {
        var members = ListNames.Keys.ToDictionary(g => g, _ => new SortedSet<int>());
        for (var id = 1; id <= await env.Sandbox!.Ivvy.CountContactsAsync(); id++)
        {
            foreach (var group in (await env.Sandbox.Ivvy.GetContactAsync(id))!["groups"]!.AsArray())
            {
                members[group!["groupId"]!.ToJsonString()].Add(id);
            }
        }

        return members;
    }

    /// <summary>Each group's HubSpot list holds exactly its members' paired HubSpot contacts.</summary>
    private static async Task AssertInStepAsync(SyncEnvironment env, Dictionary<string, SortedSet<int>> members)
    {
        foreach (var (group, ids) in members)
        {
            var crm = await env.Store.ResolveCrmIdsAsync("contacts", ids.Select(i => i.ToString()).ToList());
            Assert.Equal(ids.Count, crm.Count);
            Assert.Equal(crm.Values.Order(), (await env.Sandbox!.HubSpot.ListMembersAsync(ListNames[group])).Order());
        }
    }

    private static long Calls(IReadOnlyDictionary<string, long> calls, string endpoint) =>
        calls.Where(c => c.Key.Contains(endpoint, StringComparison.Ordinal)).Sum(c => c.Value);
}
