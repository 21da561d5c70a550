using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Activities.Tests.Sync;
using IvvyWorkflows.Workflows.Definitions;
using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.BadInput;

/// <summary>One stream (contacts v1's definition) over a fake source and target and a real state store, with the
/// template and run settings a case gives: small and fast, for the bad-input corpus.</summary>
internal sealed class SyncBed : IDisposable
{
    /// <summary>Line 1: email (required); line 6: the custom field 7; line 7: createdDate through ivvy_date.</summary>
    public const string Template = """
        {{~ email = record.email | string.strip | string.downcase | required "email" ~}}
        {
          "email": {{ email | json }},
          "firstname": {{ record.firstName | json }},
          "lastname": {{ record.lastName | json }},
          "level": {{ custom_field record.customFields 7 | json }},
          "created": {{ ivvy_date record.createdDate | json }}
        }
        """;

    private readonly string _folder = Directory.CreateTempSubdirectory("ivvy-corpus-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 27, 12, 0, 0, TimeSpan.Zero));

    public SyncBed(string template = Template, int records = 30, int? failFastAfter = null, int pageSize = 100)
    {
        Store = new SqliteStateStore(Path.Combine(_folder, "state.db"), _time);
        Source = new FakeSource(_time) { PageSize = pageSize };
        Syncer = new StreamSyncer(Store, new FakeConnectors(Source, Target), new CompiledWorkflowCache(), _time, Logger);
        Workflow = Load(template, failFastAfter);
        for (var i = 1; i <= records; i++)
        {
            Source.Add(i, $"First{i}", $"Last{i}", $"person{i}@example.com");
            Source.Touch(i.ToString(), r =>
            {
                r["customFields"] = new JsonArray(new JsonObject { ["fieldId"] = 7, ["displayName"] = "Level", ["value"] = "Gold" });
                r["createdDate"] = "2024-01-01 10:00:00";
            });
        }
    }

    public SqliteStateStore Store { get; }

    public FakeSource Source { get; }

    public FakeTarget Target { get; } = new();

    public StreamSyncer Syncer { get; }

    public LoadedWorkflow Workflow { get; private set; }

    public ListLogger Logger { get; } = new();

    /// <summary>Contacts v1's definition with <paramref name="template"/> and, when given, <c>run.failFastAfter</c>.</summary>
    public static LoadedWorkflow Load(string template, int? failFastAfter = null)
    {
        var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(Mapping.RepositoryPaths.Workflows, "contacts", "v1", "definition.json")))!;
        if (failFastAfter is { } n)
        {
            definition["run"]!["failFastAfter"] = n;
        }

        return WorkflowLoader.Load(definition.ToJsonString(), _ => template, "corpus", "sha256:" + Activities.Mapping.MappingTemplate.ComputeHash(template + failFastAfter));
    }

    /// <summary>Runs the whole window with <paramref name="workflow"/> (the bed's own when null) and finishes the run
    /// as the orchestrator would: failed with the fatal message, or completed.</summary>
    public async Task<(RunRecord Run, SyncPagesResult Last)> RunAsync(LoadedWorkflow? workflow = null)
    {
        workflow ??= Workflow;
        var runId = Guid.NewGuid().ToString("N");
        await Store.CreateRunAsync(new RunRecord
        {
            RunId = runId, Module = "contacts", Version = 1, ContentHash = workflow.ContentHash,
            PinnedDefinition = PinnedWorkflow.Pin(workflow), StartedAt = _time.GetUtcNow(),
        });
        var run = await Store.ClaimRunAsync(runId);
        for (var i = 0; i < 100; i++)
        {
            var result = await Syncer.RunAsync(new SyncPagesRequest(run.RunId, run.Owner!, 0));
            if (result.StreamDone || result.Fatal is not null)
            {
                await Store.FinishRunAsync(run.RunId, run.Owner!, result.Fatal is null ? RunStatus.Completed : RunStatus.Failed, result.Fatal);
                return ((await Store.GetRunAsync(run.RunId))!, result);
            }
        }

        throw new InvalidOperationException("The stream never finished.");
    }

    public async Task<QuarantineEntry?> QuarantinedAsync(string id) =>
        (await Store.ListQuarantineAsync("contacts", limit: 1000)).SingleOrDefault(q => q.SourceId == id);

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    /// <summary>Keeps each formatted log line.</summary>
    internal sealed class ListLogger : ILogger<StreamSyncer>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
