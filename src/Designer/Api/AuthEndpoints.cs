using System.Security.Claims;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Designer.Data;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Designer.Api;

/// <summary>/api/auth: sign-in with a local account or OpenID Connect, the session, password change; /api/keys.</summary>
public static class AuthEndpoints
{
    public static void MapAuthEndpoints(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/api/auth").WithTags("Sign-in");
        auth.MapGet("/options", (IOptions<DesignerOptions> options) =>
            new SignInOptions(true, options.Value.OpenIdConnect.Enabled, options.Value.OpenIdConnect.Enabled ? "/api/auth/oidc" : null))
            .AllowAnonymous();

        auth.MapPost("/sign-in", SignInAsync).AllowAnonymous();
        auth.MapGet("/oidc", Results<ChallengeHttpResult, NotFound<ApiError>> (string? returnUrl, IOptions<DesignerOptions> options) =>
            options.Value.OpenIdConnect.Enabled
                ? TypedResults.Challenge(new AuthenticationProperties { RedirectUri = returnUrl is { } url && url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) ? url : "/" }, [AuthSetup.OidcScheme])
                : TypedResults.NotFound(new ApiError("OpenID Connect is not configured (Designer:OpenIdConnect:Authority).")))
            .AllowAnonymous();

        auth.MapGet("/session", (HttpContext context, IAntiforgery antiforgery) => TypedResults.Ok(Session(context, antiforgery)))
            .RequireAuthorization(AuthSetup.SignedInPolicy);
        auth.MapPost("/sign-out", async (HttpContext context) =>
        {
            await context.SignOutAsync(AuthSetup.CookieScheme);
            return TypedResults.NoContent();
        }).RequireAuthorization(AuthSetup.SignedInPolicy);
        auth.MapPost("/password", ChangePasswordAsync).RequireAuthorization(AuthSetup.SignedInPolicy);

        var keys = app.MapGroup("/api/keys").WithTags("API keys").RequireAuthorization(Roles.IntegratePolicy);
        keys.MapGet("/", (ServiceStore store) => TypedResults.Ok(store.ListApiKeys().Select(k => new ApiKeyInfo(k.Id, k.Name, k.Role, k.CreatedBy, k.CreatedAt)).ToList()));
        keys.MapPost("/", Results<Created<ApiKeyCreated>, BadRequest<ApiError>> (ApiKeyRequest request, Accounts accounts, ClaimsPrincipal user) =>
        {
            try
            {
                var (record, key) = accounts.AddApiKey(request.Name, request.Role, user.Identity?.Name ?? "?");
                return TypedResults.Created($"/api/keys/{record.Id}", new ApiKeyCreated(record.Id, record.Name, record.Role, key));
            }
            catch (ArgumentException e)
            {
                return TypedResults.BadRequest(new ApiError(e.Message));
            }
        });
        keys.MapDelete("/{id}", Results<NoContent, NotFound<ApiError>> (string id, ServiceStore store) =>
            store.DeleteApiKey(id) ? TypedResults.NoContent() : TypedResults.NotFound(new ApiError($"There is no API key '{id}'.")));
    }

    private static async Task<Results<Ok<Session>, UnauthorizedHttpResult>> SignInAsync(SignInRequest request, HttpContext context, Accounts accounts, IAntiforgery antiforgery)
    {
        if (accounts.Verify(request.UserName, request.Password) is not { } user)
        {
            return TypedResults.Unauthorized();
        }

        context.User = Principal(user.UserName, user.Role, user.MustChangePassword);
        await context.SignInAsync(AuthSetup.CookieScheme, context.User);
        return TypedResults.Ok(Session(context, antiforgery));
    }

    private static async Task<Results<Ok<Session>, BadRequest<ApiError>>> ChangePasswordAsync(
        ChangePasswordRequest request, HttpContext context, Accounts accounts, IAntiforgery antiforgery)
    {
        if (context.User.Identity?.AuthenticationType != AuthSetup.CookieScheme || context.User.Identity.Name is not { } name)
        {
            return TypedResults.BadRequest(new ApiError("Only a local account has a password here."));
        }

        if (accounts.Verify(name, request.CurrentPassword) is not { } user)
        {
            return TypedResults.BadRequest(new ApiError("The current password is not right."));
        }

        try
        {
            accounts.SetPassword(name, request.NewPassword);
        }
        catch (ArgumentException e)
        {
            return TypedResults.BadRequest(new ApiError(e.Message));
        }

        context.User = Principal(user.UserName, user.Role, mustChangePassword: false);
        await context.SignInAsync(AuthSetup.CookieScheme, context.User);
        return TypedResults.Ok(Session(context, antiforgery));
    }

    private static ClaimsPrincipal Principal(string userName, string role, bool mustChangePassword)
    {
        List<Claim> claims = [new(ClaimTypes.Name, userName), new(ClaimTypes.Role, role)];
        if (mustChangePassword)
        {
            claims.Add(new Claim(AuthSetup.MustChangePasswordClaim, "true"));
        }

        return new ClaimsPrincipal(new ClaimsIdentity(claims, AuthSetup.CookieScheme));
    }

    private static Session Session(HttpContext context, IAntiforgery antiforgery)
    {
        var user = context.User;
        var viaKey = user.Identity?.AuthenticationType == ApiKeyAuthenticationHandler.SchemeName;
        return new Session(user.Identity?.Name ?? "", user.Role() ?? "", user.HasClaim(AuthSetup.MustChangePasswordClaim, "true"),
            user.Identity?.AuthenticationType ?? "", viaKey ? null : antiforgery.GetAndStoreTokens(context).RequestToken);
    }
}
