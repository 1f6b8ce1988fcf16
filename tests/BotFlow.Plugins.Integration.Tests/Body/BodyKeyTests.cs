using BotFlow.Plugins.Integration.Body;

namespace BotFlow.Plugins.Integration.Tests.Body;

public sealed class BodyKeyTests
{
    [Fact]
    public void Parses_name_and_segments()
    {
        Assert.True(BodyKey.TryParse("contacts[0][emails][]", out BodyKey key, out string error), error);

        Assert.Equal("contacts", key.Name);
        Assert.Equal("contacts[0][emails][]", key.Normalized);
        Assert.Equal([BodySegment.ForIndex(0), BodySegment.ForProperty("emails"), BodySegment.Append], key.Segments);
        Assert.Equal(string.Empty, error);
    }

    [Fact]
    public void Only_whitespace_around_the_whole_key_is_ignored()
    {
        Assert.True(BodyKey.TryParse("  endereço[ cidade natal ]\t", out BodyKey key, out _));

        Assert.Equal("endereço[ cidade natal ]", key.Normalized);
        Assert.Equal([BodySegment.ForProperty(" cidade natal ")], key.Segments);
    }

    [Fact]
    public void A_name_alone_has_no_segments()
    {
        Assert.True(BodyKey.TryParse("0", out BodyKey key, out _));

        Assert.Equal("0", key.Name);
        Assert.Empty(key.Segments);
    }

    [Fact]
    public void Messages_quote_the_key_for_the_admin()
    {
        Assert.False(BodyKey.TryParse("deal[name", out _, out string error));

        Assert.Equal("malformed key 'deal[name': a '[' is not closed", error);
    }

    [Theory]
    [InlineData("deal[name", "malformed")]
    [InlineData("deal]", "malformed")]
    [InlineData("[name]", "malformed")]
    [InlineData("a[b]c", "malformed")]
    [InlineData("a[][b]", "malformed")]
    [InlineData("a[]x", "malformed")]
    [InlineData("a[[b]]", "malformed")]
    [InlineData("a[b]]", "malformed")]
    [InlineData("", "empty")]
    [InlineData(" \t ", "empty")]
    [InlineData(null, "empty")]
    [InlineData("a[01]", "index")]
    [InlineData("a[00]", "index")]
    [InlineData("a[1000]", "index")]
    [InlineData("a[99999999999999999999]", "index")]
    public void Refuses_invalid_keys(string? key, string word)
    {
        Assert.False(BodyKey.TryParse(key, out _, out string error));

        Assert.Contains(word, error, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("a[0]", 0)]
    [InlineData("a[7]", 7)]
    [InlineData("a[999]", 999)]
    public void Accepts_indexes_from_0_to_999(string key, int index)
    {
        Assert.True(BodyKey.TryParse(key, out BodyKey parsed, out _));

        Assert.Equal([BodySegment.ForIndex(index)], parsed.Segments);
    }

    [Theory]
    [InlineData("a[0x]", "0x")]
    [InlineData("a[-1]", "-1")]
    [InlineData("a[1.5]", "1.5")]
    [InlineData("a[ 1]", " 1")]
    [InlineData("a[٣]", "٣")]
    public void Segments_that_are_not_only_ascii_digits_are_properties(string key, string property)
    {
        Assert.True(BodyKey.TryParse(key, out BodyKey parsed, out _));

        Assert.Equal([BodySegment.ForProperty(property)], parsed.Segments);
    }

    [Fact]
    public void PathTo_gives_the_key_up_to_a_segment()
    {
        Assert.True(BodyKey.TryParse("contacts[0][emails][0][email]", out BodyKey key, out _));

        Assert.Equal("contacts", key.PathTo(0));
        Assert.Equal("contacts[0][emails]", key.PathTo(2));
        Assert.Equal("contacts[0][emails][0][email]", key.PathTo(4));
    }
}
