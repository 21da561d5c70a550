using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using static IvvyWorkflows.Sandbox.Ivvy.IvvyFilterSql;
using static IvvyWorkflows.Sandbox.Ivvy.IvvyRecordTables;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>The <c>venue</c> namespace's bookings: getBookingListForAccount, getBookingList, getBooking.</summary>
/// <remarks>A booking's <c>company</c> and <c>contact</c> objects are read from the company and contact when answered, so they
/// always match <c>companyId</c>/<c>contactId</c>. <c>modifiedDateAfter</c>/<c>modifiedDateBefore</c> are both inclusive and compare
/// <c>modifiedDate</c>.</remarks>
internal sealed class IvvyVenueActions(IvvyContactStore store, IvvySimulatorOptions options, TimeProvider time)
{
    /// <summary>Fields getBooking returns that the lists leave out.</summary>
    private static readonly string[] DetailOnlyFields = ["lastModifiedDate", "totalAttendees"];

    private static readonly Dictionary<string, Filter> Filters = new(StringComparer.Ordinal)
    {
        ["modifiedDateAfter"] = new("modified >= {0}", Kind.Timestamp),
        ["modifiedDateBefore"] = new("modified <= {0}", Kind.Timestamp),
        ["companyId"] = new("company_id = {0}", Kind.Integer),
        ["contactId"] = new("contact_id = {0}", Kind.Integer),
    };

    private static readonly Dictionary<string, Field> Fields = new(StringComparer.Ordinal)
    {
        ["id"] = new("id", Kind.Integer),
        ["code"] = new("code", Kind.Text),
        ["currentStatus"] = new("status", Kind.Integer),
        ["modifiedDate"] = new("modified", Kind.Timestamp),
    };

    /// <summary><c>getBookingListForAccount</c>: every venue's bookings by id; perPage required (23017).</summary>
    public JsonObject GetBookingListForAccount(JsonObject body)
    {
        var paging = IvvyPaging.From(body, options, perPageRequired: true);
        return List(paging, IvvyFilterSql.From(body["filter"], "bookings", Filters, Fields));
    }

    /// <summary><c>getBookingList</c>: one venue's bookings by id; venueId required (23017), 404 for an unknown venue.</summary>
    public JsonObject GetBookingList(JsonObject body)
    {
        var venueId = IvvyPaging.RequiredId(body, "venueId");
        var paging = IvvyPaging.From(body, options);
        var where = IvvyFilterSql.From(body["filter"], "bookings", Filters, Fields).And("venue_id = {0}", venueId);
        if (!store.Read((c, t) => Exists(c, t, Venues, venueId)))
        {
            throw new IvvyApiException(404, "Unable to find venue");
        }

        return List(paging, where);
    }

    /// <summary><c>getBooking</c>: one booking, bare; 404 when none has the id.</summary>
    public JsonObject GetBooking(JsonObject body)
    {
        var id = IvvyPaging.RequiredId(body, "id");
        return Get(id) ?? throw new IvvyApiException(404, "Unable to find booking");
    }

    /// <summary>Booking <paramref name="id"/> as getBooking returns it, or null.</summary>
    public JsonObject? Get(int id) => store.Read((c, t) =>
        IvvyRecordTables.Get(c, t, Bookings, id) is { } booking ? Present(c, t, [booking], detail: true)[0] : null);

    /// <summary>Changes a stored booking in process (e.g. its currentStatus): modifiedDate and lastModifiedDate move.</summary>
    /// <exception cref="KeyNotFoundException">No booking has <paramref name="id"/>.</exception>
    public Task TouchAsync(int id, Action<JsonObject> change, CancellationToken cancellationToken) =>
        store.WriteAsync(writer =>
        {
            var booking = IvvyRecordTables.Get(writer.Connection, writer.Transaction, Bookings, id)
                ?? throw new KeyNotFoundException($"No iVvy booking has id {id}.");
            change(booking);
            var now = time.GetUtcNow();
            booking["id"] = id;
            var modified = IvvyDates.Format(now.AddTicks(-(now.Ticks % TimeSpan.TicksPerSecond)));
            booking["modifiedDate"] = modified;
            booking["lastModifiedDate"] = modified;
            using var upsert = new Upsert(writer.Connection, writer.Transaction, Bookings);
            upsert.Execute(booking);
            return Task.FromResult(true);
        }, cancellationToken);

    private JsonObject List(IvvyPaging paging, IvvyFilterSql where) => store.Read((c, t) =>
    {
        var (total, page) = IvvyRecordTables.List(c, t, Bookings, where, "id", paging.Start, paging.PerPage);
        return paging.Collection(total, Present(c, t, page, detail: false));
    });

    private static List<JsonObject> Present(SqliteConnection c, SqliteTransaction t, List<JsonObject> bookings, bool detail)
    {
        var companies = Lookup(c, t, "SELECT id, business_name FROM companies WHERE id IN (SELECT value FROM json_each($ids))",
            bookings.Select(b => Integer(b["companyId"]) ?? 0));
        var contacts = Lookup(c, t, "SELECT id, first_name, last_name, email, phone FROM contacts WHERE id IN (SELECT value FROM json_each($ids))",
            bookings.Select(b => Integer(b["contactId"]) ?? 0));
        var results = new List<JsonObject>(bookings.Count);
        foreach (var booking in bookings)
        {
            var result = new JsonObject();
            foreach (var (name, value) in booking)
            {
                if (detail || !DetailOnlyFields.Contains(name))
                {
                    result[name] = value?.DeepClone();
                }

                if (name == "companyId")
                {
                    result["company"] = Integer(value) is { } companyId && companies.TryGetValue(companyId, out var company)
                        ? new JsonObject { ["id"] = companyId, ["businessName"] = company[0] }
                        : null;
                }
                else if (name == "contactId")
                {
                    result["contact"] = Integer(value) is { } contactId && contacts.TryGetValue(contactId, out var contact)
                        ? new JsonObject { ["id"] = contactId, ["firstName"] = contact[0], ["lastName"] = contact[1], ["email"] = contact[2], ["phone"] = contact[3] }
                        : null;
                }
            }

            if (detail)
            {
                // getBooking calls the list's leadId opportunityId.
                result["opportunityId"] = booking["leadId"]?.DeepClone();
                result["dailyRevenue"] = new JsonArray();
            }

            results.Add(result);
        }

        return results;
    }
}
