using System.Text;
using System.Text.Json;
using BotFlow.Host.Conversations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static BotFlow.Host.Conversations.ConversationsApi;

namespace BotFlow.Host.Tests.Conversations;

public sealed class MessageAnswerResultTests
{
    public static TheoryData<MessageAnswer> Answers => new()
    {
        new MessageAnswer([new("Olá, Ana \"A\"!"), new("Qual é o seu CPF?")], "waiting", "pedir-cpf", null, "c1", null),
        new MessageAnswer([], "transferred", null, "vendas", "c2", ["a \"quoted\" error", "ação <b>&</b> 'x' \\ /"]),
        new MessageAnswer([new("linha 1\nlinha 2\ttab \u0001 \u007f 😀 \u2028 </script>")], "ended", "fim", "suporte técnico", "c3", []),
    };

    [Theory]
    [MemberData(nameof(Answers))]
    public async Task The_answer_is_written_exactly_as_the_serializer_writes_it_with_the_hosts_options(MessageAnswer answer)
    {
        var services = new ServiceCollection().AddOptions().BuildServiceProvider();
        var body = new MemoryStream();
        var context = new DefaultHttpContext { RequestServices = services };
        context.Response.Body = body;

        await new MessageAnswerResult(answer).ExecuteAsync(context);

        var options = new JsonSerializerOptions(services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions)
        {
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        Assert.Equal(JsonSerializer.Serialize(answer, options), Encoding.UTF8.GetString(body.ToArray()));
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
    }
}
