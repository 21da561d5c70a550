using IvvyWorkflows.Activities.Ivvy;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>Checks a request's Content-MD5, date and HMAC-SHA1 signature the way iVvy does; throws the 401 iVvy answers.</summary>
/// <remarks>
/// The string to sign is rebuilt from the request exactly as received: method, the Content-MD5 of the raw body, the
/// Content-Type header as sent, the Date header (only when no IVVY-Date is sent), the raw request target
/// (<c>/api/1.0/contact?action=getContactList</c>), "1.0", and <c>ivvydate=…</c>. Other IVVY-* headers are not part of the
/// simulated signature: no known client sends any.
/// </remarks>
internal sealed class IvvyRequestAuthenticator(IvvySimulatorOptions options, TimeProvider time)
{
    public void Verify(HttpRequest request, ReadOnlySpan<byte> body)
    {
        if (!IvvySignature.TryParseAuthorization(request.Headers[IvvySignature.AuthorizationHeader].ToString(), out var key, out var signature))
        {
            throw Unauthorized("Missing or malformed X-Api-Authorization header; expected 'IWS {key}:{signature}'");
        }

        if (!string.Equals(key, options.ApiKey, StringComparison.Ordinal))
        {
            throw Unauthorized("Invalid API key");
        }

        var contentMd5 = IvvySignature.ContentMd5(body);
        var sentMd5 = request.Headers[IvvySignature.ContentMd5Header].ToString().Trim();
        if (!string.Equals(sentMd5, contentMd5, StringComparison.OrdinalIgnoreCase))
        {
            throw Unauthorized("Content-MD5 does not match the request body");
        }

        var ivvyDate = request.Headers[IvvySignature.DateHeader].ToString();
        var httpDate = request.Headers.Date.ToString();
        var hasIvvyDate = !string.IsNullOrEmpty(ivvyDate);
        var dated = hasIvvyDate ? IvvyDates.TryParse(ivvyDate, out var sentAt) : IvvyDates.TryParseHttpDate(httpDate, out sentAt);
        if (!dated || (time.GetUtcNow() - sentAt).Duration() > options.ClockSkewLimit)
        {
            throw IvvyApiException.Stale();
        }

        var method = request.Method;
        var contentType = request.Headers.ContentType.ToString();
        var requestUri = request.HttpContext.Features.Get<IHttpRequestFeature>()?.RawTarget
            ?? request.Path.Value + request.QueryString.Value;
        var stringToSign = hasIvvyDate
            ? IvvySignature.StringToSign(method, contentMd5, contentType, requestUri, ivvyDate)
            // The Date-header variant: the date sits between content type and URI, and no IVVY headers follow.
            : (method + contentMd5 + contentType + httpDate + requestUri + "1.0").ToLowerInvariant();
        var expected = IvvySignature.Sign(options.ApiSecret, stringToSign);
        if (!IvvySignature.SignaturesEqual(expected, signature.Trim()))
        {
            throw Unauthorized("Invalid signature");
        }
    }

    // iVvy documents no specificCode for a bad key or signature, so none is invented here.
    private static IvvyApiException Unauthorized(string message) => new(401, message);
}
