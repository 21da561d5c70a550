using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Builds the reader and writer a stream names, counting their remote calls in <c>meter</c>.</summary>
public interface IConnectorFactory
{
    /// <param name="groupLists">For a source of list members: the HubSpot list paired with each iVvy group.</param>
    ISourceReader CreateReader(SourceDefinition source, ApiCallMeter meter, IReadOnlyDictionary<string, string>? groupLists = null);

    ITargetWriter CreateWriter(TargetDefinition target, ApiCallMeter meter);

    /// <summary>The writer of a membership stream's target groups.</summary>
    IMembershipWriter CreateMembershipWriter(TargetDefinition target, ApiCallMeter meter);
}
