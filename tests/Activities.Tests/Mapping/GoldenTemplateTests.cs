using IvvyWorkflows.Activities.Mapping;

namespace IvvyWorkflows.Activities.Tests.Mapping;

/// <summary>Runs every golden case under the repository's workflows/ folder.</summary>
public sealed class GoldenTemplateTests
{
    private static readonly Lazy<IReadOnlyDictionary<string, GoldenCase>> Cases =
        new(() => GoldenCase.Discover(RepositoryPaths.Workflows).ToDictionary(c => c.Id, StringComparer.Ordinal));

    public static TheoryData<string> CaseIds()
    {
        var data = new TheoryData<string>();
        foreach (var id in Cases.Value.Keys.Order(StringComparer.Ordinal))
        {
            data.Add(id);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(CaseIds))]
    public void Run_GoldenCase_MatchesExpectation(string caseId)
    {
        var outcome = Cases.Value[caseId].Run();

        Assert.True(outcome.Passed, outcome.Message);
    }

    [Fact]
    public void Discover_RepositoryWorkflows_FindsEveryContactsCase()
    {
        var contactCases = Cases.Value.Values
            .Where(c => c is { Module: "contacts", Version: "v1", TemplateName: "ivvy-contact-to-hubspot" })
            .Select(c => c.CaseName)
            .ToList();

        Assert.Equal(
            ["001-basic", "002-unicode-names", "003-no-company", "004-email-normalised", "005-missing-email"],
            contactCases);
    }
}
