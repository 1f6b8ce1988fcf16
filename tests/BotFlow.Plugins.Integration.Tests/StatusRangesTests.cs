namespace BotFlow.Plugins.Integration.Tests;

public sealed class StatusRangesTests
{
    [Theory]
    [InlineData(199, false)]
    [InlineData(200, true)]
    [InlineData(250, true)]
    [InlineData(299, true)]
    [InlineData(300, false)]
    [InlineData(404, true)]
    [InlineData(405, false)]
    [InlineData(500, true)]
    [InlineData(503, true)]
    [InlineData(504, false)]
    public void A_status_is_a_success_when_any_range_holds_it(int status, bool success)
    {
        Assert.True(StatusRanges.TryParse(" 200-299, 404 ,500-503", out var ranges, out var error), error);

        Assert.Equal(success, ranges.Contains(status));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void No_list_means_the_2xx_statuses(string? text)
    {
        Assert.True(StatusRanges.TryParse(text, out var ranges, out _));

        Assert.Same(StatusRanges.Default, ranges);
        Assert.True(ranges.Contains(200) && ranges.Contains(299));
        Assert.False(ranges.Contains(199) || ranges.Contains(300) || ranges.Contains(404));
    }

    [Theory]
    [InlineData("200-99", "'200-99'")]
    [InlineData("abc", "'abc'")]
    [InlineData("200-299,700", "'700'")]
    [InlineData("1-2-3", "'1-2-3'")]
    public void A_malformed_list_names_the_part_that_is_wrong(string text, string part)
    {
        Assert.False(StatusRanges.TryParse(text, out _, out var error));

        Assert.StartsWith(part + " is not a status or a range", error, StringComparison.Ordinal);
    }
}
