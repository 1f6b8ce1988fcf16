using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using BotFlow.Sdk.Channels;
using BotFlow.Sdk.Http;

namespace BotFlow.Plugins.Channels.WhatsApp;

/// <summary>
/// WhatsApp Cloud API (Meta): the webhook handshake, <c>X-Hub-Signature-256</c> verification, text messages, interactive
/// button and list replies, status callbacks, and <c>POST {graph}/{phone-number-id}/messages</c> with menus as reply buttons
/// (up to 3 options) or a list (up to 10). Payload shapes: developers.facebook.com/docs/whatsapp/cloud-api/webhooks/components.
/// </summary>
[ChannelType("whatsapp", DisplayName = "WhatsApp Cloud API")]
public sealed class WhatsAppChannel : IChannel
{
    public const string PhoneNumberId = "phoneNumberId", GraphBaseUrl = "graphBaseUrl", AccessToken = "accessToken", AppSecret = "appSecret",
        VerifyToken = "verifyToken", ListButton = "listButton";

    public const string DefaultGraphBaseUrl = "https://graph.facebook.com/v21.0";

    // Meta's limits: a reply button title has at most 20 characters, a list row title 24, an interactive body 1024.
    private const int MaxButtons = 3, MaxRows = 10, ButtonTitle = 20, RowTitle = 24, InteractiveBody = 1024;

    private static readonly OutboundOptions Outbound = new() { Timeout = TimeSpan.FromSeconds(20), MaxResponseBytes = 256 * 1024, MaxRedirects = 0 };

    public IReadOnlyList<ChannelSettingDefinition> Settings { get; } =
    [
        new(PhoneNumberId, "The WhatsApp phone number id from Meta's console (not the phone number itself).", Required: true),
        new(AccessToken, "Secret holding the system-user access token sent as Authorization: Bearer.", Required: true, Secret: true),
        new(AppSecret, "Secret holding the Meta app secret that signs webhooks (X-Hub-Signature-256).", Required: true, Secret: true),
        new(VerifyToken, "Secret holding the verify token you also type into Meta's webhook settings.", Required: true, Secret: true),
        new(GraphBaseUrl, $"Graph API base URL with version. Default {DefaultGraphBaseUrl}."),
        new(ListButton, "Label of the button that opens a menu of more than 3 options. Default \"Opções\"."),
    ];

    public ValueTask<string?> HandshakeAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken)
    {
        var ok = request.Query.GetValueOrDefault("hub.mode") == "subscribe"
                 && WebhookSignatures.TokensEqual(settings.Get(VerifyToken), request.Query.GetValueOrDefault("hub.verify_token"))
                 && !string.IsNullOrEmpty(request.Query.GetValueOrDefault("hub.challenge"));
        return ValueTask.FromResult(ok ? request.Query["hub.challenge"] : null);
    }

    public ValueTask<bool> VerifyAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken)
    {
        var header = request.Headers.GetValueOrDefault("x-hub-signature-256");
        var ok = header is not null && header.StartsWith("sha256=", StringComparison.Ordinal)
                 && WebhookSignatures.VerifyHmacSha256Hex(settings.Get(AppSecret) ?? "", request.Body, header["sha256=".Length..]);
        return ValueTask.FromResult(ok);
    }

    public ValueTask<InboundBatch> ParseAsync(ChannelRequest request, ChannelSettings settings, CancellationToken cancellationToken)
    {
        var root = JsonNode.Parse(request.Body) as JsonObject ?? throw new FormatException("the body is not a JSON object");
        if ((string?)root["object"] != "whatsapp_business_account")
        {
            throw new FormatException("'object' is not whatsapp_business_account");
        }

        var messages = new List<InboundMessage>();
        var statuses = new List<DeliveryStatusUpdate>();
        foreach (var change in (root["entry"] as JsonArray ?? []).SelectMany(e => e?["changes"] as JsonArray ?? []))
        {
            if ((string?)change?["field"] != "messages" || change["value"] is not JsonObject value)
            {
                continue;
            }

            // One Meta app can serve several numbers: events of another number are not this channel's.
            if ((string?)value["metadata"]?["phone_number_id"] is { } number && number != settings.Get(PhoneNumberId))
            {
                continue;
            }

            var names = (value["contacts"] as JsonArray ?? [])
                .Where(c => c?["wa_id"] is not null)
                .GroupBy(c => (string)c!["wa_id"]!)
                .ToDictionary(g => g.Key, g => (string?)g.First()!["profile"]?["name"]);
            foreach (var message in value["messages"] as JsonArray ?? [])
            {
                if (ParseMessage(message, names) is { } parsed)
                {
                    messages.Add(parsed);
                }
            }

            foreach (var status in value["statuses"] as JsonArray ?? [])
            {
                var id = (string?)status?["id"];
                var state = (string?)status?["status"];
                if (id is null || state is not (DeliveryStatuses.Sent or DeliveryStatuses.Delivered or DeliveryStatuses.Read or DeliveryStatuses.Failed))
                {
                    continue;
                }

                var error = status!["errors"] is JsonArray { Count: > 0 } errors ? Describe(errors[0]) : null;
                statuses.Add(new DeliveryStatusUpdate(id, state, error));
            }
        }

        return ValueTask.FromResult(new InboundBatch(messages, statuses));
    }

    private static InboundMessage? ParseMessage(JsonNode? message, Dictionary<string, string?> names)
    {
        var from = (string?)message?["from"];
        var id = (string?)message?["id"];
        if (from is null || id is null)
        {
            return null;
        }

        string? text = null, option = null;
        switch ((string?)message!["type"])
        {
            case "text":
                text = (string?)message["text"]?["body"];
                break;
            case "interactive":
                var reply = message["interactive"]?["button_reply"] ?? message["interactive"]?["list_reply"];
                option = (string?)reply?["id"];
                text = (string?)reply?["title"] ?? option;
                break;
            case "button":
                // A quick-reply button of a template message: its payload plays the part of the option key.
                option = (string?)message["button"]?["payload"];
                text = (string?)message["button"]?["text"] ?? option;
                break;
        }

        if (text is null)
        {
            return null; // images, audio, locations…: not something a flow can answer yet
        }

        var fields = new Dictionary<string, string> { ["phone"] = NormalizePhone(from) };
        if (names.TryGetValue(from, out var name) && !string.IsNullOrWhiteSpace(name))
        {
            fields["name"] = name;
        }

        return new InboundMessage(from, text, id) { Fields = fields, OptionKey = option };
    }

    /// <summary>
    /// Brazilian mobiles as <c>55</c> + DDD + 9-digit number: Meta's <c>wa_id</c> for numbers registered before the 9th
    /// digit existed still has 8 digits after the DDD, so the 9 is put back for mobiles (first digit 6 to 9).
    /// </summary>
    public static string NormalizePhone(string waId)
    {
        var digits = new string(waId.Where(char.IsAsciiDigit).ToArray());
        return digits.Length == 12 && digits.StartsWith("55", StringComparison.Ordinal) && digits[4] is >= '6' and <= '9'
            ? digits[..4] + "9" + digits[4..]
            : digits;
    }

    public async ValueTask<SendResult> SendAsync(OutgoingMessage message, ChannelSettings settings, IOutboundHttp http, CancellationToken cancellationToken)
    {
        var baseUrl = (settings.Get(GraphBaseUrl) ?? DefaultGraphBaseUrl).TrimEnd('/');
        var token = settings.Get(AccessToken);
        var numberId = settings.Get(PhoneNumberId);
        if (token is null || numberId is null)
        {
            return SendResult.Failed("the channel has no access token or phone number id (check its settings and that the named secrets exist)");
        }

        var body = Payload(message, settings.Get(ListButton) ?? "Opções");
        using var request = new HttpRequestMessage(HttpMethod.Post, $"{baseUrl}/{Uri.EscapeDataString(numberId)}/messages")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var response = await http.SendAsync(request, Outbound, cancellationToken);
        if (response.ErrorKind != OutboundErrorKind.None)
        {
            return response.ErrorKind is OutboundErrorKind.AddressRefused or OutboundErrorKind.InvalidRequest
                ? SendResult.Failed($"Graph API not reachable: {response.Error}")
                : SendResult.RetryLater($"Graph API not reachable: {response.Error}");
        }

        JsonNode? answer = null;
        try
        {
            answer = response.Body.Length == 0 ? null : JsonNode.Parse(response.Body);
        }
        catch (JsonException)
        {
            // A proxy's HTML error page: the status below still decides.
        }

        if (response.Status is >= 200 and < 300)
        {
            return SendResult.Sent((string?)answer?["messages"]?[0]?["id"]);
        }

        var error = $"HTTP {response.Status}: " + (answer?["error"] is { } e ? Describe(e) : Encoding.UTF8.GetString(response.Body.AsSpan(0, Math.Min(300, response.Body.Length))));
        // 130429 (throughput) and 131056 (pair rate limit) are Meta's rate limits, answered with 400 at times.
        var code = (int?)answer?["error"]?["code"];
        return response.Status is 408 or 429 or >= 500 || code is 130429 or 131056 or 4 or 80007
            ? SendResult.RetryLater(error, response.RetryAfter)
            : SendResult.Failed(error);
    }

    /// <summary>Meta's message object: text, reply buttons for up to 3 options, a list for up to 10, plain text beyond.</summary>
    public static JsonObject Payload(OutgoingMessage message, string listButton)
    {
        var payload = new JsonObject { ["messaging_product"] = "whatsapp", ["recipient_type"] = "individual", ["to"] = message.ContactId };
        var options = message.Options;
        if (options.Count == 0 || options.Count > MaxRows || message.Text.Length > InteractiveBody)
        {
            payload["type"] = "text";
            payload["text"] = new JsonObject { ["preview_url"] = false, ["body"] = message.Text };
            return payload;
        }

        payload["type"] = "interactive";
        if (options.Count <= MaxButtons)
        {
            payload["interactive"] = new JsonObject
            {
                ["type"] = "button",
                ["body"] = new JsonObject { ["text"] = message.Text },
                ["action"] = new JsonObject
                {
                    ["buttons"] = new JsonArray(options.Select(o => (JsonNode)new JsonObject
                    {
                        ["type"] = "reply",
                        ["reply"] = new JsonObject { ["id"] = o.Key, ["title"] = Cut(o.Label, ButtonTitle) },
                    }).ToArray()),
                },
            };
        }
        else
        {
            payload["interactive"] = new JsonObject
            {
                ["type"] = "list",
                ["body"] = new JsonObject { ["text"] = message.Text },
                ["action"] = new JsonObject
                {
                    ["button"] = Cut(listButton, ButtonTitle),
                    ["sections"] = new JsonArray(new JsonObject
                    {
                        ["title"] = Cut(listButton, RowTitle),
                        ["rows"] = new JsonArray(options.Select(o => (JsonNode)new JsonObject { ["id"] = o.Key, ["title"] = Cut(o.Label, RowTitle) }).ToArray()),
                    }),
                },
            };
        }

        return payload;
    }

    private static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Describe(JsonNode? error)
    {
        var code = error?["code"]?.ToString();
        var text = (string?)error?["message"] ?? (string?)error?["title"] ?? "unknown error";
        var details = (string?)error?["error_data"]?["details"];
        return string.Create(CultureInfo.InvariantCulture, $"{(code is null ? "" : $"({code}) ")}{text}{(details is null ? "" : $": {details}")}");
    }
}
