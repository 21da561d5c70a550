using System.ComponentModel.DataAnnotations;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Resilience;

namespace IvvyWorkflows.Activities.HubSpot;

/// <summary>Settings of the HubSpot CRM client, bound from the <c>HubSpot</c> configuration section.</summary>
/// <remarks>Validated by DataAnnotations, including the nested <see cref="RemoteCall"/>. <see cref="AccessToken"/> never appears
/// in an exception, a log line or <see cref="ToString"/>.</remarks>
public sealed class HubSpotClientOptions : IValidatableObject
{
    /// <summary>Configuration section the options bind from.</summary>
    public const string SectionName = "HubSpot";

    /// <summary>API origin; the sandbox's HubSpot simulator URL when running locally.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://api.hubapi.com");

    /// <summary>Bearer token: a private-app or service-key token, or an OAuth access token, with the CRM scopes the sync needs.</summary>
    [Required]
    public string AccessToken { get; set; } = "";

    /// <summary>Path of the objects API: <c>crm/v3/objects</c>, or a date-based version such as <c>crm/objects/2026-03</c>.
    /// The properties API path is derived from it (<c>crm/v3/properties</c>, <c>crm/properties/2026-03</c>).</summary>
    [Required]
    [RegularExpression(@"^/?crm/([^/]+/)?objects(/[^/]+)?/?$",
        ErrorMessage = "HubSpot:ApiVersionPath must look like crm/v3/objects or crm/objects/2026-03.")]
    public string ApiVersionPath { get; set; } = "crm/v3/objects";

    /// <summary>Inputs per batch upsert call; HubSpot accepts at most 100.</summary>
    [Range(1, 100)]
    public int BatchSize { get; set; } = 100;

    /// <summary>Results per search page; HubSpot returns at most 200.</summary>
    [Range(1, 200)]
    public int SearchPageSize { get; set; } = 200;

    /// <summary>Results one search query can page through (HubSpot: 10,000; paging past it answers 400).</summary>
    [Range(1, 1_000_000)]
    public int SearchResultCap { get; set; } = 10_000;

    /// <summary>The account's rate limits, which calls are paced under. The default is the lowest tier's (private apps
    /// on Free/Starter: 100 calls per 10 s, 4 searches a second); Professional/Enterprise allow 190 per 10 s.</summary>
    [Required]
    public RateLimitOptions RateLimit { get; set; } = new() { CallsPerWindow = 100, SearchCallsPerSecond = 4 };

    /// <summary>Retry and timeout bounds of each call.</summary>
    [Required]
    public RemoteCallOptions RemoteCall { get; set; } = new();

    /// <summary>The externalAccountId marketing events are written under (HubSpot keys events by it and externalEventId).</summary>
    [Required]
    public string MarketingEventsAccountId { get; set; } = "ivvy";

    /// <summary>How far behind now a read window ends, so HubSpot's search index has caught up with recent writes.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan SearchSettleDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        ConnectionValidation.Validate(BaseUrl, "HubSpot:BaseUrl", "https://api.hubapi.com", RemoteCall, RateLimit);

    /// <summary>Throws <see cref="ValidationException"/> naming every invalid setting (never the token's value).</summary>
    public void ValidateOrThrow() =>
        ConnectionValidation.ThrowIfInvalid(this, "HubSpot", SectionName);

    /// <summary>Describes the settings with the token redacted.</summary>
    public override string ToString() =>
        $"HubSpotClientOptions {{ BaseUrl = {BaseUrl}, AccessToken = {(AccessToken.Length > 0 ? "***" : "(empty)")}, " +
        $"ApiVersionPath = {ApiVersionPath}, BatchSize = {BatchSize}, SearchPageSize = {SearchPageSize}, SearchResultCap = {SearchResultCap} }}";
}
