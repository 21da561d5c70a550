using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

/// <summary>
/// Every field of every simulated iVvy response, checked against the type iVvy documents for it: a client typed from
/// iVvy's documentation (developer.ivvy.com, its C# SDK's models, the examples in both) must read every record.
/// </summary>
/// <remarks>
/// A shape maps each field path (<c>address.city</c>, <c>customFields[].fieldId</c>; <c>[]</c> for an array's items) to
/// its type. A field the table does not know fails too: the simulator answers only with documented fields.
/// Types: <c>int</c> (a whole JSON number), <c>number</c>, <c>string</c>, <c>bool</c> (JSON true/false),
/// <c>flag</c> (the integer 0 or 1, iVvy's documented integer booleans such as <c>isAgent</c>), <c>timestamp</c>
/// (iVvy Timestamp Format, " UTC" optional), <c>date</c> (a timestamp, or "" for none, as bookings send), <c>object</c>,
/// <c>array</c>, <c>any</c> (a custom field's value, typed by its definition); <c>?</c> allows null.
/// </remarks>
public sealed partial class IvvyResponseShapeTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> Contact = new()
    {
        ["id"] = "int", ["firstName"] = "string?", ["lastName"] = "string?", ["email"] = "string?", ["phone"] = "string?",
        ["externalId"] = "string?", ["status"] = "int", ["smsStatus"] = "int",
        ["privacyConsentData"] = "object?", ["privacyConsentData.source"] = "int", ["privacyConsentData.dateTime"] = "timestamp",
        ["customFields"] = "array", ["customFields[]"] = "object", ["customFields[].fieldId"] = "int",
        ["customFields[].displayName"] = "string", ["customFields[].value"] = "any",
        ["groups"] = "array", ["groups[]"] = "object", ["groups[].contactId"] = "int", ["groups[].groupId"] = "int", ["groups[].joinDate"] = "timestamp",
        ["companies"] = "array", ["companies[]"] = "int",
        ["companiesData"] = "array", ["companiesData[]"] = "object", ["companiesData[].id"] = "int", ["companiesData[].businessName"] = "string",
        ["externalUrls"] = "array", ["externalUrls[]"] = "object", ["externalUrls[].ref"] = "string", ["externalUrls[].url"] = "string",
        ["externalUrls[].label"] = "string?",
        ["isAnonymised"] = "bool", ["createdDate"] = "timestamp", ["modifiedDate"] = "timestamp",
    };

    private static readonly Dictionary<string, string> ContactDetail = With(Contact, new()
    {
        ["eventInvitations"] = "array", ["eventInvitations[]"] = "object", ["eventInvitations[].eventId"] = "int",
        ["eventInvitations[].eventCode"] = "string", ["eventInvitations[].eventStartDateTime"] = "timestamp",
        ["eventInvitations[].inviteLinkYes"] = "string", ["eventInvitations[].inviteLinkNo"] = "string", ["eventInvitations[].response"] = "string",
        ["eventRegistrations"] = "array", ["eventRegistrations[]"] = "object", ["eventRegistrations[].eventId"] = "int",
        ["eventRegistrations[].eventCode"] = "string", ["eventRegistrations[].eventStartDateTime"] = "timestamp",
        ["eventRegistrations[].registrationId"] = "int", ["eventRegistrations[].currentStatus"] = "int",
        ["eventRegistrations[].confirmedDate"] = "timestamp?", ["eventRegistrations[].isPaymentWaiting"] = "bool",
        ["eventRegistrations[].printTicketUrl"] = "string", ["eventRegistrations[].printTicketUrlPdf"] = "string",
        ["eventRegistrations[].attendeeCount"] = "int", ["eventRegistrations[].invoiceUrl"] = "string?", ["eventRegistrations[].invoiceUrlPdf"] = "string?",
        ["eventRegistrations[].guestDetails"] = "array", ["eventRegistrations[].guestDetails[]"] = "object",
        ["eventRegistrations[].guestDetails[].contactId"] = "int", ["eventRegistrations[].guestDetails[].fullName"] = "string",
        ["eventRegistrations[].guestDetails[].email"] = "string?", ["eventRegistrations[].guestDetails[].attended"] = "bool",
        ["eventRegistrations[].guestDetails[].attendedDateTime"] = "timestamp?",
        ["eventRegistrations[].invoices"] = "array",
    });

    private static readonly Dictionary<string, string> Company = new()
    {
        ["id"] = "int", ["externalId"] = "string?", ["businessName"] = "string", ["tradingName"] = "string?", ["businessNumber"] = "string?",
        ["phone"] = "string?", ["fax"] = "string?", ["website"] = "string?", ["email"] = "string?",
        ["address"] = "object?", ["address.line1"] = "string?", ["address.line2"] = "string?", ["address.line3"] = "string?",
        ["address.line4"] = "string?", ["address.city"] = "string?", ["address.stateCode"] = "string?", ["address.stateName"] = "string?",
        ["address.countryCode"] = "string?", ["address.postalCode"] = "string?",
        ["modifiedDate"] = "timestamp",
        ["primaryAccountManager"] = "object?", ["primaryAccountManager.id"] = "int", ["primaryAccountManager.firstName"] = "string",
        ["primaryAccountManager.lastName"] = "string", ["primaryAccountManager.email"] = "string",
        ["secondaryAccountManager"] = "object?", ["secondaryAccountManager.id"] = "int", ["secondaryAccountManager.firstName"] = "string",
        ["secondaryAccountManager.lastName"] = "string", ["secondaryAccountManager.email"] = "string",
        ["primaryContact"] = "object?", ["primaryContact.id"] = "int", ["primaryContact.firstName"] = "string?",
        ["primaryContact.lastName"] = "string?", ["primaryContact.email"] = "string?", ["primaryContact.phone"] = "string?",
        ["industry"] = "object?", ["industry.id"] = "int", ["industry.name"] = "string",
        ["isAgent"] = "flag", ["parentCompanyId"] = "int?", ["leftValue"] = "int", ["rightValue"] = "int", ["depth"] = "int", ["rootId"] = "int",
        ["commissionSpace"] = "number?", ["commissionSpaceType"] = "int?", ["commissionFoodValue"] = "number?", ["commissionFoodType"] = "int?",
        ["commissionBeverageValue"] = "number?", ["commissionBeverageType"] = "int?", ["commissionAudioVisualValue"] = "number?",
        ["commissionAudioVisualType"] = "int?", ["commissionAccommodationValue"] = "number?", ["commissionAccommodationType"] = "int?",
        ["iataNumber"] = "string?",
        ["customFields"] = "array", ["customFields[]"] = "object", ["customFields[].fieldId"] = "int",
        ["customFields[].displayName"] = "string", ["customFields[].value"] = "any",
    };

    private static readonly Dictionary<string, string> CompanyDetail = With(Company, new()
    {
        ["otherPhone"] = "string?",
        ["externalUrls"] = "array", ["externalUrls[]"] = "object", ["externalUrls[].ref"] = "string", ["externalUrls[].url"] = "string",
        ["externalUrls[].label"] = "string?",
    });

    private static readonly Dictionary<string, string> CustomFieldDefinition = new()
    {
        ["[]"] = "object", ["[].fieldId"] = "int", ["[].fieldType"] = "int", ["[].displayName"] = "string", ["[].isRequired"] = "bool",
        ["[].isActive"] = "bool", ["[].sortOrder"] = "int", ["[].selectValues"] = "object?", ["[].selectValues.*"] = "string",
        ["[].fileTypes"] = "array?", ["[].fileTypes[]"] = "string",
    };

    private static readonly Dictionary<string, string> Event = new()
    {
        ["id"] = "int", ["code"] = "string", ["eventType"] = "int", ["title"] = "string", ["domainName"] = "string?",
        ["startDateTime"] = "timestamp", ["endDateTime"] = "timestamp", ["numRegistered"] = "int", ["currentStatus"] = "int",
        ["contactEmail"] = "string?", ["websiteUrl"] = "string?", ["websiteTemplateBannerImageUrl"] = "string?",
        ["eventTags"] = "array", ["eventTags[]"] = "object", ["eventTags[].id"] = "int", ["eventTags[].name"] = "string",
        ["modifiedDate"] = "timestamp",
    };

    private static readonly Dictionary<string, string> EventDetail = With(Event, new()
    {
        ["timezone"] = "string", ["capacity"] = "int", ["contactName"] = "string?",
    });

    private static readonly Dictionary<string, string> Invitation = new()
    {
        ["eventId"] = "int", ["contactId"] = "int", ["firstName"] = "string?", ["lastName"] = "string?", ["email"] = "string?",
        ["phone"] = "string?", ["response"] = "string", ["registrationId"] = "int?", ["modifiedDate"] = "timestamp",
    };

    private static readonly Dictionary<string, string> Attendee = new()
    {
        ["id"] = "int", ["eventId"] = "int", ["registrationStatus"] = "int", ["contactId"] = "int?", ["ticketTitle"] = "string",
        ["firstName"] = "string?", ["lastName"] = "string?", ["email"] = "string?", ["phone"] = "string?",
        ["privacyConsentData"] = "object?", ["privacyConsentData.source"] = "int", ["privacyConsentData.dateTime"] = "timestamp",
        ["hasAttended"] = "bool", ["sessionHasAttended"] = "bool", ["isPublic"] = "bool", ["barcode"] = "string", ["barcodeUrl"] = "string",
        ["ticketUrl"] = "string", ["attendedDatetime"] = "timestamp?", ["sessionAttendedTimestamp"] = "timestamp?", ["cost"] = "number",
        ["customFields"] = "array", ["customFields[]"] = "object", ["customFields[].name"] = "string", ["customFields[].value"] = "any",
        ["sessions"] = "array", ["sessions[]"] = "object", ["sessions[].sessionId"] = "int", ["sessions[].sessionName"] = "string",
        ["sessions[].isOptional"] = "bool", ["sessions[].hasAttended"] = "bool", ["sessions[].attendedDatetime"] = "timestamp?",
        ["sessions[].isSessionReserved"] = "bool",
        ["createdDate"] = "timestamp", ["modifiedDate"] = "timestamp",
    };

    private static readonly Dictionary<string, string> Registration = new()
    {
        ["id"] = "int", ["eventId"] = "int", ["eventName"] = "string", ["currentStatus"] = "int", ["isExhibitor"] = "bool",
        ["completedDate"] = "timestamp?", ["mainContactId"] = "int", ["firstName"] = "string?", ["lastName"] = "string?", ["phone"] = "string?",
        ["privacyConsentData"] = "object?", ["privacyConsentData.source"] = "int", ["privacyConsentData.dateTime"] = "timestamp",
        ["invoiceTotalCost"] = "number", ["invoiceTotalPaid"] = "number", ["createdDate"] = "timestamp", ["modifiedDate"] = "timestamp",
    };

    private static readonly Dictionary<string, string> Booking = new()
    {
        ["id"] = "int", ["venueId"] = "int", ["leadId"] = "int?", ["code"] = "string", ["name"] = "string", ["eventType"] = "string?",
        ["eventTypeId"] = "int?", ["eventSubTypeId"] = "int?", ["bookingType"] = "int",
        ["companyId"] = "int?", ["company"] = "object?", ["company.id"] = "int", ["company.businessName"] = "string",
        ["contactId"] = "int?", ["contact"] = "object?", ["contact.id"] = "int", ["contact.firstName"] = "string?", ["contact.lastName"] = "string?",
        ["contact.email"] = "string?", ["contact.phone"] = "string?",
        ["bookedById"] = "int?", ["isConfidential"] = "bool", ["currentStatus"] = "int",
        ["totalAmount"] = "number", ["totalTaxAmount"] = "number", ["amountOutstanding"] = "number",
        ["accountTimezone"] = "string?", ["venueTimezone"] = "string?", ["createdDate"] = "timestamp", ["modifiedDate"] = "timestamp",
        ["dateEventStart"] = "date", ["dateEventEnd"] = "date", ["convertedToTentative"] = "date?", ["convertedToConfirmed"] = "date?",
        ["convertedToCancelled"] = "date?", ["decisionDate"] = "date?", ["canBeMoved"] = "bool", ["isAccommIncluded"] = "bool",
        ["dateAccomStart"] = "date?", ["dateAccomEnd"] = "date?", ["hasPackages"] = "bool", ["beoNumbers"] = "array", ["beoNumbers[]"] = "string",
        ["isBeoFinalised"] = "bool", ["beoFinalisedDate"] = "date?", ["otaFolioRef"] = "string?",
    };

    private static readonly Dictionary<string, string> BookingDetail = With(Booking, new()
    {
        ["lastModifiedDate"] = "timestamp", ["opportunityId"] = "int?", ["totalAttendees"] = "int?", ["dailyRevenue"] = "array",
    });

    private static readonly Dictionary<string, string> EmailLog = new()
    {
        ["id"] = "int", ["contactId"] = "int?", ["userId"] = "int?", ["eventId"] = "int?", ["type"] = "int", ["refType"] = "int",
        ["refId"] = "int?", ["from"] = "string", ["to"] = "string", ["bcc"] = "string?", ["subject"] = "string", ["body"] = "string",
        ["sentTime"] = "timestamp", ["success"] = "bool",
    };

    private static readonly Dictionary<string, string> WriteResult = new() { ["success"] = "bool", ["id"] = "int", ["message"] = "string" };

    private static readonly Dictionary<string, string> ErrorEnvelope = new()
    {
        ["errorCode"] = "int", ["message"] = "string", ["specificCode"] = "int", ["additionalMessages"] = "array", ["additionalMessages[]"] = "string",
    };

    private readonly FakeTimeProvider _time = TestSandbox.NewClock();
    private SandboxHost _host = null!;
    private IvvyTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestSandbox.StartAsync(_time, seedCount: 400);
        _client = new IvvyTestClient(_host.IvvyBaseUrl, _time);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Ping_Shape_MatchesIvvysTypes() =>
        AssertShape("test.ping", await _client.OkAsync("test", "ping", []), new() { ["ack"] = "timestamp" });

    [Fact]
    public async Task GetContactList_EveryItem_MatchesIvvysTypes() =>
        AssertCollection("contact.getContactList", await _client.AllAsync("contact", "getContactList", []), Contact);

    [Fact]
    public async Task GetContact_WithEventHistory_MatchesIvvysTypes()
    {
        var registration = (await _client.AllAsync("event", "getRegistrationList", new JsonObject { ["eventId"] = IvvyAccountSeedData.FirstEventId }))[0];
        var contactId = registration["mainContactId"]!.GetValue<int>();

        var contact = await _client.OkAsync("contact", "getContact", new JsonObject { ["id"] = contactId });

        Assert.NotEmpty(contact["eventRegistrations"]!.AsArray());
        AssertShape("contact.getContact", contact, ContactDetail);
    }

    [Fact]
    public async Task AddOrUpdateContact_Result_MatchesIvvysTypes() =>
        AssertShape("contact.addOrUpdateContact", await _client.OkAsync("contact", "addOrUpdateContact", new JsonObject
        {
            ["firstName"] = "Shape", ["lastName"] = "Check", ["email"] = "shape.check@example.com",
        }), WriteResult);

    [Fact]
    public async Task GetCustomFieldDefinitions_BothKinds_MatchIvvysTypes()
    {
        AssertShape("contact.getCustomFieldDefinition", await _client.OkAsync("contact", "getCustomFieldDefinition", []), CustomFieldDefinition);
        AssertShape("contact.getCompanyCustomFieldDefinition", await _client.OkAsync("contact", "getCompanyCustomFieldDefinition", []), CustomFieldDefinition);
    }

    [Fact]
    public async Task SubscriptionGroups_ListAndMembership_MatchIvvysTypes()
    {
        var groups = await _client.OkAsync("contact", "getSubscriptionGroupList", []);
        AssertShape("contact.getSubscriptionGroupList", groups, new()
        {
            ["[]"] = "object", ["[].id"] = "int", ["[].groupName"] = "string", ["[].memberCount"] = "int", ["[].tagColour"] = "string?",
        });
        var group = groups.AsArray()[0]!["id"]!.GetValue<int>();
        var membership = new Dictionary<string, string> { ["[]"] = "object", ["[].contactId"] = "int", ["[].status"] = "bool" };

        foreach (var action in new[] { "addContactsToSubscriptionGroup", "removeContactsFromSubscriptionGroup" })
        {
            AssertShape("contact." + action, await _client.OkAsync("contact", action, new JsonObject { ["contacts"] = new JsonArray(1, 2, 999_999), ["group"] = group }), membership);
        }
    }

    [Fact]
    public async Task GetCompanyList_EveryItem_MatchesIvvysTypes()
    {
        var companies = await _client.AllAsync("contact", "getCompanyList", []);

        AssertCollection("contact.getCompanyList", companies, Company);
        Assert.Contains(companies, c => c["isAgent"]!.GetValue<int>() == 1);
    }

    [Fact]
    public async Task GetCompany_MatchesIvvysTypes() =>
        AssertShape("contact.getCompany", await _client.OkAsync("contact", "getCompany", new JsonObject { ["id"] = 3 }), CompanyDetail);

    [Theory]
    [InlineData("1", 1)]
    [InlineData("0", 0)]
    [InlineData("true", 1)]
    [InlineData("false", 0)]
    [InlineData("\"1\"", 1)]
    public async Task AddOrUpdateCompany_IsAgentAsIntegerOrBoolean_IsReadBackAsInteger(string isAgent, int expected)
    {
        var body = JsonNode.Parse($$"""{"businessName":"Agent {{Guid.NewGuid():N}}","isAgent":{{isAgent}}}""")!.AsObject();

        var written = await _client.OkAsync("contact", "addOrUpdateCompany", body);

        AssertShape("contact.addOrUpdateCompany", written, WriteResult);
        var company = await _client.OkAsync("contact", "getCompany", new JsonObject { ["id"] = written["id"]!.GetValue<int>() });
        AssertShape("contact.getCompany", company, CompanyDetail);
        Assert.Equal(expected, company["isAgent"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("1")]
    [InlineData("true")]
    [InlineData("\"1\"")]
    public async Task AddOrUpdateContact_UpdateIfExistsAsIntegerOrBoolean_UpdatesTheSamePerson(string updateIfExists)
    {
        var existing = await _client.OkAsync("contact", "getContact", new JsonObject { ["id"] = 7 });
        var body = JsonNode.Parse($$"""{"updateIfExists":{{updateIfExists}},"phone":"+61 400 555 007"}""")!.AsObject();
        foreach (var field in new[] { "firstName", "lastName", "email" })
        {
            body[field] = existing[field]!.DeepClone();
        }

        var written = await _client.OkAsync("contact", "addOrUpdateContact", body);

        Assert.Equal(7, written["id"]!.GetValue<int>());
        Assert.Equal("+61 400 555 007", (string?)(await _client.OkAsync("contact", "getContact", new JsonObject { ["id"] = 7 }))["phone"]);
    }

    [Fact]
    public async Task GetCompany_StoredByAnOlderSimulator_IsAnsweredInIvvysShape()
    {
        // What a database written before the simulator kept iVvy's shape holds: isAgent true/false, commissions under their write names.
        await _host.Ivvy.TouchCompanyAsync(4, c =>
        {
            c["isAgent"] = true;
            c["commissionFood"] = 10;
            c.Remove("commissionFoodValue");
            c.Remove("commissionFoodType");
        });

        var company = await _client.OkAsync("contact", "getCompany", new JsonObject { ["id"] = 4 });

        AssertShape("contact.getCompany", company, CompanyDetail);
        Assert.Equal(1, company["isAgent"]!.GetValue<int>());
        Assert.Equal(10, company["commissionFoodValue"]!.GetValue<int>());
    }

    [Fact]
    public async Task AddOrUpdateCompany_IsAgentNotZeroOrOne_IsRefused()
    {
        var response = await _client.CallAsync("contact", "addOrUpdateCompany", new JsonObject { ["businessName"] = "Agent 2", ["isAgent"] = 2 });

        Assert.Equal(400, (int)response.Status);
        AssertShape("error", response.Body!, ErrorEnvelope);
    }

    [Fact]
    public async Task GetEmailLogList_EveryItem_MatchesIvvysTypes() =>
        AssertCollection("account.getEmailLogList", await _client.AllAsync("account", "getEmailLogList", []), EmailLog);

    [Fact]
    public async Task Events_ListAndDetail_MatchIvvysTypes()
    {
        var events = await _client.AllAsync("event", "getEventList", []);
        AssertCollection("event.getEventList", events, Event);

        foreach (var @event in events)
        {
            AssertShape("event.getEvent", await _client.OkAsync("event", "getEvent", new JsonObject { ["id"] = @event["id"]!.DeepClone() }), EventDetail);
        }
    }

    [Fact]
    public async Task EventPeople_EveryInvitationRegistrationAndAttendee_MatchIvvysTypes()
    {
        var (invitations, registrations, attendees) = (new List<JsonObject>(), new List<JsonObject>(), new List<JsonObject>());
        for (var eventId = IvvyAccountSeedData.FirstEventId; eventId < IvvyAccountSeedData.FirstEventId + 12; eventId++)
        {
            var request = new JsonObject { ["eventId"] = eventId };
            invitations.AddRange(await _client.AllAsync("event", "getInvitedContactList", request));
            registrations.AddRange(await _client.AllAsync("event", "getRegistrationList", request));
            attendees.AddRange(await _client.AllAsync("event", "getAttendeeList", request));
        }

        AssertCollection("event.getInvitedContactList", invitations, Invitation);
        AssertCollection("event.getRegistrationList", registrations, Registration);
        AssertCollection("event.getAttendeeList", attendees, Attendee);
    }

    [Fact]
    public async Task Bookings_ListsAndDetail_MatchIvvysTypes()
    {
        var bookings = await _client.AllAsync("venue", "getBookingListForAccount", []);
        AssertCollection("venue.getBookingListForAccount", bookings, Booking);
        AssertCollection("venue.getBookingList", await _client.AllAsync("venue", "getBookingList", new JsonObject { ["venueId"] = 11 }), Booking);

        foreach (var booking in bookings.Take(25))
        {
            AssertShape("venue.getBooking", await _client.OkAsync("venue", "getBooking", new JsonObject { ["id"] = booking["id"]!.DeepClone() }), BookingDetail);
        }
    }

    [Fact]
    public async Task Batch_RunProgressAndResults_MatchIvvysTypes()
    {
        var run = await _client.OkAsync("batch", "run", new JsonObject
        {
            ["jobs"] = new JsonArray(new JsonObject
            {
                ["namespace"] = "contact", ["action"] = "addOrUpdateContact", ["params"] = new JsonObject { ["id"] = 1, ["phone"] = "+61 400 000 001" },
            }),
        });
        AssertShape("batch.run", run, new() { ["asyncId"] = "string" });
        var asyncId = run["asyncId"]!.DeepClone();

        AssertShape("batch.progress", await _client.OkAsync("batch", "progress", new JsonObject { ["async"] = asyncId }), new() { ["progress"] = "int" });
        var results = await _client.OkAsync("batch", "results", new JsonObject { ["asyncId"] = asyncId.DeepClone() });
        AssertShape("batch.results", results, new()
        {
            ["asyncId"] = "string", ["results"] = "array", ["results[]"] = "object", ["results[].namespace"] = "string",
            ["results[].action"] = "string", ["results[].request"] = "object", ["results[].request.*"] = "any",
            ["results[].response"] = "object", ["results[].response.*"] = "any",
        });
        AssertShape("batch.results[0].response", results["results"]![0]!["response"]!, WriteResult);
    }

    [Fact]
    public async Task Errors_Envelope_MatchesIvvysTypes()
    {
        var response = await _client.CallAsync("contact", "getCompany", new JsonObject { ["id"] = 999_999 });

        Assert.Equal(404, (int)response.Status);
        AssertShape("error", response.Body!, ErrorEnvelope);
    }

    [Fact]
    public void AssertShape_BooleanWhereIvvyDocumentsAnInteger_Fails()
    {
        var company = JsonNode.Parse("""{"id": 1, "isAgent": true}""")!;

        var violations = Violations(company, new() { ["id"] = "int", ["isAgent"] = "flag" });

        Assert.Equal(["isAgent: expected flag, got true"], violations);
    }

    private static void AssertCollection(string action, List<JsonObject> items, Dictionary<string, string> shape)
    {
        Assert.NotEmpty(items);
        var violations = items.SelectMany(item => Violations(item, shape).Select(v => $"id {item["id"]?.ToJsonString() ?? "?"}: {v}")).Distinct().Take(40).ToList();
        Assert.True(violations.Count == 0, $"{action}:\n" + string.Join('\n', violations));
    }

    private static void AssertShape(string action, JsonNode body, Dictionary<string, string> shape)
    {
        var violations = Violations(body, shape).Distinct().Take(40).ToList();
        Assert.True(violations.Count == 0, $"{action}:\n" + string.Join('\n', violations));
    }

    /// <summary>Every field of <paramref name="node"/> whose path is not in <paramref name="shape"/> or whose value is not its type.</summary>
    private static List<string> Violations(JsonNode node, Dictionary<string, string> shape)
    {
        var violations = new List<string>();
        Walk(node, string.Empty, shape, violations);
        return violations;
    }

    private static void Walk(JsonNode? node, string path, Dictionary<string, string> shape, List<string> violations)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (name, value) in obj)
                {
                    var child = path.Length == 0 ? name : $"{path}.{name}";
                    var key = shape.ContainsKey(child) ? child : $"{path}.*".TrimStart('.');
                    if (!shape.TryGetValue(key, out var type))
                    {
                        violations.Add($"{child}: not a field iVvy documents here");
                        continue;
                    }

                    Check(value, child, type, violations);
                    if (type != "any")
                    {
                        Walk(value, key, shape, violations);
                    }
                }

                break;
            case JsonArray array:
                var items = path + "[]";
                foreach (var item in array)
                {
                    if (!shape.TryGetValue(items, out var type))
                    {
                        violations.Add($"{items}: not a field iVvy documents here");
                        return;
                    }

                    Check(item, items, type, violations);
                    Walk(item, items, shape, violations);
                }

                break;
        }
    }

    private static void Check(JsonNode? value, string path, string type, List<string> violations)
    {
        var nullable = type.EndsWith('?');
        var kind = value?.GetValueKind() ?? JsonValueKind.Null;
        if (kind == JsonValueKind.Null)
        {
            if (!nullable && type != "any")
            {
                violations.Add($"{path}: expected {type}, got null");
            }

            return;
        }

        var ok = type.TrimEnd('?') switch
        {
            "any" => true,
            "int" => kind == JsonValueKind.Number && value!.AsValue().TryGetValue<long>(out _) || IsWhole(value, kind),
            "number" => kind == JsonValueKind.Number,
            "flag" => IsWhole(value, kind) && value!.GetValue<double>() is 0 or 1,
            "string" => kind == JsonValueKind.String,
            "bool" => kind is JsonValueKind.True or JsonValueKind.False,
            "timestamp" => kind == JsonValueKind.String && Timestamp().IsMatch(value!.GetValue<string>()),
            "date" => kind == JsonValueKind.String && (value!.GetValue<string>().Length == 0 || Timestamp().IsMatch(value.GetValue<string>())),
            "object" => kind == JsonValueKind.Object,
            "array" => kind == JsonValueKind.Array,
            var other => throw new ArgumentException($"Unknown type {other} for {path}"),
        };
        if (!ok)
        {
            violations.Add($"{path}: expected {type}, got {value!.ToJsonString()}");
        }
    }

    private static bool IsWhole(JsonNode? value, JsonValueKind kind) =>
        kind == JsonValueKind.Number && value!.GetValue<double>() is var d && d == Math.Floor(d);

    private static Dictionary<string, string> With(Dictionary<string, string> shape, Dictionary<string, string> more) =>
        shape.Concat(more).ToDictionary();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}( UTC)?$")]
    private static partial Regex Timestamp();
}
