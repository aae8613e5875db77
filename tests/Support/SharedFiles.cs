using NUnit.Framework;

namespace Concord.Tests.Support;

/// <summary>The shared folder beside the repository (../shared, or $CONCORD_SHARED): third-party data the tests may read, never copy.</summary>
public static class SharedFiles
{
    /// <summary>A path below the shared folder, or an Ignore naming what is missing (tests skip, never fail, without it).</summary>
    public static string Require(string relative)
    {
        var root = Environment.GetEnvironmentVariable("CONCORD_SHARED") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
        var path = Path.Combine(root, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Ignore($"skipped: {relative} not found (expected in ../shared beside the repository, or set CONCORD_SHARED)");
        return path;
    }

    /// <summary>The repository root: the folder holding Suite.sln above the test binaries.</summary>
    private static string RepositoryRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Suite.sln"))) return dir.FullName;
        throw new InvalidOperationException("Suite.sln not found above " + AppContext.BaseDirectory);
    }
}
