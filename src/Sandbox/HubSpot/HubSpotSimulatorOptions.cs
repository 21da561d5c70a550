using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>Settings of the HubSpot simulator: the token it accepts and every limit it enforces, with HubSpot's defaults.</summary>
/// <remarks>A limit of 0 switches that limit off. Numbers follow crm-apis.md §1 (Professional private app: 190 calls per
/// rolling 10 s, 4 searches per second, 100 inputs per batch, 200 results per search page, 10,000 results per search).</remarks>
public sealed class HubSpotSimulatorOptions
{
    /// <summary>Bearer token the simulator accepts. A public sandbox default, not a secret.</summary>
    [Required]
    public string AccessToken { get; set; } = "pat-sandbox-token";

    /// <summary>Most inputs one batch call accepts; more answers 400.</summary>
    [Range(1, 10_000)]
    public int MaxBatchSize { get; set; } = 100;

    /// <summary>Results one search query can page through; paging past it answers 400, as HubSpot does at 10,000.</summary>
    [Range(1, 1_000_000)]
    public int SearchResultCap { get; set; } = 10_000;

    /// <summary>Largest <c>limit</c> of one search page; more answers 400.</summary>
    [Range(1, 10_000)]
    public int SearchMaxLimit { get; set; } = 200;

    /// <summary>Calls per token in any rolling 10-second window (policy TEN_SECONDLY_ROLLING); 0 = unlimited.</summary>
    [Range(0, 1_000_000)]
    public int TenSecondlyLimit { get; set; } = 190;

    /// <summary>Search calls per token per rolling second (policy SECONDLY), counted apart from the general limit; 0 = unlimited.</summary>
    [Range(0, 1_000_000)]
    public int SearchPerSecondLimit { get; set; } = 4;

    /// <summary>Calls per token per UTC day (policy DAILY); 0 = unlimited.</summary>
    [Range(0, 100_000_000)]
    public int DailyLimit { get; set; } = 1_000_000;

    /// <summary>Whether a 429 carries a Retry-After header. HubSpot's docs do not promise one, so clients must cope without it.</summary>
    public bool SendRetryAfter { get; set; } = true;

    /// <summary>How long a write takes to show in search results (HubSpot's index lags writes by seconds).</summary>
    [Range(typeof(TimeSpan), "00:00:00", "01:00:00")]
    public TimeSpan SearchIndexLag { get; set; } = TimeSpan.Zero;

    /// <summary>Most characters one property value may have; more is a VALIDATION_ERROR for that input (HubSpot's 65,536 text limit).</summary>
    [Range(1, 10_000_000)]
    public int MaxPropertyValueLength { get; set; } = 65_536;

    /// <summary>Most inputs of one associations v4 <c>batch/read</c>; more answers 400.</summary>
    [Range(1, 100_000)]
    public int AssociationBatchReadMaxInputs { get; set; } = 1_000;

    /// <summary>Most inputs of one associations v4 <c>batch/associate/default</c>; more answers 400.</summary>
    [Range(1, 100_000)]
    public int AssociationBatchCreateMaxInputs { get; set; } = 2_000;

    /// <summary>Most record ids one list <c>memberships/add</c> or <c>/remove</c> call takes; more answers 400.</summary>
    [Range(1, 1_000_000)]
    public int ListMembershipMaxRecordIds { get; set; } = 100_000;

    /// <summary>Largest <c>limit</c> of one list-memberships page; more answers 400.</summary>
    [Range(1, 10_000)]
    public int ListMembershipMaxPageSize { get; set; } = 250;
}
