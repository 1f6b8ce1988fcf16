using System.Buffers;

namespace BotFlow.Host.Http;

/// <summary>
/// Reads a whole body under a cap through one pooled buffer, sized from the Content-Length hint and grown when the
/// hint is absent or wrong (after decompression the length is unknown). Request and response bodies are read on every
/// conversation step, so a fresh chunk and MemoryStream per read showed up as a tenth of all allocation (docs/benchmarks.md).
/// </summary>
internal readonly struct PooledBody : IDisposable
{
    private readonly byte[]? _buffer;

    private PooledBody(byte[]? buffer, int length, bool tooLarge)
    {
        _buffer = buffer;
        Length = length;
        TooLarge = tooLarge;
    }

    /// <summary>More than the cap arrived; nothing of it is kept.</summary>
    public bool TooLarge { get; }

    public int Length { get; }

    public ReadOnlySpan<byte> Span => _buffer is null ? default : _buffer.AsSpan(0, Length);

    public static async Task<PooledBody> ReadAsync(Stream stream, long? lengthHint, long max, CancellationToken ct)
    {
        var cap = (int)Math.Min(max + 1, Array.MaxLength);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Clamp(lengthHint is > 0 ? lengthHint.Value + 1 : 4096, 256, cap));
        try
        {
            var total = 0;
            while (true)
            {
                if (total == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, cap));
                    buffer.AsSpan(0, total).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var read = await stream.ReadAsync(buffer.AsMemory(total, Math.Min(buffer.Length, cap) - total), ct);
                if (read == 0)
                {
                    return new PooledBody(buffer, total, false);
                }

                total += read;
                if (total > max)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    return new PooledBody(null, 0, true);
                }
            }
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(buffer);
            throw;
        }
    }

    public void Dispose()
    {
        if (_buffer is not null)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }
    }
}
