using System.Net;

namespace IvvyWorkflows.Activities.Connectors;

/// <summary>How a remote failure should be handled; each connector's error table maps status codes to one of these.</summary>
public enum FailureKind
{
    /// <summary>Worth retrying soon (5xx, timeouts, dropped connections).</summary>
    Transient,
    /// <summary>The remote asked us to slow down (429); retry after its Retry-After.</summary>
    RateLimited,
    /// <summary>Credentials, permissions or settings are wrong; stop the run and tell the user which setting to fix.</summary>
    Config,
    /// <summary>This record's data was refused; quarantine the record, carry on with the rest.</summary>
    Data,
    /// <summary>Anything else; fail the run with the remote text.</summary>
    System,
}

/// <summary>A classified failure of a remote call. Carries the remote's own text and says whether a retry can help.</summary>
public sealed class ConnectorException : Exception
{
    public ConnectorException(string connector, string endpoint, FailureKind kind, string message,
        HttpStatusCode? status = null, string? remoteCode = null, TimeSpan? retryAfter = null, Exception? inner = null)
        : base(message, inner)
    {
        Connector = connector;
        Endpoint = endpoint;
        Kind = kind;
        Status = status;
        RemoteCode = remoteCode;
        RetryAfter = retryAfter;
    }

    /// <summary>"ivvy" or "hubspot".</summary>
    public string Connector { get; }

    /// <summary>The endpoint called, e.g. "contact.getContactList" or "contacts.batch/upsert".</summary>
    public string Endpoint { get; }

    public FailureKind Kind { get; }

    public HttpStatusCode? Status { get; }

    /// <summary>The remote's own error code (iVvy specificCode, HubSpot category), when it sent one.</summary>
    public string? RemoteCode { get; }

    /// <summary>The delay the remote asked for, when it sent one.</summary>
    public TimeSpan? RetryAfter { get; }

    /// <summary>True when retrying the same call later can succeed.</summary>
    public bool IsRetryable => Kind is FailureKind.Transient or FailureKind.RateLimited;
}
