using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Builds readers and writers from a definition's connector and object names, over the configured connections.</summary>
public sealed class ConnectorFactory(
    IHttpClientFactory http,
    IvvyClientOptions ivvy,
    HubSpotClientOptions hubSpot,
    TimeProvider time,
    ILoggerFactory loggers) : IConnectorFactory
{
    /// <summary>iVvy objects that can be read by modified date, by the name a definition uses.</summary>
    public static readonly IReadOnlyDictionary<string, IvvyListSpec> IvvyObjects = new Dictionary<string, IvvyListSpec>(StringComparer.Ordinal)
    {
        ["contact"] = IvvyListSpec.Contacts,
        ["company"] = IvvyListSpec.Companies,
    };

    /// <summary>HubSpot objects and the property holding their last-modified time.</summary>
    public static readonly IReadOnlyDictionary<string, string> HubSpotObjects = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["contacts"] = "lastmodifieddate",
        ["companies"] = "hs_lastmodifieddate",
        ["deals"] = "hs_lastmodifieddate",
    };

    /// <summary>The errors in a definition's connector choices: unknown objects, or directions not built yet.</summary>
    public static IReadOnlyList<DefinitionError> Check(WorkflowDefinition definition)
    {
        var errors = new List<DefinitionError>();
        for (var i = 0; i < definition.Streams.Count; i++)
        {
            var (source, target) = (definition.Streams[i].Source, definition.Streams[i].Target);
            if (source.Connector != IvvyClient.ConnectorName || !IvvyObjects.ContainsKey(source.Object))
            {
                errors.Add(new DefinitionError($"streams[{i}].source", $"reading '{source.Object}' from '{source.Connector}' is not supported (supported: ivvy {string.Join(", ", IvvyObjects.Keys)})"));
            }

            if (target.Connector != HubSpotClient.ConnectorName || !HubSpotObjects.ContainsKey(target.Object))
            {
                errors.Add(new DefinitionError($"streams[{i}].target", $"writing '{target.Object}' to '{target.Connector}' is not supported (supported: hubspot {string.Join(", ", HubSpotObjects.Keys)})"));
            }
        }

        return errors;
    }

    public ISourceReader CreateReader(SourceDefinition source, ApiCallMeter meter) => source.Connector switch
    {
        IvvyClient.ConnectorName => new IvvyModifiedReader(CreateIvvyClient(meter), IvvyObjects[source.Object] with { PerPage = Math.Min(source.PageSize, ivvy.PerPage) }),
        _ => throw new InvalidOperationException($"No reader for connector '{source.Connector}'."),
    };

    public ITargetWriter CreateWriter(TargetDefinition target, ApiCallMeter meter) => target.Connector switch
    {
        HubSpotClient.ConnectorName => new HubSpotUpsertWriter(
            new HubSpotClient(http.CreateClient(nameof(HubSpotClient)), hubSpot, meter, time, loggers.CreateLogger<HubSpotClient>()),
            target.Object, target.ExternalKey.Property, target.ExternalKey.Label ?? target.ExternalKey.Property),
        _ => throw new InvalidOperationException($"No writer for connector '{target.Connector}'."),
    };

    private IvvyClient CreateIvvyClient(ApiCallMeter meter) =>
        new(http.CreateClient(nameof(IvvyClient)), ivvy, meter, time, loggers.CreateLogger<IvvyClient>());
}
