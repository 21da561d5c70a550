using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;

namespace IvvyWorkflows.Activities.Tests.HubSpot;

/// <summary>Lists for subscription groups: found by id, then by name, else created; members read as complete slices.</summary>
public sealed class HubSpotListTests
{
    [Fact]
    public async Task Upsert_FindsTheLinkedListFirst_SoARenamedGroupRenamesItsList()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var writer = new HubSpotListWriter(hubSpot.CreateClient());

        var created = Assert.Single(await writer.UpsertAsync([List("1", "iVvy: Newsletter")], CancellationToken.None));
        var again = Assert.Single(await writer.UpsertAsync([List("1", "iVvy: Newsletter")], CancellationToken.None));
        var renamed = Assert.Single(await writer.UpsertAsync([List("1", "iVvy: News", linkedId: created.TargetId)], CancellationToken.None));

        Assert.Equal(UpsertOutcome.Created, created.Outcome);
        Assert.Equal((UpsertOutcome.Updated, created.TargetId), (again.Outcome, again.TargetId)); // found by name, not made twice
        Assert.Equal((UpsertOutcome.Updated, created.TargetId), (renamed.Outcome, renamed.TargetId));
        var current = await writer.ReadCurrentAsync([created.TargetId!], [], CancellationToken.None);
        Assert.Equal("iVvy: News", (string?)current[created.TargetId!]["name"]);
        Assert.Equal(1, hubSpot.Calls("lists.rename"));
    }

    [Fact]
    public async Task Upsert_NamelessList_IsRefusedAndTheRestLand()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var writer = new HubSpotListWriter(hubSpot.CreateClient());

        var results = await writer.UpsertAsync([List("1", " "), List("2", "iVvy: Partners")], CancellationToken.None);

        Assert.Equal(UpsertOutcome.Rejected, results[0].Outcome);
        Assert.Contains("name", results[0].Error);
        Assert.Equal(UpsertOutcome.Created, results[1].Outcome);
    }

    [Fact]
    public async Task Read_ListMembers_PagesAreCompleteSlicesInIdOrder_AndAGoneListSaysSo()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient();
        var batch = await client.BatchUpsertAsync("contacts", Enumerable.Range(1, 5).Select(i => new HubSpotUpsertInput($"m{i}@example.com", "email",
            new JsonObject { ["email"] = $"m{i}@example.com" }, null)).ToList(), CancellationToken.None);
        var ids = batch.Results.Select(r => r.Id).Order().ToList();
        var list = HubSpotClient.TextOf((await client.CreateListAsync("iVvy: VIP Guests", CancellationToken.None))!["listId"])!;
        await client.ChangeListMembersAsync(list, ids, add: true, CancellationToken.None);
        var reader = new HubSpotListMembershipReader(client, new Dictionary<string, string> { ["3"] = list, ["9"] = "999999" }, pageSize: 2);

        var cursor = await reader.OpenWindowAsync(null, CancellationToken.None);
        var slices = new List<MembershipSlice>();
        var read = new List<string>();
        while (!cursor.Complete)
        {
            var page = await reader.ReadPageAsync(cursor, CancellationToken.None);
            slices.Add(page.Slice!);
            read.AddRange(page.Records.Select(r => r.Id));
            cursor = page.Next;
        }

        Assert.Equal(ids, read);
        Assert.Equal(new MembershipSlice("3", list, null, long.Parse(ids[1])), slices[0]);
        Assert.Equal(new MembershipSlice("3", list, long.Parse(ids[1]), long.Parse(ids[3])), slices[1]);
        Assert.Equal(new MembershipSlice("3", list, long.Parse(ids[3]), null), slices[2]);
        Assert.Equal(new MembershipSlice("9", "999999", null, null, Gone: true), slices[3]);
    }

    private static TargetRecord List(string groupId, string name, string? linkedId = null) =>
        new(groupId, new JsonObject { ["name"] = name }, LinkedId: linkedId);
}
