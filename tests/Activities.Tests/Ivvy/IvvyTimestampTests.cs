using IvvyWorkflows.Activities.Ivvy;

namespace IvvyWorkflows.Activities.Tests.Ivvy;

public sealed class IvvyTimestampTests
{
    [Fact]
    public void Format_OffsetAndFraction_UtcWholeSeconds() =>
        Assert.Equal("2024-02-01 09:00:00",
            IvvyTimestamp.Format(new DateTimeOffset(2024, 2, 1, 19, 0, 0, 999, TimeSpan.FromHours(10))));

    [Theory]
    [InlineData("2021-05-13 07:05:33 UTC")]
    [InlineData("2021-05-13 07:05:33")]
    [InlineData(" 2021-05-13 07:05:33 utc ")]
    public void TryParse_WithOrWithoutSuffix_ParsesAsUtc(string text)
    {
        Assert.True(IvvyTimestamp.TryParse(text, out var value));
        Assert.Equal(new DateTimeOffset(2021, 5, 13, 7, 5, 33, TimeSpan.Zero), value);
        Assert.Equal(TimeSpan.Zero, value.Offset);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("2021-05-13")]
    [InlineData("2021-05-13T07:05:33Z")]
    [InlineData("13/05/2021 07:05:33")]
    [InlineData("2021-13-13 07:05:33")]
    [InlineData("UTC")]
    public void TryParse_NotAnIvvyTimestamp_ReturnsFalse(string? text) =>
        Assert.False(IvvyTimestamp.TryParse(text, out _));

    [Theory]
    [InlineData("2024-02-01 09:00:00 UTC")]
    [InlineData("2024-02-01T09:00:00Z")]
    [InlineData("2024-02-01T19:00:00+10:00")]
    [InlineData("2024-02-01T09:00:00")]
    [InlineData("1706778000")]
    public void TryParseLenient_IsoAndUnixForms_ParsesSameInstant(string text)
    {
        Assert.True(IvvyTimestamp.TryParseLenient(text, out var value));
        Assert.Equal(new DateTimeOffset(2024, 2, 1, 9, 0, 0, TimeSpan.Zero), value);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("soon")]
    public void TryParseLenient_Garbage_ReturnsFalse(string? text) => Assert.False(IvvyTimestamp.TryParseLenient(text, out _));

    [Fact]
    public void Format_ThenTryParse_RoundTripsWholeSeconds()
    {
        var original = new DateTimeOffset(2030, 12, 31, 23, 59, 59, TimeSpan.Zero);

        Assert.True(IvvyTimestamp.TryParse(IvvyTimestamp.Format(original), out var parsed));
        Assert.Equal(original, parsed);
    }

    [Fact]
    public void TruncateToSecond_Fraction_DropsIt() =>
        Assert.Equal(new DateTimeOffset(2024, 2, 1, 9, 0, 0, TimeSpan.Zero),
            IvvyTimestamp.TruncateToSecond(new DateTimeOffset(2024, 2, 1, 9, 0, 0, 750, TimeSpan.Zero)));
}
