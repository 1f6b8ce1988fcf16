using System.Collections;
using BotFlow.Host.Templates;
using BotFlow.Sdk.Data;
using BotFlow.Sdk.Templates;
using Microsoft.Extensions.Options;
using Newtonsoft.Json;

namespace BotFlow.Host.Tests.Sdk;

/// <summary>A plain map reads, writes, enumerates and serializes as the dictionary it replaces, in insertion order.</summary>
public sealed class PlainMapTests
{
    [Fact]
    public void Keys_keep_their_insertion_order_and_a_replaced_value_keeps_its_place()
    {
        var map = new PlainMap { ["b"] = 1L, ["a"] = 2L, ["c"] = 3L };

        map["a"] = "dois";

        Assert.Equal(["b", "a", "c"], map.Keys);
        Assert.Equal([1L, "dois", 3L], map.Values);
        Assert.Equal("""{"b":1,"a":"dois","c":3}""", JsonConvert.SerializeObject(map));
    }

    [Fact]
    public void Adding_a_key_twice_and_reading_a_missing_key_fail_as_a_dictionary_does()
    {
        var map = new PlainMap { { "a", 1L } };

        Assert.Throws<ArgumentException>(() => map.Add("a", 2L));
        Assert.Throws<KeyNotFoundException>(() => map["b"]);
        Assert.Throws<ArgumentNullException>(() => map.ContainsKey(null!));
        Assert.False(map.TryGetValue("b", out _));
        Assert.Equal(1L, map["a"]);
    }

    [Fact]
    public void Keys_compare_ordinally_unless_the_map_ignores_case()
    {
        var exact = new PlainMap { ["Content-Type"] = "a" };
        var headers = new PlainMap(ignoreCase: true) { ["Content-Type"] = "a" };

        headers["content-type"] = "b";

        Assert.False(exact.ContainsKey("content-type"));
        Assert.Equal("b", Assert.Single(headers).Value);
        Assert.Equal("Content-Type", headers.Keys.Single());
    }

    [Fact]
    public void Removing_a_key_keeps_the_order_of_the_others()
    {
        var map = new PlainMap { ["a"] = 1L, ["b"] = 2L, ["c"] = 3L };

        Assert.True(map.Remove("b"));
        Assert.False(map.Remove("b"));
        map["b"] = 4L;

        Assert.Equal(["a", "c", "b"], map.Keys);
    }

    [Fact]
    public void A_large_map_behaves_like_a_dictionary_through_a_random_mix_of_changes()
    {
        // Past IndexAbove keys the map indexes them; removals rebuild the index. A dictionary and a list of keys in
        // order are the model it must match after every change.
        var random = new Random(20261205);
        var map = new PlainMap();
        var model = new Dictionary<string, object?>();
        var order = new List<string>();
        for (var i = 0; i < 20_000; i++)
        {
            var key = "k" + random.Next(PlainMap.IndexAbove * 4);
            switch (random.Next(4))
            {
                case 0:
                    Assert.Equal(model.Remove(key), map.Remove(key));
                    order.Remove(key);
                    break;
                case 1 when random.Next(200) == 0:
                    map.Clear();
                    model.Clear();
                    order.Clear();
                    break;
                default:
                    if (!model.ContainsKey(key))
                    {
                        order.Add(key);
                    }

                    model[key] = (long)i;
                    map[key] = (long)i;
                    break;
            }

            var probe = "k" + random.Next(PlainMap.IndexAbove * 4);
            Assert.Equal(model.TryGetValue(probe, out var expected), map.TryGetValue(probe, out var actual));
            Assert.Equal(expected, actual);
            Assert.Equal(model.Count, map.Count);
        }

        Assert.Equal(order, map.Keys);
        Assert.Equal(order.Select(k => model[k]), map.Values);
    }

    [Fact]
    public void Many_threads_reading_a_large_map_while_its_index_is_built_all_find_every_key()
    {
        // The index is built by the first lookup past IndexAbove keys: readers racing to build it must all be right.
        for (var round = 0; round < 200; round++)
        {
            var map = new PlainMap();
            for (var i = 0; i < 64; i++)
            {
                map["k" + i] = (long)i;
            }

            var wrong = 0;
            Parallel.For(0, 8, _ =>
            {
                for (var i = 63; i >= 0; i--)
                {
                    if (!map.TryGetValue("k" + i, out var value) || (long)value! != i || map.ContainsKey("x" + i))
                    {
                        Interlocked.Increment(ref wrong);
                    }
                }
            });

            Assert.Equal(0, wrong);
        }
    }

    [Fact]
    public void Changing_a_value_during_enumeration_is_allowed_adding_a_key_is_not()
    {
        var map = new PlainMap { ["a"] = 1L, ["b"] = 2L };

        foreach (var (key, value) in map)
        {
            map[key] = (long)value! * 10;
        }

        Assert.Equal([10L, 20L], map.Values);
        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var (key, _) in map)
            {
                map[key + "x"] = 0L;
            }
        });
    }

    [Fact]
    public void The_non_generic_view_reads_missing_keys_as_null_and_enumerates_as_a_dictionary_does()
    {
        IDictionary map = new PlainMap { ["a"] = 1L };
        IDictionary dictionary = new Dictionary<string, object?> { ["a"] = 1L };

        Assert.Null(map["b"]);
        Assert.Null(map[42]);
        Assert.True(map.Contains("a"));
        Assert.Equal(Assert.IsType<DictionaryEntry>(Entries(dictionary)), Assert.IsType<DictionaryEntry>(Entries(map)));
        Assert.Equal(Items(dictionary), Items(map));
        Assert.Throws<ArgumentException>(() => map.Add(1, "x"));

        static object Entries(IDictionary d)
        {
            var e = d.GetEnumerator();
            e.MoveNext();
            return e.Current;
        }

        // IEnumerable's own enumerator gives KeyValuePairs, IDictionary's gives DictionaryEntries, as for Dictionary.
        static List<object?> Items(IEnumerable d) => d.Cast<object?>().ToList();
    }

    [Fact]
    public void A_copy_takes_the_pairs_in_order_and_is_independent_of_its_source()
    {
        var source = new PlainMap { ["x"] = 1L, ["y"] = 2L };

        var copy = new PlainMap(source);
        copy["x"] = 3L;
        var fromDictionary = new PlainMap(new Dictionary<string, object?> { ["y"] = 2L, ["x"] = 1L });

        Assert.Equal(1L, source["x"]);
        Assert.Equal(["x", "y"], copy.Keys);
        Assert.Equal(["y", "x"], fromDictionary.Keys);
    }

    [Fact]
    public void Templates_read_a_plain_map_as_they_read_a_dictionary()
    {
        var engine = new ScribanTemplateEngine(Options.Create(new TemplateOptions { LoopLimit = 100, OutputLimit = 1000 }));
        var template = engine.Parse("{{ response.body.data.url }} {{ response.body.data | object.size }} {{ for p in response.body.data }}{{ p.key }}={{ p.value }};{{ end }} {data[amount]}");
        TemplateScope Scope(Func<IEnumerable<KeyValuePair<string, object?>>, IReadOnlyDictionary<string, object?>> map) => new()
        {
            Response = map([new("body", map([new("data", map([new("url", "https://pay.example/b/1"), new("amount", 12.5m)]))]))]),
        };

        var fromMaps = engine.Render(template, Scope(pairs => new PlainMap(pairs)));
        var fromDictionaries = engine.Render(template, Scope(pairs => new Dictionary<string, object?>(pairs)));

        Assert.Null(fromMaps.Error);
        Assert.Equal(fromDictionaries.Text, fromMaps.Text);
        Assert.StartsWith("https://pay.example/b/1 2 ", fromMaps.Text);
    }

    [Fact]
    public void A_map_of_strings_is_converted_key_by_key_in_its_order_from_a_dictionary_or_any_read_only_map()
    {
        var source = new Dictionary<string, string> { ["b"] = "2", ["a"] = "1", ["c"] = "3" };
        static object? Convert(int offset, string key, string text) => key + ":" + (int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) + offset);

        var fromDictionary = PlainMap.FromStrings(source, 10, Convert);
        var fromReadOnly = PlainMap.FromStrings(new System.Collections.ObjectModel.ReadOnlyDictionary<string, string>(source), 10, Convert);

        Assert.Equal(["b", "a", "c"], fromDictionary.Keys);
        Assert.Equal(["b:12", "a:11", "c:13"], fromDictionary.Values);
        Assert.Equal(fromDictionary.ToList(), fromReadOnly.ToList());
        Assert.Empty(PlainMap.FromStrings(new Dictionary<string, string>(), 0, Convert));
        Assert.Throws<ArgumentNullException>(() => PlainMap.FromStrings(null!, 0, Convert));
    }
}
