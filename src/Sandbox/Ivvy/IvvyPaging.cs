using System.Text.Json.Nodes;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>iVvy's offset paging: <c>start</c> is a 0-based record offset, <c>perPage</c> a page size above the cap silently capped.</summary>
internal readonly record struct IvvyPaging(int Start, int PerPage)
{
    /// <summary>Reads <c>perPage</c> and <c>start</c> from a request.</summary>
    /// <param name="body">The request.</param>
    /// <param name="options">Default page size and cap.</param>
    /// <param name="cap">A documented cap of the action (100 for registrations and attendees), applied under the configured one.</param>
    /// <param name="perPageRequired">True where iVvy requires <c>perPage</c> (getBookingListForAccount): missing → 400 23017.</param>
    /// <exception cref="IvvyApiException">400 23016 for a value that is not a positive whole number (start: 0 or more).</exception>
    public static IvvyPaging From(JsonObject body, IvvySimulatorOptions options, int? cap = null, bool perPageRequired = false)
    {
        var max = Math.Min(options.MaxPerPage, cap ?? int.MaxValue);
        var perPage = Math.Min(options.DefaultPerPage, max);
        if (body["perPage"] is { } perPageNode)
        {
            if (!IvvyJson.TryGetInteger(perPageNode, out var requested))
            {
                throw IvvyApiException.Invalid("perPage", "Value must be a whole number");
            }

            if (requested <= 0)
            {
                throw IvvyApiException.Invalid("perPage", "Value must be greater than 0");
            }

            // iVvy: "providing a perPage option greater than that cap will not have any effect".
            perPage = (int)Math.Min(requested, max);
        }
        else if (perPageRequired)
        {
            throw IvvyApiException.Required("perPage");
        }

        var start = 0;
        if (body["start"] is { } startNode)
        {
            if (!IvvyJson.TryGetInteger(startNode, out var offset) || offset < 0 || offset > int.MaxValue)
            {
                throw IvvyApiException.Invalid("start", "Value must be a whole number, 0 or more");
            }

            start = (int)offset;
        }

        return new IvvyPaging(start, perPage);
    }

    /// <summary>The collection envelope <c>{meta:{totalResults,start,perPage,count}, results}</c>.</summary>
    public JsonObject Collection(int total, IEnumerable<JsonObject> items)
    {
        var results = new JsonArray(items.Select(i => (JsonNode?)i).ToArray());
        return new JsonObject
        {
            ["meta"] = new JsonObject { ["totalResults"] = total, ["start"] = Start, ["perPage"] = PerPage, ["count"] = results.Count },
            ["results"] = results,
        };
    }

    /// <summary>A required whole-number id parameter: missing → 23017, not a positive whole number → 23016.</summary>
    public static int RequiredId(JsonObject body, string name) =>
        body[name] is null ? throw IvvyApiException.Required(name)
        : IvvyJson.TryGetInteger(body[name], out var id) && id is > 0 and <= int.MaxValue ? (int)id
        : throw IvvyApiException.Invalid(name, "Value must be a whole number");
}
