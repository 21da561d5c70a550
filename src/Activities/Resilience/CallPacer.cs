using IvvyWorkflows.Activities.Connectors;

namespace IvvyWorkflows.Activities.Resilience;

/// <summary>Which of an account's limits a call counts against.</summary>
public enum CallLane
{
    /// <summary>The account's general limit (<see cref="RateLimitOptions.CallsPerWindow"/>).</summary>
    General,

    /// <summary>The search limit (<see cref="RateLimitOptions.SearchCallsPerSecond"/>), counted apart.</summary>
    Search,
}

/// <summary>What one account's pacer has seen: calls started, calls the remote refused with 429, time spent waiting.</summary>
public sealed record CallPacerStats(long Calls, long Refused, TimeSpan Waited);

/// <summary>
/// Paces the calls of one remote account so they stay just under its rate limits, whoever makes them: one instance
/// per account and process, shared by every stream and run of that account.
/// </summary>
/// <remarks>
/// Each lane keeps the start times of its calls in the last window and lets a call start only while fewer than the
/// limit (times <see cref="RateLimitOptions.Headroom"/>) started in it. A 429 from the remote anyway (other clients of the
/// account, a limit set too high) pauses the lane until its Retry-After (a tenth of the window without one) and lowers
/// the lane's pace by a fifth, down to half; each call that succeeds wins a little of it back.
/// </remarks>
public sealed class CallPacer
{
    private readonly Lane _general;
    private readonly Lane _search;
    private readonly TimeProvider _time;
    private long _waitedTicks;

    /// <summary>Creates the pacer of one account.</summary>
    public CallPacer(RateLimitOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        _general = new Lane(options.CallsPerWindow, options.Window, options.Headroom, time);
        _search = new Lane(options.SearchCallsPerSecond, TimeSpan.FromSeconds(1), options.Headroom, time);
    }

    /// <summary>Calls, refusals and waiting so far.</summary>
    public CallPacerStats Stats => new(
        Interlocked.Read(ref _general.Calls) + Interlocked.Read(ref _search.Calls),
        Interlocked.Read(ref _general.Refused) + Interlocked.Read(ref _search.Refused),
        TimeSpan.FromTicks(Interlocked.Read(ref _waitedTicks)));

    /// <summary>Runs one attempt of a call once its lane allows it, and learns from the outcome.</summary>
    public async ValueTask<T> RunAsync<T>(CallLane lane, Func<CancellationToken, ValueTask<T>> attempt, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        var pace = lane == CallLane.Search ? _search : _general;
        while (pace.TryStart() is { } wait)
        {
            Interlocked.Add(ref _waitedTicks, wait.Ticks);
            await Task.Delay(wait, _time, ct).ConfigureAwait(false);
        }

        try
        {
            var result = await attempt(ct).ConfigureAwait(false);
            pace.Succeeded();
            return result;
        }
        catch (ConnectorException e) when (e.Kind == FailureKind.RateLimited)
        {
            pace.Refused429(e.RetryAfter);
            throw;
        }
    }

    private sealed class Lane(int limit, TimeSpan window, double headroom, TimeProvider time)
    {
        private const double Slowest = 0.5;
        private readonly Queue<DateTimeOffset> _started = new();
        private double _pace = 1;
        private DateTimeOffset _pausedUntil = DateTimeOffset.MinValue;
        public long Calls;
        public long Refused;

        /// <summary>Null when the call may start now (and it is counted), otherwise how long to wait before asking again.</summary>
        public TimeSpan? TryStart()
        {
            lock (_started)
            {
                var now = time.GetUtcNow();
                if (now < _pausedUntil)
                {
                    return _pausedUntil - now;
                }

                if (limit > 0)
                {
                    while (_started.Count > 0 && _started.Peek() <= now - window)
                    {
                        _started.Dequeue();
                    }

                    if (_started.Count >= Math.Max(1, (int)(limit * headroom * _pace)))
                    {
                        return _started.Peek() + window - now;
                    }

                    _started.Enqueue(now);
                }

                Interlocked.Increment(ref Calls);
                return null;
            }
        }

        public void Succeeded()
        {
            lock (_started)
            {
                _pace = Math.Min(1, _pace + 0.01);
            }
        }

        public void Refused429(TimeSpan? retryAfter)
        {
            Interlocked.Increment(ref Refused);
            lock (_started)
            {
                _pace = Math.Max(Slowest, _pace * 0.8);
                var until = time.GetUtcNow() + (retryAfter ?? window / 10);
                if (until > _pausedUntil)
                {
                    _pausedUntil = until;
                }
            }
        }
    }
}
