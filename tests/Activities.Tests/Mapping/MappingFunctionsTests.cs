using System.Text;
using System.Text.Json.Nodes;
using IvvyWorkflows.Activities.Mapping;

namespace IvvyWorkflows.Activities.Tests.Mapping;

/// <summary>The template functions json, required, ivvy_date and custom_field, exercised through templates.</summary>
public sealed class MappingFunctionsTests
{
    private const string Name = "test/v1/templates/functions.scriban";

    private static MappingResult Render(string template, string recordJson = "{}") =>
        MappingTemplate.Compile(Name, template).Render(JsonNode.Parse(recordJson)!.AsObject());

    private static JsonNode? RenderValue(string expression, string recordJson = "{}")
    {
        var result = Render($"{{ \"v\": {{{{ {expression} }}}} }}", recordJson);
        Assert.True(result.IsSuccess, result.ToString());
        return result.Output["v"];
    }

    public static TheoryData<string> AwkwardStrings() => new()
    {
        "O'Brien",
        "Jean \"JJ\" Dupont",
        @"back\slash \\ and \u0041 literally",
        "José Zoë Nguyễn 日本語 😀 𝄞",
        "\u2028 line separator \u2029 paragraph separator",
        "</script><!-- & ' \" -->",
        "\uFEFF\uFFFD\uFFFF",
        "{{ not a template }}",
    };

    [Theory]
    [MemberData(nameof(AwkwardStrings))]
    public void Json_AwkwardString_RoundTripsExactly(string text)
    {
        var record = new JsonObject { ["v"] = text };

        var result = MappingTemplate.Compile(Name, "{ \"v\": {{ record.v | json }} }").Render(record);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.Equal(text, (string?)result.Output["v"]);
    }

    [Fact]
    public void Json_ControlCharacters_AreRemovedFromTheOutputButTabAndLineBreaksStay()
    {
        // The mapping rule (Mapping/README.md, "Values that do not pass silently"): the output never carries controls.
        var record = new JsonObject { ["v"] = string.Concat(Enumerable.Range(0, 32).Select(c => (char)c)) + "\u007F\u0085\u00A0" };

        var result = MappingTemplate.Compile(Name, "{ \"v\": {{ record.v | json }} }").Render(record);

        Assert.Equal("\t\n\r\u00A0", (string?)result.Output!["v"]);
        Assert.Equal("v: 31 control character(s) removed", Assert.Single(result.Notes));
    }

    [Fact]
    public void Json_RandomUnicodeScalars_RoundTripExactly()
    {
        var random = new Random(20240201);
        var template = MappingTemplate.Compile(Name, "{ \"v\": {{ record.v | json }} }");
        for (var sample = 0; sample < 200; sample++)
        {
            var text = new StringBuilder();
            for (var i = 0; i < 40; i++)
            {
                // Any Unicode scalar value: 0..0x10FFFF minus the surrogate block.
                var scalar = random.Next(0, 0x10FFFF - 0x800);
                text.Append(char.ConvertFromUtf32(scalar >= 0xD800 ? scalar + 0x800 : scalar));
            }
            var expected = text.ToString();

            var result = template.Render(new JsonObject { ["v"] = expected });

            Assert.True(result.IsSuccess, result.ToString());
            Assert.Equal(expected, (string?)result.Output["v"]);
        }
    }

    [Fact]
    public void Json_WholeRecord_RoundTripsStructureAndNumbers()
    {
        const string record = """
            {"a": 1.5, "b": 10, "c": -3, "d": 1e300, "e": 9223372036854775807, "f": [true, false, null, {"x": []}],
             "g": {"nested": {"deeper": "é"}}, "h": ""}
            """;

        var result = Render("{{ record | json }}", record);

        Assert.True(result.IsSuccess, result.ToString());
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(record), result.Output), result.Output.ToJsonString());
    }

    [Theory]
    [InlineData("null", "null")]
    [InlineData("true", "true")]
    [InlineData("42", "42")]
    [InlineData("2.5", "2.5")]
    [InlineData("[1, 'two', null]", "[1,\"two\",null]")]
    [InlineData("{ a: 1, b: 'x' }", "{\"a\":1,\"b\":\"x\"}")]
    public void Json_ScriptValue_WritesJsonLiteral(string expression, string expected)
    {
        Assert.Equal(expected, RenderValue($"{expression} | json")?.ToJsonString() ?? "null");
    }

    [Fact]
    public void Json_SelfContainingObject_FailsInsteadOfOverflowingTheStack()
    {
        var result = Render("{{ x = {}; x.self = x }}{ \"v\": {{ x | json }} }");

        Assert.False(result.IsSuccess);
        Assert.Contains("json: the value is nested deeper than 64 levels", result.Error.Message);
    }

    [Fact]
    public void Json_NotANumber_Fails()
    {
        var result = Render("{ \"v\": {{ 0.0 / 0.0 | json }} }");

        Assert.False(result.IsSuccess);
        Assert.Contains("NaN has no JSON form", result.Error.Message);
    }

    [Theory]
    [InlineData("null")]
    [InlineData("''")]
    [InlineData("'   '")]
    [InlineData("[]")]
    [InlineData("record.missing")]
    public void Required_EmptyValue_FailsWithWhatIsRequired(string expression)
    {
        var result = Render($"{{ \"v\": {{{{ {expression} | required 'email' | json }}}} }}");

        Assert.False(result.IsSuccess);
        Assert.Equal("email is required", result.Error.Message);
        // The error points at `required`: after "{ \"v\": {{ ", the expression and " | ".
        Assert.Equal((1, 14 + expression.Length), (result.Error.Line, result.Error.Column));
    }

    [Fact]
    public void Required_NoName_SaysValueIsRequired()
    {
        var result = Render("{ \"v\": {{ required(null) }} }");

        Assert.Equal("value is required", result.Error?.Message);
    }

    [Theory]
    [InlineData("0", "0")]
    [InlineData("false", "false")]
    [InlineData("'x'", "\"x\"")]
    [InlineData("[0]", "[0]")]
    public void Required_PresentValue_ReturnsIt(string expression, string expected)
    {
        Assert.Equal(expected, RenderValue($"{expression} | required 'thing' | json")!.ToJsonString());
    }

    [Theory]
    [InlineData("2024-02-01 09:00:00", "2024-02-01T09:00:00Z")]
    [InlineData("2018-09-07 02:11:47 UTC", "2018-09-07T02:11:47Z")]
    [InlineData(" 2024-12-31 23:59:59 ", "2024-12-31T23:59:59Z")]
    [InlineData("2024-02-01T09:00:00Z", "2024-02-01T09:00:00Z")]
    public void IvvyDate_IvvyTimestamp_ReturnsIsoUtc(string timestamp, string expected)
    {
        Assert.Equal(expected, (string?)RenderValue("record.t | ivvy_date | json", new JsonObject { ["t"] = timestamp }.ToJsonString()));
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"t": null}""")]
    [InlineData("""{"t": ""}""")]
    public void IvvyDate_MissingOrEmpty_ReturnsNull(string record)
    {
        Assert.Null(RenderValue("record.t | ivvy_date | json", record));
    }

    [Fact]
    public void IvvyDate_NotATimestamp_FailsWithTheValue()
    {
        var result = Render("{ \"v\": {{ record.t | ivvy_date | json }} }", """{"t": "01/02/2024"}""");

        Assert.False(result.IsSuccess);
        Assert.Contains("'01/02/2024' is not an iVvy timestamp", result.Error.Message);
    }

    private const string CustomFieldsRecord = """
        {"customFields": [
          {"fieldId": 33443, "displayName": "Dietary", "value": "Vegetarian"},
          {"fieldId": "33444", "displayName": "Shirt size", "value": "L"},
          {"fieldId": 33445, "displayName": "Empty", "value": null}
        ]}
        """;

    [Theory]
    [InlineData("33443", "\"Vegetarian\"")]
    [InlineData("'33443'", "\"Vegetarian\"")]
    [InlineData("33444", "\"L\"")]
    [InlineData("33445", "null")]
    [InlineData("99999", "null")]
    public void CustomField_ById_ReturnsValueOrNull(string fieldId, string expected)
    {
        var value = RenderValue($"custom_field record.customFields {fieldId} | json", CustomFieldsRecord);

        Assert.Equal(expected, value?.ToJsonString() ?? "null");
    }

    [Fact]
    public void CustomField_NoCustomFields_ReturnsNull()
    {
        Assert.Null(RenderValue("custom_field record.customFields 33443 | json"));
    }

    [Fact]
    public void Functions_Reassigned_DoNotLeakIntoOtherRenders()
    {
        var template = MappingTemplate.Compile(Name,
            "{{ if record.shadow; json = 'shadowed'; end }}{ \"v\": {{ if record.shadow }}\"{{ json }}\"{{ else }}{{ json 'x' }}{{ end }} }");

        var shadowed = template.Render(new JsonObject { ["shadow"] = true });
        var clean = template.Render(new JsonObject());

        Assert.Equal("shadowed", (string?)shadowed.Output?["v"]);
        Assert.Equal("x", (string?)clean.Output?["v"]);
    }

    [Fact]
    public void DateNow_IsRefused_SoAMappingNeverDependsOnTheClock()
    {
        var result = Render("{ \"at\": {{ date.now | json }} }");

        Assert.False(result.IsSuccess);
        Assert.Contains("date.now is not available", result.Error!.Message);
        Assert.Equal((1, 12), (result.Error.Line, result.Error.Column));
    }

    [Fact]
    public void DateFunctions_OtherThanNow_StillWork()
    {
        Assert.Equal("2024-02-01", RenderValue("date.parse \"2024-02-01 09:00:00\" | date.to_string \"%F\" | json")!.GetValue<string>());
    }

    [Fact]
    public void HtmlText_EmailBody_DropsScriptsAndStylesKeepsLinksAndLines()
    {
        const string html = """
            <html><head><style>p { color: red }</style></head><body>
            <script>alert('x')</script><p>Dear Zoë,</p><p>Your ticket:&nbsp;<a href="https://e.example.com/t?id=1&amp;k=2">view it</a></p>
            <!-- tracking --><div>See <a href='https://e.example.com'>https://e.example.com</a><br>Thanks &amp; regards</div></body></html>
            """;

        var text = RenderValue("record.body | html_text | json", $$"""{ "body": {{System.Text.Json.JsonSerializer.Serialize(html)}} }""")!.GetValue<string>();

        Assert.Equal("Dear Zoë,\n\nYour ticket: view it (https://e.example.com/t?id=1&k=2)\n\nSee https://e.example.com\nThanks & regards", text);
    }

    [Fact]
    public void LimitText_LongBody_IsCutWithANoteSayingHowMuch()
    {
        var body = new string('x', 70_000);

        var limited = RenderValue("record.body | limit_text 65536 | json", $$"""{ "body": "{{body}}" }""")!.GetValue<string>();

        Assert.Equal(65_536, limited.Length);
        Assert.EndsWith("[truncated: 65,536 of 70,000 characters kept; the full text is in iVvy]", limited);
        Assert.Equal("short", RenderValue("'short' | limit_text 100 | json")!.GetValue<string>());
    }
}
