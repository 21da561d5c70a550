using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.Resilience;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Sandbox;
using IvvyWorkflows.Workflows.Definitions;
using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.Sync;

/// <summary>
/// A two-way module over both simulators, driven stream by stream without the durable engine: the real connectors,
/// state store and syncer, and one fake clock shared by all of them, so a scenario moves time instead of waiting.
/// </summary>
internal sealed class TwoWayBed : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly string _folder;
    private readonly HttpClientFactory _http = new();

    private TwoWayBed(string folder, FakeTimeProvider time, SandboxHost sandbox, SqliteStateStore store, StreamSyncer syncer, LoadedWorkflow workflow)
    {
        _folder = folder;
        Time = time;
        Sandbox = sandbox;
        Store = store;
        Syncer = syncer;
        Workflow = workflow;
    }

    public FakeTimeProvider Time { get; }

    public SandboxHost Sandbox { get; }

    public SqliteStateStore Store { get; }

    public StreamSyncer Syncer { get; }

    public LoadedWorkflow Workflow { get; }

    public string Module => Workflow.Definition.Id;

    /// <summary>Starts the simulators seeded with <paramref name="seedCount"/> contacts and loads a published two-way
    /// version with its conflict policy replaced by <paramref name="policy"/> (field owners for "field-owners") and, when
    /// given, its <c>pairing.onDelete</c> by <paramref name="onDelete"/>.</summary>
    public static async Task<TwoWayBed> StartAsync(string module, int version, string policy, int seedCount = 30,
        IReadOnlyDictionary<string, string>? fieldOwners = null, JsonObject? onDelete = null, IReadOnlyDictionary<string, string>? templates = null)
    {
        var folder = Directory.CreateTempSubdirectory("ivvy-two-way-").FullName;
        var time = new FakeTimeProvider(Start);
        var options = new SandboxOptions
        {
            DataDirectory = Path.Combine(folder, "sandbox"),
            Ivvy = { SeedCount = seedCount },
            // Every call of a run happens at one instant of the fake clock: rate windows would never roll over.
            HubSpot = { TenSecondlyLimit = 0, SearchPerSecondLimit = 0 },
        };
        var sandbox = await SandboxHost.StartAsync(options, time);
        var store = new SqliteStateStore(Path.Combine(folder, "state.db"), time);
        var bed = new TwoWayBed(folder, time, sandbox, store, null!, null!);
        var connectors = new ConnectorFactory(bed._http,
            new IvvyClientOptions { BaseUrl = sandbox.IvvyBaseUrl, ApiKey = options.Ivvy.ApiKey, ApiSecret = options.Ivvy.ApiSecret },
            new HubSpotClientOptions { BaseUrl = sandbox.HubSpotBaseUrl, AccessToken = options.HubSpot.AccessToken, SearchSettleDelay = TimeSpan.FromSeconds(1),
                // Paced as the unthrottled simulated portal is limited: not at all.
                RateLimit = new RateLimitOptions() },
            time, NullLoggerFactory.Instance);
        var syncer = new StreamSyncer(store, connectors, new CompiledWorkflowCache(), time, NullLogger<StreamSyncer>.Instance);
        return new TwoWayBed(folder, time, sandbox, store, syncer, Load(module, version, policy, fieldOwners, onDelete, templates));
    }

    /// <summary>A published version with another conflict policy, optionally another <c>pairing.onDelete</c> and some
    /// templates replaced (by path); its own content hash, so compiled copies never mix.</summary>
    public static LoadedWorkflow Load(string module, int version, string policy, IReadOnlyDictionary<string, string>? fieldOwners = null,
        JsonObject? onDelete = null, IReadOnlyDictionary<string, string>? templates = null)
    {
        var folder = Path.Combine(Mapping.RepositoryPaths.Workflows, module, $"v{version}");
        var definition = JsonNode.Parse(File.ReadAllText(Path.Combine(folder, WorkflowLoader.DefinitionFileName)))!.AsObject();
        definition["pairing"]!["conflictPolicy"] = policy;
        if (fieldOwners is not null)
        {
            definition["pairing"]!["fieldOwners"] = new JsonObject(fieldOwners.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)o.Value)));
        }

        if (onDelete is not null)
        {
            definition["pairing"]!["onDelete"] = onDelete.DeepClone();
        }

        return WorkflowLoader.Load(definition.ToJsonString(), path => templates?.GetValueOrDefault(path) ?? File.ReadAllText(Path.Combine(folder, path)),
            $"{module}/v{version}",
            $"sha256:test-{module}-{version}-{policy}-{string.Join(",", fieldOwners ?? new Dictionary<string, string>())}-{onDelete?.ToJsonString()}-{string.Join(",", templates?.Values ?? [])}", folder);
    }

    /// <summary>Moves the clock on (past both readers' settle delays), then runs the module's streams in order to the end
    /// (only stream <paramref name="onlyStream"/> when given).</summary>
    public async Task<RunRecord> RunAsync(int? onlyStream = null)
    {
        Time.Advance(TimeSpan.FromSeconds(5));
        var runId = Guid.NewGuid().ToString("N");
        await Store.CreateRunAsync(new RunRecord
        {
            RunId = runId,
            Module = Module,
            Version = Workflow.Definition.Version,
            ContentHash = Workflow.ContentHash,
            PinnedDefinition = PinnedWorkflow.Pin(Workflow),
            StartedAt = Time.GetUtcNow(),
        });
        var run = await Store.ClaimRunAsync(runId);
        for (var stream = 0; stream < Workflow.Definition.Streams.Count; stream++)
        {
            if (onlyStream is { } only && stream != only)
            {
                continue;
            }

            for (var call = 0; ; call++)
            {
                var result = await Syncer.RunAsync(new SyncPagesRequest(runId, run.Owner!, stream));
                Assert.Null(result.Fatal);
                Assert.False(result.Superseded);
                if (result.StreamDone)
                {
                    break;
                }

                Assert.True(call < 1000, "the stream never finished");
            }
        }

        await Store.FinishRunAsync(runId, run.Owner!, RunStatus.Completed, null);
        Time.Advance(TimeSpan.FromSeconds(5));
        return (await Store.GetRunAsync(runId))!;
    }

    /// <summary>A run, and the next: a record the first stream writes moves out of the second stream's window (its
    /// modified date is now the write's), so the second stream reads that side's own edits of it in the next run.</summary>
    public async Task RunTwiceAsync()
    {
        await RunAsync();
        await RunAsync();
    }

    /// <summary>Every record of both sides, modified dates included: two equal snapshots mean nothing was written.</summary>
    public async Task<string> SnapshotAsync()
    {
        var (ivvyType, hubSpotType) = Module == "companies" ? ("company", "companies") : ("contact", "contacts");
        var ivvy = new JsonArray();
        for (var id = 1; ; id++)
        {
            var record = ivvyType == "company" ? await Sandbox.Ivvy.GetCompanyAsync(id) : await Sandbox.Ivvy.GetContactAsync(id);
            if (record is null)
            {
                break;
            }

            ivvy.Add(record);
        }

        var hubSpot = new JsonArray((await Sandbox.HubSpot.AllAsync(hubSpotType)).Select(r => (JsonNode?)r).ToArray());
        return new JsonObject { ["ivvy"] = ivvy, ["hubspot"] = hubSpot }.ToJsonString();
    }

    public async ValueTask DisposeAsync()
    {
        await Sandbox.DisposeAsync();
        _http.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private sealed class HttpClientFactory : IHttpClientFactory, IDisposable
    {
        private readonly HttpClient _client = new();

        public HttpClient CreateClient(string name) => _client;

        public void Dispose() => _client.Dispose();
    }
}
