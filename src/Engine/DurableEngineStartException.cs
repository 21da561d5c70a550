namespace IvvyWorkflows.Engine;

/// <summary>What stopped the durable engine from starting.</summary>
public enum EngineStartFailure
{
    /// <summary>A setting is invalid; fix the setting named in <see cref="DurableEngineStartException.Setting"/>.</summary>
    InvalidSetting,
    /// <summary>The storage account (or local Azurite) could not be reached or refused the credentials.</summary>
    StorageUnreachable,
    /// <summary>Local Azurite could not be installed or started (Node.js missing, install failed, ports not opening).</summary>
    AzuriteUnavailable,
    /// <summary>The in-process gRPC sidecar or the worker host failed to start.</summary>
    HostFailed,
}

/// <summary>The durable engine could not start. The message says what to do; it never contains a secret.</summary>
public sealed class DurableEngineStartException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="failure">What failed.</param>
    /// <param name="message">An actionable message (which setting to fix or what to start).</param>
    /// <param name="setting">The configuration key to look at, e.g. <c>Engine:StorageConnectionString</c>.</param>
    /// <param name="inner">The underlying failure.</param>
    public DurableEngineStartException(EngineStartFailure failure, string message, string? setting = null, Exception? inner = null)
        : base(message, inner)
    {
        Failure = failure;
        Setting = setting;
    }

    /// <summary>What failed.</summary>
    public EngineStartFailure Failure { get; }

    /// <summary>The configuration key to look at, when one is to blame.</summary>
    public string? Setting { get; }

    /// <summary>
    /// True when starting again later can succeed without changing anything (storage temporarily unreachable);
    /// false when a setting or the machine must be fixed first.
    /// </summary>
    public bool IsRetryable => Failure is EngineStartFailure.StorageUnreachable or EngineStartFailure.HostFailed;
}
