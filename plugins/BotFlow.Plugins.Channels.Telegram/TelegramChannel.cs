using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotFlow.Sdk.Channels;
using BotFlow.Sdk.Http;

namespace BotFlow.Plugins.Channels.Telegram;

/// <summary>
/// Telegram Bot API: webhook updates checked with <c>X-Telegram-Bot-Api-Secret-Token</c> (the secret given to
/// <c>setWebhook</c>), <c>message.text</c> and inline-keyboard <c>callback_query</c> answers, and
/// <c>sendMessage</c> with an inline keyboard for menus. Shapes: core.telegram.org/bots/api.
/// </summary>
[ChannelType("telegram", DisplayName = "Telegram")]
public sealed class TelegramChannel : IChannel
{
    public const string BotToken = "botToken", SecretToken = "secretToken", ApiBaseUrl = "apiBaseUrl";
    public const string DefaultApiBaseUrl = "https://api.telegram.org";

    // Telegram's limit on callback_data is 64 bytes; option keys are short ids, longer ones are not sent as buttons.
    private const int MaxCallbackData = 64, MaxButtons = 10;

    private static readonly OutboundOptions Outbound = new() { Timeout = TimeSpan.FromSeconds(20), MaxResponseBytes = 256 * 1024, MaxRedirects = 0 };

    public IReadOnlyList<ChannelSettingDefinition> Settings { get; } =
    [
        new(BotToken, "Secret holding the bot token from @BotFather (it is part of the Bot API's URL).", Required: true, Secret: true),
        new(SecretToken, "Secret holding the secret_token you pass to setWebhook; Telegram sends it in X-Telegram-Bot-Api-Secret-Token.", Required: true, Secret: true),
        new(ApiBaseUrl, $"Bot API base URL. Default {DefaultApiBaseUrl}."),
    ];

    public ValueTask<string?> HandshakeAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken) =>
        ValueTask.FromResult<string?>(null); // Telegram has no GET handshake: setWebhook registers the URL.

    public ValueTask<bool> VerifyAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken) =>
        ValueTask.FromResult(WebhookSignatures.TokensEqual(settings.Get(SecretToken), request.Headers.GetValueOrDefault("x-telegram-bot-api-secret-token")));

    public ValueTask<InboundBatch> ParseAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken)
    {
        var update = JsonNode.Parse(request.Body) as JsonObject ?? throw new FormatException("the body is not a JSON object");
        var updateId = update["update_id"]?.ToString() ?? throw new FormatException("'update_id' is missing");
        InboundMessage? message = null;
        if (update["message"] is JsonObject text && (string?)text["text"] is { } body && text["chat"]?["id"] is { } chat)
        {
            message = new InboundMessage(chat.ToString(), body, "u" + updateId) { Fields = Profile(text["from"]) };
        }
        else if (update["callback_query"] is JsonObject callback && (string?)callback["data"] is { } data && callback["message"]?["chat"]?["id"] is { } callbackChat)
        {
            // The button's callback_data is the menu option's key: the menu takes that exit whatever the label says.
            message = new InboundMessage(callbackChat.ToString(), data, "u" + updateId) { Fields = Profile(callback["from"]), OptionKey = data };
        }

        return ValueTask.FromResult(message is null ? InboundBatch.Empty : new InboundBatch([message], []));
    }

    private static Dictionary<string, string> Profile(JsonNode? from)
    {
        var name = string.Join(' ', new[] { (string?)from?["first_name"], (string?)from?["last_name"] }.Where(n => !string.IsNullOrWhiteSpace(n)));
        return name.Length > 0 ? new Dictionary<string, string> { ["name"] = name } : [];
    }

    public async ValueTask<SendResult> SendAsync(OutgoingMessage message, ChannelSettings settings, IOutboundHttp http, CancellationToken cancellationToken)
    {
        var token = settings.Get(BotToken);
        if (token is null)
        {
            return SendResult.Failed("the channel has no bot token (check its settings and that the named secret exists)");
        }

        var baseUrl = (settings.Get(ApiBaseUrl) ?? DefaultApiBaseUrl).TrimEnd('/');
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/bot{token}/sendMessage")
        {
            Content = new StringContent(Payload(message).ToJsonString(), Encoding.UTF8, "application/json"),
        };
        var response = await http.SendAsync(request, Outbound, cancellationToken);
        if (response.ErrorKind != OutboundErrorKind.None)
        {
            // The token is in the URL: never echo the request, only the kind of failure.
            return response.ErrorKind is OutboundErrorKind.AddressRefused or OutboundErrorKind.InvalidRequest
                ? SendResult.Failed($"Bot API not reachable ({response.ErrorKind})")
                : SendResult.RetryLater($"Bot API not reachable ({response.ErrorKind})");
        }

        JsonNode? answer = null;
        try
        {
            answer = response.Body.Length == 0 ? null : JsonNode.Parse(response.Body);
        }
        catch (JsonException)
        {
        }

        if (response.Status is >= 200 and < 300 && (bool?)answer?["ok"] == true)
        {
            return SendResult.Sent(answer?["result"]?["message_id"]?.ToString());
        }

        var error = string.Create(CultureInfo.InvariantCulture, $"HTTP {response.Status}: {(string?)answer?["description"] ?? "no description"}");
        var retryAfter = (int?)answer?["parameters"]?["retry_after"] is { } seconds ? TimeSpan.FromSeconds(seconds) : response.RetryAfter;
        return response.Status is 408 or 429 or >= 500 ? SendResult.RetryLater(error, retryAfter) : SendResult.Failed(error);
    }

    /// <summary>sendMessage's body: plain text, or an inline keyboard with one button per menu option.</summary>
    public static JsonObject Payload(OutgoingMessage message)
    {
        var payload = new JsonObject { ["chat_id"] = message.ContactId, ["text"] = message.Text };
        var options = message.Options;
        if (options.Count > 0 && options.Count <= MaxButtons && options.All(o => Encoding.UTF8.GetByteCount(o.Key) <= MaxCallbackData))
        {
            payload["reply_markup"] = new JsonObject
            {
                ["inline_keyboard"] = new JsonArray(options.Select(o => (JsonNode)new JsonArray(new JsonObject { ["text"] = o.Label, ["callback_data"] = o.Key })).ToArray()),
            };
        }

        return payload;
    }
}
