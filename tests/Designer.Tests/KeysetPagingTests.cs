using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Data;
using IvvyWorkflows.Workflows;
using Microsoft.Data.Sqlite;

namespace IvvyWorkflows.Designer.Tests;

/// <summary>The console's long lists read by key through the state store: walking the pages by their <c>next</c> token
/// visits every entry once in the list's order (ties in time included), filtered or not, and only the first page counts.</summary>
public sealed class KeysetPagingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ivvy-keyset-").FullName;

    private string StorePath => Path.Combine(_directory, "state.db");

    [Theory]
    [InlineData(null, null)]
    [InlineData("contacts", null)]
    [InlineData("contacts", "map")]
    [InlineData(null, "upsert")]
    public void ListQuarantine_WalkedByNext_EveryRecordOnceInOrderAndCountedOnFirstPageOnly(string? module, string? stage)
    {
        var queries = new ConsoleQueries(StorePath);
        var seeded = SeedQuarantine(1_003);
        var expected = seeded.Where(q => (module is null || q.Module == module) && (stage is null || q.Stage == stage))
            .OrderByDescending(q => q.LastSeen).ThenByDescending(q => q.Module, StringComparer.Ordinal)
            .ThenByDescending(q => q.Stream, StringComparer.Ordinal).ThenByDescending(q => q.SourceId, StringComparer.Ordinal)
            .Select(q => $"{q.Module}/{q.Stream}/{q.SourceId}").ToList();

        var walked = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = queries.ListQuarantine(new QuarantineFilter(module, null, stage, null), new PageRequest(1, 50, after));
            Assert.Equal(pages == 0 ? expected.Count : null, page.Total);
            Assert.True(page.Items.Count <= 50);
            walked.AddRange(page.Items.Select(q => $"{q.Module}/{q.Stream}/{q.SourceId}"));
            after = page.Next;
            pages++;
        }
        while (after is not null);

        Assert.Equal(expected, walked);
        Assert.Equal(Math.Max(1, (expected.Count + 49) / 50), pages);
    }

    [Fact]
    public async Task ListRuns_WalkedByNext_EveryRunOnceNewestFirst()
    {
        var store = new SqliteStateStore(StorePath);
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        for (var i = 0; i < 130; i++)
        {
            // Runs started in the same second: the run id breaks the tie.
            await store.CreateRunAsync(new RunRecord
            {
                RunId = $"run-{i:D4}", Module = i % 2 == 0 ? "contacts" : "companies", Version = 1, ContentHash = "h", PinnedDefinition = "{}",
                StartedAt = start.AddSeconds(i / 4),
            });
        }

        var queries = new ConsoleQueries(StorePath);
        var walked = new List<string>();
        string? after = null;
        do
        {
            var page = queries.ListRuns(new RunFilter("contacts", null, null, null, null), new PageRequest(1, 20, after));
            walked.AddRange(page.Items.Select(r => r.RunId));
            after = page.Next;
        }
        while (after is not null);

        Assert.Equal(Enumerable.Range(0, 130).Where(i => i % 2 == 0).Select(i => $"run-{i:D4}").Reverse(), walked);
    }

    [Fact]
    public void ListQuarantine_TokenNotOfTheList_RefusedNamingIt()
    {
        var queries = new ConsoleQueries(StorePath);
        var error = Assert.Throws<BadInputException>(() => queries.ListQuarantine(new QuarantineFilter(null, null, null, null), new PageRequest(1, 50, "not-a-token")));
        Assert.Contains("not-a-token", error.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>Records over two modules, two streams and two stages, seen at only ten distinct times (many ties).</summary>
    private List<QuarantineEntry> SeedQuarantine(int count)
    {
        var start = new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);
        var entries = Enumerable.Range(0, count).Select(i => new QuarantineEntry(i % 3 == 0 ? "companies" : "contacts", i % 2 == 0 ? "a" : "b",
            (i * 7919 % 100_000).ToString(System.Globalization.CultureInfo.InvariantCulture), i % 5 == 0 ? "upsert" : "map", $"reason {i % 4}", "{}",
            1, "run-1", start.AddMinutes(i % 10))).ToList();
        using var connection = new SqliteConnection($"Data Source={StorePath}");
        connection.Open();
        using var transaction = connection.BeginTransaction();
        foreach (var e in entries)
        {
            using var command = connection.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = """
                INSERT INTO quarantine (module, stream, source_id, stage, reason, payload, attempts, run_id, last_seen)
                VALUES ($m, $s, $id, $stage, $reason, $payload, 1, $run, $seen)
                """;
            command.Parameters.AddWithValue("$m", e.Module);
            command.Parameters.AddWithValue("$s", e.Stream);
            command.Parameters.AddWithValue("$id", e.SourceId);
            command.Parameters.AddWithValue("$stage", e.Stage);
            command.Parameters.AddWithValue("$reason", e.Reason);
            command.Parameters.AddWithValue("$payload", e.Payload);
            command.Parameters.AddWithValue("$run", e.RunId);
            command.Parameters.AddWithValue("$seen", e.LastSeen.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", System.Globalization.CultureInfo.InvariantCulture));
            command.ExecuteNonQuery();
        }

        transaction.Commit();
        return entries;
    }
}
