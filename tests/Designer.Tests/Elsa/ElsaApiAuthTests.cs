using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Designer.Elsa;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace IvvyWorkflows.Designer.Tests.Elsa;

/// <summary>The Elsa API is outside our OpenAPI document (it is Elsa's contract), so this is its auth matrix: every route
/// under /elsa/api, found in the app's endpoints, unauthenticated → 401; with a Studio token of each role → allowed or 403.</summary>
public sealed class ElsaApiAuthTests(ServiceHost host) : IClassFixture<ServiceHost>
{
    [Fact]
    public async Task EveryElsaRoute_EachCaller_UnauthorizedForbiddenOrAllowed()
    {
        var routes = host.App.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith(ElsaEndpoints.Prefix, StringComparison.Ordinal) == true && !e.RoutePattern.RawText.Contains("**", StringComparison.Ordinal))
            .Select(e => (Method: e.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()!.HttpMethods[0], Path: e.RoutePattern.RawText!))
            .ToList();
        Assert.Contains(routes, r => r.Path.EndsWith("/by-definition-id/{definitionId}", StringComparison.Ordinal));

        var failures = new List<string>();
        using var anonymous = host.Anonymous();
        foreach (var route in routes)
        {
            var status = await CallAsync(anonymous, route.Method, route.Path);
            if (status != HttpStatusCode.Unauthorized)
            {
                failures.Add($"{route.Method} {route.Path} unauthenticated: {(int)status}");
            }
        }

        foreach (var role in Roles.All)
        {
            using var studio = await StudioClientAsync(role);
            foreach (var route in routes)
            {
                var status = await CallAsync(studio, route.Method, route.Path);
                var mayWrite = role == Roles.Integrator;
                var allowed = route.Method == "GET" || mayWrite;
                if (status == HttpStatusCode.Unauthorized || allowed == (status == HttpStatusCode.Forbidden) || (int)status >= 500 && status != HttpStatusCode.NotImplemented)
                {
                    failures.Add($"{route.Method} {route.Path} as {role}: {(int)status}");
                }
            }
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task ByDefinitionId_AsIntegratorAndAsOperator_PublishLinkOnlyForIntegrator()
    {
        using var integrator = await StudioClientAsync(Roles.Integrator);
        using var @operator = await StudioClientAsync(Roles.Operator);

        var forIntegrator = await integrator.GetFromJsonAsync<JsonObject>(new Uri("/elsa/api/workflow-definitions/by-definition-id/contacts?versionOptions=Latest", UriKind.Relative));
        var forOperator = await @operator.GetFromJsonAsync<JsonObject>(new Uri("/elsa/api/workflow-definitions/by-definition-id/contacts?versionOptions=Latest", UriKind.Relative));

        Assert.True((bool)forIntegrator!["isLatest"]!);
        Assert.Contains(forIntegrator["links"]!.AsArray(), l => (string?)l!["rel"] == "publish");
        Assert.Empty(forOperator!["links"]!.AsArray());
        Assert.Equal("Elsa.Flowchart", (string?)forIntegrator["root"]!["type"]);
    }

    [Fact]
    public async Task Token_Tampered_Unauthorized()
    {
        using var studio = await StudioClientAsync(Roles.Integrator);
        studio.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", studio.DefaultRequestHeaders.Authorization!.Parameter + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await studio.GetAsync(new Uri("/elsa/api/descriptors/activities", UriKind.Relative))).StatusCode);
    }

    /// <summary>What the module page does: the signed-in user's token, sent by Studio as a bearer token (no cookie).</summary>
    private async Task<HttpClient> StudioClientAsync(string role)
    {
        using var session = await host.SignInAsync(role);
        var token = await session.GetFromJsonAsync<JsonObject>(new Uri("/api/designer/elsa-token", UriKind.Relative));
        var studio = host.Anonymous();
        studio.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (string)token!["token"]!);
        return studio;
    }

    private static async Task<HttpStatusCode> CallAsync(HttpClient client, string method, string template)
    {
        var path = template.Replace("{definitionId}", "no-such-module", StringComparison.Ordinal).Replace("{id}", "no-such-module:v1", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { model = new { definitionId = "no-such-module" }, publish = false });
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }
}
