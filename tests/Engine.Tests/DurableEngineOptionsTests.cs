using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Engine.Tests;

public sealed class DurableEngineOptionsTests
{
    [Fact]
    public void Defaults_AreValidAndUseLocalAzurite()
    {
        var options = new DurableEngineOptions();

        Assert.Empty(Validate(options));
        Assert.True(options.UsesLocalAzurite);
        Assert.Equal(TimeSpan.FromSeconds(30), options.StorageLossTimeout);
        Assert.Equal("ivvyworkflows", options.TaskHubName);
        Assert.Equal("embedded", options.WorkerId);
        Assert.Equal(TimeSpan.FromSeconds(15), options.WorkItemVisibility);
        Assert.Equal(TimeSpan.FromSeconds(30), options.ControlQueueVisibility);
        Assert.Equal(TimeSpan.FromSeconds(1), options.MaxQueuePollingInterval);
        Assert.Equal(1, options.PartitionCount);
        Assert.True(options.StopAzuriteOnExit);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("ivvyWorkflows2")]
    [InlineData("a23456789012345678901234567890123456789012345")]
    public void TaskHubName_FollowingAzureStorageRules_IsValid(string name)
    {
        Assert.Empty(Validate(new DurableEngineOptions { TaskHubName = name }));
    }

    [Theory]
    [InlineData("ab")]
    [InlineData("1hub")]
    [InlineData("my-hub")]
    [InlineData("my_hub")]
    [InlineData("a234567890123456789012345678901234567890123456")]
    [InlineData("")]
    public void TaskHubName_BreakingAzureStorageRules_IsRejected(string name)
    {
        var errors = Validate(new DurableEngineOptions { TaskHubName = name });

        Assert.Contains(errors, e => e.MemberNames.Contains(nameof(DurableEngineOptions.TaskHubName)));
    }

    [Fact]
    public void PartitionCount_AboveSixteen_IsRejected()
    {
        Assert.NotEmpty(Validate(new DurableEngineOptions { PartitionCount = 17 }));
    }

    [Fact]
    public void UsesLocalAzurite_RealAccountConnectionString_IsFalse()
    {
        var options = new DurableEngineOptions { StorageConnectionString = "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k" };

        Assert.False(options.UsesLocalAzurite);
    }

    [Fact]
    public void UsesLocalAzurite_DevelopmentStorageConnectionString_IsFalse()
    {
        // The machine's emulator on 10000-10002 is someone else's: never adopted, never stopped.
        Assert.False(new DurableEngineOptions { StorageConnectionString = "UseDevelopmentStorage=true" }.UsesLocalAzurite);
    }

    [Theory]
    [InlineData("00:00:01")]
    [InlineData("00:10:01")]
    public void StorageLossTimeout_OutOfRange_IsRejectedNamingIt(string value)
    {
        var errors = Validate(new DurableEngineOptions { StorageLossTimeout = TimeSpan.Parse(value, System.Globalization.CultureInfo.InvariantCulture) });

        Assert.Contains(errors, e => e.MemberNames.Contains(nameof(DurableEngineOptions.StorageLossTimeout)));
        Assert.Contains(errors, e => e.ErrorMessage!.Contains("Engine:StorageLossTimeout", StringComparison.Ordinal));
    }

    [Fact]
    public void AddDurableEngineOptions_EngineSection_BindsValues()
    {
        using var provider = Build(new Dictionary<string, string?>
        {
            ["Engine:TaskHubName"] = "nightly",
            ["Engine:WorkItemVisibility"] = "00:00:20",
            ["Engine:StopAzuriteOnExit"] = "false",
        });

        DurableEngineOptions options = provider.GetRequiredService<IOptions<DurableEngineOptions>>().Value;

        Assert.Equal("nightly", options.TaskHubName);
        Assert.Equal(TimeSpan.FromSeconds(20), options.WorkItemVisibility);
        Assert.False(options.StopAzuriteOnExit);
    }

    [Fact]
    public void AddDurableEngineOptions_InvalidValue_FailsValidationNamingIt()
    {
        using var provider = Build(new Dictionary<string, string?> { ["Engine:TaskHubName"] = "x" });

        var error = Assert.Throws<OptionsValidationException>(
            () => provider.GetRequiredService<IOptions<DurableEngineOptions>>().Value);

        Assert.Contains("TaskHubName", error.Message, StringComparison.Ordinal);
    }

    static ServiceProvider Build(Dictionary<string, string?> values)
    {
        IConfiguration configuration = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var services = new ServiceCollection();
        services.AddDurableEngineOptions(configuration);
        return services.BuildServiceProvider();
    }

    static List<ValidationResult> Validate(DurableEngineOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }
}
