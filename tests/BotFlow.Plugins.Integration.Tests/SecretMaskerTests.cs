namespace BotFlow.Plugins.Integration.Tests;

public sealed class SecretMaskerTests
{
    [Fact]
    public void The_longer_secret_is_masked_whole_and_its_url_form_too()
    {
        var masker = new SecretMasker(["abcd", "abcdef12", "p@ss word"]);

        Assert.Equal("x *** y ***", masker.Apply("x abcdef12 y abcd"));
        Assert.Equal("?k=***", masker.Apply("?k=p%40ss%20word"));
    }

    [Fact]
    public void Values_shorter_than_four_characters_are_not_masked()
    {
        var masker = new SecretMasker(["ok", "1"]);

        Assert.True(masker.IsEmpty);
        Assert.Equal("ok 1", masker.Apply("ok 1"));
    }

    [Fact]
    public void A_fork_masks_the_shared_values_and_keeps_its_own_additions_to_itself()
    {
        var shared = new SecretMasker(["store-secret"]);

        var run = shared.Fork();
        run.Add("oauth-token-of-one-run");

        Assert.Equal("*** ***", run.Apply("store-secret oauth-token-of-one-run"));
        Assert.Equal("*** oauth-token-of-one-run", shared.Apply("store-secret oauth-token-of-one-run"));
        Assert.Equal("oauth-token-of-one-run", shared.Fork().Apply("oauth-token-of-one-run"));
    }

    [Fact]
    public void A_secret_is_looked_for_in_json_bytes_and_one_json_may_spell_otherwise_always_may_occur()
    {
        var verbatim = new SecretMasker(["tok-9f8e7d6c"]);
        Assert.True(verbatim.MayOccurIn("""{"a":"x tok-9f8e7d6c y"}"""u8));
        Assert.False(verbatim.MayOccurIn("""{"a":"tok-9f8e7d6"}"""u8));
        Assert.False(new SecretMasker().MayOccurIn("""{"a":"anything"}"""u8));

        // Its URL-escaped form too, which Apply masks as well.
        var spaced = new SecretMasker(["p@ss word"]);
        Assert.True(spaced.MayOccurIn("""{"u":"https://x.example/?k=p%40ss%20word"}"""u8));
        Assert.Equal("https://x.example/?k=***", spaced.Apply("https://x.example/?k=p%40ss%20word"));
        Assert.False(spaced.MayOccurIn("""{"u":"p@ss"}"""u8));

        // A quote, a backslash or a non-ASCII letter may be escaped in JSON text: never ruled out from the bytes.
        foreach (var escapable in new[] { "p\"ss-1234", "p\\ss-1234", "senhaçã-1234", "tab\tx-1234" })
        {
            Assert.True(new SecretMasker([escapable]).MayOccurIn("""{"a":"nothing here"}"""u8));
        }
    }
}
