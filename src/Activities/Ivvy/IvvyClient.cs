using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace IvvyWorkflows.Activities.Ivvy;

/// <summary>One page of an iVvy collection (<c>{meta:{totalResults,start,perPage,count}, results:[…]}</c>).</summary>
/// <param name="Results">The records of this page, detached from the response document.</param>
/// <param name="TotalResults">Size of the whole (filtered) collection at the time of this read.</param>
/// <param name="Start">0-based offset of the first record of this page.</param>
/// <param name="Count">Number of records in this page.</param>
public sealed record IvvyPage(IReadOnlyList<JsonObject> Results, int TotalResults, int Start, int Count);

/// <summary>One job of a batch run: an action and its parameters, as its own call would send them.</summary>
public sealed record IvvyBatchJob(string Namespace, string Action, JsonObject Params);

/// <summary>iVvy's answer to an addOrUpdate… action.</summary>
/// <param name="Id">Id of the record written.</param>
/// <param name="Message">iVvy's message, when it sent one.</param>
public sealed record IvvyWriteResult(string Id, string? Message);

/// <summary>
/// Client of the iVvy API v1.0: signs each request (HMAC-SHA1), POSTs JSON to <c>{BaseUrl}/api/1.0/{namespace}?action={action}</c>,
/// meters the call, and turns every failure into a <see cref="ConnectorException"/> classified by <see cref="IvvyErrorTable"/>.
/// </summary>
/// <remarks>
/// <para>Every call runs through <see cref="RemoteCallPipeline"/>: transient and rate-limited failures are retried a bounded
/// number of times (honouring Retry-After), each attempt re-signed with a fresh IVVY-Date and bounded by a timeout.</para>
/// <para>Errors are detected by iVvy's envelope <c>{errorCode, message, specificCode, additionalMessages}</c> even when the
/// HTTP status is 200 (as the official .NET SDK does), and by the HTTP status. Credentials never appear in messages.</para>
/// <para>Thread-safe; one instance can serve concurrent calls.</para>
/// </remarks>
public sealed partial class IvvyClient
{
    /// <summary>Connector name used in meters and exceptions.</summary>
    public const string ConnectorName = "ivvy";

    
    private readonly HttpClient _http;
    private readonly IvvyClientOptions _options;
    private readonly ApiCallMeter _meter;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline _pipeline;
    private readonly CallPacer _pacer;
    private readonly Uri _apiRoot;

    /// <summary>Creates a client; <paramref name="options"/> are validated here (bad settings fail at start-up).</summary>
    /// <param name="pacer">The account's pacer, shared by every client of the account; one of its own from
    /// <see cref="IvvyClientOptions.RateLimit"/> when null.</param>
    public IvvyClient(HttpClient http, IvvyClientOptions options, ApiCallMeter meter, TimeProvider timeProvider, ILogger logger,
        CallPacer? pacer = null)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meter);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        options.ValidateOrThrow();
        _http = http;
        _options = options;
        _meter = meter;
        _time = timeProvider;
        _logger = logger;
        _pipeline = RemoteCallPipeline.Create(options.RemoteCall, timeProvider);
        _pacer = pacer ?? new CallPacer(options.RateLimit, timeProvider);
        // Scheme, host and port only: iVvy signs the path from "/api/1.0/", and user info must never travel in a URL.
        var root = options.BaseUrl.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
        _apiRoot = new Uri(root + "/api/" + IvvySignature.ApiVersion + "/");
    }

    /// <summary>The settings in use (page size, retry bounds).</summary>
    public IvvyClientOptions Options => _options;

    /// <summary>
    /// Calls <c>{namespace}?action={action}</c> with <paramref name="body"/> as compact JSON (null or empty → an empty body,
    /// as the official SDK sends) and returns the parsed response (null for an empty response).
    /// </summary>
    /// <exception cref="ConnectorException">Any failure, classified; retryable ones only after the bounded retries.</exception>
    public async Task<JsonNode?> CallAsync(string @namespace, string action, JsonObject? body, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(@namespace);
        ArgumentException.ThrowIfNullOrWhiteSpace(action);
        var endpoint = $"{@namespace}.{action}";
        var bytes = body is null || body.Count == 0 ? [] : Encoding.UTF8.GetBytes(body.ToJsonString());
        var uri = new Uri(_apiRoot, $"{Uri.EscapeDataString(@namespace)}?action={Uri.EscapeDataString(action)}");
        var recordCall = IvvyErrorTable.IsRecordCall(action);

        try
        {
            return await _pipeline.ExecuteAsync(
                token => _pacer.RunAsync(CallLane.General, t => SendOnceAsync(uri, endpoint, bytes, recordCall, t), token),
                ct).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException e)
        {
            var failure = new ConnectorException(ConnectorName, endpoint, FailureKind.Transient,
                $"iVvy {endpoint} did not answer within {_options.RemoteCall.AttemptTimeout.TotalSeconds:0.###} s " +
                $"(after {_options.RemoteCall.MaxRetries} retries at most).", inner: e);
            LogFailure(_logger, endpoint, failure.Kind, null, null);
            throw failure;
        }
    }

    /// <summary>Calls <c>test?action=ping</c> and returns iVvy's clock (<c>{"ack":"&lt;timestamp&gt;"}</c>).</summary>
    /// <remarks>Accepts the iVvy timestamp format with or without " UTC", ISO-8601 and unix seconds.</remarks>
    public async Task<DateTimeOffset> PingAsync(CancellationToken ct)
    {
        const string endpoint = "test.ping";
        var response = await CallAsync("test", "ping", null, ct).ConfigureAwait(false);
        var ack = (response as JsonObject)?["ack"];
        if (ack is JsonValue value)
        {
            if (value.TryGetValue<string>(out var text) && IvvyTimestamp.TryParseLenient(text, out var parsed))
            {
                return parsed;
            }

            if (value.TryGetValue<long>(out var unix) && IvvyTimestamp.TryFromUnixSeconds(unix, out parsed))
            {
                return parsed;
            }
        }

        throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
            $"iVvy {endpoint} answered without a readable \"ack\" timestamp: {RemoteText.Snippet(response?.ToJsonString())}");
    }

    /// <summary>Reads one page of a list action: body <c>{perPage, start, filter}</c>.</summary>
    /// <param name="namespace">e.g. "contact".</param>
    /// <param name="action">e.g. "getContactList".</param>
    /// <param name="start">0-based record offset.</param>
    /// <param name="perPage">Page size, 1–100.</param>
    /// <param name="filter">The action's filter object, or null for none.</param>
    /// <param name="ct">Cancellation.</param>
    /// <param name="parameters">The action's own parameters, e.g. <c>{"eventId": 7001}</c>.</param>
    /// <remarks>A bare JSON array (actions without paging) is returned as one page holding everything.</remarks>
    public async Task<IvvyPage> GetListAsync(string @namespace, string action, int start, int perPage, JsonObject? filter,
        CancellationToken ct, JsonObject? parameters = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfLessThan(perPage, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(perPage, 100);
        var endpoint = $"{@namespace}.{action}";
        // Action parameters (e.g. eventId) first, then paging: the body is compact JSON and signed as sent.
        var body = (JsonObject?)parameters?.DeepClone() ?? [];
        body["perPage"] = perPage;
        body["start"] = start;
        if (filter is { Count: > 0 })
        {
            body["filter"] = filter.DeepClone();
        }

        var response = await CallAsync(@namespace, action, body, ct).ConfigureAwait(false);
        switch (response)
        {
            case JsonArray bare:
            {
                var items = Detach(bare, endpoint);
                return new IvvyPage(items, items.Count, 0, items.Count);
            }

            case JsonObject { } envelope when envelope["results"] is JsonArray results:
            {
                var items = Detach(results, endpoint);
                var meta = envelope["meta"] as JsonObject;
                var pageStart = ReadInt(meta?["start"]) ?? start;
                var count = items.Count;
                var total = ReadInt(meta?["totalResults"]) ?? pageStart + count;
                return new IvvyPage(items, total, pageStart, count);
            }

            default:
                throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
                    $"iVvy {endpoint} answered without a \"results\" list: {RemoteText.Snippet(response?.ToJsonString())}");
        }
    }

    /// <summary>Calls an addOrUpdate… action with <paramref name="record"/> as the body.</summary>
    /// <remarks>Accepts <c>{success, id, message}</c> and a bare <c>{"id":…}</c>. When iVvy sends no id, the id in
    /// <paramref name="record"/> (an update) is returned.</remarks>
    /// <exception cref="ConnectorException"><see cref="FailureKind.Data"/> when iVvy answers <c>success:false</c>.</exception>
    public async Task<IvvyWriteResult> AddOrUpdateAsync(string @namespace, string action, JsonObject record, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(record);
        var endpoint = $"{@namespace}.{action}";
        var response = await CallAsync(@namespace, action, record, ct).ConfigureAwait(false) as JsonObject;
        var message = response?["message"] is JsonValue m && m.TryGetValue<string>(out var text) ? text : null;
        if (response?["success"] is JsonValue success && IsFalse(success))
        {
            throw new ConnectorException(ConnectorName, endpoint, FailureKind.Data,
                $"iVvy {endpoint} did not save the record: {RemoteText.Redact(message ?? "(no message)", _options.ApiKey, _options.ApiSecret)}");
        }

        var id = response is not null && TryIdOf(response, out var written) ? written
            : TryIdOf(record, out var sent) ? sent
            : throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
                $"iVvy {endpoint} answered without an id: {RemoteText.Snippet(response?.ToJsonString())}");
        return new IvvyWriteResult(id, message is null ? null : RemoteText.Redact(message, _options.ApiKey, _options.ApiSecret));
    }

    /// <summary>
    /// Runs up to 200 jobs as one <c>batch?action=run</c>, waits for the run (<c>progress</c>, backing off to 5 s), and
    /// returns each job's outcome in order: its response, or the failure its error envelope classifies to.
    /// </summary>
    /// <remarks>Three calls (run, progress, results) instead of one a job. A job's failure is data for its caller;
    /// a failure of the batch calls themselves throws as any call does.</remarks>
    public async Task<IReadOnlyList<(JsonObject? Response, ConnectorException? Error)>> RunBatchAsync(IReadOnlyList<IvvyBatchJob> jobs, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jobs.Count, MaxBatchJobs);
        var body = new JsonObject
        {
            ["jobs"] = new JsonArray(jobs.Select(j => (JsonNode)new JsonObject
            {
                ["namespace"] = j.Namespace,
                ["action"] = j.Action,
                ["params"] = j.Params.DeepClone(),
            }).ToArray()),
        };
        var run = await CallAsync("batch", "run", body, ct).ConfigureAwait(false);
        var asyncId = run?["asyncId"]?.ToString() ?? throw new ConnectorException(ConnectorName, "batch.run", FailureKind.System,
            $"iVvy batch.run answered without an asyncId: {RemoteText.Snippet(run?.ToJsonString())}");
        var waited = TimeSpan.Zero;
        for (var delay = TimeSpan.FromMilliseconds(200); ; delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks)))
        {
            var progress = await CallAsync("batch", "progress", new JsonObject { ["async"] = asyncId }, ct).ConfigureAwait(false);
            if (ReadInt(progress?["progress"]) >= 100)
            {
                break;
            }

            if (waited > TimeSpan.FromMinutes(10))
            {
                throw new ConnectorException(ConnectorName, "batch.progress", FailureKind.Transient, $"iVvy batch {asyncId} did not finish within 10 minutes.");
            }

            await Task.Delay(delay, _time, ct).ConfigureAwait(false);
            waited += delay;
        }

        var results = await CallAsync("batch", "results", new JsonObject { ["asyncId"] = asyncId }, ct).ConfigureAwait(false);
        var answers = results?["results"] as JsonArray ?? [];
        var outcomes = new List<(JsonObject?, ConnectorException?)>(jobs.Count);
        for (var i = 0; i < jobs.Count; i++)
        {
            var endpoint = $"{jobs[i].Namespace}.{jobs[i].Action}";
            var response = i < answers.Count ? answers[i]?["response"] as JsonObject : null;
            if (response is null)
            {
                outcomes.Add((null, new ConnectorException(ConnectorName, endpoint, FailureKind.Transient, $"iVvy batch {asyncId} has no result for job {i}.")));
            }
            else if (response["errorCode"] is not null)
            {
                var additional = response["additionalMessages"] is JsonArray extra ? extra.Select(n => n?.ToString()).OfType<string>().ToArray() : [];
                outcomes.Add((null, Failure(endpoint, recordCall: true, ReadInt(response["errorCode"]) ?? 500, ReadInt(response["specificCode"]),
                    response["message"]?.ToString(), additional, null, null)));
            }
            else
            {
                outcomes.Add((response, null));
            }
        }

        return outcomes;
    }

    /// <summary>Most jobs one batch run takes (iVvy answers 24448 above it).</summary>
    public const int MaxBatchJobs = 200;

    /// <summary>The record's <c>id</c> as a string; iVvy sends ids as numbers or strings.</summary>
    /// <exception cref="FormatException">The record has no usable id.</exception>
    public static string IdOf(JsonObject record) =>
        TryIdOf(record, out var id) ? id : throw new FormatException("The iVvy record has no usable \"id\".");

    /// <summary>Reads the record's <c>id</c> (number or non-empty string); false when there is none.</summary>
    public static bool TryIdOf(JsonObject record, out string id)
    {
        ArgumentNullException.ThrowIfNull(record);
        id = "";
        if (record["id"] is not JsonValue value)
        {
            return false;
        }

        switch (value.GetValueKind())
        {
            case JsonValueKind.Number:
                // The JSON text, so ids built in code (any CLR number type) and parsed ones read alike.
                var raw = value.ToJsonString();
                if (long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var whole))
                {
                    id = whole.ToString(CultureInfo.InvariantCulture);
                }
                else if (decimal.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                         && number == decimal.Truncate(number))
                {
                    id = decimal.Truncate(number).ToString(CultureInfo.InvariantCulture);
                }

                break;
            case JsonValueKind.String:
                id = value.GetValue<string>().Trim();
                break;
        }

        return id.Length > 0;
    }

    private async ValueTask<JsonNode?> SendOnceAsync(Uri uri, string endpoint, byte[] body, bool recordCall, CancellationToken token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri);
        IvvySignature.Apply(request, body, _options.ApiKey, _options.ApiSecret, _time.GetUtcNow());
        var started = _time.GetTimestamp();
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, token).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            _meter.Record(ConnectorName, endpoint, 0, _time.GetElapsedTime(started));
            var failure = new ConnectorException(ConnectorName, endpoint, FailureKind.Transient,
                $"iVvy {endpoint} could not be reached ({e.HttpRequestError}): {RemoteText.Redact(e.Message, _options.ApiKey, _options.ApiSecret)}", inner: e);
            LogFailure(_logger, endpoint, failure.Kind, null, null);
            throw failure;
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            // Not our token: HttpClient's own timeout fired.
            _meter.Record(ConnectorName, endpoint, 0, _time.GetElapsedTime(started));
            var failure = new ConnectorException(ConnectorName, endpoint, FailureKind.Transient,
                $"iVvy {endpoint} timed out (HttpClient timeout).", inner: e);
            LogFailure(_logger, endpoint, failure.Kind, null, null);
            throw failure;
        }

        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(token).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            var elapsed = _time.GetElapsedTime(started);
            _meter.Record(ConnectorName, endpoint, status, elapsed);
            LogCall(_logger, endpoint, status, elapsed.TotalMilliseconds);
            var retryAfter = RetryAfter.Of(response, _time);

            if (string.IsNullOrWhiteSpace(text))
            {
                return response.IsSuccessStatusCode
                    ? null
                    : throw Failure(endpoint, recordCall, status, null, null, [], retryAfter, "(empty body)");
            }

            JsonNode? parsed;
            try
            {
                parsed = JsonNode.Parse(text);
            }
            catch (JsonException)
            {
                if (response.IsSuccessStatusCode)
                {
                    LogFailure(_logger, endpoint, FailureKind.System, status, null);
                    throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
                        RemoteText.Redact($"iVvy {endpoint} answered {status} with a body that is not JSON: {RemoteText.Snippet(text)}", _options.ApiKey, _options.ApiSecret),
                        response.StatusCode);
                }

                throw Failure(endpoint, recordCall, status, null, null, [], retryAfter,
                    $"(not JSON) {RemoteText.Snippet(text)}");
            }

            if (parsed is JsonObject envelope && envelope["errorCode"] is not null)
            {
                var errorCode = ReadInt(envelope["errorCode"]) ?? (response.IsSuccessStatusCode ? 500 : status);
                var specificCode = ReadInt(envelope["specificCode"]);
                var message = envelope["message"] is JsonValue mv && mv.TryGetValue<string>(out var ms) ? ms : null;
                var additional = envelope["additionalMessages"] is JsonArray extra
                    ? extra.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : n?.ToJsonString())
                        .OfType<string>().ToArray()
                    : [];
                throw Failure(endpoint, recordCall, errorCode, specificCode, message, additional, retryAfter, null);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw Failure(endpoint, recordCall, status, null, null, [], retryAfter, RemoteText.Snippet(text));
            }

            return parsed;
        }
    }

    private ConnectorException Failure(string endpoint, bool recordCall, int errorCode, int? specificCode, string? remoteMessage,
        IReadOnlyList<string> additionalMessages, TimeSpan? retryAfter, string? rawSnippet)
    {
        var (kind, advice) = IvvyErrorTable.Classify(errorCode, specificCode, recordCall);

        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"iVvy {endpoint} failed with error {errorCode}");
        if (specificCode is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $" (specificCode {specificCode})");
        }

        text.Append(". ").Append(advice);
        if (remoteMessage is not null)
        {
            text.Append(" iVvy said: \"").Append(remoteMessage).Append('"');
            if (additionalMessages.Count > 0)
            {
                text.Append(" (").AppendJoin("; ", additionalMessages).Append(')');
            }

            text.Append('.');
        }
        else if (rawSnippet is not null)
        {
            text.Append(" Response: ").Append(rawSnippet);
        }

        // iVvy's errorCode equals the HTTP status it would send (also 460–463), so it is reported as the status.
        HttpStatusCode? status = errorCode is >= 100 and <= 999 ? (HttpStatusCode)errorCode : null;
        var failure = new ConnectorException(ConnectorName, endpoint, kind, RemoteText.Redact(text.ToString(), _options.ApiKey, _options.ApiSecret), status,
            specificCode?.ToString(CultureInfo.InvariantCulture), kind is FailureKind.RateLimited or FailureKind.Transient ? retryAfter : null);
        LogFailure(_logger, endpoint, kind, errorCode, specificCode, failure.RetryAfter?.TotalSeconds);
        return failure;
    }


    private static List<JsonObject> Detach(JsonArray array, string endpoint)
    {
        var items = new List<JsonObject>(array.Count);
        foreach (var node in array)
        {
            items.Add(node as JsonObject ?? throw new ConnectorException(ConnectorName, endpoint, FailureKind.System,
                $"iVvy {endpoint} returned a result that is not an object: {RemoteText.Snippet(node?.ToJsonString())}"));
        }

        // Clearing the array detaches the items, so callers can put them into other documents.
        array.Clear();
        return items;
    }

    /// <summary>false, 0 and "false" all mean a refused write.</summary>
    private static bool IsFalse(JsonValue value) => value.GetValueKind() switch
    {
        JsonValueKind.False => true,
        JsonValueKind.Number => value.ToJsonString() == "0",
        JsonValueKind.String => string.Equals(value.GetValue<string>().Trim(), "false", StringComparison.OrdinalIgnoreCase),
        _ => false,
    };

    private static int? ReadInt(JsonNode? node)
    {
        if (node is not JsonValue value)
        {
            return null;
        }

        var text = value.GetValueKind() switch
        {
            JsonValueKind.Number => value.ToJsonString(),
            JsonValueKind.String => value.GetValue<string>(),
            _ => null,
        };
        return int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) ? number : null;
    }



    [LoggerMessage(Level = LogLevel.Debug, Message = "iVvy {Endpoint} answered {Status} in {ElapsedMs:0} ms")]
    private static partial void LogCall(ILogger logger, string endpoint, int status, double elapsedMs);

    private static void LogFailure(ILogger logger, string endpoint, FailureKind kind, int? errorCode, int? specificCode, double? retryAfterSeconds = null) =>
        LogFailure(logger, endpoint, kind, FailureDetail.Of("errorCode", errorCode, specificCode is null ? null : $"specificCode {specificCode}", retryAfterSeconds));

    [LoggerMessage(Level = LogLevel.Warning, Message = "iVvy {Endpoint} failed: {Kind} ({Detail})")]
    private static partial void LogFailure(ILogger logger, string endpoint, FailureKind kind, string detail);
}
