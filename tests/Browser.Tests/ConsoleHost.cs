using IvvyWorkflows.Designer;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Engine;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace IvvyWorkflows.Browser.Tests;

/// <summary>The real host (<see cref="DesignerApp"/>, as <c>serve</c> builds it) on a free loopback port, on the sandbox it
/// starts itself, with a data folder and task hub of its own and one signed-up user per role.</summary>
public sealed class ConsoleHost : IAsyncDisposable
{
    public const string Password = "browser-tests-password-1";
    public const string OperatorName = "olivia";
    public const string BusinessUserName = "bruno";

    private readonly WebApplication _app;
    private readonly string _dataDirectory;

    private ConsoleHost(WebApplication app, string dataDirectory, Uri url, SyncEnvironment environment)
    {
        _app = app;
        _dataDirectory = dataDirectory;
        Url = url;
        Environment = environment;
    }

    public Uri Url { get; }

    public SyncEnvironment Environment { get; }

    /// <summary>The sandbox the host started (no credentials are configured, so it stands in for iVvy and HubSpot).</summary>
    public SandboxHost Sandbox => Environment.Sandbox ?? throw new InvalidOperationException("The host did not start the sandbox.");

    public static async Task<ConsoleHost> StartAsync(int seedCount, int latencyMs = 0, double duplicates = 0)
    {
        await new AzuriteLauncher().EnsureRunningAsync(Path.Combine(Path.GetTempPath(), "ivvy-workflows-browser-tests"));
        var webRoot = Path.Combine(AppContext.BaseDirectory, "wwwroot", "index.html");
        if (!File.Exists(webRoot))
        {
            throw new FileNotFoundException($"The console's bundle is missing ({webRoot}): build src/Designer with Node.js installed (ClientApp.targets).");
        }

        var dataDirectory = Directory.CreateTempSubdirectory("ivvy-browser-").FullName;
        var settings = new Dictionary<string, string?>
        {
            ["DataDirectory"] = dataDirectory,
            ["WorkflowsDirectory"] = Path.Combine(RepoRoot, "workflows"),
            ["Engine:TaskHubName"] = "b" + Guid.NewGuid().ToString("N")[..20],
            ["Engine:StopAzuriteOnExit"] = "false",
            ["Sandbox:Ivvy:SeedCount"] = seedCount.ToString(),
            ["Sandbox:Ivvy:DuplicateIdentityRate"] = duplicates.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sandbox:LatencyMs"] = latencyMs.ToString(),
            // Due once a day at 03:00: shown on the modules page, never due while a test runs.
            ["Schedules:Default"] = "0 3 * * *",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        var app = DesignerApp.Build(["--urls", "http://127.0.0.1:0"], AppContext.BaseDirectory,
            builder => builder.Configuration.AddInMemoryCollection(settings));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var environment = await app.Services.GetRequiredService<SyncEnvironmentProvider>().GetAsync(CancellationToken.None);

        var accounts = app.Services.GetRequiredService<Accounts>();
        foreach (var (name, role) in new[] { (OperatorName, Roles.Operator), (BusinessUserName, Roles.BusinessUser) })
        {
            accounts.AddUser(name, role);
            accounts.SetPassword(name, Password);
        }

        return new ConsoleHost(app, dataDirectory, new Uri(address), environment);
    }

    public static string RepoRoot { get; } = FindRoot();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_dataDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IvvyWorkflows.sln")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException("IvvyWorkflows.sln not found above " + AppContext.BaseDirectory);
    }
}
