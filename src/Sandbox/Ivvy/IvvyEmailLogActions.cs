using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using static IvvyWorkflows.Sandbox.Ivvy.IvvyFilterSql;

namespace IvvyWorkflows.Sandbox.Ivvy;

/// <summary>The <c>account</c> namespace's <c>getEmailLogList</c>: the account's sent emails, ordered by id.</summary>
/// <remarks>
/// No filter is documented; the simulator accepts the generic ones an incremental sync would try: <c>id</c>, <c>sentTime</c>
/// (with <c>__GREATERTHAN</c> meaning ≥ and <c>__LESSTHAN</c> meaning ≤), <c>contactId</c>, <c>eventId</c>, <c>type</c>,
/// <c>refType</c>. Bodies are HTML rendered from the stored record on every read (some with &lt;script&gt;/&lt;style&gt;, links,
/// and a few larger than 200 KB), so the database stays small.
/// </remarks>
internal sealed class IvvyEmailLogActions(IvvyContactStore store, IvvySimulatorOptions options)
{
    private static readonly Dictionary<string, Filter> Filters = new(StringComparer.Ordinal);

    private static readonly Dictionary<string, Field> Fields = new(StringComparer.Ordinal)
    {
        ["id"] = new("id", Kind.Integer),
        ["sentTime"] = new("sent", Kind.Timestamp),
        ["contactId"] = new("contact_id", Kind.Integer),
        ["eventId"] = new("event_id", Kind.Integer),
        ["type"] = new("type", Kind.Integer),
        ["refType"] = new("ref_type", Kind.Integer),
    };

    public JsonObject GetEmailLogList(JsonObject body)
    {
        var paging = IvvyPaging.From(body, options);
        var where = IvvyFilterSql.From(body["filter"], "email logs", Filters, Fields);
        var (total, page) = store.Read((c, t) => IvvyRecordTables.List(c, t, IvvyRecordTables.EmailLogs, where, "id", paging.Start, paging.PerPage));
        return paging.Collection(total, page.Select(Present));
    }

    /// <summary>The record as the API returns it: the HTML body rendered in place of the stored rendering hints.</summary>
    public static JsonObject Present(JsonObject log)
    {
        var kind = log["bodyKind"]?.GetValue<string>() ?? "plain";
        var name = log["recipientName"]?.GetValue<string>() ?? "there";
        var result = new JsonObject();
        foreach (var (field, value) in log)
        {
            if (field is "bodyKind" or "recipientName")
            {
                continue;
            }

            result[field] = value?.DeepClone();
            if (field == "subject")
            {
                result["body"] = Body(kind, log["id"]!.GetValue<int>(), name, value?.GetValue<string>() ?? string.Empty);
            }
        }

        return result;
    }

    private static string Body(string kind, int id, string name, string subject)
    {
        var builder = new StringBuilder();
        builder.Append("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>").Append(WebUtility.HtmlEncode(subject)).Append("</title>");
        if (kind is "styled" or "large")
        {
            builder.Append("<style>body{font-family:Arial,sans-serif;color:#333}.btn{background:#2E86DE;color:#fff;padding:8px 16px}</style>");
        }

        if (kind == "script")
        {
            builder.Append("<script type=\"text/javascript\">window.trackOpen && trackOpen(").Append(id.ToString(CultureInfo.InvariantCulture)).Append(");</script>");
        }

        builder.Append("</head><body><p>Dear ").Append(WebUtility.HtmlEncode(name)).Append(",</p><p>")
            .Append(WebUtility.HtmlEncode(subject)).Append(".</p>");
        if (kind is "links" or "styled" or "large")
        {
            builder.Append("<p><a class=\"btn\" href=\"https://events.example.com/view?email=").Append(id.ToString(CultureInfo.InvariantCulture))
                .Append("\">View online</a> · <a href=\"https://events.example.com/unsubscribe\">Unsubscribe</a></p>");
        }

        if (kind == "large")
        {
            // An itinerary-style table, as large transactional emails have: well over 200 KB.
            builder.Append("<table>");
            for (var row = 1; row <= 2500; row++)
            {
                builder.Append("<tr><td>Item ").Append(row.ToString(CultureInfo.InvariantCulture))
                    .Append("</td><td>Session details, room allocation &amp; catering notes</td><td>$0.00</td></tr>");
            }

            builder.Append("</table>");
        }

        return builder.Append("<p>Kind regards,<br>Sandbox Events</p></body></html>").ToString();
    }
}
