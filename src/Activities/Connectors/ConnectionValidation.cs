using System.ComponentModel.DataAnnotations;

namespace IvvyWorkflows.Activities.Connectors;

/// <summary>The checks every connection's options share: an absolute http(s) base URL, the nested retry bounds and rate limits, and
/// one exception naming every invalid setting (never a credential's value).</summary>
public static class ConnectionValidation
{
    /// <summary>Problems with <paramref name="baseUrl"/>, <paramref name="remoteCall"/> and <paramref name="rateLimit"/>
    /// (DataAnnotations does not descend into nested objects on its own).</summary>
    public static IEnumerable<ValidationResult> Validate(Uri? baseUrl, string baseUrlSetting, string example,
        Resilience.RemoteCallOptions? remoteCall, Resilience.RateLimitOptions? rateLimit)
    {
        if (baseUrl is { IsAbsoluteUri: false } || baseUrl is { Scheme: not ("https" or "http") })
        {
            yield return new ValidationResult($"{baseUrlSetting} must be an absolute http(s) URL such as {example}.", ["BaseUrl"]);
        }

        foreach (var result in Nested(remoteCall, "RemoteCall").Concat(Nested(rateLimit, "RateLimit")))
        {
            yield return result;
        }
    }

    private static IEnumerable<ValidationResult> Nested(object? options, string property)
    {
        if (options is null)
        {
            return [];
        }

        var nested = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), nested, validateAllProperties: true);
        return nested.Select(r => new ValidationResult(r.ErrorMessage, r.MemberNames.Select(m => $"{property}.{m}").ToArray()));
    }

    /// <summary>Throws <see cref="ValidationException"/> naming every invalid setting of <paramref name="options"/>.</summary>
    public static void ThrowIfInvalid(object options, string what, string section)
    {
        var results = new List<ValidationResult>();
        if (!Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
        {
            throw new ValidationException($"Invalid {what} settings (section '{section}'): {string.Join("; ", results.Select(r => r.ErrorMessage))}");
        }
    }
}
