using System.Text;
using IvvyWorkflows.Activities.Ivvy;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

public sealed class IvvySignatureTests
{
    private const string PingStringToSign =
        "posta09f600c77a6dbd947db24c61e8935caapplication/json/api/1.0/test?action=ping1.0ivvydate=2012-04-03 22:23:24";

    [Fact]
    public void Sign_DocsHmacVector_MatchesReference() =>
        Assert.Equal("a993876ea1218921a1c8551923473da7b310dfae", IvvySignature.Sign("my secret key", "string to sign"));

    [Theory]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e")]
    [InlineData("{}", "99914b932bd37a50b983c5e7c90ae93b")]
    [InlineData("{\"example\":\"body\"}", "a09f600c77a6dbd947db24c61e8935ca")]
    [InlineData("{\"perPage\":100,\"start\":0,\"filter\":{\"fromModifiedDate\":\"2024-01-31 13:45:00\"}}", "d458e81c9a59b34aa9b9d341964ff210")]
    public void ContentMd5_KnownBodies_LowercaseHexOfExactBytes(string body, string expected) =>
        Assert.Equal(expected, IvvySignature.ContentMd5(Encoding.UTF8.GetBytes(body)));

    [Fact]
    public void StringToSign_DocsPingExample_IsExactlyAsDocumented()
    {
        var stringToSign = IvvySignature.StringToSign("POST", "a09f600c77a6dbd947db24c61e8935ca", "application/json",
            "/api/1.0/test?action=ping", "2012-04-03 22:23:24");

        Assert.Equal(PingStringToSign, stringToSign);
    }

    [Fact]
    public void Sign_DocsPingExampleWithSecretFoo_MatchesReference() =>
        Assert.Equal("8c7a8f2bcd32aa06d9c4097653bee4106b64fe81", IvvySignature.Sign("foo", PingStringToSign));

    [Fact]
    public void StringToSign_ContactListExample_LowercasesActionAndMatchesReference()
    {
        var stringToSign = IvvySignature.StringToSign("POST", "d458e81c9a59b34aa9b9d341964ff210", "application/json",
            "/api/1.0/contact?action=getContactList", "2024-02-01 09:00:00");

        Assert.Equal(
            "postd458e81c9a59b34aa9b9d341964ff210application/json/api/1.0/contact?action=getcontactlist1.0ivvydate=2024-02-01 09:00:00",
            stringToSign);
        Assert.Equal("2798b482005bab9038f211e9c576e4b9912100cf", IvvySignature.Sign("mysecret", stringToSign));
    }

    [Fact]
    public void Sign_SecretCase_IsNotLowercased() =>
        Assert.NotEqual(IvvySignature.Sign("Foo", PingStringToSign), IvvySignature.Sign("foo", PingStringToSign));

    [Fact]
    public async Task Apply_DocsPingExample_SetsAllHeadersAndBody()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://api.ap-southeast-2.ivvy.com/api/1.0/test?action=ping");
        var body = Encoding.UTF8.GetBytes("{\"example\":\"body\"}");

        IvvySignature.Apply(request, body, "mykey", "foo", new DateTimeOffset(2012, 4, 3, 22, 23, 24, TimeSpan.Zero));

        Assert.Equal("IWS mykey:8c7a8f2bcd32aa06d9c4097653bee4106b64fe81",
            request.Headers.GetValues(IvvySignature.AuthorizationHeader).Single());
        Assert.Equal("2012-04-03 22:23:24", request.Headers.GetValues(IvvySignature.DateHeader).Single());
        Assert.Equal("a09f600c77a6dbd947db24c61e8935ca", request.Content!.Headers.GetValues(IvvySignature.ContentMd5Header).Single());
        Assert.Equal("application/json", request.Content.Headers.ContentType!.ToString());
        Assert.Equal(body, await request.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void Apply_DateWithOffset_SendsUtc()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://h/api/1.0/test?action=ping");

        IvvySignature.Apply(request, [], "k", "s", new DateTimeOffset(2024, 2, 1, 19, 0, 0, TimeSpan.FromHours(10)));

        Assert.Equal("2024-02-01 09:00:00", request.Headers.GetValues(IvvySignature.DateHeader).Single());
        Assert.Equal("d41d8cd98f00b204e9800998ecf8427e", request.Content!.Headers.GetValues(IvvySignature.ContentMd5Header).Single());
    }

    [Fact]
    public void Apply_SignedTwice_KeepsOneHeaderOfEach()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://h/api/1.0/test?action=ping");

        IvvySignature.Apply(request, [], "k", "s", new DateTimeOffset(2024, 2, 1, 9, 0, 0, TimeSpan.Zero));
        IvvySignature.Apply(request, [], "k", "s", new DateTimeOffset(2024, 2, 1, 9, 0, 5, TimeSpan.Zero));

        Assert.Equal("2024-02-01 09:00:05", request.Headers.GetValues(IvvySignature.DateHeader).Single());
        Assert.Single(request.Headers.GetValues(IvvySignature.AuthorizationHeader));
    }

    [Fact]
    public void Apply_RelativeUri_Throws()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/1.0/test?action=ping", UriKind.Relative));

        Assert.Throws<ArgumentException>(() => IvvySignature.Apply(request, [], "k", "s", DateTimeOffset.UnixEpoch));
    }

    [Theory]
    [InlineData("IWS key:abc123", true, "key", "abc123")]
    [InlineData("IWS key:with:colons:abc123", true, "key:with:colons", "abc123")]
    [InlineData("IWS key:", false, "", "")]
    [InlineData("IWS :abc", false, "", "")]
    [InlineData("Bearer key:abc", false, "", "")]
    [InlineData(null, false, "", "")]
    public void TryParseAuthorization_Values_SplitsKeyAndSignature(string? value, bool ok, string key, string signature)
    {
        Assert.Equal(ok, IvvySignature.TryParseAuthorization(value, out var parsedKey, out var parsedSignature));
        Assert.Equal(key, parsedKey);
        Assert.Equal(signature, parsedSignature);
    }

    [Fact]
    public void SignaturesEqual_DifferentCaseAndDifferentValue_ComparesIgnoringCase()
    {
        Assert.True(IvvySignature.SignaturesEqual("8C7A8F2B", "8c7a8f2b"));
        Assert.False(IvvySignature.SignaturesEqual("8c7a8f2b", "8c7a8f2c"));
        Assert.False(IvvySignature.SignaturesEqual("8c7a8f2b", "8c7a8f2bff"));
    }
}
