using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Engine.Service;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace IvvyWorkflows.Cli;

/// <summary>The command's Generic Host: configuration (appsettings.json, user secrets, environment variables),
/// logging to stderr, validated options and, when switched on, OpenTelemetry console exporters.</summary>
public static class CliHost
{
    public static async Task<IHost> StartAsync(bool verbose, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            ContentRootPath = AppContext.BaseDirectory,
            DisableDefaults = false,
        });
        // Credentials may live in user secrets outside Development too; they never live in a definition file.
        builder.Configuration.AddUserSecrets(typeof(CliHost).Assembly, optional: true);
        builder.Configuration.AddEnvironmentVariables();

        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.IncludeScopes = true;
            o.SingleLine = true;
        });
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.SetMinimumLevel(verbose ? LogLevel.Information : LogLevel.Warning);
        // The durable engine's own chatter is for debugging the engine, not for users.
        builder.Logging.AddFilter("Microsoft", verbose ? LogLevel.Warning : LogLevel.Error);
        builder.Logging.AddFilter("DurableTask", verbose ? LogLevel.Warning : LogLevel.Error);
        builder.Logging.AddFilter("Grpc", LogLevel.Error);
        // While storage is away the sidecar logs every failed call with its stack; the storage watch says it in one line.
        builder.Logging.AddFilter("Grpc.AspNetCore.Server.ServerCallHandler", verbose ? LogLevel.Error : LogLevel.None);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);

        // Signals belong to StopSignals: the default console lifetime would swallow them and stop only this host.
        builder.Services.AddSingleton<IHostLifetime, SignalFreeLifetime>();
        builder.Services.AddIvvyWorkflows(builder.Configuration);
        if (builder.Configuration.GetValue<bool>(nameof(IvvyWorkflowsSettings.TelemetryConsole)))
        {
            builder.Services.AddOpenTelemetry()
                .WithTracing(t => t.AddSource(ApiCallMeter.ActivitySourceName, "System.Net.Http").AddConsoleExporter())
                .WithMetrics(m => m.AddMeter(ApiCallMeter.MeterName).AddConsoleExporter());
        }

        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return host;
    }

    public static IvvyWorkflowsSettings Settings(this IHost host) => host.Services.GetRequiredService<IOptions<IvvyWorkflowsSettings>>().Value;

    public static IConfiguration Configuration(this IHost host) => host.Services.GetRequiredService<IConfiguration>();

    public static ILoggerFactory Loggers(this IHost host) => host.Services.GetRequiredService<ILoggerFactory>();

    private sealed class SignalFreeLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
