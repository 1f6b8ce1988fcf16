using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Newtonsoft.Json.Linq;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Conversations;

public sealed class ConversationTests
{
    [Fact]
    public async Task The_answer_to_a_message_is_the_documented_json_with_camel_case_names_and_nulls_written()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        var response = await app.CreateClient().PostAsync("/api/flows/atendimento/conversations/5511999990001/messages", Json("""{"text":"oi","fields":{"name":"Ana \"A\""}}"""));
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var conversationId = (string?)JObject.Parse(text)["conversationId"];
        Assert.Matches("^[0-9a-f]{32}$", conversationId);
        // What the serializer writes for the answer's record with the host's options: names, nulls and escapes pinned.
        var options = new System.Text.Json.JsonSerializerOptions(app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions)
        {
            TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver(),
        };
        var expected = System.Text.Json.JsonSerializer.Serialize(
            new BotFlow.Host.Conversations.ConversationsApi.MessageAnswer([new("Olá, Ana \"A\"!"), new("Qual é o seu CPF?")], "waiting", "pedir-cpf", null, conversationId!, null),
            options);
        Assert.Equal(expected, text);
        Assert.StartsWith("""{"replies":[{"text":"Olá, Ana \"A\"!"},""", text);
    }

    [Fact]
    public async Task Message_question_menu_transfer_runs_with_every_reply_and_stored_field()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        var first = await app.SendAsync("atendimento", "5511999990000", "oi", new { name = "Ana" });
        Assert.Equal(["Olá, Ana!", "Qual é o seu CPF?"], Replies(first));
        Assert.Equal("waiting", (string?)first["status"]);
        Assert.Equal("pedir-cpf", (string?)first["blockId"]);

        var invalid = await app.SendAsync("atendimento", "5511999990000", "529.982.247-24");
        Assert.Equal(["Esse CPF não parece válido. Pode digitar de novo?"], Replies(invalid));
        Assert.Equal("pedir-cpf", (string?)invalid["blockId"]);

        var valid = await app.SendAsync("atendimento", "5511999990000", "529.982.247-25");
        Assert.Equal(["CPF 52998224725 recebido.\n1 - Financeiro\n2 - Encerrar"], Replies(valid));
        Assert.Equal("menu", (string?)valid["blockId"]);

        var wrongOption = await app.SendAsync("atendimento", "5511999990000", "7");
        Assert.Equal(["Responda 1 ou 2."], Replies(wrongOption));

        var transferred = await app.SendAsync("atendimento", "5511999990000", "1");
        Assert.Equal(["Vou te passar para o financeiro."], Replies(transferred));
        Assert.Equal("transferred", (string?)transferred["status"]);
        Assert.Equal("Financeiro", (string?)transferred["department"]);

        var contact = await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/5511999990000"), expectSuccess: true);
        Assert.Equal("Ana", (string?)contact["fields"]!["name"]);
        Assert.Equal("52998224725", (string?)contact["fields"]!["cpf"]);

        var log = await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/5511999990000/messages"), expectSuccess: true);
        var messages = ((JArray)log["items"]!).Select(m => $"{m["direction"]}:{m["text"]}").ToList();
        Assert.Equal(
        [
            "in:oi", "out:Olá, Ana!", "out:Qual é o seu CPF?",
            "in:529.982.247-24", "out:Esse CPF não parece válido. Pode digitar de novo?",
            "in:529.982.247-25", "out:CPF 52998224725 recebido.\n1 - Financeiro\n2 - Encerrar",
            "in:7", "out:Responda 1 ou 2.",
            "in:1", "out:Vou te passar para o financeiro.",
        ], messages);
    }

    [Fact]
    public async Task Transferred_conversation_stores_messages_but_the_bot_stays_silent()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);
        await app.SendAsync("atendimento", "c1", "oi");
        await app.SendAsync("atendimento", "c1", "52998224725");
        await app.SendAsync("atendimento", "c1", "1");

        var silent = await app.SendAsync("atendimento", "c1", "alguém aí?");

        Assert.Empty(Replies(silent));
        Assert.Equal("transferred", (string?)silent["status"]);
        var log = await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/c1/messages"), expectSuccess: true);
        Assert.Equal("alguém aí?", (string?)log["items"]!.Last()["text"]);
    }

    [Fact]
    public async Task Restart_starts_the_flow_over()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);
        await app.SendAsync("atendimento", "c1", "oi", new { name = "Bia" });
        await app.SendAsync("atendimento", "c1", "52998224725");

        var restarted = await ReadAsync(await app.CreateClient().PostAsync("/api/flows/atendimento/conversations/c1/restart", null), expectSuccess: true);

        Assert.Equal(["Olá, Bia!", "Qual é o seu CPF?"], Replies(restarted));
        Assert.Equal("pedir-cpf", (string?)restarted["blockId"]);
    }

    [Fact]
    public async Task An_ended_conversation_starts_again_on_the_next_message()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);
        await app.SendAsync("atendimento", "c1", "oi", new { name = "Bia" });
        await app.SendAsync("atendimento", "c1", "52998224725");
        var ended = await app.SendAsync("atendimento", "c1", "Encerrar");
        Assert.Equal(["Obrigado, Bia!"], Replies(ended));
        Assert.Equal("ended", (string?)ended["status"]);

        var again = await app.SendAsync("atendimento", "c1", "oi de novo");

        Assert.Equal(["Olá, Bia!", "Qual é o seu CPF?"], Replies(again));
        Assert.NotEqual((string?)ended["conversationId"], (string?)again["conversationId"]);
    }

    [Fact]
    public async Task A_running_conversation_keeps_the_flow_version_it_started_on()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);
        await app.SendAsync("atendimento", "old", "oi", new { name = "Ana" });

        await app.PutFlowAsync(TestFlows.Atendimento.Replace("Obrigado, {{ contact.name }}!", "Até mais!").Replace("Olá, {{ contact.name }}!", "Oi (v2)"));
        await app.SendAsync("atendimento", "old", "52998224725");
        var oldEnd = await app.SendAsync("atendimento", "old", "2");
        var newStart = await app.SendAsync("atendimento", "new", "oi");

        Assert.Equal(["Obrigado, Ana!"], Replies(oldEnd));
        Assert.Equal("Oi (v2)", Replies(newStart).First());
    }

    [Fact]
    public async Task Concurrent_messages_from_one_contact_are_handled_one_after_the_other()
    {
        using var app = new BotFlowApp();
        await app.PutFlowAsync("""
        { "id": "eco", "start": "pergunta", "blocks": [
          { "id": "pergunta", "type": "question", "config": { "text": "Diga algo", "field": "name" }, "next": "eco" },
          { "id": "eco", "type": "message", "config": { "text": "Você disse {{ contact.name }}" }, "next": "pergunta" } ] }
        """);
        await app.SendAsync("eco", "c1", "start");

        var client = app.CreateClient();
        var sends = Enumerable.Range(0, 20).Select(i => client.PostAsync("/api/flows/eco/conversations/c1/messages", Json($$"""{"text":"m{{i}}"}""")));
        var responses = await Task.WhenAll(sends);
        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        var log = await ReadAsync(await app.CreateClient().GetAsync("/api/contacts/c1/messages"), expectSuccess: true);
        var texts = ((JArray)log["items"]!).Select(m => (string)m["text"]!).Skip(2).ToList();
        // Each message is followed by exactly its own echo and the next question: no interleaving.
        Assert.Equal(60, texts.Count);
        for (var i = 0; i < texts.Count; i += 3)
        {
            Assert.Equal("Você disse " + texts[i], texts[i + 1]);
            Assert.Equal("Diga algo", texts[i + 2]);
        }
    }

    [Fact]
    public async Task Fields_sent_with_a_message_are_validated_by_type_and_nothing_is_stored_when_one_is_wrong()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        var response = await app.CreateClient().PostAsync("/api/flows/atendimento/conversations/c9/messages",
            Json("""{"text":"oi","fields":{"name":"Ana","cpf":"111.111.111-11"}}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await ReadAsync(response);
        Assert.Equal("fields.cpf", (string?)problem["errors"]![0]!["path"]);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/contacts/c9")).StatusCode);
    }

    [Fact]
    public async Task The_next_message_sees_a_field_or_flow_version_saved_after_the_last_one()
    {
        using var app = new BotFlowApp();
        await app.PutFlowAsync("""{ "id": "v", "start": "m", "blocks": [ { "id": "m", "type": "message", "config": { "text": "versão 1" } } ] }""");
        await app.SendAsync("v", "c1", "oi"); // the catalog and the version are now cached

        // An unknown field is refused, until the field exists (the catalog a step reads is not stale)...
        var refused = await app.CreateClient().PostAsync("/api/flows/v/conversations/c2/messages", Json("""{ "text": "oi", "fields": { "plano": "ouro" } }"""));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        await app.PutFieldAsync("plano", "Plano", "text");
        Assert.Equal(["versão 1"], Replies(await app.SendAsync("v", "c2", "oi", new { plano = "ouro" })));

        // ...and a new contact starts on the version saved a moment ago.
        await app.PutFlowAsync("""{ "id": "v", "start": "m", "blocks": [ { "id": "m", "type": "message", "config": { "text": "versão 2" } } ] }""");
        Assert.Equal(["versão 2"], Replies(await app.SendAsync("v", "c3", "oi")));
        await app.CreateClient().DeleteAsync("/api/flows/v");
        var gone = await app.CreateClient().PostAsync("/api/flows/v/conversations/c4/messages", Json("""{ "text": "oi" }"""));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }
}
