using System.Buffers;
using System.Collections;
using System.Globalization;
using System.Numerics;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Scriban.Runtime;

namespace IvvyWorkflows.Activities.Mapping;

/// <summary>Writes a Scriban value as JSON text; the engine behind the template function <c>json</c>.</summary>
internal static class JsonLiteral
{
    /// <summary>Deeper than any real record; a template-built cycle (<c>x.self = x</c>) hits it instead of the stack.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep é, ễ, emoji as they are so a preview stays readable; quotes, backslashes and control characters
        // are still escaped, which is all JSON needs. The text goes into a JSON payload, never into HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = false,
    };

    /// <summary>Returns the JSON text of <paramref name="value"/>.</summary>
    /// <exception cref="JsonLiteralException">The value has no JSON form (NaN, a function, a cycle, invalid UTF-16).</exception>
    public static string Write(object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            WriteValue(writer, value, 0);
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteValue(Utf8JsonWriter writer, object? value, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new JsonLiteralException($"the value is nested deeper than {MaxDepth} levels (does it contain itself?)");
        }
        switch (value)
        {
            case null:
                writer.WriteNullValue();
                break;
            case string text:
                WriteString(writer, text);
                break;
            case char character:
                WriteString(writer, character.ToString());
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case double real:
                WriteFinite(writer, real);
                break;
            case float single:
                WriteFinite(writer, single);
                break;
            case decimal money:
                writer.WriteNumberValue(money);
                break;
            case BigInteger big:
                writer.WriteRawValue(big.ToString(CultureInfo.InvariantCulture), skipInputValidation: true);
                break;
            case sbyte or byte or short or ushort or int or uint or long:
                writer.WriteNumberValue(Convert.ToInt64(value, CultureInfo.InvariantCulture));
                break;
            case ulong unsigned:
                writer.WriteNumberValue(unsigned);
                break;
            case DateTime dateTime:
                writer.WriteStringValue(dateTime.Kind == DateTimeKind.Utc
                    ? dateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)
                    : dateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", CultureInfo.InvariantCulture));
                break;
            case DateTimeOffset offset:
                writer.WriteStringValue(offset.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture));
                break;
            case TimeSpan span:
                writer.WriteStringValue(span.ToString("c", CultureInfo.InvariantCulture));
                break;
            case IScriptCustomFunction:
                throw new JsonLiteralException("a function has no JSON form (call it, or pass its result)");
            // ScriptArray is also an IScriptObject, so lists are matched before objects.
            case IList list:
                writer.WriteStartArray();
                foreach (var item in list)
                {
                    WriteValue(writer, item, depth + 1);
                }
                writer.WriteEndArray();
                break;
            case IDictionary<string, object?> obj:
                writer.WriteStartObject();
                foreach (var (name, item) in obj)
                {
                    writer.WritePropertyName(CheckText(name));
                    WriteValue(writer, item, depth + 1);
                }
                writer.WriteEndObject();
                break;
            case IEnumerable sequence:
                writer.WriteStartArray();
                foreach (var item in sequence)
                {
                    WriteValue(writer, item, depth + 1);
                }
                writer.WriteEndArray();
                break;
            default:
                throw new JsonLiteralException($"a value of type {value.GetType().Name} has no JSON form");
        }
    }

    private static void WriteFinite(Utf8JsonWriter writer, double real)
    {
        if (!double.IsFinite(real))
        {
            throw new JsonLiteralException($"{real.ToString(CultureInfo.InvariantCulture)} has no JSON form");
        }
        writer.WriteNumberValue(real);
    }

    private static void WriteString(Utf8JsonWriter writer, string text) => writer.WriteStringValue(CheckText(text));

    private static string CheckText(string text)
    {
        // Utf8JsonWriter throws a bare ArgumentException on an unpaired surrogate; say what is wrong instead.
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            return text;
        }
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                throw new JsonLiteralException($"the text contains an unpaired surrogate (U+{(int)text[i]:X4}) at index {i}");
            }
        }
        return text;
    }
}

/// <summary>A value that cannot be written as JSON; the message completes "json: …".</summary>
internal sealed class JsonLiteralException(string message) : Exception(message);
