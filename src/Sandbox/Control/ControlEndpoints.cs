using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IvvyWorkflows.Sandbox.Control;

/// <summary>The generic control API over HTTP, mapped on every simulator's origin.</summary>
/// <remarks>
/// <c>POST /__sandbox__/faults</c> (a <see cref="FaultRule"/> or an array of them), <c>GET</c>/<c>DELETE /__sandbox__/faults</c>,
/// <c>GET</c>/<c>PUT /__sandbox__/latency</c> (<c>{"ms":150}</c>), <c>GET</c>/<c>DELETE /__sandbox__/calls</c>.
/// </remarks>
internal static class ControlEndpoints
{
    public static void MapSimulatorControls(this IEndpointRouteBuilder app, SimulatorControls controls)
    {
        var group = app.MapGroup(EndpointNames.ControlPrefix);

        group.MapPost("/faults", async (HttpContext context) =>
        {
            List<FaultRule> rules;
            try
            {
                var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                rules = node switch
                {
                    JsonArray array => array.Deserialize<List<FaultRule>>(JsonSerializerOptions.Web) ?? [],
                    JsonObject single => [single.Deserialize<FaultRule>(JsonSerializerOptions.Web)!],
                    _ => throw new JsonException("Expected a fault rule object or an array of them."),
                };
                foreach (var rule in rules)
                {
                    rule.Validate();
                }
            }
            catch (Exception e) when (e is JsonException or ArgumentException)
            {
                return Results.BadRequest(new { error = e.Message });
            }

            foreach (var rule in rules)
            {
                controls.ArmFault(rule);
            }

            return Results.Ok(new { armed = controls.ArmedFaults });
        });

        group.MapGet("/faults", () => Results.Ok(new { armed = controls.ArmedFaults }));

        group.MapDelete("/faults", () =>
        {
            controls.ClearFaults();
            return Results.NoContent();
        });

        group.MapGet("/latency", () => Results.Ok(new { ms = (long)controls.Latency.TotalMilliseconds }));

        group.MapPut("/latency", async (HttpContext context) =>
        {
            try
            {
                var node = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                var ms = node?["ms"]?.GetValue<long>() ?? throw new JsonException("Expected {\"ms\": <milliseconds>}.");
                controls.Latency = TimeSpan.FromMilliseconds(ms);
                return Results.Ok(new { ms });
            }
            catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ArgumentException)
            {
                return Results.BadRequest(new { error = e.Message });
            }
        });

        group.MapGet("/calls", () => Results.Ok(controls.Calls));

        group.MapDelete("/calls", () =>
        {
            controls.ResetCalls();
            return Results.NoContent();
        });
    }
}
