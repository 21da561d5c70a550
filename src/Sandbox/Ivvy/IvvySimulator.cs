using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>
/// A faithful, stateful simulator of iVvy API v1.0 for the <c>test</c> and <c>contact</c> namespaces: signed RPC calls
/// (<c>POST /api/1.0/{namespace}?action={action}</c>), offset paging with a capped page size, modified-date windows,
/// add/update semantics and iVvy's error envelope.
/// </summary>
/// <remarks>
/// <para>State is a SQLite file (<c>ivvy.db</c>) in the data folder; a new database is seeded with
/// <see cref="IvvySimulatorOptions.SeedCount"/> deterministic contacts, an existing one is opened as it was left.</para>
/// <para>Every request is checked like iVvy checks it: Content-MD5 of the raw body, the <c>IWS key:signature</c> HMAC-SHA1,
/// and an IVVY-Date (or Date) within <see cref="IvvySimulatorOptions.ClockSkewLimit"/> of this simulator's clock.
/// The HTTP status of an error equals its <c>errorCode</c>.</para>
/// <para>Actions: <c>test.ping</c>; <c>contact.getContactList</c>, <c>getContact</c>, <c>addOrUpdateContact</c>,
/// <c>getCustomFieldDefinition</c>, <c>getSubscriptionGroupList</c>. Other actions answer 501, unknown namespaces 404.</para>
/// <para>Control endpoints: <c>POST /__sandbox__/ivvy/seed</c> (<c>{"count":2000,"seed":42}</c>, replaces all data),
/// <c>POST /__sandbox__/ivvy/reset</c> (empties it), <c>GET /__sandbox__/ivvy/state</c>.</para>
/// </remarks>
public sealed class IvvySimulator : ISimulator
{
    private const int MaxBodyBytes = 10 * 1024 * 1024;

    private static readonly string[] SimulatedNamespaces = ["test", "contact"];

    private static readonly string[] KnownNamespaces =
        ["test", "batch", "contact", "event", "venue", "account", "invoice", "crm", "partner", "marketplace"];

    private readonly IvvySimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly IvvyContactStore _store;
    private readonly IvvyContactActions _contacts;
    private readonly IvvyRequestAuthenticator _authenticator;
    private readonly string? _ownedDirectory;
    private int _listCalls;

    /// <summary>Opens the simulator's database in <paramref name="dataDirectory"/>, creating and seeding it when it is new.</summary>
    /// <param name="options">Credentials, limits and seed settings.</param>
    /// <param name="dataDirectory">Folder of <c>ivvy.db</c>; null = a temporary folder deleted on dispose.</param>
    /// <param name="time">The simulator's clock: modified dates, the ping answer and the clock-skew check.</param>
    /// <exception cref="ValidationException">A setting in <paramref name="options"/> is out of range.</exception>
    public IvvySimulator(IvvySimulatorOptions options, string? dataDirectory, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        Validator.ValidateObject(options, new ValidationContext(options), validateAllProperties: true);
        _options = options;
        _time = time;
        if (dataDirectory is null)
        {
            _ownedDirectory = Path.Combine(Path.GetTempPath(), "ivvy-simulator-" + Guid.NewGuid().ToString("N"));
            dataDirectory = _ownedDirectory;
        }

        Directory.CreateDirectory(dataDirectory);
        DatabasePath = Path.Combine(dataDirectory, "ivvy.db");
        _store = new IvvyContactStore(DatabasePath);
        _contacts = new IvvyContactActions(_store, options, time);
        _authenticator = new IvvyRequestAuthenticator(options, time);

        if (!_store.IsInitialized())
        {
            SeedAsync(options.SeedCount, options.Seed).GetAwaiter().GetResult();
        }
    }

    /// <summary>Raised after each <c>getContactList</c> answer is computed and before it is sent, with the 1-based number of
    /// that list call since the simulator started. Lets a test change data between the pages a client reads.</summary>
    public event Action<int>? ContactListServed;

    /// <inheritdoc />
    public string Name => "ivvy";

    /// <summary>Path of the SQLite database holding the simulator's state.</summary>
    public string DatabasePath { get; }

    /// <inheritdoc />
    public void MapEndpoints(IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Map("/api/{version}/{namespace}", (RequestDelegate)HandleApiCallAsync);

        var control = app.MapGroup($"/__sandbox__/{Name}");
        control.MapPost("/seed", async (HttpContext context) =>
        {
            var count = _options.SeedCount;
            var seed = _options.Seed;
            if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                try
                {
                    var body = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
                    count = body?["count"]?.GetValue<int>() ?? count;
                    seed = body?["seed"]?.GetValue<int>() ?? seed;
                }
                catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
                {
                    return Results.BadRequest(new { error = "Expected {\"count\": <int>, \"seed\": <int>}: " + e.Message });
                }
            }

            if (count < 0)
            {
                return Results.BadRequest(new { error = "count must not be negative" });
            }

            await SeedAsync(count, seed, context.RequestAborted);
            return Results.Ok(new { contacts = await CountContactsAsync() });
        });
        control.MapPost("/reset", async (HttpContext context) =>
        {
            await ResetAsync(context.RequestAborted);
            return Results.Ok(new { contacts = 0 });
        });
        control.MapGet("/state", async () => Results.Ok(new { contacts = await CountContactsAsync(), listCalls = Volatile.Read(ref _listCalls) }));
    }

    /// <inheritdoc />
    public (int Status, string Body) FaultResponse(int status, TimeSpan? retryAfter)
    {
        var message = status switch
        {
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "Unknown",
        };
        return (status, IvvyApiException.Envelope(status, message));
    }

    /// <summary>Replaces all contacts and companies with <paramref name="count"/> deterministic contacts generated from
    /// <paramref name="seed"/>. Ids run from 1; dates spread over the two years before the start of today (UTC, simulator clock).</summary>
    /// <remarks>One transaction with a prepared insert: 100,000 contacts take a few seconds.</remarks>
    public Task SeedAsync(int count, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var anchor = new DateTimeOffset(_time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);
        var companies = IvvySeedData.Companies(count, random);
        var contacts = IvvySeedData.Contacts(count, random, _options.DuplicateIdentityRate, anchor, companies);
        return _store.ReplaceAllAsync(companies, contacts, cancellationToken);
    }

    /// <summary>Deletes every contact and company (an empty account; a restart does not reseed it).</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default) => _store.ReplaceAllAsync([], [], cancellationToken);

    /// <summary>Changes contact <paramref name="id"/> exactly as <c>addOrUpdateContact</c> would store it: the change is
    /// applied to the stored document and modifiedDate becomes the simulator's now.</summary>
    /// <exception cref="KeyNotFoundException">No contact has the id.</exception>
    public Task TouchContactAsync(int id, Action<JsonObject> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return _contacts.TouchAsync(id, change, cancellationToken);
    }

    /// <summary>How many contacts exist.</summary>
    public Task<int> CountContactsAsync() => Task.FromResult(_store.Count());

    /// <summary>Contact <paramref name="id"/> as <c>getContact</c> returns it, or null.</summary>
    public Task<JsonObject?> GetContactAsync(int id) => Task.FromResult(_store.Get(id));

    /// <inheritdoc />
    public ValueTask DisposeAsync()
    {
        _store.Dispose();
        if (_ownedDirectory is not null && Directory.Exists(_ownedDirectory))
        {
            try
            {
                Directory.Delete(_ownedDirectory, recursive: true);
            }
            catch (IOException)
            {
                // Leave a temp folder still in use for the OS to clean rather than fail disposal.
            }
        }

        return ValueTask.CompletedTask;
    }

    private async Task HandleApiCallAsync(HttpContext context)
    {
        var request = context.Request;
        var version = context.GetRouteValue("version") as string;
        var @namespace = context.GetRouteValue("namespace") as string ?? string.Empty;
        string body;
        int status;
        try
        {
            if (!HttpMethods.IsPost(request.Method))
            {
                throw new IvvyApiException(405, "Method Not Allowed");
            }

            var raw = await ReadBodyAsync(request, context.RequestAborted);
            _authenticator.Verify(request, raw);

            var action = request.Query["action"].ToString();
            if (version != "1.0" || !KnownNamespaces.Contains(@namespace, StringComparer.OrdinalIgnoreCase))
            {
                throw new IvvyApiException(404, "Not Found");
            }

            if (string.IsNullOrEmpty(action))
            {
                throw new IvvyApiException(404, "Not Found", additionalMessages: ["No action given"]);
            }

            var parameters = ParseParameters(raw);
            var result = await DispatchAsync(@namespace.ToLowerInvariant(), action, parameters, context.RequestAborted);
            (status, body) = (200, result.ToJsonString());
        }
        catch (IvvyApiException e)
        {
            (status, body) = (e.ErrorCode, e.ToJson());
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    private async Task<JsonNode> DispatchAsync(string @namespace, string action, JsonObject parameters, CancellationToken cancellationToken)
    {
        switch (@namespace, action.ToLowerInvariant())
        {
            case ("test", "ping"):
                return new JsonObject { ["ack"] = IvvyDates.Format(_time.GetUtcNow()) };
            case ("contact", "getcontactlist"):
                var page = _contacts.GetContactList(parameters);
                ContactListServed?.Invoke(Interlocked.Increment(ref _listCalls));
                return page;
            case ("contact", "getcontact"):
                return _contacts.GetContact(parameters);
            case ("contact", "addorupdatecontact"):
                return await _contacts.AddOrUpdateContactAsync(parameters, cancellationToken);
            case ("contact", "getcustomfielddefinition"):
                return IvvyCatalog.CustomFieldDefinitionJson();
            case ("contact", "getsubscriptiongrouplist"):
                return IvvyCatalog.SubscriptionGroupJson(_store.GroupMemberCounts());
            default:
                var reason = SimulatedNamespaces.Contains(@namespace)
                    ? $"The action '{action}' does not exist in namespace '{@namespace}'"
                    : $"The '{@namespace}' namespace is not simulated by the sandbox";
                throw new IvvyApiException(501, "Not Implemented", additionalMessages: [reason]);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                throw new IvvyApiException(400, "Bad Request", additionalMessages: ["The request body is too large"]);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static JsonObject ParseParameters(byte[] raw)
    {
        // The .NET SDK sends an empty body when an action has no parameters; that means "{}".
        if (raw.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return [];
        }

        try
        {
            return JsonNode.Parse(raw) as JsonObject
                ?? throw new IvvyApiException(400, "Bad Request", additionalMessages: ["The request body must be a JSON object"]);
        }
        catch (JsonException)
        {
            throw new IvvyApiException(400, "Bad Request", additionalMessages: ["The request body is not valid JSON"]);
        }
    }
}
