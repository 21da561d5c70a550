using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Designer;

/// <summary>Settings of the web app (section <c>Designer</c>): sessions and, for real deployments, OpenID Connect.</summary>
public sealed class DesignerOptions : IValidatableObject
{
    public const string SectionName = "Designer";

    /// <summary>How long a console session lasts without use.</summary>
    [Range(1, 24 * 30)]
    public int SessionHours { get; set; } = 8;

    /// <summary>How long the token the module page hands Elsa Studio's editor lasts (the page renews it while open).</summary>
    [Range(1, 60)]
    public int StudioTokenMinutes { get; set; } = 10;

    /// <summary>Sign-in with an OpenID Connect provider, on when <see cref="OpenIdConnectOptions.Authority"/> is set.</summary>
    public OpenIdConnectOptions OpenIdConnect { get; set; } = new();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (OpenIdConnect.Enabled && string.IsNullOrWhiteSpace(OpenIdConnect.ClientId))
        {
            yield return new ValidationResult("Designer:OpenIdConnect:ClientId is required when Designer:OpenIdConnect:Authority is set.",
                [$"{nameof(OpenIdConnect)}.{nameof(OpenIdConnectOptions.ClientId)}"]);
        }
    }

    public sealed class OpenIdConnectOptions
    {
        /// <summary>The provider's issuer URL; empty = OpenID Connect off (local accounts only).</summary>
        public string? Authority { get; set; }

        public string? ClientId { get; set; }

        /// <summary>The client secret (user secrets or an environment variable, never a committed file).</summary>
        public string? ClientSecret { get; set; }

        /// <summary>The claim whose values name the user's role (integrator, operator or business-user).</summary>
        public string RoleClaim { get; set; } = "roles";

        public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
    }
}
