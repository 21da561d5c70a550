namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>One marketing-event interaction of a contact: the subscriber state it recorded and when it happened.</summary>
/// <param name="State">"register", "attend" or "cancel".</param>
/// <param name="At">The interaction's time as the client gave it (<c>interactionDateTime</c>).</param>
public sealed record HubSpotInteraction(string State, DateTimeOffset At);
