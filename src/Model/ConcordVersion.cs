using System.Reflection;

namespace Concord.Model;

/// <summary>Concord's version and the commit it was built from: part of every fingerprint, since a new version may compute other numbers.</summary>
public static class ConcordVersion
{
    /// <summary>(version, commit); the commit is empty when built outside git.</summary>
    public static (string Version, string Commit) Current { get; } = Read();

    private static (string, string) Read()
    {
        var informational = typeof(ConcordVersion).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
        int plus = informational.IndexOf('+');
        return plus < 0 ? (informational, "") : (informational[..plus], informational[(plus + 1)..]);
    }
}
