using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Control;
using IvvyWorkflows.Sandbox.Tests.Ivvy;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Control;

public sealed class SimulatorControlsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestSandbox.NewClock();
    private SandboxHost _host = null!;
    private IvvyTestClient _client = null!;
    private HttpClient _http = null!;

    public async Task InitializeAsync()
    {
        _host = await TestSandbox.StartAsync(_time, seedCount: 20);
        _client = new IvvyTestClient(_host.IvvyBaseUrl, _time);
        _http = new HttpClient { BaseAddress = _host.IvvyBaseUrl };
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task ArmFault_429WithRetryAfter_AnswersIvvyEnvelopeAndHeaderOnce()
    {
        _host.IvvyControls.ArmFault(new FaultRule { Status = 429, RetryAfterSeconds = 3, Match = "getContactList" });

        var faulted = await _client.CallAsync("contact", "getContactList", "{}");
        var next = await _client.CallAsync("contact", "getContactList", "{}");

        Assert.Equal(HttpStatusCode.TooManyRequests, faulted.Status);
        Assert.Equal(TimeSpan.FromSeconds(3), faulted.RetryAfter);
        Assert.Equal(429, faulted.ErrorCode);
        Assert.Equal("Too Many Requests", faulted.Body!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.OK, next.Status);
    }

    [Fact]
    public async Task ArmFault_401_AnswersUnauthorizedUntilUsedUp()
    {
        _host.IvvyControls.ArmFault(new FaultRule { Status = 401, Count = 2 });

        var first = await _client.CallAsync("test", "ping");
        var second = await _client.CallAsync("contact", "getContactList", "{}");
        var third = await _client.CallAsync("test", "ping");

        Assert.Equal(HttpStatusCode.Unauthorized, first.Status);
        Assert.Equal(401, first.ErrorCode);
        Assert.Equal("Unauthorized", first.Body!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.Unauthorized, second.Status);
        Assert.Equal(HttpStatusCode.OK, third.Status);
    }

    [Fact]
    public async Task ArmFault_WithoutRetryAfter_SendsNoHeader()
    {
        _host.IvvyControls.ArmFault(new FaultRule { Status = 503 });

        var faulted = await _client.CallAsync("test", "ping");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, faulted.Status);
        Assert.Null(faulted.RetryAfter);
        Assert.Equal(503, faulted.ErrorCode);
    }

    [Fact]
    public async Task ArmFault_AfterCallsAndCount_SkipsThenFailsThenDisarms()
    {
        _host.IvvyControls.ArmFault(new FaultRule { Status = 500, AfterCalls = 1, Count = 2, Match = "getContactList" });

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await _client.CallAsync("contact", "getContactList", "{}")).Status);
            // Calls that do not match leave the rule's counters alone.
            Assert.Equal(HttpStatusCode.OK, (await _client.CallAsync("test", "ping")).Status);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.InternalServerError, HttpStatusCode.InternalServerError, HttpStatusCode.OK], statuses);
        Assert.Empty(_host.IvvyControls.ArmedFaults);
    }

    [Fact]
    public async Task ArmFault_DropConnection_ClientSeesTransportError()
    {
        _host.IvvyControls.ArmFault(new FaultRule { DropConnection = true, Match = "ping" });

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _client.CallAsync("test", "ping"));
        Assert.Equal(HttpStatusCode.OK, (await _client.CallAsync("test", "ping")).Status);
    }

    [Fact]
    public async Task ArmFault_Delay_CallTakesEffectAndIsAnsweredOnlyWhenTheClockPasses()
    {
        _host.IvvyControls.ArmFault(new FaultRule { DelayMs = 2000, Match = "addOrUpdateContact" });

        var call = _client.CallAsync("contact", "addOrUpdateContact", new JsonObject { ["id"] = 3, ["phone"] = "+61 400 123 456" });
        // The change lands before the answer leaves: poll the simulator's state for it.
        for (var i = 0; i < 500 && (string?)(await _host.Ivvy.GetContactAsync(3))!["phone"] != "+61 400 123 456"; i++)
        {
            await Task.Delay(10);
        }

        Assert.Equal("+61 400 123 456", (string?)(await _host.Ivvy.GetContactAsync(3))!["phone"]);
        Assert.False(call.IsCompleted);
        _time.Advance(TimeSpan.FromSeconds(2));
        var response = await call;

        Assert.Equal(HttpStatusCode.OK, response.Status);
        Assert.Equal(3, response.Body!["id"]!.GetValue<int>());
        Assert.Empty(_host.IvvyControls.ArmedFaults);
    }

    [Theory]
    [InlineData(404, 1, 0)]
    [InlineData(429, 0, 0)]
    [InlineData(429, 1, -1)]
    public void ArmFault_InvalidRule_Throws(int status, int count, int afterCalls)
    {
        Assert.Throws<ArgumentException>(() =>
            _host.IvvyControls.ArmFault(new FaultRule { Status = status, Count = count, AfterCalls = afterCalls }));
    }

    [Fact]
    public async Task ClearFaults_ArmedRules_NoneFire()
    {
        _host.IvvyControls.ArmFault(new FaultRule { Status = 502, Count = 5 });

        _host.IvvyControls.ClearFaults();

        Assert.Equal(HttpStatusCode.OK, (await _client.CallAsync("test", "ping")).Status);
    }

    [Fact]
    public async Task FaultsEndpoint_PostJsonRule_ArmsItAndDeleteDisarms()
    {
        using var armed = await _http.PostAsync(new Uri("/__sandbox__/faults", UriKind.Relative), Json(
            """{"status":504,"retryAfterSeconds":1,"count":2,"match":"ping"}"""));
        var first = await _client.CallAsync("test", "ping");
        using var cleared = await _http.DeleteAsync(new Uri("/__sandbox__/faults", UriKind.Relative));
        var second = await _client.CallAsync("test", "ping");

        Assert.Equal(HttpStatusCode.OK, armed.StatusCode);
        Assert.Equal(HttpStatusCode.GatewayTimeout, first.Status);
        Assert.Equal(TimeSpan.FromSeconds(1), first.RetryAfter);
        Assert.Equal(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.Status);
    }

    [Fact]
    public async Task FaultsEndpoint_InvalidRule_Is400AndArmsNothing()
    {
        using var response = await _http.PostAsync(new Uri("/__sandbox__/faults", UriKind.Relative), Json("""[{"status":418}]"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Empty(_host.IvvyControls.ArmedFaults);
    }

    [Fact]
    public async Task Latency_Set_CallWaitsForTheClock()
    {
        _host.IvvyControls.Latency = TimeSpan.FromMilliseconds(150);

        var call = _client.CallAsync("test", "ping");
        // A call is journaled once its latency timer is set, so it shows when the call is waiting on the clock.
        for (var i = 0; i < 500 && !_host.IvvyControls.Calls.ContainsKey("test.ping"); i++)
        {
            await Task.Delay(10);
        }

        var completedBeforeAdvance = call.IsCompleted;
        _time.Advance(TimeSpan.FromMilliseconds(150));
        var response = await call;

        Assert.False(completedBeforeAdvance);
        Assert.Equal(HttpStatusCode.OK, response.Status);
    }

    [Fact]
    public async Task LatencyEndpoint_Put_SetsLatency()
    {
        using var response = await _http.PutAsync(new Uri("/__sandbox__/latency", UriKind.Relative), Json("""{"ms":150}"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(TimeSpan.FromMilliseconds(150), _host.IvvyControls.Latency);
        Assert.Equal(TimeSpan.Zero, _host.HubSpotControls.Latency);
    }

    [Fact]
    public void Latency_Negative_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _host.IvvyControls.Latency = TimeSpan.FromMilliseconds(-1));
    }

    [Fact]
    public async Task Calls_ApiCalls_CountedPerEndpointIncludingFaultedOnes()
    {
        _host.IvvyControls.ArmFault(new FaultRule { Status = 429, Match = "getContactList" });

        await _client.CallAsync("contact", "getContactList", "{}");
        await _client.CallAsync("contact", "getContactList", "{}");
        await _client.CallAsync("test", "ping");
        using var seed = await _http.GetAsync(new Uri("/__sandbox__/ivvy/state", UriKind.Relative));

        var calls = _host.IvvyControls.Calls;
        Assert.Equal(2, calls["contact.getContactList"]);
        Assert.Equal(1, calls["test.ping"]);
        Assert.Equal(2, calls.Count);
    }

    [Fact]
    public async Task CallsEndpoint_GetThenDelete_ReportsAndResetsJournal()
    {
        await _client.CallAsync("test", "ping");

        var journal = await _http.GetFromJsonAsync<Dictionary<string, long>>(new Uri("/__sandbox__/calls", UriKind.Relative));
        using var reset = await _http.DeleteAsync(new Uri("/__sandbox__/calls", UriKind.Relative));

        Assert.Equal(1, journal!["test.ping"]);
        Assert.Equal(HttpStatusCode.NoContent, reset.StatusCode);
        Assert.Empty(_host.IvvyControls.Calls);
    }

    [Fact]
    public async Task Calls_RestStylePath_NumericSegmentsFolded()
    {
        using var hubSpot = new HttpClient { BaseAddress = _host.HubSpotBaseUrl };

        using var response = await hubSpot.GetAsync(new Uri("/crm/v3/objects/contacts/1000001", UriKind.Relative));

        Assert.Equal(1, _host.HubSpotControls.Calls["GET /crm/v3/objects/contacts/{id}"]);
        Assert.Empty(_host.IvvyControls.Calls);
    }

    [Fact]
    public void TakeFault_RulesInOrder_FirstFiringRuleAnswers()
    {
        var controls = new SimulatorControls(new SilentSimulator());
        controls.ArmFault(new FaultRule { Status = 500, Match = "a" });
        controls.ArmFault(new FaultRule { Status = 503, Match = "ab" });

        Assert.Equal(500, controls.TakeFault("/ab")!.Status);
        Assert.Equal(503, controls.TakeFault("/ab")!.Status);
        Assert.Null(controls.TakeFault("/ab"));
    }

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private sealed class SilentSimulator : ISimulator
    {
        public string Name => "silent";

        public void MapEndpoints(IEndpointRouteBuilder app)
        {
        }

        public (int Status, string Body) FaultResponse(int status, TimeSpan? retryAfter) => (status, new JsonObject().ToJsonString());

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }
}
