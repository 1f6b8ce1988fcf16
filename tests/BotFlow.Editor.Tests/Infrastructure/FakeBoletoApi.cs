using BotFlow.Tests.Shared;
using System.Collections.Concurrent;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace BotFlow.Editor.Tests.Infrastructure;

/// <summary>
/// The partner's boleto API on a loopback port (trimmed from tests/BotFlow.Host.Tests/Infrastructure/FakeUpstream.cs):
/// checks the bearer token and answers the payment link for the CPF it was sent. Records every body it received.
/// </summary>
public sealed class FakeBoletoApi : IAsyncDisposable
{
    public const string Token = "tok-boleto-9f8e7d6c";

    private readonly WebApplication _app;

    private FakeBoletoApi(WebApplication app) => _app = app;

    public string BaseUrl { get; private set; } = "";

    public ConcurrentQueue<JsonNode?> Bodies { get; } = new();

    public static async Task<FakeBoletoApi> StartAsync()
    {
        var app = LoopbackServer.Create();
        var api = new FakeBoletoApi(app);
        app.MapPost("/boletos/segunda-via", async (HttpContext context) =>
        {
            if (context.Request.Headers.Authorization != $"Bearer {Token}")
            {
                return Results.Json(new { error = "invalid token" }, statusCode: StatusCodes.Status401Unauthorized);
            }

            var body = await JsonNode.ParseAsync(context.Request.Body);
            api.Bodies.Enqueue(body);
            var cpf = (string?)body?["customer"]?["cpf"];
            return cpf is { Length: 11 }
                ? Results.Json(new { data = new { url = $"https://pay.example/b/{cpf}", amount = 123.45m } })
                : Results.Json(new { error = "customer.cpf is required" }, statusCode: StatusCodes.Status422UnprocessableEntity);
        });
        api.BaseUrl = await LoopbackServer.StartAsync(app);
        return api;
    }

    public ValueTask DisposeAsync() => LoopbackServer.StopAsync(_app);
}
