namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>One stage of a deal pipeline.</summary>
/// <param name="Id">Internal value a deal's <c>dealstage</c> holds.</param>
/// <param name="Label">Display label.</param>
/// <param name="DisplayOrder">Position in the pipeline.</param>
/// <param name="Probability">Win probability, 0.0–1.0, as a string (HubSpot's stage metadata).</param>
internal sealed record HubSpotPipelineStage(string Id, string Label, int DisplayOrder, string Probability);

/// <summary>A deal pipeline (<c>/crm/v3/pipelines/deals</c>); a deal's <c>pipeline</c> and <c>dealstage</c> must name one and one of its stages.</summary>
/// <param name="Id">Internal value a deal's <c>pipeline</c> holds ("default" for the built-in one).</param>
/// <param name="Label">Display label, unique among pipelines.</param>
/// <param name="DisplayOrder">Position among pipelines.</param>
/// <param name="Stages">Its stages.</param>
/// <param name="CreatedAt">When it was created (the epoch for the built-in one).</param>
internal sealed record HubSpotPipeline(string Id, string Label, int DisplayOrder, IReadOnlyList<HubSpotPipelineStage> Stages, DateTimeOffset CreatedAt)
{
    public const string DefaultId = "default";

    /// <summary>HubSpot's default sales pipeline and its stages, which every account has.</summary>
    public static HubSpotPipeline Default { get; } = new(DefaultId, "Sales Pipeline", 0,
    [
        new("appointmentscheduled", "Appointment Scheduled", 0, "0.2"),
        new("qualifiedtobuy", "Qualified To Buy", 1, "0.4"),
        new("presentationscheduled", "Presentation Scheduled", 2, "0.6"),
        new("decisionmakerboughtin", "Decision Maker Bought-In", 3, "0.8"),
        new("contractsent", "Contract Sent", 4, "0.9"),
        new("closedwon", "Closed Won", 5, "1.0"),
        new("closedlost", "Closed Lost", 6, "0.0"),
    ], DateTimeOffset.UnixEpoch);
}
