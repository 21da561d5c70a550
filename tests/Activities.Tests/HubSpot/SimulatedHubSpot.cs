using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Sandbox.HubSpot;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.HubSpot;

/// <summary>A HubSpot simulator on a free loopback port (hosted as the sandbox host hosts it) and clients pointed at it.</summary>
internal sealed class SimulatedHubSpot : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 2, 9, 0, 0, TimeSpan.Zero);

    private readonly WebApplication _app;
    private readonly List<HttpClient> _httpClients = [];

    private SimulatedHubSpot(HubSpotSimulator simulator, WebApplication app, Uri baseUrl, FakeTimeProvider time)
    {
        Simulator = simulator;
        _app = app;
        BaseUrl = baseUrl;
        Time = time;
    }

    public HubSpotSimulator Simulator { get; }

    public Uri BaseUrl { get; }

    /// <summary>The clock shared by the simulator and the clients (dates, rate-limit windows, retry waits).</summary>
    public FakeTimeProvider Time { get; }

    public ApiCallMeter Meter { get; } = new();

    public static async Task<SimulatedHubSpot> StartAsync(HubSpotSimulatorOptions? options = null)
    {
        var time = new FakeTimeProvider(Start);
        var simulator = new HubSpotSimulator(options ?? new HubSpotSimulatorOptions(), null, time);
        var (app, baseUrl) = await SimulatorServer.StartAsync(simulator);
        return new SimulatedHubSpot(simulator, app, baseUrl, time);
    }

    /// <summary>A client of the simulator with the sandbox token; retries wait on the fake clock.</summary>
    public HubSpotClient CreateClient(Action<HubSpotClientOptions>? configure = null)
    {
        var options = HubSpotTestClients.Options(BaseUrl, Simulator.Options.AccessToken);
        configure?.Invoke(options);
        var http = new HttpClient();
        _httpClients.Add(http);
        return new HubSpotClient(http, options, Meter, Time, NullLogger.Instance);
    }

    /// <summary>Calls made so far to one endpoint ("contacts.search", "properties.create"…), every attempt counted.</summary>
    public long Calls(string endpoint) => Meter.Snapshot().TryGetValue($"hubspot:{endpoint}", out var n) ? n : 0;

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
