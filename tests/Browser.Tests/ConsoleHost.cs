using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Designer.Tests;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace IvvyWorkflows.Browser.Tests;

/// <summary>The real host as the API tests start it (<see cref="ServiceHost"/>: <c>DesignerApp</c> on a free loopback port,
/// on the sandbox it starts itself, a data folder and task hub of its own), with the console's files, the schedules on
/// (due daily at 03:00, so shown but never due during a test) and one user per role.</summary>
public sealed class ConsoleHost : IAsyncDisposable
{
    private readonly ServiceHost _service;

    private ConsoleHost(ServiceHost service, SyncEnvironment environment)
    {
        _service = service;
        Environment = environment;
        OperatorName = service.AddUser(Roles.Operator);
        BusinessUserName = service.AddUser(Roles.BusinessUser);
    }

    public const string Password = ServiceHost.Password;

    public string OperatorName { get; }

    public string BusinessUserName { get; }

    public Uri Url => _service.BaseAddress;

    public SyncEnvironment Environment { get; }

    /// <summary>The sandbox the host started (no credentials are configured, so it stands in for iVvy and HubSpot).</summary>
    public SandboxHost Sandbox => Environment.Sandbox ?? throw new InvalidOperationException("The host did not start the sandbox.");

    public static string RepoRoot => ServiceHost.Root;

    public static async Task<ConsoleHost> StartAsync(int seedCount, int latencyMs = 0)
    {
        var index = Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html");
        if (!File.Exists(index))
        {
            throw new FileNotFoundException($"The console's bundle is missing ({index}): build src/Designer with Node.js installed (ClientApp.targets).");
        }

        var service = new ServiceHost();
        service.Settings["Sandbox:Ivvy:SeedCount"] = seedCount.ToString();
        service.Settings["Sandbox:LatencyMs"] = latencyMs.ToString();
        service.Settings["Schedules:Enabled"] = "true";
        service.Settings["Schedules:Default"] = "0 3 * * *";
        await service.InitializeAsync();
        var environment = await service.App.Services.GetRequiredService<SyncEnvironmentProvider>().GetAsync(CancellationToken.None);
        return new ConsoleHost(service, environment);
    }

    public async ValueTask DisposeAsync() => await _service.DisposeAsync();
}
