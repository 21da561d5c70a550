using IvvyWorkflows.Activities.Sync;
using IvvyWorkflows.Workflows.Definitions;

namespace IvvyWorkflows.Activities.Tests.Sync;

public sealed class ConflictPolicyTests
{
    private static readonly DateTimeOffset Earlier = new(2026, 11, 27, 10, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = Earlier.AddSeconds(5);

    [Theory]
    [InlineData("ivvy", "ivvy")]
    [InlineData("crm", "crm")]
    public void Winner_NewestWins_TheLaterChangeWinsWhicheverSideWrites(string x, string expected)
    {
        var pairing = new PairingDefinition();
        var (xModified, yModified) = expected == x ? (Later, Earlier) : (Earlier, Later);

        Assert.Equal(expected, ConflictPolicy.Winner(pairing, "lastname", x, xModified, yModified));
        Assert.Equal(expected == "ivvy" ? "crm" : "ivvy", ConflictPolicy.Winner(pairing, "lastname", x, yModified, xModified));
    }

    [Fact]
    public void Winner_TieOrUnknownTimes_GoesToIvvy()
    {
        var pairing = new PairingDefinition();

        Assert.Equal("ivvy", ConflictPolicy.Winner(pairing, "email", "crm", Earlier, Earlier));
        Assert.Equal("ivvy", ConflictPolicy.Winner(pairing, "email", "crm", null, Later));
    }

    [Theory]
    [InlineData("ivvy-wins", "ivvy")]
    [InlineData("crm-wins", "crm")]
    public void Winner_SideWinsPolicy_IgnoresTimes(string policy, string expected)
    {
        var pairing = new PairingDefinition { ConflictPolicy = policy };

        Assert.Equal(expected, ConflictPolicy.Winner(pairing, "phone", "ivvy", Later, Earlier));
        Assert.Equal(expected, ConflictPolicy.Winner(pairing, "phone", "crm", Later, Earlier));
    }

    [Fact]
    public void Winner_FieldOwners_OwnedFieldsGoToTheirOwnerOthersToTheNewer()
    {
        var pairing = new PairingDefinition
        {
            ConflictPolicy = "field-owners",
            FieldOwners = new Dictionary<string, string> { ["phone"] = "crm", ["email"] = "ivvy" },
        };

        Assert.Equal("crm", ConflictPolicy.Winner(pairing, "phone", "ivvy", Later, Earlier));
        Assert.Equal("ivvy", ConflictPolicy.Winner(pairing, "email", "crm", Later, Earlier));
        Assert.Equal("crm", ConflictPolicy.Winner(pairing, "lastname", "crm", Later, Earlier));
    }
}
