using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Workflows.Definitions;
using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.Sync;

public sealed class StreamSyncerTests : IDisposable
{
    private const string Template = """
        {
          "email": {{ required(record.email, "email") | string.downcase | json }},
          "firstname": {{ record.firstName | json }},
          "lastname": {{ record.lastName | json }}
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("ivvy-syncer-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));
    private readonly SqliteStateStore _store;
    private readonly FakeSource _source;
    private readonly FakeTarget _target = new();
    private readonly StreamSyncer _syncer;
    private readonly LoadedWorkflow _workflow;

    public StreamSyncerTests()
    {
        _store = new SqliteStateStore(Path.Combine(_folder, "state.db"), _time);
        _source = new FakeSource(_time);
        _syncer = new StreamSyncer(_store, new FakeConnectors(_source, _target), new CompiledWorkflowCache(), _time, NullLogger<StreamSyncer>.Instance);
        var definition = File.ReadAllText(Path.Combine(Mapping.RepositoryPaths.Workflows, "contacts", "v1", "definition.json"));
        _workflow = WorkflowLoader.Load(definition, _ => Template, "test", "sha256:test");
        for (var i = 1; i <= 250; i++)
        {
            _source.Add(i, $"First{i}", $"Last{i}", $"person{i}@example.com");
        }
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task RunAsync_NewRecords_CreatesEachOnceAndCompletesTheWindow()
    {
        var run = await StartRunAsync();

        var result = await RunToEndAsync(run);

        Assert.True(result.StreamDone);
        Assert.Equal(250, _target.Records.Count);
        Assert.Equal("person7@example.com", _target.Records["7"]["email"]!.GetValue<string>());
        var committed = (await _store.GetRunAsync(run.RunId))!.Counters;
        Assert.Equal(new RunCounters(Read: 250, Created: 250, Pages: 3), committed);
        Assert.Equal(250, await _store.CountLinksAsync("contacts", "ivvy-to-hubspot"));
    }

    [Fact]
    public async Task RunAsync_SecondRunWithNothingModified_ReadsOnceAndWritesNothing()
    {
        await RunToEndAsync(await StartRunAsync());
        var (reads, calls) = (_source.Reads, _target.Calls);
        _time.Advance(TimeSpan.FromMinutes(1));

        var second = await StartRunAsync();
        await RunToEndAsync(second);

        Assert.Equal(reads + 1, _source.Reads);
        Assert.Equal(calls, _target.Calls);
        Assert.Equal(0, (await _store.GetRunAsync(second.RunId))!.Counters.Read);
    }

    [Fact]
    public async Task RunAsync_RecordModifiedAfterSync_IsUpdatedAndOthersUntouched()
    {
        await RunToEndAsync(await StartRunAsync());
        _time.Advance(TimeSpan.FromMinutes(1));
        _source.Touch("42", r => r["lastName"] = "Renamed");
        _source.Touch("43", r => r["phone"] = "+61 400 000 000"); // not mapped: read, but no write
        var writes = _target.Writes;
        _time.Advance(TimeSpan.FromSeconds(5));

        var second = await StartRunAsync();
        await RunToEndAsync(second);

        Assert.Equal("Renamed", _target.Records["42"]["lastname"]!.GetValue<string>());
        Assert.Equal(writes + 1, _target.Writes);
        Assert.Equal(new RunCounters(Read: 2, Updated: 1, Unchanged: 1, Pages: 1), (await _store.GetRunAsync(second.RunId))!.Counters);
    }

    [Fact]
    public async Task RunAsync_RecordFailingTheTemplate_IsQuarantinedWithLineAndColumnAndTheRestLands()
    {
        _source.Touch("5", r => r["email"] = null);
        var run = await StartRunAsync();

        await RunToEndAsync(run);

        Assert.Equal(249, _target.Records.Count);
        var entry = Assert.Single(await _store.ListQuarantineAsync("contacts"));
        Assert.Equal("5", entry.SourceId);
        Assert.Equal("map", entry.Stage);
        Assert.Contains("(2,", entry.Reason);
        Assert.Contains("email is required", entry.Reason);
        Assert.Equal(1, (await _store.GetRunAsync(run.RunId))!.Counters.Quarantined);
    }

    [Fact]
    public async Task RunAsync_RecordTheTargetRejects_IsQuarantinedThenResolvedWhenItSyncs()
    {
        _target.Reject.Add("9");
        await RunToEndAsync(await StartRunAsync());
        var entry = Assert.Single(await _store.ListQuarantineAsync());
        Assert.Equal(("9", "upsert"), (entry.SourceId, entry.Stage));
        Assert.Contains("INVALID_EMAIL", entry.Reason);
        Assert.Equal(249, _target.Records.Count);

        _target.Reject.Clear();
        _time.Advance(TimeSpan.FromMinutes(1));
        _source.Touch("9", r => r["email"] = "fixed9@example.com");
        _time.Advance(TimeSpan.FromSeconds(5));
        await RunToEndAsync(await StartRunAsync());

        Assert.Empty(await _store.ListQuarantineAsync());
        Assert.Equal(250, _target.Records.Count);
    }

    [Fact]
    public async Task RunAsync_Replay_SyncsTheQuarantinedRecordsAndLeavesTheCursor()
    {
        _target.Reject.Add("9");
        _target.Reject.Add("77");
        await RunToEndAsync(await StartRunAsync());
        var cursor = await _store.GetCursorAsync(StreamSyncer.LiveScope, "contacts", "ivvy-to-hubspot");
        Assert.Equal(2, (await _store.ListQuarantineAsync("contacts")).Count);
        _target.Reject.Remove("9"); // the CRM's problem with 9 is fixed; 77 still fails
        var reads = _source.Reads;

        var replay = await StartRunAsync(replay: true);
        var result = await RunToEndAsync(replay);

        Assert.True(result.StreamDone);
        Assert.Equal(reads, _source.Reads); // replays from the kept payload, reads nothing
        Assert.True(_target.Records.ContainsKey("9"));
        Assert.Equal("77", Assert.Single(await _store.ListQuarantineAsync("contacts")).SourceId);
        Assert.Equal(2, (await _store.ListQuarantineAsync("contacts")).Single().Attempts);
        Assert.Equal(new RunCounters(Read: 2, Created: 1, Quarantined: 1, Pages: 1), (await _store.GetRunAsync(replay.RunId))!.Counters);
        Assert.Equal(cursor!.Value.Cursor, (await _store.GetCursorAsync(StreamSyncer.LiveScope, "contacts", "ivvy-to-hubspot"))!.Value.Cursor);
    }

    [Fact]
    public async Task RunAsync_CrashBeforeCommit_RedoesOnlyThatPageWithoutDuplicates()
    {
        _target.CrashAfterCall = 2;
        var run = await StartRunAsync();

        await Assert.ThrowsAsync<IOException>(() => RunToEndAsync(run));
        Assert.Equal(100, await _store.CountLinksAsync("contacts", "ivvy-to-hubspot"));
        _target.CrashAfterCall = null;
        var resumed = await _store.ClaimRunAsync(run.RunId);
        await RunToEndAsync(resumed);

        Assert.Equal(250, _target.Records.Count);
        Assert.Equal(350, _target.Writes); // page 2 written twice, idempotently
        Assert.Equal(250, (await _store.GetRunAsync(run.RunId))!.Counters.Created);
    }

    [Fact]
    public async Task RunAsync_SupersededOwner_CommitsNothing()
    {
        var run = await StartRunAsync();
        await _store.ClaimRunAsync(run.RunId); // a resume elsewhere took the run over

        var result = await _syncer.RunAsync(new SyncPagesRequest(run.RunId, run.Owner!, 0));

        Assert.True(result.Superseded);
        Assert.Empty(_target.Records);
        Assert.Null(await _store.GetCursorAsync(StreamSyncer.LiveScope, "contacts", "ivvy-to-hubspot"));
    }

    [Fact]
    public async Task RunAsync_DryRun_PlansEveryRecordAndWritesNothing()
    {
        _source.Touch("3", r => r["email"] = "");
        var run = await StartRunAsync(dryRun: true);

        await RunToEndAsync(run);
        await _store.FinishRunAsync(run.RunId, run.Owner!, RunStatus.Completed, null);

        Assert.Empty(_target.Records);
        Assert.Equal(0, await _store.CountLinksAsync("contacts", "ivvy-to-hubspot"));
        Assert.Empty(await _store.ListQuarantineAsync());
        Assert.Null(await _store.GetCursorAsync(StreamSyncer.LiveScope, "contacts", "ivvy-to-hubspot"));
        var plan = await _store.ListPlanAsync(run.RunId);
        Assert.Equal(249, plan.Count(p => p.Action == "create"));
        Assert.Contains(plan, p => p.SourceId == "3" && p.Action == "quarantine" && p.Reason.Contains("email is required"));
        Assert.Equal(249, (await _store.GetRunAsync(run.RunId))!.Counters.Created);
    }

    private async Task<RunRecord> StartRunAsync(bool dryRun = false, bool replay = false)
    {
        var runId = Guid.NewGuid().ToString("N");
        await _store.CreateRunAsync(new RunRecord
        {
            RunId = runId,
            Module = "contacts",
            Version = 1,
            ContentHash = _workflow.ContentHash,
            PinnedDefinition = PinnedWorkflow.Pin(_workflow),
            DryRun = dryRun,
            Replay = replay,
            StartedAt = _time.GetUtcNow(),
        });
        return await _store.ClaimRunAsync(runId);
    }

    private async Task<SyncPagesResult> RunToEndAsync(RunRecord run)
    {
        for (var i = 0; i < 100; i++)
        {
            var result = await _syncer.RunAsync(new SyncPagesRequest(run.RunId, run.Owner!, 0));
            if (result.StreamDone || result.Superseded || result.Fatal is not null)
            {
                return result;
            }
        }

        throw new InvalidOperationException("The stream never finished.");
    }
}
