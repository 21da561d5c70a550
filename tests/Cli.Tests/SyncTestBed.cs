using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Engine;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Abstractions;

namespace IvvyWorkflows.Cli.Tests;

/// <summary>The machine's Azurite on 10000-10002 for the whole collection: reused when running (CI and test.sh start it),
/// else started here and left running, since test projects run in parallel and another may still be using it. Test beds
/// reach it with <c>UseDevelopmentStorage=true</c>, external storage the CLI never starts or stops.</summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    public Task InitializeAsync() => AzuriteLauncher.EnsureDevelopmentStorageAsync(Path.Combine(Path.GetTempPath(), "ivvy-workflows-cli-tests"));

    public Task DisposeAsync() => Task.CompletedTask;
}

[CollectionDefinition(Name)]
public sealed class EndToEndCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "End to end";
}

/// <summary>A data folder, a task hub and settings of its own for one test; the real workflows folder.</summary>
public sealed class SyncTestBed : IDisposable
{
    public SyncTestBed(int seedCount = 500, double duplicates = 0, IDictionary<string, string?>? settings = null)
    {
        DataDirectory = Directory.CreateTempSubdirectory("ivvy-e2e-").FullName;
        Settings = new Dictionary<string, string?>
        {
            ["DataDirectory"] = DataDirectory,
            ["WorkflowsDirectory"] = Workflows,
            ["Engine:TaskHubName"] = "t" + Guid.NewGuid().ToString("N")[..20],
            ["Engine:StorageConnectionString"] = DurableEngineOptions.DevelopmentStorageConnectionString,
            ["Sandbox:Ivvy:SeedCount"] = seedCount.ToString(),
            ["Sandbox:Ivvy:DuplicateIdentityRate"] = duplicates.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            Settings[key] = value;
        }
    }

    public static string Root { get; } = FindRoot();

    public static string Workflows => Path.Combine(Root, "workflows");

    public string DataDirectory { get; }

    public Dictionary<string, string?> Settings { get; }

    public IConfiguration Configuration => new ConfigurationBuilder().AddInMemoryCollection(Settings).Build();

    /// <summary>Contacts v1: the one-way spine (iVvy → HubSpot) the spine's tests pin; v3 (two-way) is the default.</summary>
    public LoadedWorkflow Contacts => WorkflowCatalog.Open(Workflows).Load("contacts", 1);

    /// <summary>The clock of the sandbox and the connectors: tests step it past a window's margin instead of sleeping.</summary>
    public SteppingClock Clock { get; } = new();

    public Task<SyncEnvironment> StartAsync() => SyncEnvironment.StartAsync(Configuration, NullLoggerFactory.Instance, CancellationToken.None, Clock);

    /// <summary>Starts a run and waits for its end.</summary>
    public static async Task<RunRecord> RunAsync(SyncEnvironment env, LoadedWorkflow workflow, bool dryRun = false, bool replay = false)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var run = await env.Runs.StartAsync(workflow, dryRun, replay, timeout.Token);
        return await env.Runs.WaitAsync(run.RunId, cancellationToken: timeout.Token);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IvvyWorkflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("IvvyWorkflows.sln not found above " + AppContext.BaseDirectory);
    }
}
