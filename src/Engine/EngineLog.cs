using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Engine;

/// <summary>Source-generated log messages of the engine (event ids 5000-5099).</summary>
internal static partial class EngineLog
{
    [LoggerMessage(5000, LogLevel.Information, "Azurite is already listening on 127.0.0.1:10000-10002; reusing it (it will not be stopped by this host)")]
    public static partial void AzuriteReused(ILogger logger);

    [LoggerMessage(5001, LogLevel.Warning, "Azurite is not installed; installing azurite@{Version} into {Prefix} with npm (once, about 40 s)")]
    public static partial void AzuriteInstalling(ILogger logger, string version, string prefix);

    [LoggerMessage(5002, LogLevel.Information, "Azurite installed at {Script}")]
    public static partial void AzuriteInstalled(ILogger logger, string script);

    [LoggerMessage(5003, LogLevel.Information, "Starting Azurite (pid {ProcessId}) with its data in {Location}")]
    public static partial void AzuriteStarting(ILogger logger, int processId, string location);

    [LoggerMessage(5004, LogLevel.Information, "Azurite (pid {ProcessId}) is listening after {ElapsedMs:0} ms")]
    public static partial void AzuriteStarted(ILogger logger, int processId, double elapsedMs);

    [LoggerMessage(5005, LogLevel.Information, "Stopping Azurite (pid {ProcessId}) gracefully")]
    public static partial void AzuriteStopping(ILogger logger, int processId);

    [LoggerMessage(5006, LogLevel.Information, "Azurite (pid {ProcessId}) stopped")]
    public static partial void AzuriteStopped(ILogger logger, int processId);

    [LoggerMessage(5007, LogLevel.Warning, "Azurite (pid {ProcessId}) ignored SIGTERM for {Seconds} s; killing it (it may lose its last few seconds of state)")]
    public static partial void AzuriteStopTimedOut(ILogger logger, int processId, double seconds);

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
