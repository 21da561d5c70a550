using System.Net;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

/// <summary>The batch namespace: run, progress, results, and the documented refusals.</summary>
public sealed class IvvyBatchTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestSandbox.NewClock();
    private SandboxHost _host = null!;
    private IvvyTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestSandbox.StartAsync(_time, seedCount: 20);
        _client = new IvvyTestClient(_host.IvvyBaseUrl, _time);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Run_Jobs_EachAnswersAsItsOwnCallWouldAndTheRestLand()
    {
        var jobs = new JsonArray(
            Job("addOrUpdateContact", new JsonObject { ["firstName"] = "Ada", ["lastName"] = "Lovelace", ["email"] = "ada@example.com" }),
            Job("addOrUpdateContact", new JsonObject { ["firstName"] = "No", ["lastName"] = "Email" }),
            Job("getContact", new JsonObject { ["id"] = 3 }));

        var run = await _client.OkAsync("batch", "run", new JsonObject { ["jobs"] = jobs });
        var asyncId = run["asyncId"]!.GetValue<string>();
        var progress = await _client.OkAsync("batch", "progress", new JsonObject { ["async"] = asyncId });
        var results = (await _client.OkAsync("batch", "results", new JsonObject { ["asyncId"] = asyncId }))["results"]!.AsArray();

        Assert.Equal(100, progress["progress"]!.GetValue<int>());
        Assert.Equal(3, results.Count);
        Assert.True(results[0]!["response"]!["success"]!.GetValue<bool>());
        Assert.Equal(23017, results[1]!["response"]!["specificCode"]!.GetValue<int>());
        Assert.Equal(3, results[2]!["response"]!["id"]!.GetValue<int>());
        Assert.Equal(21, await _host.Ivvy.CountContactsAsync());
    }

    [Theory]
    [InlineData(0, 24093)]
    [InlineData(201, 24448)]
    public async Task Run_EmptyOrOverTheCap_IsRefused(int count, int specificCode)
    {
        var jobs = new JsonArray(Enumerable.Range(0, count).Select(i => (JsonNode)Job("getContact", new JsonObject { ["id"] = 1 })).ToArray());

        var response = await _client.CallAsync("batch", "run", new JsonObject { ["jobs"] = jobs });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(specificCode, response.Body!["specificCode"]!.GetValue<int>());
    }

    [Fact]
    public async Task Results_UnknownAsyncId_IsNotFound()
    {
        var response = await _client.CallAsync("batch", "results", new JsonObject { ["asyncId"] = "nope" });

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal(24115, response.Body!["specificCode"]!.GetValue<int>());
    }

    private static JsonObject Job(string action, JsonObject parameters) =>
        new() { ["namespace"] = "contact", ["action"] = action, ["params"] = parameters };
}
