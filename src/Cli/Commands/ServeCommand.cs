using IvvyWorkflows.Cli.Output;
using IvvyWorkflows.Designer;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Designer.Data;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace IvvyWorkflows.Cli.Commands;

/// <summary><c>serve</c> (the worker on its schedules, the console and its API) and <c>users add</c>.</summary>
public static class ServeCommand
{
    public static async Task<int> RunAsync(string? urls, bool verbose, CancellationToken cancellationToken)
    {
        var view = new ConsoleView(json: false);
        string[] args = urls is null ? [] : ["--urls", urls];
        try
        {
            await using var app = DesignerApp.Build(args, AppContext.BaseDirectory, builder =>
            {
                builder.Logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
                builder.Logging.AddFilter("Microsoft.AspNetCore", verbose ? LogLevel.Information : LogLevel.Warning);
            });
            await app.StartAsync(cancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? DesignerApp.DefaultUrls;
            view.Console.MarkupLineInterpolated($"[green]Serving[/] the console and API at [bold]{address}[/] (OpenAPI: {address}/openapi/v1.json). Ctrl+C stops.");
            view.Console.MarkupLineInterpolated($"Sign in with a local account: [bold]ivvy-workflows users add NAME --role operator[/] prints its one-time password.");
            await app.WaitForShutdownAsync(cancellationToken);
            return 0;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }
        catch (IOException e) when (e.InnerException is System.Net.Sockets.SocketException)
        {
            view.Error($"--urls: cannot listen there ({e.Message}); choose another address or port.");
            return ExitCodes.BadInput;
        }
        catch (Exception e)
        {
            var (exitCode, message) = ExitCodes.Of(e);
            view.Error(message);
            return exitCode;
        }
    }

    public static async Task<int> AddUserAsync(string name, string role, bool verbose, CancellationToken cancellationToken)
    {
        var view = new ConsoleView(json: false);
        using var host = await CliHost.StartAsync(verbose, cancellationToken);
        try
        {
            var password = new Accounts(new ServiceStore(host.Settings().StateStorePath), TimeProvider.System).AddUser(name, role);
            view.Console.MarkupLineInterpolated($"User [bold]{name}[/] ({role}) added. One-time password (shown once; it must be changed at the first sign-in):");
            view.Console.WriteLine(password);
            return 0;
        }
        catch (ArgumentException e)
        {
            view.Error(e.Message);
            return 2;
        }
    }
}
