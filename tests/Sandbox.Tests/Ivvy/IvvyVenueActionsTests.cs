using System.Net;
using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

public sealed class IvvyVenueActionsTests : IAsyncLifetime
{
    private readonly FakeTimeProvider _time = TestSandbox.NewClock();
    private SandboxHost _host = null!;
    private IvvyTestClient _client = null!;

    public async Task InitializeAsync()
    {
        _host = await TestSandbox.StartAsync(_time, seedCount: 3000);
        _client = new IvvyTestClient(_host.IvvyBaseUrl, _time);
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task GetBookingListForAccount_NoPerPage_Is23017()
    {
        var response = await _client.CallAsync("venue", "getBookingListForAccount", new JsonObject { ["start"] = 0 });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23017, response.SpecificCode);
    }

    [Fact]
    public async Task GetBookingListForAccount_PerPageAboveCap_IsCappedAndTotalIsEveryBooking()
    {
        var page = await _client.OkAsync("venue", "getBookingListForAccount", new JsonObject { ["perPage"] = 1000 });

        Assert.Equal(100, page["meta"]!["perPage"]!.GetValue<int>());
        Assert.Equal(100, page["results"]!.AsArray().Count);
        Assert.Equal(await _host.Ivvy.CountAsync(IvvyEntity.Bookings), page["meta"]!["totalResults"]!.GetValue<int>());
    }

    [Fact]
    public async Task GetBookingListForAccount_Seeded_EveryStatusAndLinkedPartiesExist()
    {
        var bookings = await _client.AllAsync("venue", "getBookingListForAccount", []);

        Assert.Equal([1, 2, 3, 4, 5, 8, 9], bookings.Select(b => b["currentStatus"]!.GetValue<int>()).Distinct().Order());
        Assert.Equal([11, 12, 13], bookings.Select(b => b["venueId"]!.GetValue<int>()).Distinct().Order());
        Assert.Contains(bookings, b => b["companyId"] is not null);
        foreach (var booking in bookings.Where(b => b["companyId"] is not null).Take(40))
        {
            var company = (await _host.Ivvy.GetCompanyAsync(booking["companyId"]!.GetValue<int>()))!;
            Assert.Equal(company["businessName"]!.GetValue<string>(), booking["company"]!["businessName"]!.GetValue<string>());
        }

        foreach (var booking in bookings.Take(40))
        {
            var contact = (await _host.Ivvy.GetContactAsync(booking["contactId"]!.GetValue<int>()))!;
            Assert.Equal(contact["email"]!.GetValue<string>(), booking["contact"]!["email"]!.GetValue<string>());
        }

        Assert.All(bookings, b =>
        {
            Assert.NotNull(b["totalAmount"]);
            Assert.NotNull(b["code"]);
            Assert.NotNull(b["modifiedDate"]);
            Assert.False(b.ContainsKey("lastModifiedDate"));
        });
    }

    [Fact]
    public async Task GetBookingListForAccount_ModifiedDateWindow_BothBoundsInclusive()
    {
        var booking = (await _host.Ivvy.GetBookingAsync(IvvyAccountSeedData.FirstBookingId + 5))!;
        var modified = booking["modifiedDate"]!.GetValue<string>();

        var page = await _client.AllAsync("venue", "getBookingListForAccount", new JsonObject
        {
            ["filter"] = new JsonObject { ["modifiedDateAfter"] = modified, ["modifiedDateBefore"] = modified },
        });

        Assert.Contains(page, b => b["id"]!.GetValue<int>() == IvvyAccountSeedData.FirstBookingId + 5);
        Assert.All(page, b => Assert.Equal(modified, b["modifiedDate"]!.GetValue<string>()));
    }

    [Fact]
    public async Task GetBookingListForAccount_UnknownFilter_Is400()
    {
        var response = await _client.CallAsync("venue", "getBookingListForAccount", new JsonObject
        {
            ["perPage"] = 10,
            ["filter"] = new JsonObject { ["fromModifiedDate"] = "2025-01-01 00:00:00" },
        });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.Equal(23016, response.SpecificCode);
    }

    [Fact]
    public async Task GetBookingList_Venue_OnlyThatVenuesBookings()
    {
        var all = await _client.AllAsync("venue", "getBookingListForAccount", []);

        var venue = await _client.AllAsync("venue", "getBookingList", new JsonObject { ["venueId"] = 13 });

        Assert.NotEmpty(venue);
        Assert.Equal(all.Count(b => b["venueId"]!.GetValue<int>() == 13), venue.Count);
        Assert.All(venue, b => Assert.Equal(13, b["venueId"]!.GetValue<int>()));
    }

    [Fact]
    public async Task GetBookingList_CompanyIdAndCodeFilters_Apply()
    {
        var first = (await _client.AllAsync("venue", "getBookingList", new JsonObject { ["venueId"] = 11 })).First(b => b["companyId"] is not null);
        var companyId = first["companyId"]!.GetValue<int>();

        var byCompany = await _client.AllAsync("venue", "getBookingList", new JsonObject
        {
            ["venueId"] = 11,
            ["filter"] = new JsonObject { ["companyId"] = companyId },
        });
        var notCode = await _client.AllAsync("venue", "getBookingList", new JsonObject
        {
            ["venueId"] = 11,
            ["filter"] = new JsonObject { ["code__NOTCONTAINS"] = first["code"]!.GetValue<string>() },
        });

        Assert.All(byCompany, b => Assert.Equal(companyId, b["companyId"]!.GetValue<int>()));
        Assert.DoesNotContain(notCode, b => b["id"]!.GetValue<int>() == first["id"]!.GetValue<int>());
    }

    [Theory]
    [InlineData("getBookingList", """{"perPage":10}""", 400, 23017)]
    [InlineData("getBooking", """{}""", 400, 23017)]
    public async Task Bookings_MissingRequiredId_Is23017(string action, string body, int status, int specificCode)
    {
        var response = await _client.CallAsync("venue", action, body);

        Assert.Equal(status, (int)response.Status);
        Assert.Equal(specificCode, response.SpecificCode);
    }

    [Theory]
    [InlineData("getBookingList", """{"venueId":99}""")]
    [InlineData("getBooking", """{"id":99}""")]
    public async Task Bookings_UnknownVenueOrBooking_Is404(string action, string body)
    {
        var response = await _client.CallAsync("venue", action, body);

        Assert.Equal(HttpStatusCode.NotFound, response.Status);
        Assert.Equal(404, response.ErrorCode);
    }

    [Fact]
    public async Task GetBooking_Known_ReturnsDetailFields()
    {
        var booking = await _client.OkAsync("venue", "getBooking", new JsonObject { ["id"] = IvvyAccountSeedData.FirstBookingId });

        Assert.Equal(IvvyAccountSeedData.FirstBookingId, booking["id"]!.GetValue<int>());
        Assert.NotNull(booking["lastModifiedDate"]);
        Assert.True(booking.AsObject().ContainsKey("opportunityId"));
        Assert.NotNull(booking["contact"]);
    }

    [Fact]
    public async Task TouchBookingAsync_StatusChange_MovesIntoNewWindow()
    {
        _time.Advance(TimeSpan.FromMinutes(30));

        await _host.Ivvy.TouchBookingAsync(IvvyAccountSeedData.FirstBookingId + 7, b => b["currentStatus"] = 3);

        var page = await _client.OkAsync("venue", "getBookingListForAccount", new JsonObject
        {
            ["perPage"] = 100,
            ["filter"] = new JsonObject { ["modifiedDateAfter"] = "2025-06-15 11:00:00" },
        });
        var changed = Assert.Single(page["results"]!.AsArray())!;
        Assert.Equal(3, changed["currentStatus"]!.GetValue<int>());
        Assert.Equal("2025-06-15 11:00:00 UTC", (await _host.Ivvy.GetBookingAsync(IvvyAccountSeedData.FirstBookingId + 7))!["lastModifiedDate"]!.GetValue<string>());
        await Assert.ThrowsAsync<KeyNotFoundException>(() => _host.Ivvy.TouchBookingAsync(5, _ => { }));
    }
}
