namespace IvvyWorkflows.Cli.Tests;

/// <summary>The real clock plus an offset the test moves forward: a read window closes behind "now", so instead of
/// sleeping until a record written just now falls inside the next window, a test steps the clock past the margin.</summary>
/// <remarks>Only the time read moves; timers and delays still run in real time, so retries and the engine behave as in
/// production. Shared by the sandbox (the records' modified dates, iVvy's ping) and the connectors (HubSpot's window).</remarks>
public sealed class SteppingClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    /// <summary>Moves the clock forward by <paramref name="by"/> at once.</summary>
    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }

    /// <summary>Steps past every read window's margin behind now (iVvy: 1 s; HubSpot: <c>HubSpot:SearchSettleDelay</c>, 1 s in
    /// these tests), so what was written before the call is inside the next run's windows.</summary>
    public void PassWindowMargins() => Advance(TimeSpan.FromSeconds(2.5));
}
