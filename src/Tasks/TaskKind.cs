namespace Concord.Tasks;

/// <summary>The six circuit tasks the bundled task model is trained on and the dataset generators write: each a built-in <see cref="TaskDescriptor"/> too.</summary>
public enum TaskKind { Ioi, GenderBias, GreaterThan, CapitalCountry, Sva, Hypernymy }

public static class TaskKinds
{
    public static readonly TaskKind[] All = Enum.GetValues<TaskKind>();

    /// <summary>The stable identifier, its task's (<see cref="TaskDescriptor.Id"/>): never change one, resumed runs and pinned snapshots depend on it.</summary>
    public static string Id(this TaskKind kind) => TaskDescriptor.Of(kind).Id();

    /// <summary>The CSV file name of the original study: ioi.csv, gender_bias.csv, ...</summary>
    public static string FileName(this TaskKind kind) => TaskDescriptor.Of(kind).FileName;

    public static TaskKind Parse(string name)
    {
        var key = name.Trim().ToLowerInvariant();
        foreach (var kind in All)
            if (kind.Id() == key || kind.FileName() == key) return kind;
        throw new ArgumentException($"unknown task '{name}' (known: {string.Join(", ", All.Select(Id))}, all)");
    }

    /// <summary>Tasks named in a comma-separated list, "all" (alone or in the list) for every task; a list naming none is refused, as it would run nothing.</summary>
    public static IReadOnlyList<TaskKind> ParseList(string text)
    {
        var names = Concord.Model.IdList.Split(text, "task", $"known: {string.Join(", ", All.Select(Id))}, all");
        return names.Any(n => n.Equals("all", StringComparison.OrdinalIgnoreCase)) ? All : names.Select(Parse).Distinct().ToArray();
    }
}
