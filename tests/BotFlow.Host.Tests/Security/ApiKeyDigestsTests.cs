using System.Security.Cryptography;
using System.Text;
using BotFlow.Host.Security;

namespace BotFlow.Host.Tests.Security;

public sealed class ApiKeyDigestsTests
{
    private static AuthOptions Options(params ApiKeyOptions[] keys) => new() { ApiKeys = [.. keys] };

    [Fact]
    public void A_key_given_in_plain_text_or_as_its_sha256_is_found_and_a_wrong_one_is_not()
    {
        var digests = new ApiKeyDigests();
        var options = Options(
            new ApiKeyOptions { Name = "plain", Role = Roles.Admin, Key = "k-plain-0123456789" },
            new ApiKeyOptions { Name = "hashed", Role = Roles.Channel, Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("k-hashed-ção"))) });

        Assert.Equal("plain", digests.Find(options, "k-plain-0123456789")?.Name);
        Assert.Equal("hashed", digests.Find(options, "k-hashed-ção")?.Name);
        Assert.Null(digests.Find(options, "k-plain-012345678"));
        Assert.Null(digests.Find(options, new string('x', 2_000))); // longer than the stack buffer
    }

    [Fact]
    public void A_reloaded_configuration_is_used_at_once()
    {
        var digests = new ApiKeyDigests();
        Assert.NotNull(digests.Find(Options(new ApiKeyOptions { Name = "old", Role = Roles.Admin, Key = "old-key-0123456789" }), "old-key-0123456789"));

        var reloaded = Options(new ApiKeyOptions { Name = "new", Role = Roles.Admin, Key = "new-key-0123456789" });
        Assert.Equal(1, digests.VerifiedCount); // the old key is remembered as verified until the reload

        Assert.Null(digests.Find(reloaded, "old-key-0123456789"));
        Assert.Equal("new", digests.Find(reloaded, "new-key-0123456789")?.Name);
    }

    [Fact]
    public void A_verified_key_is_remembered_and_only_that_exact_key_matches_without_a_digest()
    {
        var digests = new ApiKeyDigests();
        var options = Options(
            new ApiKeyOptions { Name = "one", Role = Roles.Admin, Key = "k-one-0123456789" },
            new ApiKeyOptions { Name = "two", Role = Roles.Channel, Sha256 = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes("k-two-0123456789"))) });

        Assert.Equal("two", digests.Find(options, "k-two-0123456789")?.Name);
        Assert.Equal(1, digests.VerifiedCount);

        // Same length, one character off, and wrong keys in any number: refused, and never remembered.
        Assert.Null(digests.Find(options, "k-two-0123456788"));
        for (var i = 0; i < 100; i++)
        {
            Assert.Null(digests.Find(options, "guess-" + i));
        }

        Assert.Equal(1, digests.VerifiedCount);
        Assert.Equal("two", digests.Find(options, new string("k-two-0123456789".ToCharArray()))?.Name); // another instance, same text
        Assert.Equal("one", digests.Find(options, "k-one-0123456789")?.Name);
        Assert.Equal("one", digests.Find(options, "k-one-0123456789")?.Name);
        Assert.Equal(2, digests.VerifiedCount); // one entry per configured key at most
    }

    [Fact]
    public void A_key_gets_one_principal_made_once_and_a_reloaded_key_a_new_one()
    {
        var digests = new ApiKeyDigests();
        var made = 0;
        System.Security.Claims.ClaimsPrincipal Make(ApiKeyOptions key)
        {
            made++;
            return new(new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim(System.Security.Claims.ClaimTypes.Role, key.Role)], "test"));
        }

        var editor = new ApiKeyOptions { Name = "k", Role = Roles.Editor, Key = "k-0123456789" };
        var first = digests.PrincipalOf(editor, Make);

        Assert.Same(first, digests.PrincipalOf(editor, Make));
        Assert.Equal(1, made);

        var reloaded = new ApiKeyOptions { Name = "k", Role = Roles.Viewer, Key = "k-0123456789" };
        Assert.True(digests.PrincipalOf(reloaded, Make).IsInRole(Roles.Viewer));
        Assert.Equal(2, made);
    }
}
