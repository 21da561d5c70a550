using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Ivvy;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

/// <summary>A tiny in-memory iVvy: verifies signatures, answers test.ping and contact.getContactList (ordered by id,
/// filtered by an inclusive modified window, offset-paged), and lets a test change records between page reads.</summary>
internal sealed class FakeIvvyApi : HttpMessageHandler
{
    private readonly TimeProvider _time;
    private readonly string _apiKey;
    private readonly string _apiSecret;
    private readonly SortedDictionary<int, JsonObject> _contacts = [];
    private int _listCalls;

    public FakeIvvyApi(TimeProvider time, string apiKey, string apiSecret)
    {
        _time = time;
        _apiKey = apiKey;
        _apiSecret = apiSecret;
    }

    /// <summary>Raised after each getContactList answer is computed (argument: 1-based list call number), before it is
    /// returned: whatever it changes happens between two page reads.</summary>
    public Action<int>? ListServed { get; set; }

    public int MaxPerPage { get; set; } = 100;

    /// <summary>Bodies of the requests received, with their endpoint ("contact.getContactList").</summary>
    public List<(string Endpoint, JsonObject? Body)> Requests { get; } = [];

    public int CallsTo(string endpoint) => Requests.Count(r => r.Endpoint == endpoint);

    public IReadOnlyCollection<int> Ids => _contacts.Keys;

    public void Add(int id, DateTimeOffset modified, bool idAsString = false) =>
        _contacts[id] = new JsonObject
        {
            ["id"] = idAsString ? JsonValue.Create(id.ToString(CultureInfo.InvariantCulture)) : JsonValue.Create(id),
            ["firstName"] = $"First{id}",
            ["lastName"] = $"Last{id}",
            ["email"] = $"person{id}@example.com",
            ["modifiedDate"] = IvvyTimestamp.Format(modified) + " UTC",
        };

    /// <summary>Modifies a record as addOrUpdateContact would: its modifiedDate becomes "now".</summary>
    public void Touch(int id) => _contacts[id]["modifiedDate"] = IvvyTimestamp.Format(_time.GetUtcNow()) + " UTC";

    public void Delete(int id) => _contacts.Remove(id);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!SignatureIsValid(request, body))
        {
            return Error(HttpStatusCode.Unauthorized, "Invalid signature", 23001);
        }

        var uri = request.RequestUri!;
        var ns = uri.AbsolutePath["/api/1.0/".Length..];
        var action = uri.Query.StartsWith("?action=", StringComparison.Ordinal) ? uri.Query["?action=".Length..] : "";
        var endpoint = $"{ns}.{action}";
        var json = body.Length == 0 ? null : JsonNode.Parse(body)!.AsObject();
        Requests.Add((endpoint, json));
        return endpoint switch
        {
            "test.ping" => Json(new JsonObject { ["ack"] = IvvyTimestamp.Format(_time.GetUtcNow()) + " UTC" }),
            "contact.getContactList" => ContactList(json ?? []),
            _ => Error(HttpStatusCode.NotFound, "Unknown action", null),
        };
    }

    private HttpResponseMessage ContactList(JsonObject body)
    {
        var start = body["start"]?.GetValue<int>() ?? 0;
        var perPage = Math.Min(body["perPage"]?.GetValue<int>() ?? MaxPerPage, MaxPerPage);
        var filter = body["filter"] as JsonObject;
        DateTimeOffset? from = Bound(filter, "fromModifiedDate");
        DateTimeOffset? to = Bound(filter, "toModifiedDate");
        var matching = _contacts.Values
            .Where(c =>
            {
                var modified = IvvyTimestamp.TryParse(c["modifiedDate"]!.GetValue<string>(), out var parsed)
                    ? parsed
                    : throw new InvalidOperationException("Fake record with a bad modifiedDate.");
                return (from is null || modified >= from) && (to is null || modified <= to);
            })
            .ToList();
        var page = matching.Skip(start).Take(perPage).Select(c => c.DeepClone()).ToArray();
        var response = new JsonObject
        {
            ["meta"] = new JsonObject
            {
                ["totalResults"] = matching.Count,
                ["start"] = start,
                ["perPage"] = perPage,
                ["count"] = page.Length,
            },
            ["results"] = new JsonArray(page),
        };
        var answer = Json(response);
        ListServed?.Invoke(++_listCalls);
        return answer;
    }

    private static DateTimeOffset? Bound(JsonObject? filter, string name) =>
        filter?[name] is JsonValue v && IvvyTimestamp.TryParse(v.GetValue<string>(), out var value) ? value : null;

    private bool SignatureIsValid(HttpRequestMessage request, byte[] body)
    {
        if (!request.Headers.TryGetValues(IvvySignature.AuthorizationHeader, out var auth)
            || !IvvySignature.TryParseAuthorization(auth.Single(), out var key, out var signature)
            || key != _apiKey
            || !request.Headers.TryGetValues(IvvySignature.DateHeader, out var dates)
            || request.Content is null
            || !request.Content.Headers.TryGetValues(IvvySignature.ContentMd5Header, out var md5s))
        {
            return false;
        }

        var md5 = md5s.Single();
        if (md5 != IvvySignature.ContentMd5(body))
        {
            return false;
        }

        var contentType = request.Content.Headers.ContentType!.ToString();
        var expected = IvvySignature.Sign(_apiSecret,
            IvvySignature.StringToSign(request.Method.Method, md5, contentType, request.RequestUri!.PathAndQuery, dates.Single()));
        return IvvySignature.SignaturesEqual(expected, signature);
    }

    private static HttpResponseMessage Json(JsonNode node) => new(HttpStatusCode.OK)
    {
        Content = new StringContent(node.ToJsonString(), Encoding.UTF8, "application/json"),
    };

    private static HttpResponseMessage Error(HttpStatusCode status, string message, int? specificCode) => new(status)
    {
        Content = new StringContent(
            new JsonObject { ["errorCode"] = (int)status, ["message"] = message, ["specificCode"] = specificCode }.ToJsonString(),
            Encoding.UTF8, "application/json"),
    };
}
