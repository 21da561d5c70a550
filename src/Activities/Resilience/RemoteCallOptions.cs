using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Activities.Resilience;

/// <summary>Bounds on retrying one remote call inside an activity (seconds-scale faults). Longer outages fail the
/// activity, and the orchestration's own retry policy takes over.</summary>
public sealed class RemoteCallOptions
{
    /// <summary>Retries after the first attempt.</summary>
    [Range(0, 20)]
    public int MaxRetries { get; set; } = 6;

    /// <summary>First back-off delay when the remote sends no Retry-After; doubles each attempt, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest Retry-After honoured; a remote asking for more fails the call so the run can pause durably.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Timeout of one attempt.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
