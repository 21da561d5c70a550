using System.Security.Claims;
using System.Text.Encodings.Web;
using IvvyWorkflows.Designer.Auth;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Elsa;

/// <summary>
/// Elsa Studio's custom element sends <c>Authorization: Bearer &lt;access-token&gt;</c> and makes no sign-in call of its
/// own: the module page asks for a short-lived token of the signed-in user (<c>GET /api/designer/elsa-token</c>) and hands
/// it to the element. The token is the user's name and role, protected by the app's data protection keys with an expiry,
/// so it acts with exactly the role of the session that minted it.
/// </summary>
public sealed class StudioTokens(IDataProtectionProvider protection, IOptions<DesignerOptions> options, TimeProvider time)
{
    private readonly ITimeLimitedDataProtector _protector = protection.CreateProtector("IvvyWorkflows.Designer.ElsaStudioToken").ToTimeLimitedDataProtector();

    public TimeSpan Lifetime => TimeSpan.FromMinutes(options.Value.StudioTokenMinutes);

    public string Issue(string userName, string role) => _protector.Protect($"{role}\n{userName}", time.GetUtcNow() + Lifetime);

    /// <summary>The role and user name of a token still valid, or null.</summary>
    public (string Role, string UserName)? Read(string token)
    {
        try
        {
            var parts = _protector.Unprotect(token, out var expires).Split('\n', 2);
            return expires > time.GetUtcNow() && parts.Length == 2 && Roles.IsKnown(parts[0]) ? (parts[0], parts[1]) : null;
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            return null;
        }
    }
}

/// <summary>Signs in a request that carries a Studio token (see <see cref="StudioTokens"/>) as its user and role.</summary>
public sealed class StudioTokenAuthenticationHandler(IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, StudioTokens tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ElsaStudioToken";
    private const string Prefix = "Bearer ";

    public static bool Carries(HttpRequest request) =>
        request.Headers.Authorization.ToString().StartsWith(Prefix, StringComparison.OrdinalIgnoreCase);

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Carries(Request))
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }

        if (tokens.Read(Request.Headers.Authorization.ToString()[Prefix.Length..].Trim()) is not { } user)
        {
            return Task.FromResult(AuthenticateResult.Fail("The editor's token is not valid or has expired: reload the module page."));
        }

        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, user.UserName), new Claim(ClaimTypes.Role, user.Role)], SchemeName);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
