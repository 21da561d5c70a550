using System.Text.Json;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.HubSpot;

/// <summary>Rules on a record's whole set of values, applied after a write's values are merged in: values HubSpot derives
/// (emails' from/to from the headers), required properties, and deals' pipeline and stage.</summary>
internal static class HubSpotRecordRules
{
    public const string Pipeline = "pipeline";
    public const string DealStage = "dealstage";

    /// <summary>Sets the values HubSpot derives from others.</summary>
    /// <returns>True when a derived value changed.</returns>
    /// <remarks>Emails: <c>hs_email_headers</c> (<c>{"from":{"email"},"to":[{"email"}]}</c>) drives the read-only
    /// <c>hs_email_from_email</c> and <c>hs_email_to_email</c> (recipients joined by ";"). Headers that are not such JSON
    /// derive nothing, rather than fail the write.</remarks>
    public static bool Derive(HubSpotObjectType type, Dictionary<string, string> values)
    {
        if (type.Name != "emails")
        {
            return false;
        }

        string? from = null;
        string? to = null;
        if (values.TryGetValue(HubSpotObjectTypes.EmailHeaders, out var headers))
        {
            try
            {
                if (JsonNode.Parse(headers) is JsonObject parsed)
                {
                    from = HubSpotValues.TextOf(parsed["from"]?["email"]);
                    var recipients = (parsed["to"] as JsonArray ?? []).Select(r => HubSpotValues.TextOf(r?["email"]))
                        .Where(e => !string.IsNullOrEmpty(e)).ToList();
                    to = recipients.Count > 0 ? string.Join(";", recipients) : null;
                }
            }
            catch (JsonException)
            {
                // Not JSON: HubSpot stores the text and derives nothing from it.
            }
        }

        return SetOrClear(values, HubSpotObjectTypes.EmailFrom, from) | SetOrClear(values, HubSpotObjectTypes.EmailTo, to);
    }

    /// <summary>The refused values of a record about to be stored (detail entries as <see cref="HubSpotValues.Invalid"/>); empty when it is fine.</summary>
    /// <remarks>A deal naming a stage but no pipeline goes into the default pipeline, as in HubSpot.</remarks>
    public static JsonArray Check(HubSpotObjectType type, Dictionary<string, string> values, IReadOnlyDictionary<string, HubSpotPipeline> pipelines)
    {
        var invalid = new JsonArray();
        foreach (var required in type.RequiredOnCreate ?? [])
        {
            if (!values.ContainsKey(required))
            {
                invalid.Add(HubSpotValues.Invalid(required, null, "REQUIRED_FIELD", $"{required} is required; a {type.Singular} cannot be saved without it."));
            }
        }

        if (type.Name != "deals")
        {
            return invalid;
        }

        values.TryGetValue(Pipeline, out var pipelineId);
        if (pipelineId is null && values.ContainsKey(DealStage))
        {
            pipelineId = HubSpotPipeline.DefaultId;
            values[Pipeline] = pipelineId;
        }

        if (pipelineId is null)
        {
            return invalid;
        }

        if (!pipelines.TryGetValue(pipelineId, out var pipeline))
        {
            invalid.Add(HubSpotValues.Invalid(Pipeline, pipelineId, "INVALID_OPTION",
                $"{pipelineId} was not one of the allowed options: [{string.Join(", ", pipelines.Keys.Order(StringComparer.Ordinal))}]"));
        }
        else if (values.TryGetValue(DealStage, out var stage) && pipeline.Stages.All(s => s.Id != stage))
        {
            invalid.Add(HubSpotValues.Invalid(DealStage, stage, "INVALID_OPTION",
                $"{stage} was not one of the allowed options for pipeline {pipelineId}: [{string.Join(", ", pipeline.Stages.Select(s => s.Id))}]"));
        }

        return invalid;
    }

    private static bool SetOrClear(Dictionary<string, string> values, string name, string? value)
    {
        if (value is null)
        {
            return values.Remove(name);
        }

        if (values.TryGetValue(name, out var old) && old == value)
        {
            return false;
        }

        values[name] = value;
        return true;
    }
}
