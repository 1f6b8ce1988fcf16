using System.Security.Cryptography;
using System.Text;

namespace BotFlow.Sdk.Channels;

/// <summary>HMAC helpers channels share, so every provider's signature is checked the same constant-time way.</summary>
public static class WebhookSignatures
{
    /// <summary>Lower-case hex of HMAC-SHA256(<paramref name="key"/>, <paramref name="payload"/>).</summary>
    public static string HmacSha256Hex(byte[] key, byte[] payload) => Convert.ToHexStringLower(HMACSHA256.HashData(key, payload));

    /// <summary>
    /// Whether <paramref name="presentedHex"/> is the HMAC-SHA256 of <paramref name="payload"/> with <paramref name="secret"/>
    /// (UTF-8), compared in constant time. <c>false</c> for a missing, empty or malformed value.
    /// </summary>
    public static bool VerifyHmacSha256Hex(string secret, byte[] payload, string? presentedHex)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrEmpty(presentedHex) || presentedHex.Length != 64)
        {
            return false;
        }

        byte[] presented;
        try
        {
            presented = Convert.FromHexString(presentedHex);
        }
        catch (FormatException)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), payload), presented);
    }

    /// <summary>Constant-time comparison of two UTF-8 strings (tokens), <c>false</c> when either is empty.</summary>
    public static bool TokensEqual(string? expected, string? presented) =>
        !string.IsNullOrEmpty(expected) && !string.IsNullOrEmpty(presented)
        && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected), Encoding.UTF8.GetBytes(presented));
}
