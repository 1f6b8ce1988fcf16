using System.Net;
using BotFlow.Host.Tests.Infrastructure;
using static BotFlow.Host.Tests.Infrastructure.BotFlowApp;

namespace BotFlow.Host.Tests.Conversations;

public sealed class BadInputTests
{
    [Fact]
    public async Task Malformed_json_is_a_400_problem_naming_line_and_position()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        var response = await app.CreateClient().PostAsync("/api/flows/atendimento/conversations/c1/messages", Json("""{"text": "oi",, }"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ReadAsync(response);
        Assert.Contains("line 1", (string?)problem["errors"]![0]!["message"]);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/contacts/c1")).StatusCode);
    }

    [Theory]
    [InlineData("""{"text":"oi","text":"de novo"}""", "already exists")]
    [InlineData("""{"text":"oi","fields":{"name":"Ana","name":"Bia"}}""", "already exists")]
    [InlineData("""{"text":"oi"} {"text":"again"}""", "Additional text")]
    public async Task A_message_with_a_repeated_name_or_content_after_it_is_refused_and_nothing_is_stored(string body, string expected)
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        var response = await app.CreateClient().PostAsync("/api/flows/atendimento/conversations/c1/messages", Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = (await ReadAsync(response)).ToString();
        Assert.True(problem.Contains(expected, StringComparison.OrdinalIgnoreCase), problem);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/contacts/c1")).StatusCode);
    }

    [Fact]
    public async Task Malformed_flow_document_is_a_400_problem()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().PutAsync("/api/flows/x", Json("""{ "id": "x", "blocks": [ """));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("malformed JSON", (string?)(await ReadAsync(response))["detail"]);
    }

    [Fact]
    public async Task Unknown_flow_is_a_404_problem_and_nothing_is_stored()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().PostAsync("/api/flows/nao-existe/conversations/c1/messages", Json("""{"text":"oi"}"""));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("nao-existe", (string?)(await ReadAsync(response))["detail"]);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/contacts/c1")).StatusCode);
    }

    [Fact]
    public async Task Oversized_message_text_is_a_400_naming_text_and_nothing_is_stored()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        var response = await app.CreateClient().PostAsync("/api/flows/atendimento/conversations/c1/messages",
            Json($$"""{"text":"{{new string('x', 4097)}}"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("text", (string?)(await ReadAsync(response))["errors"]![0]!["path"]);
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/api/contacts/c1")).StatusCode);
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);

        var response = await app.CreateClient().PostAsync("/api/flows/atendimento/conversations/c1/messages",
            Json("{\"text\":\"oi\",\"fields\":{\"name\":\"" + new string('x', 300 * 1024) + "\"}}"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Unknown_contact_is_a_404_problem()
    {
        using var app = new BotFlowApp();

        var contact = await app.CreateClient().GetAsync("/api/contacts/ninguem");
        var messages = await app.CreateClient().GetAsync("/api/contacts/ninguem/messages");

        Assert.Equal(HttpStatusCode.NotFound, contact.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, messages.StatusCode);
        Assert.Equal("application/problem+json", contact.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Missing_text_and_control_characters_are_refused()
    {
        using var app = new BotFlowApp();
        await app.PutFieldAsync("cpf", "CPF", "cpf");
        await app.PutFlowAsync(TestFlows.Atendimento);
        var client = app.CreateClient();

        var missing = await client.PostAsync("/api/flows/atendimento/conversations/c1/messages", Json("""{"fields":{}}"""));
        var control = await client.PostAsync("/api/flows/atendimento/conversations/c1/messages", Json("""{"text":"a\u0000b"}"""));
        var badContact = await client.PostAsync("/api/flows/atendimento/conversations/a%20b/messages", Json("""{"text":"oi"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, control.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badContact.StatusCode);
    }

    [Fact]
    public async Task Unknown_route_answers_a_problem_document()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().GetAsync("/api/nothing-here");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_field_with_a_bad_type_is_refused_naming_the_field()
    {
        using var app = new BotFlowApp();
        var response = await app.CreateClient().PutAsync("/api/fields/idade", Json("""{"label":"Idade","type":"integer"}"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("type", (string?)(await ReadAsync(response))["errors"]![0]!["path"]);
    }
}
