using System.ComponentModel.DataAnnotations;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Resilience;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>Settings of the iVvy API client, bound from the <c>Ivvy</c> configuration section.</summary>
/// <remarks>Validated by DataAnnotations, including the nested <see cref="RemoteCall"/>. <see cref="ApiKey"/> and
/// <see cref="ApiSecret"/> never appear in an exception, a log line or <see cref="ToString"/>.</remarks>
public sealed class IvvyClientOptions : IValidatableObject
{
    /// <summary>Configuration section the options bind from.</summary>
    public const string SectionName = "Ivvy";

    /// <summary>Regional API host of the account, without a path: AU <c>https://api.ap-southeast-2.ivvy.com</c>,
    /// US <c>https://api.us-west-2.ivvy.com</c>, UK/EU <c>https://api.eu-west-2.ivvy.com</c>.</summary>
    [Required]
    public Uri BaseUrl { get; set; } = new("https://api.ap-southeast-2.ivvy.com");

    /// <summary>API key (Global Settings › Applications › API keys in iVvy).</summary>
    [Required]
    public string ApiKey { get; set; } = "";

    /// <summary>API secret shown once when the key is created.</summary>
    [Required]
    public string ApiSecret { get; set; } = "";

    /// <summary>Page size for list actions; iVvy caps most lists at 100.</summary>
    [Range(1, 100)]
    public int PerPage { get; set; } = 100;

    /// <summary>The account's rate limits, which calls are paced under. iVvy documents no number: none by default (its 429s
    /// alone slow calls down); set one when the account has a known limit.</summary>
    [Required]
    public RateLimitOptions RateLimit { get; set; } = new();

    /// <summary>Retry and timeout bounds of each call.</summary>
    [Required]
    public RemoteCallOptions RemoteCall { get; set; } = new();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        ConnectionValidation.Validate(BaseUrl, "Ivvy:BaseUrl", "https://api.ap-southeast-2.ivvy.com", RemoteCall, RateLimit);

    /// <summary>Throws <see cref="ValidationException"/> naming the first invalid setting (never its secret value).</summary>
    public void ValidateOrThrow() =>
        ConnectionValidation.ThrowIfInvalid(this, "iVvy", SectionName);

    /// <summary>Describes the settings with the credentials redacted.</summary>
    public override string ToString() =>
        $"IvvyClientOptions {{ BaseUrl = {BaseUrl}, ApiKey = {(ApiKey.Length > 0 ? "***" : "(empty)")}, " +
        $"ApiSecret = {(ApiSecret.Length > 0 ? "***" : "(empty)")}, PerPage = {PerPage} }}";
}
