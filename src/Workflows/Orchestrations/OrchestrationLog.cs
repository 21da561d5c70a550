using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Workflows.Orchestrations;

/// <summary>Source-generated log messages of the orchestrators; every line carries the run, module and version.</summary>
internal static partial class OrchestrationLog
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "Run {RunId} ({Module}@{Version}) is owned by another instance; {Instance} stops")]
    public static partial void Superseded(ILogger logger, string runId, string module, int version, string instance);

    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Run {RunId} ({Module}@{Version}) continues as new, generation {Generation}")]
    public static partial void ContinuedAsNew(ILogger logger, string runId, string module, int version, int generation);
}
