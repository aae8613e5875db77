using NUnit.Framework;

namespace Concord.Tests.Agreement.Support;

/// <summary>The shared folder beside the repository (../shared, or $CONCORD_SHARED): third-party data the tests may read, never copy.</summary>
public static class SharedFiles
{
    /// <summary>A path below the shared folder, or an Ignore naming what is missing (tests skip, never fail, without it).</summary>
    public static string Require(string relative)
    {
        var root = Environment.GetEnvironmentVariable("CONCORD_SHARED") is { Length: > 0 } fromEnv
            ? fromEnv
            : Path.GetFullPath(Path.Combine(Concord.Tasks.ProjectPaths.Root, "..", "shared"));
        var path = Path.Combine(root, relative);
        if (!File.Exists(path) && !Directory.Exists(path))
            Assert.Ignore($"skipped: {relative} not found (expected in ../shared beside the repository, or set CONCORD_SHARED)");
        return path;
    }
}
