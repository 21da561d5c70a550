using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Engine;

/// <summary>Registers <see cref="DurableEngineOptions"/> for hosts that build the engine from configuration.</summary>
public static class DurableEngineServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="DurableEngineOptions"/> from the <c>Engine</c> section and validates it when the host starts,
    /// so a bad setting stops start-up with a message naming it.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="configuration">The root configuration (the <c>Engine</c> section is read from it).</param>
    /// <returns>The options builder, for further validation.</returns>
    public static OptionsBuilder<DurableEngineOptions> AddDurableEngineOptions(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddOptions<DurableEngineOptions>()
            .Bind(configuration.GetSection(DurableEngineOptions.SectionName))
            .ValidateDataAnnotations()
            .ValidateOnStart();
    }
}
