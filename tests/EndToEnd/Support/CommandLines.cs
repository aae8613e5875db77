namespace Concord.Tests.EndToEnd.Support;

/// <summary>Command lines built from defaults plus changes.</summary>
public static class CommandLines
{
    /// <summary><paramref name="defaults"/> with each option of <paramref name="changes"/> replacing its default value, or added (flags too).</summary>
    public static string[] With(IEnumerable<string> defaults, params string[] changes)
    {
        var options = new List<string>(defaults);
        for (int i = 0; i < changes.Length; i++)
        {
            bool valued = i + 1 < changes.Length && !changes[i + 1].StartsWith("--", StringComparison.Ordinal);
            int at = options.IndexOf(changes[i]);
            if (at >= 0 && valued) options[at + 1] = changes[++i];
            else if (valued) { options.Add(changes[i]); options.Add(changes[++i]); }
            else if (at < 0) options.Add(changes[i]);
        }
        return options.ToArray();
    }
}
