namespace BotFlow.Tests.Shared;

/// <summary>
/// The checkout the tests were built from: the nearest folder above the test binaries that holds <c>BotFlow.sln</c>.
/// Linked into each test project (tests/Shared), for tests that read the repository's own files.
/// </summary>
public static class RepositoryRoot
{
    /// <summary>The checkout's folder, or null when the binaries are not inside one.</summary>
    public static string? Find()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "BotFlow.sln")))
            {
                return folder.FullName;
            }
        }

        return null;
    }

    /// <summary>The checkout's folder; throws when the binaries are not inside one.</summary>
    public static string Require() => Find() ?? throw new InvalidOperationException("BotFlow.sln not found above " + AppContext.BaseDirectory);
}
