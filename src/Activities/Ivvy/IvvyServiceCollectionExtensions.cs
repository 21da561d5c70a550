using IvvyWorkflows.Activities.Connectors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>Registers the iVvy client.</summary>
public static class IvvyServiceCollectionExtensions
{
    /// <summary>Binds <see cref="IvvyClientOptions"/> from the <c>Ivvy</c> section (validated at start-up) and registers
    /// <see cref="IvvyClient"/> over a named <see cref="HttpClient"/>, plus <see cref="ApiCallMeter"/> and
    /// <see cref="TimeProvider.System"/> unless already registered.</summary>
    public static IServiceCollection AddIvvyClient(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<IvvyClientOptions>()
            .Bind(configuration.GetSection(IvvyClientOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<ApiCallMeter>();
        services.TryAddSingleton(TimeProvider.System);
        // The resilience pipeline bounds each attempt; HttpClient's own 100 s timeout would only cut it short.
        services.AddHttpClient(nameof(IvvyClient), http => http.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddTransient(sp => new IvvyClient(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(nameof(IvvyClient)),
            sp.GetRequiredService<IOptions<IvvyClientOptions>>().Value,
            sp.GetRequiredService<ApiCallMeter>(),
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<ILogger<IvvyClient>>()));
        return services;
    }
}
