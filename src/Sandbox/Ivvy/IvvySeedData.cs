using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>Deterministic, realistic seed data for the iVvy simulator: the same seed and anchor give the same records.</summary>
/// <remarks>
/// Names come from several cultures, unicode included (José, Zoë, Ōkubo, Müller, Nguyễn, O'Brien…). Emails are derived from
/// the names but always sit at reserved domains (example.com/.net/.org and their subdomains, RFC 2606), so a sandbox record
/// synced into a real CRM can never mail a real person. A <c>duplicateIdentityRate</c> share of contacts repeats an earlier
/// contact's first name + last name + email, which iVvy allows; every other email is unique.
/// </remarks>
internal static class IvvySeedData
{
    private static readonly Culture[] Cultures =
    [
        new(["James", "Olivia", "Jack", "Charlotte", "William", "Amelia", "Noah", "Isla", "Thomas", "Mia", "Lachlan", "Grace", "Harper", "Oliver"],
            ["Smith", "Jones", "Williams", "Brown", "Wilson", "Taylor", "Johnson", "White", "Martin", "Anderson", "Thompson", "Walker", "Kelly"], 24),
        new(["Seán", "Siobhán", "Aoife", "Niamh", "Ciarán", "Pádraig", "Róisín"],
            ["O'Brien", "O'Connor", "O'Sullivan", "Murphy", "McCarthy", "Fitzgerald", "Ó Súilleabháin"], 6),
        new(["José", "María", "Lucía", "Álvaro", "Sofía", "Javier", "Inés", "Andrés"],
            ["García", "Martínez", "López", "Fernández", "Núñez", "Pérez", "Muñoz", "Jiménez"], 8),
        new(["Jürgen", "Lena", "Lukas", "Jörg", "Anna", "Felix", "Käthe"],
            ["Müller", "Schröder", "Schäfer", "Weiß", "Groß", "Krüger", "Hoffmann"], 7),
        new(["Zoë", "Chloé", "François", "Hélène", "Léa", "Théo", "Noémie", "Jérôme"],
            ["Dubois", "Lefèvre", "Girard", "Moreau", "Rousseau", "Bélanger", "Faure"], 6),
        new(["Haruto", "Yūki", "Sakura", "Ren", "Aoi", "Sōta", "Hina"],
            ["Ōkubo", "Satō", "Tanaka", "Suzuki", "Itō", "Watanabe", "Kōno"], 6),
        new(["Minh", "Thảo", "Anh", "Huy", "Linh", "Phương", "Quân"],
            ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Đặng"], 7),
        new(["Wei", "Xiu Ying", "Jun", "Mei", "Hao", "Li Na"],
            ["Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang"], 8),
        new(["Priya", "Arjun", "Ananya", "Rohan", "Aditi", "Vikram"],
            ["Patel", "Sharma", "Singh", "Iyer", "Reddy", "Gupta"], 7),
        new(["Åsa", "Bjørn", "Sigrún", "Łukasz", "Zofia", "Małgorzata"],
            ["Øvergaard", "Lindström", "Åberg", "Wójcik", "Kowalski", "Nowak"], 5),
        new(["Mohammed", "Fatima", "Omar", "Layla", "Yusuf", "Aisha"],
            ["Al-Sayed", "Haddad", "Khalil", "Nasser", "Mansour"], 5),
        new(["Aroha", "Tama", "Mere", "Wiremu", "Ngaio"],
            ["Ngata", "Parata", "Tipene", "Henare"], 3),
    ];

    private static readonly string[] MailDomains = ["example.com", "example.net", "example.org", "mail.example.com", "inbox.example.net"];

    private static readonly string[] CompanyStems =
        ["Harbourside", "Blue Gum", "Northwind", "Southern Cross", "Kōwhai", "Müller & Söhne", "Saigon Pearl", "Sakura", "Atlas",
         "Meridian", "Evergreen", "Summit", "Coastal", "Pinnacle", "Riverbank", "Silver Fern", "Outback", "Lighthouse", "Crescent", "Jacaranda"];

    private static readonly string[] CompanyKinds =
        ["Events", "Conferences", "Hospitality", "Group", "Partners", "Consulting", "Travel", "Holdings", "Associates", "Venues"];

    private static readonly string[] CompanyForms = ["Pty Ltd", "Ltd", "GmbH", "LLC", "Inc.", ""];

    private static readonly string[] DietaryValues = ["Vegetarian", "Vegan", "Gluten free", "Halal", "Kosher", "No restrictions"];

    private static readonly string[] JobTitles =
        ["Event Manager", "Marketing Director", "Sales Coordinator", "Chief Executive Officer", "Travel Consultant", "Office Manager", "Delegate Liaison"];

    /// <summary>Companies for <paramref name="contactCount"/> contacts: roughly one per 10 contacts, at least 5.</summary>
    public static List<(int Id, string BusinessName)> Companies(int contactCount, Random random)
    {
        var count = Math.Clamp(contactCount / 10, 5, 50_000);
        var names = new HashSet<string>(StringComparer.Ordinal);
        var companies = new List<(int, string)>(count);
        for (var id = 1; id <= count; id++)
        {
            var name = $"{Pick(random, CompanyStems)} {Pick(random, CompanyKinds)} {Pick(random, CompanyForms)}".TrimEnd();
            var unique = name;
            for (var n = 2; !names.Add(unique); n++)
            {
                unique = $"{name} ({n})";
            }

            companies.Add((id, unique));
        }

        return companies;
    }

    /// <summary>
    /// Contact documents with ids 1..<paramref name="count"/>, dated over the two years before <paramref name="anchor"/>.
    /// </summary>
    public static IEnumerable<JsonObject> Contacts(
        int count, Random random, double duplicateIdentityRate, DateTimeOffset anchor, IReadOnlyList<(int Id, string BusinessName)> companies)
    {
        var totalWeight = Cultures.Sum(c => c.Weight);
        var emails = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var identities = new List<(string First, string Last, string Email)>(count);
        var anchorSeconds = anchor.ToUnixTimeSeconds();
        const long twoYears = 730L * 24 * 3600;

        for (var id = 1; id <= count; id++)
        {
            var created = anchorSeconds - random.NextInt64(twoYears);
            var modified = created + random.NextInt64(anchorSeconds - created + 1);
            var company = random.NextDouble() < 0.25 ? companies[random.Next(companies.Count)] : default;
            var hasCompany = company.BusinessName is not null;

            string first, last, email;
            if (identities.Count > 0 && random.NextDouble() < duplicateIdentityRate)
            {
                (first, last, email) = identities[random.Next(identities.Count)];
            }
            else
            {
                var culture = PickCulture(random, totalWeight);
                first = Pick(random, culture.FirstNames);
                last = Pick(random, culture.LastNames);
                email = UniqueEmail(random, first, last, hasCompany ? company.BusinessName : null, emails);
            }

            identities.Add((first, last, email));

            var doc = new JsonObject
            {
                ["id"] = id,
                ["firstName"] = first,
                ["lastName"] = last,
                ["email"] = email,
                ["phone"] = random.NextDouble() < 0.12 ? null : Phone(random),
                ["externalId"] = null,
                ["status"] = Status(random),
                ["smsStatus"] = random.NextDouble() < 0.7 ? 1 : 4,
                ["privacyConsentData"] = random.NextDouble() < 0.4
                    ? new JsonObject { ["source"] = Pick(random, [1, 3, 4, 5]), ["dateTime"] = IvvyDates.Format(created) }
                    : null,
                ["customFields"] = CustomFields(random),
                ["groups"] = Groups(random, id, created),
                ["companies"] = hasCompany ? new JsonArray(company.Id) : new JsonArray(),
                ["companiesData"] = hasCompany
                    ? new JsonArray(new JsonObject { ["id"] = company.Id, ["businessName"] = company.BusinessName })
                    : new JsonArray(),
                ["externalUrls"] = new JsonArray(),
                ["eventInvitations"] = new JsonArray(),
                ["eventRegistrations"] = new JsonArray(),
                ["isAnonymised"] = false,
                ["createdDate"] = IvvyDates.Format(created),
                ["modifiedDate"] = IvvyDates.Format(modified),
            };
            yield return doc;
        }
    }

    /// <summary>Folds a name to the letters an email address would use: "Nguyễn" → "nguyen", "O'Brien" → "obrien".</summary>
    public static string EmailPart(string name)
    {
        var decomposed = name.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        foreach (var c in decomposed)
        {
            switch (c)
            {
                case 'ß': builder.Append("ss"); break;
                case 'ø' or 'Ø': builder.Append('o'); break;
                case 'ł' or 'Ł': builder.Append('l'); break;
                case 'đ' or 'Đ': builder.Append('d'); break;
                case 'æ' or 'Æ': builder.Append("ae"); break;
                default:
                    if (c < 128 && char.IsAsciiLetterOrDigit(c))
                    {
                        builder.Append(char.ToLowerInvariant(c));
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    private static string UniqueEmail(Random random, string first, string last, string? companyName, HashSet<string> used)
    {
        var f = EmailPart(first);
        var l = EmailPart(last);
        var domain = companyName is not null
            ? EmailPart(companyName.Split(' ')[0]) + "." + Pick(random, ["example.com", "example.net", "example.org"])
            : Pick(random, MailDomains);
        var local = random.Next(5) switch
        {
            0 => $"{f}.{l}",
            1 => $"{f[0]}{l}",
            2 => $"{f}{l}{random.Next(1, 100)}",
            3 => $"{f}_{l}",
            _ => $"{l}.{f}",
        };

        var email = $"{local}@{domain}";
        for (var n = 2; !used.Add(email); n++)
        {
            email = $"{local}{n}@{domain}";
        }

        return email;
    }

    private static string Phone(Random random) => random.Next(10) switch
    {
        < 6 => $"+61 4{random.Next(10, 100)} {random.Next(100, 1000)} {random.Next(100, 1000)}",
        < 8 => $"+61 {Pick(random, [2, 3, 7, 8])} {random.Next(1000, 10000)} {random.Next(1000, 10000)}",
        8 => $"+44 7700 900{random.Next(100, 1000)}",
        _ => $"+1 {random.Next(200, 1000)} 555 {random.Next(1000, 10000):D4}",
    };

    private static int Status(Random random) => random.Next(20) switch
    {
        < 16 => 1,
        < 18 => 2,
        18 => 3,
        _ => 5,
    };

    private static JsonArray CustomFields(Random random)
    {
        var fields = new JsonArray();
        if (random.NextDouble() >= 0.3)
        {
            return fields;
        }

        var chosen = IvvyCatalog.CustomFields.OrderBy(_ => random.Next()).Take(random.Next(1, 3)).OrderBy(f => f.FieldId);
        foreach (var field in chosen)
        {
            var value = field.FieldId switch
            {
                1 => Pick(random, DietaryValues),
                2 => Pick(random, field.SelectValues.ToArray()),
                3 => IvvyDates.Format(new DateTimeOffset(1955 + random.Next(46), 1 + random.Next(12), 1 + random.Next(28), 0, 0, 0, TimeSpan.Zero)),
                4 => Pick(random, JobTitles),
                _ => random.Next(1, 16).ToString(CultureInfo.InvariantCulture),
            };
            fields.Add(new JsonObject { ["fieldId"] = field.FieldId, ["displayName"] = field.DisplayName, ["value"] = value });
        }

        return fields;
    }

    private static JsonArray Groups(Random random, int contactId, long created)
    {
        var groups = new JsonArray();
        if (random.NextDouble() >= 0.2)
        {
            return groups;
        }

        var groupId = IvvyCatalog.SubscriptionGroups[random.Next(IvvyCatalog.SubscriptionGroups.Count)].Id;
        groups.Add(new JsonObject
        {
            ["contactId"] = contactId,
            ["groupId"] = groupId,
            ["joinDate"] = IvvyDates.Format(created)[..^4],
        });
        return groups;
    }

    private static Culture PickCulture(Random random, int totalWeight)
    {
        var roll = random.Next(totalWeight);
        foreach (var culture in Cultures)
        {
            roll -= culture.Weight;
            if (roll < 0)
            {
                return culture;
            }
        }

        return Cultures[0];
    }

    private static T Pick<T>(Random random, T[] items) => items[random.Next(items.Length)];

    private sealed record Culture(string[] FirstNames, string[] LastNames, int Weight);
}
