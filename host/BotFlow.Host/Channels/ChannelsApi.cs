using System.Text.RegularExpressions;
using BotFlow.Host.Conversations;
using BotFlow.Host.Errors;
using BotFlow.Host.Fields;
using BotFlow.Host.Flows;
using BotFlow.Host.Plugins;
using BotFlow.Host.Secrets;
using BotFlow.Host.Security;
using BotFlow.Sdk.Channels;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace BotFlow.Host.Channels;

public static partial class ChannelsApi
{
    public sealed record ChannelInput(string? Type, string? FlowId, Dictionary<string, string?>? Settings);

    public sealed record ChannelDto(string Id, string Type, string FlowId, IReadOnlyDictionary<string, string> Settings, string WebhookUrl,
        int Pending, int Failed, DateTimeOffset UpdatedAt);

    public sealed record ChannelTypeDto(string Type, string Plugin, string Version, string DisplayName, IReadOnlyList<ChannelSettingDefinition> Settings);

    public sealed record WebhookAnswer(int Received, int Duplicates, int Statuses);

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,63}$")]
    private static partial Regex ChannelIdPattern();

    public static IEndpointRouteBuilder MapChannels(this IEndpointRouteBuilder api)
    {
        var channels = api.MapGroup("/channels").WithTags("Channels");
        channels.MapGet("/", List).RequireAuthorization(Policies.Read).WithSummary("Configured channels with their webhook URL and outbox counts");
        channels.MapPut("/{id}", Save).RequireAuthorization(Policies.Admin).WithSummary("Create or replace a channel { type, flowId, settings }")
            .Accepts<ChannelInput>("application/json").ProducesProblem(StatusCodes.Status400BadRequest);
        channels.MapDelete("/{id}", Delete).RequireAuthorization(Policies.Admin).WithSummary("Delete a channel (its webhook stops answering)");
        api.MapGet("/channel-types", Types).RequireAuthorization(Policies.Read).WithTags("Channels").WithSummary("Channel types the loaded plugins provide, with their settings");
        return api;
    }

    /// <summary>
    /// The URL a provider calls. Anonymous on purpose: providers cannot send our API keys, so each channel authenticates
    /// the call by the provider's signature (a wrong or missing one answers 401 and nothing is stored).
    /// </summary>
    public static IEndpointRouteBuilder MapChannelWebhooks(this IEndpointRouteBuilder app)
    {
        const string route = "/channels/{channelId}/webhook";
        app.MapGet(route, Handshake).AllowAnonymous().WithTags("Channels").WithSummary("A provider's verification handshake (WhatsApp hub.challenge)");
        app.MapPost(route, Receive).AllowAnonymous().WithTags("Channels").WithSummary("A provider's webhook: messages and status callbacks, verified by the channel");
        return app;
    }

    private static async Task<Ok<List<ChannelDto>>> List(IChannelStore store, HttpRequest request, IOptions<ChannelsOptions> options, CancellationToken ct)
    {
        var counts = await store.CountsAsync(ct);
        var list = (await store.ListAsync(ct)).Select(c =>
        {
            var n = counts.GetValueOrDefault(c.Id, new ChannelDeliveryCounts(0, 0));
            return new ChannelDto(c.Id, c.Type, c.FlowId, c.Settings, WebhookUrl(request, options.Value, c.Id), n.Pending, n.Failed, c.UpdatedAt);
        }).ToList();
        return TypedResults.Ok(list);
    }

    private static Ok<List<ChannelTypeDto>> Types(PluginCatalog catalog) =>
        TypedResults.Ok(catalog.ChannelTypes.OrderBy(t => t.Type, StringComparer.Ordinal)
            .Select(t => new ChannelTypeDto(t.Type, t.Plugin, t.Version, t.DisplayName, t.Channel.Settings)).ToList());

    private static async Task<Results<Ok<ChannelDto>, ProblemHttpResult>> Save(string id, HttpRequest request, IChannelStore store, IFlowStore flows,
        PluginCatalog catalog, TimeProvider clock, IOptions<ChannelsOptions> options, CancellationToken ct)
    {
        if (!ChannelIdPattern().IsMatch(id) || id == Conversations.Channels.Test)
        {
            return Problems.Invalid("id", "a channel id is 1 to 64 lower-case letters, digits, '-' and '_', and not 'test' (the built-in test channel)");
        }

        var (input, problem) = await JsonBody.ReadAsync<ChannelInput>(request, ct);
        if (input is null)
        {
            return problem.Value!;
        }

        var errors = new List<FlowError>();
        ChannelTypeDescriptor? type = null;
        if (string.IsNullOrEmpty(input.Type))
        {
            errors.Add(new FlowError(null, "type", "'type' is required"));
        }
        else if (!catalog.TryGetChannel(input.Type, out type))
        {
            errors.Add(new FlowError(null, "type", $"unknown channel type '{input.Type}'; known: {string.Join(", ", catalog.ChannelTypes.Select(t => t.Type).Order(StringComparer.Ordinal))}"));
        }

        if (string.IsNullOrEmpty(input.FlowId))
        {
            errors.Add(new FlowError(null, "flowId", "'flowId' is required"));
        }
        else if (await flows.GetAsync(input.FlowId, ct) is null)
        {
            errors.Add(new FlowError(null, "flowId", $"there is no flow '{input.FlowId}'"));
        }

        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        if (type is not null)
        {
            var definitions = type.Channel.Settings.ToDictionary(d => d.Name, StringComparer.Ordinal);
            foreach (var (key, value) in input.Settings ?? [])
            {
                if (!definitions.TryGetValue(key, out var definition))
                {
                    errors.Add(new FlowError(null, $"settings.{key}", $"channel type '{type.Type}' has no setting '{key}'; it has {string.Join(", ", definitions.Keys)}"));
                }
                else if (!string.IsNullOrEmpty(value))
                {
                    if (definition.Secret && !SecretStore.NamePattern().IsMatch(value))
                    {
                        // Secret settings name a secret; a value that looks like a credential must not end up in plain settings.
                        errors.Add(new FlowError(null, $"settings.{key}", "give the NAME of a secret in the secrets store (PUT /api/secrets/{name}), not its value"));
                    }
                    else
                    {
                        settings[key] = value;
                    }
                }
            }

            foreach (var missing in type.Channel.Settings.Where(d => d.Required && !settings.ContainsKey(d.Name)))
            {
                errors.Add(new FlowError(null, $"settings.{missing.Name}", $"'{missing.Name}' is required: {missing.Description}"));
            }
        }

        if (errors.Count > 0)
        {
            return Problems.Invalid("The channel is not valid; nothing was stored.", errors);
        }

        var record = new ChannelRecord(id, type!.Type, input.FlowId!, settings, clock.GetUtcNow());
        await store.UpsertAsync(record, ct);
        return TypedResults.Ok(new ChannelDto(id, record.Type, record.FlowId, settings, WebhookUrl(request, options.Value, id), 0, 0, record.UpdatedAt));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(string id, IChannelStore store, CancellationToken ct) =>
        await store.DeleteAsync(id, ct) ? TypedResults.NoContent() : Problems.NotFound($"there is no channel '{id}'");

    private static async Task<Results<ContentHttpResult, ProblemHttpResult>> Handshake(string channelId, HttpRequest request, IChannelStore store,
        PluginCatalog catalog, ChannelSettingsResolver resolver, ILoggerFactory loggers, CancellationToken ct)
    {
        var (channel, type, problem) = await FindAsync(channelId, store, catalog, ct);
        if (problem is not null)
        {
            return problem;
        }

        var settings = await resolver.ResolveAsync(channel!, type!.Channel, ct);
        var answer = await type.Channel.HandshakeAsync(ToChannelRequest(request, []), settings, ct);
        if (answer is null)
        {
            loggers.CreateLogger(typeof(ChannelsApi)).LogWarning("Channel {ChannelId}: verification handshake refused", channelId);
            return TypedResults.Problem(title: "Forbidden.", detail: "the verification handshake does not match this channel's settings", statusCode: StatusCodes.Status403Forbidden);
        }

        return TypedResults.Text(answer, "text/plain");
    }

    private static async Task<Results<Ok<WebhookAnswer>, ProblemHttpResult>> Receive(string channelId, HttpRequest request, IChannelStore store,
        PluginCatalog catalog, ChannelSettingsResolver resolver, ConversationRunner runner, FieldService fields, TimeProvider clock,
        IOptions<ChannelsOptions> options, IOptions<ConversationsOptions> conversationOptions, ILoggerFactory loggers, CancellationToken ct)
    {
        var logger = loggers.CreateLogger(typeof(ChannelsApi));
        var (channel, type, problem) = await FindAsync(channelId, store, catalog, ct);
        if (problem is not null)
        {
            return problem;
        }

        var body = await ReadBodyAsync(request, options.Value.MaxWebhookBytes, ct);
        if (body is null)
        {
            return Problems.TooLarge("body", options.Value.MaxWebhookBytes);
        }

        var channelRequest = ToChannelRequest(request, body);
        var settings = await resolver.ResolveAsync(channel!, type!.Channel, ct);
        if (!await type.Channel.VerifyAsync(channelRequest, settings, ct))
        {
            logger.LogWarning("Channel {ChannelId}: webhook signature missing or wrong; nothing stored", channelId);
            return TypedResults.Problem(title: "Unauthorized.", detail: "the webhook's signature is missing or does not match this channel's secret",
                statusCode: StatusCodes.Status401Unauthorized);
        }

        InboundBatch batch;
        try
        {
            batch = await type.Channel.ParseAsync(channelRequest, settings, ct);
        }
        catch (Exception ex) when (ex is FormatException or System.Text.Json.JsonException or InvalidOperationException or KeyNotFoundException)
        {
            logger.LogWarning("Channel {ChannelId}: webhook body not understood: {Error}", channelId, ex.Message);
            return Problems.Invalid("body", $"the body is not a {type.Type} webhook: {ex.Message}");
        }

        var now = clock.GetUtcNow();
        foreach (var status in batch.Statuses)
        {
            if (!await store.ApplyStatusAsync(channel!.Id, status.ProviderMessageId, status.Status, status.Error, now, ct))
            {
                logger.LogDebug("Channel {ChannelId}: status {Status} for unknown or later message {ProviderMessageId}", channelId, status.Status, status.ProviderMessageId);
            }
        }

        var catalogOfFields = await fields.GetCatalogAsync(ct);
        int received = 0, duplicates = 0;
        foreach (var message in batch.Messages)
        {
            if (!ConversationsApi.ContactIdPattern().IsMatch(message.ContactId) || string.IsNullOrEmpty(message.ProviderMessageId))
            {
                logger.LogWarning("Channel {ChannelId}: message without a usable contact id or message id skipped", channelId);
                continue;
            }

            var text = message.OptionKey ?? message.Text;
            if (text.Length > conversationOptions.Value.MaxTextLength)
            {
                text = text[..conversationOptions.Value.MaxTextLength];
            }

            // A provider's profile value our field types reject (a name too long, a foreign phone) is dropped, never the message.
            var updates = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (key, value) in message.Fields)
            {
                if (catalogOfFields.Normalize(key, value).IsValid)
                {
                    updates[key] = value;
                }
                else
                {
                    logger.LogWarning("Channel {ChannelId}: field {Field} from the provider is not valid for its type; not stored", channelId, key);
                }
            }

            try
            {
                var (_, refusal, _) = await runner.HandleAsync(channel!.Id, new InboundKey(channel.Id, message.ProviderMessageId), channel.FlowId, message.ContactId, text,
                    updates, restart: false, ct);
                switch (refusal)
                {
                    case ConversationRefusal.Duplicate:
                        duplicates++;
                        break;
                    case ConversationRefusal.FlowNotFound:
                        // 503 makes the provider redeliver later; what was handled already is skipped then as a duplicate.
                        return Problems.Unavailable($"channel '{channelId}' points at flow '{channel.FlowId}', which does not exist");
                    default:
                        received++;
                        break;
                }
            }
            catch (FlowUnavailableException ex)
            {
                return Problems.Unavailable(ex.Message);
            }
        }

        return TypedResults.Ok(new WebhookAnswer(received, duplicates, batch.Statuses.Count));
    }

    private static async Task<(ChannelRecord? Channel, ChannelTypeDescriptor? Type, ProblemHttpResult? Problem)> FindAsync(string channelId, IChannelStore store,
        PluginCatalog catalog, CancellationToken ct)
    {
        if (await store.GetAsync(channelId, ct) is not { } channel)
        {
            return (null, null, Problems.NotFound($"there is no channel '{channelId}'"));
        }

        return catalog.TryGetChannel(channel.Type, out var type)
            ? (channel, type, null)
            : (null, null, Problems.Unavailable($"channel type '{channel.Type}' is not loaded (see GET /api/plugins)"));
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, int max, CancellationToken ct)
    {
        if (request.ContentLength > max)
        {
            return null;
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > max)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ChannelRequest ToChannelRequest(HttpRequest request, byte[] body) => new()
    {
        Method = request.Method,
        Body = body,
        Headers = request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal),
        Query = request.Query.ToDictionary(q => q.Key, q => q.Value.FirstOrDefault() ?? "", StringComparer.Ordinal),
    };

    private static string WebhookUrl(HttpRequest request, ChannelsOptions options, string id)
    {
        var baseUrl = string.IsNullOrEmpty(options.PublicBaseUrl) ? $"{request.Scheme}://{request.Host}{request.PathBase}" : options.PublicBaseUrl.TrimEnd('/');
        return $"{baseUrl}/channels/{Uri.EscapeDataString(id)}/webhook";
    }
}
