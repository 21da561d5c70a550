using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.State;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Registers what the page activities need: the state store, connections, template cache and the syncer.</summary>
public static class SyncServiceCollectionExtensions
{
    /// <param name="services">The worker's services.</param>
    /// <param name="store">The state store, shared with whoever starts and watches runs.</param>
    /// <param name="ivvy">iVvy connection, already validated.</param>
    /// <param name="hubSpot">HubSpot connection, already validated.</param>
    public static IServiceCollection AddSyncPipeline(this IServiceCollection services, SqliteStateStore store, IvvyClientOptions ivvy, HubSpotClientOptions hubSpot)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(store);
        services.AddSingleton(ivvy);
        services.AddSingleton(hubSpot);
        // Each attempt is bounded by the resilience pipeline; HttpClient's own timeout would only cut retries short.
        services.AddHttpClient(nameof(IvvyClient), h => h.Timeout = Timeout.InfiniteTimeSpan);
        services.AddHttpClient(nameof(HubSpotClient), h => h.Timeout = Timeout.InfiniteTimeSpan);
        services.AddSingleton<CompiledWorkflowCache>();
        services.AddSingleton<IConnectorFactory, ConnectorFactory>();
        services.AddSingleton<StreamSyncer>();
        return services;
    }
}
