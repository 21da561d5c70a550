using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.Tests.HubSpot;

/// <summary>Answers each request with a responder function, recording every request's URI and body.</summary>
internal sealed class ScriptedHubSpotHandler(Func<HttpRequestMessage, JsonNode?, int, HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<(HttpMethod Method, Uri Uri, JsonNode? Body, string? Authorization)> Requests { get; } = [];

    public int Calls => Requests.Count;

    public static HttpResponseMessage Json(int status, JsonNode body, string? retryAfter = null)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (retryAfter is not null)
        {
            response.Headers.TryAddWithoutValidation("Retry-After", retryAfter);
        }

        return response;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var text = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        var body = string.IsNullOrEmpty(text) ? null : JsonNode.Parse(text);
        Requests.Add((request.Method, request.RequestUri!, body, request.Headers.Authorization?.ToString()));
        return respond(request, body, Requests.Count);
    }
}
