using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Ivvy;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

/// <summary>Calls the iVvy simulator over real HTTP with the real signing, and lets a test tamper with a request.</summary>
internal sealed class IvvyTestClient(Uri baseUrl, TimeProvider time, string apiKey = "sandbox-key", string apiSecret = "sandbox-secret")
    : IDisposable
{
    private readonly HttpClient _http = new() { BaseAddress = baseUrl };

    public async Task<IvvyResponse> CallAsync(
        string @namespace, string action, string body = "", DateTimeOffset? signedAt = null, Action<HttpRequestMessage>? tamper = null,
        string? secret = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_http.BaseAddress!, $"/api/1.0/{@namespace}?action={action}"));
        IvvySignature.Apply(request, Encoding.UTF8.GetBytes(body), apiKey, secret ?? apiSecret, signedAt ?? time.GetUtcNow());
        tamper?.Invoke(request);
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new IvvyResponse(response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response.Headers.RetryAfter?.Delta);
    }

    public Task<IvvyResponse> CallAsync(string @namespace, string action, JsonObject body) =>
        CallAsync(@namespace, action, body.ToJsonString());

    public async Task<JsonObject> ListAsync(JsonObject body)
    {
        var response = await CallAsync("contact", "getContactList", body);
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Body!.AsObject();
    }

    public async Task<int> AddOrUpdateAsync(JsonObject body)
    {
        var response = await CallAsync("contact", "addOrUpdateContact", body);
        Assert.True(response.Status == HttpStatusCode.OK, response.Body?.ToJsonString());
        Assert.True(response.Body!["success"]!.GetValue<bool>());
        return response.Body["id"]!.GetValue<int>();
    }

    public async Task<JsonObject> GetContactAsync(int id)
    {
        var response = await CallAsync("contact", "getContact", new JsonObject { ["id"] = id });
        Assert.Equal(HttpStatusCode.OK, response.Status);
        return response.Body!.AsObject();
    }

    /// <summary>Calls an action that must succeed and returns its body.</summary>
    public async Task<JsonNode> OkAsync(string @namespace, string action, JsonObject body)
    {
        var response = await CallAsync(@namespace, action, body);
        Assert.True(response.Status == HttpStatusCode.OK, $"{@namespace}.{action}: {(int)response.Status} {response.Body?.ToJsonString()}");
        return response.Body!;
    }

    /// <summary>Reads every page of a collection action (start += count until totalResults) and returns all results.</summary>
    public async Task<List<JsonObject>> AllAsync(string @namespace, string action, JsonObject body)
    {
        var all = new List<JsonObject>();
        for (var start = 0; ; )
        {
            var request = (JsonObject)body.DeepClone();
            request["start"] = start;
            request["perPage"] ??= 100;
            var page = await OkAsync(@namespace, action, request);
            var results = page["results"]!.AsArray();
            all.AddRange(results.Select(r => r!.AsObject()));
            start += results.Count;
            if (results.Count == 0 || start >= page["meta"]!["totalResults"]!.GetValue<int>())
            {
                return all;
            }
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>What the simulator answered.</summary>
internal sealed record IvvyResponse(HttpStatusCode Status, JsonNode? Body, TimeSpan? RetryAfter)
{
    public int? SpecificCode => Body?["specificCode"]?.GetValue<int>();

    public int? ErrorCode => Body?["errorCode"]?.GetValue<int>();
}
