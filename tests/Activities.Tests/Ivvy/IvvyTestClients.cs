using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Ivvy;
using IvvyWorkflows.Activities.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

/// <summary>Builds clients over a test handler.</summary>
internal static class IvvyTestClients
{
    public const string ApiKey = "test-key-0123456789";
    public const string ApiSecret = "test-secret-abcdef987654";
    public static readonly DateTimeOffset Now = new(2024, 2, 1, 9, 0, 0, TimeSpan.Zero);

    public static IvvyClientOptions Options(int maxRetries = 0) => new()
    {
        BaseUrl = new Uri("https://api.ap-southeast-2.ivvy.com"),
        ApiKey = ApiKey,
        ApiSecret = ApiSecret,
        RemoteCall = new RemoteCallOptions { MaxRetries = maxRetries, BaseDelay = TimeSpan.FromMilliseconds(1) },
    };

    public static IvvyClient Create(HttpMessageHandler handler, TimeProvider time, IvvyClientOptions? options = null,
        ApiCallMeter? meter = null, ILogger? logger = null) =>
        new(new HttpClient(handler), options ?? Options(), meter ?? new ApiCallMeter(), time, logger ?? NullLogger.Instance);
}
