namespace BotFlow.Sdk.Secrets;

/// <summary>
/// Reads the account's secrets (partner tokens) by name, decrypted, for request templates. Values must never be logged,
/// stored or shown: mask them (<c>***</c>) in anything a block records.
/// </summary>
public interface ISecretReader
{
    /// <summary>Every secret, by name. Loaded fresh per call so a replaced secret is used at once on every host.</summary>
    ValueTask<IReadOnlyDictionary<string, string>> ReadAllAsync(CancellationToken cancellationToken);
}
