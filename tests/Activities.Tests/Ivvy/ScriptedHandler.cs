using System.Net;
using System.Text;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

/// <summary>Answers requests from a script of responders, recording each request and its body.</summary>
internal sealed class ScriptedHandler : HttpMessageHandler
{
    private readonly Queue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _script = new();

    /// <summary>Answer used once the script is exhausted (null: fail the test).</summary>
    public Func<HttpRequestMessage, HttpResponseMessage>? Otherwise { get; set; }

    public List<HttpRequestMessage> Requests { get; } = [];

    public List<byte[]> Bodies { get; } = [];

    public int Calls => Requests.Count;

    public ScriptedHandler Then(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> responder)
    {
        _script.Enqueue(responder);
        return this;
    }

    public ScriptedHandler Then(Func<HttpResponseMessage> response) => Then((_, _) => Task.FromResult(response()));

    public ScriptedHandler ThenJson(HttpStatusCode status, string json, Action<HttpResponseMessage>? configure = null) =>
        Then(() =>
        {
            var response = new HttpResponseMessage(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };
            configure?.Invoke(response);
            return response;
        });

    public ScriptedHandler ThenText(HttpStatusCode status, string text, string mediaType = "text/html") =>
        Then(() => new HttpResponseMessage(status) { Content = new StringContent(text, Encoding.UTF8, mediaType) });

    public ScriptedHandler ThenThrow(Exception exception) => Then((_, _) => Task.FromException<HttpResponseMessage>(exception));

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Requests.Add(request);
        Bodies.Add(request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken));
        if (_script.TryDequeue(out var responder))
        {
            return await responder(request, cancellationToken);
        }

        return Otherwise?.Invoke(request) ?? throw new InvalidOperationException($"Unscripted request #{Requests.Count}.");
    }
}
