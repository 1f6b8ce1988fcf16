using BotFlow.Sdk.Channels;
using BotFlow.Sdk.Secrets;

namespace BotFlow.Host.Channels;

/// <summary>Turns a stored channel's settings into what its plugin sees: secret settings hold a secret's name and become its value.</summary>
public sealed class ChannelSettingsResolver(ISecretReader secrets)
{
    public async Task<ChannelSettings> ResolveAsync(ChannelRecord channel, IChannel type, CancellationToken ct)
    {
        // Read per use, so a rotated secret applies at once on every host (like the integration block's secrets).
        var all = await secrets.ReadAllAsync(ct);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var definition in type.Settings)
        {
            if (!channel.Settings.TryGetValue(definition.Name, out var value) || string.IsNullOrEmpty(value))
            {
                continue;
            }

            if (!definition.Secret)
            {
                values[definition.Name] = value;
            }
            else if (all.TryGetValue(value, out var secret))
            {
                values[definition.Name] = secret;
            }
        }

        return new ChannelSettings(channel.Id, values);
    }
}
