using System.ComponentModel.DataAnnotations;

namespace BotFlow.Host.Channels;

/// <summary>Channels and their outbox. Section <c>BotFlow:Channels</c> (docs/channels.md).</summary>
public sealed class ChannelsOptions : IValidatableObject
{
    public const string Section = "BotFlow:Channels";

    /// <summary>Delivery tries per outgoing message before it ends <c>failed</c>. Default 6.</summary>
    [Range(1, 50)] public int MaxAttempts { get; set; } = 6;

    /// <summary>Seconds to wait before try 2, 3, …; the last value repeats. Default 5, 30, 120, 600, 1800.</summary>
    /// <remarks>Null by default rather than pre-filled: the configuration binder appends to a pre-filled list instead of replacing it.</remarks>
    public List<int>? BackoffSeconds { get; set; }

    private IReadOnlyList<int> Backoff => BackoffSeconds is { Count: > 0 } configured ? configured : [5, 30, 120, 600, 1800];

    /// <summary>The longest <c>Retry-After</c> a provider may impose before the next try. Default 1 h; longer asks wait this long.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")] public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Largest webhook body accepted. Default 1 MiB (WhatsApp batches stay far below); larger ones answer 413.</summary>
    [Range(1024, 64 * 1024 * 1024)] public int MaxWebhookBytes { get; set; } = 1024 * 1024;

    /// <summary>The public base URL providers reach this host at (<c>https://bot.example.com</c>), used to show each
    /// channel's webhook URL. Empty: the URL of the request that lists the channels.</summary>
    public string? PublicBaseUrl { get; set; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Backoff.Any(s => s is < 0 or > 86_400))
        {
            yield return new ValidationResult("BotFlow:Channels:BackoffSeconds values are 0 to 86400 seconds each.", [nameof(BackoffSeconds)]);
        }

        if (!string.IsNullOrEmpty(PublicBaseUrl) && !(Uri.TryCreate(PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
        {
            yield return new ValidationResult("BotFlow:Channels:PublicBaseUrl must be an absolute http(s) URL.", [nameof(PublicBaseUrl)]);
        }
    }

    /// <summary>The wait before try <paramref name="nextAttempt"/> (2 or more).</summary>
    public TimeSpan DelayBefore(int nextAttempt) => TimeSpan.FromSeconds(Backoff[Math.Clamp(nextAttempt - 2, 0, Backoff.Count - 1)]);
}
