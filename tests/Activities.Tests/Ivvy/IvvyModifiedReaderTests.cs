using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

public sealed class IvvyModifiedReaderTests
{
    private const string ListEndpoint = "contact.getContactList";

    private readonly FakeTimeProvider _time = new(IvvyTestClients.Now);
    private readonly ApiCallMeter _meter = new();
    private readonly FakeIvvyApi _api;
    private readonly IvvyModifiedReader _reader;

    public IvvyModifiedReaderTests()
    {
        _api = new FakeIvvyApi(_time, IvvyTestClients.ApiKey, IvvyTestClients.ApiSecret);
        var client = IvvyTestClients.Create(_api, _time, meter: _meter);
        _reader = new IvvyModifiedReader(client, new IvvyListSpec("contact", "getContactList", "fromModifiedDate", "toModifiedDate"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(99)]
    [InlineData(100)]
    [InlineData(101)]
    [InlineData(250)]
    [InlineData(300)]
    public async Task ReadPageAsync_FullWindow_ReadsEveryRecordOnceInMinimalCalls(int count)
    {
        Seed(count);

        var cursor = await _reader.OpenWindowAsync(null, CancellationToken.None);
        var (ids, _) = await ReadWindow(cursor);

        Assert.Equal(Enumerable.Range(1, count).Select(i => i.ToString()), ids);
        Assert.Equal((count + 99) / 100, _api.CallsTo(ListEndpoint));
    }

    [Fact]
    public async Task ReadPageAsync_Records_MappedWithIdModifiedAndData()
    {
        _api.Add(7, IvvyTestClients.Now.AddDays(-3), idAsString: true);
        _api.Add(8, IvvyTestClients.Now.AddDays(-2));

        var cursor = await _reader.OpenWindowAsync(null, CancellationToken.None);
        var page = await _reader.ReadPageAsync(cursor, CancellationToken.None);

        Assert.Equal(["7", "8"], page.Records.Select(r => r.Id));
        Assert.Equal(IvvyTestClients.Now.AddDays(-3), page.Records[0].ModifiedAt);
        Assert.Equal("First8", page.Records[1].Data["firstName"]!.GetValue<string>());
        Assert.True(page.Next.Complete);
        Assert.Equal(2, page.Next.Offset);
        Assert.Equal(2, page.Next.Total);
    }

    [Fact]
    public async Task OpenWindowAsync_FirstWindow_ToIsServerTimeMinusOneSecondAndNoFrom()
    {
        _time.Advance(TimeSpan.FromMilliseconds(600));
        Seed(3);

        var cursor = await _reader.OpenWindowAsync(null, CancellationToken.None);
        await _reader.ReadPageAsync(cursor, CancellationToken.None);

        Assert.Null(cursor.From);
        Assert.Equal(IvvyTestClients.Now.AddSeconds(-1), cursor.To);
        Assert.Equal(0, cursor.Offset);
        Assert.Null(cursor.Total);
        Assert.False(cursor.Complete);
        var filter = (JsonObject)_api.Requests.Last().Body!["filter"]!;
        Assert.False(filter.ContainsKey("fromModifiedDate"));
        Assert.Equal("2024-02-01 08:59:59", filter["toModifiedDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenWindowAsync_SecondWindow_StartsAtPreviousToMinusOverlap()
    {
        Seed(5);
        var first = await _reader.OpenWindowAsync(null, CancellationToken.None);
        var (_, firstDone) = await ReadWindow(first);
        _time.Advance(TimeSpan.FromMinutes(10));

        var second = await _reader.OpenWindowAsync(firstDone, CancellationToken.None);
        await _reader.ReadPageAsync(second, CancellationToken.None);

        Assert.Equal(first.To - TimeSpan.FromSeconds(1), second.From);
        Assert.Equal(IvvyTestClients.Now.AddMinutes(10).AddSeconds(-1), second.To);
        var filter = (JsonObject)_api.Requests.Last().Body!["filter"]!;
        Assert.Equal(IvvyTimestamp.Format(first.To - TimeSpan.FromSeconds(1)), filter["fromModifiedDate"]!.GetValue<string>());
    }

    [Fact]
    public async Task OpenWindowAsync_CustomOverlap_Used()
    {
        var client = IvvyTestClients.Create(_api, _time);
        var reader = new IvvyModifiedReader(client, IvvyListSpec.Contacts with { Overlap = TimeSpan.FromMinutes(5) });
        var previous = new ReadCursor(null, IvvyTestClients.Now.AddHours(-1), Complete: true);

        var cursor = await reader.OpenWindowAsync(previous, CancellationToken.None);

        Assert.Equal(IvvyTestClients.Now.AddHours(-1).AddMinutes(-5), cursor.From);
    }

    [Fact]
    public async Task ReadPageAsync_WholeWindow_OnePingPerWindow()
    {
        Seed(250);

        var first = await _reader.OpenWindowAsync(null, CancellationToken.None);
        var (_, done) = await ReadWindow(first);
        Assert.Equal(1, _meter.Snapshot()["ivvy:test.ping"]);

        _time.Advance(TimeSpan.FromMinutes(1));
        await ReadWindow(await _reader.OpenWindowAsync(done, CancellationToken.None));
        Assert.Equal(2, _meter.Snapshot()["ivvy:test.ping"]);
    }

    [Fact]
    public async Task ReadPageAsync_RecordsInReadPageModifiedBetweenReads_NoRecordSkipped()
    {
        Seed(250);
        // After page 1 (ids 1–100) is served, ten of its records are modified: they leave the window, and ids 101–110
        // slide onto offsets 90–99, which a naive reader (next offset 100) would never read.
        _api.ListServed = call =>
        {
            if (call == 1)
            {
                foreach (var id in Enumerable.Range(1, 10))
                {
                    _api.Touch(id);
                }
            }
        };

        var (ids, done) = await ReadWindow(await _reader.OpenWindowAsync(null, CancellationToken.None));

        Assert.Equal(Enumerable.Range(1, 250).Select(i => i.ToString()), ids.Distinct().Order(NumericOrder));
        Assert.True(done.Complete);
        Assert.Equal(240, done.Total);
        Assert.Equal(90, _api.Requests.Where(r => r.Endpoint == ListEndpoint).Select(r => r.Body!["start"]!.GetValue<int>()).ElementAt(2));
    }

    [Fact]
    public async Task ReadPageAsync_RecordsInReadPagesDeletedBetweenReads_NoRecordSkipped()
    {
        Seed(250);
        _api.ListServed = call =>
        {
            if (call == 1)
            {
                foreach (var id in Enumerable.Range(5, 16))
                {
                    _api.Delete(id);
                }
            }

            if (call == 3)
            {
                foreach (var id in Enumerable.Range(100, 20))
                {
                    _api.Delete(id);
                }
            }
        };

        var (ids, _) = await ReadWindow(await _reader.OpenWindowAsync(null, CancellationToken.None));

        Assert.Equal(Enumerable.Range(1, 250).Select(i => i.ToString()), ids.Distinct().Order(NumericOrder));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task ReadPageAsync_RandomChurnAnywhere_EveryRecordReadInThisWindowOrTheNext(int seed)
    {
        const int count = 700;
        Seed(count);
        var random = new Random(seed);
        var touched = new HashSet<int>();
        var deleted = new HashSet<int>();
        _api.ListServed = _ =>
        {
            for (var i = random.Next(0, 40); i > 0; i--)
            {
                var live = _api.Ids.ToArray();
                var id = live[random.Next(live.Length)];
                if (random.Next(3) == 0)
                {
                    _api.Delete(id);
                    deleted.Add(id);
                }
                else
                {
                    _api.Touch(id);
                    touched.Add(id);
                }
            }
        };

        var (first, firstDone) = await ReadWindow(await _reader.OpenWindowAsync(null, CancellationToken.None));
        _api.ListServed = null;
        _time.Advance(TimeSpan.FromMinutes(5));
        var (second, _) = await ReadWindow(await _reader.OpenWindowAsync(firstDone, CancellationToken.None));

        var readFirst = first.Select(int.Parse).ToHashSet();
        var readSecond = second.Select(int.Parse).ToHashSet();
        foreach (var id in Enumerable.Range(1, count))
        {
            if (!touched.Contains(id) && !deleted.Contains(id))
            {
                Assert.True(readFirst.Contains(id), $"untouched record {id} was skipped in the first window");
            }
            else if (!deleted.Contains(id))
            {
                Assert.True(readFirst.Contains(id) || readSecond.Contains(id), $"modified record {id} was never read");
            }
        }

        Assert.All(touched.Except(deleted), id => Assert.Contains(id, readSecond));
    }

    [Fact]
    public async Task ReadPageAsync_WindowShrinksOnEveryRead_StillReadsEveryRecord()
    {
        Seed(250);
        // One already-read record leaves the window after each of the first 60 reads: the re-read loop never sees a
        // stable total and must fall back to moving the cursor back.
        _api.ListServed = call =>
        {
            if (call <= 60)
            {
                _api.Delete(call);
            }
        };

        var (ids, done) = await ReadWindow(await _reader.OpenWindowAsync(null, CancellationToken.None));

        Assert.Equal(Enumerable.Range(1, 250).Select(i => i.ToString()), ids.Distinct().Order(NumericOrder));
        Assert.Equal(190, done.Total);
    }

    [Fact]
    public async Task OpenWindowAsync_RecordWrittenInPingSecond_FallsInNextWindow()
    {
        Seed(3);
        _api.Add(4, IvvyTestClients.Now);

        var (first, done) = await ReadWindow(await _reader.OpenWindowAsync(null, CancellationToken.None));
        _time.Advance(TimeSpan.FromMinutes(1));
        var (second, _) = await ReadWindow(await _reader.OpenWindowAsync(done, CancellationToken.None));

        Assert.DoesNotContain("4", first);
        Assert.Contains("4", second);
    }

    [Fact]
    public async Task ReadPageAsync_SameCursorTwice_SameRecords()
    {
        Seed(150);
        var cursor = await _reader.OpenWindowAsync(null, CancellationToken.None);
        var page1 = await _reader.ReadPageAsync(cursor, CancellationToken.None);

        var again = await _reader.ReadPageAsync(page1.Next, CancellationToken.None);
        var redo = await _reader.ReadPageAsync(page1.Next, CancellationToken.None);

        Assert.Equal(again.Records.Select(r => r.Id), redo.Records.Select(r => r.Id));
        Assert.Equal(again.Next, redo.Next);
    }

    [Fact]
    public async Task ReadPageAsync_CompleteCursor_ReturnsEmptyWithoutCalling()
    {
        var cursor = new ReadCursor(null, IvvyTestClients.Now, Offset: 10, Total: 10, Complete: true);

        var page = await _reader.ReadPageAsync(cursor, CancellationToken.None);

        Assert.Empty(page.Records);
        Assert.Same(cursor, page.Next);
        Assert.Empty(_api.Requests);
    }

    [Fact]
    public async Task ReadPageAsync_EmptyWindow_CompleteAfterOneCall()
    {
        var page = await _reader.ReadPageAsync(await _reader.OpenWindowAsync(null, CancellationToken.None), CancellationToken.None);

        Assert.Empty(page.Records);
        Assert.True(page.Next.Complete);
        Assert.Equal(1, _api.CallsTo(ListEndpoint));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void Constructor_PerPageOutOfRange_Throws(int perPage)
    {
        var client = IvvyTestClients.Create(_api, _time);

        Assert.Throws<ArgumentOutOfRangeException>(() => new IvvyModifiedReader(client, IvvyListSpec.Contacts with { PerPage = perPage }));
    }

    private static readonly Comparer<string> NumericOrder = Comparer<string>.Create((a, b) => int.Parse(a).CompareTo(int.Parse(b)));

    private void Seed(int count)
    {
        for (var id = 1; id <= count; id++)
        {
            // Modified dates deliberately unrelated to id order, as in iVvy.
            _api.Add(id, IvvyTestClients.Now.AddMinutes(-1 - (id * 7919 % count)));
        }
    }

    private async Task<(List<string> Ids, ReadCursor Done)> ReadWindow(ReadCursor cursor)
    {
        var ids = new List<string>();
        for (var pages = 0; !cursor.Complete; pages++)
        {
            Assert.True(pages < 1000, "the window never completed");
            var page = await _reader.ReadPageAsync(cursor, CancellationToken.None);
            ids.AddRange(page.Records.Select(r => r.Id));
            cursor = page.Next;
        }

        return (ids, cursor);
    }
}
