using System.Globalization;
using System.Text.Json.Nodes;
using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Workflows.Definitions;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Elsa;

/// <summary>
/// The part of Elsa 3's REST API that Elsa Studio 3.8.2's workflow editor calls, under <c>/elsa/api</c>, over our own
/// versioned definitions (<c>workflows/&lt;module&gt;/vN/</c>): a module is an Elsa workflow definition whose
/// <c>definitionId</c> is the module id and whose versions are its version folders. Every call needs a signed-in role
/// (Studio's bearer token, <see cref="StudioTokens"/>); saving and publishing need an integrator. These routes are Elsa's
/// contract, not ours, so they stay out of our OpenAPI document.
/// </summary>
public static class ElsaEndpoints
{
    public const string Prefix = "/elsa/api";

    public static IEndpointRouteBuilder MapElsaEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/designer/elsa-token", (HttpContext context, StudioTokens tokens) =>
                TypedResults.Ok(new StudioToken(tokens.Issue(context.User.Identity?.Name ?? "", context.User.Role()!), (int)tokens.Lifetime.TotalSeconds)))
            .RequireAuthorization(Roles.ReadPolicy).WithTags("designer");

        var api = app.MapGroup(Prefix).RequireAuthorization(Roles.ReadPolicy).ExcludeFromDescription();
        api.MapGet("/workflow-definitions", (ElsaDefinitions definitions, HttpContext context, int? page, int? pageSize) =>
        {
            var items = definitions.Modules().Select(m => definitions.Summary(m, definitions.Newest(m))).ToList();
            return TypedResults.Json(new JsonObject { ["items"] = Array(items), ["totalCount"] = items.Count, ["page"] = page, ["pageSize"] = pageSize });
        });
        api.MapGet("/workflow-definitions/by-definition-id/{definitionId}", IResult (string definitionId, string? versionOptions, ElsaDefinitions definitions, HttpContext context) =>
            definitions.Pick(definitionId, versionOptions) is { } version
                ? TypedResults.Json(definitions.Model(definitionId, version, context.User))
                : NotFound($"There is no workflow definition '{definitionId}' ({versionOptions ?? "Latest"})."));
        api.MapGet("/workflow-definitions/by-id/{id}", IResult (string id, ElsaDefinitions definitions, HttpContext context) =>
            ElsaDefinitions.ParseId(id) is var (module, version) && definitions.Versions(module).Contains(version)
                ? TypedResults.Json(definitions.Model(module, version, context.User))
                : NotFound($"There is no workflow definition version '{id}'."));
        api.MapGet("/workflow-definitions/{definitionId}/versions", IResult (string definitionId, ElsaDefinitions definitions) =>
            definitions.Versions(definitionId) is { Count: > 0 } versions
                ? TypedResults.Json(new JsonObject { ["items"] = Array(versions.OrderDescending().Select(v => definitions.Summary(definitionId, v))), ["totalCount"] = versions.Count })
                : NotFound($"There is no workflow definition '{definitionId}'."));
        api.MapGet("/workflow-definitions/validation/is-name-unique", (string? name, string? definitionId, ElsaDefinitions definitions) =>
            TypedResults.Json(new JsonObject { ["isUnique"] = !definitions.Modules().Any(m => m != definitionId && definitions.Title(m) == name) }));

        api.MapGet("/descriptors/activities", () => List(ActivityDescriptors.All()));
        // Our runtime evaluates no expressions: a literal is the one kind a field takes. An empty list breaks Studio.
        api.MapGet("/descriptors/expression-descriptors", () => List(
        [
            new JsonObject { ["type"] = "Literal", ["displayName"] = "Literal", ["isSerializable"] = true, ["isBrowsable"] = true, ["properties"] = new JsonObject() },
        ]));
        api.MapGet("/descriptors/workflow-activation-strategies", () => List(
        [
            new JsonObject { ["typeName"] = "Elsa.Workflows.Activation.Strategies.AllowAlwaysStrategy", ["displayName"] = "Always", ["description"] = "Runs start from the schedule or the console." },
        ]));
        api.MapGet("/descriptors/log-persistence-strategies", () => List(
        [
            new JsonObject { ["typeName"] = "Elsa.Workflows.LogPersistence.Strategies.Include", ["displayName"] = "Include", ["description"] = "Runs keep their counters and quarantine in the state store." },
        ]));
        api.MapGet("/descriptors/incident-strategies", () => List(
        [
            new JsonObject { ["typeName"] = "Elsa.Workflows.IncidentStrategies.FaultStrategy", ["displayName"] = "Quarantine", ["description"] = "A bad record is quarantined with its reason; the rest lands." },
        ]));
        api.MapGet("/descriptors/commit-strategies/workflows", () => List(
        [
            new JsonObject { ["name"] = "PerPage", ["displayName"] = "Per page", ["description"] = "Each page's pairs and cursor commit together." },
        ]));
        api.MapGet("/descriptors/commit-strategies/activities", () => List([]));
        api.MapGet("/features/installed", () => List(
        [
            new JsonObject { ["name"] = "Workflows", ["namespace"] = "Elsa", ["fullName"] = "Elsa.Workflows", ["displayName"] = "Workflows", ["description"] = "IvvyWorkflows definitions" },
        ]));

        api.MapPost("/workflow-definitions", IResult (JsonObject body, ElsaDefinitions definitions, HttpContext context) =>
                definitions.Save(body, context.User))
            .RequireAuthorization(Roles.IntegratePolicy);
        api.MapPost("/workflow-definitions/{definitionId}/publish", IResult (string definitionId, ElsaDefinitions definitions, HttpContext context) =>
                definitions.Publish(definitionId, context.User))
            .RequireAuthorization(Roles.IntegratePolicy);

        // Anything else Studio asks for is not implemented: a clear 404 rather than the console's page.
        api.Map("/{**rest}", (string rest) => NotFound($"{Prefix}/{rest} is not part of the Elsa API this server implements."));
        return app;
    }

    internal static IResult NotFound(string message) => TypedResults.NotFound(new ApiError(message));

    private static IResult List(JsonArray items) => TypedResults.Json(new JsonObject { ["items"] = items, ["count"] = items.Count });

    private static JsonArray Array(IEnumerable<JsonNode> items)
    {
        var array = new JsonArray();
        foreach (var item in items)
        {
            array.Add(item);
        }

        return array;
    }
}

/// <summary>The token the module page hands Elsa Studio's element, and how long it lasts.</summary>
public sealed record StudioToken(string Token, int ExpiresInSeconds);
