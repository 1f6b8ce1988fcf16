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
}
