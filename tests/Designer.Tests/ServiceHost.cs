using System.Net;
using System.Net.Http.Json;
using IvvyWorkflows.Designer;
using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Engine;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace IvvyWorkflows.Designer.Tests;

/// <summary>The real app on a free port over the sandbox, with a data folder and task hub of its own; schedules off
/// unless a test turns them on, so nothing runs that the test did not start.</summary>
public sealed class ServiceHost : IAsyncLifetime
{
    public const string Password = "a long enough password";

    private WebApplication? _app;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("ivvy-serve-").FullName;

    public Uri BaseAddress { get; private set; } = null!;

    public WebApplication App => _app!;

    /// <summary>Settings as command-line arguments (<c>--Key=value</c>), the way <c>serve</c> passes <c>--urls</c>.</summary>
    public Dictionary<string, string> Settings { get; } = new()
    {
        ["Engine:TaskHubName"] = "d" + Guid.NewGuid().ToString("N")[..20],
        ["Engine:StopAzuriteOnExit"] = "false",
        ["Sandbox:Ivvy:SeedCount"] = "60",
        ["Sandbox:Ivvy:DuplicateIdentityRate"] = "0",
        ["Schedules:Enabled"] = "false",
        ["EnabledModules:0"] = "contacts",
        ["EnabledModules:1"] = "companies",
    };

    public static string Root { get; } = FindRoot();

    public async Task InitializeAsync()
    {
        await new AzuriteLauncher().EnsureRunningAsync(Path.Combine(Path.GetTempPath(), "ivvy-workflows-designer-tests"));
        _app = Build();
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        // The API answers once the engine is up; readiness says so.
        using var client = new HttpClient { BaseAddress = BaseAddress };
        var deadline = DateTime.UtcNow.AddMinutes(2);
        while ((await client.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode != HttpStatusCode.OK)
        {
            Assert.True(DateTime.UtcNow < deadline, "the service did not become ready");
            await Task.Delay(100);
        }
    }

    /// <summary>Builds the app with <see cref="Settings"/> (a test may change them before <see cref="InitializeAsync"/>).</summary>
    public WebApplication Build() =>
        DesignerApp.Build(
        [
            "--urls", "http://127.0.0.1:0",
            $"--DataDirectory={DataDirectory}",
            $"--WorkflowsDirectory={Path.Combine(Root, "workflows")}",
            .. Settings.Select(s => $"--{s.Key}={s.Value}"),
        ]);

    /// <summary>A user of <paramref name="role"/> with <see cref="Password"/> (its one-time password already changed).</summary>
    public string AddUser(string role)
    {
        var name = $"{role}-{Guid.NewGuid().ToString("N")[..6]}";
        var accounts = App.Services.GetRequiredService<Accounts>();
        accounts.AddUser(name, role);
        accounts.SetPassword(name, Password);
        return name;
    }

    /// <summary>A browser-like client signed in as a new user of <paramref name="role"/>: session cookie, and the
    /// antiforgery token on every POST, PUT and DELETE.</summary>
    public async Task<HttpClient> SignInAsync(string role)
    {
        var client = Anonymous();
        var name = AddUser(role);
        var response = await client.PostAsJsonAsync(new Uri("/api/auth/sign-in", UriKind.Relative), new SignInRequest(name, Password));
        response.EnsureSuccessStatusCode();
        var session = (await response.Content.ReadFromJsonAsync<Session>())!;
        client.DefaultRequestHeaders.Add(AuthSetup.AntiforgeryHeader, session.AntiforgeryToken);
        return client;
    }

    public HttpClient Anonymous() =>
        new(new HttpClientHandler { CookieContainer = new CookieContainer(), AllowAutoRedirect = false }) { BaseAddress = BaseAddress };

    public async Task DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
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
