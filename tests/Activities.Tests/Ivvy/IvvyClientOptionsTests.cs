using System.ComponentModel.DataAnnotations;
using IvvyWorkflows.Activities.Ivvy;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

public sealed class IvvyClientOptionsTests
{
    [Fact]
    public void Defaults_WithCredentials_AreValidAndDocumented()
    {
        var options = new IvvyClientOptions { ApiKey = "k", ApiSecret = "s" };

        options.ValidateOrThrow();

        Assert.Equal(100, options.PerPage);
        Assert.Equal("https://api.ap-southeast-2.ivvy.com/", options.BaseUrl.ToString());
        Assert.NotNull(options.RemoteCall);
    }

    [Theory]
    [InlineData("", "s", "ApiKey")]
    [InlineData("k", "", "ApiSecret")]
    public void ValidateOrThrow_MissingCredential_NamesIt(string key, string secret, string expected)
    {
        var options = new IvvyClientOptions { ApiKey = key, ApiSecret = secret };

        var error = Assert.Throws<ValidationException>(options.ValidateOrThrow);

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void ValidateOrThrow_PerPageOutOfRange_Fails(int perPage) =>
        Assert.Throws<ValidationException>(new IvvyClientOptions { ApiKey = "k", ApiSecret = "s", PerPage = perPage }.ValidateOrThrow);

    [Fact]
    public void ValidateOrThrow_NestedRemoteCallInvalid_Fails()
    {
        var options = new IvvyClientOptions { ApiKey = "k", ApiSecret = "s" };
        options.RemoteCall.MaxRetries = 50;

        var error = Assert.Throws<ValidationException>(options.ValidateOrThrow);

        Assert.Contains("MaxRetries", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/relative")]
    [InlineData("ftp://api.ivvy.com")]
    public void ValidateOrThrow_BaseUrlNotHttp_FailsNamingSetting(string url)
    {
        var options = new IvvyClientOptions { ApiKey = "k", ApiSecret = "s", BaseUrl = new Uri(url, UriKind.RelativeOrAbsolute) };

        var error = Assert.Throws<ValidationException>(options.ValidateOrThrow);

        Assert.Contains("Ivvy:BaseUrl", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_WithCredentials_Redacts()
    {
        var text = new IvvyClientOptions { ApiKey = "key-value-123", ApiSecret = "secret-value-456" }.ToString();

        Assert.DoesNotContain("key-value-123", text, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-value-456", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AddIvvyClient_Configuration_BindsAndResolvesClient()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ivvy:BaseUrl"] = "https://api.us-west-2.ivvy.com",
            ["Ivvy:ApiKey"] = "k",
            ["Ivvy:ApiSecret"] = "s",
            ["Ivvy:PerPage"] = "50",
            ["Ivvy:RemoteCall:MaxRetries"] = "2",
        }).Build();
        var services = new ServiceCollection().AddSingleton<ILoggerFactory>(NullLoggerFactory.Instance)
            .AddSingleton(typeof(ILogger<>), typeof(Logger<>));

        using var provider = services.AddIvvyClient(configuration).BuildServiceProvider();
        var client = provider.GetRequiredService<IvvyClient>();

        Assert.Equal(50, client.Options.PerPage);
        Assert.Equal(2, client.Options.RemoteCall.MaxRetries);
        Assert.Equal("api.us-west-2.ivvy.com", client.Options.BaseUrl.Host);
    }

    [Fact]
    public void AddIvvyClient_InvalidConfiguration_FailsValidation()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ivvy:ApiKey"] = "k",
            ["Ivvy:PerPage"] = "500",
        }).Build();

        using var provider = new ServiceCollection().AddIvvyClient(configuration).BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<IvvyClientOptions>>().Value);
        Assert.Contains(error.Failures, f => f.Contains("PerPage", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("ApiSecret", StringComparison.Ordinal));
    }
}
