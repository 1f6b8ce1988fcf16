using System.Globalization;
using System.Numerics;
using System.Text;
using BotFlow.Plugins.Integration.Body;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;

namespace BotFlow.Plugins.Integration.Tests.Body;

/// <summary>The body writer writes the bytes Newtonsoft's JsonTextWriter wrote (and UTF-8 encoded) for every value.</summary>
public sealed class JsonBodyWriterTests
{
    [Fact]
    public void Every_utf16_character_in_a_string_is_written_as_newtonsoft_writes_it()
    {
        // Each character alone between two letters, lone surrogates included (both become U+FFFD in UTF-8).
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var text = "a" + (char)c + "b";
            AssertSame(text);
        }
    }

    [Fact]
    public void Random_strings_and_property_names_are_written_as_newtonsoft_writes_them()
    {
        var random = new Random(20261205);
        char[] alphabet = ['a', 'ç', '"', '\\', '\n', '\u0001', '\u001f', '\u007f', '\u0085', '\u2028', '\u2029', '\ud83d', '\ude00', '✓', '<', '\'', ' '];
        for (var i = 0; i < 5_000; i++)
        {
            var text = new string(Enumerable.Range(0, random.Next(0, 12)).Select(_ => alphabet[random.Next(alphabet.Length)]).ToArray());
            AssertSame(text);
            Assert.Equal(
                Newtonsoft(w =>
                {
                    w.WriteStartObject();
                    w.WritePropertyName(text);
                    w.WriteNull();
                    w.WriteEndObject();
                }),
                Write(w =>
                {
                    w.StartObject();
                    w.PropertyName(text);
                    w.Value(null);
                    w.EndObject();
                }));
        }
    }

    public static TheoryData<object?> Values => new()
    {
        null, true, false, 0L, -1L, long.MaxValue, long.MinValue, 0m, 1m, 150.50m, -0.0001m, 1.0m, 100m, decimal.MaxValue, decimal.MinValue,
        0.0000000000000000000000000001m, 12345.678900m, 0.1, 1.0, -0.0, 1e300, 1.5e-7, 123456789.125, 3.4f, 1e20f, ulong.MaxValue,
        BigInteger.Parse("123456789012345678901234567890", CultureInfo.InvariantCulture), "texto \"com\" aspas\n",
    };

    [Theory]
    [MemberData(nameof(Values))]
    public void A_scalar_is_written_as_newtonsoft_writes_it(object? value)
    {
        AssertSame(value);
    }

    [Fact]
    public void Random_numbers_are_written_as_newtonsoft_writes_them()
    {
        var random = new Random(7);
        for (var i = 0; i < 20_000; i++)
        {
            AssertSame(random.NextInt64(long.MinValue, long.MaxValue) >> random.Next(64));
            AssertSame(new decimal(random.Next(), random.Next(), random.Next(), random.Next(2) == 0, (byte)random.Next(29)));
            AssertSame(BitConverter.Int64BitsToDouble(random.NextInt64()) is var d && double.IsFinite(d) ? d : 0.5);
        }
    }

    [Fact]
    public void A_json_row_s_token_is_written_as_it_is()
    {
        var token = JToken.Parse("""{"a":[1,2.50,"x\u2028y",null,{"b":true}],"c":{}}""");

        AssertSame(token);
    }

    [Fact]
    public void Objects_and_arrays_are_written_compact_with_separators()
    {
        var text = Write(w =>
        {
            w.StartObject();
            w.PropertyName("deal");
            w.StartObject();
            w.PropertyName("name");
            w.Value("Ana");
            w.Separator();
            w.PropertyName("tags");
            w.StartArray();
            w.Value(1L);
            w.Separator();
            w.Value(2.5m);
            w.EndArray();
            w.EndObject();
            w.EndObject();
        });

        Assert.Equal("""{"deal":{"name":"Ana","tags":[1,2.5]}}""", text);
    }

    [Fact]
    public void A_body_larger_than_the_first_buffer_is_written_whole()
    {
        var large = new string('x', 10_000) + "\u2028" + new string('ç', 10_000);

        AssertSame(large);
    }

    private static void AssertSame(object? value) =>
        Assert.Equal(Newtonsoft(w =>
        {
            switch (value)
            {
                case null:
                    w.WriteNull();
                    break;
                case string s:
                    w.WriteValue(s);
                    break;
                case JToken token:
                    token.WriteTo(w);
                    break;
                default:
                    w.WriteValue(value);
                    break;
            }
        }), Write(w => w.Value(value)));

    /// <summary>What the body writer used to be: a JsonTextWriter with default settings, its text encoded to UTF-8.</summary>
    private static string Newtonsoft(Action<JsonTextWriter> write)
    {
        var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var writer = new JsonTextWriter(text) { Formatting = Formatting.None })
        {
            write(writer);
        }

        return Hex(Encoding.UTF8.GetBytes(text.ToString()));
    }

    private static string Write(Action<JsonBodyWriter> write)
    {
        using var writer = new JsonBodyWriter(16);
        write(writer);
        return Hex(writer.ToArray());
    }

    // Bytes compared as text where they are valid UTF-8 and as hex otherwise, so a failure shows what differs.
    private static string Hex(byte[] bytes) => Encoding.UTF8.GetString(bytes) is var s && Encoding.UTF8.GetByteCount(s) == bytes.Length && Encoding.UTF8.GetBytes(s).AsSpan().SequenceEqual(bytes)
        ? s
        : Convert.ToHexString(bytes);
}
