namespace IvvyWorkflows.Engine.Tests;

/// <summary>Start-up failures must say which setting to fix, fast, and without leaking the connection string.</summary>
public sealed class DurableEngineStartFailureTests
{
    // Azurite's well-known development key: public, yet it must not be echoed either.
    const string Key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

    [Fact]
    public async Task StartAsync_UnreachableConnectionString_FailsNamingTheSetting()
    {
        var options = new DurableEngineOptions
        {
            TaskHubName = AzuriteFixture.NewTaskHubName(),
            StorageConnectionString =
                $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={Key};" +
                "BlobEndpoint=http://127.0.0.1:1/devstoreaccount1;QueueEndpoint=http://127.0.0.1:1/devstoreaccount1;" +
                "TableEndpoint=http://127.0.0.1:1/devstoreaccount1;",
        };

        var error = await Assert.ThrowsAsync<DurableEngineStartException>(
            () => DurableEngine.StartAsync(options, TestTasks.Register));

        Assert.Contains("Engine:StorageConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Key, error.Message, StringComparison.Ordinal);
        Assert.Equal(EngineStartFailure.StorageUnreachable, error.Failure);
        Assert.Equal("Engine:StorageConnectionString", error.Setting);
        Assert.True(error.IsRetryable);
    }

    [Fact]
    public async Task StartAsync_MalformedConnectionString_FailsAsInvalidSettingWithoutEchoingIt()
    {
        var options = new DurableEngineOptions { StorageConnectionString = "AccountKey=secret-value;nonsense" };

        var error = await Assert.ThrowsAsync<DurableEngineStartException>(
            () => DurableEngine.StartAsync(options, TestTasks.Register));

        Assert.Equal(EngineStartFailure.InvalidSetting, error.Failure);
        Assert.Contains("Engine:StorageConnectionString", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StartAsync_InvalidTaskHubName_FailsBeforeTouchingStorage()
    {
        var options = new DurableEngineOptions { TaskHubName = "9-bad-name" };

        var error = await Assert.ThrowsAsync<DurableEngineStartException>(
            () => DurableEngine.StartAsync(options, TestTasks.Register));

        Assert.Equal(EngineStartFailure.InvalidSetting, error.Failure);
        Assert.Equal("Engine:TaskHubName", error.Setting);
        Assert.False(error.IsRetryable);
    }
}
