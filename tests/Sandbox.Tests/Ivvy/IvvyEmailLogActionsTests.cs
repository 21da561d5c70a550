using System.Net;
using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

public sealed class IvvyEmailLogActionsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestSandbox.NewClock();
    private SandboxHost _host = null!;
    private IvvyTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestSandbox.StartAsync(_time, seedCount: 600);
        _client = new IvvyTestClient(_host.IvvyBaseUrl, _time);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task GetEmailLogList_AllPages_OrderedByIdWithSentTimeInOrder()
    {
        var logs = await _client.AllAsync("account", "getEmailLogList", []);

        Assert.Equal(await _host.Ivvy.CountAsync(IvvyEntity.EmailLogs), logs.Count);
        Assert.Equal(300, logs.Count);
        var ids = logs.Select(l => l["id"]!.GetValue<int>()).ToList();
        Assert.Equal(ids.Order(), ids);
        var sent = logs.Select(l => l["sentTime"]!.GetValue<string>()).ToList();
        Assert.Equal(sent.Order(StringComparer.Ordinal), sent);
    }

    [Fact]
    public async Task GetEmailLogList_PerPageAboveCap_IsCapped()
    {
        var page = await _client.OkAsync("account", "getEmailLogList", new JsonObject { ["perPage"] = 250 });

        Assert.Equal(100, page["meta"]!["perPage"]!.GetValue<int>());
        Assert.Equal(100, page["meta"]!["count"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetEmailLogList_Items_HtmlBodiesOfEveryShapeAndDocumentedFields()
    {
        var logs = await _client.AllAsync("account", "getEmailLogList", []);

        Assert.Contains(logs, l => l["body"]!.GetValue<string>().Contains("<script", StringComparison.Ordinal));
        Assert.Contains(logs, l => l["body"]!.GetValue<string>().Contains("<style", StringComparison.Ordinal));
        Assert.Contains(logs, l => l["body"]!.GetValue<string>().Contains("href=\"https://", StringComparison.Ordinal));
        Assert.InRange(logs.Count(l => l["body"]!.GetValue<string>().Length > 200 * 1024), 1, 5);
        Assert.Contains(logs, l => !l["success"]!.GetValue<bool>());
        Assert.All(logs, l =>
        {
            foreach (var field in (string[])["id", "contactId", "userId", "eventId", "type", "refType", "refId", "from", "to", "bcc", "subject", "body", "sentTime", "success"])
            {
                Assert.True(l.ContainsKey(field), field);
            }

            Assert.False(l.ContainsKey("bodyKind"));
            Assert.StartsWith("<!DOCTYPE html>", l["body"]!.GetValue<string>(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task GetEmailLogList_ContactIds_ReferenceExistingContactsAndTheirEmail()
    {
        var logs = (await _client.AllAsync("account", "getEmailLogList", [])).Where(l => l["contactId"] is not null).Take(60);

        foreach (var log in logs)
        {
            var contact = await _host.Ivvy.GetContactAsync(log["contactId"]!.GetValue<int>());
            Assert.NotNull(contact);
            Assert.Equal(contact["email"]!.GetValue<string>(), log["to"]!.GetValue<string>());
        }
    }

    [Fact]
    public async Task GetEmailLogList_IdGreaterThan_IsInclusive()
    {
        var page = await _client.OkAsync("account", "getEmailLogList", new JsonObject { ["filter"] = new JsonObject { ["id__GREATERTHAN"] = 250 } });

        Assert.Equal(51, page["meta"]!["totalResults"]!.GetValue<int>());
        Assert.Equal(250, page["results"]![0]!["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetEmailLogList_SentTimeGreaterThan_IsInclusive()
    {
        var all = await _client.AllAsync("account", "getEmailLogList", []);
        var pivot = all[200]["sentTime"]!.GetValue<string>();

        var since = await _client.AllAsync("account", "getEmailLogList", new JsonObject { ["filter"] = new JsonObject { ["sentTime__GREATERTHAN"] = pivot } });

        Assert.Equal(all.Count(l => string.CompareOrdinal(l["sentTime"]!.GetValue<string>(), pivot) >= 0), since.Count);
        Assert.Contains(since, l => l["id"]!.GetValue<int>() == all[200]["id"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetEmailLogList_UnknownFilter_Is400()
    {
        var response = await _client.CallAsync("account", "getEmailLogList", new JsonObject { ["filter"] = new JsonObject { ["subject__BEGINS"] = "x" } });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
    }
}
