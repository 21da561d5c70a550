namespace IvvyWorkflows.Engine.Tests;

/// <summary>
/// Makes sure the machine's Azurite listens on 10000-10002 for the whole test run: reused when one already does (CI
/// starts it beforehand), otherwise started here with its data in a temporary folder. Engines under test reach it
/// with <c>UseDevelopmentStorage=true</c>, external storage they never start or stop.
/// </summary>
/// <remarks>
/// An Azurite started here is left running: other test assemblies run in parallel may be using it by then, and the
/// next run reuses it. Stop it with <c>AzuriteLauncher.StopRecordedAsync(DataDirectory)</c> (it is recorded there).
/// </remarks>
public sealed class AzuriteFixture : IAsyncLifetime
{
    /// <summary>Data directory given to every engine under test.</summary>
    public string DataDirectory { get; } = Path.Combine(Path.GetTempPath(), "ivvy-workflows-engine-tests");

    /// <summary>Options for an engine on a task hub of its own, so tests never see each other's instances.</summary>
    public DurableEngineOptions NewOptions(string? taskHubName = null) => new()
    {
        DataDirectory = DataDirectory,
        StorageConnectionString = DurableEngineOptions.DevelopmentStorageConnectionString,
        TaskHubName = taskHubName ?? NewTaskHubName(),
    };

    /// <summary>A unique, valid task hub name.</summary>
    public static string NewTaskHubName() => "t" + Guid.NewGuid().ToString("N")[..20];

    /// <inheritdoc />
    public Task InitializeAsync() => AzuriteLauncher.EnsureDevelopmentStorageAsync(DataDirectory);

    /// <inheritdoc />
    public Task DisposeAsync() => Task.CompletedTask;
}
