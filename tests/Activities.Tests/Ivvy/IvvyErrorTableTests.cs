using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

public sealed class IvvyErrorTableTests
{
    /// <summary>A specificCode no row names, so a row without one is reached.</summary>
    private const int UnlistedSpecificCode = 99999;

    private readonly FakeTimeProvider _time = new(IvvyTestClients.Now);

    public static TheoryData<int> RuleIndexes()
    {
        var data = new TheoryData<int>();
        for (var i = 0; i < IvvyErrorTable.Rules.Count; i++)
        {
            data.Add(i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(RuleIndexes))]
    public async Task CallAsync_EachDeclaredRule_ClassifiedAsDeclared(int index)
    {
        var rule = IvvyErrorTable.Rules[index];
        var (status, specificCode) = ResponseMatching(rule);
        Assert.Same(rule, IvvyErrorTable.Find(status, specificCode));

        var recordError = await FailingCall(rule, status, specificCode, "contact", "getContact");
        var listError = await FailingCall(rule, status, specificCode, "contact", "getContactList");

        Assert.Equal(rule.RecordCallKind, recordError.Kind);
        Assert.Equal(rule.OtherCallKind, listError.Kind);
        Assert.Equal((HttpStatusCode)status, recordError.Status);
        Assert.Contains(rule.Advice, recordError.Message, StringComparison.Ordinal);
        if (!rule.OnlyWithoutSpecificCode)
        {
            Assert.Equal(specificCode?.ToString(CultureInfo.InvariantCulture), recordError.RemoteCode);
            Assert.Contains("remote text here", recordError.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData(401, null, FailureKind.Config)]
    [InlineData(401, 23005, FailureKind.Config)]
    [InlineData(403, null, FailureKind.Config)]
    [InlineData(462, null, FailureKind.Config)]
    [InlineData(463, null, FailureKind.Config)]
    [InlineData(501, null, FailureKind.Config)]
    [InlineData(429, null, FailureKind.RateLimited)]
    [InlineData(460, null, FailureKind.Transient)]
    [InlineData(461, null, FailureKind.Transient)]
    [InlineData(500, null, FailureKind.Transient)]
    [InlineData(502, null, FailureKind.Transient)]
    [InlineData(503, null, FailureKind.Transient)]
    [InlineData(504, null, FailureKind.Transient)]
    [InlineData(400, 23016, FailureKind.Data)]
    [InlineData(400, 23017, FailureKind.Data)]
    [InlineData(404, 24096, FailureKind.Data)]
    [InlineData(400, 24096, FailureKind.Data)]
    [InlineData(405, 1, FailureKind.Data)]
    [InlineData(406, 1, FailureKind.Data)]
    [InlineData(404, null, FailureKind.Config)]
    [InlineData(418, null, FailureKind.System)]
    [InlineData(507, null, FailureKind.Transient)]
    public void Classify_RecordCall_MatchesBrief(int code, int? specificCode, FailureKind expected) =>
        Assert.Equal(expected, IvvyErrorTable.Classify(code, specificCode, recordCall: true).Kind);

    [Theory]
    [InlineData(400, 23016, FailureKind.System)]
    [InlineData(400, null, FailureKind.System)]
    [InlineData(404, 24206, FailureKind.System)]
    [InlineData(404, null, FailureKind.Config)]
    public void Classify_ListCall_NotBlamedOnARecord(int code, int? specificCode, FailureKind expected) =>
        Assert.Equal(expected, IvvyErrorTable.Classify(code, specificCode, recordCall: false).Kind);

    [Theory]
    [InlineData(401, "Ivvy:ApiKey")]
    [InlineData(401, "Ivvy:ApiSecret")]
    [InlineData(401, "Ivvy:BaseUrl")]
    [InlineData(463, "Ivvy:ApiKey")]
    [InlineData(404, "Ivvy:BaseUrl")]
    public void Classify_ConfigRows_NameTheSettingToFix(int code, string setting) =>
        Assert.Contains(setting, IvvyErrorTable.Classify(code, null, recordCall: false).Advice, StringComparison.Ordinal);

    [Fact]
    public void Classify_StaleRequest_TellsToCheckClock() =>
        Assert.Contains("clock", IvvyErrorTable.Classify(401, 23005, recordCall: false).Advice, StringComparison.Ordinal);

    [Theory]
    [InlineData("getContact", true)]
    [InlineData("addOrUpdateContact", true)]
    [InlineData("addContactsToSubscriptionGroup", true)]
    [InlineData("removeContactsFromSubscriptionGroup", true)]
    [InlineData("getContactList", false)]
    [InlineData("getEmailLogList", false)]
    [InlineData("ping", false)]
    [InlineData("run", false)]
    public void IsRecordCall_Actions_PerRecordOnly(string action, bool expected) =>
        Assert.Equal(expected, IvvyErrorTable.IsRecordCall(action));

    [Fact]
    public async Task CallAsync_RetryAfterSeconds_Parsed()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.TooManyRequests, """{"errorCode":429,"message":"slow down"}""",
            r => r.Headers.TryAddWithoutValidation("Retry-After", "7"));
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(FailureKind.RateLimited, error.Kind);
        Assert.Equal(TimeSpan.FromSeconds(7), error.RetryAfter);
    }

    [Fact]
    public async Task CallAsync_RetryAfterHttpDate_ParsedAgainstClock()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.TooManyRequests, """{"errorCode":429,"message":"slow down"}""",
            r => r.Headers.RetryAfter = new RetryConditionHeaderValue(IvvyTestClients.Now.AddSeconds(30)));
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(TimeSpan.FromSeconds(30), error.RetryAfter);
    }

    [Fact]
    public async Task CallAsync_RetryAfterDateInPast_Zero()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.TooManyRequests, """{"errorCode":429,"message":"slow down"}""",
            r => r.Headers.RetryAfter = new RetryConditionHeaderValue(IvvyTestClients.Now.AddSeconds(-30)));
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(TimeSpan.Zero, error.RetryAfter);
    }

    [Fact]
    public async Task CallAsync_429WithoutRetryAfter_RateLimitedWithNoDelay()
    {
        var handler = new ScriptedHandler().ThenText(HttpStatusCode.TooManyRequests, "Too Many Requests", "text/plain");
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(FailureKind.RateLimited, error.Kind);
        Assert.Null(error.RetryAfter);
    }

    [Fact]
    public async Task CallAsync_RetryAfterAboveBound_NotRetried()
    {
        var handler = new ScriptedHandler
        {
            Otherwise = _ =>
            {
                var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests) { Content = new StringContent("{\"errorCode\":429}") };
                response.Headers.TryAddWithoutValidation("Retry-After", "3600");
                return response;
            },
        };
        var client = IvvyTestClients.Create(handler, TimeProvider.System, IvvyTestClients.Options(maxRetries: 5));

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(1, handler.Calls);
        Assert.Equal(TimeSpan.FromHours(1), error.RetryAfter);
    }

    [Fact]
    public async Task CallAsync_200WithAuthErrorEnvelope_ThrowsConfig()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK,
            """{"errorCode":401,"message":"Request is stale","specificCode":23005}""");
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.Equal("23005", error.RemoteCode);
        Assert.Equal(HttpStatusCode.Unauthorized, error.Status);
        Assert.Contains("clock", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAsync_200WithValidationEnvelopeOnWrite_ThrowsDataWithAdditionalMessages()
    {
        var handler = new ScriptedHandler().ThenJson(HttpStatusCode.OK,
            """{"errorCode":400,"message":"'phone' does not validate","specificCode":23016,"additionalMessages":["Value must be a whole number"]}""");
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.AddOrUpdateAsync("contact", "addOrUpdateContact",
            new JsonObject { ["firstName"] = "Bob" }, CancellationToken.None));

        Assert.Equal(FailureKind.Data, error.Kind);
        Assert.Equal("23016", error.RemoteCode);
        Assert.Contains("'phone' does not validate", error.Message, StringComparison.Ordinal);
        Assert.Contains("Value must be a whole number", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAsync_5xxNotJson_TransientWithSnippet()
    {
        var handler = new ScriptedHandler().ThenText(HttpStatusCode.BadGateway, "<html><body>502 Bad Gateway (nginx)</body></html>");
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(
            () => client.GetListAsync("contact", "getContactList", 0, 100, null, CancellationToken.None));

        Assert.Equal(FailureKind.Transient, error.Kind);
        Assert.Contains("502 Bad Gateway (nginx)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAsync_200NotJson_SystemWithSnippet()
    {
        var handler = new ScriptedHandler().ThenText(HttpStatusCode.OK, "<html>Maintenance page</html>");
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.Equal(FailureKind.System, error.Kind);
        Assert.Contains("Maintenance page", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAsync_404NotJson_ConfigNamingBaseUrl()
    {
        var handler = new ScriptedHandler().ThenText(HttpStatusCode.NotFound, "<html>Not Found</html>");
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(
            () => client.CallAsync("contact", "getContact", new JsonObject { ["id"] = 1 }, CancellationToken.None));

        Assert.Equal(FailureKind.Config, error.Kind);
        Assert.Contains("Ivvy:BaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallAsync_LongNonJsonBody_SnippetIsBounded()
    {
        var handler = new ScriptedHandler().ThenText(HttpStatusCode.OK, new string('x', 10_000));
        var client = IvvyTestClients.Create(handler, _time);

        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None));

        Assert.True(error.Message.Length < 500, $"message length {error.Message.Length}");
    }

    [Fact]
    public async Task CallAsync_RemoteEchoesCredentials_NeverInExceptionOrLogs()
    {
        var echo = $"Bad signature for key {IvvyTestClients.ApiKey} with secret {IvvyTestClients.ApiSecret}";
        var logger = new CapturingLogger();
        var handler = new ScriptedHandler()
            .ThenJson(HttpStatusCode.Unauthorized, new JsonObject { ["errorCode"] = 401, ["message"] = echo }.ToJsonString())
            .ThenText(HttpStatusCode.BadGateway, echo)
            .ThenText(HttpStatusCode.OK, echo)
            .ThenThrow(new HttpRequestException(echo))
            .ThenJson(HttpStatusCode.OK, new JsonObject { ["success"] = false, ["message"] = echo }.ToJsonString());
        var client = IvvyTestClients.Create(handler, _time, logger: logger);

        var errors = new List<ConnectorException>();
        for (var i = 0; i < 4; i++)
        {
            errors.Add(await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync("test", "ping", null, CancellationToken.None)));
        }

        errors.Add(await Assert.ThrowsAsync<ConnectorException>(() => client.AddOrUpdateAsync("contact", "addOrUpdateContact",
            new JsonObject { ["id"] = 1 }, CancellationToken.None)));

        Assert.All(errors, e =>
        {
            Assert.DoesNotContain(IvvyTestClients.ApiSecret, e.Message, StringComparison.Ordinal);
            Assert.DoesNotContain(IvvyTestClients.ApiKey, e.Message, StringComparison.Ordinal);
            Assert.Contains("Bad signature for key ***", e.Message, StringComparison.Ordinal);
        });
        Assert.NotEmpty(logger.Lines);
        Assert.All(logger.Lines, line => Assert.DoesNotContain(IvvyTestClients.ApiSecret, line, StringComparison.Ordinal));
    }

    private static (int Status, int? SpecificCode) ResponseMatching(IvvyErrorRule rule)
    {
        var status = rule.ErrorCode ?? 400;
        int? specificCode = rule.OnlyWithoutSpecificCode ? null : rule.SpecificCode ?? UnlistedSpecificCode;
        return (status, specificCode);
    }

    private async Task<ConnectorException> FailingCall(IvvyErrorRule rule, int status, int? specificCode, string ns, string action)
    {
        var envelope = new JsonObject { ["errorCode"] = status, ["message"] = "remote text here" };
        if (specificCode is not null)
        {
            envelope["specificCode"] = specificCode;
        }

        var handler = new ScriptedHandler();
        if (rule.OnlyWithoutSpecificCode)
        {
            handler.ThenText((HttpStatusCode)status, "<html>not the API</html>");
        }
        else
        {
            handler.ThenJson((HttpStatusCode)status, envelope.ToJsonString());
        }

        var client = IvvyTestClients.Create(handler, _time);
        var body = new JsonObject { ["id"] = 1 };
        var error = await Assert.ThrowsAsync<ConnectorException>(() => client.CallAsync(ns, action, body, CancellationToken.None));
        Assert.Equal(1, handler.Calls);
        return error;
    }
}
