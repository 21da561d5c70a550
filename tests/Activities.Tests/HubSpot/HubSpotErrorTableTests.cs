using IvvyWorkflows.Activities.Connectors;
using IvvyWorkflows.Activities.HubSpot;

namespace IvvyWorkflows.Activities.Tests.HubSpot;

public sealed class HubSpotErrorTableTests
{
    [Theory]
    [InlineData(401, "INVALID_AUTHENTICATION", null, null, true, FailureKind.Config)]
    [InlineData(401, null, null, null, false, FailureKind.Config)]
    [InlineData(403, "MISSING_SCOPES", null, null, true, FailureKind.Config)]
    [InlineData(403, null, null, null, false, FailureKind.Config)]
    [InlineData(429, null, "TEN_SECONDLY_ROLLING", "You have reached your ten_secondly_rolling limit.", true, FailureKind.RateLimited)]
    [InlineData(429, null, "SECONDLY", "You have reached your secondly limit.", false, FailureKind.RateLimited)]
    [InlineData(429, null, "DAILY", "You have reached your daily limit.", true, FailureKind.Config)]
    [InlineData(429, null, null, null, false, FailureKind.RateLimited)]
    [InlineData(500, "INTERNAL_ERROR", null, null, true, FailureKind.Transient)]
    [InlineData(502, null, null, null, true, FailureKind.Transient)]
    [InlineData(503, null, null, null, false, FailureKind.Transient)]
    [InlineData(504, null, null, null, false, FailureKind.Transient)]
    [InlineData(408, null, null, null, true, FailureKind.Transient)]
    [InlineData(400, "VALIDATION_ERROR", null, "Property values were not valid", true, FailureKind.Data)]
    [InlineData(400, "VALIDATION_ERROR", null, "Too many filter groups", false, FailureKind.System)]
    [InlineData(400, "CONFLICT", null, "Contact already exists. Existing ID: 1", true, FailureKind.Data)]
    [InlineData(409, "CONFLICT", null, "Contact already exists. Existing ID: 1", true, FailureKind.Data)]
    [InlineData(409, "CONFLICT", null, "A property named 'x' already exists.", false, FailureKind.System)]
    [InlineData(400, "INVALID_EMAIL", null, "Email address x is invalid", true, FailureKind.Data)]
    [InlineData(400, "VALIDATION_ERROR", null, "Unable to perform update/upsert by non-unique 0-1 property", true, FailureKind.Config)]
    [InlineData(400, "INVALID_PARAMS", null, null, true, FailureKind.System)]
    [InlineData(404, "OBJECT_NOT_FOUND", null, "resource not found", true, FailureKind.System)]
    [InlineData(415, null, null, null, false, FailureKind.System)]
    [InlineData(599, null, null, null, false, FailureKind.Transient)]
    public void Classify_StatusCategoryPolicy_GivesTheDeclaredKind(
        int status, string? category, string? policy, string? message, bool isWrite, FailureKind expected)
    {
        var (kind, advice, _) = HubSpotErrorTable.Classify(status, category, policy, message, isWrite);

        Assert.Equal(expected, kind);
        Assert.False(string.IsNullOrWhiteSpace(advice));
    }

    [Theory]
    [InlineData("TEN_SECONDLY_ROLLING", 10)]
    [InlineData("SECONDLY", 1)]
    [InlineData(null, 10)]
    public void Classify_RateLimitPolicy_FallsBackToThePolicyWindow(string? policy, int seconds)
    {
        var (_, _, wait) = HubSpotErrorTable.Classify(429, null, policy, null, isWrite: false);

        Assert.Equal(TimeSpan.FromSeconds(seconds), wait);
    }

    [Fact]
    public void Classify_Unauthorized_NamesTheSettingToFix()
    {
        var (_, advice, _) = HubSpotErrorTable.Classify(401, "INVALID_AUTHENTICATION", null, null, isWrite: false);

        Assert.Contains("HubSpot:AccessToken", advice, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_DailyLimit_SaysTheRunStops()
    {
        var (kind, advice, wait) = HubSpotErrorTable.Classify(429, null, "DAILY", null, isWrite: true);

        Assert.Equal(FailureKind.Config, kind);
        Assert.Contains("daily", advice, StringComparison.OrdinalIgnoreCase);
        Assert.Null(wait);
    }
}
