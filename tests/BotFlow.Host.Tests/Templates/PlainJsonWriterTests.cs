using BotFlow.Host.Storage;
using BotFlow.Host.Templates;
using Newtonsoft.Json;

namespace BotFlow.Host.Tests.Templates;

/// <summary>Stored JSON must not change with the writer: the direct writer gives Newtonsoft's text for every plain value.</summary>
public sealed class PlainJsonWriterTests
{
    private static readonly string AllControlCharacters = new(Enumerable.Range(0, 32).Select(i => (char)i).ToArray());

    public static TheoryData<string, object?> Values => new()
    {
        { "null", null },
        { "empty text", "" },
        { "control characters", AllControlCharacters },
        { "quotes, backslash, slash, html", "a\"b\\c/d<e>f&g'h" },
        { "line terminators", "x\u0085y\u2028z\u2029" },
        { "accents and emoji", "João Conceição 😀 ✓" },
        { "lone surrogate", "a\ud800b" },
        { "long extremes", new List<object?> { long.MinValue, long.MaxValue, 0L, -1L } },
        { "decimals", new List<object?> { 1m, 1.50m, -0.0001m, 79228162514264337593543950335m, 0m } },
        { "doubles", new List<object?> { 1.0, 0.1, 1e300, -0.0, 5e-324, 123.45, -2.5e-7 } },
        { "non-finite doubles", new List<object?> { double.NaN, double.PositiveInfinity, double.NegativeInfinity } },
        { "booleans", new List<object?> { true, false } },
        { "nested", new Dictionary<string, object?> { ["a"] = new Dictionary<string, object?> { ["b"] = new List<object?> { 1L, "x", null, new Dictionary<string, object?>() } }, ["k\"ey\n"] = new List<object?>(), ["n"] = null } },
        { "ints (an execution record's status)", new List<object?> { 0, -1, 200, int.MinValue, int.MaxValue } },
        { "plain maps", new BotFlow.Sdk.Data.PlainMap { ["status"] = 200, ["headers"] = new BotFlow.Sdk.Data.PlainMap(ignoreCase: true) { ["X-A"] = "1" }, ["e"] = new BotFlow.Sdk.Data.PlainMap() } },
        { "other CLR values", new List<object?> { 7, new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc), new[] { "s" } } },
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void Writes_what_newtonsoft_writes(string name, object? value)
    {
        Assert.NotNull(name);
        Assert.Equal(Reference(value), PlainData.ToJson(value));
    }

    [Fact]
    public void Json_kept_as_its_bytes_is_written_as_it_is_inside_a_document()
    {
        var sent = """{"customer":{"name":"João \"Z\" 😀","n":[1,2.5,null,true]}}""";
        var record = new BotFlow.Sdk.Data.PlainMap { ["method"] = "POST", ["body"] = new BotFlow.Sdk.Data.RawJson(System.Text.Encoding.UTF8.GetBytes(sent)) };

        Assert.Equal("{\"method\":\"POST\",\"body\":" + sent + "}", PlainData.ToJson(record));
        Assert.Equal(sent, PlainData.ToText(record["body"]));
        Assert.Equal("{\"b\":" + sent + "}", System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, object?> { ["b"] = record["body"] })); // API answers
    }

    [Fact]
    public void Contact_fields_are_written_as_newtonsoft_writes_them()
    {
        var fields = new Dictionary<string, string> { ["name"] = "Ana \"Bia\"", ["cpf"] = "52998224725", ["obs"] = AllControlCharacters + "\u2028" };

        Assert.Equal(JsonConvert.SerializeObject(fields), SqlValues.FieldsToJson(fields));
    }

    [Fact]
    public void A_json_response_is_stored_once_and_read_back_with_its_text()
    {
        var body = new Dictionary<string, object?> { ["data"] = new Dictionary<string, object?> { ["url"] = "https://pay.example/b/1", ["n"] = 2L } };
        var response = new Dictionary<string, object?> { ["status"] = 200L, ["body"] = body, ["text"] = PlainData.ToJson(body), ["headers"] = new Dictionary<string, object?> { ["x"] = "y" } };

        var stored = PlainData.ResponseToJson(response);

        Assert.Equal("""{"status":200,"body":{"data":{"url":"https://pay.example/b/1","n":2}},"headers":{"x":"y"},"textIsBody":true}""", stored);
        Assert.Equal(JsonConvert.SerializeObject(response), JsonConvert.SerializeObject(PlainData.ResponseFromJson(stored)));
    }

    // What the host stored before the direct writer: Newtonsoft's text writer with the host's serializer for anything not plain.
    private static string Reference(object? value)
    {
        var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        using (var writer = new JsonTextWriter(text) { Formatting = Formatting.None })
        {
            JsonDefaults.Serializer.Serialize(writer, value);
        }

        return text.ToString();
    }
}
