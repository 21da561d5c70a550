namespace IvvyWorkflows.Sandbox.Control;

/// <summary>A fault to inject into a simulator's answers: which calls it hits, how often, and how it fails.</summary>
/// <remarks>
/// Rules are checked in the order they were armed. A rule sees only calls whose path and query contain
/// <see cref="Match"/> (case-insensitive); it lets the first <see cref="AfterCalls"/> of them through, then fails the next
/// <see cref="Count"/> and is removed. The first rule that fires answers the call; later rules do not see it.
/// Control endpoints (<c>/__sandbox__/…</c>) are never faulted.
/// </remarks>
public sealed record FaultRule
{
    /// <summary>Statuses a rule may answer with: 401 and 403 stand for credentials the remote refuses (a revoked token),
    /// the rest for load and outages.</summary>
    public static readonly IReadOnlyList<int> AllowedStatuses = [401, 403, 429, 500, 502, 503, 504];

    /// <summary>HTTP status to answer: 401, 403, 429, 500, 502, 503 or 504. Ignored when <see cref="DropConnection"/> or <see cref="DelayMs"/> is set.</summary>
    public int Status { get; init; } = 503;

    /// <summary>When set, a <c>Retry-After</c> header with this many seconds accompanies the answer.</summary>
    public int? RetryAfterSeconds { get; init; }

    /// <summary>How many matching calls fail before the rule is used up (at least 1).</summary>
    public int Count { get; init; } = 1;

    /// <summary>How many matching calls pass untouched before the rule starts failing them.</summary>
    public int AfterCalls { get; init; }

    /// <summary>Substring of path + query that selects the calls, e.g. "getContactList" or "batch/upsert"; null or empty = every call.</summary>
    public string? Match { get; init; }

    /// <summary>Abort the connection instead of answering (the client sees a transport error, not a status).</summary>
    public bool DropConnection { get; init; }

    /// <summary>A slow response: the call is handled as usual, and its answer leaves this many milliseconds after the call
    /// arrived (or once handled, if that is later). A client that gives up first sees a timeout although the call took
    /// effect. <see cref="Status"/> is ignored.</summary>
    public int? DelayMs { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> when the rule cannot be armed.</summary>
    public void Validate()
    {
        if (DelayMs is < 0)
        {
            throw new ArgumentException($"DelayMs must not be negative (was {DelayMs}).", nameof(DelayMs));
        }

        if (!DropConnection && DelayMs is null && !AllowedStatuses.Contains(Status))
        {
            throw new ArgumentException($"Fault status {Status} is not one of {string.Join(", ", AllowedStatuses)}.", nameof(Status));
        }

        if (Count < 1)
        {
            throw new ArgumentException($"Fault count must be at least 1 (was {Count}).", nameof(Count));
        }

        if (AfterCalls < 0)
        {
            throw new ArgumentException($"AfterCalls must not be negative (was {AfterCalls}).", nameof(AfterCalls));
        }

        if (RetryAfterSeconds is < 0)
        {
            throw new ArgumentException($"RetryAfterSeconds must not be negative (was {RetryAfterSeconds}).", nameof(RetryAfterSeconds));
        }
    }
}
