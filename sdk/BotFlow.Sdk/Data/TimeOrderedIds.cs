using System.Buffers.Binary;
using System.Security.Cryptography;

namespace BotFlow.Sdk.Data;

/// <summary>
/// New record ids: 32 lower-case hex digits of a version-7 UUID — the creation time in milliseconds first, then 74 bits
/// from the system's cryptographic random generator — the text <c>Guid.CreateVersion7().ToString("N")</c> gives.
/// Unguessable like any random UUID, and ordered by creation time, so rows keyed or indexed by them are appended.
/// </summary>
public static class TimeOrderedIds
{
    // Guid.CreateVersion7 reads its random bytes from the kernel on every call (a read of /dev/urandom on Linux: one
    // system call per id, two per boleto step; docs/benchmarks.md, "Eighth pass"). The same generator fills a buffer of
    // each thread once for 409 ids instead. Per thread, so no lock; the bytes of an id are never handed out twice.
    private const int RandomBytesPerId = 10;
    private const int BufferBytes = RandomBytesPerId * 409;

    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_next;

    /// <summary>A new id (see <see cref="TimeOrderedIds"/>).</summary>
    public static string New() => New(DateTimeOffset.UtcNow);

    /// <summary>A new id whose time part is <paramref name="now"/> (tests and callers with their own clock).</summary>
    public static string New(DateTimeOffset now)
    {
        var random = t_random;
        if (random is null || t_next + RandomBytesPerId > BufferBytes)
        {
            random = t_random ??= new byte[BufferBytes];
            RandomNumberGenerator.Fill(random);
            t_next = 0;
        }

        Span<byte> uuid = stackalloc byte[16];
        // RFC 9562: 48 bits of Unix time in milliseconds (big-endian), version 7, 12 random bits, variant 10, 62 random bits.
        BinaryPrimitives.WriteInt64BigEndian(uuid[..8], now.ToUnixTimeMilliseconds() << 16);
        random.AsSpan(t_next, RandomBytesPerId).CopyTo(uuid[6..]);
        t_next += RandomBytesPerId;
        uuid[6] = (byte)(0x70 | (uuid[6] & 0x0F));
        uuid[8] = (byte)(0x80 | (uuid[8] & 0x3F));
        return Convert.ToHexStringLower(uuid);
    }
}
