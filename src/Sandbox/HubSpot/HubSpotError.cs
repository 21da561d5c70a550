using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>An error as HubSpot reports it: HTTP status, category and message, plus optional context and detail errors.</summary>
/// <remarks>Shape from crm-apis.md §1.6: <c>{status:"error", message, correlationId, category, errors?, context?}</c>.</remarks>
internal sealed record HubSpotError(int Status, string Category, string Message, JsonObject? Context = null, JsonArray? Errors = null)
{
    public const string ValidationError = "VALIDATION_ERROR";
    public const string Conflict = "CONFLICT";
    public const string ObjectNotFound = "OBJECT_NOT_FOUND";

    public static HubSpotError Validation(string message, JsonArray? errors = null) => new(400, ValidationError, message, Errors: errors);

    public static HubSpotError Unauthorized() => new(401, "INVALID_AUTHENTICATION",
        "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at " +
        "https://developers.hubspot.com/docs/methods/auth/oauth-overview");

    public static HubSpotError NotFound(string message) => new(404, ObjectNotFound, message);

    public static HubSpotError UnknownType(string type) => new(400, ValidationError, $"Unable to infer object type from: {type}");

    /// <summary>The whole-response body of a request that failed with this error.</summary>
    public JsonObject ToBody()
    {
        var body = new JsonObject
        {
            ["status"] = "error",
            ["message"] = Message,
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["category"] = Category,
        };
        if (Errors is not null)
        {
            body["errors"] = Errors.DeepClone();
        }

        if (Context is not null)
        {
            body["context"] = Context.DeepClone();
        }

        return body;
    }

    /// <summary>The entry of a batch response's <c>errors[]</c> (207 multi-status) for the input with <paramref name="traceId"/>.</summary>
    public JsonObject ToBatchEntry(string traceId)
    {
        var context = Context?.DeepClone().AsObject() ?? [];
        context["objectWriteTraceId"] = new JsonArray(traceId);
        var entry = new JsonObject
        {
            ["status"] = "error",
            ["category"] = Category,
            ["message"] = Message,
            ["context"] = context,
        };
        if (Errors is not null)
        {
            entry["errors"] = Errors.DeepClone();
        }

        return entry;
    }

    /// <summary>The 429 body HubSpot sends for a rate-limit policy (TEN_SECONDLY_ROLLING, SECONDLY, DAILY).</summary>
    public static JsonObject RateLimitBody(string policyName)
    {
        var window = policyName switch
        {
            "SECONDLY" => "secondly",
            "DAILY" => "daily",
            _ => "ten_secondly_rolling",
        };
        return new JsonObject
        {
            ["status"] = "error",
            ["message"] = $"You have reached your {window} limit.",
            ["errorType"] = "RATE_LIMIT",
            ["correlationId"] = Guid.NewGuid().ToString(),
            ["policyName"] = policyName,
            ["groupName"] = "api-calls",
        };
    }

    /// <summary>The body of a HubSpot 5xx.</summary>
    public static JsonObject InternalErrorBody(int status) => new()
    {
        ["status"] = "error",
        ["message"] = status switch
        {
            502 => "Bad Gateway",
            503 => "Service Unavailable: the server is temporarily unable to handle the request.",
            504 => "Gateway Timeout",
            _ => "internal error",
        },
        ["category"] = "INTERNAL_ERROR",
        ["correlationId"] = Guid.NewGuid().ToString(),
    };
}
