using System.Text.Json.Nodes;
using IvvyWorkflows.Sandbox.Ivvy;
using Microsoft.Extensions.Time.Testing;

namespace IvvyWorkflows.Sandbox.Tests.Ivvy;

public sealed class IvvySeedDataTests
{
    [Fact]
    public async Task SeedAsync_SameSeedAndDay_GivesSameContacts()
    {
        await using var first = NewSimulator(seedCount: 300, seed: 7);
        await using var second = NewSimulator(seedCount: 300, seed: 7, clockOffset: TimeSpan.FromHours(5));

        for (var id = 1; id <= 300; id++)
        {
            Assert.Equal((await first.GetContactAsync(id))!.ToJsonString(), (await second.GetContactAsync(id))!.ToJsonString());
        }
    }

    [Fact]
    public async Task SeedAsync_DifferentSeed_GivesDifferentContacts()
    {
        await using var first = NewSimulator(seedCount: 50, seed: 1);
        await using var second = NewSimulator(seedCount: 50, seed: 2);

        var differing = 0;
        for (var id = 1; id <= 50; id++)
        {
            differing += (await first.GetContactAsync(id))!.ToJsonString() == (await second.GetContactAsync(id))!.ToJsonString() ? 0 : 1;
        }

        Assert.True(differing > 40, $"only {differing} of 50 contacts differ");
    }

    [Fact]
    public async Task SeedAsync_DefaultSettings_RealisticContacts()
    {
        await using var simulator = NewSimulator(seedCount: 2000, seed: 42);
        var contacts = new List<JsonObject>();
        for (var id = 1; id <= 2000; id++)
        {
            contacts.Add((await simulator.GetContactAsync(id))!);
        }

        var anchor = new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero);
        Assert.Equal(2000, await simulator.CountContactsAsync());
        Assert.Contains(contacts, c => Text(c, "firstName").Any(ch => ch > 127) || Text(c, "lastName").Any(ch => ch > 127));
        Assert.Contains(contacts, c => Text(c, "lastName").Contains('\'', StringComparison.Ordinal));
        Assert.All(contacts, c => Assert.Null(c["externalId"]));
        Assert.All(contacts, c => Assert.Matches(@"^[a-z0-9._]+@([a-z0-9]+\.)?(mail\.|inbox\.)?example\.(com|net|org)$", Text(c, "email")));
        Assert.Contains(contacts, c => c["customFields"]!.AsArray().Count > 0);
        Assert.Contains(contacts, c => c["companies"]!.AsArray().Count > 0);
        Assert.Contains(contacts, c => c["phone"] is null);
        Assert.All(contacts, c =>
        {
            var created = Parse(Text(c, "createdDate"));
            var modified = Parse(Text(c, "modifiedDate"));
            Assert.InRange(created, anchor.AddDays(-731), anchor);
            Assert.InRange(modified, created, anchor);
        });
        var modifiedDates = contacts.Select(c => Parse(Text(c, "modifiedDate"))).ToList();
        var spanDays = (modifiedDates.Max() - modifiedDates.Min()).TotalDays;
        Assert.True(spanDays > 600, $"modified dates span only {spanDays:F0} days");
    }

    [Fact]
    public async Task SeedAsync_DuplicateIdentityRate_SomeContactsShareIdentityOthersHaveUniqueEmails()
    {
        await using var simulator = NewSimulator(seedCount: 2000, seed: 42, duplicateRate: 0.02);
        var identities = new List<string>();
        for (var id = 1; id <= 2000; id++)
        {
            var c = (await simulator.GetContactAsync(id))!;
            identities.Add($"{Text(c, "firstName")}|{Text(c, "lastName")}|{Text(c, "email")}");
        }

        var emails = identities.Select(i => i.Split('|')[2]).ToList();
        var duplicates = identities.Count - identities.Distinct().Count();
        Assert.InRange(duplicates, 15, 70);
        // Only the deliberate duplicates share an email.
        Assert.Equal(identities.Distinct().Count(), emails.Distinct().Count());
    }

    [Fact]
    public async Task SeedAsync_NoDuplicateRate_AllIdentitiesDistinct()
    {
        await using var simulator = NewSimulator(seedCount: 500, seed: 3, duplicateRate: 0);
        var emails = new HashSet<string>();
        for (var id = 1; id <= 500; id++)
        {
            Assert.True(emails.Add(Text((await simulator.GetContactAsync(id))!, "email")));
        }
    }

    [Fact]
    public async Task SeedAsync_HundredThousand_SeedsEveryId()
    {
        await using var simulator = NewSimulator(seedCount: 0, seed: 1);

        await simulator.SeedAsync(100_000, 5);

        Assert.Equal(100_000, await simulator.CountContactsAsync());
        Assert.NotNull(await simulator.GetContactAsync(100_000));
        Assert.Null(await simulator.GetContactAsync(100_001));
    }

    [Theory]
    [InlineData("Nguyễn", "nguyen")]
    [InlineData("O'Brien", "obrien")]
    [InlineData("Müller", "muller")]
    [InlineData("Ōkubo", "okubo")]
    [InlineData("Weiß", "weiss")]
    [InlineData("Øvergaard", "overgaard")]
    [InlineData("Łukasz", "lukasz")]
    [InlineData("Xiu Ying", "xiuying")]
    public void EmailPart_UnicodeName_FoldsToAsciiLetters(string name, string expected)
    {
        Assert.Equal(expected, IvvySeedData.EmailPart(name));
    }

    private static IvvySimulator NewSimulator(int seedCount, int seed, double duplicateRate = 0.01, TimeSpan clockOffset = default)
    {
        var time = new FakeTimeProvider(TestSandbox.Start + clockOffset);
        var options = new IvvySimulatorOptions { SeedCount = seedCount, Seed = seed, DuplicateIdentityRate = duplicateRate };
        return new IvvySimulator(options, dataDirectory: null, time);
    }

    private static DateTimeOffset Parse(string ivvyDate) =>
        DateTimeOffset.ParseExact(ivvyDate, "yyyy-MM-dd HH:mm:ss 'UTC'", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.AssumeUniversal);

    private static string Text(JsonObject contact, string field) => contact[field]!.GetValue<string>();
}
