using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace IvvyWorkflows.Sandbox.Control;

/// <summary>Applies a simulator's <see cref="SimulatorControls"/> to every API request: journal, latency, faults.</summary>
internal static class SandboxControlMiddleware
{
    /// <summary>Adds the middleware to <paramref name="app"/>; place it before the simulator's endpoints run.</summary>
    public static IApplicationBuilder UseSimulatorControls(this IApplicationBuilder app, SimulatorControls controls, TimeProvider time) =>
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (request.Path.StartsWithSegments(EndpointNames.ControlPrefix, StringComparison.OrdinalIgnoreCase))
            {
                await next(context);
                return;
            }

            // The latency's timer is set before the call is journaled, so whoever sees the call journaled (a test
            // on a fake clock) can advance the clock past it.
            var latency = controls.Latency;
            var wait = latency > TimeSpan.Zero ? Task.Delay(latency, time, context.RequestAborted) : Task.CompletedTask;
            controls.Record(EndpointNames.Of(request));
            await wait;

            var fault = controls.TakeFault(request.Path.Value + request.QueryString.Value);
            if (fault is null)
            {
                await next(context);
                return;
            }

            if (fault.DropConnection)
            {
                context.Abort();
                return;
            }

            if (fault.DelayMs is { } delayMs)
            {
                // Handled now, answered late: what the client then does (time out, retry) meets a call that took effect.
                // The answer's timer is set before the call is handled, so whoever sees its effect (a test on a fake
                // clock) can advance the clock past it.
                var answerAt = Task.Delay(TimeSpan.FromMilliseconds(delayMs), time, context.RequestAborted);
                var answer = context.Response.Body;
                using var held = new MemoryStream();
                context.Response.Body = held;
                try
                {
                    await next(context);
                }
                finally
                {
                    context.Response.Body = answer;
                }

                await answerAt;
                held.Position = 0;
                await held.CopyToAsync(answer, context.RequestAborted);
                return;
            }

            var retryAfter = fault.RetryAfterSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null;
            var (status, body) = controls.Simulator.FaultResponse(fault.Status, retryAfter);
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/json";
            if (fault.RetryAfterSeconds is { } retryAfterSeconds)
            {
                context.Response.Headers.RetryAfter = retryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            }

            await context.Response.WriteAsync(body, context.RequestAborted);
        });
}
