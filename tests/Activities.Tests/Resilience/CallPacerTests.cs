using System.Net;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Resilience;
using IvvyWorkflows.Activities.Tests.HubSpot;
using IvvyWorkflows.Sandbox.HubSpot;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.Resilience;

public sealed class CallPacerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task RunAsync_MoreCallsThanTheWindowAllows_StartsTheRestOnlyAsTheWindowRollsOn()
    {
        var time = new FakeTimeProvider(SimulatedHubSpot.Start);
        var pacer = new CallPacer(new RateLimitOptions { CallsPerWindow = 5, Headroom = 1 }, time);
        var started = 0;

        var calls = Enumerable.Range(0, 7).Select(_ => Call(pacer, CallLane.General, () => Interlocked.Increment(ref started))).ToList();

        Assert.Equal(5, started);
        time.Advance(TimeSpan.FromSeconds(9));
        Assert.Equal(5, started);
        time.Advance(TimeSpan.FromSeconds(1));
        await Task.WhenAll(calls).WaitAsync(Bound);
        Assert.Equal(7, started);
        Assert.Equal(7, pacer.Stats.Calls);
    }

    [Fact]
    public async Task RunAsync_Refused429_PausesTheLaneForItsRetryAfterThenRunsSlowerUntilCallsSucceed()
    {
        var time = new FakeTimeProvider(SimulatedHubSpot.Start);
        var pacer = new CallPacer(new RateLimitOptions { CallsPerWindow = 10, Headroom = 1 }, time);
        await Assert.ThrowsAsync<ConnectorException>(async () => await pacer.RunAsync<int>(CallLane.General,
            _ => throw new ConnectorException("hubspot", "contacts.search", FailureKind.RateLimited, "429", HttpStatusCode.TooManyRequests,
                retryAfter: TimeSpan.FromSeconds(3)), default));
        var started = 0;

        var next = Call(pacer, CallLane.General, () => Interlocked.Increment(ref started));
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(0, started);
        time.Advance(TimeSpan.FromSeconds(1));
        await next.WaitAsync(Bound);

        // The refused call and this one are in the window; the pace is 8 of 10 now: 6 more start, the rest wait.
        var more = Enumerable.Range(0, 8).Select(_ => Call(pacer, CallLane.General, () => Interlocked.Increment(ref started))).ToList();
        Assert.Equal(7, started);
        Assert.Equal(1, pacer.Stats.Refused);
        time.Advance(TimeSpan.FromSeconds(10));
        await Task.WhenAll(more).WaitAsync(Bound);
    }

    [Fact]
    public async Task RunAsync_Searches_ArePacedApartFromOtherCalls()
    {
        var time = new FakeTimeProvider(SimulatedHubSpot.Start);
        var pacer = new CallPacer(new RateLimitOptions { CallsPerWindow = 100, SearchCallsPerSecond = 2, Headroom = 1 }, time);
        var searches = 0;

        var third = Enumerable.Range(0, 3).Select(_ => Call(pacer, CallLane.Search, () => Interlocked.Increment(ref searches))).ToList()[^1];
        await Call(pacer, CallLane.General, () => { }).WaitAsync(Bound);

        Assert.Equal(2, searches);
        time.Advance(TimeSpan.FromSeconds(1));
        await third.WaitAsync(Bound);
        Assert.Equal(3, searches);
    }

    [Theory]
    [InlineData(10, 0)]
    [InlineData(0, 2)]
    public async Task HubSpotClient_CallsOverThePortalsLimit_ArePacedUnderItOrRefused429WithoutAPacer(int pacedAt, int refused)
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync(new HubSpotSimulatorOptions { TenSecondlyLimit = 10 });
        var pacer = new CallPacer(new RateLimitOptions { CallsPerWindow = pacedAt, Headroom = 1 }, hubSpot.Time);
        using var http = new HttpClient();
        var options = HubSpotTestClients.Options(hubSpot.BaseUrl, hubSpot.Simulator.Options.AccessToken, maxRetries: 0);
        var client = new HubSpotClient(http, options, hubSpot.Meter, hubSpot.Time, NullLogger.Instance, pacer);

        var calls = Enumerable.Range(0, 12).Select(_ => Outcome(client.GetPropertyAsync("contacts", "email", default))).ToList();
        await WaitUntilAsync(() => hubSpot.Calls("properties.get") >= 10);
        hubSpot.Time.Advance(TimeSpan.FromSeconds(10));
        var outcomes = await Task.WhenAll(calls).WaitAsync(Bound);

        Assert.Equal(refused, outcomes.Count(o => o is ConnectorException { Kind: FailureKind.RateLimited }));
        Assert.Equal(12 - refused, outcomes.Count(o => o is null));
        Assert.Equal(refused, pacer.Stats.Refused);
    }

    private static Task Call(CallPacer pacer, CallLane lane, Action onStart) =>
        pacer.RunAsync(lane, _ =>
        {
            onStart();
            return ValueTask.FromResult(0);
        }, default).AsTask();

    private static async Task<Exception?> Outcome(Task call)
    {
        try
        {
            await call;
            return null;
        }
        catch (ConnectorException e)
        {
            return e;
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(Bound);
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }
}
