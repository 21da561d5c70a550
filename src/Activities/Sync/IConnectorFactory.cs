using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Builds the reader and writer a stream names, counting their remote calls in <c>meter</c>.</summary>
public interface IConnectorFactory
{
    ISourceReader CreateReader(SourceDefinition source, ApiCallMeter meter);

    ITargetWriter CreateWriter(TargetDefinition target, ApiCallMeter meter);
}
