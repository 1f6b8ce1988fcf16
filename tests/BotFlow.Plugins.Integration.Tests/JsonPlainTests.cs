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
