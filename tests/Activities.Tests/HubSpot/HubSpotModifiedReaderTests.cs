using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Sandbox.HubSpot;

namespace IvvyWorkflows.Activities.Tests.HubSpot;

public sealed class HubSpotModifiedReaderTests
{
    // Search limits off: these tests read many pages without advancing the fake clock.
    private static readonly HubSpotSimulatorOptions Unthrottled = new() { SearchPerSecondLimit = 0, TenSecondlyLimit = 0 };

    [Fact]
    public async Task ReadWindow_FarPastTheSearchCapWithAllTimestampsTied_ReadsEveryRecordExactlyOnce()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync(new HubSpotSimulatorOptions
        {
            SearchPerSecondLimit = 0,
            TenSecondlyLimit = 0,
            SearchResultCap = 50,
        });
        var client = hubSpot.CreateClient(o =>
        {
            o.SearchPageSize = 20;
            o.SearchResultCap = 50;
        });
        // 300 contacts written in the same millisecond: one tie of six times the cap.
        var ids = await SeedAsync(client, 300);
        hubSpot.Time.Advance(TimeSpan.FromMinutes(1));
        var reader = new HubSpotModifiedReader(client, "contacts", "lastmodifieddate", ["email"]);

        var (records, pages) = await ReadWindowAsync(reader, await reader.OpenWindowAsync(null, default));

        Assert.Equal(300, records.Count);
        Assert.Equal(ids.Order(), records.Select(r => r.Id).Order());
        Assert.Equal(records.Count, records.Select(r => r.Id).Distinct().Count());
        Assert.Equal(15, pages);
        Assert.Equal(15, hubSpot.Calls("contacts.search"));
    }

    [Fact]
    public async Task ReadWindow_RecordsEditedDuringTheRead_AreNeitherSkippedNorLost()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync(Unthrottled);
        var client = hubSpot.CreateClient(o => o.SearchPageSize = 20);
        var ids = await SeedAsync(client, 60);
        hubSpot.Time.Advance(TimeSpan.FromMinutes(1));
        var reader = new HubSpotModifiedReader(client, "contacts", "lastmodifieddate", ["email"]);
        var window = await reader.OpenWindowAsync(null, default);

        var first = await reader.ReadPageAsync(window, default);
        // An already-read record and a not-yet-read one change: both leave the window. With offset paging the first
        // edit would shift every later record back by one and skip a record; keyset paging is not affected.
        await hubSpot.Simulator.TouchAsync("contacts", first.Records[4].Id, c => c["firstname"] = "Edited");
        await hubSpot.Simulator.TouchAsync("contacts", ids[45], c => c["firstname"] = "Edited");
        var (rest, _) = await ReadWindowAsync(reader, first.Next);
        hubSpot.Time.Advance(TimeSpan.FromMinutes(1));
        var next = await reader.OpenWindowAsync(rest.Count > 0 ? LastCursor : first.Next, default);
        var (later, _) = await ReadWindowAsync(reader, next);

        var windowOne = first.Records.Concat(rest).Select(r => r.Id).ToList();
        Assert.Equal(59, windowOne.Count);
        Assert.DoesNotContain(ids[45], windowOne);
        Assert.Equal(ids.Order(), windowOne.Union(later.Select(r => r.Id)).Order());
        Assert.Contains(first.Records[4].Id, later.Select(r => r.Id));
        Assert.Contains(ids[45], later.Select(r => r.Id));
    }

    [Fact]
    public async Task OpenWindowAsync_FirstThenNext_SettlesBehindNowAndOverlapsThePrevious()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync(Unthrottled);
        var reader = new HubSpotModifiedReader(hubSpot.CreateClient(), "contacts", "lastmodifieddate", []);

        var first = await reader.OpenWindowAsync(null, default);
        hubSpot.Time.Advance(TimeSpan.FromMinutes(10));
        var unfinished = await reader.OpenWindowAsync(first, default);
        var second = await reader.OpenWindowAsync(first with { Complete = true }, default);

        Assert.Null(first.From);
        Assert.Equal(SimulatedHubSpot.Start.AddSeconds(-5), first.To);
        Assert.Same(first, unfinished);
        Assert.Equal(first.To.AddSeconds(-1), second.From);
        Assert.Equal(SimulatedHubSpot.Start.AddMinutes(10).AddSeconds(-5), second.To);
        Assert.Null(second.AnchorId);
        Assert.False(second.Complete);
    }

    [Fact]
    public async Task ReadWindow_WithSearchIndexLag_ReadsALateRecordInTheNextWindow()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync(new HubSpotSimulatorOptions
        {
            SearchPerSecondLimit = 0,
            TenSecondlyLimit = 0,
            SearchIndexLag = TimeSpan.FromSeconds(3),
        });
        var client = hubSpot.CreateClient();
        var reader = new HubSpotModifiedReader(client, "contacts", "lastmodifieddate", ["email"]);
        var ids = await SeedAsync(client, 1);
        hubSpot.Time.Advance(TimeSpan.FromSeconds(1));

        // The window ends 5 s before now, before the write: the not-yet-indexed record belongs to the next window.
        var (first, _) = await ReadWindowAsync(reader, await reader.OpenWindowAsync(null, default));
        hubSpot.Time.Advance(TimeSpan.FromSeconds(10));
        var (second, _) = await ReadWindowAsync(reader, await reader.OpenWindowAsync(LastCursor, default));

        Assert.Empty(first);
        Assert.Equal(ids, second.Select(r => r.Id));
    }

    [Fact]
    public async Task ReadPageAsync_Record_CarriesIdModifiedDateAndTheRequestedProperties()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync(Unthrottled);
        var client = hubSpot.CreateClient();
        var ids = await SeedAsync(client, 1);
        hubSpot.Time.Advance(TimeSpan.FromMinutes(1));
        var reader = new HubSpotModifiedReader(client, "contacts", HubSpotModifiedReader.DefaultModifiedProperty("contacts"), ["email", "firstname"]);

        var page = await reader.ReadPageAsync(await reader.OpenWindowAsync(null, default), default);

        var record = Assert.Single(page.Records);
        Assert.Equal(ids[0], record.Id);
        Assert.Equal(SimulatedHubSpot.Start, record.ModifiedAt);
        Assert.Equal("contact0@example.com", record.Data["email"]!.ToString());
        Assert.Equal("Name0", record.Data["firstname"]!.ToString());
        Assert.Equal(ids[0], record.Data["hs_object_id"]!.ToString());
        Assert.True(page.Next.Complete);
        Assert.Equal(ids[0], page.Next.AnchorId);
        Assert.Equal("hs_lastmodifieddate", HubSpotModifiedReader.DefaultModifiedProperty("deals"));
    }

    [Fact]
    public async Task ReadPageAsync_SameCursorTwice_ReturnsTheSameRecords()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync(Unthrottled);
        var client = hubSpot.CreateClient(o => o.SearchPageSize = 10);
        await SeedAsync(client, 25);
        hubSpot.Time.Advance(TimeSpan.FromMinutes(1));
        var reader = new HubSpotModifiedReader(client, "contacts", "lastmodifieddate", []);
        var second = (await reader.ReadPageAsync(await reader.OpenWindowAsync(null, default), default)).Next;

        var once = await reader.ReadPageAsync(second, default);
        var again = await reader.ReadPageAsync(second, default);

        Assert.Equal(10, once.Records.Count);
        Assert.Equal(once.Records.Select(r => r.Id), again.Records.Select(r => r.Id));
        Assert.Equal(once.Next, again.Next);
    }

    private ReadCursor LastCursor { get; set; } = new(null, DateTimeOffset.MinValue, Complete: true);

    private async Task<(List<SourceRecord> Records, int Pages)> ReadWindowAsync(HubSpotModifiedReader reader, ReadCursor cursor)
    {
        var records = new List<SourceRecord>();
        var pages = 0;
        while (!cursor.Complete)
        {
            Assert.True(pages < 1000, "The window never completed.");
            var page = await reader.ReadPageAsync(cursor, default);
            records.AddRange(page.Records);
            cursor = page.Next;
            pages++;
        }

        LastCursor = cursor;
        return (records, pages);
    }

    private static async Task<List<string>> SeedAsync(HubSpotClient client, int count)
    {
        var ids = new List<string>();
        foreach (var chunk in Enumerable.Range(0, count).Chunk(100))
        {
            var result = await client.BatchUpsertAsync("contacts", chunk.Select(i => new HubSpotUpsertInput(
                $"contact{i}@example.com", "email", new JsonObject { ["firstname"] = $"Name{i}" }, null)).ToList(), default);
            ids.AddRange(result.Results.Select(r => r.Id));
        }

        return ids;
    }
}
