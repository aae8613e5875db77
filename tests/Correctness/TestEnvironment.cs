using Concord.Model;

namespace Concord.Tests.Correctness;

/// <summary>Where the shared folder lies and the small configs the tests use.</summary>
public static class TestEnvironment
{
    /// <summary>The repository root: the folder holding Suite.sln above the test binaries.</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary><c>../shared</c> beside the repository, or <c>$CONCORD_SHARED</c>; null when absent.</summary>
    public static string? SharedFolder
    {
        get
        {
            var fromEnv = Environment.GetEnvironmentVariable("CONCORD_SHARED");
            var candidate = fromEnv is { Length: > 0 } ? fromEnv : Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
            return Directory.Exists(candidate) ? candidate : null;
        }
    }

    /// <summary>A subfolder of shared/, or an Ignore naming what is missing (tests skip, never fail, without it).</summary>
    public static string RequireShared(string relative)
    {
        var shared = SharedFolder;
        var path = shared is null ? null : Path.Combine(shared, relative);
        if (path is null || !(Directory.Exists(path) || File.Exists(path)))
            NUnit.Framework.Assert.Ignore($"skipped: {relative} not found (expected in ../shared beside the repository, or set CONCORD_SHARED)");
        return path!;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Suite.sln"))) return dir.FullName;
        throw new InvalidOperationException("Suite.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A tiny config with a small vocabulary: fast enough for property tests and the double-precision reference.</summary>
    public static Gpt2Config Tiny(int layers = 2, int heads = 4, int dModel = 16, int vocab = 97, int positions = 32) =>
        new(layers, heads, dModel, positions, vocab);

    public static string NewTempFolder()
    {
        var path = Path.Combine(Path.GetTempPath(), "concord-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
