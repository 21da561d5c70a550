namespace IvvyWorkflows.Engine.Tests;

/// <summary>The launcher against the Azurite the fixture made sure of.</summary>
[Collection(AzuriteCollection.Name)]
public sealed class AzuriteLauncherRunningTests
{
    [Fact]
    public async Task EnsureDevelopmentStorageAsync_AzuriteAlreadyListening_ReusesItAndRecordsNothing()
    {
        string directory = Path.Combine(Path.GetTempPath(), "ivvy-devstorage-" + Guid.NewGuid().ToString("N"));

        await AzuriteLauncher.EnsureDevelopmentStorageAsync(directory);

        Assert.True(await AzuriteLauncher.IsRunningAsync(AzuritePorts.WellKnown));
        Assert.False(File.Exists(Path.Combine(directory, AzuriteLauncher.RecordFileName)));
    }
}
