using System.Globalization;
using System.Text.Json.Nodes;
using static IvvyWorkflows.Sandbox.Ivvy.IvvyRecordTables;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>
/// Deterministic seed data for every record beyond contacts, linked to the seeded contacts and companies: company details,
/// 12 events with invitations, registrations and attendees, 3 venues with bookings, and the email log.
/// </summary>
/// <remarks>
/// Links hold by construction: every companyId/contactId/registrationId written exists; an invitee who answered Y and
/// registered carries that registration's id; events that are not invite-only also have registrants never invited.
/// Every registration status 1–7 and every booking status 1, 2, 3, 4, 5, 8, 9 occurs once there are at least 7 of them.
/// </remarks>
internal static class IvvyAccountSeedData
{
    /// <summary>First event id; events run 7001–7012.</summary>
    public const int FirstEventId = 7001;

    /// <summary>First registration id (ids of different records never overlap, so a mixed-up id fails loudly).</summary>
    public const int FirstRegistrationId = 300_001;

    /// <summary>First attendee id.</summary>
    public const int FirstAttendeeId = 600_001;

    /// <summary>First booking id.</summary>
    public const int FirstBookingId = 900_001;

    /// <summary>Registration statuses (NET's enum): 1 In Progress, 2 Completed, 3 Cancelled, 4 Payment Waiting, 5 Deleted, 6 Checkout, 7 Incomplete.</summary>
    public static readonly int[] RegistrationStatuses = [1, 2, 3, 4, 5, 6, 7];

    /// <summary>Registration statuses whose people are on the attendee list.</summary>
    public static readonly int[] AttendingStatuses = [2, 3, 4];

    /// <summary>Booking statuses: 1 Prospective, 2 Tentative, 3 Confirmed, 4 Cancelled, 5 Ordering, 8 Not Accepted, 9 Prospective Hold.</summary>
    public static readonly int[] BookingStatuses = [1, 2, 3, 4, 5, 8, 9];

    public static readonly IReadOnlyList<(int Id, string Name, string Timezone, string City)> Venues =
    [
        (11, "Harbourside Convention Centre", "Australia/Sydney", "Sydney"),
        (12, "Riverbank Grand Hotel", "Australia/Brisbane", "Brisbane"),
        (13, "Kōwhai Lodge & Conference Retreat", "Pacific/Auckland", "Queenstown"),
    ];

    private static readonly string[] EventTitles =
    [
        "Annual Industry Summit", "Spring Networking Evening", "Leadership Forum", "Product Launch Gala", "Regional Roadshow — Brisbane",
        "Partner Golf Day", "Tech & Events Expo", "Winter Charity Ball", "Customer Advisory Board", "Sustainability Seminar",
        "Sales Kick-off", "Future of Hospitality Conference",
    ];

    private static readonly string[] Timezones = ["Australia/Sydney", "Australia/Brisbane", "Australia/Melbourne", "Pacific/Auckland", "Europe/London"];

    private static readonly string[] BookingTypes = ["Conference", "Meeting", "Wedding", "Gala Dinner", "Training", "Exhibition"];

    private static readonly string[] Industries = ["Hospitality", "Technology", "Finance", "Education", "Government", "Healthcare"];

    private static readonly (int Type, int RefType, string Subject)[] EmailKinds =
    [
        (1, 5, "Your registration for {event} is complete"),
        (2, 5, "Registration received — payment pending for {event}"),
        (5, 5, "Payment reminder: {event}"),
        (31, 2, "Reminder: {event} is coming up"),
        (30, 2, "How was {event}? Tell us"),
        (28, 1, "Welcome to our mailing list"),
        (16, 1, "Your details have been updated"),
        (1501, 6, "Invoice INV-{ref} from Harbourside Events"),
        (4000, 12, "Booking confirmation {ref}"),
        (1003, 13, "New company added: {company}"),
    ];

    /// <summary>How many of each record a seed of <paramref name="contactCount"/> contacts gets.</summary>
    public static int BookingCount(int contactCount) => Math.Clamp(contactCount / 20, 21, 50_000);

    public static int EmailLogCount(int contactCount) => contactCount == 0 ? 0 : Math.Clamp(contactCount / 2, 20, 5_000_000);

    /// <summary>Writes every record beyond contacts (company documents included) in the writer's transaction.</summary>
    public static void Write(
        IvvyContactStore.Writer writer, Random random, DateTimeOffset anchor, IReadOnlyList<(int Id, string BusinessName)> companies,
        IReadOnlyList<SeedContact> contacts)
    {
        var connection = writer.Connection;
        var transaction = writer.Transaction;
        var now = anchor.ToUnixTimeSeconds();

        using (var upsert = new Upsert(connection, transaction, IvvyRecordTables.Companies))
        {
            var primary = new Dictionary<int, SeedContact>();
            foreach (var contact in contacts)
            {
                if (contact.CompanyId is { } companyId)
                {
                    primary.TryAdd(companyId, contact);
                }
            }

            foreach (var (id, name) in companies)
            {
                upsert.Execute(Company(random, id, name, primary.TryGetValue(id, out var c) ? c : null, now));
            }
        }

        using (var upsert = new Upsert(connection, transaction, IvvyRecordTables.Venues))
        {
            foreach (var venue in Venues)
            {
                upsert.Execute(new JsonObject
                {
                    ["id"] = venue.Id,
                    ["name"] = venue.Name,
                    ["timezone"] = venue.Timezone,
                    ["address"] = new JsonObject { ["city"] = venue.City, ["countryCode"] = venue.Timezone.StartsWith("Pacific", StringComparison.Ordinal) ? "NZ" : "AU" },
                });
            }
        }

        var events = WriteEvents(writer, random, now, contacts);
        WriteBookings(writer, random, now, companies, contacts);
        WriteEmailLogs(writer, random, now, contacts, events, companies);
    }

    /// <summary>A company as getCompany returns it (otherPhone and externalUrls included).</summary>
    public static JsonObject Company(Random random, int id, string businessName, SeedContact? primaryContact, long now)
    {
        var modified = now - random.NextInt64(730L * 24 * 3600);
        var city = Pick(random, ["Sydney", "Melbourne", "Brisbane", "Perth", "Auckland", "London"]);
        return new JsonObject
        {
            ["id"] = id,
            ["externalId"] = null,
            ["businessName"] = businessName,
            ["tradingName"] = random.NextDouble() < 0.5 ? businessName.Split(' ')[0] + " Events" : null,
            ["businessNumber"] = random.NextDouble() < 0.6 ? random.NextInt64(10_000_000_000, 99_999_999_999).ToString(CultureInfo.InvariantCulture) : null,
            ["phone"] = $"+61 2 {random.Next(1000, 10000)} {random.Next(1000, 10000)}",
            ["otherPhone"] = null,
            ["fax"] = null,
            ["website"] = $"https://www.{IvvySeedData.EmailPart(businessName.Split(' ')[0])}.example.com",
            ["email"] = $"info@{IvvySeedData.EmailPart(businessName.Split(' ')[0])}.example.com",
            ["address"] = new JsonObject
            {
                ["line1"] = $"{random.Next(1, 400)} {Pick(random, ["George", "Queen", "Collins", "Ann", "Hay"])} Street",
                ["line2"] = null,
                ["line3"] = null,
                ["line4"] = null,
                ["city"] = city,
                ["stateCode"] = city switch { "Sydney" => "NSW", "Melbourne" => "VIC", "Brisbane" => "QLD", "Perth" => "WA", _ => null },
                ["countryCode"] = city switch { "Auckland" => "NZ", "London" => "GB", _ => "AU" },
                ["postalCode"] = random.Next(1000, 9999).ToString(CultureInfo.InvariantCulture),
            },
            ["modifiedDate"] = IvvyDates.Format(modified),
            ["primaryAccountManager"] = new JsonObject { ["id"] = 1, ["firstName"] = "Sandbox", ["lastName"] = "Manager", ["email"] = "manager@example.com" },
            ["secondaryAccountManager"] = null,
            ["primaryContact"] = primaryContact is { } c
                ? new JsonObject { ["id"] = c.Id, ["firstName"] = c.First, ["lastName"] = c.Last, ["email"] = c.Email, ["phone"] = c.Phone }
                : null,
            ["industry"] = random.NextDouble() < 0.7 ? IndustryJson(random.Next(Industries.Length)) : null,
            // iVvy documents isAgent as an integer and sends 0/1, never true/false.
            ["isAgent"] = random.NextDouble() < 0.05 ? 1 : 0,
            ["parentCompanyId"] = null,
            ["leftValue"] = 1,
            ["rightValue"] = 2,
            ["depth"] = 0,
            ["rootId"] = id,
            // Named as getCompany's Returns table names them (writes take commissionFood etc.); no commission set.
            ["commissionSpace"] = 0,
            ["commissionSpaceType"] = null,
            ["commissionFoodValue"] = 0,
            ["commissionFoodType"] = null,
            ["commissionBeverageValue"] = 0,
            ["commissionBeverageType"] = null,
            ["commissionAudioVisualValue"] = 0,
            ["commissionAudioVisualType"] = null,
            ["commissionAccommodationValue"] = 0,
            ["commissionAccommodationType"] = null,
            ["iataNumber"] = null,
            ["customFields"] = new JsonArray(),
            ["externalUrls"] = new JsonArray(),
        };
    }

    private static JsonObject IndustryJson(int index) => new() { ["id"] = index + 1, ["name"] = Industries[index] };

    private static List<(int Id, string Title)> WriteEvents(IvvyContactStore.Writer writer, Random random, long now, IReadOnlyList<SeedContact> contacts)
    {
        const long day = 24 * 3600;
        var events = new List<(int, string)>();
        var registrationId = FirstRegistrationId;
        var attendeeId = FirstAttendeeId;
        var registrationCount = 0;
        using var eventUpsert = new Upsert(writer.Connection, writer.Transaction, IvvyRecordTables.Events);
        using var invitationUpsert = new Upsert(writer.Connection, writer.Transaction, Invitations);
        using var registrationUpsert = new Upsert(writer.Connection, writer.Transaction, Registrations);
        using var attendeeUpsert = new Upsert(writer.Connection, writer.Transaction, Attendees);

        for (var index = 0; index < EventTitles.Length; index++)
        {
            var id = FirstEventId + index;
            var title = EventTitles[index];
            // Seven past events (closed), four upcoming launched ones, one draft.
            var start = now + (index - 7) * 45 * day + random.Next(1, 20) * day + 9 * 3600;
            var status = index < 7 ? 1 : index < 11 ? 3 : 0;
            var end = start + random.Next(1, 3) * day;
            var created = start - 150 * day;
            var inviteOnly = index % 3 == 0;
            var timezone = Pick(random, Timezones);
            events.Add((id, title));
            eventUpsert.Execute(new JsonObject
            {
                ["id"] = id,
                ["code"] = "EV" + id.ToString(CultureInfo.InvariantCulture),
                ["eventType"] = Pick(random, [5, 6, 7, 8, 1, 3, 9]),
                ["title"] = title,
                ["domainName"] = $"ev{id}.events.example.com",
                ["startDateTime"] = IvvyDates.Format(start),
                ["endDateTime"] = IvvyDates.Format(end),
                ["timezone"] = timezone,
                ["capacity"] = 500,
                ["numRegistered"] = 0,
                ["currentStatus"] = status,
                ["isInviteOnly"] = inviteOnly,
                ["contactName"] = "Sandbox Events Team",
                ["contactEmail"] = "events@example.com",
                ["websiteUrl"] = $"https://ev{id}.events.example.com",
                ["websiteTemplateBannerImageUrl"] = null,
                ["eventTags"] = new JsonArray(new JsonObject { ["id"] = 1 + (index % 3), ["name"] = Pick(random, ["Corporate", "Public", "Partner"]) }),
                ["modifiedDate"] = IvvyDates.Format(Math.Min(now, created + random.NextInt64(30 * day))),
            });

            if (status == 0 || contacts.Count == 0)
            {
                continue;
            }

            // People act between the event's creation (or their own, if later) and the earlier of its start and now:
            // nobody is invited or registers before they exist, and everyone registers before the event starts.
            var windowEnd = Math.Min(start, now);
            long When(SeedContact person)
            {
                var from = Math.Max(created, person.Created);
                return from + random.NextInt64(Math.Max(1, windowEnd - from));
            }

            var eligible = contacts.Count(c => c.Created < windowEnd);
            var invited = new HashSet<int>();
            var inviteTarget = Math.Min(eligible, random.Next(20, 201));
            var registrants = new List<(SeedContact Contact, long At)>();
            var rowId = 0L;
            while (invited.Count < inviteTarget)
            {
                var contact = contacts[random.Next(contacts.Count)];
                if (contact.Created >= windowEnd || !invited.Add(contact.Id))
                {
                    continue;
                }

                var roll = random.NextDouble();
                var response = roll < 0.45 ? "Y" : roll < 0.65 ? "N" : "U";
                var at = When(contact);
                int? registration = null;
                if (response == "Y" && random.NextDouble() < 0.85)
                {
                    registration = registrationId + registrants.Count;
                    registrants.Add((contact, at));
                }

                invitationUpsert.Execute(new JsonObject
                {
                    ["eventId"] = id,
                    ["contactId"] = contact.Id,
                    ["response"] = response,
                    ["registrationId"] = registration,
                    ["modifiedDate"] = IvvyDates.Format(at),
                }, rowId: (long)id * 10_000_000 + ++rowId);
            }

            if (!inviteOnly)
            {
                var walkIns = Math.Min(eligible - invited.Count, random.Next(10, 61));
                for (var added = 0; added < walkIns;)
                {
                    var contact = contacts[random.Next(contacts.Count)];
                    if (contact.Created < windowEnd && invited.Add(contact.Id))
                    {
                        registrants.Add((contact, When(contact)));
                        added++;
                    }
                }
            }

            foreach (var (contact, at) in registrants)
            {
                var status7 = registrationCount < RegistrationStatuses.Length
                    ? RegistrationStatuses[registrationCount]
                    : Pick(random, [1, 2, 2, 2, 2, 2, 2, 2, 3, 4, 4, 5, 6, 7]);
                registrationCount++;
                var cost = random.Next(0, 12) * 55m;
                var paid = status7 == 2 ? cost : status7 == 4 ? Math.Round(cost / 2, 2) : 0m;
                var modified = at + random.NextInt64(Math.Max(1, windowEnd - at));
                registrationUpsert.Execute(new JsonObject
                {
                    ["id"] = registrationId,
                    ["eventId"] = id,
                    ["eventName"] = title,
                    ["currentStatus"] = status7,
                    ["isExhibitor"] = random.NextDouble() < 0.1,
                    ["completedDate"] = status7 == 2 ? IvvyDates.Format(at) : null,
                    ["mainContactId"] = contact.Id,
                    ["firstName"] = contact.First,
                    ["lastName"] = contact.Last,
                    ["phone"] = contact.Phone,
                    ["privacyConsentData"] = null,
                    ["invoiceTotalCost"] = cost,
                    ["invoiceTotalPaid"] = paid,
                    ["createdDate"] = IvvyDates.Format(at),
                    ["modifiedDate"] = IvvyDates.Format(modified),
                });

                if (AttendingStatuses.Contains(status7))
                {
                    // Only a completed registration of an event that has begun can have been checked in, and only while it ran.
                    (long From, long To)? checkIn = start < now && status7 == 2 ? (start, Math.Min(end, now)) : null;
                    attendeeUpsert.Execute(Attendee(random, attendeeId++, id, registrationId, contact.Id, at, checkIn));
                    if (random.NextDouble() < 0.2)
                    {
                        // A guest on the same registration: anyone who existed by then, often never invited.
                        var guest = contacts[random.Next(contacts.Count)];
                        if (guest.Created <= at)
                        {
                            attendeeUpsert.Execute(Attendee(random, attendeeId++, id, registrationId, guest.Id, at, checkIn));
                        }
                    }
                }

                registrationId++;
            }
        }

        return events;
    }

    /// <summary>An attendee document registered at <paramref name="at"/>; names and email are read from the contact when listed.</summary>
    /// <param name="checkIn">When the attendee could have been checked in (the event's run so far), or null if not at all.</param>
    public static JsonObject Attendee(Random random, int id, int eventId, int registrationId, int contactId, long at, (long From, long To)? checkIn)
    {
        var attended = checkIn is not null && random.NextDouble() < 0.8;
        var inSession = attended && random.NextDouble() < 0.6;
        var attendedAt = checkIn is { } during ? during.From + random.NextInt64(Math.Max(1, during.To - during.From)) : at;
        return new JsonObject
        {
            ["id"] = id,
            ["eventId"] = eventId,
            ["registrationId"] = registrationId,
            ["contactId"] = contactId,
            ["ticketTitle"] = Pick(random, ["Full Pass", "Day Pass", "VIP", "Student"]),
            ["privacyConsentData"] = null,
            ["hasAttended"] = attended,
            ["sessionHasAttended"] = inSession,
            ["isPublic"] = random.NextDouble() < 0.7,
            ["barcode"] = "A" + id.ToString(CultureInfo.InvariantCulture),
            ["barcodeUrl"] = $"https://tickets.example.com/barcode/{id}",
            ["ticketUrl"] = $"https://tickets.example.com/ticket/{id}",
            ["attendedDatetime"] = attended ? IvvyDates.Format(attendedAt) : null,
            ["sessionAttendedTimestamp"] = inSession ? IvvyDates.Format(attendedAt) : null,
            ["cost"] = random.Next(0, 12) * 55,
            ["customFields"] = new JsonArray(
                new JsonObject { ["name"] = "Dietary Requirements", ["value"] = Pick(random, ["None", "Vegetarian", "Vegan", "Gluten free"]) },
                new JsonObject { ["name"] = "T-shirt Size", ["value"] = Pick(random, ["S", "M", "L", "XL"]) }),
            ["sessions"] = new JsonArray(new JsonObject
            {
                ["sessionId"] = 1,
                ["sessionName"] = "Opening Keynote",
                ["isOptional"] = false,
                ["hasAttended"] = inSession,
                ["attendedDatetime"] = inSession ? IvvyDates.Format(attendedAt) : null,
                ["isSessionReserved"] = true,
            }),
            ["createdDate"] = IvvyDates.Format(at),
            // Checking in changes the attendee.
            ["modifiedDate"] = IvvyDates.Format(attended ? attendedAt : at),
        };
    }

    private static void WriteBookings(
        IvvyContactStore.Writer writer, Random random, long now, IReadOnlyList<(int Id, string BusinessName)> companies, IReadOnlyList<SeedContact> contacts)
    {
        const long day = 24 * 3600;
        var count = contacts.Count == 0 ? 0 : BookingCount(contacts.Count);
        var byCompany = contacts.Where(c => c.CompanyId is not null).GroupBy(c => c.CompanyId!.Value).ToDictionary(g => g.Key, g => g.First());
        var codes = new Dictionary<int, int>();
        using var upsert = new Upsert(writer.Connection, writer.Transaction, Bookings);
        for (var n = 0; n < count; n++)
        {
            var id = FirstBookingId + n;
            var venue = Venues[random.Next(Venues.Count)];
            var status = n < BookingStatuses.Length ? BookingStatuses[n] : Pick(random, [1, 1, 2, 2, 3, 3, 3, 3, 4, 5, 8, 9]);
            int? companyId = companies.Count > 0 && random.NextDouble() < 0.7 ? companies[random.Next(companies.Count)].Id : null;
            var contact = companyId is { } cid && byCompany.TryGetValue(cid, out var member) ? member : contacts[random.Next(contacts.Count)];
            var created = now - random.NextInt64(730 * day);
            var modified = created + random.NextInt64(now - created + 1);
            var eventStart = (created / day + random.Next(14, 300)) * day;
            var total = random.Next(10, 2000) * 25m;
            var tax = Math.Round(total / 11, 2);
            var code = codes[venue.Id] = codes.GetValueOrDefault(venue.Id) + 1;
            var bookingType = Pick(random, [1, 1, 1, 3, 4]);
            upsert.Execute(new JsonObject
            {
                ["id"] = id,
                ["venueId"] = venue.Id,
                ["leadId"] = random.NextDouble() < 0.3 ? random.Next(100, 5000) : null,
                ["code"] = "B" + code.ToString("D5", CultureInfo.InvariantCulture),
                ["name"] = $"{Pick(random, BookingTypes)} — {(companyId is { } c2 ? companies.First(x => x.Id == c2).BusinessName : contact.Last)}",
                ["eventType"] = Pick(random, BookingTypes),
                ["eventTypeId"] = random.Next(1, 7),
                ["eventSubTypeId"] = null,
                ["bookingType"] = bookingType,
                ["companyId"] = companyId,
                ["contactId"] = contact.Id,
                ["bookedById"] = 1,
                ["isConfidential"] = random.NextDouble() < 0.05,
                ["currentStatus"] = status,
                ["totalAmount"] = total,
                ["totalTaxAmount"] = tax,
                ["amountOutstanding"] = status == 3 ? Math.Round(total * random.Next(0, 2) / 2, 2) : total,
                ["accountTimezone"] = "Australia/Sydney",
                ["venueTimezone"] = venue.Timezone,
                ["createdDate"] = IvvyDates.Format(created),
                ["modifiedDate"] = IvvyDates.Format(modified),
                ["lastModifiedDate"] = IvvyDates.Format(modified),
                ["dateEventStart"] = IvvyDates.Format(eventStart),
                ["dateEventEnd"] = IvvyDates.Format(eventStart + random.Next(0, 3) * day),
                ["convertedToTentative"] = status is 2 or 3 ? IvvyDates.Format(created + day) : null,
                ["convertedToConfirmed"] = status == 3 ? IvvyDates.Format(created + 2 * day) : null,
                ["convertedToCancelled"] = status == 4 ? IvvyDates.Format(modified) : null,
                ["decisionDate"] = random.NextDouble() < 0.5 ? string.Empty : IvvyDates.Format(created + 7 * day),
                ["canBeMoved"] = true,
                ["isAccommIncluded"] = bookingType == 4,
                ["dateAccomStart"] = bookingType == 4 ? IvvyDates.Format(eventStart) : string.Empty,
                ["dateAccomEnd"] = bookingType == 4 ? IvvyDates.Format(eventStart + 2 * day) : string.Empty,
                ["hasPackages"] = random.NextDouble() < 0.4,
                ["beoNumbers"] = new JsonArray(),
                ["isBeoFinalised"] = false,
                ["beoFinalisedDate"] = string.Empty,
                ["otaFolioRef"] = null,
                ["totalAttendees"] = random.Next(10, 400),
            });
        }
    }

    private static void WriteEmailLogs(
        IvvyContactStore.Writer writer, Random random, long now, IReadOnlyList<SeedContact> contacts, List<(int Id, string Title)> events,
        IReadOnlyList<(int Id, string BusinessName)> companies)
    {
        var count = EmailLogCount(contacts.Count);
        var times = new long[count];
        for (var i = 0; i < count; i++)
        {
            times[i] = now - random.NextInt64(730L * 24 * 3600);
        }

        // Ids follow the send order, as an append-only log's do.
        Array.Sort(times);
        var large = new HashSet<int> { count / 4, count / 2, 3 * count / 4 };
        using var upsert = new Upsert(writer.Connection, writer.Transaction, EmailLogs);
        for (var i = 0; i < count; i++)
        {
            var id = i + 1;
            var (type, refType, subjectTemplate) = EmailKinds[random.Next(EmailKinds.Length)];
            // Mail goes to a contact that existed when it was sent (the earliest mail may find none); some to no contact.
            SeedContact? contact = null;
            for (var tries = random.NextDouble() < 0.92 ? 20 : 0; tries > 0 && contact is null; tries--)
            {
                var candidate = contacts[random.Next(contacts.Count)];
                contact = candidate.Created <= times[i] ? candidate : null;
            }

            var @event = refType is 2 or 5 ? events[random.Next(events.Count)] : default;
            var refId = refType switch
            {
                1 => contact?.Id ?? 0,
                2 => @event.Id,
                13 => companies.Count > 0 ? companies[random.Next(companies.Count)].Id : 0,
                12 => FirstBookingId + random.Next(Math.Max(1, BookingCount(contacts.Count))),
                _ => random.Next(1000, 99_999),
            };
            var subject = subjectTemplate.Replace("{event}", @event.Title ?? "our event", StringComparison.Ordinal)
                .Replace("{ref}", refId.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{company}", refType == 13 && companies.Count > 0 ? companies.First(c => c.Id == refId).BusinessName : string.Empty, StringComparison.Ordinal);
            upsert.Execute(new JsonObject
            {
                ["id"] = id,
                ["contactId"] = contact?.Id,
                ["userId"] = random.NextDouble() < 0.3 ? 1 : null,
                ["eventId"] = @event.Id == 0 ? null : @event.Id,
                ["type"] = type,
                ["refType"] = refType,
                ["refId"] = refId,
                ["from"] = "Sandbox Events <events@example.com>",
                ["to"] = contact?.Email ?? "unknown.recipient@example.org",
                ["bcc"] = random.NextDouble() < 0.2 ? "archive@example.org" : null,
                ["subject"] = subject,
                ["bodyKind"] = large.Contains(i) ? "large" : Pick(random, ["plain", "styled", "script", "links"]),
                ["recipientName"] = contact is { } r ? r.First : "there",
                ["sentTime"] = IvvyDates.Format(times[i]),
                ["success"] = random.NextDouble() < 0.97,
            });
        }
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];
}

/// <summary>What the rest of the seed needs to know about one seeded contact.</summary>
/// <param name="Created">When the contact was created (Unix seconds): nothing happens to a contact before it exists.</param>
internal readonly record struct SeedContact(int Id, string First, string Last, string Email, string? Phone, int? CompanyId, long Created);
