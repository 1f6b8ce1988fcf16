using System.Globalization;
using System.Text;
using BotFlow.Plugins.Integration.Body;
using BotFlow.Sdk.Data;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Plugins.Integration.Tests.Body;

public sealed class BodyBuilderTests
{
    private const string VectorsFile = "body-keys.vectors.json";

    // Only the name travels as theory data, so each case is discovered and shown by its name.
    public static TheoryData<string> VectorNames()
    {
        var names = new TheoryData<string>();
        foreach (JToken vector in LoadVectors())
        {
            names.Add((string)vector["name"]!);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(VectorNames))]
    public void Vector(string name)
    {
        JToken vector = LoadVectors().Single(v => (string?)v["name"] == name);
        var rows = new List<BodyRow>();
        foreach (JToken row in vector["rows"]!)
        {
            rows.Add(new BodyRow((string)row["key"]!, (string?)row["value"], (string?)row["type"]));
        }

        BodyBuildResult result = BodyBuilder.Build(rows);

        if (vector["error"] is JObject expectedError)
        {
            int row = (int)expectedError["row"]!;
            string word = (string)expectedError["contains"]!;
            Assert.Null(result.Text);
            Assert.NotEmpty(result.Errors);
            Assert.All(result.Errors, e => Assert.Equal(row, e.Row));
            Assert.True(
                result.Errors.Any(e => e.Message.Contains(word, StringComparison.OrdinalIgnoreCase)),
                $"no error contains '{word}': {Describe(result.Errors)}");
        }
        else
        {
            Assert.True(result.Succeeded, Describe(result.Errors));
            Assert.Equal(Canonical(vector["expect"]!.ToString(Formatting.None)), Canonical(result.Text));
            Assert.Equal(Canonical(result.Text), Canonical(JsonPlain.Compact(result.Plain)));
        }
    }

    [Fact]
    public void The_plain_body_holds_the_values_that_are_sent()
    {
        BodyBuildResult result = BodyBuilder.Build(
        [
            Field("deal[amount]", 150.50m),
            Field("deal[count]", 7),
            Field("deal[vip]", true),
            Text("deal[big]", "12345678901234567890123", "number"),
            Text("items[]", "{\"sku\":\"A\",\"qty\":2}", "json"),
            Text("items[]", "x"),
            Text("gone", "x", "null"),
        ]);

        Assert.True(result.Succeeded, Describe(result.Errors));
        var body = Assert.IsType<PlainMap>(result.Plain);
        var deal = Assert.IsType<PlainMap>(body["deal"]);
        Assert.Equal(150.50m, deal["amount"]);
        Assert.Equal(7L, deal["count"]);
        Assert.Equal(true, deal["vip"]);
        Assert.Equal(1.2345678901234568E+22, deal["big"]);
        var items = Assert.IsType<List<object?>>(body["items"]);
        Assert.Equal(2L, Assert.IsType<PlainMap>(items[0])["qty"]);
        Assert.Equal("x", items[1]);
        Assert.Null(body["gone"]);
        Assert.Equal(["deal", "items", "gone"], body.Keys);
    }

    [Fact]
    public void A_body_longer_than_its_first_buffer_is_written_whole_in_utf8()
    {
        string value = string.Concat(Enumerable.Repeat("ação \"citada\" \\ linha\n€ ", 800));

        BodyBuildResult result = BodyBuilder.Build([Text("nota", value)]);

        Assert.True(result.Succeeded, Describe(result.Errors));
        Assert.Equal("{\"nota\":" + JsonConvert.ToString(value) + "}", result.Text);
        Assert.Equal(value, (string?)JObject.Parse(Encoding.UTF8.GetString(result.Utf8))["nota"]);
    }

    [Fact]
    public void A_plan_compiled_once_builds_every_run_from_that_run_s_values()
    {
        IReadOnlyList<BodyRowConfig> config = [new BodyRowConfig { Key = "customer[name]", Field = "name" }, new BodyRowConfig { Key = "source", Value = "bot" }];

        BodyPlan plan = BodyPlan.For(config);

        Assert.Same(plan, BodyPlan.For(config));
        Assert.Equal("""{"customer":{"name":"Ana"},"source":"bot"}""", plan.Build([Field("customer[name]", "Ana"), Text("source", "bot")]).Text);
        Assert.Equal("""{"customer":{"name":"Bia"},"source":"app"}""", plan.Build([Field("customer[name]", "Bia"), Text("source", "app")]).Text);
        Assert.Equal([0], plan.Build([Field("customer[name]", double.NaN), Text("source", "x")]).Errors.Select(e => e.Row));
    }

    [Fact]
    public void Field_rows_keep_the_field_type()
    {
        BodyBuildResult result = BodyBuilder.Build(
        [
            Field("price", 150.50m),
            Field("vip", true),
            Field("note", null),
            Field("empty", ""),
            Field("name", "Ana"),
            Field("age", 7),
            Field("visits", 12L),
            Field("ratio", 2.5d),
            Field("whole", 3m),
        ]);

        Assert.True(result.Succeeded, Describe(result.Errors));
        Assert.Equal(
            """{"price":150.50,"vip":true,"note":null,"empty":null,"name":"Ana","age":7,"visits":12,"ratio":2.5,"whole":3}""",
            result.Text);
    }

    [Fact]
    public void A_type_on_a_field_row_converts_the_field_text()
    {
        BodyBuildResult result = BodyBuilder.Build(
        [
            Field("price", 150.50m, "string"),
            Field("count", "42", "number"),
            Field("vip", "TRUE", "boolean"),
            Field("extra", "{\"a\":1}", "json"),
            Field("gone", "x", "null"),
        ]);

        Assert.True(result.Succeeded, Describe(result.Errors));
        Assert.Equal("""{"price":"150.50","count":42,"vip":true,"extra":{"a":1},"gone":null}""", result.Text);
    }

    [Fact]
    public void Field_values_without_a_json_type_are_refused()
    {
        BodyBuildResult result = BodyBuilder.Build([Field("when", new DateTime(2025, 1, 2, 0, 0, 0, DateTimeKind.Utc)), Field("nan", double.NaN)]);

        Assert.Equal([0, 1], result.Errors.Select(e => e.Row));
    }

    [Fact]
    public void Numbers_are_written_as_typed_in_invariant_culture()
    {
        BodyBuildResult result = BodyBuilder.Build(
        [
            Text("a", "2", "number"),
            Text("b", "150.50", "number"),
            Text("c", "-1.5e3", "number"),
            Text("d", " 0.25 ", "NUMBER"),
            Text("e", "1e40", "number"),
            Text("f", "12345678901234567890123", "number"),
        ]);

        Assert.True(result.Succeeded, Describe(result.Errors));
        Assert.Equal("""{"a":2,"b":150.50,"c":-1500,"d":0.25,"e":1E+40,"f":12345678901234567890123}""", result.Text);
    }

    [Theory]
    [InlineData("12,5", "number")]
    [InlineData("1e400", "number")]
    [InlineData("NaN", "number")]
    [InlineData("", "number")]
    [InlineData("yes", "boolean")]
    [InlineData("[[[[", "json")]
    [InlineData("{} {}", "json")]
    [InlineData("x", "date")]
    public void Values_that_do_not_convert_are_errors_naming_the_type(string value, string type)
    {
        BodyBuildResult result = BodyBuilder.Build([Text("ok", "1"), Text("v", value, type)]);

        BodyError error = Assert.Single(result.Errors);
        Assert.Equal(1, error.Row);
        Assert.Contains(type, error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void Json_values_are_limited_to_64_levels_and_keep_date_strings()
    {
        string deep = new string('[', 65) + new string(']', 65);
        string ok = new string('[', 64) + new string(']', 64);

        BodyError tooDeep = Assert.Single(BodyBuilder.Build([Text("j", deep, "json")]).Errors);
        Assert.Contains("json", tooDeep.Message, StringComparison.Ordinal);
        Assert.True(BodyBuilder.Build([Text("j", ok, "json")]).Succeeded);

        BodyBuildResult dates = BodyBuilder.Build([Text("j", """{"at":"2025-01-02T03:04:05Z"}""", "json")]);
        Assert.Equal("""{"j":{"at":"2025-01-02T03:04:05Z"}}""", dates.Text);
    }

    [Fact]
    public void A_json_value_that_is_an_object_cannot_be_extended_by_keys()
    {
        BodyBuildResult result = BodyBuilder.Build([Text("j", """{"a":1}""", "json"), Text("j[b]", "2")]);

        BodyError error = Assert.Single(result.Errors);
        Assert.Equal(1, error.Row);
        Assert.Contains("conflict", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Form_mode_keeps_brackets_and_writes_values_as_text()
    {
        IReadOnlyList<KeyValuePair<string, string>> form = BodyBuilder.BuildForm(
        [
            Text(" deal[name] ", "Lead"),
            Field("deal[amount]", 150.50m),
            Field("contacts[0][vip]", true),
            Field("note", null),
            Text("tags[]", "bot"),
            Text("gone", "x", "null"),
        ]);

        Assert.Equal(
        [
            new("deal[name]", "Lead"),
            new("deal[amount]", "150.50"),
            new("contacts[0][vip]", "true"),
            new("note", ""),
            new("tags[]", "bot"),
            new KeyValuePair<string, string>("gone", ""),
        ],
            form);
    }

    [Fact]
    public void Every_row_error_is_reported_at_once()
    {
        BodyBuildResult result = BodyBuilder.Build(
        [
            Text("deal[name", "x"),
            Text("ok", "1"),
            Text("n", "12,5x", "number"),
            Text("ok", "2"),
        ]);

        Assert.Null(result.Text);
        Assert.Equal([0, 2, 3], result.Errors.Select(e => e.Row));
        Assert.Contains("malformed", result.Errors[0].Message, StringComparison.Ordinal);
        Assert.Contains("number", result.Errors[1].Message, StringComparison.Ordinal);
        Assert.Contains("duplicate", result.Errors[2].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Index_999_needs_every_index_before_it()
    {
        var rows = new List<BodyRow>();
        for (int i = 0; i <= 999; i++)
        {
            rows.Add(Text($"a[{i}]", i.ToString(CultureInfo.InvariantCulture), "number"));
        }

        BodyBuildResult full = BodyBuilder.Build(rows);
        Assert.True(full.Succeeded, Describe(full.Errors));
        Assert.Equal(1000, ((IList<object?>)((IReadOnlyDictionary<string, object?>)full.Plain!)["a"]!).Count);

        rows.RemoveAt(500);
        BodyBuildResult missing = BodyBuilder.Build(rows);
        BodyError gap = Assert.Single(missing.Errors);
        Assert.Equal(500, gap.Row);
        Assert.Contains("gap", gap.Message, StringComparison.Ordinal);

        BodyError alone = Assert.Single(BodyBuilder.Build([Text("a[999]", "x")]).Errors);
        Assert.Contains("gap", alone.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Array_elements_may_come_in_any_row_order()
    {
        BodyBuildResult result = BodyBuilder.Build([Text("items[1][sku]", "B"), Text("items[0][sku]", "A"), Text("items[]", "C")]);

        Assert.True(result.Succeeded, Describe(result.Errors));
        Assert.Equal("""{"items":[{"sku":"A"},{"sku":"B"},"C"]}""", result.Text);
    }

    [Fact]
    public void Proto_is_just_a_property_name()
    {
        BodyBuildResult result = BodyBuilder.Build([Text("__proto__[admin]", "true", "boolean"), Text("constructor[prototype]", "x")]);

        Assert.True(result.Succeeded, Describe(result.Errors));
        Assert.Equal("""{"__proto__":{"admin":true},"constructor":{"prototype":"x"}}""", result.Text);
    }

    [Fact]
    public void Conflict_messages_name_the_other_key()
    {
        BodyBuildResult result = BodyBuilder.Build([Text("contacts[0][name]", "Ana"), Text("contacts[0][emails]", "x"), Text("contacts[0][emails][0]", "y")]);

        BodyError error = Assert.Single(result.Errors);
        Assert.Equal(
            "conflict: key 'contacts[0][emails][0]' needs 'contacts[0][emails]' to be an array, but key 'contacts[0][emails]' sets it to a value",
            error.Message);
    }

    private static BodyRow Text(string key, string? value, string? type = null) => new(key, value, type);

    private static BodyRow Field(string key, object? value, string? type = null) => new(key, null, type, value, IsField: true);

    private static JArray LoadVectors()
    {
        // Decimal reading keeps 150.50 exact; no date parsing keeps date-like strings as written.
        using var reader = new JsonTextReader(File.OpenText(Path.Combine(AppContext.BaseDirectory, VectorsFile)))
        {
            FloatParseHandling = FloatParseHandling.Decimal,
            DateParseHandling = DateParseHandling.None,
        };
        return (JArray)JToken.ReadFrom(reader)["cases"]!;
    }

    /// <summary>
    /// The JSON text with every number rewritten as a decimal without trailing zeros, so 150.50 and 150.5 compare equal
    /// while property order, types and everything else must match exactly. The built body goes through its own
    /// serialised text, which is what would be sent.
    /// </summary>
    private static string Canonical(string json)
    {
        using var reader = new JsonTextReader(new StringReader(json))
        {
            FloatParseHandling = FloatParseHandling.Decimal,
            DateParseHandling = DateParseHandling.None,
        };
        JToken copy = JToken.ReadFrom(reader);
        NormalizeNumbers(copy);
        return copy.ToString(Formatting.None);
    }

    private static void NormalizeNumbers(JToken token)
    {
        if (token is JValue { Type: JTokenType.Integer or JTokenType.Float, Value: IConvertible number } value)
        {
            decimal d = Convert.ToDecimal(number, CultureInfo.InvariantCulture);
            value.Value = decimal.Parse(d.ToString("G29", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        foreach (JToken child in token.Children())
        {
            NormalizeNumbers(child);
        }
    }

    private static string Describe(IReadOnlyList<BodyError> errors)
    {
        var text = new StringBuilder();
        foreach (BodyError error in errors)
        {
            text.Append(CultureInfo.InvariantCulture, $"[row {error.Row}] {error.Message}; ");
        }

        return text.Length == 0 ? "no errors" : text.ToString();
    }
}
