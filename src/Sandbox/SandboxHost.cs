using System.ComponentModel.DataAnnotations;
using System.Net;
using IvvyWorkflows.Sandbox.Control;
using IvvyWorkflows.Sandbox.HubSpot;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Sandbox;

/// <summary>
/// Runs the iVvy and HubSpot simulators on loopback, each on its own origin, wrapped in the generic sandbox controls
/// (latency, fault injection, call journal). What a newcomer, every test and every benchmark runs against.
/// </summary>
/// <remarks>
/// Each simulator gets its own Kestrel app bound to 127.0.0.1 only: iVvy's signature covers the path <c>/api/1.0/…</c>, so the
/// two APIs cannot share one origin. State lives in SQLite under <see cref="SandboxOptions.DataDirectory"/> and survives a
/// killed process; with no folder given, a temporary one is used and deleted on dispose.
/// </remarks>
/// <example>
/// <code>
/// await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions());
/// // point the iVvy client at sandbox.IvvyBaseUrl with key "sandbox-key" / secret "sandbox-secret"
/// sandbox.IvvyControls.ArmFault(new FaultRule { Status = 429, RetryAfterSeconds = 1, Match = "getContactList" });
/// </code>
/// </example>
public sealed class SandboxHost : IAsyncDisposable
{
    private readonly WebApplication _ivvyApp;
    private readonly WebApplication _hubSpotApp;
    private readonly string? _ownedDirectory;
    private int _stopped;

    private SandboxHost(
        string dataDirectory, string? ownedDirectory,
        IvvySimulator ivvy, SimulatorControls ivvyControls, WebApplication ivvyApp, Uri ivvyBaseUrl,
        HubSpotSimulator hubSpot, SimulatorControls hubSpotControls, WebApplication hubSpotApp, Uri hubSpotBaseUrl)
    {
        DataDirectory = dataDirectory;
        _ownedDirectory = ownedDirectory;
        Ivvy = ivvy;
        IvvyControls = ivvyControls;
        _ivvyApp = ivvyApp;
        IvvyBaseUrl = ivvyBaseUrl;
        HubSpot = hubSpot;
        HubSpotControls = hubSpotControls;
        _hubSpotApp = hubSpotApp;
        HubSpotBaseUrl = hubSpotBaseUrl;
    }

    /// <summary>Folder holding the simulators' databases (the temporary one when none was configured).</summary>
    public string DataDirectory { get; }

    /// <summary>Origin of the iVvy simulator, e.g. <c>http://127.0.0.1:41234/</c>; calls go to <c>/api/1.0/{namespace}?action=…</c>.</summary>
    public Uri IvvyBaseUrl { get; }

    /// <summary>Origin of the HubSpot simulator, e.g. <c>http://127.0.0.1:41235/</c>.</summary>
    public Uri HubSpotBaseUrl { get; }

    /// <summary>The iVvy simulator, for direct in-process access (seed, touch, inspect).</summary>
    public IvvySimulator Ivvy { get; }

    /// <summary>The HubSpot simulator, for direct in-process access.</summary>
    public HubSpotSimulator HubSpot { get; }

    /// <summary>Latency, faults and call journal of the iVvy simulator.</summary>
    public SimulatorControls IvvyControls { get; }

    /// <summary>Latency, faults and call journal of the HubSpot simulator.</summary>
    public SimulatorControls HubSpotControls { get; }

    /// <summary>Opens (or creates and seeds) the simulators' state and starts both on loopback.</summary>
    /// <param name="options">Settings; validated by their DataAnnotations.</param>
    /// <param name="time">The simulators' clock (dates, clock-skew checks, latency); the system clock when null.</param>
    /// <param name="cancellationToken">Cancels start-up.</param>
    /// <exception cref="ValidationException">A setting is out of range.</exception>
    public static async Task<SandboxHost> StartAsync(SandboxOptions options, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        Validator.ValidateObject(options.Ivvy, new ValidationContext(options.Ivvy), validateAllProperties: true);
        Validator.ValidateObject(options.HubSpot, new ValidationContext(options.HubSpot), validateAllProperties: true);
        time ??= TimeProvider.System;

        var ownedDirectory = options.DataDirectory is null
            ? Path.Combine(Path.GetTempPath(), "ivvy-sandbox-" + Guid.NewGuid().ToString("N"))
            : null;
        var dataDirectory = Path.GetFullPath(options.DataDirectory ?? ownedDirectory!);
        Directory.CreateDirectory(dataDirectory);

        var latency = TimeSpan.FromMilliseconds(options.LatencyMs);
        IvvySimulator? ivvy = null;
        HubSpotSimulator? hubSpot = null;
        WebApplication? ivvyApp = null;
        WebApplication? hubSpotApp = null;
        try
        {
            ivvy = new IvvySimulator(options.Ivvy, dataDirectory, time);
            hubSpot = new HubSpotSimulator(options.HubSpot, dataDirectory, time);
            var ivvyControls = new SimulatorControls(ivvy, latency);
            var hubSpotControls = new SimulatorControls(hubSpot, latency);
            ivvyApp = BuildApp(ivvy, ivvyControls, options.IvvyPort, time);
            hubSpotApp = BuildApp(hubSpot, hubSpotControls, options.HubSpotPort, time);
            var ivvyBaseUrl = await StartAppAsync(ivvyApp, cancellationToken);
            var hubSpotBaseUrl = await StartAppAsync(hubSpotApp, cancellationToken);
            return new SandboxHost(dataDirectory, ownedDirectory,
                ivvy, ivvyControls, ivvyApp, ivvyBaseUrl, hubSpot, hubSpotControls, hubSpotApp, hubSpotBaseUrl);
        }
        catch
        {
            await StopAllAsync(ivvyApp, hubSpotApp, ivvy, hubSpot, ownedDirectory);
            throw;
        }
    }

    /// <summary>Stops both simulators, closes their state and deletes the temporary folder if one was used. Idempotent.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await StopAllAsync(_ivvyApp, _hubSpotApp, Ivvy, HubSpot, _ownedDirectory);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await StopAsync();

    private static WebApplication BuildApp(ISimulator simulator, SimulatorControls controls, int port, TimeProvider time)
    {
        // The empty builder reads no appsettings or environment: a host's own Kestrel/URL settings must not leak into the sandbox.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(SandboxHost).Assembly.GetName().Name,
        });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
        builder.Services.AddRoutingCore();
        builder.Logging.AddConsole().SetMinimumLevel(LogLevel.Warning);

        var app = builder.Build();
        app.UseSimulatorControls(controls, time);
        app.MapSimulatorControls(controls);
        simulator.MapEndpoints(app);
        return app;
    }

    private static async Task<Uri> StartAppAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken);
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        return new Uri(addresses.First().TrimEnd('/') + "/");
    }

    private static async Task StopAllAsync(
        WebApplication? ivvyApp, WebApplication? hubSpotApp, IvvySimulator? ivvy, HubSpotSimulator? hubSpot, string? ownedDirectory)
    {
        foreach (var app in new[] { ivvyApp, hubSpotApp })
        {
            if (app is not null)
            {
                await app.StopAsync();
                await app.DisposeAsync();
            }
        }

        if (ivvy is not null)
        {
            await ivvy.DisposeAsync();
        }

        if (hubSpot is not null)
        {
            await hubSpot.DisposeAsync();
        }

        if (ownedDirectory is not null && Directory.Exists(ownedDirectory))
        {
            try
            {
                Directory.Delete(ownedDirectory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held open elsewhere must not fail shutdown; the temp folder is then left for the OS to clean.
            }
        }
    }
}
