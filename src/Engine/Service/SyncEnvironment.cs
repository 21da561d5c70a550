using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.State;
using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Engine.Runs;
using IvvyWorkflows.Sandbox;
using IvvyWorkflows.Workflows.Definitions;
using IvvyWorkflows.Workflows.Orchestrations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Engine.Service;

/// <summary>
/// Everything a run needs, started in order: the connections (the sandbox when no credentials are configured),
/// the state store, and the durable engine with the sync orchestrator and activities.
/// </summary>
public sealed class SyncEnvironment : IAsyncDisposable
{
    private SyncEnvironment(IvvyWorkflowsSettings settings, SandboxHost? sandbox, DurableEngine engine, SqliteStateStore store, WorkflowCatalog catalog,
        IReadOnlyDictionary<string, Uri> remotes)
    {
        Remotes = remotes;
        Settings = settings;
        Sandbox = sandbox;
        Engine = engine;
        Store = store;
        Catalog = catalog;
        Runs = new RunLauncher(engine.Client, store, TimeProvider.System, engine.Storage);
    }

    public IvvyWorkflowsSettings Settings { get; }

    /// <summary>The in-process sandbox, when the run uses it.</summary>
    public SandboxHost? Sandbox { get; }

    public DurableEngine Engine { get; }

    public SqliteStateStore Store { get; }

    public WorkflowCatalog Catalog { get; }

    public RunLauncher Runs { get; }

    /// <summary>The remotes runs call, by name (their base URLs; never their credentials), for readiness checks.</summary>
    public IReadOnlyDictionary<string, Uri> Remotes { get; }

    /// <param name="time">The clock of the sandbox and of the connectors' read windows (tests move it forward instead of
    /// waiting for a window to close); <see cref="TimeProvider.System"/> when null.</param>
    public static async Task<SyncEnvironment> StartAsync(
        IConfiguration configuration, ILoggerFactory loggers, CancellationToken cancellationToken, TimeProvider? time = null)
    {
        var settings = Bind<IvvyWorkflowsSettings>(configuration, null);
        var catalog = WorkflowCatalog.Open(settings.ResolveWorkflowsDirectory());
        var ivvy = Bind<IvvyClientOptions>(configuration, IvvyClientOptions.SectionName);
        var hubSpot = Bind<HubSpotClientOptions>(configuration, HubSpotClientOptions.SectionName);

        SandboxHost? sandbox = null;
        var hasIvvy = !string.IsNullOrEmpty(ivvy.ApiKey) || !string.IsNullOrEmpty(ivvy.ApiSecret);
        var hasHubSpot = !string.IsNullOrEmpty(hubSpot.AccessToken);
        if (hasIvvy != hasHubSpot)
        {
            throw new Workflows.BadInputException(hasIvvy
                ? "iVvy credentials are set but HubSpot:AccessToken is not: set it too, or unset Ivvy:ApiKey and Ivvy:ApiSecret to run against the sandbox."
                : "HubSpot:AccessToken is set but the iVvy credentials are not: set Ivvy:ApiKey and Ivvy:ApiSecret too, or unset HubSpot:AccessToken to run against the sandbox.");
        }

        if (!hasIvvy)
        {
            // No credentials: the simulated iVvy account and HubSpot portal stand in, their state on disk beside ours.
            var sandboxOptions = Bind<SandboxOptions>(configuration, "Sandbox");
            sandboxOptions.DataDirectory ??= settings.SandboxDirectory;
            sandbox = await SandboxHost.StartAsync(sandboxOptions, time, cancellationToken);
            ivvy.BaseUrl = sandbox.IvvyBaseUrl;
            ivvy.ApiKey = sandboxOptions.Ivvy.ApiKey;
            ivvy.ApiSecret = sandboxOptions.Ivvy.ApiSecret;
            hubSpot.BaseUrl = sandbox.HubSpotBaseUrl;
            hubSpot.AccessToken = sandboxOptions.HubSpot.AccessToken;
            // The simulated portal's limits are the account's: calls are paced under them as under a real portal's.
            hubSpot.RateLimit.CallsPerWindow = sandboxOptions.HubSpot.TenSecondlyLimit;
            hubSpot.RateLimit.Window = TimeSpan.FromSeconds(10);
            hubSpot.RateLimit.SearchCallsPerSecond = sandboxOptions.HubSpot.SearchPerSecondLimit;
        }

        ivvy.ValidateOrThrow();
        hubSpot.ValidateOrThrow();
        var store = new SqliteStateStore(settings.StateStorePath);
        var engineOptions = Bind<DurableEngineOptions>(configuration, "Engine");
        engineOptions.DataDirectory = settings.DataDirectory;
        try
        {
            var engine = await DurableEngine.StartAsync(
                engineOptions,
                tasks =>
                {
                    tasks.AddOrchestrator<SyncRunOrchestrator>();
                    tasks.AddActivity<SyncPagesActivity>();
                    tasks.AddActivity<FinishRunActivity>();
                },
                services => services.AddSingleton(time ?? TimeProvider.System).AddSyncPipeline(store, ivvy, hubSpot),
                loggers,
                cancellationToken);
            return new SyncEnvironment(settings, sandbox, engine, store, catalog,
                new Dictionary<string, Uri> { ["ivvy"] = ivvy.BaseUrl, ["hubspot"] = hubSpot.BaseUrl });
        }
        catch
        {
            if (sandbox is not null)
            {
                await sandbox.DisposeAsync();
            }

            throw;
        }
    }

    /// <summary>Binds a section (or the root) to a new options object.</summary>
    public static T Bind<T>(IConfiguration configuration, string? section) where T : new()
    {
        var options = new T();
        (section is null ? configuration : configuration.GetSection(section)).Bind(options);
        return options;
    }

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        if (Sandbox is not null)
        {
            await Sandbox.DisposeAsync();
        }
    }
}
