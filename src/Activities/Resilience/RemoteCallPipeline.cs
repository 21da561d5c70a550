using IvvyWorkflows.Activities.Connectors;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace IvvyWorkflows.Activities.Resilience;

/// <summary>The one Polly pipeline every connector call runs through: retry what <see cref="ConnectorException.IsRetryable"/>
/// says can succeed later, honour Retry-After up to a bound, and time out each attempt.</summary>
public static class RemoteCallPipeline
{
    public static ResiliencePipeline Create(RemoteCallOptions options, TimeProvider? timeProvider = null)
    {
        var builder = new ResiliencePipelineBuilder();
        if (timeProvider is not null)
        {
            builder.TimeProvider = timeProvider;
        }

        return builder
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(1, options.MaxRetries),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && args.Outcome.Exception switch
                {
                    ConnectorException e => e.IsRetryable && (e.RetryAfter is null || e.RetryAfter <= options.MaxRetryAfter),
                    TimeoutRejectedException => true,
                    _ => false,
                }),
                DelayGenerator = args => ValueTask.FromResult(
                    args.Outcome.Exception is ConnectorException { RetryAfter: { } retryAfter } ? retryAfter : (TimeSpan?)null),
            })
            .AddTimeout(options.AttemptTimeout)
            .Build();
    }
}
