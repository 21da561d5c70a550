using System.Text.Json;
using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Designer.Data;
using IvvyWorkflows.Designer.Drafts;
using IvvyWorkflows.Designer.Elsa;
using IvvyWorkflows.Designer.Health;
using IvvyWorkflows.Designer.Scheduling;
using IvvyWorkflows.Engine.Service;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer;

/// <summary>The web app behind <c>ivvy-workflows serve</c>: the worker in embedded mode (schedules, the durable engine
/// through <see cref="IvvyWorkflowsServiceCollectionExtensions.AddIvvyWorkflows"/>), the console's API and its files.</summary>
public static class DesignerApp
{
    public const string DefaultUrls = "http://127.0.0.1:5700";

    /// <param name="args">Command-line configuration (<c>--urls</c>, any setting as <c>--Section:Key=value</c>).</param>
    /// <param name="contentRoot">Where appsettings.json and wwwroot are (the command's own folder for <c>serve</c>).</param>
    /// <param name="configure">Extra configuration applied last (the command's settings sources).</param>
    public static WebApplication Build(string[] args, string? contentRoot = null, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = contentRoot });
        // Credentials may live in user secrets outside Development too (the same store as the command's).
        builder.Configuration.AddUserSecrets(typeof(DesignerApp).Assembly, optional: true);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrls);
        }

        configure?.Invoke(builder);
        // Per-request logs are for debugging the host (--verbose, or Logging:LogLevel settings), not for operators.
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("DurableTask", LogLevel.Error);
        builder.Logging.AddFilter("Grpc", LogLevel.Error);

        var services = builder.Services;
        services.AddIvvyWorkflows(builder.Configuration);
        services.AddOptions<DesignerOptions>().Bind(builder.Configuration.GetSection(DesignerOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ScheduleOptions>().Bind(builder.Configuration.GetSection(ScheduleOptions.SectionName)).ValidateDataAnnotations().ValidateOnStart();
        var designer = builder.Configuration.GetSection(DesignerOptions.SectionName).Get<DesignerOptions>() ?? new DesignerOptions();

        services.AddSingleton(sp => new ServiceStore(sp.GetRequiredService<IOptions<IvvyWorkflowsSettings>>().Value.StateStorePath));
        services.AddSingleton(sp => new ConsoleQueries(sp.GetRequiredService<IOptions<IvvyWorkflowsSettings>>().Value.StateStorePath));
        services.AddSingleton<Accounts>();
        services.AddSingleton<ServedModules>();
        services.AddSingleton<ModuleSchedules>();
        services.AddSingleton<ServeRunLocks>();
        services.AddSingleton<ModuleScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<ModuleScheduler>());
        services.AddHostedService<DefinitionsCheck>();
        services.AddScoped<RunService>();
        services.AddSingleton<IDraftStore, DraftStore>();
        services.AddSingleton<TemplatePreview>();
        services.AddSingleton<ElsaDefinitions>();
        services.AddDesignerAuth(designer);
        services.AddHttpClient(ReadinessCheck.HttpClientName, c => c.Timeout = TimeSpan.FromSeconds(5));
        services.AddHealthChecks().AddCheck<ReadinessCheck>("ready", tags: ["ready"]);
        services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "IvvyWorkflows service API";
            document.Info.Description = "The operators' console API of ivvy-workflows serve. Roles per route: src/Designer/README.md.";
            return Task.CompletedTask;
        }));
        // Session cookies and antiforgery tokens outlive a restart: the keys live beside the state store.
        services.AddDataProtection().SetApplicationName("ivvy-workflows")
            .PersistKeysToFileSystem(new DirectoryInfo(Path.Combine(builder.Configuration.Get<IvvyWorkflowsSettings>()?.DataDirectory ?? ".ivvy-workflows", "keys")));
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.CamelCase);
        services.AddProblemDetails();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseElsaStudioFiles(builder.Environment.ContentRootPath);
        app.UseAuthentication();
        app.UseAuthorization();
        // After authorization: a caller without the role gets 403 whatever its token.
        app.UseDesignerAntiforgery();

        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = WriteReadinessAsync }).AllowAnonymous();
        app.MapAuthEndpoints();
        app.MapConsoleEndpoints();
        app.MapDraftEndpoints();
        app.MapElsaEndpoints();
        // An unknown API route is a 404, not the console's page; any other path is a console route (client-side routing).
        app.Map("/api/{**rest}", () => TypedResults.NotFound(new ApiError("There is no such API route."))).AllowAnonymous().ExcludeFromDescription();
        app.MapFallbackToFile("index.html").AllowAnonymous();
        return app;
    }

    private static Task WriteReadinessAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), e.Value.Description, e.Value.Data }),
        });
    }
}
