using System.Security.Claims;
using IvvyWorkflows.Designer.Api;
using IvvyWorkflows.Designer.Elsa;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Auth;

/// <summary>Sign-in (cookie for the console, <c>X-Api-Key</c> for scripts, OpenID Connect when configured), the role
/// policies, and antiforgery on every state-changing call made with the cookie.</summary>
public static class AuthSetup
{
    public const string CookieScheme = CookieAuthenticationDefaults.AuthenticationScheme;
    public const string OidcScheme = OpenIdConnectDefaults.AuthenticationScheme;
    public const string AntiforgeryHeader = "X-XSRF-TOKEN";

    /// <summary>A local account signed in with its one-time password may only change it.</summary>
    public const string MustChangePasswordClaim = "must_change_password";

    /// <summary>Signed in, even with a password still to change (session, password change, sign-out).</summary>
    public const string SignedInPolicy = "signed-in";

    private const string SelectorScheme = "Designer";

    public static IServiceCollection AddDesignerAuth(this IServiceCollection services, DesignerOptions options)
    {
        var authentication = services.AddAuthentication(o =>
            {
                o.DefaultScheme = SelectorScheme;
                o.DefaultChallengeScheme = SelectorScheme;
            })
            .AddPolicyScheme(SelectorScheme, null, o => o.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) ? ApiKeyAuthenticationHandler.SchemeName
                : StudioTokenAuthenticationHandler.Carries(context.Request) ? StudioTokenAuthenticationHandler.SchemeName
                : CookieScheme)
            .AddCookie(CookieScheme, o =>
            {
                o.Cookie.Name = "ivvy-workflows";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromHours(options.SessionHours);
                // An API answers 401/403; the console shows its own sign-in page.
                o.Events.OnRedirectToLogin = context => Deny(context.Response, StatusCodes.Status401Unauthorized, "Sign in first.");
                o.Events.OnRedirectToAccessDenied = context => Deny(context.Response, StatusCodes.Status403Forbidden,
                    context.HttpContext.User.HasClaim(MustChangePasswordClaim, "true")
                        ? "Change your one-time password first (POST /api/auth/password)."
                        : "Your role may not do this.");
            })
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddScheme<AuthenticationSchemeOptions, StudioTokenAuthenticationHandler>(StudioTokenAuthenticationHandler.SchemeName, null);
        services.AddSingleton<StudioTokens>();

        if (options.OpenIdConnect.Enabled)
        {
            var oidc = options.OpenIdConnect;
            authentication.AddOpenIdConnect(OidcScheme, o =>
            {
                o.Authority = oidc.Authority;
                o.ClientId = oidc.ClientId;
                o.ClientSecret = oidc.ClientSecret;
                o.ResponseType = "code";
                o.SignInScheme = CookieScheme;
                o.CallbackPath = "/signin-oidc";
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "name";
                o.TokenValidationParameters.RoleClaimType = oidc.RoleClaim;
                o.Events.OnTokenValidated = context =>
                {
                    // Our roles come from the provider's claim; a user the provider gives none of them is refused.
                    var identity = (ClaimsIdentity)context.Principal!.Identity!;
                    var roles = identity.FindAll(oidc.RoleClaim).Select(c => c.Value).Where(Roles.IsKnown).ToList();
                    if (roles.Count == 0)
                    {
                        context.Fail($"The identity provider gave this user no role in its '{oidc.RoleClaim}' claim ({string.Join(", ", Roles.All)}).");
                        return Task.CompletedTask;
                    }

                    context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                        [new Claim(ClaimTypes.Name, identity.Name ?? identity.FindFirst("sub")?.Value ?? "oidc user"), .. roles.Select(r => new Claim(ClaimTypes.Role, r))],
                        OidcScheme));
                    return Task.CompletedTask;
                };
            });
        }

        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(SignedIn(new()).Build())
            .AddPolicy(SignedInPolicy, p => p.RequireAuthenticatedUser())
            .AddPolicy(Roles.ReadPolicy, p => SignedIn(p).RequireRole(Roles.All))
            .AddPolicy(Roles.OperatePolicy, p => SignedIn(p).RequireRole(Roles.Operator, Roles.Integrator))
            .AddPolicy(Roles.IntegratePolicy, p => SignedIn(p).RequireRole(Roles.Integrator))
            .AddPolicy(Roles.TemplatesPolicy, p => SignedIn(p).RequireRole(Roles.BusinessUser, Roles.Integrator));
        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "ivvy-workflows-af";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        return services;
    }

    /// <summary>Refuses a state-changing call made with the session cookie unless it carries the antiforgery token
    /// (API keys and Elsa Studio's bearer tokens are not sent by browsers on their own, so calls with one need none).</summary>
    public static IApplicationBuilder UseDesignerAntiforgery(this IApplicationBuilder app) =>
        app.Use(async (context, next) =>
        {
            if (context.User.Identity?.IsAuthenticated == true
                && !HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method)
                && !context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.Header) && !StudioTokenAuthenticationHandler.Carries(context.Request))
            {
                var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    context.Response.StatusCode = StatusCodes.Status400BadRequest;
                    await context.Response.WriteAsJsonAsync(new ApiError($"Missing or stale antiforgery token: send the token from GET /api/auth/session in the {AntiforgeryHeader} header."));
                    return;
                }
            }

            await next();
        });

    private static Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder SignedIn(Microsoft.AspNetCore.Authorization.AuthorizationPolicyBuilder policy) =>
        policy.RequireAuthenticatedUser().RequireAssertion(c => !c.User.HasClaim(MustChangePasswordClaim, "true"));

    private static Task Deny(HttpResponse response, int status, string message)
    {
        response.StatusCode = status;
        return response.WriteAsJsonAsync(new ApiError(message));
    }

    internal static string? Role(this ClaimsPrincipal user) => Roles.All.FirstOrDefault(user.IsInRole);
}
