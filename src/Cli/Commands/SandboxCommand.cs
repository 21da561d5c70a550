using Spectre.Console;
using IvvyWorkflows.Cli.Output;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Sandbox;

namespace IvvyWorkflows.Cli.Commands;

/// <summary><c>sandbox</c>: the simulated iVvy account and HubSpot portal as their own process, state on disk, so a
/// killed worker leaves them intact. Point the connections at them like at real services.</summary>
public static class SandboxCommand
{
    public static async Task<int> RunAsync(int? seedCount, bool verbose, CancellationToken cancellationToken)
    {
        var view = new ConsoleView(json: false);
        using var host = await CliHost.StartAsync(verbose, cancellationToken);
        var options = SyncEnvironment.Bind<SandboxOptions>(host.Configuration(), "Sandbox");
        options.DataDirectory ??= host.Settings().SandboxDirectory;
        options.IvvyPort = options.IvvyPort == 0 ? 5710 : options.IvvyPort;
        options.HubSpotPort = options.HubSpotPort == 0 ? 5711 : options.HubSpotPort;
        if (seedCount is { } n)
        {
            options.Ivvy.SeedCount = n;
        }

        await using var sandbox = await SandboxHost.StartAsync(options, cancellationToken: cancellationToken);
        view.Console.MarkupLineInterpolated($"""
            Sandbox running, state in {Path.GetFullPath(sandbox.DataDirectory)}. Ctrl+C stops it.
              iVvy     {sandbox.IvvyBaseUrl}   key {options.Ivvy.ApiKey}  secret {options.Ivvy.ApiSecret}
              HubSpot  {sandbox.HubSpotBaseUrl}   token {options.HubSpot.AccessToken}
            Use it from another shell:
              Ivvy__BaseUrl={sandbox.IvvyBaseUrl} Ivvy__ApiKey={options.Ivvy.ApiKey} Ivvy__ApiSecret={options.Ivvy.ApiSecret} \
              HubSpot__BaseUrl={sandbox.HubSpotBaseUrl} HubSpot__AccessToken={options.HubSpot.AccessToken} ivvy-workflows run contacts
            """);
        try
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        catch (OperationCanceledException)
        {
        }

        return 0;
    }
}
