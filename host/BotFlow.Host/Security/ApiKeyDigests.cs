using System.Runtime.InteropServices;
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
    private sealed record Snapshot(AuthOptions Options, List<ApiKeyOptions> Source, int Count, (ApiKeyOptions Key, byte[]? Digest)[] Keys)
    {
        /// <summary>
        /// Presented keys that matched, with their randomized string hash: a channel sends the same key with every
        /// message, and SHA-256 through OpenSSL was ~2% of a conversation step's CPU (docs/benchmarks.md, twelfth pass).
        /// Only matches are kept, so it holds at most one entry per configured key whatever callers send; it belongs to
        /// the snapshot, so a reload that removes a key forgets it. Replaced whole, never changed in place. For a key
        /// configured only as <c>Sha256</c>, the key's text then stays in memory while the snapshot lives (every request
        /// carrying it holds it briefly anyway); configuration files still need not hold it.
        /// </summary>
        public (int Hash, string Presented, ApiKeyOptions Key)[] Verified = [];
    }

    // Replaced whole (only its list of verified keys is swapped for a longer one), so a reader sees one consistent set
    // of keys without a lock.
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

        // string.GetHashCode is Marvin with a per-process random seed: a caller cannot make a guess share a verified
        // key's hash, so a wrong key never reaches the comparison, and the comparison itself takes the same time for
        // every string of the key's length.
        var presentedHash = presented.GetHashCode();
        foreach (var (verifiedHash, verified, verifiedKey) in snapshot.Verified)
        {
            if (verifiedHash == presentedHash
                && CryptographicOperations.FixedTimeEquals(MemoryMarshal.AsBytes(verified.AsSpan()), MemoryMarshal.AsBytes(presented.AsSpan())))
            {
                return verifiedKey;
            }
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        var length = Encoding.UTF8.GetMaxByteCount(presented.Length);
        var utf8 = length <= 512 ? stackalloc byte[length] : new byte[length];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(presented, utf8)], hash);
        foreach (var (key, digest) in snapshot.Keys)
        {
            if (digest is not null && CryptographicOperations.FixedTimeEquals(hash, digest))
            {
                var verified = snapshot.Verified;
                if (verified.Length < snapshot.Keys.Length)
                {
                    // A lost race only means one more digest on a later request.
                    snapshot.Verified = [.. verified, (presentedHash, presented, key)];
                }

                return key;
            }
        }

        return null;
    }

    // The principal of each configured key, made on its first use: the same name, role and method on every request, so
    // one read-only principal serves them all (three claims, their copies, an identity and a principal per request were
    // about 0.6 KB). Keyed by the options instance, which a configuration reload replaces. Nothing in the host adds
    // identities or claims to a request's user; anything that did would have to copy it first.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<ApiKeyOptions, System.Security.Claims.ClaimsPrincipal> _principals = new();

    /// <summary>The principal a request authenticated with <paramref name="key"/> gets, made once per key by <paramref name="create"/>.</summary>
    public System.Security.Claims.ClaimsPrincipal PrincipalOf(ApiKeyOptions key, Func<ApiKeyOptions, System.Security.Claims.ClaimsPrincipal> create) =>
        _principals.TryGetValue(key, out var principal) ? principal : _principals.GetOrAdd(key, create);

    /// <summary>How many presented keys the current snapshot has verified and keeps (tests).</summary>
    internal int VerifiedCount => _snapshot?.Verified.Length ?? 0;

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
