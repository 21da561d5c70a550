using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Designer.Auth;
using Microsoft.Extensions.DependencyInjection;

namespace IvvyWorkflows.Designer.Tests;

/// <summary>Every operation of the OpenAPI document, called unauthenticated and as each role: 401, or allowed, or 403
/// and nothing changed. An operation missing from <see cref="Expected"/> fails the test, so none can be forgotten.</summary>
public sealed class AuthMatrixTests(ServiceHost host) : IClassFixture<ServiceHost>
{
    private const string Anonymous = "anonymous";
    private const string SignedIn = "signed-in";
    private static readonly string[] Read = [Roles.Integrator, Roles.Operator, Roles.BusinessUser];
    private static readonly string[] Operate = [Roles.Integrator, Roles.Operator];
    private static readonly string[] Integrate = [Roles.Integrator];
    private static readonly string[] Templates = [Roles.Integrator, Roles.BusinessUser];

    /// <summary>Who may call each operation, and a body that exercises it without changing anything (unknown module or run).</summary>
    private static readonly Dictionary<string, (string[] Who, string? Body)> Expected = new()
    {
        ["GET /api/auth/options"] = ([Anonymous], null),
        ["POST /api/auth/sign-in"] = ([Anonymous], """{"userName":"{user}","password":"{password}"}"""),
        ["GET /api/auth/oidc"] = ([Anonymous], null),
        ["GET /api/auth/session"] = ([SignedIn], null),
        ["POST /api/auth/password"] = ([SignedIn], """{"currentPassword":"wrong","newPassword":"whatever it is"}"""),
        ["POST /api/auth/sign-out"] = ([SignedIn], null),
        ["GET /api/keys"] = (Integrate, null),
        ["POST /api/keys"] = (Integrate, """{"name":"k","role":"no-such-role"}"""),
        ["DELETE /api/keys/{id}"] = (Integrate, null),
        ["GET /api/modules"] = (Read, null),
        ["GET /api/modules/{module}"] = (Read, null),
        ["PUT /api/modules/{module}/schedule"] = (Operate, """{"expression":null,"paused":false}"""),
        ["POST /api/modules/{module}/runs"] = (Operate, """{"dryRun":true}"""),
        ["GET /api/runs"] = (Read, null),
        ["GET /api/runs/{runId}"] = (Read, null),
        ["GET /api/runs/{runId}/plan"] = (Read, null),
        ["GET /api/runs/{runId}/progress"] = (Read, null),
        ["GET /api/progress"] = (Read, null),
        ["POST /api/runs/{runId}/resume"] = (Operate, null),
        ["POST /api/runs/{runId}/restart"] = (Operate, null),
        ["POST /api/runs/{runId}/terminate"] = (Operate, null),
        ["GET /api/quarantine"] = (Read, null),
        ["GET /api/quarantine/facets"] = (Read, null),
        ["GET /api/quarantine/{module}/{stream}/{sourceId}"] = (Read, null),
        ["POST /api/quarantine/replay"] = (Operate, """{"module":"no-such-module","records":null}"""),
        ["GET /api/conflicts"] = (Read, null),
        ["GET /api/modules/{module}/versions"] = (Read, null),
        ["GET /api/modules/{module}/draft"] = (Read, null),
        ["POST /api/modules/{module}/draft"] = (Templates, null),
        ["DELETE /api/modules/{module}/draft"] = (Templates, null),
        ["GET /api/modules/{module}/draft/files"] = (Read, null),
        ["PUT /api/modules/{module}/draft/files"] = (Templates, """{"path":"templates/t.scriban","content":"x","etag":"e"}"""),
        ["GET /api/modules/{module}/draft/diff"] = (Read, null),
        ["POST /api/modules/{module}/draft/validate"] = (Read, null),
        ["GET /api/modules/{module}/draft/samples"] = (Read, null),
        ["POST /api/modules/{module}/draft/preview"] = (Read, """{"stream":"s","template":"{}","record":{}}"""),
        ["POST /api/modules/{module}/draft/publish"] = (Templates, """{"etag":"e"}"""),
        ["GET /api/designer/elsa-token"] = (Read, null),
    };

    private string? _user;

    [Fact]
    public async Task EveryOperation_EachCaller_UnauthorizedForbiddenOrAllowed()
    {
        var operations = await OperationsAsync();
        Assert.Equal(Expected.Keys.Order(), operations.Order());

        var failures = new List<string>();
        foreach (var operation in operations)
        {
            // A client of its own per call: the sign-in call would otherwise sign the rest in.
            using var anonymous = host.Anonymous();
            var status = await CallAsync(anonymous, operation);
            var anonymousAllowed = Expected[operation].Who.Contains(Anonymous);
            if (anonymousAllowed == (status == HttpStatusCode.Unauthorized))
            {
                failures.Add($"{operation} unauthenticated: {(int)status}");
            }
        }

        foreach (var role in Roles.All)
        {
            var client = await host.SignInAsync(role);
            // Sign-in and sign-out last: they change the session the other calls use.
            foreach (var operation in operations.OrderBy(o => o.EndsWith("sign-in", StringComparison.Ordinal)).ThenBy(o => o.EndsWith("sign-out", StringComparison.Ordinal)))
            {
                var status = await CallAsync(client, operation);
                var who = Expected[operation].Who;
                var allowed = who.Contains(Anonymous) || who.Contains(SignedIn) || who.Contains(role);
                if (status == HttpStatusCode.Unauthorized || allowed == (status == HttpStatusCode.Forbidden) || (int)status >= 500)
                {
                    failures.Add($"{operation} as {role}: {(int)status}");
                }
            }

            client.Dispose();
        }

        Assert.Empty(failures);
    }

    [Fact]
    public async Task OperateCall_AsBusinessUser_403AndNothingChanges()
    {
        using var business = await host.SignInAsync(Roles.BusinessUser);
        var response = await business.PutAsJsonAsync(new Uri("/api/modules/contacts/schedule", UriKind.Relative), new { expression = "0 3 * * *", paused = true });
        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);

        var module = await business.GetFromJsonAsync<JsonObject>(new Uri("/api/modules/contacts", UriKind.Relative));
        Assert.Equal("*/15 * * * *", (string?)module!["schedule"]!["expression"]);
        Assert.False((bool)module["schedule"]!["paused"]!);
    }

    [Fact]
    public async Task StateChangingCall_WithCookieButNoAntiforgeryToken_IsRefused()
    {
        using var client = await host.SignInAsync(Roles.Operator);
        client.DefaultRequestHeaders.Remove(AuthSetup.AntiforgeryHeader);
        var response = await client.PutAsJsonAsync(new Uri("/api/modules/contacts/schedule", UriKind.Relative), new { expression = "0 3 * * *", paused = false });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(AuthSetup.AntiforgeryHeader, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var module = await client.GetFromJsonAsync<JsonObject>(new Uri("/api/modules/contacts", UriKind.Relative));
        Assert.Equal("settings", (string?)module!["schedule"]!["source"]);
    }

    [Fact]
    public async Task ApiKey_IssuedByIntegrator_ActsWithItsRoleWithoutAntiforgery()
    {
        using var integrator = await host.SignInAsync(Roles.Integrator);
        var created = await (await integrator.PostAsJsonAsync(new Uri("/api/keys", UriKind.Relative), new { name = "script", role = Roles.BusinessUser }))
            .Content.ReadFromJsonAsync<JsonObject>();
        var key = (string)created!["key"]!;

        using var script = host.Anonymous();
        script.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, key);
        Assert.Equal(HttpStatusCode.OK, (await script.GetAsync(new Uri("/api/runs", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await script.PostAsync(new Uri("/api/runs/x/terminate", UriKind.Relative), null)).StatusCode);

        // Kept hashed: the key's text is nowhere in the state store.
        var listed = await integrator.GetStringAsync(new Uri("/api/keys", UriKind.Relative));
        Assert.DoesNotContain(key.Split('.')[1], listed, StringComparison.Ordinal);
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var db = await File.ReadAllBytesAsync(Path.Combine(host.DataDirectory, "state.db"));
        Assert.DoesNotContain(key.Split('.')[1], Encoding.UTF8.GetString(db), StringComparison.Ordinal);

        script.DefaultRequestHeaders.Remove(ApiKeyAuthenticationHandler.Header);
        script.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.Header, key + "x");
        Assert.Equal(HttpStatusCode.Unauthorized, (await script.GetAsync(new Uri("/api/runs", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task SignIn_WithOneTimePassword_OnlyPasswordChangeUntilChanged()
    {
        using var client = host.Anonymous();
        var password = host.App.Services.GetRequiredService<Accounts>().AddUser("newcomer", Roles.Operator);
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await client.PostAsJsonAsync(new Uri("/api/auth/sign-in", UriKind.Relative), new { userName = "newcomer", password = "wrong" })).StatusCode);
        var session = await (await client.PostAsJsonAsync(new Uri("/api/auth/sign-in", UriKind.Relative), new { userName = "newcomer", password }))
            .Content.ReadFromJsonAsync<JsonObject>();
        Assert.True((bool)session!["mustChangePassword"]!);
        client.DefaultRequestHeaders.Add(AuthSetup.AntiforgeryHeader, (string)session["antiforgeryToken"]!);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync(new Uri("/api/modules", UriKind.Relative))).StatusCode);

        var changed = await client.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = password, newPassword = ServiceHost.Password });
        Assert.Equal(HttpStatusCode.OK, changed.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/api/modules", UriKind.Relative))).StatusCode);
    }

    private async Task<List<string>> OperationsAsync()
    {
        using var client = host.Anonymous();
        var document = JsonNode.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)))!;
        return document["paths"]!.AsObject()
            .SelectMany(path => path.Value!.AsObject()
                .Where(op => op.Key is "get" or "post" or "put" or "delete" or "patch")
                .Select(op => $"{op.Key.ToUpperInvariant()} {path.Key}"))
            .ToList();
    }

    private async Task<HttpStatusCode> CallAsync(HttpClient client, string operation)
    {
        var (method, template) = (operation.Split(' ')[0], operation.Split(' ')[1]);
        var path = template.Replace("{module}", "no-such-module", StringComparison.Ordinal).Replace("{runId}", "no-such-run", StringComparison.Ordinal)
            .Replace("{stream}", "s", StringComparison.Ordinal).Replace("{sourceId}", "1", StringComparison.Ordinal).Replace("{id}", "no-such-key", StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative));
        if (Expected.TryGetValue(operation, out var expected) && expected.Body is { } body)
        {
            // Sign-in with a real account: a wrong password is a 401 too, which would hide a route wrongly kept from anonymous callers.
            _user ??= host.AddUser(Roles.BusinessUser);
            request.Content = new StringContent(body.Replace("{user}", _user, StringComparison.Ordinal).Replace("{password}", ServiceHost.Password, StringComparison.Ordinal),
                Encoding.UTF8, "application/json");
        }

        // Live progress streams until the run ends: the status line is all this needs.
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        return response.StatusCode;
    }
}
