using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Engine.Service;
using IvvyWorkflows.Sandbox;
using Microsoft.Extensions.DependencyInjection;

namespace IvvyWorkflows.Designer.Tests;

/// <summary>Replaying one or a selection of quarantined records through the API, and what a run's detail says per
/// stream and about a failure, checked against what the simulators hold.</summary>
public sealed class ReplayAndFailureApiTests(ServiceHost host) : IClassFixture<ServiceHost>
{
    private SandboxHost Sandbox => host.App.Services.GetRequiredService<SyncEnvironmentProvider>().Current!.Sandbox!;

    [Fact]
    public async Task Replay_OneThenSelectedRecords_OnlyThoseLandAndTheOthersStayQuarantined()
    {
        using var client = await host.SignInAsync(Roles.Operator);
        // Bookings before their contacts and companies: none can be associated, so every one is quarantined.
        var bookingsRun = await RunsApiTests.RunToEndAsync(client, "bookings", dryRun: false);
        var quarantined = await QuarantinedAsync(client);
        Assert.True(quarantined.Count >= 4, $"{quarantined.Count} quarantined");
        await RunsApiTests.RunToEndAsync(client, "contacts", dryRun: false);
        await RunsApiTests.RunToEndAsync(client, "companies", dryRun: false);
        Assert.Equal(0, await Sandbox.HubSpot.CountAsync("deals"));

        var one = quarantined[0];
        var oneRun = await ReplayAsync(client, [one]);
        Assert.Equal(1, await Sandbox.HubSpot.CountAsync("deals"));
        Assert.NotNull(await Sandbox.HubSpot.FindByPropertyAsync("deals", "ivvy_booking_id", one.SourceId));
        var left = await QuarantinedAsync(client);
        Assert.Equal(quarantined.Count - 1, left.Count);
        Assert.DoesNotContain(one, left);

        // The run's detail counts per stream what it read and wrote: the one record.
        var detail = (await client.GetFromJsonAsync<JsonObject>(new Uri($"/api/runs/{oneRun}", UriKind.Relative)))!;
        Assert.True((bool)detail["replay"]!);
        var stream = detail["streams"]!.AsArray().Single(s => (string?)s!["stream"] == one.Stream)!;
        Assert.Equal(1, (long)stream["counters"]!["read"]!);
        Assert.Equal(1, (long)stream["counters"]!["created"]!);
        Assert.Equal(0, (long)stream["counters"]!["quarantined"]!);

        var selected = new[] { quarantined[1], quarantined[3] };
        await ReplayAsync(client, selected);
        Assert.Equal(3, await Sandbox.HubSpot.CountAsync("deals"));
        foreach (var record in selected)
        {
            Assert.NotNull(await Sandbox.HubSpot.FindByPropertyAsync("deals", "ivvy_booking_id", record.SourceId));
        }

        Assert.Null(await Sandbox.HubSpot.FindByPropertyAsync("deals", "ivvy_booking_id", quarantined[2].SourceId));
        Assert.Equal(quarantined.Except([one, .. selected]).Order(), (await QuarantinedAsync(client)).Order());

        // A record no longer quarantined cannot be replayed: 404 naming it, and no run starts.
        var again = await client.PostAsJsonAsync(new Uri("/api/quarantine/replay", UriKind.Relative),
            new { module = "bookings", records = new[] { new { stream = one.Stream, sourceId = one.SourceId } } });
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Contains($"{one.Stream}/{one.SourceId}", (string)(await again.Content.ReadFromJsonAsync<JsonObject>())!["message"]!, StringComparison.Ordinal);
        Assert.NotEqual(bookingsRun, oneRun);
    }

    [Fact]
    public async Task RunDetail_HubSpotRefusesToken_FailureHasStageErrorClassAndRemoteMessage()
    {
        using var client = await host.SignInAsync(Roles.Operator);
        using var http = new HttpClient { BaseAddress = Sandbox.HubSpotBaseUrl };
        (await http.PostAsJsonAsync("/__sandbox__/faults", new { status = 401, count = 1_000_000 })).EnsureSuccessStatusCode();
        try
        {
            // Version 1 of companies reads iVvy and writes HubSpot: the refusal comes when it writes.
            var started = await client.PostAsJsonAsync(new Uri("/api/modules/companies/runs", UriKind.Relative), new { dryRun = false, definitionVersion = 1 });
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            var runId = (string)(await started.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!;
            await RunsApiTests.ReadProgressAsync(client, runId);
            var detail = (await client.GetFromJsonAsync<JsonObject>(new Uri($"/api/runs/{runId}", UriKind.Relative)))!;
            Assert.Equal("Failed", (string?)detail["status"]);
            var failure = detail["failure"]!;
            Assert.Equal("upsert", (string?)failure["stage"]);
            Assert.Equal("Config", (string?)failure["errorClass"]);
            Assert.Contains("HubSpot refused the access token", (string)failure["message"]!, StringComparison.Ordinal);
        }
        finally
        {
            (await http.DeleteAsync("/__sandbox__/faults")).EnsureSuccessStatusCode();
        }
    }

    private static async Task<string> ReplayAsync(HttpClient client, IReadOnlyList<Record> records)
    {
        var response = await client.PostAsJsonAsync(new Uri("/api/quarantine/replay", UriKind.Relative),
            new { module = "bookings", records = records.Select(r => new { stream = r.Stream, sourceId = r.SourceId }) });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runId = (string)(await response.Content.ReadFromJsonAsync<JsonObject>())!["runId"]!;
        Assert.Equal("Completed", (string?)(await RunsApiTests.ReadProgressAsync(client, runId))[^1]["status"]);
        return runId;
    }

    private static async Task<List<Record>> QuarantinedAsync(HttpClient client)
    {
        var page = await client.GetFromJsonAsync<JsonObject>(new Uri("/api/quarantine?module=bookings&pageSize=500", UriKind.Relative));
        return page!["items"]!.AsArray().Select(i => new Record((string)i!["stream"]!, (string)i["sourceId"]!)).ToList();
    }

    private sealed record Record(string Stream, string SourceId) : IComparable<Record>
    {
        public int CompareTo(Record? other) => string.CompareOrdinal(Stream + "/" + SourceId, other is null ? null : other.Stream + "/" + other.SourceId);
    }
}
