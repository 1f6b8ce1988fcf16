using BotFlow.Sdk.Data;

namespace BotFlow.Host.Tests.Sdk;

/// <summary>Record ids are version-7 UUIDs written as Guid.ToString("N") writes them: time first, random after, never repeated.</summary>
public sealed class TimeOrderedIdsTests
{
    [Fact]
    public void An_id_is_a_version_7_uuid_in_the_text_guid_gives_with_the_time_first()
    {
        var at = new DateTimeOffset(2026, 12, 5, 2, 30, 15, 123, TimeSpan.Zero);

        var id = TimeOrderedIds.New(at);

        var guid = Guid.ParseExact(id, "N");
        Assert.Equal(guid.ToString("N"), id);
        Assert.Equal(7, guid.Version);
        Assert.Equal(0b10, guid.Variant >> 2);
        Assert.Equal(at.ToUnixTimeMilliseconds(), Convert.ToInt64(id[..12], 16));
        // The layout Guid.CreateVersion7 uses: the same time gives the same first 12 digits and version digit.
        var dotnet = Guid.CreateVersion7(at).ToString("N");
        Assert.Equal(dotnet[..13], id[..13]);
    }

    [Fact]
    public void Ids_made_on_many_threads_never_repeat_and_sort_by_time()
    {
        var start = DateTimeOffset.UtcNow;
        // More than one buffer of random bytes per thread (409 ids each), on more threads than cores.
        var ids = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, _ =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                ids.Add(TimeOrderedIds.New());
            }
        });
        var earlier = TimeOrderedIds.New(start.AddMinutes(-1));

        Assert.Equal(40_000, ids.Distinct().Count());
        Assert.All(ids, id => Assert.True(string.CompareOrdinal(earlier, id) < 0, $"{earlier} sorts after {id}"));
        Assert.All(ids, id => Assert.Matches("^[0-9a-f]{12}7[0-9a-f]{3}[89ab][0-9a-f]{15}$", id));
    }

    [Fact]
    public void The_random_part_differs_between_two_ids_of_the_same_millisecond()
    {
        var at = DateTimeOffset.UtcNow;

        var first = TimeOrderedIds.New(at);
        var second = TimeOrderedIds.New(at);

        Assert.Equal(first[..12], second[..12]);
        Assert.NotEqual(first[13..], second[13..]);
    }
}
