using System.Security.Cryptography;
using System.Text;

namespace BotFlow.Host.Security;

/// <summary>
/// The SHA-256 of every configured API key, worked out once per configuration snapshot (a reload binds a new
/// <see cref="AuthOptions"/>) instead of once per key on every request. Keys given in plain text and keys given as
/// <c>Sha256</c> are compared the same way, in constant time.
/// </summary>
public sealed class ApiKeyDigests
{
    private sealed record Snapshot(AuthOptions Options, List<ApiKeyOptions> Source, int Count, (ApiKeyOptions Key, byte[]? Digest)[] Keys);

    // Replaced whole, never changed in place, so a reader sees one consistent snapshot without a lock.
    private Snapshot? _snapshot;

    /// <summary>The configured key whose digest matches <paramref name="presented"/>, or null.</summary>
    public ApiKeyOptions? Find(AuthOptions options, string presented)
    {
        var snapshot = _snapshot;
        if (snapshot is null || !ReferenceEquals(snapshot.Options, options) || !ReferenceEquals(snapshot.Source, options.ApiKeys)
            || snapshot.Count != options.ApiKeys.Count)
        {
            snapshot = new Snapshot(options, options.ApiKeys, options.ApiKeys.Count, options.ApiKeys
                .Select(k => (k, k.Key is { Length: > 0 } plain ? SHA256.HashData(Encoding.UTF8.GetBytes(plain)) : FromHex(k.Sha256)))
                .ToArray());
            _snapshot = snapshot;
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetMaxByteCount(presented.Length);
        var utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(presented, utf8)], hash);
        foreach (var (key, digest) in snapshot.Keys)
        {
            if (digest is not null && CryptographicOperations.FixedTimeEquals(hash, digest))
            {
                return key;
            }
        }

        return null;
    }

    private static byte[]? FromHex(string? hex)
    {
        try
        {
            return string.IsNullOrEmpty(hex) ? null : Convert.FromHexString(hex);
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
