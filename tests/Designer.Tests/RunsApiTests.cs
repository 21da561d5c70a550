using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Engine.Service;
using Microsoft.Extensions.DependencyInjection;

namespace IvvyWorkflows.Designer.Tests;

/// <summary>Runs through the API on the sandbox: run now with live progress, actions refused with 404/409 by state,
/// restart, and no credential of iVvy or HubSpot in any answer.</summary>
public sealed class RunsApiTests(ServiceHost host) : IClassFixture<ServiceHost>
{
    [Fact]
    public async Task RunNow_ProgressStream_PushesCommitsUntilCompletedAndHubSpotHoldsEachContactOnce()
    {
        using var client = await host.SignInAsync(Roles.Operator);
        var started = await client.PostAsJsonAsync(new Uri("/api/modules/contacts/runs", UriKind.Relative), new { dryRun = false });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!;

        // A second live run of the module while this one goes is refused.
        var second = await client.PostAsJsonAsync(new Uri("/api/modules/contacts/runs", UriKind.Relative), new { dryRun = false });
        Assert.True(second.StatusCode is HttpStatusCode.Conflict or HttpStatusCode.Accepted, $"{second.StatusCode}");
        if (second.StatusCode == HttpStatusCode.Accepted)
        {
            // Only when the first had already finished: then it is a new run, not a second one at once.
            Assert.NotEqual(runId, (string)(await second.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!);
        }

        var events = await ReadProgressAsync(client, runId);
        Assert.NotEmpty(events);
        var last = events[^1];
        Assert.Equal("Completed", (string?)last["status"]);
        Assert.True((long)last["counters"]!["read"]! >= 60);
        Assert.Equal(100, (double)last["percent"]!);

        var env = host.App.Services.GetRequiredService<SyncEnvironmentProvider>().Current!;
        var contacts = await env.Sandbox!.HubSpot.AllAsync("contacts");
        Assert.Equal(contacts.Count, contacts.Select(c => (string?)c["ivvy_contact_id"]).Distinct().Count());
        Assert.True(contacts.Count >= 60);
    }

    [Fact]
    public async Task Actions_OnMissingOrWrongStateRun_404Or409WithMessage()
    {
        using var client = await host.SignInAsync(Roles.Operator);
        foreach (var action in new[] { "resume", "restart", "terminate" })
        {
            var missing = await client.PostAsync(new Uri($"/api/runs/no-such-run/{action}", UriKind.Relative), null);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Contains("no-such-run", (string)(await missing.Content.ReadFromJsonAsync<JsonObject>())!["message"]!, StringComparison.Ordinal);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync(new Uri("/api/runs/no-such-run", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsJsonAsync(new Uri("/api/modules/nope/runs", UriKind.Relative), new { })).StatusCode);

        var runId = await RunToEndAsync(client, "companies", dryRun: true);
        var resume = await client.PostAsync(new Uri($"/api/runs/{runId}/resume", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Conflict, resume.StatusCode);
        Assert.Contains("completed", (string)(await resume.Content.ReadFromJsonAsync<JsonObject>())!["message"]!, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync(new Uri($"/api/runs/{runId}/terminate", UriKind.Relative), null)).StatusCode);

        var restart = await client.PostAsync(new Uri($"/api/runs/{runId}/restart", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.Accepted, restart.StatusCode);
        var restarted = (await restart.Content.ReadFromJsonAsync<JsonObject>())!;
        Assert.NotEqual(runId, (string)restarted["runId"]!);
        Assert.True((bool)restarted["dryRun"]!);

        var listed = await client.GetFromJsonAsync<JsonObject>(new Uri("/api/runs?module=companies&dryRun=true&pageSize=1", UriKind.Relative));
        Assert.Single(listed!["items"]!.AsArray());
        Assert.True((long)listed["total"]! >= 2);
        Assert.Equal(1, (int)listed["pageSize"]!);
    }

    [Fact]
    public async Task Answers_AfterRuns_NeverHoldRemoteCredentials()
    {
        using var client = await host.SignInAsync(Roles.Integrator);
        var runId = await RunToEndAsync(client, "companies", dryRun: true);
        var bodies = new List<string>();
        foreach (var path in new[] { "/api/modules", "/api/modules/contacts", "/api/runs", $"/api/runs/{runId}", $"/api/runs/{runId}/plan", "/api/quarantine",
                     "/api/quarantine/facets", "/api/conflicts", "/readyz", "/api/auth/session", "/openapi/v1.json" })
        {
            bodies.Add(await client.GetStringAsync(new Uri(path, UriKind.Relative)));
        }

        foreach (var secret in new[] { "sandbox-key", "sandbox-secret", "pat-sandbox-token" })
        {
            Assert.DoesNotContain(bodies, b => b.Contains(secret, StringComparison.Ordinal));
        }
    }

    internal static async Task<string> RunToEndAsync(HttpClient client, string module, bool dryRun)
    {
        var started = await client.PostAsJsonAsync(new Uri($"/api/modules/{module}/runs", UriKind.Relative), new { dryRun });
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var runId = (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!;
        Assert.NotEqual("Running", (string?)(await ReadProgressAsync(client, runId))[^1]["status"]);
        return runId;
    }

    /// <summary>The run's <c>progress</c> events until the stream ends (the run left Running).</summary>
    internal static async Task<List<JsonObject>> ReadProgressAsync(HttpClient client, string runId)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        using var response = await client.GetAsync(new Uri($"/api/runs/{runId}/progress", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var events = new List<JsonObject>();
        string? eventType = null;
        while (await reader.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                eventType = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal) && eventType == "progress")
            {
                events.Add(JsonNode.Parse(line["data: ".Length..])!.AsObject());
            }
        }

        return events;
    }
}
