namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>The outcome of counting one call against HubSpot's limits, and the numbers for the X-HubSpot-RateLimit-* headers.</summary>
/// <param name="RejectedPolicy">TEN_SECONDLY_ROLLING, SECONDLY or DAILY when the call is refused (429); null when it may go ahead.</param>
/// <param name="RetryAfter">When the refused call could succeed (the oldest call in the window leaves it).</param>
internal sealed record HubSpotRateDecision(
    string? RejectedPolicy,
    TimeSpan RetryAfter,
    int Max,
    int Remaining,
    int Secondly,
    int SecondlyRemaining,
    int Daily,
    int DailyRemaining);

/// <summary>HubSpot's limits per token: a rolling 10-second window, a separate per-second bucket for search, and a daily count.</summary>
/// <remarks>Refused calls are not counted, so a client that backs off recovers. Time comes from the simulator's clock. Thread-safe.</remarks>
internal sealed class HubSpotRateLimiter
{
    private static readonly TimeSpan TenSeconds = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan OneSecond = TimeSpan.FromSeconds(1);

    private readonly HubSpotSimulatorOptions _options;
    private readonly Lock _lock = new();
    private readonly Queue<DateTimeOffset> _calls = new();
    private readonly Queue<DateTimeOffset> _searches = new();
    private DateOnly _day;
    private int _dailyCount;

    public HubSpotRateLimiter(HubSpotSimulatorOptions options) => _options = options;

    /// <summary>Counts a call at <paramref name="now"/> unless a limit refuses it.</summary>
    public HubSpotRateDecision Acquire(DateTimeOffset now, bool isSearch)
    {
        lock (_lock)
        {
            Expire(_calls, now - TenSeconds);
            Expire(_searches, now - OneSecond);
            var today = DateOnly.FromDateTime(now.UtcDateTime);
            if (today != _day)
            {
                _day = today;
                _dailyCount = 0;
            }

            string? refused = null;
            var retryAfter = TimeSpan.Zero;
            if (_options.DailyLimit > 0 && _dailyCount >= _options.DailyLimit)
            {
                refused = "DAILY";
                retryAfter = new DateTimeOffset(today.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) - now;
            }
            else if (_options.TenSecondlyLimit > 0 && _calls.Count >= _options.TenSecondlyLimit)
            {
                refused = "TEN_SECONDLY_ROLLING";
                retryAfter = _calls.Peek() + TenSeconds - now;
            }
            else if (isSearch && _options.SearchPerSecondLimit > 0 && _searches.Count >= _options.SearchPerSecondLimit)
            {
                refused = "SECONDLY";
                retryAfter = _searches.Peek() + OneSecond - now;
            }

            if (refused is null)
            {
                _calls.Enqueue(now);
                _dailyCount++;
                if (isSearch)
                {
                    _searches.Enqueue(now);
                }
            }

            var max = _options.TenSecondlyLimit;
            var secondly = max / 10;
            return new HubSpotRateDecision(
                refused,
                retryAfter,
                max,
                Math.Max(0, max - _calls.Count),
                secondly,
                Math.Max(0, secondly - _calls.Count(c => c > now - OneSecond)),
                _options.DailyLimit,
                Math.Max(0, _options.DailyLimit - _dailyCount));
        }
    }

    /// <summary>Forgets every call counted so far.</summary>
    public void Reset()
    {
        lock (_lock)
        {
            _calls.Clear();
            _searches.Clear();
            _dailyCount = 0;
        }
    }

    private static void Expire(Queue<DateTimeOffset> calls, DateTimeOffset windowStart)
    {
        while (calls.Count > 0 && calls.Peek() <= windowStart)
        {
            calls.Dequeue();
        }
    }
}
