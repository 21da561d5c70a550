using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>A marketing event, keyed by (<c>externalAccountId</c>, <c>externalEventId</c>), with each contact's interactions.</summary>
/// <remarks>Not thread-safe: the simulator holds its lock around every use.</remarks>
internal sealed class HubSpotMarketingEvent(long objectId, string accountId, string eventId, DateTimeOffset createdAt)
{
    public long ObjectId { get; } = objectId;

    public string AccountId { get; } = accountId;

    public string EventId { get; } = eventId;

    /// <summary>The event's own fields as last upserted (eventName, eventOrganizer, startDateTime, customProperties…).</summary>
    public JsonObject Fields { get; set; } = [];

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; set; } = createdAt;

    /// <summary>Contact id → its interactions, ordered by time (ties in arrival order).</summary>
    public SortedDictionary<long, List<HubSpotInteraction>> Participations { get; } = [];

    /// <summary>Records an interaction unless the same (state, time) is already there, so a retried call changes nothing.</summary>
    /// <returns>True when the history changed.</returns>
    public bool Record(long contactId, HubSpotInteraction interaction)
    {
        if (!Participations.TryGetValue(contactId, out var history))
        {
            history = [];
            Participations[contactId] = history;
        }

        if (history.Contains(interaction))
        {
            return false;
        }

        // Insert after every interaction at or before this time: a late-arriving older interaction does not become "latest".
        var index = history.FindLastIndex(h => h.At <= interaction.At) + 1;
        history.Insert(index, interaction);
        return true;
    }

    /// <summary>Number of contacts whose latest state is <paramref name="state"/>.</summary>
    public int CountIn(string state) => Participations.Values.Count(h => h.Count > 0 && h[^1].State == state);
}
