using BotFlow.Host.Storage;
using BotFlow.Host.Templates;
using Newtonsoft.Json;

namespace BotFlow.Host.Tests.Templates;

public sealed class PlainDataTests
{
    private static Dictionary<string, object?> Sample() => new(StringComparer.Ordinal)
    {
        ["text"] = "ção \"aspas\" </script> \u2028",
        ["long"] = 42L,
        ["decimal"] = 123.45m,
        ["double"] = 0.1d,
        ["bool"] = true,
        ["null"] = null,
        ["list"] = new List<object?> { 1L, "dois", null, new Dictionary<string, object?> { ["x"] = false } },
        ["map"] = new Dictionary<string, object?> { ["CamelCase"] = "kept", ["nested"] = new Dictionary<string, object?>() },
        ["other"] = new[] { 1, 2 },
    };

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("{}")]
    [InlineData(" { } ")]
    public void Stored_variables_with_nothing_in_them_read_as_an_empty_map_a_step_can_write(string? json)
    {
        var vars = PlainData.ParseObject(json);

        vars["plano"] = "ouro";
        Assert.Equal("ouro", Assert.Single(vars).Value);
        Assert.Empty(PlainData.ParseObject(json));
    }

    [Fact]
    public void ToJson_writes_what_the_serializer_writes()
    {
        var value = Sample();

        Assert.Equal(JsonConvert.SerializeObject(value, Formatting.None, JsonDefaults.Settings), PlainData.ToJson(value));
    }

    [Fact]
    public void ParsePlain_reads_what_the_token_route_reads()
    {
        const string json = "{\"a\":1,\"b\":1.50,\"c\":[true,null,\"x\"],\"d\":{\"e\":12345678901234567890123},/*c*/\"f\":\"2026-01-01T00:00:00Z\"}";

        var direct = PlainData.ParsePlain(json);
        var viaToken = PlainData.FromToken(PlainData.Parse(json));

        Assert.Equal(JsonConvert.SerializeObject(viaToken), JsonConvert.SerializeObject(direct));
        Assert.IsType<long>(((Dictionary<string, object?>)direct!)["a"]);
        Assert.IsType<decimal>(((Dictionary<string, object?>)direct)["b"]);
        Assert.Equal("2026-01-01T00:00:00Z", ((Dictionary<string, object?>)direct)["f"]);
    }

    [Fact]
    public void Stored_data_survives_a_round_trip()
    {
        var value = Sample();
        value.Remove("other");

        Assert.Equal(PlainData.ToJson(value), PlainData.ToJson(PlainData.ParsePlain(PlainData.ToJson(value))));
    }

    private static Dictionary<string, object?> Response(string text) => new(StringComparer.Ordinal)
    {
        ["status"] = 200L,
        ["headers"] = new Dictionary<string, object?> { ["content-type"] = "application/json" },
        ["body"] = PlainData.ParsePlain(text),
        ["text"] = text,
        ["elapsedMs"] = 1.5m,
        ["error"] = null,
    };

    [Theory]
    [InlineData("{\"data\":{\"url\":\"https://pay.example/b/1?a=1&b=ç\",\"amount\":123.45,\"n\":7,\"ok\":true,\"x\":null,\"l\":[1,\"a\",1.0]}}", true)]
    [InlineData("{ \"data\": { \"url\": \"u\" } }", false)]
    [InlineData("{\"big\":1e5}", false)]
    [InlineData("[{\"a\":\"\\u00e7\"}]", false)]
    // Large: the body's JSON spans many chunks of the writer's buffer, compared with the text chunk by chunk.
    [InlineData("{\"pdf\":\"LARGE\",\"n\":1}", true)]
    [InlineData("{\"pdf\": \"LARGE\",\"n\":1}", false)]
    public void A_stored_response_comes_back_with_the_same_text_and_body(string text, bool storedOnce)
    {
        text = text.Replace("LARGE", string.Concat(Enumerable.Repeat("JVBERi0xLjQKJcfs", 20_000)), StringComparison.Ordinal);
        var response = Response(text);

        var json = PlainData.ResponseToJson(response);
        var back = (Dictionary<string, object?>)PlainData.ResponseFromJson(json)!;

        Assert.Equal(text, back["text"]);
        Assert.Equal(PlainData.ToJson(response), PlainData.ToJson(back));
        Assert.Equal(storedOnce, !json.Contains("\"text\"", StringComparison.Ordinal));
    }

    [Fact]
    public void A_text_of_the_body_s_length_that_differs_only_at_its_end_is_stored_as_it_is()
    {
        var body = "{\"pdf\":\"" + new string('x', 100_000) + "\"}";
        var response = Response(body);
        response["text"] = body[..^3] + "y\"}";

        var json = PlainData.ResponseToJson(response);
        var back = (Dictionary<string, object?>)PlainData.ResponseFromJson(json)!;

        Assert.Equal(response["text"], back["text"]);
        Assert.Contains("\"text\"", json, StringComparison.Ordinal);
    }
}
