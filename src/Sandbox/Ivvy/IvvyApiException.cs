using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>An error the simulator answers with iVvy's envelope; the HTTP status equals <see cref="ErrorCode"/>.</summary>
internal sealed class IvvyApiException : Exception
{
    public IvvyApiException(int errorCode, string message, int? specificCode = null, IReadOnlyList<string>? additionalMessages = null)
        : base(message)
    {
        ErrorCode = errorCode;
        SpecificCode = specificCode;
        AdditionalMessages = additionalMessages;
    }

    /// <summary>iVvy's errorCode, also the HTTP status.</summary>
    public int ErrorCode { get; }

    /// <summary>iVvy's specificCode, when iVvy is known to send one for this case.</summary>
    public int? SpecificCode { get; }

    /// <summary>Validator messages.</summary>
    public IReadOnlyList<string>? AdditionalMessages { get; }

    /// <summary>400 23017: a required parameter is missing.</summary>
    public static IvvyApiException Required(string field) => new(400, $"'{field}' is required", 23017);

    /// <summary>400 23016: a parameter does not validate.</summary>
    public static IvvyApiException Invalid(string field, string reason) => new(400, $"'{field}' does not validate", 23016, [reason]);

    /// <summary>401 23005: the request's date is missing or too far from the server clock.</summary>
    public static IvvyApiException Stale() => new(401, "Request is stale", 23005);

    /// <summary>24096: no contact has the id.</summary>
    public static IvvyApiException ContactNotFound() => new(404, "Unable to find contact", 24096);

    /// <summary>The envelope <c>{errorCode, message, specificCode, additionalMessages}</c>.</summary>
    public string ToJson() => Envelope(ErrorCode, Message, SpecificCode, AdditionalMessages);

    /// <summary>Builds iVvy's error envelope.</summary>
    public static string Envelope(int errorCode, string message, int? specificCode = null, IReadOnlyList<string>? additionalMessages = null)
    {
        var body = new JsonObject { ["errorCode"] = errorCode, ["message"] = message };
        if (specificCode is { } code)
        {
            body["specificCode"] = code;
        }

        if (additionalMessages is { Count: > 0 })
        {
            body["additionalMessages"] = new JsonArray(additionalMessages.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray());
        }

        return body.ToJsonString();
    }
}
