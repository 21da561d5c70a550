namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>A CRM list (<c>/crm/v3/lists</c>) with its members; names are unique across lists.</summary>
/// <remarks>Not thread-safe: the simulator holds its lock around every use.</remarks>
internal sealed class HubSpotList(long listId, string name, string objectTypeId, string processingType, DateTimeOffset createdAt)
{
    public long ListId { get; } = listId;

    public string Name { get; set; } = name;

    public string ObjectTypeId { get; } = objectTypeId;

    public string ProcessingType { get; } = processingType;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public DateTimeOffset UpdatedAt { get; set; } = createdAt;

    /// <summary>Record id → when it joined, in record-id order (the order memberships are paged in).</summary>
    public SortedDictionary<long, DateTimeOffset> Members { get; } = [];
}
