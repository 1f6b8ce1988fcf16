using System.Threading.RateLimiting;
using BotFlow.Host.Security;
using Microsoft.AspNetCore.Http;

namespace BotFlow.Host.Tests.Security;

public sealed class ContactMessageLimiterTests
{
    private sealed class Clock(DateTimeOffset start) : TimeProvider
    {
        public DateTimeOffset Now { get; set; } = start;

        public override DateTimeOffset GetUtcNow() => Now;
    }

    // A minute boundary, so the tests say where in the window they are.
    private static readonly DateTimeOffset Minute = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private static (ContactMessageLimiter Limiter, Clock Clock) Create(int limit)
    {
        var clock = new Clock(Minute);
        return (new ContactMessageLimiter(c => c.Items["contact"] as string, _ => limit, clock), clock);
    }

    private static HttpContext Message(string? contact)
    {
        var context = new DefaultHttpContext();
        context.Items["contact"] = contact;
        return context;
    }

    private static int Passed(ContactMessageLimiter limiter, string contact, int messages) =>
        Enumerable.Range(0, messages).Count(_ => limiter.AttemptAcquire(Message(contact)).IsAcquired);

    [Fact]
    public void A_contact_gets_its_limit_per_minute_and_no_more_while_others_still_pass()
    {
        var (limiter, _) = Create(limit: 5);

        Assert.Equal(5, Passed(limiter, "5511999990001", 8));
        Assert.Equal(5, Passed(limiter, "5511999990002", 5));
    }

    [Fact]
    public void Messages_of_one_contact_arriving_together_never_pass_the_limit()
    {
        var (limiter, _) = Create(limit: 50);
        var passed = 0;

        Parallel.For(0, 400, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            if (limiter.AttemptAcquire(Message("c1")).IsAcquired)
            {
                Interlocked.Increment(ref passed);
            }
        });

        Assert.Equal(50, passed);
    }

    [Fact]
    public void Requests_that_are_not_conversation_messages_are_never_counted()
    {
        var (limiter, _) = Create(limit: 1);

        Assert.All(Enumerable.Range(0, 10), _ => Assert.True(limiter.AttemptAcquire(Message(null)).IsAcquired));
    }

    [Fact]
    public void The_previous_minute_counts_for_the_part_of_it_still_inside_the_last_60_seconds()
    {
        var (limiter, clock) = Create(limit: 10);
        Assert.Equal(10, Passed(limiter, "c1", 10));

        // Half-way through the next minute, half of the previous minute's 10 still count: room for 5 more.
        clock.Now = Minute.AddSeconds(90);
        Assert.Equal(5, Passed(limiter, "c1", 10));

        // Two quiet minutes later nothing counts any more.
        clock.Now = Minute.AddMinutes(4);
        Assert.Equal(10, Passed(limiter, "c1", 12));
    }

    [Fact]
    public void A_refusal_says_when_there_will_be_room_again()
    {
        var (limiter, clock) = Create(limit: 10);
        clock.Now = Minute.AddSeconds(45);
        Passed(limiter, "c1", 10);

        var refused = limiter.AttemptAcquire(Message("c1"));

        Assert.False(refused.IsAcquired);
        Assert.True(refused.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter));
        // 15 s until this minute ends, then the 10 must fade to 9: another 6 s of the next minute.
        Assert.Equal(TimeSpan.FromSeconds(21), retryAfter);
        clock.Now += retryAfter;
        Assert.True(limiter.AttemptAcquire(Message("c1")).IsAcquired);
    }

    [Fact]
    public void A_crowd_of_new_contacts_costs_no_memory_per_contact_and_nobody_is_refused_wrongly()
    {
        var (limiter, _) = Create(limit: 60);
        limiter.AttemptAcquire(Message("warm-up"));
        var contacts = Enumerable.Range(0, 200_000).Select(i => "55" + (11_900_000_000L + i)).ToArray();
        var contexts = contacts.Select(Message).ToArray();

        var before = GC.GetAllocatedBytesForCurrentThread();
        var refused = contexts.Count(c => !limiter.AttemptAcquire(c).IsAcquired);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, refused);
        // The limiter keeps nothing per contact: 200,000 new contacts in one minute allocate (almost) nothing.
        Assert.True(allocated < 64 * 1024, $"{allocated} bytes allocated for 200,000 contacts");
    }
}
