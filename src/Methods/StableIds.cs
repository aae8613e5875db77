namespace Concord.Methods;

/// <summary>
/// Every enum that reaches a file, a key or a command line is written and read through its
/// <c>Id()</c> string, never its C# name or ordinal: renaming or reordering a member must not
/// change a stored unit's meaning.
/// </summary>
public static class StableIds
{
    /// <summary>The member whose id is <paramref name="text"/> (trimmed, case-insensitive), or an <see cref="ArgumentException"/> listing the ids.</summary>
    public static T Parse<T>(string text, Func<T, string> id, string what) where T : struct, Enum
    {
        var wanted = text.Trim().ToLowerInvariant();
        foreach (var value in Enum.GetValues<T>())
            if (id(value) == wanted) return value;
        throw new ArgumentException($"unknown {what} '{text.Trim()}' ({string.Join(", ", Enum.GetValues<T>().Select(id))})");
    }
}
