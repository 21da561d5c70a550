namespace IvvyWorkflows.Activities.Connectors;

/// <summary>Reads a response's Retry-After header, in seconds or as an HTTP date.</summary>
public static class RetryAfter
{
    /// <summary>The wait the remote asked for (a date in the past means no wait), or null when it asked for none.</summary>
    public static TimeSpan? Of(HttpResponseMessage response, TimeProvider time)
    {
        var header = response.Headers.RetryAfter;
        var wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        return wait is { } w && w < TimeSpan.Zero ? TimeSpan.Zero : wait;
    }
}
