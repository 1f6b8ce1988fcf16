using System.Runtime.InteropServices;
using System.Threading.RateLimiting;

namespace BotFlow.Host.Security;

/// <summary>
/// Messages per contact per minute, in fixed memory. The counts live in a count-min sketch — three rows of 2^17 counters,
/// a contact's counter in each row picked by a per-process randomised hash of its id — kept for the current and the
/// previous minute and weighted like a sliding window (the previous minute counts for the part of it still inside the
/// last 60 s).
/// <para>
/// Why not <c>PartitionedRateLimiter.Create</c> with a limiter per contact: it keeps one limiter object per contact until
/// the contact has been quiet for 10 s, so a wave of new contacts (every message from a new number, as in the benchmark)
/// held about 25 MB of them at 4,000 messages/s, and a caller spraying made-up numbers could grow it without bound. Here
/// the memory is 3 MB whatever the traffic (docs/benchmarks.md).
/// </para>
/// <para>
/// A contact's count can only be over-estimated (other contacts share its counters), never under-estimated, so nobody gets
/// past the limit. A false <c>429</c> needs other contacts to have sent the limit's worth of messages into all three of a
/// contact's counters within a minute: at 240,000 messages a minute a counter takes fewer than two of them on average.
/// The hash seed is random per process, so collisions cannot be planned from outside.
/// </para>
/// </summary>
public sealed class ContactMessageLimiter(Func<HttpContext, string?> contactOf, Func<HttpContext, int> limitOf, TimeProvider time)
    : PartitionedRateLimiter<HttpContext>
{
    private const int Bits = 17;
    private const int Width = 1 << Bits;
    private const int Rows = 3;
    private static readonly long WindowTicks = TimeSpan.FromMinutes(1).Ticks;

    private sealed record Windows(long Index, int[] Current, int[] Previous);

    private readonly Lock _gate = new();
    private Windows? _windows;

    protected override RateLimitLease AttemptAcquireCore(HttpContext resource, int permitCount)
    {
        if (contactOf(resource) is not { } contact)
        {
            return Lease.Acquired;
        }

        var ticks = time.GetUtcNow().UtcTicks;
        var windows = WindowsAt(ticks / WindowTicks);
        var elapsed = ticks % WindowTicks;

        // Kirsch–Mitzenmacher: h1 + r·h2 for r = 0, 1, 2 behaves like three independent hashes. Both are seeded per process
        // (Marvin for string.GetHashCode, xxHash32 with a random seed for HashCode).
        var h1 = (uint)contact.GetHashCode();
        var hashCode = new HashCode();
        hashCode.AddBytes(MemoryMarshal.AsBytes(contact.AsSpan()));
        var h2 = (uint)hashCode.ToHashCode() | 1;
        Span<int> slots = stackalloc int[Rows];
        int current = int.MaxValue, previous = int.MaxValue;
        for (var r = 0; r < Rows; r++)
        {
            // Counted first and checked after, so two messages of one contact arriving together cannot both pass on the
            // last free place: each sees the other's count.
            slots[r] = (r * Width) + (int)((h1 + ((uint)r * h2)) & (Width - 1));
            current = Math.Min(current, Interlocked.Add(ref windows.Current[slots[r]], permitCount));
            previous = Math.Min(previous, Volatile.Read(ref windows.Previous[slots[r]]));
        }

        // In ticks, so the edge is exact: previous·(W − elapsed)/W + current > limit.
        var limit = limitOf(resource);
        if (((long)previous * (WindowTicks - elapsed)) + ((long)current * WindowTicks) <= (long)limit * WindowTicks)
        {
            return Lease.Acquired;
        }

        // Refused messages do not count.
        foreach (var slot in slots)
        {
            Interlocked.Add(ref windows.Current[slot], -permitCount);
        }

        return new Lease(false, RetryAfter(limit - permitCount, current - permitCount, previous, elapsed));
    }

    /// <summary>
    /// When the sliding count will have room again if nothing more is counted: the previous minute's share fades as the
    /// window moves on, and the current minute's once it has become the previous one.
    /// </summary>
    private static TimeSpan RetryAfter(int room, int current, int previous, long elapsed)
    {
        long wait;
        if (current <= room && previous > 0)
        {
            // previous·(W − e) ≤ (room − current)·W  ⇔  e ≥ W − (room − current)·W / previous
            wait = Math.Max(0, WindowTicks - ((long)(room - current) * WindowTicks / previous) - elapsed);
        }
        else
        {
            // In the next minute: current·(W − e) ≤ room·W  ⇔  e ≥ W − room·W / current
            wait = WindowTicks - elapsed + Math.Max(0, WindowTicks - ((long)Math.Max(room, 0) * WindowTicks / Math.Max(current, 1)));
        }

        return TimeSpan.FromSeconds(Math.Max(1, Math.Ceiling((double)wait / TimeSpan.TicksPerSecond)));
    }

    private Windows WindowsAt(long index)
    {
        var windows = Volatile.Read(ref _windows);
        if (windows?.Index == index)
        {
            return windows;
        }

        lock (_gate)
        {
            windows = _windows;
            if (windows?.Index == index)
            {
                return windows;
            }

            // The arrays are reused: a request still holding the old windows may add to one being cleared, which only
            // loses or adds a count at the minute's edge.
            Windows next;
            if (windows is null)
            {
                next = new Windows(index, new int[Rows * Width], new int[Rows * Width]);
            }
            else if (windows.Index + 1 == index)
            {
                Array.Clear(windows.Previous);
                next = new Windows(index, windows.Previous, windows.Current);
            }
            else
            {
                Array.Clear(windows.Previous);
                Array.Clear(windows.Current);
                next = new Windows(index, windows.Current, windows.Previous);
            }

            Volatile.Write(ref _windows, next);
            return next;
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(HttpContext resource, int permitCount, CancellationToken cancellationToken) =>
        ValueTask.FromResult(AttemptAcquireCore(resource, permitCount));

    public override RateLimiterStatistics? GetStatistics(HttpContext resource) => null;

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Acquired = new(true, null);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
