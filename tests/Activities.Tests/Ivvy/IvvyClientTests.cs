using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Ivvy;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

public sealed class IvvyClientTests
{
    private readonly FakeTimeProvider _time = new(IvvyTestClients.Now);

    [Fact]
    public async Task CallAsync_ContactListExample_SendsReferenceBytesAndSignature()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, """{"meta":{"totalResults":0},"results":[]}""");
        var options = IvvyTestClients.Options();
        options.ApiKey = "mykey";
        options.ApiSecret = "mysecret";
        var client = IvvyTestClients.Create(handler, _time, options);
        var body = new JsonObject
        {
            ["perPage"] = 100,
            ["start"] = 0,
            ["filter"] = new JsonObject { ["fromModifiedDate"] = "2024-01-31 13:45:00" },
        };

        await client.CallAsync("contact", "getContactList", body, CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://api.ap-southeast-2.ivvy.com/api/1.0/contact?action=getContactList", request.RequestUri!.ToString());
        Assert.Equal("""{"perPage":100,"start":0,"filter":{"fromModifiedDate":"2024-01-31 13:45:00"}}""",
            Encoding.UTF8.GetString(handler.Bodies.Single()));
        Assert.Equal("d458e81c9a59b34aa9b9d341964ff210", request.Content!.Headers.GetValues("Content-MD5").Single());
        Assert.Equal("2024-02-01 09:00:00", request.Headers.GetValues("IVVY-Date").Single());
        Assert.Equal("IWS mykey:2798b482005bab9038f211e9c576e4b9912100cf", request.Headers.GetValues("X-Api-Authorization").Single());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task CallAsync_NoParameters_SendsEmptyBody(bool emptyObject)
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, """{"ack":"2024-02-01 09:00:00 UTC"}""");
        var client = IvvyTestClients.Create(handler, _time);

        await client.CallAsync("test", "ping", emptyObject ? [] : null, CancellationToken.None);

        Assert.Empty(handler.Bodies.Single());
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", handler.Requests.Single().Content!.Headers.GetValues("Content-MD5").Single());
    }

    [Theory]
    [InlineData("http://127.0.0.1:5123")]
    [InlineData("http://127.0.0.1:5123/")]
    [InlineData("http://127.0.0.1:5123/ignored/path")]
    public async Task CallAsync_BaseUrlForms_PostsToApiPathOnThatHost(string baseUrl)
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, "{}");
        var options = IvvyTestClients.Options();
        options.BaseUrl = new Uri(baseUrl);
        var client = IvvyTestClients.Create(handler, _time, options);

        await client.CallAsync("contact", "getContact", new JsonObject { ["id"] = 1 }, CancellationToken.None);

        Assert.Equal("http://127.0.0.1:5123/api/1.0/contact?action=getContact", handler.Requests.Single().RequestUri!.ToString());
    }

    [Fact]
    public async Task CallAsync_AgainstFakeIvvy_SignatureVerifiesServerSide()
    {
        var api = new FakeIvvyApi(_time, IvvyTestClients.ApiKey, IvvyTestClients.ApiSecret);
        var client = IvvyTestClients.Create(api, _time);

        var response = await client.CallAsync("test", "ping", null, CancellationToken.None);

        Assert.Equal("2024-02-01 09:00:00 UTC", response!["ack"]!.GetValue<string>());
    }

    [Fact]
    public async Task CallAsync_WrongSecret_FakeIvvyRejectsAsConfig()
    {
        var api = new FakeIvvyApi(_time, IvvyTestClients.ApiKey, "another-secret");
        var client = IvvyTestClients.Create(api, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(FailureKind.Config, error.Kind);
    }

    [Fact]
    public async Task CallAsync_EachCall_RecordedInMeterAsIvvyNamespaceAction()
    {
        var handler = new ScriptedHandler { Otherwise = _ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{}") } };
        var meter = new ApiCallMeter();
        var client = IvvyTestClients.Create(handler, _time, meter: meter);

        await client.CallAsync("contact", "getContact", new JsonObject { ["id"] = 1 }, CancellationToken.None);
        await client.CallAsync("contact", "getContact", new JsonObject { ["id"] = 2 }, CancellationToken.None);
        await client.CallAsync("test", "ping", null, CancellationToken.None);

        var calls = meter.Snapshot();
        Assert.Equal(2, calls["ivvy:contact.getContact"]);
        Assert.Equal(1, calls["ivvy:test.ping"]);
    }

    [Fact]
    public async Task CallAsync_EmptySuccessResponse_ReturnsNull()
    {
        var handler = new ScriptedHandler().ThenText(HttpStatusCode.OK, "", "application/json");
        var client = IvvyTestClients.Create(handler, _time);

        Assert.Null(await client.CallAsync("contact", "getContact", new JsonObject { ["id"] = 1 }, CancellationToken.None));
    }

    [Fact]
    public async Task CallAsync_429RetryAfterZeroTwiceThen200_SucceedsAfterThreeCalls()
    {
        var handler = new ScriptedHandler()
            .ThenJson(HttpStatusCode.TooManyRequests, """{"errorCode":429,"message":"Too Many Requests"}""",
                r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero))
            .ThenJson(HttpStatusCode.TooManyRequests, """{"errorCode":429,"message":"Too Many Requests"}""",
                r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero))
            .ThenJson(HttpStatusCode.OK, """{"ack":"2024-02-01 09:00:00 UTC"}""");
        var client = IvvyTestClients.Create(handler, TimeProvider.System, IvvyTestClients.Options(maxRetries: 3));

        var response = await client.CallAsync("test", "ping", null, CancellationToken.None);

        Assert.Equal(3, handler.Calls);
        Assert.NotNull(response!["ack"]);
    }

    [Fact]
    public async Task CallAsync_EachRetry_IsSignedAgainWithFreshDate()
    {
        var handler = new ScriptedHandler()
            .ThenJson(HttpStatusCode.ServiceUnavailable, """{"errorCode":503,"message":"busy"}""",
                r => r.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.Zero))
            .ThenJson(HttpStatusCode.OK, "{}");
        var client = IvvyTestClients.Create(handler, TimeProvider.System, IvvyTestClients.Options(maxRetries: 2));

        await client.CallAsync("test", "ping", null, CancellationToken.None);

        Assert.Equal(2, handler.Calls);
        Assert.All(handler.Requests, r => Assert.Single(r.Headers.GetValues("X-Api-Authorization")));
        Assert.NotSame(handler.Requests[0], handler.Requests[1]);
    }

    [Fact]
    public async Task CallAsync_401_NoRetryConfigNamingApiKey()
    {
        var handler = new ScriptedHandler()
            .ThenJson(HttpStatusCode.Unauthorized, """{"errorCode":401,"message":"Invalid signature","specificCode":23001}""");
        var client = IvvyTestClients.Create(handler, TimeProvider.System, IvvyTestClients.Options(maxRetries: 5));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(1, handler.Calls);
        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.False(error.IsRetryable);
        Assert.Contains("Ivvy:ApiKey", error.Message, StringComparison.Ordinal);
        Assert.Contains("Invalid signature", error.Message, StringComparison.Ordinal);
        Assert.Equal("ivvy", error.Connector);
        Assert.Equal("test.ping", error.Endpoint);
    }

    [Fact]
    public async Task CallAsync_5xxBeyondRetries_ThrowsTransientAfterBoundedAttempts()
    {
        var handler = new ScriptedHandler
        {
            Otherwise = _ => new HttpResponseMessage(HttpStatusCode.BadGateway) { Content = new StringContent("<html>bad gateway</html>") },
        };
        var client = IvvyTestClients.Create(handler, TimeProvider.System, IvvyTestClients.Options(maxRetries: 2));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(3, handler.Calls);
        Assert.Equal(FailureKind.Transient, error.Kind);
    }

    [Fact]
    public async Task CallAsync_HttpRequestExceptionTwiceThenSuccess_Retries()
    {
        var handler = new ScriptedHandler()
            .ThenThrow(new HttpRequestException("connection reset"))
            .ThenThrow(new HttpRequestException("connection reset"))
            .ThenJson(HttpStatusCode.OK, "{}");
        var client = IvvyTestClients.Create(handler, TimeProvider.System, IvvyTestClients.Options(maxRetries: 3));

        await client.CallAsync("test", "ping", null, CancellationToken.None);

        Assert.Equal(3, handler.Calls);
    }

    [Fact]
    public async Task CallAsync_HttpRequestException_Transient()
    {
        var handler = new ScriptedHandler().ThenThrow(new HttpRequestException("No such host is known"));
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(FailureKind.Transient, error.Kind);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task CallAsync_HttpClientTimeout_Transient()
    {
        var handler = new ScriptedHandler().ThenThrow(new TaskCanceledException("timeout", new TimeoutException()));
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(FailureKind.Transient, error.Kind);
    }

    [Fact]
    public async Task CallAsync_AttemptTimeoutElapses_Transient()
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var handler = new ScriptedHandler().Then(async (_, token) =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, token);
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var options = IvvyTestClients.Options();
        options.RemoteCall.AttemptTimeout = TimeSpan.FromSeconds(5);
        var client = IvvyTestClients.Create(handler, _time, options);

        var call = client.CallAsync("test", "ping", null, CancellationToken.None);
        await entered.Task;
        _time.Advance(TimeSpan.FromSeconds(6));
        var error = await Assert.ThrowsAsync<ConnectorException>(() => call);

        Assert.Equal(FailureKind.Transient, error.Kind);
        Assert.Contains("did not answer", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAsync_CallerCancels_ThrowsOperationCanceled()
    {
        using var cancellation = new CancellationTokenSource();
        var handler = new ScriptedHandler().Then(async (_, token) =>
        {
            await cancellation.CancelAsync();
            token.ThrowIfCancellationRequested();
            return new HttpResponseMessage(HttpStatusCode.OK);
        });
        var client = IvvyTestClients.Create(handler, _time, IvvyTestClients.Options(maxRetries: 3));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.CallAsync("test", "ping", null, cancellation.Token));
        Assert.Equal(1, handler.Calls);
    }

    [Theory]
    [InlineData("\"2024-02-01 09:00:00 UTC\"")]
    [InlineData("\"2024-02-01 09:00:00\"")]
    [InlineData("\"2024-02-01T09:00:00Z\"")]
    [InlineData("\"1706778000\"")]
    [InlineData("1706778000")]
    public async Task PingAsync_AckForms_ReturnsServerTime(string ack)
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, $$"""{"ack":{{ack}}}""");
        var client = IvvyTestClients.Create(handler, _time);

        var serverTime = await client.PingAsync(CancellationToken.None);

        Assert.Equal(new DateTimeOffset(2024, 2, 1, 9, 0, 0, TimeSpan.Zero), serverTime);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"ack":"later"}""")]
    [InlineData("""{"ack":null}""")]
    [InlineData("[]")]
    public async Task PingAsync_NoReadableAck_ThrowsSystem(string json)
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, json);
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.PingAsync(CancellationToken.None));

        Assert.Equal(FailureKind.System, error.Kind);
    }

    [Fact]
    public async Task GetListAsync_Collection_ParsesMetaAndDetachedResults()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK,
            """{"meta":{"totalResults":345,"start":2,"perPage":2,"count":2},"results":[{"id":1,"a":"x"},{"id":"2"}]}""");
        var client = IvvyTestClients.Create(handler, _time);

        var page = await client.GetListAsync("event", "getInvitedContactList", 2, 2,
            new JsonObject { ["eventId"] = 7 }, CancellationToken.None);

        Assert.Equal(345, page.TotalResults);
        Assert.Equal(2, page.Start);
        Assert.Equal(2, page.Count);
        Assert.Equal(["1", "2"], page.Results.Select(IvvyClient.IdOf));
        Assert.All(page.Results, r => Assert.Null(r.Parent));
        _ = new JsonArray(page.Results.ToArray<JsonNode>());
        Assert.Equal("""{"perPage":2,"start":2,"filter":{"eventId":7}}""", Encoding.UTF8.GetString(handler.Bodies.Single()));
    }

    [Fact]
    public async Task GetListAsync_NoFilter_OmitsFilterKey()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, """{"meta":{"totalResults":0},"results":[]}""");
        var client = IvvyTestClients.Create(handler, _time);

        var page = await client.GetListAsync("contact", "getContactList", 0, 100, null, CancellationToken.None);

        Assert.Equal("""{"perPage":100,"start":0}""", Encoding.UTF8.GetString(handler.Bodies.Single()));
        Assert.Empty(page.Results);
        Assert.Equal(0, page.TotalResults);
    }

    [Fact]
    public async Task GetListAsync_BareArray_OnePageHoldingAll()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, """[{"id":1,"groupName":"A"},{"id":2,"groupName":"B"}]""");
        var client = IvvyTestClients.Create(handler, _time);

        var page = await client.GetListAsync("contact", "getSubscriptionGroupList", 0, 100, null, CancellationToken.None);

        Assert.Equal(2, page.TotalResults);
        Assert.Equal(2, page.Count);
    }

    [Theory]
    [InlineData("""{"meta":{"totalResults":1}}""")]
    [InlineData("""{"results":[1,2]}""")]
    [InlineData("\"text\"")]
    public async Task GetListAsync_UnexpectedShape_ThrowsSystem(string json)
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, json);
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(
            () => client.GetListAsync("contact", "getContactList", 0, 100, null, CancellationToken.None));

        Assert.Equal(FailureKind.System, error.Kind);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public async Task GetListAsync_PerPageOutOfRange_Throws(int perPage)
    {
        var client = IvvyTestClients.Create(new ScriptedHandler(), _time);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => client.GetListAsync("contact", "getContactList", 0, perPage, null, CancellationToken.None));
    }

    [Theory]
    [InlineData("""{"success":true,"id":1618}""", "1618")]
    [InlineData("""{"id":33884}""", "33884")]
    [InlineData("""{"success":true,"id":"25146"}""", "25146")]
    [InlineData("""{"success":true}""", "7")]
    public async Task AddOrUpdateAsync_SuccessForms_ReturnsId(string json, string expectedId)
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, json);
        var client = IvvyTestClients.Create(handler, _time);

        var result = await client.AddOrUpdateAsync("contact", "addOrUpdateContact",
            new JsonObject { ["id"] = 7, ["firstName"] = "Bob" }, CancellationToken.None);

        Assert.Equal(expectedId, result.Id);
    }

    [Theory]
    [InlineData("""{"success":false,"message":"Email is not valid"}""")]
    [InlineData("""{"success":0,"id":5,"message":"Email is not valid"}""")]
    [InlineData("""{"success":"false","message":"Email is not valid"}""")]
    public async Task AddOrUpdateAsync_SuccessFalse_ThrowsDataWithMessage(string json)
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, json);
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.AddOrUpdateAsync("contact", "addOrUpdateContact",
            new JsonObject { ["firstName"] = "Bob" }, CancellationToken.None));

        Assert.Equal(FailureKind.Data, error.Kind);
        Assert.Contains("Email is not valid", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddOrUpdateAsync_NoIdAnywhere_ThrowsSystem()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK, """{"success":true}""");
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.AddOrUpdateAsync("contact", "addOrUpdateContact",
            new JsonObject { ["firstName"] = "Bob" }, CancellationToken.None));

        Assert.Equal(FailureKind.System, error.Kind);
    }

    [Theory]
    [InlineData("""{"id":42}""", "42")]
    [InlineData("""{"id":"42"}""", "42")]
    [InlineData("""{"id":" 42 "}""", "42")]
    [InlineData("""{"id":42.0}""", "42")]
    [InlineData("""{"id":9007199254740993}""", "9007199254740993")]
    public void IdOf_NumberOrString_ReturnsText(string json, string expected) =>
        Assert.Equal(expected, IvvyClient.IdOf(JsonNode.Parse(json)!.AsObject()));

    [Fact]
    public void IdOf_IdsBuiltInCode_ReturnsText()
    {
        Assert.Equal("7", IvvyClient.IdOf(new JsonObject { ["id"] = 7 }));
        Assert.Equal("8", IvvyClient.IdOf(new JsonObject { ["id"] = 8L }));
        Assert.Equal("9", IvvyClient.IdOf(new JsonObject { ["id"] = 9.0m }));
        Assert.Equal("10", IvvyClient.IdOf(new JsonObject { ["id"] = "10" }));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"id":null}""")]
    [InlineData("""{"id":""}""")]
    [InlineData("""{"id":{"x":1}}""")]
    [InlineData("""{"id":1.5}""")]
    public void IdOf_NoUsableId_ThrowsFormatException(string json) =>
        Assert.Throws<FormatException>(() => IvvyClient.IdOf(JsonNode.Parse(json)!.AsObject()));

    [Fact]
    public void Constructor_InvalidOptions_ThrowsWithoutSecret()
    {
        var options = IvvyTestClients.Options();
        options.PerPage = 500;

        var error = Assert.Throws<System.ComponentModel.DataAnnotations.ValidationException>(
            () => new IvvyClient(new HttpClient(), options, new ApiCallMeter(), _time, NullLogger.Instance));

        Assert.Contains("PerPage", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(IvvyTestClients.ApiSecret, error.ToString(), StringComparison.Ordinal);
    }
}
