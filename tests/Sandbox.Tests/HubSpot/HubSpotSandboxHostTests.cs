using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Resilience;
using IvvyWorkflows.Sandbox.Control;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.HubSpot;

/// <summary>The HubSpot simulator as the sandbox host runs it, driven by the real connector.</summary>
public sealed class HubSpotSandboxHostTests
{
    [Theory]
    [InlineData(429)]
    [InlineData(503)]
    public async Task InjectedFault_OnBatchUpsert_IsRetriedByTheConnectorAndTheRecordLandsOnce(int status)
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 2, 9, 0, 0, TimeSpan.Zero));
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Ivvy = { SeedCount = 0 } }, time);
        using var http = new HttpClient();
        var client = new HubSpotClient(http, new HubSpotClientOptions
        {
            BaseUrl = sandbox.HubSpotBaseUrl,
            AccessToken = sandbox.HubSpot.Options.AccessToken,
            RemoteCall = new RemoteCallOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(1), AttemptTimeout = TimeSpan.FromMinutes(10) },
        }, new ApiCallMeter(), time, NullLogger.Instance);
        var writer = new HubSpotUpsertWriter(client, "contacts", "ivvy_contact_id", "iVvy contact id");
        await writer.EnsureSchemaAsync(default);
        sandbox.HubSpotControls.ArmFault(new FaultRule { Status = status, RetryAfterSeconds = 1, Match = "batch/upsert" });

        var results = await DriveAsync(time, () => writer.UpsertAsync(
            [new TargetRecord("7", new JsonObject { ["email"] = "seven@example.com", ["firstname"] = "Siete" })], default));

        Assert.Equal(UpsertOutcome.Created, Assert.Single(results).Outcome);
        Assert.Equal(2, sandbox.HubSpotControls.Calls["POST /crm/v3/objects/contacts/batch/upsert"]);
        Assert.Equal(1, await sandbox.HubSpot.CountAsync("contacts"));
    }

    [Fact]
    public async Task InjectedRateLimit_Body_IsClassifiedByPolicy()
    {
        await using var sandbox = await SandboxHost.StartAsync(new SandboxOptions { Ivvy = { SeedCount = 0 } });
        using var http = new HttpClient();
        var client = new HubSpotClient(http, new HubSpotClientOptions
        {
            BaseUrl = sandbox.HubSpotBaseUrl,
            AccessToken = sandbox.HubSpot.Options.AccessToken,
            RemoteCall = new RemoteCallOptions { MaxRetries = 0 },
        }, new ApiCallMeter(), TimeProvider.System, NullLogger.Instance);
        sandbox.HubSpotControls.ArmFault(new FaultRule { Status = 429, Match = "/search" });

        var error = await Assert.ThrowsAsync<ConnectorException>(() =>
            client.SearchAsync("contacts", new HubSpotSearchRequest([], [], [], 10), default));

        Assert.Equal(FailureKind.RateLimited, error.Kind);
        Assert.Equal("TEN_SECONDLY_ROLLING", error.RemoteCode);
        Assert.Equal(TimeSpan.FromSeconds(10), error.RetryAfter);
    }

    private static async Task<T> DriveAsync<T>(FakeTimeProvider time, Func<Task<T>> action)
    {
        var task = action();
        for (var i = 0; i < 20_000 && !task.IsCompleted; i++)
        {
            await Task.WhenAny(task, Task.Delay(2));
            if (!task.IsCompleted)
            {
                time.Advance(TimeSpan.FromMilliseconds(250));
            }
        }

        return await task;
    }
}
