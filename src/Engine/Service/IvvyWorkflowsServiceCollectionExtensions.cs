using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Engine.Service;

/// <summary>The one registration every host (the command, <c>serve</c>) makes: settings validated at start, the
/// workflows catalog, and the sync environment (connections or sandbox, state store, durable engine), started once
/// when first asked for and stopped with the host.</summary>
public static class IvvyWorkflowsServiceCollectionExtensions
{
    public static IServiceCollection AddIvvyWorkflows(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<IvvyWorkflowsSettings>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.AddDurableEngineOptions(configuration);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(sp => WorkflowCatalog.Open(sp.GetRequiredService<IOptions<IvvyWorkflowsSettings>>().Value.ResolveWorkflowsDirectory()));
        services.AddSingleton(sp => new SyncEnvironmentProvider(configuration, sp.GetRequiredService<ILoggerFactory>()));
        return services;
    }
}

/// <summary>Starts the <see cref="SyncEnvironment"/> once, on first use, and disposes it with the host.</summary>
public sealed class SyncEnvironmentProvider(IConfiguration configuration, ILoggerFactory loggers) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SyncEnvironment? _environment;

    /// <summary>The environment when it has started, else null (for health checks that must not start it).</summary>
    public SyncEnvironment? Current => _environment;

    public async Task<SyncEnvironment> GetAsync(CancellationToken cancellationToken)
    {
        if (_environment is { } started)
        {
            return started;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _environment ??= await SyncEnvironment.StartAsync(configuration, loggers, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_environment is { } environment)
        {
            _environment = null;
            await environment.DisposeAsync();
        }

        _gate.Dispose();
    }
}
