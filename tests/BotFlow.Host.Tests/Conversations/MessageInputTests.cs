using BotFlow.Host.Conversations;
using BotFlow.Host.Storage;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Tests.Conversations;

/// <summary>A chat message read without the serializer must be the message the serializer reads, or be left to it.</summary>
public sealed class MessageInputTests
{
    [Theory]
    [InlineData("""{"text":"oi"}""")]
    [InlineData("""{"text":null,"fields":null}""")]
    [InlineData("""{"text":"oi","fields":{"name":"Ana","email":null,"cpf":"529.982.247-25"}}""")]
    [InlineData("""{"fields":{},"other":[1,2,{"x":1}],"text":"último"}""")]
    [InlineData("""{}""")]
    public void The_ordinary_shape_reads_as_the_serializer_reads_it(string json)
    {
        var body = JObject.Parse(json);

        var direct = ConversationsApi.MessageInput.FromOrdinaryShape(body);

        AssertReadAsTheSerializerReads(body, direct);
    }

    private static void AssertReadAsTheSerializerReads(JObject body, ConversationsApi.MessageInput? direct)
    {
        var expected = body.ToObject<ConversationsApi.MessageInput>(JsonDefaults.Serializer)!;
        Assert.NotNull(direct);
        Assert.Equal(expected.Text, direct.Text);
        Assert.Equal(expected.Fields?.OrderBy(f => f.Key), direct.Fields?.OrderBy(f => f.Key));
    }

    [Theory]
    [InlineData("""{"text":42}""")]
    [InlineData("""{"Text":"oi"}""")]
    [InlineData("""{"text":"oi","fields":{"age":30}}""")]
    [InlineData("""{"text":"oi","fields":[]}""")]
    [InlineData("""{"text":{"a":1}}""")]
    public void Any_other_shape_is_left_to_the_serializer(string json) =>
        Assert.Null(ConversationsApi.MessageInput.FromOrdinaryShape(JObject.Parse(json)));

    [Theory]
    [InlineData("""{"text":"oi"}""")]
    [InlineData("""{"text":null,"fields":null}""")]
    [InlineData("""{"text":"oi","fields":{"name":"Ana","email":null,"cpf":"529.982.247-25"}}""")]
    [InlineData("""{"fields":{},"text":"\u00faltimo \"citado\" \ud83d\ude00"}""")]
    [InlineData("/* a comment */ { \"text\" : \"oi\" // another\n } // and one after")]
    [InlineData("""{}""")]
    public void The_ordinary_shape_read_from_the_bytes_is_what_the_serializer_reads(string json)
    {
        var direct = ConversationsApi.MessageInput.FromUtf8(System.Text.Encoding.UTF8.GetBytes(json));

        AssertReadAsTheSerializerReads(JObject.Parse(json, JsonDefaults.LoadSettings), direct);
    }

    [Theory]
    [InlineData("""{"text":42}""")]
    [InlineData("""{"Text":"oi"}""")]
    [InlineData("""{"text":"oi","other":1}""")]
    [InlineData("""{"text":"oi","fields":{"age":30}}""")]
    [InlineData("""{"text":"oi","fields":[]}""")]
    [InlineData("""{"text":"a","text":"b"}""")]
    [InlineData("""{"fields":{"a":"1","a":"2"}}""")]
    [InlineData("""{"text":"oi"} x""")]
    [InlineData("""{"text":"oi"}{}""")]
    [InlineData("""{"text":"oi",}""")]
    [InlineData("""{'text':'oi'}""")]
    [InlineData("{\"text\":\"oi")]
    [InlineData("""{"text":"\ud800"}""")]
    [InlineData("""["oi"]""")]
    public void Any_other_body_is_left_to_the_ordinary_reader(string json) =>
        Assert.Null(ConversationsApi.MessageInput.FromUtf8(System.Text.Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Bytes_that_are_not_utf8_are_left_to_the_ordinary_reader() =>
        Assert.Null(ConversationsApi.MessageInput.FromUtf8([.. "{\"text\":\""u8, 0xC3, 0x28, .. "\"}"u8]));
}
