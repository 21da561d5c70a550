using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>
/// iVvy API v1.0 request signing (HMAC-SHA1 over a lowercased string to sign), as pure functions so that a client can
/// sign and a server (the sandbox simulator) can verify with the same code.
/// </summary>
/// <remarks>
/// <para>String to sign = lowercase(method + contentMd5 + contentType + date + requestUri + "1.0" + "ivvydate=" + ivvyDate),
/// with <c>date</c> empty because the <c>IVVY-Date</c> header is used. The signature is the lowercase hex HMAC-SHA1 of
/// that string keyed with the API secret (not lowercased), sent as <c>X-Api-Authorization: IWS {key}:{signature}</c>.</para>
/// <para><c>Content-MD5</c> is the lowercase hex MD5 of the exact body bytes (not RFC 1864 base64), also for an empty body.</para>
/// </remarks>
public static class IvvySignature
{
    /// <summary>The only API version iVvy serves; part of the request path and of the string to sign.</summary>
    public const string ApiVersion = "1.0";

    /// <summary>The content type the client sends (and signs). Sent without a charset parameter.</summary>
    public const string JsonContentType = "application/json";

    /// <summary>Header carrying <c>IWS {key}:{signature}</c>.</summary>
    public const string AuthorizationHeader = "X-Api-Authorization";

    /// <summary>Header carrying the request time in iVvy timestamp format (UTC).</summary>
    public const string DateHeader = "IVVY-Date";

    /// <summary>Header carrying the lowercase hex MD5 of the body.</summary>
    public const string ContentMd5Header = "Content-MD5";

    /// <summary>Scheme word that precedes the key in <see cref="AuthorizationHeader"/>.</summary>
    public const string AuthorizationScheme = "IWS";

    /// <summary>Lowercase hex MD5 of the exact body bytes (<c>d41d8cd98f00b204e9800998ecf8427e</c> for an empty body).</summary>
    public static string ContentMd5(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(MD5.HashData(body));

    /// <summary>Builds the lowercased string to sign for a request that carries an <c>IVVY-Date</c> header.</summary>
    /// <param name="method">HTTP method, e.g. "POST".</param>
    /// <param name="contentMd5">Value of the Content-MD5 header (see <see cref="ContentMd5"/>).</param>
    /// <param name="contentType">Value of the Content-Type header exactly as sent.</param>
    /// <param name="requestUri">Path and query exactly as sent, e.g. "/api/1.0/contact?action=getContactList".</param>
    /// <param name="ivvyDate">Value of the IVVY-Date header exactly as sent.</param>
    public static string StringToSign(string method, string contentMd5, string contentType, string requestUri, string ivvyDate)
    {
        // The Date component is empty because IVVY-Date is used; the IVVY headers part is "ivvydate=<value>".
        const string dateComponent = "";
        return string.Concat(method, contentMd5, contentType, dateComponent, requestUri, ApiVersion, "ivvydate=", ivvyDate)
            .ToLowerInvariant();
    }

    /// <summary>Lowercase hex HMAC-SHA1 of <paramref name="stringToSign"/> keyed with <paramref name="secret"/> (both UTF-8).</summary>
    public static string Sign(string secret, string stringToSign) =>
        Convert.ToHexStringLower(HMACSHA1.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(stringToSign)));

    /// <summary>The <c>X-Api-Authorization</c> header value: <c>IWS {apiKey}:{signature}</c>.</summary>
    public static string AuthorizationValue(string apiKey, string signature) => $"{AuthorizationScheme} {apiKey}:{signature}";

    /// <summary>
    /// Sets <paramref name="body"/> as the request content and applies every signing header: Content-Type
    /// (<see cref="JsonContentType"/>), Content-MD5, IVVY-Date (<paramref name="now"/> in UTC) and X-Api-Authorization.
    /// </summary>
    /// <remarks>The body is set here, not by the caller, so the bytes signed are exactly the bytes sent. The signed request
    /// URI is the path and query of <see cref="HttpRequestMessage.RequestUri"/>, which must be absolute. A request must be
    /// signed again for every attempt: iVvy rejects an IVVY-Date more than 5 minutes from its clock.</remarks>
    public static void Apply(HttpRequestMessage request, byte[] body, string apiKey, string apiSecret, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(body);
        if (request.RequestUri is not { IsAbsoluteUri: true } uri)
        {
            throw new ArgumentException("The request needs an absolute RequestUri before it can be signed.", nameof(request));
        }

        var contentMd5 = ContentMd5(body);
        var ivvyDate = IvvyTimestamp.Format(now);
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(JsonContentType);
        // Typed ContentMD5 would be base64; iVvy wants lowercase hex, so the raw value is added unvalidated.
        content.Headers.TryAddWithoutValidation(ContentMd5Header, contentMd5);
        request.Content = content;

        var stringToSign = StringToSign(request.Method.Method, contentMd5, JsonContentType, uri.PathAndQuery, ivvyDate);
        request.Headers.Remove(DateHeader);
        request.Headers.Remove(AuthorizationHeader);
        request.Headers.TryAddWithoutValidation(DateHeader, ivvyDate);
        request.Headers.TryAddWithoutValidation(AuthorizationHeader, AuthorizationValue(apiKey, Sign(apiSecret, stringToSign)));
    }

    /// <summary>Splits an <c>X-Api-Authorization</c> value into key and signature; false when it is not <c>IWS key:sig</c>.</summary>
    public static bool TryParseAuthorization(string? value, out string apiKey, out string signature)
    {
        apiKey = "";
        signature = "";
        if (value is null || !value.StartsWith(AuthorizationScheme + " ", StringComparison.Ordinal))
        {
            return false;
        }

        var credentials = value[(AuthorizationScheme.Length + 1)..];
        var colon = credentials.LastIndexOf(':');
        if (colon <= 0 || colon == credentials.Length - 1)
        {
            return false;
        }

        apiKey = credentials[..colon];
        signature = credentials[(colon + 1)..];
        return true;
    }

    /// <summary>Compares two hex signatures in constant time, ignoring case.</summary>
    public static bool SignaturesEqual(string expected, string actual) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(expected.ToLower(CultureInfo.InvariantCulture)),
            Encoding.ASCII.GetBytes(actual.ToLower(CultureInfo.InvariantCulture)));
}
