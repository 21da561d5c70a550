using System.ComponentModel.DataAnnotations;
using System.Net.Sockets;
using Azure.Storage.Queues;
using DurableTask.AzureStorage;
using DurableTask.Core;
using Grpc.Net.Client;
using IvvyWorkflows.Engine.Backend;
using IvvyWorkflows.Engine.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.DurableTask;
using Microsoft.DurableTask.Client;
using Microsoft.DurableTask.Testing.Sidecar;
using Microsoft.DurableTask.Worker;
using Microsoft.DurableTask.Worker.Grpc;
using Microsoft.DurableTask.Worker.Grpc.Internal;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IvvyWorkflows.Engine;

/// <summary>
/// Runs Microsoft.DurableTask orchestrators and activities durably on one machine: a worker and a client talk gRPC
/// to an in-process Durable Task sidecar, which runs over DurableTask.AzureStorage on local Azurite or a real
/// Storage account.
/// </summary>
/// <remarks>
/// <para>Durability: orchestration state lives in the storage account, so a killed or restarted process resumes its
/// runs when an engine starts again on the same task hub (with the default settings the next activity runs about
/// 15 s after a crash, at once after a graceful stop). Activities are at-least-once: after a crash one may run
/// again, so they must be idempotent.</para>
/// <para>Activities are created from <see cref="Services"/>, the worker host's container; register their
/// dependencies with the <c>configureServices</c> callback.</para>
/// <para>Only one engine may serve a sidecar; several engines (in several processes, each with its own
/// <see cref="DurableEngineOptions.WorkerId"/>) may share a task hub.</para>
/// </remarks>
public sealed class DurableEngine : IAsyncDisposable
{
    static readonly TimeSpan CompletionPollInterval = TimeSpan.FromMilliseconds(100);
    static readonly TimeSpan StorageProbeTimeout = TimeSpan.FromSeconds(5);
    static readonly TimeSpan TaskHubCreateTimeout = TimeSpan.FromSeconds(60);
    static readonly TimeSpan LostStorageStepTimeout = TimeSpan.FromSeconds(3);
    static readonly TimeSpan WorkerShutdownTimeout = TimeSpan.FromSeconds(5);
    const string ConnectionStringSetting = "Engine:StorageConnectionString";

    readonly IHost workerHost;
    readonly GrpcChannel channel;
    readonly WebApplication sidecar;
    readonly SidecarCompatibleOrchestrationService? durableBackend;
    readonly IDisposable? backendToDispose;
    readonly AzuriteLauncher? azurite;
    readonly bool stopAzurite;
    readonly ILogger logger;
    readonly TimeProvider time;
    readonly object stopGate = new();
    Task? stopTask;

    DurableEngine(
        IHost workerHost,
        GrpcChannel channel,
        WebApplication sidecar,
        Uri sidecarAddress,
        SidecarCompatibleOrchestrationService? durableBackend,
        IDisposable? backendToDispose,
        AzuriteLauncher? azurite,
        bool stopAzurite,
        StorageWatch? storage,
        string taskHubName,
        string backendDescription,
        ILogger logger)
    {
        this.workerHost = workerHost;
        this.channel = channel;
        this.sidecar = sidecar;
        SidecarAddress = sidecarAddress;
        this.durableBackend = durableBackend;
        this.backendToDispose = backendToDispose;
        this.azurite = azurite;
        this.stopAzurite = stopAzurite;
        Storage = storage;
        TaskHubName = taskHubName;
        Backend = backendDescription;
        this.logger = logger;
        time = TimeProvider.System;
        Client = workerHost.Services.GetRequiredService<DurableTaskClient>();
    }

    /// <summary>Client to schedule, query, raise events to and terminate orchestrations.</summary>
    public DurableTaskClient Client { get; }

    /// <summary>The worker host's services: where activities and their dependencies are resolved.</summary>
    public IServiceProvider Services => workerHost.Services;

    /// <summary>The task hub this engine serves.</summary>
    public string TaskHubName { get; }

    /// <summary>False for <see cref="StartInMemoryAsync"/>: its orchestrations vanish when it stops.</summary>
    public bool IsDurable => durableBackend is not null;

    /// <summary>What the engine runs on, for logs and status output (never contains a secret).</summary>
    public string Backend { get; }

    /// <summary>The loopback address of the in-process sidecar (unauthenticated; loopback only).</summary>
    public Uri SidecarAddress { get; }

    /// <summary>Watches the storage while the engine runs; null for <see cref="StartInMemoryAsync"/>.</summary>
    public StorageWatch? Storage { get; }

    /// <summary>Starts a durable engine: storage (Azurite unless a connection string is set), task hub, sidecar, worker and client.</summary>
    /// <param name="options">Engine settings (validated here; see <see cref="DurableEngineOptions"/>).</param>
    /// <param name="registerTasks">Registers the orchestrators and activities the worker runs.</param>
    /// <param name="configureServices">Registers the services activities depend on, in the worker host's container.</param>
    /// <param name="loggers">Logger factory for the engine, the worker and the backend; none by default.</param>
    /// <param name="ct">Cancels the start.</param>
    /// <returns>The running engine; dispose it to stop.</returns>
    /// <exception cref="DurableEngineStartException">A setting is invalid, storage cannot be reached, or a host failed
    /// to start; the message says what to fix (e.g. <c>Engine:StorageConnectionString</c>).</exception>
    public static async Task<DurableEngine> StartAsync(
        DurableEngineOptions options,
        Action<DurableTaskRegistry> registerTasks,
        Action<IServiceCollection>? configureServices = null,
        ILoggerFactory? loggers = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(registerTasks);
        Validate(options);

        TimeProvider time = TimeProvider.System;
        long started = time.GetTimestamp();
        loggers ??= NullLoggerFactory.Instance;
        ILoggerFactory quietLoggers = new CategoryFloorLoggerFactory(
            loggers, LogLevel.Warning, CategoryFloorLoggerFactory.InfrastructureCategories);
        ILogger logger = loggers.CreateLogger("IvvyWorkflows.Engine");

        AzuriteLauncher? launcher = null;
        AzureStorageOrchestrationService? storage = null;
        SidecarCompatibleOrchestrationService? backend = null;
        try
        {
            string connectionString;
            if (options.UsesLocalAzurite)
            {
                launcher = new AzuriteLauncher(loggers.CreateLogger<AzuriteLauncher>(), time);
                connectionString = (await launcher.EnsureRunningAsync(options.DataDirectory, ct)).ConnectionString;
            }
            else
            {
                connectionString = options.StorageConnectionString!;
            }

            Uri queueEndpoint = await ProbeStorageAsync(connectionString, options.UsesLocalAzurite, ct);

            storage = new AzureStorageOrchestrationService(new AzureStorageOrchestrationServiceSettings
            {
                TaskHubName = options.TaskHubName,
                StorageAccountClientProvider = new StorageAccountClientProvider(connectionString),
                WorkerId = options.WorkerId,
                PartitionCount = options.PartitionCount,
                WorkItemQueueVisibilityTimeout = options.WorkItemVisibility,
                ControlQueueVisibilityTimeout = options.ControlQueueVisibility,
                MaxQueuePollingInterval = options.MaxQueuePollingInterval,
                LoggerFactory = quietLoggers,
            });
            await CreateTaskHubAsync(storage, options, ct);
            var hubResources = new TaskHubResources(connectionString, options.TaskHubName);
            var created = await hubResources.ListAsync(ct);

            backend = new SidecarCompatibleOrchestrationService(
                storage, options.WorkItemVisibility / 3, CompletionPollInterval, time, logger);

            // Started here, awaited, rather than by the sidecar when the worker connects: the sidecar starts it from an
            // async void handler, where a storage failure would crash the process instead of failing this call.
            try
            {
                await backend.StartAsync().WaitAsync(TaskHubCreateTimeout, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                throw new DurableEngineStartException(
                    EngineStartFailure.StorageUnreachable,
                    $"The storage backend of task hub '{options.TaskHubName}' failed to start ({ex.GetType().Name}: " +
                    $"{FirstLine(ex.Message)}). Check {ConnectionStringSetting} and that the account is reachable.",
                    ConnectionStringSetting, ex);
            }

            var hosts = await StartHostsAsync(backend, backend, registerTasks, configureServices, quietLoggers, ct);
            string description = options.UsesLocalAzurite ? "Azure Storage on local Azurite" : "Azure Storage";
            var hub = storage;
            var watch = new StorageWatch(
                queueEndpoint, options.StorageLossTimeout, launcher, launcher is null ? null : Path.GetFullPath(options.DataDirectory),
                restoreCt => RestoreTaskHubAsync(hub, hubResources, created, options.TaskHubName, logger, restoreCt), logger, time);
            var engine = new DurableEngine(
                hosts.Worker, hosts.Channel, hosts.Sidecar, hosts.Address, backend, storage,
                launcher, options.StopAzuriteOnExit, watch, options.TaskHubName, description, logger);
            EngineLog.EngineStarted(logger, options.TaskHubName, description, time.GetElapsedTime(started).TotalMilliseconds, hosts.Address.ToString());
            return engine;
        }
        catch (Exception)
        {
            // Undo what was started, then let the original exception propagate.
            if (backend is not null)
            {
                await StopQuietlyAsync(backend.StopAsync(), logger, "backend");
            }

            storage?.Dispose();
            if (launcher is not null)
            {
                await StopQuietlyAsync(launcher.StopAsync(options.StopAzuriteOnExit, CancellationToken.None), logger, "azurite");
            }

            throw;
        }
    }

    static async Task StopQuietlyAsync(Task stop, ILogger logger, string step)
    {
        try
        {
            await stop;
        }
        catch (Exception ex)
        {
            EngineLog.ShutdownStepFailed(logger, step, ex);
        }
    }

    /// <summary>
    /// Starts an engine over an in-memory orchestration store, for unit tests only. It is NOT durable: every
    /// orchestration is lost when it stops, and nothing survives a crash.
    /// </summary>
    /// <param name="registerTasks">Registers the orchestrators and activities the worker runs.</param>
    /// <param name="configureServices">Registers the services activities depend on.</param>
    /// <param name="loggers">Logger factory; none by default.</param>
    /// <param name="ct">Cancels the start.</param>
    /// <returns>The running engine; dispose it to stop.</returns>
    public static async Task<DurableEngine> StartInMemoryAsync(
        Action<DurableTaskRegistry> registerTasks,
        Action<IServiceCollection>? configureServices = null,
        ILoggerFactory? loggers = null,
        CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(registerTasks);
        loggers ??= NullLoggerFactory.Instance;
        ILoggerFactory quietLoggers = new CategoryFloorLoggerFactory(
            loggers, LogLevel.Warning, CategoryFloorLoggerFactory.InfrastructureCategories);
        var store = new InMemoryOrchestrationService(quietLoggers);
        var hosts = await StartHostsAsync(store, store, registerTasks, configureServices, quietLoggers, ct);
        return new DurableEngine(
            hosts.Worker, hosts.Channel, hosts.Sidecar, hosts.Address, durableBackend: null, backendToDispose: null,
            azurite: null, stopAzurite: false, storage: null, "in-memory", "in-memory (not durable)", loggers.CreateLogger("IvvyWorkflows.Engine"));
    }

    /// <summary>
    /// Waits until an orchestration completes, fails or is terminated, polling its state every 100 ms.
    /// </summary>
    /// <remarks>Prefer this to <see cref="DurableTaskClient.WaitForInstanceCompletionAsync(string, bool, CancellationToken)"/>
    /// in tests and the CLI: it notices completion within ~100 ms whatever the backend. An instance that does not
    /// exist yet is waited for too; bound the wait with <paramref name="ct"/>.</remarks>
    /// <param name="instanceId">The orchestration instance.</param>
    /// <param name="ct">Ends the wait (throws <see cref="OperationCanceledException"/>).</param>
    /// <returns>The final state, with inputs and outputs.</returns>
    public async Task<OrchestrationMetadata> WaitForCompletionAsync(string instanceId, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        while (true)
        {
            OrchestrationMetadata? metadata = await Client.GetInstanceAsync(instanceId, getInputsAndOutputs: true, ct);
            if (metadata is { IsCompleted: true })
            {
                return metadata;
            }

            await Task.Delay(CompletionPollInterval, time, ct);
        }
    }

    /// <summary>
    /// Stops the engine: the worker host first (no new work is taken), then the sidecar, then the backend, then it
    /// gives up its lease on the data directory's Azurite, which stops when no other process of ours uses it and
    /// <see cref="DurableEngineOptions.StopAzuriteOnExit"/> is set.
    /// </summary>
    /// <remarks>Idempotent. Orchestrations in flight are not lost: they resume when an engine starts again on the
    /// same task hub (an activity interrupted mid-run runs again). When the storage is lost, each step that needs it
    /// is given up after a few seconds, so the stop stays bounded.</remarks>
    public Task StopAsync(CancellationToken ct = default)
    {
        lock (stopGate)
        {
            return stopTask ??= StopCoreAsync(ct);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    async Task StopCoreAsync(CancellationToken ct)
    {
        bool storageLost = Storage is { Lost.IsCancellationRequested: true };
        if (Storage is not null)
        {
            await Storage.DisposeAsync();
        }

        await Step("worker host", async () =>
        {
            await workerHost.StopAsync(ct);
            workerHost.Dispose();
        });
        await Step("gRPC channel", async () =>
        {
            await channel.ShutdownAsync();
            channel.Dispose();
        });
        await Step("sidecar", async () =>
        {
            await sidecar.StopAsync(ct);
            await sidecar.DisposeAsync();
        });
        if (durableBackend is not null)
        {
            await Step("backend", () => durableBackend.StopAsync());
        }

        backendToDispose?.Dispose();
        if (azurite is not null)
        {
            await Step("azurite", () => azurite.StopAsync(stopAzurite, ct));
        }

        EngineLog.EngineStopped(logger, TaskHubName);

        async Task Step(string name, Func<Task> action)
        {
            try
            {
                // Without storage the backend's calls retry for minutes: give each step a few seconds, then move on.
                await action().WaitAsync(storageLost ? LostStorageStepTimeout : Timeout.InfiniteTimeSpan, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                // Keep going: a failed step must not leave Azurite or the storage backend running.
                EngineLog.ShutdownStepFailed(logger, name, ex);
            }
        }
    }

    static async Task<(WebApplication Sidecar, Uri Address, GrpcChannel Channel, IHost Worker)> StartHostsAsync(
        IOrchestrationService service,
        IOrchestrationServiceClient client,
        Action<DurableTaskRegistry> registerTasks,
        Action<IServiceCollection>? configureServices,
        ILoggerFactory quietLoggers,
        CancellationToken ct)
    {
        WebApplication? sidecar = null;
        GrpcChannel? channel = null;
        IHost? worker = null;
        try
        {
            (sidecar, Uri address) = await SidecarServer.StartAsync(service, client, quietLoggers, ct);
            channel = GrpcChannel.ForAddress(address);
            GrpcChannel workerChannel = channel;

            // A host of its own, stopped before the sidecar's: stopped together, shutdown waits ~10 s on the open stream.
            HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
            {
                ApplicationName = "IvvyWorkflows.Engine.Worker",
                ContentRootPath = AppContext.BaseDirectory,
            });
            builder.Services.AddLogging();
            builder.Services.AddSingleton(quietLoggers);
            builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();

            // An activity still running at stop is not waited for beyond this: it is handed back and runs again (its
            // page was not committed), so a signalled process stops within seconds whatever the activity waits on.
            builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = WorkerShutdownTimeout);
            configureServices?.Invoke(builder.Services);
            builder.Services.AddDurableTaskWorker(worker =>
            {
                worker.AddTasks(registerTasks);
                worker.UseGrpc(grpc =>
                {
                    grpc.Channel = workerChannel;

                    // The sidecar sends no health pings: an idle stream is not a dead one.
                    grpc.SetSilentDisconnectTimeout(TimeSpan.Zero);
                });
            });
            builder.Services.AddDurableTaskClient(client =>
            {
                client.UseGrpc(workerChannel);
                client.RegisterDirectly();
            });

            worker = builder.Build();
            await worker.StartAsync(ct);
            return (sidecar, address, channel, worker);
        }
        catch (Exception ex)
        {
            worker?.Dispose();
            channel?.Dispose();
            if (sidecar is not null)
            {
                await sidecar.DisposeAsync();
            }

            if (ex is OperationCanceledException && ct.IsCancellationRequested)
            {
                throw;
            }

            throw new DurableEngineStartException(
                EngineStartFailure.HostFailed, $"The durable engine's in-process hosts failed to start: {ex.Message}", inner: ex);
        }
    }

    static void Validate(DurableEngineOptions options)
    {
        var results = new List<ValidationResult>();
        if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            return;
        }

        string setting = $"{DurableEngineOptions.SectionName}:{results[0].MemberNames.FirstOrDefault() ?? "?"}";
        throw new DurableEngineStartException(
            EngineStartFailure.InvalidSetting,
            "Invalid engine settings: " + string.Join(" ", results.Select(r => r.ErrorMessage)),
            setting);
    }

    /// <summary>
    /// Fails fast, with a message naming the setting, when the storage endpoint does not accept connections:
    /// otherwise the storage SDK retries for a long time before the task hub creation gives up.
    /// </summary>
    /// <returns>The storage's queue endpoint, which <see cref="StorageWatch"/> then keeps watching.</returns>
    static async Task<Uri> ProbeStorageAsync(string connectionString, bool localAzurite, CancellationToken ct)
    {
        Uri endpoint;
        try
        {
            endpoint = new QueueServiceClient(connectionString).Uri;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or InvalidOperationException)
        {
            // The connection string holds a key: its content never goes into the message.
            throw new DurableEngineStartException(
                EngineStartFailure.InvalidSetting,
                $"{ConnectionStringSetting} is not a valid Azure Storage connection string ({ex.GetType().Name}). " +
                "Fix it, or leave it empty to use local Azurite.",
                ConnectionStringSetting, ex);
        }

        using var tcp = new TcpClient();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(StorageProbeTimeout);
        try
        {
            await tcp.ConnectAsync(endpoint.Host, endpoint.Port, timeout.Token);
        }
        catch (Exception ex) when (ex is SocketException || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            string reason = ex is SocketException socket ? socket.SocketErrorCode.ToString() : "timed out";
            throw new DurableEngineStartException(
                EngineStartFailure.StorageUnreachable,
                localAzurite
                    ? $"The data directory's Azurite is not reachable at {endpoint.Host}:{endpoint.Port} ({reason}). See " +
                      "azurite.log in the data directory (Engine:DataDirectory), or set " + $"{ConnectionStringSetting} to an Azure Storage account."
                    : $"The storage account in {ConnectionStringSetting} is not reachable: its queue endpoint " +
                      $"{endpoint.Host}:{endpoint.Port} refused or dropped the connection ({reason}). Check the setting " +
                      "and the network, or leave it empty to use local Azurite.",
                ConnectionStringSetting, ex);
        }

        return endpoint;
    }

    static async Task CreateTaskHubAsync(AzureStorageOrchestrationService storage, DurableEngineOptions options, CancellationToken ct)
    {
        try
        {
            // The sidecar does not await CreateTaskHub, so the queues, tables and containers are created here.
            await storage.CreateIfNotExistsAsync().WaitAsync(TaskHubCreateTimeout, ct);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            throw new DurableEngineStartException(
                EngineStartFailure.StorageUnreachable,
                $"Could not create the task hub '{options.TaskHubName}' in the storage account of {ConnectionStringSetting} " +
                $"({ex.GetType().Name}: {FirstLine(ex.Message)}). Check that the connection string's account name and key " +
                "are right and that the account is reachable.",
                ConnectionStringSetting, ex);
        }
    }

    /// <summary>Creates the task hub again when a restarted Azurite lost any of what it was created with.</summary>
    /// <remarks>The service creates a hub once per instance unless asked to recreate its instance store, so it is asked
    /// to: what that deletes is already gone or no longer consistent with the lost queues.</remarks>
    static async Task RestoreTaskHubAsync(
        AzureStorageOrchestrationService storage, TaskHubResources resources, IReadOnlySet<string> created, string taskHub,
        ILogger logger, CancellationToken ct)
    {
        var missing = created.Except(await resources.ListAsync(ct)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        EngineLog.TaskHubRecreating(logger, taskHub, string.Join(", ", missing));
        await storage.CreateAsync(recreateInstanceStore: true).WaitAsync(TaskHubCreateTimeout, ct);
    }

    static string FirstLine(string text)
    {
        int end = text.IndexOfAny(['\r', '\n']);
        return end < 0 ? text : text[..end];
    }
}
