using System.Globalization;

namespace IvvyWorkflows.Engine.Tests;

public sealed class AzuriteLauncherTests : IDisposable
{
    readonly string root = Path.Combine(Path.GetTempPath(), "ivvy-azurite-launcher-" + Guid.NewGuid().ToString("N"));

    public AzuriteLauncherTests() => Directory.CreateDirectory(root);

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void LocateScript_EnvironmentVariableSet_ReturnsThatFile()
    {
        string script = Touch(Path.Combine(root, "custom", "azurite.js"));
        Touch(Path.Combine(root, "repo", AzuriteLauncher.RepositoryScriptPath));

        string? found = AzuriteLauncher.LocateScript(root, script, [Path.Combine(root, "repo")]);

        Assert.Equal(script, found);
    }

    [Fact]
    public void LocateScript_EnvironmentVariablePointsAtMissingFile_ThrowsNamingTheVariable()
    {
        var error = Assert.Throws<DurableEngineStartException>(
            () => AzuriteLauncher.LocateScript(root, Path.Combine(root, "missing.js"), []));

        Assert.Equal(AzuriteLauncher.ScriptPathVariable, error.Setting);
        Assert.Equal(EngineStartFailure.AzuriteUnavailable, error.Failure);
    }

    [Fact]
    public void LocateScript_RepositoryCopyAboveSearchRoot_IsFoundByWalkingUp()
    {
        string script = Touch(Path.Combine(root, "repo", AzuriteLauncher.RepositoryScriptPath));
        string deep = Directory.CreateDirectory(Path.Combine(root, "repo", "tests", "X", "bin", "Debug")).FullName;
        Touch(AzuriteLauncher.InstalledScriptPath(Path.Combine(root, "data")));

        string? found = AzuriteLauncher.LocateScript(Path.Combine(root, "data"), null, [deep]);

        Assert.Equal(script, found);
    }

    [Fact]
    public void LocateScript_OnlyDataDirectoryInstall_ReturnsIt()
    {
        string data = Path.Combine(root, "data");
        string script = Touch(AzuriteLauncher.InstalledScriptPath(data));

        string? found = AzuriteLauncher.LocateScript(data, "", [Path.Combine(root, "elsewhere")]);

        Assert.Equal(script, found);
    }

    [Fact]
    public void LocateScript_NothingInstalled_ReturnsNull()
    {
        Assert.Null(AzuriteLauncher.LocateScript(Path.Combine(root, "data"), null, [root]));
    }

    [Fact]
    public async Task StopRecordedAsync_NoPidFile_ReturnsFalse()
    {
        Assert.False(await AzuriteLauncher.StopRecordedAsync(root));
    }

    [Fact]
    public async Task StopRecordedAsync_PidOfAnotherProgram_LeavesItAloneAndDropsTheRecord()
    {
        // The recorded pid now belongs to this test process: it must not be signalled.
        string record = Path.Combine(root, AzuriteLauncher.RecordFileName);
        await File.WriteAllTextAsync(record, string.Create(CultureInfo.InvariantCulture,
            $$"""{"ProcessId":{{Environment.ProcessId}},"BlobPort":10000,"QueuePort":10001,"TablePort":10002,"Location":"{{Path.Combine(root, "azurite-data")}}"}"""));

        bool stopped = await AzuriteLauncher.StopRecordedAsync(root);

        Assert.False(stopped);
        Assert.False(File.Exists(record));
    }

    [Fact]
    public async Task StopAsync_LauncherThatStartedNothing_DoesNothing()
    {
        var launcher = new AzuriteLauncher();

        await launcher.StopAsync();

        Assert.False(launcher.StartedByThisLauncher);
        Assert.Null(launcher.ProcessId);
    }

    static string Touch(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, "// test");
        return Path.GetFullPath(path);
    }
}
