using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Engine;

/// <summary>Source-generated log messages of the engine (event ids 5000-5099).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(5000, LogLevel.Information, "Azurite is already listening on 127.0.0.1:10000-10002; reusing it (it is never stopped from here)")]
    public static partial void AzuriteReused(ILogger logger);

    [LoggerMessage(5001, LogLevel.Warning, "Azurite is not installed; installing azurite@{Version} into {Prefix} with npm (once, about 40 s)")]
    public static partial void AzuriteInstalling(ILogger logger, string version, string prefix);

    [LoggerMessage(5002, LogLevel.Information, "Azurite installed at {Script}")]
    public static partial void AzuriteInstalled(ILogger logger, string script);

    [LoggerMessage(5003, LogLevel.Information, "Starting Azurite (pid {ProcessId}) on {Ports} with its data in {Location}")]
    public static partial void AzuriteStarting(ILogger logger, int processId, string ports, string location);

    [LoggerMessage(5004, LogLevel.Information, "Azurite (pid {ProcessId}) is listening after {ElapsedMs:0} ms")]
    public static partial void AzuriteStarted(ILogger logger, int processId, double elapsedMs);

    [LoggerMessage(5005, LogLevel.Information, "Stopping Azurite (pid {ProcessId}) gracefully")]
    public static partial void AzuriteStopping(ILogger logger, int processId);

    [LoggerMessage(5006, LogLevel.Information, "Azurite (pid {ProcessId}) stopped")]
    public static partial void AzuriteStopped(ILogger logger, int processId);

    [LoggerMessage(5007, LogLevel.Warning, "Azurite (pid {ProcessId}) ignored SIGTERM for {Seconds} s; killing it (it may lose its last few seconds of state)")]
    public static partial void AzuriteStopTimedOut(ILogger logger, int processId, double seconds);

    [LoggerMessage(5008, LogLevel.Information, "Using this data directory's Azurite (pid {ProcessId}) on {Ports}, data in {Location}")]
    public static partial void AzuriteAdopted(ILogger logger, int processId, string ports, string location);

    [LoggerMessage(5009, LogLevel.Information, "The Azurite record of {Directory} (pid {ProcessId}) no longer names this directory's Azurite; starting a new one")]
    public static partial void AzuriteRecordStale(ILogger logger, int processId, string directory);

    [LoggerMessage(5014, LogLevel.Information, "Leaving Azurite (pid {ProcessId}) running: {Reason}")]
    public static partial void AzuriteLeftRunning(ILogger logger, int processId, string reason);

    [LoggerMessage(5015, LogLevel.Warning, "Azurite (pid {ProcessId}) died (exit code {ExitCode}); restarting it once on {Ports} with the same data")]
    public static partial void AzuriteRestarting(ILogger logger, int processId, int exitCode, string ports);

    [LoggerMessage(5016, LogLevel.Warning, "The durable engine's storage ({Endpoint}) does not answer; the engine stops after {Seconds:0} s without it")]
    public static partial void StorageNotAnswering(ILogger logger, string endpoint, double seconds);

    [LoggerMessage(5017, LogLevel.Information, "The durable engine's storage ({Endpoint}) answers again")]
    public static partial void StorageAnswersAgain(ILogger logger, string endpoint);

    [LoggerMessage(5018, LogLevel.Warning, "The restarted Azurite lost part of task hub {TaskHub} ({Missing}); creating it again (its orchestrations went with it; runs resume from the state store)")]
    public static partial void TaskHubRecreating(ILogger logger, string taskHub, string missing);

    [LoggerMessage(5019, LogLevel.Error, "Could not restore the task hub in the restarted Azurite")]
    public static partial void TaskHubRestoreFailed(ILogger logger, Exception exception);

    [LoggerMessage(5010, LogLevel.Information, "Durable engine started on task hub {TaskHub} ({Backend}) in {ElapsedMs:0} ms; sidecar at {Address}")]
    public static partial void EngineStarted(ILogger logger, string taskHub, string backend, double elapsedMs, string address);

    [LoggerMessage(5011, LogLevel.Information, "Durable engine on task hub {TaskHub} stopped")]
    public static partial void EngineStopped(ILogger logger, string taskHub);

    [LoggerMessage(5012, LogLevel.Warning, "Durable engine shutdown step {Step} failed")]
    public static partial void ShutdownStepFailed(ILogger logger, string step, Exception exception);

    [LoggerMessage(5013, LogLevel.Warning, "Stopping the storage backend failed; its partition leases expire on their own")]
    public static partial void BackendStopFailed(ILogger logger, Exception exception);

    [LoggerMessage(5020, LogLevel.Warning, "Renewing the lock of activity work item {WorkItemId} failed; retrying at the next interval")]
    public static partial void ActivityLockRenewalFailed(ILogger logger, string workItemId, Exception exception);

    [LoggerMessage(5021, LogLevel.Warning, "Handing back activity work item {WorkItemId} at shutdown failed; it runs again after its visibility timeout")]
    public static partial void ActivityAbandonAtStopFailed(ILogger logger, string workItemId, Exception exception);
}
