namespace Concord.Model;

/// <summary>A comma-separated list of ids as an option gives it (tasks, methods, component kinds): items trimmed, empty ones skipped.</summary>
public static class IdList
{
    /// <summary>The ids of <paramref name="text"/>; a list naming none is refused, as it would run nothing.</summary>
    /// <param name="noun">What one id names ("task").</param>
    /// <param name="known">The valid ids as the message lists them.</param>
    public static string[] Split(string text, string noun, string known)
    {
        var ids = text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (ids.Length == 0) throw new ArgumentException($"'{text}' names no {noun} ({known})");
        return ids;
    }
}
