using BotFlow.Sdk.Data;
using Newtonsoft.Json;

namespace BotFlow.Host.Tests.Sdk;

/// <summary>The one escaping rule the host's and the plugins' JSON writers share is Newtonsoft's default, character by character.</summary>
public sealed class JsonStringEscapesTests
{
    [Fact]
    public void Every_utf16_character_is_escaped_exactly_when_and_as_newtonsoft_escapes_it()
    {
        for (var c = 0; c <= char.MaxValue; c++)
        {
            var text = ((char)c).ToString();
            // Newtonsoft's quoted string without its quotes: the character as it is, or its escape.
            var newtonsoft = JsonConvert.ToString(text)[1..^1];

            var escaped = JsonStringEscapes.IndexOfEscaped(text) == 0;

            Assert.Equal(newtonsoft != text, escaped);
            Assert.Equal(newtonsoft, escaped ? JsonStringEscapes.Escape((char)c) : text);
        }
    }

    [Fact]
    public void A_character_written_as_it_is_has_no_escape()
    {
        Assert.Equal(-1, JsonStringEscapes.IndexOfEscaped("João <b>'ok'</b> ✓ 😀"));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonStringEscapes.Escape('a'));
    }
}
