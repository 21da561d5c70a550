namespace IvvyWorkflows.Engine.Tests;

/// <summary>The launcher against the Azurite the fixture made sure of.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteLauncherRunningTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task EnsureRunningAsync_AzuriteAlreadyListening_ReusesItWithoutClaimingIt()
    {
        var launcher = new AzuriteLauncher();

        await launcher.EnsureRunningAsync(azurite.DataDirectory);
        await launcher.StopAsync();

        Assert.False(launcher.StartedByThisLauncher);
        Assert.True(await AzuriteLauncher.IsRunningAsync());
    }
}
