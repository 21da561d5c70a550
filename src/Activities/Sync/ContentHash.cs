using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace IvvyWorkflows.Activities.Sync;

/// <summary>Hashes JSON by content: object keys sorted, so the same data always hashes the same whatever its key order.</summary>
public static class ContentHash
{
    /// <summary>SHA-256 (hex, first 32 chars) of the canonical form of <paramref name="node"/>, skipping top-level <paramref name="ignore"/> keys.</summary>
    public static string Of(JsonNode? node, params string[] ignore)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, node, ignore);
        }

        return Convert.ToHexStringLower(SHA256.HashData(buffer.GetBuffer().AsSpan(0, (int)buffer.Length)))[..32];
    }

    /// <summary>Hash of a text (e.g. a template), same form as <see cref="Of"/>.</summary>
    public static string OfText(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];

    private static void Write(Utf8JsonWriter writer, JsonNode? node, string[] ignore)
    {
        switch (node)
        {
            case JsonObject obj:
                writer.WriteStartObject();
                foreach (var (key, value) in obj.OrderBy(p => p.Key, StringComparer.Ordinal))
                {
                    if (ignore.Length > 0 && Array.IndexOf(ignore, key) >= 0)
                    {
                        continue;
                    }

                    writer.WritePropertyName(key);
                    Write(writer, value, []);
                }

                writer.WriteEndObject();
                break;
            case JsonArray array:
                writer.WriteStartArray();
                foreach (var item in array)
                {
                    Write(writer, item, []);
                }

                writer.WriteEndArray();
                break;
            case null:
                writer.WriteNullValue();
                break;
            default:
                node.WriteTo(writer);
                break;
        }
    }
}
