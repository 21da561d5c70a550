using IvvyWorkflows.Engine.Service;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IvvyWorkflows.Designer.Health;

/// <summary>/readyz: the durable engine's storage answers, the state store answers, and each remote runs call is
/// reachable (any HTTP answer counts: no credentials are sent, so none can leak).</summary>
public sealed class ReadinessCheck(SyncEnvironmentProvider environments, IHttpClientFactory http) : IHealthCheck
{
    public const string HttpClientName = "readiness";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (environments.Current is not { } env)
        {
            return HealthCheckResult.Unhealthy("starting: the durable engine and the connections are not up yet");
        }

        var data = new Dictionary<string, object>();
        var failures = new List<string>();
        async Task Check(string name, Func<Task> probe)
        {
            try
            {
                await probe();
                data[name] = "ok";
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                data[name] = e.Message;
                failures.Add(name);
            }
        }

        await Check("storage", () => env.Engine.Client.GetInstanceAsync("readyz-probe", cancellationToken));
        await Check("stateStore", () => env.Store.GetRunAsync("readyz-probe"));
        foreach (var (name, url) in env.Remotes)
        {
            await Check(name, async () =>
            {
                using var client = http.CreateClient(HttpClientName);
                using var response = await client.GetAsync(url, cancellationToken);
            });
        }

        return failures.Count == 0
            ? HealthCheckResult.Healthy("ready", data)
            : HealthCheckResult.Unhealthy($"not reachable: {string.Join(", ", failures)}", data: data);
    }
}
