using System.Net;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Activities.Tests.HubSpot;
using IvvyWorkflows.Activities.Tests.Ivvy;
using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.Messages;

/// <summary>What a run says when calls fail and when lists are long: only what is known, and what was left out.</summary>
public sealed class RunMessagesTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("ivvy-messages-").FullName;

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task IvvyWarning_DroppedConnection_NamesNoMissingValue()
    {
        var logger = new CapturingLogger();
        var client = IvvyTestClients.Create(new ScriptedHandler().ThenThrow(new HttpRequestException("refused")), new FakeTimeProvider(IvvyTestClients.Now), logger: logger);

        await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        var warning = Assert.Single(logger.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));
        Assert.DoesNotContain("(null)", warning, StringComparison.Ordinal);
        Assert.Contains("iVvy test.ping failed: Transient (no answer)", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IvvyWarning_RateLimited_SaysTheWait()
    {
        var logger = new CapturingLogger();
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.TooManyRequests, """{"errorCode":429,"message":"slow down"}""", r => r.Headers.Add("Retry-After", "7"));
        var client = IvvyTestClients.Create(handler, new FakeTimeProvider(IvvyTestClients.Now), logger: logger);

        await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Contains(logger.Lines, l => l.Contains("(errorCode 429, retry after 7 s)", StringComparison.Ordinal));
        Assert.DoesNotContain(logger.Lines, l => l.Contains("(null)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task HubSpotWarning_ServerErrorWithoutCode_NamesOnlyTheStatus()
    {
        var logger = new CapturingLogger();
        var handler = new ScriptedHubSpotHandler((_, _, _) => ScriptedHubSpotHandler.Json(503, new JsonObject { ["message"] = "down" }));
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(), HubSpotTestClients.Options(maxRetries: 0), logger: logger);

        await Assert.ThrowsAsync<ConnectorException>(() => client.GetPropertyAsync("contacts", "email", CancellationToken.None));

        var warning = Assert.Single(logger.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal));
        Assert.Contains("(HTTP 503)", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("(null)", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("retry after", warning, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, null, "no answer")]
    [InlineData(429, "RATE_LIMIT", 10.0, "HTTP 429 RATE_LIMIT, retry after 10 s")]
    [InlineData(null, null, 2.5, "no answer, retry after 2.5 s")]
    [InlineData(500, null, null, "HTTP 500")]
    public void FailureDetail_NamesOnlyWhatIsKnown(int? status, string? code, double? wait, string expected) =>
        Assert.Equal(expected, FailureDetail.Of("HTTP", status, code, wait));

    [Fact]
    public void ErrorTables_NoAdvicePromisesARetry()
    {
        // The advice ends up in a stopped run's last error, after the retries are over.
        Assert.All(IvvyErrorTable.Rules, r => Assert.DoesNotContain("retried", r.Advice, StringComparison.OrdinalIgnoreCase));
        Assert.All(HubSpotErrorTable.Rules, r => Assert.DoesNotContain("retried", r.Advice, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void RetriesUsedUp_LastError_SaysTheRunStoppedAndHowToContinue()
    {
        var (_, advice) = IvvyErrorTable.Classify(503, null, recordCall: false);

        var error = SyncRunOrchestrator.RetriesUsedUp(new SyncRunInput("r1", "contacts", 3, "sha256:x", 2), $"iVvy contact.getContactList failed with error 503. {advice}");

        Assert.DoesNotContain("is retried", error, StringComparison.Ordinal);
        Assert.EndsWith($"The run stopped after {SyncRunOrchestrator.ActivityAttempts} attempts; `ivvy-workflows run contacts` continues it from its last committed page.", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PageQuarantine_LongList_GivesThePageAndTheTotal()
    {
        var store = await StoreWithQuarantineAsync(250);

        var page = await store.PageQuarantineAsync("contacts", PageRequest.Of(2, 100));

        Assert.Equal(100, page.Items.Count);
        Assert.Equal(250, page.Total);
        Assert.True(page.HasMore);
        Assert.Equal("showing 101–200 of 250 (page 2 of 3)", page.Describe());
        var last = await store.PageQuarantineAsync("contacts", PageRequest.Of(3, 100));
        Assert.Equal(50, last.Items.Count);
        Assert.False(last.HasMore);
        var all = (await store.PageQuarantineAsync("contacts", PageRequest.Of(1, 100))).Items.Concat(page.Items).Concat(last.Items).Select(e => e.SourceId).ToList();
        Assert.Equal(250, all.Distinct().Count()); // the pages neither overlap nor skip
        Assert.Equal("showing none of 250: page 4 is past the last page (3)", (await store.PageQuarantineAsync("contacts", PageRequest.Of(4, 100))).Describe());
        Assert.Equal(0, (await store.PageQuarantineAsync("companies", new PageRequest())).Total);
    }

    [Fact]
    public async Task PagePlan_LongDryRun_GivesThePageAndTheTotal()
    {
        var store = new SqliteStateStore(Path.Combine(_folder, "plan.db"));
        var run = await NewRunAsync(store, dryRun: true);
        await store.CommitPageAsync(new PageCommit
        {
            RunId = run.RunId, Owner = run.Owner!, Module = "contacts", Stream = "s", CursorScope = run.RunId, CursorJson = "{}",
            Planned = Enumerable.Range(1, 1500).Select(i => new PlannedAction("s", i.ToString(), "create", "new")).ToList(),
        });

        var page = await store.PagePlanAsync(run.RunId, PageRequest.Of(15, 100));

        Assert.Equal(1500, page.Total);
        Assert.Equal(["1401", "1500"], [page.Items[0].SourceId, page.Items[^1].SourceId]);
        Assert.Equal("showing 1,401–1,500 of 1,500 (page 15 of 15)", page.Describe());
    }

    private async Task<SqliteStateStore> StoreWithQuarantineAsync(int count)
    {
        var store = new SqliteStateStore(Path.Combine(_folder, "q.db"));
        var run = await NewRunAsync(store, dryRun: false);
        await store.CommitPageAsync(new PageCommit
        {
            RunId = run.RunId, Owner = run.Owner!, Module = "contacts", Stream = "s", CursorScope = "live", CursorJson = "{}",
            Quarantined = Enumerable.Range(1, count).Select(i => new QuarantineEntry("contacts", "s", i.ToString(), "map", "why", "{}", 1, run.RunId, default)).ToList(),
        });
        return store;
    }

    private static async Task<RunRecord> NewRunAsync(SqliteStateStore store, bool dryRun)
    {
        var runId = Guid.NewGuid().ToString("N");
        await store.CreateRunAsync(new RunRecord { RunId = runId, Module = "contacts", Version = 1, ContentHash = "x", PinnedDefinition = "{}", DryRun = dryRun, StartedAt = DateTimeOffset.UtcNow });
        return await store.ClaimRunAsync(runId);
    }
}
