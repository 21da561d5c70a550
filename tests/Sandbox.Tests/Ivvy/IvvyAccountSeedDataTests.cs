using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

public sealed class IvvyAccountSeedDataTests
{
    [Fact]
    public async Task SeedAsync_Counts_ScaleWithSeedCount()
    {
        await using var simulator = NewSimulator(seedCount: 4000, seed: 42);

        Assert.Equal(400, await simulator.CountAsync(IvvyEntity.Companies));
        Assert.Equal(12, await simulator.CountAsync(IvvyEntity.Events));
        Assert.Equal(3, await simulator.CountAsync(IvvyEntity.Venues));
        Assert.Equal(200, await simulator.CountAsync(IvvyEntity.Bookings));
        Assert.Equal(2000, await simulator.CountAsync(IvvyEntity.EmailLogs));
        Assert.InRange(await simulator.CountAsync(IvvyEntity.Invitations), 11 * 20, 11 * 200);
        Assert.True(await simulator.CountAsync(IvvyEntity.Registrations) > 100);
        Assert.True(await simulator.CountAsync(IvvyEntity.Attendees) > 50);
    }

    [Fact]
    public async Task SeedAsync_SameSeedAndDay_GivesSameRecords()
    {
        await using var first = NewSimulator(seedCount: 300, seed: 7);
        await using var second = NewSimulator(seedCount: 300, seed: 7, clockOffset: TimeSpan.FromHours(3));

        for (var id = IvvyAccountSeedData.FirstEventId; id < IvvyAccountSeedData.FirstEventId + 12; id++)
        {
            Assert.Equal((await first.GetEventAsync(id))!.ToJsonString(), (await second.GetEventAsync(id))!.ToJsonString());
        }

        for (var id = IvvyAccountSeedData.FirstBookingId; id < IvvyAccountSeedData.FirstBookingId + 21; id++)
        {
            Assert.Equal((await first.GetBookingAsync(id))!.ToJsonString(), (await second.GetBookingAsync(id))!.ToJsonString());
        }

        for (var id = IvvyAccountSeedData.FirstRegistrationId; id < IvvyAccountSeedData.FirstRegistrationId + 50; id++)
        {
            Assert.Equal((await first.GetRegistrationAsync(id))!.ToJsonString(), (await second.GetRegistrationAsync(id))!.ToJsonString());
        }
    }

    [Fact]
    public async Task SeedAsync_ContactCompanies_ReferenceRealCompaniesByName()
    {
        await using var simulator = NewSimulator(seedCount: 1000, seed: 42);
        var linked = 0;

        for (var id = 1; id <= 1000; id++)
        {
            var contact = (await simulator.GetContactAsync(id))!;
            foreach (var data in contact["companiesData"]!.AsArray())
            {
                var company = await simulator.GetCompanyAsync(data!["id"]!.GetValue<int>());
                Assert.NotNull(company);
                Assert.Equal(company["businessName"]!.GetValue<string>(), data["businessName"]!.GetValue<string>());
                linked++;
            }
        }

        Assert.True(linked > 100, $"only {linked} contact-company links");
    }

    [Fact]
    public async Task SeedAsync_CompanyPrimaryContact_IsAContactOfThatCompany()
    {
        await using var simulator = NewSimulator(seedCount: 1000, seed: 42);
        var checkedCount = 0;

        for (var id = 1; id <= 100; id++)
        {
            var company = (await simulator.GetCompanyAsync(id))!;
            if (company["primaryContact"] is JsonObject primary)
            {
                var contact = (await simulator.GetContactAsync(primary["id"]!.GetValue<int>()))!;
                Assert.Contains(contact["companies"]!.AsArray(), c => c!.GetValue<int>() == id);
                checkedCount++;
            }
        }

        Assert.True(checkedCount > 10);
    }

    [Fact]
    public async Task Restart_SameFolder_KeepsEveryRecordAndChange()
    {
        var folder = TestSandbox.NewDirectory();
        try
        {
            var time = TestSandbox.NewClock();
            int registrations;
            await using (var first = NewSimulator(seedCount: 200, seed: 42, folder: folder, time: time))
            {
                time.Advance(TimeSpan.FromMinutes(1));
                await first.TouchCompanyAsync(3, c => c["website"] = "https://kept.example.com");
                await first.TouchBookingAsync(IvvyAccountSeedData.FirstBookingId, b => b["currentStatus"] = 4);
                await first.RegisterAsync(IvvyAccountSeedData.FirstEventId + 9, 5, status: 1);
                registrations = await first.CountAsync(IvvyEntity.Registrations);
            }

            await using var second = NewSimulator(seedCount: 999, seed: 1, folder: folder, time: time);

            Assert.Equal(200, await second.CountAsync(IvvyEntity.Contacts));
            Assert.Equal(registrations, await second.CountAsync(IvvyEntity.Registrations));
            Assert.Equal("https://kept.example.com", (await second.GetCompanyAsync(3))!["website"]!.GetValue<string>());
            Assert.Equal(4, (await second.GetBookingAsync(IvvyAccountSeedData.FirstBookingId))!["currentStatus"]!.GetValue<int>());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TestSandbox.DeleteDirectory(folder);
        }
    }

    [Fact]
    public async Task Open_DatabaseOfContactsOnlySchema_SeedsMissingRecordsOnceAndKeepsContacts()
    {
        var folder = TestSandbox.NewDirectory();
        try
        {
            string contact7;
            await using (var first = NewSimulator(seedCount: 300, seed: 42, folder: folder))
            {
                contact7 = (await first.GetContactAsync(7))!.ToJsonString();
            }

            // Turn the file into what the contacts-only simulator wrote: companies (id, business_name), no other tables, schema 1.
            using (var connection = new SqliteConnection($"Data Source={Path.Combine(folder, "ivvy.db")};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = """
                    CREATE TABLE old_companies AS SELECT id, business_name FROM companies;
                    DROP TABLE companies;
                    CREATE TABLE companies (id INTEGER PRIMARY KEY, business_name TEXT NOT NULL);
                    INSERT INTO companies SELECT * FROM old_companies;
                    DROP TABLE old_companies;
                    DROP TABLE ivvy_events; DROP TABLE ivvy_invitations; DROP TABLE ivvy_registrations; DROP TABLE ivvy_attendees;
                    DROP TABLE ivvy_venues; DROP TABLE ivvy_bookings; DROP TABLE ivvy_email_logs;
                    UPDATE meta SET value = '1' WHERE key = 'schema';
                    """;
                command.ExecuteNonQuery();
            }

            SqliteConnection.ClearAllPools();
            await using (var upgraded = NewSimulator(seedCount: 300, seed: 42, folder: folder))
            {
                Assert.Equal(contact7, (await upgraded.GetContactAsync(7))!.ToJsonString());
                Assert.Equal(30, await upgraded.CountAsync(IvvyEntity.Companies));
                Assert.NotNull((await upgraded.GetCompanyAsync(30))!["address"]);
                Assert.Equal(12, await upgraded.CountAsync(IvvyEntity.Events));
                Assert.True(await upgraded.CountAsync(IvvyEntity.Registrations) > 0);
                await upgraded.TouchBookingAsync(IvvyAccountSeedData.FirstBookingId, b => b["name"] = "Changed after upgrade");
            }

            await using var reopened = NewSimulator(seedCount: 300, seed: 42, folder: folder);
            Assert.Equal("Changed after upgrade", (await reopened.GetBookingAsync(IvvyAccountSeedData.FirstBookingId))!["name"]!.GetValue<string>());
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            TestSandbox.DeleteDirectory(folder);
        }
    }

    [Fact]
    public async Task ResetAsync_EmptiesEveryEntity()
    {
        await using var simulator = NewSimulator(seedCount: 100, seed: 42);

        await simulator.ResetAsync();

        foreach (var entity in Enum.GetValues<IvvyEntity>())
        {
            Assert.Equal(0, await simulator.CountAsync(entity));
        }
    }

    private static IvvySimulator NewSimulator(
        int seedCount, int seed, TimeSpan clockOffset = default, string? folder = null, FakeTimeProvider? time = null)
    {
        time ??= new FakeTimeProvider(TestSandbox.Start + clockOffset);
        var options = new IvvySimulatorOptions { SeedCount = seedCount, Seed = seed };
        return new IvvySimulator(options, folder, time);
    }
}
