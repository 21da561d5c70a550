using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.HubSpot;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IvvyWorkflows.Sandbox.Tests.HubSpot;

/// <summary>A HubSpot simulator on a free loopback port, built the way the sandbox host builds its apps, plus a raw HTTP caller.</summary>
internal sealed class HubSpotTestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private HubSpotTestServer(HubSpotSimulator simulator, WebApplication app, Uri baseUrl)
    {
        Simulator = simulator;
        _app = app;
        BaseUrl = baseUrl;
        Http = new HttpClient { BaseAddress = baseUrl };
    }

    public HubSpotSimulator Simulator { get; }

    public Uri BaseUrl { get; }

    public HttpClient Http { get; }

    public static async Task<HubSpotTestServer> StartAsync(HubSpotSimulatorOptions? options = null, TimeProvider? time = null,
        string? dataDirectory = null)
    {
        var simulator = new HubSpotSimulator(options ?? new HubSpotSimulatorOptions(), dataDirectory, time ?? TimeProvider.System);
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        builder.Services.AddRoutingCore();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        simulator.MapEndpoints(app);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new HubSpotTestServer(simulator, app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>Sends a request with the sandbox token (or <paramref name="token"/>; "" sends none).</summary>
    public async Task<Answer> SendAsync(HttpMethod method, string path, JsonNode? body = null, string? token = null)
    {
        using var request = new HttpRequestMessage(method, path.TrimStart('/'));
        token ??= Simulator.Options.AccessToken;
        if (token.Length > 0)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await Http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        var headers = response.Headers.ToDictionary(h => h.Key, h => string.Join(",", h.Value), StringComparer.OrdinalIgnoreCase);
        return new Answer((int)response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), headers);
    }

    public Task<Answer> PostAsync(string path, JsonNode body, string? token = null) => SendAsync(HttpMethod.Post, path, body, token);

    public Task<Answer> GetAsync(string path, string? token = null) => SendAsync(HttpMethod.Get, path, null, token);

    /// <summary>Upserts contacts by email: each item is (email, extra properties).</summary>
    public Task<Answer> UpsertContactsByEmailAsync(params (string Email, JsonObject? Properties)[] contacts) =>
        PostAsync("crm/v3/objects/contacts/batch/upsert", new JsonObject
        {
            ["inputs"] = new JsonArray(contacts.Select(c => (JsonNode?)new JsonObject
            {
                ["id"] = c.Email,
                ["idProperty"] = "email",
                ["properties"] = c.Properties?.DeepClone() ?? new JsonObject(),
            }).ToArray()),
        });

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await Simulator.DisposeAsync();
    }

    internal sealed record Answer(int Status, JsonNode? Body, IReadOnlyDictionary<string, string> Headers)
    {
        public string? Text(string path)
        {
            JsonNode? node = Body;
            foreach (var part in path.Split('.'))
            {
                node = int.TryParse(part, out var index) ? (node as JsonArray)?[index] : node?[part];
            }

            return node switch
            {
                null => null,
                JsonValue value => value.ToString(),
                _ => node.ToJsonString(),
            };
        }
    }
}
