namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>A contact's participation in one marketing event, as <see cref="HubSpotSimulator.ParticipationsAsync"/> reports it.</summary>
/// <param name="ContactId">The contact's record id.</param>
/// <param name="State">The state of the latest interaction by interaction time ("register", "attend" or "cancel").</param>
/// <param name="History">Every distinct interaction, oldest first; a repeated (state, time) is kept once.</param>
public sealed record HubSpotParticipation(string ContactId, string State, IReadOnlyList<HubSpotInteraction> History);
