using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>
/// A faithful, stateful simulator of iVvy API v1.0 (the actions of iVvy's CRM integration guide): signed RPC calls
/// (<c>POST /api/1.0/{namespace}?action={action}</c>), offset paging with a capped page size, modified-date windows,
/// add/update semantics and iVvy's error envelope.
/// </summary>
/// <remarks>
/// <para>State is a SQLite file (<c>ivvy.db</c>) in the data folder; a new database is seeded with
/// <see cref="IvvySimulatorOptions.SeedCount"/> deterministic contacts and linked companies, events (invitations, registrations,
/// attendees), venue bookings and email log; an existing one is opened as it was left (a database of an older simulator, with
/// contacts only, gets the other records seeded once).</para>
/// <para>Every request is checked like iVvy checks it: Content-MD5 of the raw body, the <c>IWS key:signature</c> HMAC-SHA1,
/// and an IVVY-Date (or Date) within <see cref="IvvySimulatorOptions.ClockSkewLimit"/> of this simulator's clock.
/// The HTTP status of an error equals its <c>errorCode</c>.</para>
/// <para>Actions: <c>test.ping</c>; <c>contact.getContactList</c>, <c>getContact</c>, <c>addOrUpdateContact</c>,
/// <c>getCustomFieldDefinition</c>, <c>getSubscriptionGroupList</c>, <c>addContactsToSubscriptionGroup</c>,
/// <c>removeContactsFromSubscriptionGroup</c>, <c>getCompanyList</c>, <c>getCompany</c>, <c>addOrUpdateCompany</c>,
/// <c>getCompanyCustomFieldDefinition</c>; <c>account.getEmailLogList</c>; <c>event.getEventList</c>, <c>getEvent</c>,
/// <c>getInvitedContactList</c>, <c>getAttendeeList</c>, <c>getRegistrationList</c>; <c>venue.getBookingListForAccount</c>,
/// <c>getBookingList</c>, <c>getBooking</c>. Other actions answer 501, unknown namespaces 404.</para>
/// <para>Control endpoints: <c>POST /__sandbox__/ivvy/seed</c> (<c>{"count":2000,"seed":42}</c>, replaces all data),
/// <c>POST /__sandbox__/ivvy/reset</c> (empties it), <c>GET /__sandbox__/ivvy/state</c>.</para>
/// </remarks>
public sealed class IvvySimulator : ISimulator
{
    private const int MaxBodyBytes = 10 * 1024 * 1024;

    private static readonly string[] SimulatedNamespaces = ["test", "batch", "contact", "account", "event", "venue"];

    /// <summary>Most jobs one batch run takes (24448 above it).</summary>
    public const int MaxBatchJobs = 200;

    /// <summary>Finished batch runs by async id. iVvy keeps results two days; the sandbox keeps them while it runs.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, JsonArray> _batches = new(StringComparer.Ordinal);

    private static readonly string[] KnownNamespaces =
        ["test", "batch", "contact", "event", "venue", "account", "invoice", "crm", "partner", "marketplace"];

    private readonly IvvySimulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly IvvyContactStore _store;
    private readonly IvvyContactActions _contacts;
    private readonly IvvyCompanyActions _companies;
    private readonly IvvyEventActions _events;
    private readonly IvvyVenueActions _venues;
    private readonly IvvyEmailLogActions _emailLogs;
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
        _companies = new IvvyCompanyActions(_store, options, time);
        _events = new IvvyEventActions(_store, options, time);
        _venues = new IvvyVenueActions(_store, options, time);
        _emailLogs = new IvvyEmailLogActions(_store, options);
        _authenticator = new IvvyRequestAuthenticator(options, time);

        if (!_store.IsInitialized())
        {
            SeedAsync(options.SeedCount, options.Seed).GetAwaiter().GetResult();
        }
        else if (_store.StoredSchemaVersion() < IvvyContactStore.SchemaVersion)
        {
            UpgradeAsync().GetAwaiter().GetResult();
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
            401 => "Unauthorized",
            403 => "Forbidden",
            429 => "Too Many Requests",
            500 => "Internal Server Error",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            _ => "Unknown",
        };
        return (status, IvvyApiException.Envelope(status, message));
    }

    /// <summary>Replaces all data with <paramref name="count"/> deterministic contacts generated from <paramref name="seed"/>, and
    /// records linked to them: companies (≈ count/10), 12 events with invitations, registrations and attendees, 3 venues with
    /// bookings (≈ count/20) and an email log (≈ count/2). Contact ids run from 1; dates spread over the two years before the
    /// start of today (UTC, simulator clock).</summary>
    /// <remarks>One transaction with prepared inserts: 100,000 contacts and their records take a few seconds.</remarks>
    public Task SeedAsync(int count, int seed, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var random = new Random(seed);
        var anchor = Anchor();
        var companies = IvvySeedData.Companies(count, random);
        var summaries = new List<SeedContact>(count);
        var contacts = IvvySeedData.Contacts(count, random, _options.DuplicateIdentityRate, anchor, companies).Select(contact =>
        {
            summaries.Add(Summary(contact));
            return contact;
        });
        // The other records draw from their own generator, so adding to them never changes the contacts of a seed.
        return _store.ReplaceAllAsync(companies, contacts,
            writer => IvvyAccountSeedData.Write(writer, new Random(unchecked(seed * 31 + 7)), anchor, companies, summaries), cancellationToken);
    }

    /// <summary>Deletes every record (an empty account; a restart does not reseed it).</summary>
    public Task ResetAsync(CancellationToken cancellationToken = default) => _store.ReplaceAllAsync([], [], cancellationToken: cancellationToken);

    /// <summary>How many records of <paramref name="entity"/> exist.</summary>
    public Task<int> CountAsync(IvvyEntity entity) => Task.FromResult(entity == IvvyEntity.Contacts
        ? _store.Count()
        : _store.Read((c, t) => IvvyRecordTables.Count(c, t, entity switch
        {
            IvvyEntity.Companies => IvvyRecordTables.Companies,
            IvvyEntity.Events => IvvyRecordTables.Events,
            IvvyEntity.Invitations => IvvyRecordTables.Invitations,
            IvvyEntity.Registrations => IvvyRecordTables.Registrations,
            IvvyEntity.Attendees => IvvyRecordTables.Attendees,
            IvvyEntity.Venues => IvvyRecordTables.Venues,
            IvvyEntity.Bookings => IvvyRecordTables.Bookings,
            IvvyEntity.EmailLogs => IvvyRecordTables.EmailLogs,
            _ => throw new ArgumentOutOfRangeException(nameof(entity), entity, "Unknown entity"),
        })));

    /// <summary>Company <paramref name="id"/> as <c>getCompany</c> returns it, or null.</summary>
    public Task<JsonObject?> GetCompanyAsync(int id) => Task.FromResult(_companies.Get(id));

    /// <summary>Changes company <paramref name="id"/> as an iVvy user's edit would: the change is applied and modifiedDate moves.</summary>
    /// <exception cref="KeyNotFoundException">No company has the id.</exception>
    public Task TouchCompanyAsync(int id, Action<JsonObject> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return _companies.TouchAsync(id, change, cancellationToken);
    }

    /// <summary>Event <paramref name="id"/> as <c>getEvent</c> returns it, or null.</summary>
    public Task<JsonObject?> GetEventAsync(int id) => Task.FromResult(_events.GetEvent(id));

    /// <summary>Changes event <paramref name="id"/> (e.g. its title or currentStatus); modifiedDate moves.</summary>
    /// <exception cref="KeyNotFoundException">No event has the id.</exception>
    public Task TouchEventAsync(int id, Action<JsonObject> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return _events.TouchEventAsync(id, change, cancellationToken);
    }

    /// <summary>Contact <paramref name="contactId"/> answers the invitation to event <paramref name="eventId"/> ("U", "Y" or "N";
    /// an uninvited contact is invited with that answer): the invitation's response and modifiedDate move.</summary>
    /// <exception cref="KeyNotFoundException">No such event or contact.</exception>
    public Task RespondToInvitationAsync(int eventId, int contactId, string response, CancellationToken cancellationToken = default) =>
        _events.RespondToInvitationAsync(eventId, contactId, response, cancellationToken);

    /// <summary>Contact <paramref name="contactId"/> registers for event <paramref name="eventId"/> with registration status
    /// <paramref name="status"/> (1–7; 2, 3 and 4 also make an attendee); the contact's invitation, if any, gets the registration id.</summary>
    /// <returns>The new registration's id.</returns>
    /// <exception cref="KeyNotFoundException">No such event or contact.</exception>
    public Task<int> RegisterAsync(int eventId, int contactId, int status = 2, CancellationToken cancellationToken = default) =>
        _events.RegisterAsync(eventId, contactId, status, cancellationToken);

    /// <summary>Registration <paramref name="id"/> (with its eventId), or null.</summary>
    public Task<JsonObject?> GetRegistrationAsync(int id) => Task.FromResult(_events.GetRegistration(id));

    /// <summary>Changes registration <paramref name="id"/> (e.g. its currentStatus); modifiedDate moves.</summary>
    /// <exception cref="KeyNotFoundException">No registration has the id.</exception>
    public Task TouchRegistrationAsync(int id, Action<JsonObject> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return _events.TouchRegistrationAsync(id, change, cancellationToken);
    }

    /// <summary>Checks contact <paramref name="contactId"/>'s attendees of event <paramref name="eventId"/> in (or out):
    /// hasAttended, attendedDatetime and the attendee's modifiedDate move.</summary>
    /// <exception cref="KeyNotFoundException">The contact is not an attendee of the event.</exception>
    public Task MarkAttendedAsync(int eventId, int contactId, bool attended = true, CancellationToken cancellationToken = default) =>
        _events.MarkAttendedAsync(eventId, contactId, attended, cancellationToken);

    /// <summary>Booking <paramref name="id"/> as <c>getBooking</c> returns it, or null.</summary>
    public Task<JsonObject?> GetBookingAsync(int id) => Task.FromResult(_venues.Get(id));

    /// <summary>Changes booking <paramref name="id"/> (e.g. its currentStatus or totalAmount); modifiedDate moves.</summary>
    /// <exception cref="KeyNotFoundException">No booking has the id.</exception>
    public Task TouchBookingAsync(int id, Action<JsonObject> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return _venues.TouchAsync(id, change, cancellationToken);
    }

    /// <summary>Changes contact <paramref name="id"/> exactly as <c>addOrUpdateContact</c> would store it: the change is
    /// applied to the stored document and modifiedDate becomes the simulator's now.</summary>
    /// <exception cref="KeyNotFoundException">No contact has the id.</exception>
    public Task TouchContactAsync(int id, Action<JsonObject> change, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(change);
        return _contacts.TouchAsync(id, change, cancellationToken);
    }

    /// <summary>Deletes contact <paramref name="id"/> as an iVvy user deleting it would. The API has no delete action; since
    /// 4 Nov 2025 getContact no longer returns a deleted contact (ivvy-api.md), and here the list actions do not either.</summary>
    /// <exception cref="KeyNotFoundException">No contact has the id.</exception>
    public Task DeleteContactAsync(int id, CancellationToken cancellationToken = default) =>
        _store.WriteAsync(writer => Task.FromResult(writer.Delete(id) ? true : throw new KeyNotFoundException($"No iVvy contact has id {id}.")),
            cancellationToken);

    /// <summary>How many contacts exist.</summary>
    public Task<int> CountContactsAsync() => Task.FromResult(_store.Count());

    /// <summary>Contact <paramref name="id"/> as <c>getContact</c> returns it (event invitations and registrations included), or null.</summary>
    public Task<JsonObject?> GetContactAsync(int id) =>
        Task.FromResult(_store.Get(id) is { } contact ? _events.WithEventHistory(contact, byEventStart: false) : null);

    private DateTimeOffset Anchor() => new(_time.GetUtcNow().UtcDateTime.Date, TimeSpan.Zero);

    private static SeedContact Summary(JsonObject contact) => new(
        contact["id"]!.GetValue<int>(),
        contact["firstName"]?.GetValue<string>() ?? string.Empty,
        contact["lastName"]?.GetValue<string>() ?? string.Empty,
        contact["email"]?.GetValue<string>() ?? string.Empty,
        contact["phone"]?.GetValue<string>(),
        contact["companies"] is JsonArray { Count: > 0 } companies && IvvyJson.TryGetInteger(companies[0], out var companyId) ? (int)companyId : null,
        IvvyDates.TryParse(contact["createdDate"]?.GetValue<string>(), out var created) ? created.ToUnixTimeSeconds() : 0);

    /// <summary>Seeds the records a database of an older simulator lacks, linked to the contacts and companies it has.</summary>
    private Task UpgradeAsync() => _store.WriteAsync(writer =>
    {
        var companies = new List<(int Id, string BusinessName)>();
        var contacts = new List<SeedContact>();
        using (var command = writer.Connection.CreateCommand())
        {
            command.Transaction = writer.Transaction;
            command.CommandText = "SELECT id, business_name FROM companies ORDER BY id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                companies.Add((reader.GetInt32(0), reader.GetString(1)));
            }
        }

        using (var command = writer.Connection.CreateCommand())
        {
            command.Transaction = writer.Transaction;
            command.CommandText = "SELECT data FROM contacts ORDER BY id";
            using var reader = command.ExecuteReader();
            while (reader.Read())
            {
                contacts.Add(Summary(JsonNode.Parse(reader.GetString(0))!.AsObject()));
            }
        }

        if (contacts.Count > 0 || companies.Count > 0)
        {
            IvvyAccountSeedData.Write(writer, new Random(unchecked(_options.Seed * 31 + 7)), Anchor(), companies, contacts);
        }

        writer.MarkSchema(IvvyContactStore.SchemaVersion);
        return Task.FromResult(true);
    });

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
            case ("batch", "run"):
                return await RunBatchAsync(parameters, cancellationToken);
            case ("batch", "progress"):
                _ = BatchResults(parameters["async"], 24105);
                return new JsonObject { ["progress"] = 100 };
            case ("batch", "results"):
                var asyncId = parameters["asyncId"] ?? parameters["async"];
                return new JsonObject { ["asyncId"] = asyncId?.DeepClone(), ["results"] = BatchResults(asyncId, 24115).DeepClone() };
            case ("contact", "getcontactlist"):
                var page = _contacts.GetContactList(parameters);
                ContactListServed?.Invoke(Interlocked.Increment(ref _listCalls));
                return page;
            case ("contact", "getcontact"):
                return _events.WithEventHistory(_contacts.GetContact(parameters),
                    IvvyJson.TryGetBoolean(parameters["useEventSortOrder"], out var byStart) && byStart);
            case ("contact", "addorupdatecontact"):
                return await _contacts.AddOrUpdateContactAsync(parameters, cancellationToken);
            case ("contact", "getcustomfielddefinition"):
                return IvvyCatalog.CustomFieldDefinitionJson();
            case ("contact", "getsubscriptiongrouplist"):
                return IvvyCatalog.SubscriptionGroupJson(_store.GroupMemberCounts());
            case ("contact", "addcontactstosubscriptiongroup"):
                return await _companies.ChangeGroupMembershipAsync(parameters, add: true, cancellationToken);
            case ("contact", "removecontactsfromsubscriptiongroup"):
                return await _companies.ChangeGroupMembershipAsync(parameters, add: false, cancellationToken);
            case ("contact", "getcompanylist"):
                return _companies.GetCompanyList(parameters);
            case ("contact", "getcompany"):
                return _companies.GetCompany(parameters);
            case ("contact", "addorupdatecompany"):
                return await _companies.AddOrUpdateCompanyAsync(parameters, cancellationToken);
            case ("contact", "getcompanycustomfielddefinition"):
                return IvvyCatalog.CompanyCustomFieldDefinitionJson();
            case ("account", "getemailloglist"):
                return _emailLogs.GetEmailLogList(parameters);
            case ("event", "geteventlist"):
                return _events.GetEventList(parameters);
            case ("event", "getevent"):
                return _events.GetEvent(parameters);
            case ("event", "getinvitedcontactlist"):
                return _events.GetInvitedContactList(parameters);
            case ("event", "getattendeelist"):
                return _events.GetAttendeeList(parameters);
            case ("event", "getregistrationlist"):
                return _events.GetRegistrationList(parameters);
            case ("venue", "getbookinglistforaccount"):
                return _venues.GetBookingListForAccount(parameters);
            case ("venue", "getbookinglist"):
                return _venues.GetBookingList(parameters);
            case ("venue", "getbooking"):
                return _venues.GetBooking(parameters);
            default:
                var reason = SimulatedNamespaces.Contains(@namespace)
                    ? $"The action '{action}' does not exist in namespace '{@namespace}'"
                    : $"The '{@namespace}' namespace is not simulated by the sandbox";
                throw new IvvyApiException(501, "Not Implemented", additionalMessages: [reason]);
        }
    }

    /// <summary><c>batch?action=run</c>: runs each job as its own call would (an error answers that job only) and keeps the
    /// results under a new async id. The sandbox finishes a run before answering, so progress is always 100.</summary>
    private async Task<JsonNode> RunBatchAsync(JsonObject parameters, CancellationToken cancellationToken)
    {
        if (parameters["jobs"] is not JsonArray jobs)
        {
            throw new IvvyApiException(400, "Bad Request", 24092, additionalMessages: ["jobs must be an array of {namespace, action, params}"]);
        }

        if (jobs.Count == 0)
        {
            throw new IvvyApiException(400, "Bad Request", 24093, additionalMessages: ["jobs is empty"]);
        }

        if (jobs.Count > MaxBatchJobs)
        {
            throw new IvvyApiException(400, "Bad Request", 24448, additionalMessages: [$"at most {MaxBatchJobs} jobs per request"]);
        }

        var results = new JsonArray();
        foreach (var job in jobs)
        {
            var ns = job?["namespace"]?.GetValue<string>() ?? "";
            var action = job?["action"]?.GetValue<string>() ?? "";
            var request = job?["params"] as JsonObject ?? [];
            JsonNode response;
            try
            {
                response = ns.Equals("batch", StringComparison.OrdinalIgnoreCase)
                    ? throw new IvvyApiException(400, "Bad Request", 24092, additionalMessages: ["a batch job cannot run a batch"])
                    : await DispatchAsync(ns.ToLowerInvariant(), action, (JsonObject)request.DeepClone(), cancellationToken);
            }
            catch (IvvyApiException e)
            {
                response = JsonNode.Parse(e.ToJson())!;
            }

            results.Add(new JsonObject { ["namespace"] = ns, ["action"] = action, ["request"] = request.DeepClone(), ["response"] = response });
        }

        var asyncId = Guid.NewGuid().ToString("N");
        _batches[asyncId] = results;
        return new JsonObject { ["asyncId"] = asyncId };
    }

    private JsonArray BatchResults(JsonNode? asyncId, int notFoundCode) =>
        asyncId?.ToString() is { Length: > 0 } id && _batches.TryGetValue(id, out var results)
            ? results
            : throw new IvvyApiException(404, "Not Found", notFoundCode, additionalMessages: ["Could not find the batch"]);

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
