using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Source-generated log messages of the sync pipeline; every line carries module, run id and definition version.</summary>
internal static partial class SyncLog
{
    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "{Module} run {RunId} (v{Version}) stream {Stream}: window {From} .. {To} opened")]
    public static partial void WindowOpened(ILogger logger, string module, string runId, int version, string stream, DateTimeOffset? from, DateTimeOffset to);

    [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "{Module} run {RunId} (v{Version}): record {SourceId} quarantined at {Stage}: {Reason}")]
    public static partial void RecordQuarantined(ILogger logger, string module, string runId, int version, string sourceId, string stage, string reason);

    [LoggerMessage(EventId = 203, Level = LogLevel.Warning, Message = "{Module} run {RunId} (v{Version}): the pair key of {SourceId} could not be written back: {Reason}")]
    public static partial void KeyWriteBackFailed(ILogger logger, string module, string runId, int version, string sourceId, string reason);

    [LoggerMessage(EventId = 204, Level = LogLevel.Warning, Message = "{Module} run {RunId} (v{Version}): record {SourceId} was cleaned before it was written: {Note}")]
    public static partial void RecordCleaned(ILogger logger, string module, string runId, int version, string sourceId, string note);

    [LoggerMessage(EventId = 202, Level = LogLevel.Error, Message = "{Module} run {RunId} (v{Version}) stopped: {Reason}")]
    public static partial void RunStopped(ILogger logger, string module, string runId, int version, string reason);
}
