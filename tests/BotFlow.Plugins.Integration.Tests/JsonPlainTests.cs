using Newtonsoft.Json;

namespace BotFlow.Plugins.Integration.Tests;

public sealed class JsonPlainTests
{
    public static TheoryData<string> Answers => new()
    {
        """{"data":{"url":"https://pay.example/b/52998224725","amount":123.45}}""",
        """{"n":42,"big":123456789012345678901234567890,"neg":-7,"f":1.0,"e":1e3,"t":true,"f2":false,"z":null}""",
        """[1,"dois",[3,[4]],{"a":{"b":[]}},{}]""",
        """{"a":1,"a":2}""",
        """{ /* comentário */ "a": [1, /* x */ 2] } // fim""",
        "\"só texto ✓ \\u00e7 \\n\"",
        """{"date":"2026-11-25T12:00:00Z","cpf":"052.998.247-25"}""",
        """{"d":new Date(1234)}""",
        "12.50",
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public void A_partner_answer_read_straight_to_plain_data_equals_the_tree_route(string json)
    {
        var direct = JsonPlain.ParsePlain(json);
        var viaTree = JsonPlain.ToPlain(JsonPlain.Parse(json));

        Assert.Equal(JsonConvert.SerializeObject(viaTree), JsonConvert.SerializeObject(direct));
        Assert.Equal(Types(viaTree), Types(direct));
    }

    public static TheoryData<string> Edges => new()
    {
        "0", "-7", "9223372036854775807", "-9223372036854775808", "9223372036854775808", "-0", "-0.0", "0.10", "123.450",
        "1.0", "79228162514264337593543950335", "0.0000000000000000000000000001", "1.5E2", "1e-7", "[1.25,2.500,-3.75]",
        """{"a":"\ud83d\ude00 \u00e7 \"q\" \\ \/ \t","b":"\ud800"}""",
        """{'a':1}""", """{"a":NaN}""", """[1,2,]""", """{"a":01}""", "\ufeff{\"a\":1}", """{"a":"x\u0001y"}""",
        """{"":{"":[]}}""", """  [ ]  // só comentário depois""", """{"a":true,"b":false,"c":null,"a":"de novo"}""",
        new string('[', 40) + new string(']', 40), new string('[', JsonPlain.MaxDepth) + new string(']', JsonPlain.MaxDepth),
    };

    [Theory]
    [MemberData(nameof(Answers))]
    [MemberData(nameof(Edges))]
    public void An_answer_read_from_its_utf8_bytes_equals_the_text_route(string json)
    {
        AssertSameAsText(json);
    }

    [Theory]
    [InlineData("""{"data":{"url":"https://pay.example/b/52998224725","amount":123.45,"n":-7,"ok":true,"x":null,"l":[]}}""", true)]
    [InlineData("""{ /* comentário */ "a": [1, /* x */ 2] } // fim""", true)]
    [InlineData("""{"a":1e3}""", false)]
    [InlineData("""{"a":123456789012345678901234567890}""", false)]
    [InlineData("""{'a':1}""", false)]
    [InlineData("""[1,2,]""", false)]
    [InlineData("""{"a":"\ud800"}""", false)]
    public void Ordinary_answers_are_read_from_their_bytes_and_unusual_ones_from_the_text(string json, bool fromBytes)
    {
        Assert.Equal(fromBytes, JsonPlain.TryParseStrict(System.Text.Encoding.UTF8.GetBytes(json), out _));
    }

    [Fact]
    public void Random_answers_read_from_their_utf8_bytes_equal_the_text_route()
    {
        // Numbers of every form the byte route takes or gives up on, strings with escapes, nesting and repeated names.
        var random = new Random(20261205);
        var fromBytes = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var json = RandomValue(random, 0);
            AssertSameAsText(json);
            fromBytes += JsonPlain.TryParseStrict(System.Text.Encoding.UTF8.GetBytes(json), out _) ? 1 : 0;
        }

        // Both routes exercised: most answers are ordinary, a good share are not.
        Assert.InRange(fromBytes, 1_000, 2_900);
    }

    [Theory]
    [InlineData("""{"a":1""")]
    [InlineData("""{"a":1} x""")]
    [InlineData("""{"a":"\ud800"} {""")]
    [InlineData("{\"a\":}")]
    public void Broken_json_read_from_its_bytes_fails_with_the_text_route_s_message(string json)
    {
        var viaText = Assert.ThrowsAny<JsonException>(() => JsonPlain.ParsePlain(json));
        var viaBytes = Assert.ThrowsAny<JsonException>(() => JsonPlain.ParsePlain(System.Text.Encoding.UTF8.GetBytes(json), json));

        Assert.Equal(viaText.Message, viaBytes.Message);
    }

    [Fact]
    public void Invalid_utf8_in_a_string_reads_as_the_decoded_text_does()
    {
        byte[] bytes = [(byte)'{', (byte)'"', (byte)'a', (byte)'"', (byte)':', (byte)'"', 0xC3, 0x28, (byte)'"', (byte)'}'];
        var text = System.Text.Encoding.UTF8.GetString(bytes);

        Assert.Equal(JsonConvert.SerializeObject(JsonPlain.ParsePlain(text)), JsonConvert.SerializeObject(JsonPlain.ParsePlain(bytes, text)));
    }

    private static void AssertSameAsText(string json)
    {
        object? viaText;
        try
        {
            viaText = JsonPlain.ParsePlain(json);
        }
        catch (JsonException textError)
        {
            var bytesError = Assert.ThrowsAny<JsonException>(() => JsonPlain.ParsePlain(System.Text.Encoding.UTF8.GetBytes(json), json));
            Assert.Equal(textError.Message, bytesError.Message);
            return;
        }

        var viaBytes = JsonPlain.ParsePlain(System.Text.Encoding.UTF8.GetBytes(json), json);
        Assert.Equal(JsonConvert.SerializeObject(viaText), JsonConvert.SerializeObject(viaBytes));
        Assert.Equal(Types(viaText), Types(viaBytes));
    }

    private static string RandomValue(Random random, int depth)
    {
        switch (random.Next(depth > 4 ? 3 : 5))
        {
            case 0:
                string[] numbers = ["0", "-0", "7", "-12", "0.5", "-0.50", "100.000", "3.14159265358979323846", "12345678901234567890",
                    "1e3", "2E-2", "-1.5e+10", "9223372036854775807", "9223372036854775808", "0.1", "1.10"];
                return random.Next(3) == 0 ? numbers[random.Next(numbers.Length)]
                    : random.Next(2) == 0 ? random.NextInt64(long.MinValue, long.MaxValue).ToString(System.Globalization.CultureInfo.InvariantCulture)
                    : (random.NextDouble() * Math.Pow(10, random.Next(-5, 12)) * (random.Next(2) == 0 ? 1 : -1)).ToString("0.#################", System.Globalization.CultureInfo.InvariantCulture).Replace("-0.", "-0.", StringComparison.Ordinal) is var d && d.Contains('.') ? d : d + ".0";
            case 1:
                string[] strings = ["\"\"", "\"texto\"", "\"ç ✓ 😀\"", "\"\\u00e7\\n\\\"\"", "\"2026-11-25T12:00:00Z\"", "\"\\ud83d\\ude00\""];
                return strings[random.Next(strings.Length)];
            case 2:
                string[] literals = ["true", "false", "null"];
                return literals[random.Next(literals.Length)];
            case 3:
                var keys = random.Next(0, 24);
                return "{" + string.Join(",", Enumerable.Range(0, keys).Select(_ => $"\"k{random.Next(30)}\":{RandomValue(random, depth + 1)}")) + "}";
            default:
                return "[" + string.Join(",", Enumerable.Range(0, random.Next(0, 6)).Select(_ => RandomValue(random, depth + 1))) + "]";
        }
    }

    [Theory]
    [InlineData("""{"a":1""")]
    [InlineData("""{"a":1} x""")]
    [InlineData("""[1,2""")]
    [InlineData("")]
    [InlineData("{\"a\":}")]
    public void Broken_json_fails_with_the_same_message_either_way(string json)
    {
        var viaTree = Assert.ThrowsAny<JsonException>(() => JsonPlain.Parse(json));
        var direct = Assert.ThrowsAny<JsonException>(() => JsonPlain.ParsePlain(json));

        Assert.Equal(viaTree.Message, direct.Message);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused()
    {
        var deep = new string('[', JsonPlain.MaxDepth + 1) + new string(']', JsonPlain.MaxDepth + 1);

        Assert.ThrowsAny<JsonException>(() => JsonPlain.ParsePlain(deep));
    }

    // The CLR types matter as much as the values: templates, scripts and saved fields format a long, a decimal and a
    // string differently.
    private static string Types(object? value) => value switch
    {
        null => "null",
        IReadOnlyDictionary<string, object?> map => "{" + string.Join(",", map.Select(p => p.Key + ":" + Types(p.Value))) + "}",
        IReadOnlyList<object?> list => "[" + string.Join(",", list.Select(Types)) + "]",
        _ => value.GetType().Name,
    };

    [Fact]
    public void Text_within_the_limit_is_kept_as_it_is()
    {
        var text = new string('a', 1_000);

        Assert.Same(text, JsonPlain.Truncate(text, 1_000));
    }

    [Theory]
    [InlineData("abcdefgh")]
    [InlineData("ç✓😀")] // two, three and four UTF-8 bytes; the emoji is a surrogate pair
    public void Long_text_is_cut_within_the_limit_never_inside_a_character_and_says_how_long_it_was(string piece)
    {
        var text = string.Concat(Enumerable.Repeat(piece, 50_000));

        var cut = JsonPlain.Truncate(text, 64 * 1024);

        var marker = cut.IndexOf("… [truncated, ", StringComparison.Ordinal);
        var kept = cut[..marker];
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(kept) <= 64 * 1024);
        Assert.StartsWith(kept, text, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(kept[^1]));
        Assert.EndsWith($"[truncated, {System.Text.Encoding.UTF8.GetByteCount(text)} bytes in all]", cut, StringComparison.Ordinal);
    }
}
