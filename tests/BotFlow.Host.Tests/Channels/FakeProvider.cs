using BotFlow.Tests.Shared;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using BotFlow.Host.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Newtonsoft.Json.Linq;

namespace BotFlow.Host.Tests.Channels;

/// <summary>
/// A real HTTP server on 127.0.0.1 playing the providers' side: the WhatsApp Graph API (<c>POST /{phone-number-id}/messages</c>,
/// checking the bearer token and answering with a <c>wamid</c> like Meta) and a webhook channel's callback URL. It records
/// every request and can be told to fail the next ones.
/// </summary>
public sealed class FakeProvider : IAsyncDisposable
{
    public const string GraphToken = "EAAG-test-access-token";
    public const string PhoneNumberId = "106540352242922";
    public const string TelegramToken = "123456:ABC-telegram-test-token";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string Body, string? RetryAfter)> _failures = new();
    private int _sent;

    public sealed record Received(string Path, IReadOnlyDictionary<string, string> Headers, string Body, int Status)
    {
        public JObject Json => JObject.Parse(Body);
    }

    public ConcurrentQueue<Received> Requests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    private FakeProvider(WebApplication app) => _app = app;

    public static async Task<FakeProvider> StartAsync()
    {
        var app = LoopbackServer.Create();
        var fake = new FakeProvider(app);
        app.Run(fake.HandleAsync);
        fake.BaseUrl = await LoopbackServer.StartAsync(app);
        return fake;
    }

    /// <summary>The next <paramref name="times"/> requests fail with this status.</summary>
    public void FailNext(int times, int status, string body = """{"error":{"message":"Service temporarily unavailable","type":"OAuthException","code":2}}""", string? retryAfter = null)
    {
        for (var i = 0; i < times; i++)
        {
            _failures.Enqueue((status, body, retryAfter));
        }
    }

    /// <summary>Requests the provider answered with 2xx, in the order they arrived.</summary>
    public List<Received> Accepted => Requests.Where(r => r.Status is >= 200 and < 300).ToList();

    private async Task HandleAsync(HttpContext context)
    {
        var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString());
        int status;
        string answer;
        if (_failures.TryDequeue(out var failure))
        {
            (status, answer) = (failure.Status, failure.Body);
            if (failure.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = failure.RetryAfter;
            }
        }
        else if (context.Request.Path == $"/{PhoneNumberId}/messages")
        {
            var to = (string?)JObject.Parse(body)["to"];
            (status, answer) = headers.GetValueOrDefault("authorization") != $"Bearer {GraphToken}"
                ? (401, """{"error":{"message":"Invalid OAuth access token.","type":"OAuthException","code":190}}""")
                : (200, $$"""{"messaging_product":"whatsapp","contacts":[{"input":"{{to}}","wa_id":"{{to}}"}],"messages":[{"id":"wamid.TEST{{Interlocked.Increment(ref _sent)}}"}]}""");
        }
        else if (context.Request.Path.StartsWithSegments($"/bot{TelegramToken}/sendMessage"))
        {
            var chat = (string?)JObject.Parse(body)["chat_id"];
            var id = Interlocked.Increment(ref _sent);
            (status, answer) = (200, "{\"ok\":true,\"result\":{\"message_id\":" + id + ",\"chat\":{\"id\":" + chat + "}}}");
        }
        else if (context.Request.Path.Value?.Contains("/sendMessage", StringComparison.Ordinal) == true)
        {
            (status, answer) = (401, """{"ok":false,"error_code":401,"description":"Unauthorized"}""");
        }
        else
        {
            (status, answer) = (200, "{}");
        }

        Requests.Enqueue(new Received(context.Request.Path, headers, body, status));
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer);
    }

    public ValueTask DisposeAsync() => LoopbackServer.StopAsync(_app);
}

/// <summary>Meta's webhook payloads (developers.facebook.com/docs/whatsapp/cloud-api/webhooks/payload-examples), signed like Meta signs them.</summary>
public static class WhatsAppPayloads
{
    public const string AppSecret = "meta-app-secret-5f4e3d";
    public const string VerifyToken = "verify-me-123";

    public static string Text(string waId, string name, string messageId, string text) => Envelope($$"""
        "contacts": [ { "profile": { "name": "{{name}}" }, "wa_id": "{{waId}}" } ],
        "messages": [ { "from": "{{waId}}", "id": "{{messageId}}", "timestamp": "1717000000", "type": "text", "text": { "body": "{{text}}" } } ]
        """);

    public static string ButtonReply(string waId, string name, string messageId, string buttonId, string title) => Envelope($$"""
        "contacts": [ { "profile": { "name": "{{name}}" }, "wa_id": "{{waId}}" } ],
        "messages": [ { "context": { "from": "{{FakeProvider.PhoneNumberId}}", "id": "wamid.PREVIOUS" }, "from": "{{waId}}", "id": "{{messageId}}",
                        "timestamp": "1717000001", "type": "interactive",
                        "interactive": { "type": "button_reply", "button_reply": { "id": "{{buttonId}}", "title": "{{title}}" } } } ]
        """);

    public static string Status(string waId, string wamid, string status) => Envelope($$"""
        "statuses": [ { "id": "{{wamid}}", "status": "{{status}}", "timestamp": "1717000002", "recipient_id": "{{waId}}" } ]
        """);

    private static string Envelope(string value) => $$"""
        { "object": "whatsapp_business_account",
          "entry": [ { "id": "102290129340398", "changes": [ { "field": "messages", "value": {
              "messaging_product": "whatsapp",
              "metadata": { "display_phone_number": "15550783881", "phone_number_id": "{{FakeProvider.PhoneNumberId}}" },
              {{value}} } } ] } ] }
        """;

    public static string Sign(string body, string secret = AppSecret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(body)));

    /// <summary>Stores the channel's secrets and the channel <c>wa</c> pointing at <paramref name="flowId"/> and the fake Graph API.</summary>
    public static async Task ConnectAsync(BotFlowApp app, FakeProvider graph, string flowId)
    {
        var client = app.CreateClient();
        (await client.PutAsync("/api/secrets/wa_token", BotFlowApp.Json($$"""{"value":"{{FakeProvider.GraphToken}}"}"""))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/secrets/wa_app_secret", BotFlowApp.Json($$"""{"value":"{{AppSecret}}"}"""))).EnsureSuccessStatusCode();
        (await client.PutAsync("/api/secrets/wa_verify", BotFlowApp.Json($$"""{"value":"{{VerifyToken}}"}"""))).EnsureSuccessStatusCode();
        var response = await client.PutAsync("/api/channels/wa", BotFlowApp.Json($$"""
            { "type": "whatsapp", "flowId": "{{flowId}}",
              "settings": { "phoneNumberId": "{{FakeProvider.PhoneNumberId}}", "accessToken": "wa_token", "appSecret": "wa_app_secret",
                            "verifyToken": "wa_verify", "graphBaseUrl": "{{graph.BaseUrl}}" } }
            """));
        await BotFlowApp.ReadAsync(response, expectSuccess: true);
    }

    public static async Task<HttpResponseMessage> PostAsync(BotFlowApp app, string body, string? signature = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/channels/wa/webhook") { Content = BotFlowApp.Json(body) };
        request.Headers.Add("X-Hub-Signature-256", signature ?? Sign(body));
        // A provider has no API key: the webhook must work for an anonymous caller.
        return await app.CreateClient().SendAsync(request);
    }
}
