using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.Resilience;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

/// <summary>An iVvy simulator on a free loopback port (hosted as the sandbox host hosts it) and clients pointed at it.</summary>
internal sealed class SimulatedIvvy : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private readonly List<HttpClient> _httpClients = [];

    private SimulatedIvvy(IvvySimulator simulator, IvvySimulatorOptions options, WebApplication app, Uri baseUrl, FakeTimeProvider time)
    {
        Simulator = simulator;
        Options = options;
        _app = app;
        BaseUrl = baseUrl;
        Time = time;
    }

    public IvvySimulator Simulator { get; }

    public IvvySimulatorOptions Options { get; }

    public Uri BaseUrl { get; }

    /// <summary>The clock shared by the simulator and the clients (modified dates, request signing).</summary>
    public FakeTimeProvider Time { get; }

    public ApiCallMeter Meter { get; } = new();

    /// <summary>Starts a simulator seeded with <paramref name="seedCount"/> contacts (none by default: tests add their own).</summary>
    public static async Task<SimulatedIvvy> StartAsync(int seedCount = 0)
    {
        var time = new FakeTimeProvider(Start);
        var options = new IvvySimulatorOptions { SeedCount = seedCount };
        var simulator = new IvvySimulator(options, null, time);
        var (app, baseUrl) = await SimulatorServer.StartAsync(simulator);
        return new SimulatedIvvy(simulator, options, app, baseUrl, time);
    }

    /// <summary>A client of the simulator with the sandbox credentials (or <paramref name="apiSecret"/>), without retries.</summary>
    public IvvyClient CreateClient(string? apiSecret = null)
    {
        var options = new IvvyClientOptions
        {
            BaseUrl = BaseUrl,
            ApiKey = Options.ApiKey,
            ApiSecret = apiSecret ?? Options.ApiSecret,
            RemoteCall = new RemoteCallOptions { MaxRetries = 0, BaseDelay = TimeSpan.FromMilliseconds(1), AttemptTimeout = TimeSpan.FromMinutes(10) },
        };
        var http = new HttpClient();
        _httpClients.Add(http);
        return new IvvyClient(http, options, Meter, Time, NullLogger.Instance);
    }

    /// <summary>Calls made so far to one endpoint ("contact.getContact"…), every attempt counted.</summary>
    public long Calls(string endpoint) => Meter.Snapshot().TryGetValue($"ivvy:{endpoint}", out var n) ? n : 0;

    public async ValueTask DisposeAsync()
    {
        foreach (var http in _httpClients)
        {
            http.Dispose();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
        await Simulator.DisposeAsync();
    }
}
