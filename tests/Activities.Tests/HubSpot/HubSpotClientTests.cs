using System.Net;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Sandbox.HubSpot;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.HubSpot;

public sealed class HubSpotClientTests
{
    private static readonly JsonObject EmptySearch = new() { ["total"] = 0, ["results"] = new JsonArray() };

    [Fact]
    public async Task BatchReadAsync_PresentAndMissingIds_ReturnsThePresentOnesWithTheAskedProperties()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient();
        var written = await client.BatchUpsertAsync("contacts",
        [
            new HubSpotUpsertInput("ana@example.com", "email", new JsonObject { ["firstname"] = "Ana", ["phone"] = "1" }, null),
            new HubSpotUpsertInput("bo@example.com", "email", new JsonObject { ["firstname"] = "Bo", ["phone"] = "2" }, null),
        ], default);
        var ids = written.Results.Select(r => r.Id).ToList();

        var read = await client.BatchReadAsync("contacts", [ids[0], "999999", ids[1], ids[0]], ["firstname", "email"], default);

        Assert.Equal(ids.Order(StringComparer.Ordinal), read.Select(r => r.Id).Order(StringComparer.Ordinal));
        var ana = read.Single(r => r.Id == ids[0]);
        Assert.Equal("Ana", ana.Property("firstname"));
        Assert.Equal("ana@example.com", ana.Property("email"));
        Assert.Null(ana.Property("phone"));
        Assert.Equal(1, hubSpot.Calls("contacts.batch/read"));
    }

    [Fact]
    public async Task BatchReadAsync_OnlyMissingIds_ReturnsNothingWithoutFailing()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();

        var read = await hubSpot.CreateClient().BatchReadAsync("companies", ["123", "456"], ["name"], default);

        Assert.Empty(read);
    }

    [Fact]
    public async Task BatchReadAsync_MoreThanOneHundredIds_ReadsInChunksOfOneHundred()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient();
        var ids = new List<string>();
        for (var batch = 0; batch < 3; batch++)
        {
            var inputs = Enumerable.Range(batch * 80, 80).Select(i => new HubSpotUpsertInput($"c{i}@example.com", "email",
                new JsonObject { ["firstname"] = $"N{i}" }, null)).ToList();
            ids.AddRange((await client.BatchUpsertAsync("contacts", inputs, default)).Results.Select(r => r.Id));
        }

        var read = await client.BatchReadAsync("contacts", [.. ids, "999999"], ["firstname"], default);

        Assert.Equal(240, read.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), read.Select(r => r.Id).Order(StringComparer.Ordinal));
        Assert.Equal(3, hubSpot.Calls("contacts.batch/read"));
    }

    [Fact]
    public async Task BatchReadAsync_ErrorOtherThanMissingRecords_ThrowsSystem()
    {
        var handler = new ScriptedHubSpotHandler((_, _, _) => ScriptedHubSpotHandler.Json(207, new JsonObject
        {
            ["status"] = "COMPLETE",
            ["results"] = new JsonArray(),
            ["errors"] = new JsonArray(new JsonObject { ["status"] = "error", ["category"] = "VALIDATION_ERROR", ["message"] = "bad property" }),
        }));
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start), HubSpotTestClients.Options(maxRetries: 0));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.BatchReadAsync("contacts", ["1"], ["email"], default));

        Assert.Equal(FailureKind.System, error.Kind);
        Assert.Equal("VALIDATION_ERROR", error.RemoteCode);
        Assert.DoesNotContain(HubSpotTestClients.Token, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BatchUpsertAndSearch_AgainstTheSimulator_RoundTrip()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient();

        var written = await client.BatchUpsertAsync("contacts",
            [new HubSpotUpsertInput("ana@example.com", "email", new JsonObject { ["firstname"] = "Ana" }, null)], default);
        var page = await client.SearchAsync("contacts", new HubSpotSearchRequest(
            [new HubSpotFilterGroup([new HubSpotFilter("email", "EQ", "ana@example.com")])], [], ["firstname"], 10), default);

        Assert.Equal(200, written.Status);
        Assert.True(Assert.Single(written.Results).IsNew);
        Assert.Equal(1, page.Total);
        Assert.Equal("Ana", Assert.Single(page.Results).Property("firstname"));
        Assert.Null(page.NextAfter);
        Assert.Equal(1, hubSpot.Calls("contacts.batch/upsert"));
        Assert.Equal(1, hubSpot.Calls("contacts.search"));
    }

    [Fact]
    public async Task AnyCall_WithAWrongToken_IsConfigNamingTheSettingWithoutTheToken()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient(o => o.AccessToken = "pat-wrong-secret-token-value");

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.GetPropertyAsync("contacts", "email", default));

        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Equal("INVALID_AUTHENTICATION", error.RemoteCode);
        Assert.Contains("HubSpot:AccessToken", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("pat-wrong-secret-token-value", error.Message, StringComparison.Ordinal);
        Assert.Equal(1, hubSpot.Calls("properties.get"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnyCall_Over429_IsRetriedAfterRetryAfterOrTheTenSecondWindow(bool sendRetryAfter)
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync(
            new HubSpotSimulatorOptions { TenSecondlyLimit = 2, SendRetryAfter = sendRetryAfter });
        var client = hubSpot.CreateClient();
        await client.GetPropertyAsync("contacts", "email", default);
        await client.GetPropertyAsync("contacts", "email", default);
        var before = hubSpot.Time.GetUtcNow();

        var property = await HubSpotTestClients.DriveAsync(hubSpot.Time, () => client.GetPropertyAsync("contacts", "email", default));

        Assert.Equal("email", property!.Name);
        // Two calls, one refused, one retry that landed once the 10-second window had rolled on.
        Assert.Equal(4, hubSpot.Calls("properties.get"));
        Assert.True(hubSpot.Time.GetUtcNow() - before >= TimeSpan.FromSeconds(10));
    }

    [Theory]
    [InlineData("3", "TEN_SECONDLY_ROLLING", 3)]
    [InlineData(null, "TEN_SECONDLY_ROLLING", 10)]
    [InlineData(null, "SECONDLY", 1)]
    public async Task AnyCall_Refused429_CarriesRetryAfterOrThePolicyWindow(string? retryAfter, string policy, int seconds)
    {
        var handler = new ScriptedHubSpotHandler((_, _, _) => ScriptedHubSpotHandler.Json(429, RateLimitBody(policy), retryAfter));
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start), HubSpotTestClients.Options(maxRetries: 0));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.SearchAsync("contacts",
            new HubSpotSearchRequest([], [], [], 10), default));

        Assert.Equal(FailureKind.RateLimited, error.Kind);
        Assert.Equal(policy, error.RemoteCode);
        Assert.Equal(TimeSpan.FromSeconds(seconds), error.RetryAfter);
    }

    [Fact]
    public async Task AnyCall_Always429_GivesUpAfterMaxRetries()
    {
        var time = new FakeTimeProvider(SimulatedHubSpot.Start);
        var handler = new ScriptedHubSpotHandler((_, _, _) => ScriptedHubSpotHandler.Json(429, RateLimitBody("TEN_SECONDLY_ROLLING"), "1"));
        var client = HubSpotTestClients.Create(handler, time, HubSpotTestClients.Options(maxRetries: 2));

        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            HubSpotTestClients.DriveAsync(time, () => client.GetPropertyAsync("contacts", "email", default)));

        Assert.Equal(FailureKind.RateLimited, error.Kind);
        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task AnyCall_DailyLimit_StopsAsConfigWithoutRetrying()
    {
        var handler = new ScriptedHubSpotHandler((_, _, _) => ScriptedHubSpotHandler.Json(429, RateLimitBody("DAILY"), "3600"));
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start), HubSpotTestClients.Options(maxRetries: 3));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.GetPropertyAsync("contacts", "email", default));

        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.Equal("DAILY", error.RemoteCode);
        Assert.False(error.IsRetryable);
        Assert.Equal(1, handler.Calls);
    }

    [Fact]
    public async Task AnyCall_ServerErrorThenSuccess_IsRetried()
    {
        var time = new FakeTimeProvider(SimulatedHubSpot.Start);
        var handler = new ScriptedHubSpotHandler((_, _, call) => call == 1
            ? ScriptedHubSpotHandler.Json(503, new JsonObject { ["status"] = "error", ["message"] = "unavailable", ["category"] = "INTERNAL_ERROR" })
            : ScriptedHubSpotHandler.Json(200, EmptySearch));
        var client = HubSpotTestClients.Create(handler, time, HubSpotTestClients.Options(maxRetries: 2));

        var page = await HubSpotTestClients.DriveAsync(time, () => client.SearchAsync("contacts", new HubSpotSearchRequest([], [], [], 10), default));

        Assert.Equal(0, page.Total);
        Assert.Equal(2, handler.Calls);
    }

    [Fact]
    public async Task AnyCall_NonJsonGatewayError_IsTransientWithASnippet()
    {
        var handler = new ScriptedHubSpotHandler((_, _, _) => new HttpResponseMessage(HttpStatusCode.BadGateway)
        {
            Content = new StringContent("<html><body>502 Bad Gateway</body></html>"),
        });
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start), HubSpotTestClients.Options(maxRetries: 0));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.GetPropertyAsync("contacts", "email", default));

        Assert.Equal(FailureKind.Transient, error.Kind);
        Assert.Contains("502 Bad Gateway", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_ErrorBodyWithOnlyAStatus_IsStillClassified()
    {
        var handler = new ScriptedHubSpotHandler((_, _, _) => ScriptedHubSpotHandler.Json(400, new JsonObject { ["status"] = "error" }));
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start), HubSpotTestClients.Options(maxRetries: 0));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.BatchUpsertAsync("contacts",
            [new HubSpotUpsertInput("1", "ivvy_contact_id", [], "1")], default));

        Assert.Equal(FailureKind.System, error.Kind);
        Assert.Contains("(no message)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnyCall_ConnectionFailure_IsTransient()
    {
        var handler = new ScriptedHubSpotHandler((_, _, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "refused"));
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start), HubSpotTestClients.Options(maxRetries: 0));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.GetPropertyAsync("contacts", "email", default));

        Assert.Equal(FailureKind.Transient, error.Kind);
    }

    [Fact]
    public async Task Paths_WithADateBasedVersion_UseTheVersionForObjectsAndProperties()
    {
        var handler = new ScriptedHubSpotHandler((request, _, _) => request.RequestUri!.AbsolutePath.Contains("/properties/", StringComparison.Ordinal)
            ? ScriptedHubSpotHandler.Json(404, new JsonObject { ["status"] = "error", ["category"] = "OBJECT_NOT_FOUND" })
            : ScriptedHubSpotHandler.Json(200, EmptySearch));
        var options = HubSpotTestClients.Options();
        options.ApiVersionPath = "crm/objects/2026-03";
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start), options);

        var property = await client.GetPropertyAsync("contacts", "ivvy_contact_id", default);
        await client.SearchAsync("contacts", new HubSpotSearchRequest([], [], [], 10), default);

        Assert.Null(property);
        Assert.Equal("/crm/properties/2026-03/contacts/ivvy_contact_id", handler.Requests[0].Uri.AbsolutePath);
        Assert.Equal("/crm/objects/2026-03/contacts/search", handler.Requests[1].Uri.AbsolutePath);
        Assert.Equal($"Bearer {HubSpotTestClients.Token}", handler.Requests[0].Authorization);
    }

    [Fact]
    public async Task Paths_WithADateBasedVersion_WorkAgainstTheSimulator()
    {
        await using var hubSpot = await SimulatedHubSpot.StartAsync();
        var client = hubSpot.CreateClient(o => o.ApiVersionPath = "crm/objects/2026-03");

        var property = await client.GetPropertyAsync("contacts", "email", default);
        var written = await client.BatchUpsertAsync("contacts", [new HubSpotUpsertInput("zoe@example.com", "email", [], null)], default);

        Assert.Equal("email", property!.Name);
        Assert.Single(written.Results);
        Assert.Equal(1, await hubSpot.Simulator.CountAsync("contacts"));
    }

    [Fact]
    public async Task SearchAsync_PastTheResultCap_FailsWithoutCallingHubSpot()
    {
        var handler = new ScriptedHubSpotHandler((_, _, _) => ScriptedHubSpotHandler.Json(200, EmptySearch));
        var client = HubSpotTestClients.Create(handler, new FakeTimeProvider(SimulatedHubSpot.Start));

        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            client.SearchAsync("contacts", new HubSpotSearchRequest([], [], [], 200, After: "9900"), default));

        Assert.Equal(FailureKind.System, error.Kind);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public void Constructor_WithoutAToken_FailsValidationWithoutLeakingSettings()
    {
        var options = HubSpotTestClients.Options(token: "");

        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(() =>
            HubSpotTestClients.Create(new ScriptedHubSpotHandler((_, _, _) => new HttpResponseMessage()), TimeProvider.System, options));

        Assert.Contains("AccessToken", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ToString_RedactsTheToken()
    {
        var text = HubSpotTestClients.Options().ToString();

        Assert.DoesNotContain(HubSpotTestClients.Token, text, StringComparison.Ordinal);
        Assert.Contains("***", text, StringComparison.Ordinal);
    }

    private static JsonObject RateLimitBody(string policy) => new()
    {
        ["status"] = "error",
        ["message"] = "You have reached your limit.",
        ["errorType"] = "RATE_LIMIT",
        ["correlationId"] = "c0ffee",
        ["policyName"] = policy,
    };
}
