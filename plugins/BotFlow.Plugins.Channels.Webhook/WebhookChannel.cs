using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotFlow.Sdk.Channels;
using BotFlow.Sdk.Http;

namespace BotFlow.Plugins.Channels.Webhook;

/// <summary>
/// A channel for anything without a provider of its own (a CRM's chat, a website widget). Inbound: JSON
/// <c>{ "contactId", "text", "messageId", "fields"?, "optionKey"? }</c> (or a status <c>{ "messageId", "status", "error"? }</c>)
/// signed with <c>X-BotFlow-Signature: sha256=&lt;hex HMAC-SHA256 of the body&gt;</c>. Outbound: a POST to the callback URL
/// signed the Standard Webhooks way (standardwebhooks.com), so the receiver can verify it and drop retried copies by <c>webhook-id</c>.
/// </summary>
[ChannelType("webhook", DisplayName = "Signed webhook")]
public sealed class WebhookChannel(TimeProvider clock) : IChannel
{
    public const string CallbackUrl = "callbackUrl", InboundSecret = "inboundSecret", OutboundSecret = "outboundSecret";
    public const string SignatureHeader = "x-botflow-signature";

    private static readonly OutboundOptions Outbound = new() { Timeout = TimeSpan.FromSeconds(15), MaxResponseBytes = 64 * 1024, MaxRedirects = 0 };

    public IReadOnlyList<ChannelSettingDefinition> Settings { get; } =
    [
        new(CallbackUrl, "Where the bot's messages are POSTed.", Required: true),
        new(InboundSecret, "Secret holding the key that signs inbound webhooks (X-BotFlow-Signature: sha256=<hex>).", Required: true, Secret: true),
        new(OutboundSecret, "Secret holding the Standard Webhooks key (whsec_<base64>, or any text used as UTF-8) that signs outgoing POSTs.", Required: true, Secret: true),
    ];

    public ValueTask<string?> HandshakeAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken) => ValueTask.FromResult<string?>(null);

    public ValueTask<bool> VerifyAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken)
    {
        var header = request.Headers.GetValueOrDefault(SignatureHeader);
        return ValueTask.FromResult(header is not null && header.StartsWith("sha256=", StringComparison.Ordinal)
                                    && WebhookSignatures.VerifyHmacSha256Hex(settings.Get(InboundSecret) ?? "", request.Body, header["sha256=".Length..]));
    }

    public ValueTask<InboundBatch> ParseAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken)
    {
        var root = JsonNode.Parse(request.Body) as JsonObject ?? throw new FormatException("the body is not a JSON object");
        var messageId = (string?)root["messageId"] ?? throw new FormatException("'messageId' is required");
        if ((string?)root["status"] is { } status)
        {
            return ValueTask.FromResult(new InboundBatch([], [new DeliveryStatusUpdate(messageId, status, (string?)root["error"])]));
        }

        var contactId = (string?)root["contactId"] ?? throw new FormatException("'contactId' is required");
        var text = (string?)root["text"] ?? throw new FormatException("'text' is required");
        var fields = (root["fields"] as JsonObject ?? []).Where(p => p.Value is JsonValue).ToDictionary(p => p.Key, p => p.Value!.ToString());
        return ValueTask.FromResult(new InboundBatch([new InboundMessage(contactId, text, messageId) { Fields = fields, OptionKey = (string?)root["optionKey"] }], []));
    }

    public async ValueTask<SendResult> SendAsync(OutgoingMessage message, ChannelSettings settings, IOutboundHttp http, CancellationToken cancellationToken)
    {
        var url = settings.Get(CallbackUrl);
        var secret = settings.Get(OutboundSecret);
        if (url is null || secret is null)
        {
            return SendResult.Failed("the channel has no callback URL or outbound secret (check its settings and that the named secret exists)");
        }

        // The id is the same on every try of the message: it is what the receiver dedupes on.
        var id = "msg_" + message.Id;
        var timestamp = clock.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var body = new JsonObject
        {
            ["type"] = "message",
            ["id"] = id,
            ["channelId"] = settings.ChannelId,
            ["contactId"] = message.ContactId,
            ["text"] = message.Text,
            ["options"] = new JsonArray(message.Options.Select(o => (JsonNode)new JsonObject { ["key"] = o.Key, ["label"] = o.Label }).ToArray()),
        }.ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp);
        request.Headers.Add("webhook-signature", Sign(secret, id, timestamp, body));
        var response = await http.SendAsync(request, Outbound, cancellationToken);
        if (response.ErrorKind != OutboundErrorKind.None)
        {
            return response.ErrorKind is OutboundErrorKind.AddressRefused or OutboundErrorKind.InvalidRequest
                ? SendResult.Failed($"callback not reachable: {response.Error}")
                : SendResult.RetryLater($"callback not reachable: {response.Error}");
        }

        if (response.Status is >= 200 and < 300)
        {
            return SendResult.Sent(id);
        }

        var error = $"HTTP {response.Status}: {Encoding.UTF8.GetString(response.Body.AsSpan(0, Math.Min(300, response.Body.Length)))}";
        return response.Status is 408 or 429 or >= 500 ? SendResult.RetryLater(error, response.RetryAfter) : SendResult.Failed(error);
    }

    /// <summary><c>v1,&lt;base64 HMAC-SHA256 of "{id}.{timestamp}.{body}"&gt;</c>; a <c>whsec_</c> secret is base64, anything else UTF-8.</summary>
    public static string Sign(string secret, string id, string timestamp, string body)
    {
        var key = secret.StartsWith("whsec_", StringComparison.Ordinal) ? Convert.FromBase64String(secret["whsec_".Length..]) : Encoding.UTF8.GetBytes(secret);
        return "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
    }
}
