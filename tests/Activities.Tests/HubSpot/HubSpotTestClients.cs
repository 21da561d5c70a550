using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;
using IvvyWorkflows.Activities.Resilience;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Activities.Tests.HubSpot;

/// <summary>Options and clients for tests.</summary>
internal static class HubSpotTestClients
{
    public const string Token = "pat-test-0123456789abcdef";

    public static HubSpotClientOptions Options(Uri? baseUrl = null, string token = Token, int maxRetries = 2) => new()
    {
        BaseUrl = baseUrl ?? new Uri("https://api.hubapi.com"),
        AccessToken = token,
        // Attempts must not time out while a test advances the fake clock through a retry wait.
        RemoteCall = new RemoteCallOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.FromMilliseconds(1), AttemptTimeout = TimeSpan.FromMinutes(10) },
        // Unpaced: the limits under test are the simulator's (a pacer would wait on a fake clock nobody moves).
        RateLimit = new RateLimitOptions(),
    };

    public static HubSpotClient Create(HttpMessageHandler handler, TimeProvider time, HubSpotClientOptions? options = null,
        ApiCallMeter? meter = null, Microsoft.Extensions.Logging.ILogger? logger = null) =>
        new(new HttpClient(handler), options ?? Options(), meter ?? new ApiCallMeter(), time, logger ?? NullLogger.Instance);

    /// <summary>Runs <paramref name="action"/>, advancing the fake clock while it waits (e.g. for a Retry-After).</summary>
    public static async Task<T> DriveAsync<T>(FakeTimeProvider time, Func<Task<T>> action)
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
