using System.Security.Claims;
using IvvyWorkflows.Designer.Auth;
using IvvyWorkflows.Designer.Drafts;

namespace IvvyWorkflows.Designer.Api;

/// <summary>Drafts and publishing, shared by every designer page (<see cref="IDraftStore"/>). Anyone signed in may look;
/// business users and integrators may edit and publish, business users templates and golden cases only.</summary>
public static class DraftEndpoints
{
    public static void MapDraftEndpoints(this IEndpointRouteBuilder app)
    {
        var read = app.MapGroup("/api/modules/{module}").RequireAuthorization(Roles.ReadPolicy).WithTags("Drafts");
        var edit = app.MapGroup("/api/modules/{module}").RequireAuthorization(Roles.TemplatesPolicy).WithTags("Drafts");

        read.MapGet("/versions", (string module, IDraftStore drafts) => Answer(() => drafts.Versions(module)))
            .Produces<IReadOnlyList<VersionInfo>>().Produces<ApiError>(StatusCodes.Status404NotFound);
        read.MapGet("/draft", (string module, IDraftStore drafts) =>
                Answer(() => drafts.Get(module) ?? throw new DraftException(DraftProblemKind.NotFound, $"{module} has no draft.")))
            .Produces<DraftInfo>().Produces<ApiError>(StatusCodes.Status404NotFound);
        read.MapGet("/draft/files", (string module, string? path, IDraftStore drafts) => Answer(() => drafts.ReadFile(module, path ?? "")))
            .Produces<DraftFile>().Produces<ApiError>(StatusCodes.Status404NotFound).Produces<ApiError>(StatusCodes.Status400BadRequest);
        read.MapGet("/draft/diff", (string module, IDraftStore drafts) => Answer(() => drafts.Diff(module)))
            .Produces<IReadOnlyList<FileDiff>>().Produces<ApiError>(StatusCodes.Status404NotFound);
        read.MapPost("/draft/validate", (string module, IDraftStore drafts) => Answer(() => drafts.Validate(module)))
            .Produces<DraftValidation>().Produces<ApiError>(StatusCodes.Status404NotFound);
        read.MapGet("/draft/samples", async (string module, string stream, TemplatePreview preview, CancellationToken ct) =>
            {
                try
                {
                    return TypedResults.Ok(await preview.SamplesAsync(module, stream, ct));
                }
                catch (DraftException e)
                {
                    return Refusal(e);
                }
            })
            .Produces<IReadOnlyList<TemplateSample>>().Produces<ApiError>(StatusCodes.Status404NotFound);
        read.MapPost("/draft/preview", (string module, PreviewRequest request, TemplatePreview preview) => Answer(() => preview.Render(module, request)))
            .Produces<TemplatePreviewResult>().Produces<ApiError>(StatusCodes.Status404NotFound);

        edit.MapPost("/draft", (string module, IDraftStore drafts, ClaimsPrincipal user) => Answer(() => drafts.Open(module, UserName(user))))
            .Produces<DraftInfo>().Produces<ApiError>(StatusCodes.Status404NotFound);
        edit.MapPut("/draft/files", (string module, SaveDraftFile change, IDraftStore drafts, ClaimsPrincipal user) =>
                Answer(() => drafts.SaveFile(module, change, UserName(user), user.IsInRole(Roles.Integrator))))
            .Produces<DraftInfo>().Produces<ApiError>(StatusCodes.Status400BadRequest).Produces<ApiError>(StatusCodes.Status403Forbidden)
            .Produces<ApiError>(StatusCodes.Status404NotFound).Produces<ApiError>(StatusCodes.Status409Conflict);
        edit.MapPost("/draft/publish", (string module, PublishDraft request, IDraftStore drafts, ClaimsPrincipal user) =>
                Answer(() => drafts.Publish(module, request.ETag, UserName(user), user.IsInRole(Roles.Integrator)), v => TypedResults.Created($"/api/modules/{module}/versions", v)))
            .Produces<VersionInfo>(StatusCodes.Status201Created).Produces<ApiError>(StatusCodes.Status400BadRequest)
            .Produces<ApiError>(StatusCodes.Status403Forbidden).Produces<ApiError>(StatusCodes.Status404NotFound)
            .Produces<ApiError>(StatusCodes.Status409Conflict).Produces<DraftRefused>(StatusCodes.Status422UnprocessableEntity);
        edit.MapDelete("/draft", (string module, IDraftStore drafts) =>
                Answer(() => drafts.Discard(module) ? true : throw new DraftException(DraftProblemKind.NotFound, $"{module} has no draft."), _ => TypedResults.NoContent()))
            .Produces(StatusCodes.Status204NoContent).Produces<ApiError>(StatusCodes.Status404NotFound);
    }

    /// <summary>The operation's answer, or the status its <see cref="DraftException"/> stands for with the message.</summary>
    internal static IResult Answer<T>(Func<T> operation, Func<T, IResult>? ok = null)
    {
        try
        {
            var value = operation();
            return ok is null ? TypedResults.Ok(value) : ok(value);
        }
        catch (DraftException e)
        {
            return Refusal(e);
        }
    }

    private static IResult Refusal(DraftException e)
    {
        var error = new ApiError(e.Message);
        return e.Kind switch
        {
            DraftProblemKind.NotFound => TypedResults.NotFound(error),
            DraftProblemKind.Conflict => TypedResults.Conflict(error),
            DraftProblemKind.Forbidden => TypedResults.Json(error, statusCode: StatusCodes.Status403Forbidden),
            DraftProblemKind.Invalid => TypedResults.UnprocessableEntity(new DraftRefused(e.Message, e.Problems)),
            _ => TypedResults.BadRequest(error),
        };
    }

    private static string UserName(ClaimsPrincipal user) => user.Identity?.Name ?? "?";
}

/// <summary>A publish refused because the draft does not validate: the message and every problem.</summary>
public sealed record DraftRefused(string Message, IReadOnlyList<DraftProblem> Problems);
