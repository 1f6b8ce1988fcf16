namespace BotFlow.Plugins.Integration.Tests.Body;

public sealed class BodyKeyVectorsCopyTests
{
    /// <summary>The test project carries a copy of the spec's vectors; when shared/ is beside the checkout, the copy must match it.</summary>
    [Fact]
    public void The_vector_copy_matches_the_spec_when_the_spec_is_beside_the_checkout()
    {
        var root = BotFlow.Tests.Shared.RepositoryRoot.Find();
        Assert.NotNull(root);
        var spec = Path.Combine(root, "..", "shared", "spec", "body-keys.vectors.json");
        var copy = Path.Combine(AppContext.BaseDirectory, "body-keys.vectors.json");
        if (!File.Exists(spec))
        {
            // A checkout without shared/ (a developer's clone): the copy is all there is.
            Assert.True(File.Exists(copy));
            return;
        }

        Assert.Equal(File.ReadAllText(spec).ReplaceLineEndings(), File.ReadAllText(copy).ReplaceLineEndings());
    }
}
